r"""Adaptive regularisation: the ridge that minimises the predicted test error of the chain.

:func:`optimal_lambda` minimises :func:`~symcollapse.predict`'s test error over
:math:`\lambda` in a bounded range of :math:`\log\lambda`, for every point of a parameter grid at
once: a coarse scan on a log grid picks the best bracket, then a golden-section search refines it
(vectorized over the grid; no loop over grid points).

:func:`ridge_recipe` is the practical recipe derived from Corollary 5.2 (eq. 28): the classical
critical ridge with the
sample size replaced by the effective clean sample size :math:`T_0/(n\sigma_0^2)`,

.. math:: \lambda_\star \asymp \Big(\frac{n\sigma_0^2}{T_0}\Big)^{\ell_{crit}},\qquad
          \ell_{crit}=\frac{\beta}{2\beta\min(r,1)+1},

capped below by :math:`T^{-\beta}`.  It fixes the exponent, not the constant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from symcollapse import _validation as V
from symcollapse.numeric._generated import ell_crit
from symcollapse.numeric.prediction import predict
from symcollapse.pipeline.schedule import is_schedule

__all__ = ["optimal_lambda", "OptimalRidge", "ridge_recipe"]

_GOLD = (np.sqrt(5.0) - 1.0) / 2.0


@dataclass(frozen=True)
class OptimalRidge:
    """``lam``: the minimiser; ``test_error``: the predicted error there; ``at_bound``: where the
    minimiser sits on the search range's edge (the true optimum may lie beyond it)."""

    lam: np.ndarray
    test_error: np.ndarray
    at_bound: np.ndarray


