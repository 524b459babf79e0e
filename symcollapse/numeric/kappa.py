r"""Numerical solution of the effective-regularisation equation (9), vectorized over grids.

:math:`\kappa=\kappa(\lambda,T)` is the root of
:math:`\kappa\,(1-\mathrm{df}_1(\kappa)/T)=\lambda`, unique and positive when :math:`\lambda>0`
or :math:`T<d`; :math:`\kappa=0` when :math:`\lambda=0` and :math:`T\ge d`.  It is solved as the
root of the increasing function of :math:`u=\log\kappa`

.. math::
    G(\kappa) = T-\mathrm{df}_1(\kappa)-\frac{T\lambda}{\kappa},\qquad
    \frac{dG}{du} = \sum_j p_jq_j+\frac{T\lambda}{\kappa} > 0,

with :math:`p_j=\lambda_j/(\lambda_j+\kappa)`, :math:`q_j=\kappa/(\lambda_j+\kappa)`.  Forming
:math:`T-\mathrm{df}_1` directly cancels catastrophically when :math:`T` equals the number of
eigenvalues far above :math:`\kappa` (a spectral gap).  For an explicit spectrum it is formed
without any difference of nearly equal quantities: with :math:`A=\{j:\lambda_j>\kappa\}`,

.. math:: T-\mathrm{df}_1(\kappa) = (T-|A|) + \sum_{j\in A} q_j - \sum_{j\notin A} p_j,

where :math:`T-|A|` is exact and every :math:`q_j` (:math:`j\in A`), :math:`p_j` (:math:`j\notin A`)
is at most 1/2 and computed from the ratio :math:`\min(\lambda_j/\kappa,\kappa/\lambda_j)\le1`
(no overflow for spectra spanning 1e-300 .. 1e300).  Since :math:`p_jq_j\ge\frac12\min(p_j,q_j)`,
the rounding error of :math:`G` is a few ulps of :math:`dG/du`: the root is well conditioned
(relative error of :math:`\kappa` a few ``eps`` times a summation factor).

The solver is a bracketed Newton iteration in :math:`u` (bisection whenever a step leaves the
bracket or the bracket has not halved in two steps, so it terminates in at most ~2 log2(width /
1e-9) steps), finished by Newton steps in :math:`\kappa` itself (so that the answer is not limited
by the resolution of :math:`u`).  It either returns every root or raises a ``ValueError`` that
says why.
"""

from __future__ import annotations

import numpy as np

from symcollapse.numeric.spectral import PowerLawFunctionals, SpectralFunctionals

__all__ = ["auto_method", "EXACT_BUDGET", "solve_kappa", "kappa_bracket", "kappa_residual", "denominator"]

_MAXITER = 400
_CHUNK = 1 << 21  # elements (points x eigenvalues) per block of direct sums
_U_TOL = 1e-9  # phase 1 stops when the log-step or the log-bracket is this small
_POLISH = 3  # Newton steps in kappa afterwards (quadratic: 1e-9 -> 1e-18)


def _log_trace(fun: SpectralFunctionals) -> float:
    if isinstance(fun, PowerLawFunctionals):
        return float(np.log(fun.trace))
    lj = fun.eigenvalues
    top = float(lj.max())
    return float(np.log(top) + np.log(np.sum(lj / top)))


