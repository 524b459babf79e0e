r"""``simulate``: Monte-Carlo of the actual fake-data chain (SPEC section 4, App. D.1).

Nothing here uses the theory: the simulator draws Gaussian designs in the eigenbasis of
:math:`\Sigma`, labels them, fits each generator by least squares (minimum-norm when
:math:`T_0<d`), fits the downstream ridge, and measures the exact excess risk
:math:`\|\hat w^{pred}_n-w_0\|_\Sigma^2` (equivalent to a clean test set of infinite size).

.. code-block:: text

    w = w0
    for m in range(n):                     # X_m fresh, or X_0 reused when design="same"
        w = pinv(X_m) @ (X_m @ w + sigma0[m] * noise)      # X_m has T0[m] rows
        # (lam0[m] > 0: w = argmin (1/T0)||X_m v - Ybar||^2 + lam0[m] ||v||^2, a ridge generator)
    X = draw(T); Y = X @ w + sigma * noise
    w_pred = argmin (1/T)||X v - Y||^2 + lam ||v||^2      (min-norm least squares if lam = 0)
    err = (w_pred - w0)' Sigma (w_pred - w0)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike
from threadpoolctl import threadpool_limits

from . import _validation as V

__all__ = ["simulate", "SimulationResult"]

_BATCH_BYTES = 48 * 2**20


@dataclass(frozen=True)
class SimulationResult:
    """Monte-Carlo estimate: ``mean`` of the test error, its ``stderr``, and the ``samples``."""

    mean: float
    stderr: float
    samples: np.ndarray = field(repr=False)
    settings: dict = field(default_factory=dict, repr=False)

    @property
    def reps(self) -> int:
        return int(self.samples.size)


def _lstsq_min_norm(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Batched least squares, minimum-norm when rows < columns (``pinv(X) @ y``), via QR."""
    rows, cols = X.shape[-2:]
    if rows >= cols:
        Q, R = np.linalg.qr(X)                                   # (B,rows,cols), (B,cols,cols)
        rhs = np.einsum("btd,bt->bd", Q, y)
        return np.linalg.solve(R, rhs[..., None])[..., 0]
    Q, R = np.linalg.qr(np.swapaxes(X, -1, -2))                  # X' = Q R: (B,cols,rows), (B,rows,rows)
    z = np.linalg.solve(np.swapaxes(R, -1, -2), y[..., None])    # R' z = y
    return np.einsum("bdt,bt->bd", Q, z[..., 0])


def _ridge(X: np.ndarray, Y: np.ndarray, lam: float) -> np.ndarray:
    """Batched ridge ``argmin (1/T)||Xv - Y||^2 + lam ||v||^2`` (primal or dual form)."""
    if lam == 0:
        return _lstsq_min_norm(X, Y)
    T, d = X.shape[-2:]
    if T >= d:
        A = np.einsum("btd,bte->bde", X, X) / T + lam * np.eye(d)
        rhs = np.einsum("btd,bt->bd", X, Y) / T
        return np.linalg.solve(A, rhs[..., None])[..., 0]
    G = np.einsum("btd,bsd->bts", X, X) / T + lam * np.eye(T)
    alpha = np.linalg.solve(G, Y[..., None])[..., 0]
    return np.einsum("btd,bt->bd", X, alpha) / T


def _scalar_count(value, name: str, minimum: int) -> int:
    arr = V.count(value, name, minimum=minimum)
    if arr.ndim != 0:
        raise ValueError(f"{name} must be a scalar for simulate, got shape {arr.shape}")
    return int(arr)


def _scalar(value, name: str) -> float:
    arr = V.nonnegative(value, name)
    if arr.ndim != 0:
        raise ValueError(f"{name} must be a scalar for simulate, got shape {arr.shape}")
    return float(arr)


def _counts(arr: np.ndarray, name: str) -> None:
    bad = (arr != np.round(arr)) | (arr < 1)
    if np.any(bad):
        raise ValueError(f"{name} must be an integer >= 1 (a sample size) for every generator, "
                         f"got {name} = {arr.tolist()}")


def _nonnegative_each(arr: np.ndarray, name: str) -> None:
    if np.any(arr < 0):
        raise ValueError(f"{name} must be >= 0 for every generator, got {name} = {arr.tolist()}")


