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
    d = fun.d
    with np.errstate(divide="ignore", invalid="ignore"):
        over = np.where(T < d, fun.min_eigenvalue * (d - T) / (2.0 * T), 0.0)
    lo = np.maximum(lam, over)
    hi = lam + fun.trace / T
    return lo, hi


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
    u = 0.5 * (u_lo + u_hi)
    todo = np.arange(active.size)
    for _ in range(_MAXITER):
        k = np.exp(u[todo])
        f1, f2 = fun.df1_df2(k, method)
        Tt = Ta[todo]
        h = k * (1.0 - f1 / Tt) - la[todo]
        slope = k * (1.0 - f2 / Tt)
        left = h < 0
        u_lo[todo] = np.where(left, u[todo], u_lo[todo])
        u_hi[todo] = np.where(left, u_hi[todo], u[todo])
        with np.errstate(divide="ignore", invalid="ignore"):
            new = u[todo] - h / slope
        bad = ~np.isfinite(new) | (new <= u_lo[todo]) | (new >= u_hi[todo]) | (slope <= 0)
        new = np.where(bad, 0.5 * (u_lo[todo] + u_hi[todo]), new)
        new = np.where(h == 0, u[todo], new)   # an exact root: keep it
        step = np.abs(new - u[todo])
        u[todo] = new
        done = (step <= 4e-16 * np.maximum(1.0, np.abs(new))) | (
            u_hi[todo] - u_lo[todo] <= 4e-16 * np.maximum(1.0, np.abs(new)))
        todo = todo[~done]
        if todo.size == 0:
            break
    else:  # pragma: no cover - the bracket halves at worst every other step
        raise RuntimeError("kappa iteration did not converge")
    kappa[active] = np.exp(u)
    return kappa.reshape(shape)


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