def kappa_bracket(fun: SpectralFunctionals, lam: np.ndarray, T: np.ndarray):
    """Bounds ``(log lo, log hi)`` of log kappa(lam, T), for points with lam > 0 or T < d.

    ``hi = 2 max(lam, tr(Sigma)/T) >= lam + tr(Sigma)/T`` (there ``kappa (1 - df1/T) >= kappa -
    tr/T >= lam``); ``lo = max(lam, lambda_min (d - T)/(2T))`` (below it ``df1 > T`` or
    ``kappa (1 - df1/T) < lam``).  Computed in logs, so that no bound overflows."""
    lam = np.asarray(lam, dtype=float)
    T = np.asarray(T, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_lam = np.log(lam)
        u_hi = np.log(2.0) + np.maximum(log_lam, _log_trace(fun) - np.log(T))
        if isinstance(fun, PowerLawFunctionals):
            u_lo = np.log(fun.kappa_lower(lam, T))
        else:
            over = np.where(
                T < fun.d, np.log(fun.min_eigenvalue) + np.log(fun.d - T) - np.log(2.0 * T), -np.inf
            )
            u_lo = np.maximum(log_lam, over)
    return u_lo, u_hi


def _robust_terms(fun: SpectralFunctionals, kappa, lam, T):
    """``G`` and ``dG/du`` at ``kappa`` by the gap-split sums of the module docstring."""
    lj = fun.eigenvalues
    G = np.empty(kappa.shape)
    Gu = np.empty(kappa.shape)
    step = max(1, _CHUNK // max(lj.size, 1))
    for s in range(0, kappa.size, step):
        k = kappa[s : s + step, None]
        above = lj > k
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            r = np.where(above, k / lj, lj / k)  # <= 1
            small = r / (1.0 + r)  # q_j above kappa, p_j below
            big = 1.0 / (1.0 + r)
            ratio = lam[s : s + step] / kappa[s : s + step]
        count = above.sum(axis=1)
        s_above = np.where(above, small, 0.0).sum(axis=1)
        s_below = np.where(above, 0.0, small).sum(axis=1)
        tl = T[s : s + step] * ratio
        Ts = T[s : s + step]
        G[s : s + step] = ((Ts - count) + s_above) - (s_below + tl)
        Gu[s : s + step] = np.einsum("ij,ij->i", small, big) + tl
    return G, Gu


def _plain_terms(fun: SpectralFunctionals, kappa, lam, T, method):
    """``G`` and ``dG/du`` from df1 and df2 (power laws, or the Chebyshev table)."""
    f1, f2 = fun.df1_df2(kappa, method)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        tl = T * (lam / kappa)
    return (T - f1) - tl, np.maximum(f1 - f2, 0.0) + tl


def kappa_residual(fun: SpectralFunctionals, kappa, lam, T, method: str = "exact"):
    """``G(kappa) = T - df1(kappa) - T lam/kappa`` and ``dG/dlog(kappa)`` (robust for explicit
    spectra with ``method='exact'``)."""
    kappa, lam, T = (np.asarray(x, dtype=float).reshape(-1) for x in np.broadcast_arrays(kappa, lam, T))
    if method == "exact" and not isinstance(fun, PowerLawFunctionals):
        return _robust_terms(fun, kappa, lam, T)
    return _plain_terms(fun, kappa, lam, T, method)


#: direct sums cost (points x eigenvalues); above this the table's D is refined only where weak
_DIRECT_BUDGET = 8_000_000

#: above this many (points x eigenvalues), :func:`auto_method` picks the Chebyshev table
EXACT_BUDGET = 2_000_000


def auto_method(fun: SpectralFunctionals, points: int) -> str:
    """``"exact"`` (direct sums at every iterate) for small grids, ``"table"`` above
    :data:`EXACT_BUDGET` (points x eigenvalues; a power law counts 10,000 per point): the table
    drives the iteration and the ill-conditioned points are finished with the exact sums, so
    both give kappa to a relative ~1e-12 (``tests/test_robust_kappa.py``)."""
    per_point = 10_000 if isinstance(fun, PowerLawFunctionals) else fun.d
    return "exact" if points * per_point <= EXACT_BUDGET else "table"


def denominator(fun: SpectralFunctionals, kappa, lam, N, method: str = "exact") -> np.ndarray:
    r""":math:`N-\mathrm{df}_2(\kappa)` at the root of the kappa equation, without cancellation:

    .. math:: N-\mathrm{df}_2=N\lambda/\kappa+\sum_jp_jq_j,\qquad p_j=\frac{\ell_j}{\ell_j+\kappa},
              \ q_j=1-p_j,

    since the kappa equation gives :math:`N-\mathrm{df}_1=N\lambda/\kappa` and
    :math:`\mathrm{df}_1-\mathrm{df}_2=\sum_jp_jq_j`; both terms are positive (for
    :math:`\kappa=0`, a least-squares fit on :math:`N\ge d` rows, it is :math:`N-d`).  Formed as
    the difference :math:`N-\mathrm{df}_2` it loses all accuracy at a spectral gap (``N`` equal to
    the number of eigenvalues far above kappa).  Shape of the broadcast inputs, flattened."""
    kappa, lam, N = (np.asarray(a, dtype=float).reshape(-1) for a in np.broadcast_arrays(kappa, lam, N))
    out = np.asarray(N - fun.d, dtype=float).copy()
    pos = np.flatnonzero(kappa > 0)
    if pos.size:
        direct = not isinstance(fun, PowerLawFunctionals) and (
            method == "exact" or pos.size * fun.d <= _DIRECT_BUDGET
        )
        m = "exact" if direct else method
        _, Gu = kappa_residual(fun, kappa[pos], lam[pos], N[pos], m)
        if not direct and not isinstance(fun, PowerLawFunctionals):
            # the table's df1 - df2 cancels where N - df2 is small: redo those points exactly
            weak = np.flatnonzero(Gu < 1e-3 * N[pos])
            if weak.size:
                Gu[weak] = kappa_residual(fun, kappa[pos][weak], lam[pos][weak], N[pos][weak], "exact")[1]
        out[pos] = Gu
    return out


def solve_kappa(fun: SpectralFunctionals, lam, T, *, method: str = "exact") -> np.ndarray:
    """Solve eq. (9) for every point of ``broadcast(lam, T)``; ``method`` 'exact' or 'table'.

    With ``method='table'`` the Chebyshev table drives the iteration, and the points where the
    root is ill-conditioned for it (``T - df2 < T/100``) are finished with the exact sums."""
    lam, T = np.broadcast_arrays(np.asarray(lam, dtype=float), np.asarray(T, dtype=float))
    shape = lam.shape
    lam, T = lam.reshape(-1), T.reshape(-1)
    kappa = np.zeros(lam.shape)
    active = np.flatnonzero((lam > 0) | (T < fun.d))
    if active.size == 0:
        return kappa.reshape(shape)
    la, Ta = lam[active], T[active]
    u_lo, u_hi = kappa_bracket(fun, la, Ta)
    if not (np.all(np.isfinite(u_lo)) and np.all(np.isfinite(u_hi))):
        raise ValueError(
            "kappa: no finite bracket for the root (lam or T out of range, or a spectrum beyond float64)"
        )
    explicit = not isinstance(fun, PowerLawFunctionals)

    def terms(k, idx, m):
        if m == "exact" and explicit:
            return _robust_terms(fun, k, la[idx], Ta[idx])
        return _plain_terms(fun, k, la[idx], Ta[idx], m)

    if method == "table":
        fun.prepare(float(np.exp(u_lo.min())), float(np.exp(u_hi.max())))
        u = _initial_guess(fun, la, Ta, u_lo, u_hi, method)
    else:
        u = 0.5 * (u_lo + u_hi)
    u = _phase1(terms, u, u_lo, u_hi, method)
    k = np.exp(u)
    k = _polish(terms, k, np.arange(k.size), method)
    if method == "table" and explicit:
        f2 = fun.evaluate(k, "table", names=("df2",))["df2"]
        weak = np.flatnonzero(Ta - f2 < 0.01 * Ta)
        if weak.size:
            # ill-conditioned for the table: the exact iteration, started at the table's root
            # inside the original bracket (so a root the table put decades off is still found)

            def exact_terms(kk, idx, m):
                return terms(kk, weak[idx], m)

            start = np.clip(np.log(k[weak]), u_lo[weak], u_hi[weak])
            u_weak = _phase1(exact_terms, start, u_lo[weak], u_hi[weak], "exact")
            k[weak] = _polish(exact_terms, np.exp(u_weak), np.arange(weak.size), "exact")
    if not np.all(np.isfinite(k) & (k > 0)):
        raise ValueError(
            "kappa: the root is not representable in float64 for some (lam, T) "
            "(kappa overflows or underflows)"
        )
    kappa[active] = k
    return kappa.reshape(shape)


def _phase1(terms, u, u_lo, u_hi, method):
    """Bracketed Newton in u = log kappa until the step or the bracket is below ``_U_TOL``."""
    u, u_lo, u_hi = u.copy(), u_lo.copy(), u_hi.copy()
    width2 = np.full(u.shape, np.inf)  # bracket width two steps ago
    width1 = np.full(u.shape, np.inf)
    todo = np.arange(u.size)
    for _ in range(_MAXITER):
        uu = u[todo]
        with np.errstate(over="ignore", under="ignore"):
            G, Gu = terms(np.exp(uu), todo, method)
        if not np.all(np.isfinite(G)):
            raise ValueError(
                "kappa: the effective-regularisation equation is not finite inside "
                "the bracket (spectrum or parameters beyond float64)"
            )
        left = G < 0
        lo = np.where(left, uu, u_lo[todo])
        hi = np.where(left, u_hi[todo], uu)
        u_lo[todo], u_hi[todo] = lo, hi
        with np.errstate(divide="ignore", invalid="ignore"):
            step = G / Gu
        newton = uu - step
        width = hi - lo
        slow = width > 0.5 * width2[todo]
        bad = ~np.isfinite(newton) | (newton <= lo) | (newton >= hi) | slow
        nxt = np.where(bad, 0.5 * (lo + hi), newton)
        done = (G == 0) | (width <= _U_TOL) | (~bad & (np.abs(step) <= _U_TOL))
        u[todo] = np.where(G == 0, uu, np.where(done & ~bad, newton, nxt))
        width2[todo] = np.where(slow | bad, width, width1[todo])
        width1[todo] = width
        todo = todo[~done]
        if todo.size == 0:
            return u
    raise ValueError(
        f"kappa: the bracketed iteration did not reach a relative bracket of "
        f"{_U_TOL:g} in {_MAXITER} steps for {todo.size} points (a non-finite "
        "functional?)"
    )


def _polish(terms, k, idx, method):
    """Newton steps in kappa (k <- k exp(-G/G_u)): the answer is not limited to the resolution
    of log kappa."""
    k = k.copy()
    for _ in range(_POLISH):
        G, Gu = terms(k, idx, method)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.clip(G / Gu, -1e-6, 1e-6)
        k = np.where(np.isfinite(step), k * np.exp(-step), k)
    return k


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
    if Tu.size * 8 > la.size:
        return mid
    nodes = np.linspace(a, b, nodes_count)
    kn = np.exp(nodes)
    f1 = fun.evaluate(kn, method, names=("df1",))["df1"]
    guess = mid.copy()
    order = np.argsort(inverse, kind="stable")
    groups = np.split(order, np.cumsum(np.bincount(inverse))[:-1])
    for t, members in zip(Tu, groups, strict=True):  # one pass per distinct T
        lam_nodes = np.maximum.accumulate(np.maximum(kn * (1.0 - f1 / t), 0.0))
        target = la[members]
        pos = np.clip(np.searchsorted(lam_nodes, target), 1, nodes_count - 1)
        l0, l1 = lam_nodes[pos - 1], lam_nodes[pos]
        with np.errstate(divide="ignore", invalid="ignore"):
            w = np.clip(np.where(l1 > l0, (target - l0) / (l1 - l0), 1.0), 0.0, 1.0)
        guess[members] = nodes[pos - 1] + w * (nodes[1] - nodes[0])
    return np.clip(guess, u_lo, u_hi)
