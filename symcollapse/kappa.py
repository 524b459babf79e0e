r"""Numerical solution of the effective-regularisation equation (9), vectorized over grids.

:math:`\kappa=\kappa(\lambda,T)` is the root of

.. math:: h(\kappa) = \kappa\Big(1-\frac{\mathrm{df}_1(\kappa)}{T}\Big)-\lambda = 0,

unique and positive when :math:`\lambda>0` or :math:`T<d`; :math:`\kappa=0` when
:math:`\lambda=0` and :math:`T\ge d`.  :math:`h<0` left of the root and :math:`h>0` right of it,
and in :math:`u=\log\kappa`

.. math:: \frac{dh}{du} = \kappa\Big(1-\frac{\mathrm{df}_2(\kappa)}{T}\Big) > 0

at the root (Lemma I.2), so a safeguarded Newton iteration in :math:`u`, started inside the bracket
:math:`[\max(\lambda,\ \lambda_{\min}(d-T)_+/(2T)),\ \lambda+\operatorname{tr}\Sigma/T]`, converges
for every grid point at once (bisection whenever a Newton step leaves the bracket).
"""

from __future__ import annotations

import numpy as np

from .spectral_numerics import SpectralFunctionals

__all__ = ["solve_kappa", "kappa_for", "kappa_bracket"]

_MAXITER = 200


def kappa_bracket(fun: SpectralFunctionals, lam: np.ndarray, T: np.ndarray):
    """Lower and upper bounds of kappa(lam, T) (only meaningful where lam > 0 or T < d)."""
    hi = lam + fun.trace / T
    if hasattr(fun, "kappa_lower"):
        return fun.kappa_lower(lam, T), hi
    d = fun.d
    with np.errstate(divide="ignore", invalid="ignore"):
        over = np.where(T < d, fun.min_eigenvalue * (d - T) / (2.0 * T), 0.0)
    return np.maximum(lam, over), hi


def solve_kappa(fun: SpectralFunctionals, lam, T, *, method: str = "exact") -> np.ndarray:
    """Solve eq. (9) for every point of ``broadcast(lam, T)``; ``method`` 'exact' or 'table'."""
    lam, T = np.broadcast_arrays(np.asarray(lam, dtype=float), np.asarray(T, dtype=float))
    shape = lam.shape
    lam, T = lam.reshape(-1), T.reshape(-1)
    kappa = np.zeros(lam.shape)
    active = np.flatnonzero((lam > 0) | (T < fun.d))
    if active.size == 0:
        return kappa.reshape(shape)
    la, Ta = lam[active], T[active]
    lo, hi = kappa_bracket(fun, la, Ta)
    if method == "table":
        fun.prepare(lo.min(), hi.max())
    u_lo, u_hi = np.log(lo), np.log(hi)
    u = _initial_guess(fun, la, Ta, u_lo, u_hi, method)
    todo = np.arange(active.size)
    for _ in range(_MAXITER):
        uu = u[todo]
        k = np.exp(uu)
        f1, f2 = fun.df1_df2(k, method)
        Tt = Ta[todo]
        h = k * (1.0 - f1 / Tt) - la[todo]
        slope = k * (1.0 - f2 / Tt)
        left = h < 0
        u_lo[todo] = np.where(left, uu, u_lo[todo])
        u_hi[todo] = np.where(left, u_hi[todo], uu)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = h / slope
        newton = uu - step
        tol = 4e-16 * np.maximum(1.0, np.abs(uu))
        converged = (slope > 0) & np.isfinite(step) & (np.abs(step) <= tol) | (h == 0)
        bad = ~np.isfinite(newton) | (newton <= u_lo[todo]) | (newton >= u_hi[todo]) | (slope <= 0)
        new = np.where(bad, 0.5 * (u_lo[todo] + u_hi[todo]), newton)
        u[todo] = np.where(converged, np.where(np.isfinite(newton), newton, uu), new)
        done = converged | (u_hi[todo] - u_lo[todo] <= tol)
        todo = todo[~done]
        if todo.size == 0:
            break
    else:  # pragma: no cover - the bracket halves at worst every other step
        raise RuntimeError("kappa iteration did not converge")
    kappa[active] = np.exp(u)
    return kappa.reshape(shape)


def _initial_guess(fun, la, Ta, u_lo, u_hi, method):
    """Start Newton close to the root when few distinct T share many lam (a product grid).

    For each distinct T, lam(kappa) = kappa (1 - df1(kappa)/T) is explicit: tabulate it on one
    log-kappa grid (spacing 0.01) and invert it by monotone interpolation.  Otherwise start at
    the middle of the bracket.
    """
    mid = 0.5 * (u_lo + u_hi)
    Tu, inverse = np.unique(Ta, return_inverse=True)
    a, b = float(u_lo.min()), float(u_hi.max())
    nodes_count = int(min(4000, max(64, (b - a) / 0.01)))
    if Tu.size * 8 > la.size or (method == "exact" and nodes_count * fun.d > la.size * fun.d / 4):
        return mid
    nodes = np.linspace(a, b, nodes_count)
    kn = np.exp(nodes)
    f1 = fun.evaluate(kn, method, names=("df1",))["df1"]
    guess = mid.copy()
    order = np.argsort(inverse, kind="stable")
    groups = np.split(order, np.cumsum(np.bincount(inverse))[:-1])
    for t, members in zip(Tu, groups, strict=True):      # one pass per distinct T
        lam_nodes = np.maximum.accumulate(np.maximum(kn * (1.0 - f1 / t), 0.0))
        target = la[members]
        pos = np.clip(np.searchsorted(lam_nodes, target), 1, nodes_count - 1)
        l0, l1 = lam_nodes[pos - 1], lam_nodes[pos]
        with np.errstate(divide="ignore", invalid="ignore"):
            w = np.clip(np.where(l1 > l0, (target - l0) / (l1 - l0), 1.0), 0.0, 1.0)
        guess[members] = nodes[pos - 1] + w * (nodes[1] - nodes[0])
    return np.clip(guess, u_lo, u_hi)


def kappa_for(eigs, vals: dict, *, generator: bool) -> np.ndarray:
    """kappa(lam, T) (or kappa0 = kappa(0, T0) when ``generator``) for ``Formula.evaluate``."""
    if eigs is None:
        from .catalogue import formula

        if generator:
            if "phi0" not in vals:
                raise TypeError("kappa0 needs eigenvalues= (general Sigma) or phi0= (isotropic)")
            return formula("kappa_isotropic").evaluate(lam=0.0, phi=vals["phi0"])
        if "phi" not in vals or "lam" not in vals:
            raise TypeError("kappa needs eigenvalues= (general Sigma) or lam= and phi= (isotropic)")
        return formula("kappa_isotropic").evaluate(lam=vals["lam"], phi=vals["phi"])
    fun = SpectralFunctionals(eigs, np.zeros_like(eigs))
    if generator:
        return solve_kappa(fun, 0.0, vals["T0"])
    return solve_kappa(fun, vals["lam"], vals["T"])