def simulate(eigenvalues: ArrayLike, w0: ArrayLike | None = None, *, T: int, lam: float = 0.0, n: int = 0,
             T0: int | ArrayLike | None = None, sigma: float = 0.0,
             sigma0: float | ArrayLike = 0.0, design: str = "independent", reps: int = 100,
             seed: int | np.random.Generator | None = None,
             lam0: float | ArrayLike = 0.0) -> SimulationResult:
    """Monte-Carlo of the chain for one setting.

    ``T``, ``T0`` are integer sample sizes (``T0`` required when ``n > 0``; any ``T0 >= 1``,
    minimum-norm generators when ``T0 < d``), ``lam >= 0`` the downstream ridge (per-sample
    normalised), ``design`` ``"independent"`` (fresh ``X_m``) or ``"same"`` (``X_0`` reused),
    ``reps >= 2`` repetitions, ``seed`` an int, ``None`` or a ``numpy.random.Generator``.

    ``T0`` and ``sigma0`` may also be per-generation schedules: a 1-D sequence of length ``n``
    (list, tuple, array or :func:`~symcollapse.per_generation`), generator ``m`` (m = 0..n-1)
    being fitted on ``T0[m]`` samples with label noise ``sigma0[m]``.  ``design="same"`` reuses
    one design, so it needs the same ``T0`` for every generator (``sigma0`` may still vary).
    ``lam0 >= 0`` is the generators' ridge (per-sample normalised, like ``lam``; ``0`` =
    least squares), a number or a per-generation schedule of length ``n``.
    The other parameters are scalars.
    """
    eigs, coefs = V.spectrum_arrays(eigenvalues, w0)
    d = eigs.size
    T = _scalar_count(T, "T", 1)
    n = _scalar_count(n, "n", 0)
    lam, sigma = _scalar(lam, "lam"), _scalar(sigma, "sigma")
    sigma0s = V.per_generation(sigma0, "sigma0", n, _nonnegative_each)
    lam0s = V.per_generation(lam0, "lam0", n, _nonnegative_each)
    V.design(design)
    reps = _scalar_count(reps, "reps", 2)
    T0s: tuple = ()
    if n > 0 and T0 is None:
        raise ValueError("T0 is required when n > 0 (the sample size of each generator)")
    if T0 is not None and (n > 0 or np.ndim(T0) > 0):   # a scalar T0 is unused when n = 0
        T0s = tuple(int(t) for t in V.per_generation(T0, "T0", n, _counts))
        V.one_design(T0s, design)
    rng = V.generator(seed)

    # Many small batched factorisations: one BLAS thread is much faster than a pool fighting
    # over the cores (measured: 0.24 s against 83 s on a loaded 2-core machine).
    with threadpool_limits(limits=1, user_api="blas"):
        samples = _run_chain(rng, eigs, coefs, T=T, lam=lam, T0s=T0s, sigma=sigma,
                             sigma0s=sigma0s, design=design, reps=reps, lam0s=lam0s)
    settings = dict(d=d, T=T, lam=lam, n=n, T0=_setting(T0, T0s, convert=lambda x: x),
                    sigma=sigma, sigma0=_setting(sigma0, sigma0s), design=design, reps=reps,
                    lam0=_setting(lam0, lam0s))
    return SimulationResult(mean=float(samples.mean()),
                            stderr=float(samples.std(ddof=1) / np.sqrt(reps)),
                            samples=samples, settings=settings)


def _setting(given, values: tuple, convert=float):
    """How a generator parameter is recorded: a scalar as a number, a schedule as a tuple."""
    if given is None:
        return None
    if np.ndim(given) > 0:
        return values
    return values[0] if values else convert(given)


def _run_chain(rng, eigs, coefs, *, T, lam, T0s, sigma, sigma0s, design, reps,
               lam0s) -> np.ndarray:
    """The repetitions of the chain, in memory-bounded batches; returns the test errors.

    Generator ``m`` (m = 0..len(T0s)-1) is fitted on ``T0s[m]`` samples with noise ``sigma0s[m]``.
    """
    d = eigs.size
    sqrt_eigs = np.sqrt(eigs)
    rows = max(T, max(T0s, default=0), d)
    batch = int(max(1, min(reps, _BATCH_BYTES // (8 * rows * max(d, 1) * 3))))
    samples = np.empty(reps)
    for start in range(0, reps, batch):
        B = min(batch, reps - start)
        w = np.broadcast_to(coefs, (B, d)).copy()
        X0 = (rng.standard_normal((B, T0s[0], d)) * sqrt_eigs
              if (T0s and design == "same") else None)
        for t0, s0, l0 in zip(T0s, sigma0s, lam0s, strict=True):
            X = X0 if X0 is not None else rng.standard_normal((B, t0, d)) * sqrt_eigs
            y = np.einsum("btd,bd->bt", X, w) + s0 * rng.standard_normal((B, t0))
            w = _ridge(X, y, l0)
        X = rng.standard_normal((B, T, d)) * sqrt_eigs
        Y = np.einsum("btd,bd->bt", X, w) + sigma * rng.standard_normal((B, T))
        w_pred = _ridge(X, Y, lam)
        samples[start:start + B] = ((w_pred - coefs) ** 2 * eigs).sum(axis=1)
    return samples