def optimal_lambda(
    eigenvalues: ArrayLike,
    w0: ArrayLike | None = None,
    *,
    T: ArrayLike,
    n: ArrayLike = 0,
    T0: ArrayLike | None = None,
    sigma: ArrayLike = 0.0,
    sigma0: ArrayLike = 0.0,
    design: str = "independent",
    lam0: ArrayLike = 0.0,
    bounds: tuple[float, float] = (1e-10, 1e3),
    scan: int = 41,
    rtol: float = 1e-6,
    max_bytes: float | None = None,
) -> OptimalRidge:
    r"""The ridge :math:`\lambda>0` minimising the predicted test error, for every grid point.

    Parameters as in :func:`~symcollapse.predict` (broadcast together; ``T0``, ``sigma0`` and
    ``lam0`` may be :func:`~symcollapse.per_generation` schedules; ``lam`` is the unknown;
    a :class:`~symcollapse.PowerLaw` may replace the pair ``eigenvalues, w0``).
    ``bounds`` is the search range of ``lam`` (``0 < low < high``), ``scan`` the number of points of
    the coarse log grid (``>= 5``), ``rtol`` the relative precision of ``lam``.  The scan's memory
    (about 1 KiB per grid point and scanned ridge) is estimated first and refused above
    ``max_bytes`` (default 4 GiB), with the estimate in the message.
    """
    b_ = V.as_float_array(bounds, "bounds")
    if b_.shape != (2,):
        raise ValueError(f"bounds must be a pair (low, high), got {bounds!r}")
    low, high = (float(x) for x in b_)
    if not 0 < low < high:
        raise ValueError(f"bounds must satisfy 0 < low < high, got {bounds!r}")
    scan_ = V.count(scan, "scan", minimum=5)
    if scan_.ndim:
        raise ValueError(f"scan must be one integer >= 5, got {scan!r}")
    scan = int(scan_)
    rtol_ = V.as_float_array(rtol, "rtol")
    if rtol_.ndim or not 0 < rtol_ < 1:
        raise ValueError(f"rtol must be > 0 and < 1 (one number), got {rtol!r}")
    rtol = max(float(rtol_), 1e-15)
    grids_ = [np.shape(x) for x in (T, n, sigma, sigma0, T0, lam0) if x is not None and not is_schedule(x)]
    points = float(np.prod(np.broadcast_shapes(*grids_), dtype=float))
    V.check_memory(
        points * scan * 1024.0,
        f"optimal_lambda's scan of {scan} ridges at {points:.0f} grid points",
        max_bytes,
    )
    kw: dict[str, Any] = dict(n=n, T0=T0, sigma=sigma, sigma0=sigma0, design=design, lam0=lam0)
    # one schedule convention: a per_generation(...) value is one value per generator, not a grid
    grids = [x for x in (T, n, sigma, sigma0, T0, lam0) if x is not None and not is_schedule(x)]
    shape = np.broadcast_shapes(*(np.shape(x) for x in grids))
    grid = np.linspace(np.log(low), np.log(high), scan)
    Tx = np.asarray(T, dtype=float)[..., None] if np.ndim(T) else T
    expand: dict[str, Any] = {
        k: (np.asarray(v)[..., None] if v is not None and not is_schedule(v) and np.ndim(v) else v)
        for k, v in kw.items()
        if k != "design"
    }
    errors = predict(eigenvalues, w0, T=Tx, lam=np.exp(grid), design=design, **expand).test_error
    errors = np.broadcast_to(errors, shape + (scan,))
    best = np.argmin(errors, axis=-1)
    a = grid[np.clip(best - 1, 0, scan - 1)]
    b = grid[np.clip(best + 1, 0, scan - 1)]
    step = grid[1] - grid[0]

    def err(u: np.ndarray) -> np.ndarray:
        return np.broadcast_to(predict(eigenvalues, w0, T=T, lam=np.exp(u), **kw).test_error, shape)

    c = b - _GOLD * (b - a)
    e_ = a + _GOLD * (b - a)
    fc, fe = err(c), err(e_)
    for _ in range(int(np.ceil(np.log(rtol / (2 * step)) / np.log(_GOLD))) + 1):
        left = fc < fe
        b = np.where(left, e_, b)
        a = np.where(left, a, c)
        c_new = b - _GOLD * (b - a)
        e_new = a + _GOLD * (b - a)
        # reuse the kept interior point, evaluate the new one
        c, e_ = np.where(left, c_new, e_), np.where(left, c, e_new)
        fresh = err(np.where(left, c, e_))
        fc, fe = np.where(left, fresh, fe), np.where(left, fc, fresh)
    u = 0.5 * (a + b)
    lam = np.exp(u)
    at_bound = (best == 0) | (best == scan - 1)
    value = err(u)

    def out(x):
        return x[()] if np.ndim(x) == 0 else x

    return OptimalRidge(lam=out(lam), test_error=out(value), at_bound=out(at_bound))


def ridge_recipe(
    beta: float, r: float, *, n: ArrayLike, sigma0: ArrayLike, T0: ArrayLike, T: ArrayLike | None = None
) -> np.ndarray:
    r""":math:`(n\sigma_0^2/T_0)^{\ell_{crit}}`, capped below by :math:`T^{-\beta}` when ``T`` is given."""
    beta_, r_ = _exponent(beta, "beta"), _exponent(r, "r")
    if not beta_ > 1:
        raise ValueError(f"beta must be > 1 (capacity condition, eq. 23), got {beta}")
    if not r_ > 0:
        raise ValueError(f"r must be > 0 (source condition, eq. 23), got {r}")
    ell = float(ell_crit(beta_, r_))
    noise = V.nonnegative(n, "n") * V.nonnegative(sigma0, "sigma0") ** 2
    if np.any(noise <= 0):
        raise ValueError("the recipe needs n * sigma0**2 > 0 (fake data with noisy generators)")
    lam = (noise / V.sample_size(T0, "T0")) ** ell
    if T is not None:
        lam = np.maximum(lam, V.sample_size(T, "T") ** (-float(beta)))
    return lam[()] if np.ndim(lam) == 0 else lam


def _exponent(value, name: str) -> float:
    """A finite real exponent as a float (``TypeError``/``ValueError`` naming it otherwise)."""
    if isinstance(value, (bool, str)) or np.ndim(value) != 0:
        raise TypeError(f"{name} must be a real number, got {value!r}")
    out = float(value)
    if not np.isfinite(out):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return out
