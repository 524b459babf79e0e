#!/usr/bin/env python
r"""Benchmark ``predict(..., lam0=...)`` (ridge-generator chains) against a naive per-point loop.

Problem: power law ``lambda_k = k**-2``, ``r = 0.375`` (``sc.power_law(d, 2, 0.375)``), ``d = 2000``;
a 60 x 60 grid of ``T`` (log-spaced, 50 to 1e5) and ``lam`` (log-spaced, 1e-6 to 1);
``n = 4`` ridge generators with ``T0 = 800``, ``lam0 = 1e-2``, ``sigma = sigma0 = 0.5``.

Baseline ("naive"), measured in the same run: the kernel-chain recursion typed with scalar NumPy, one grid
point at a time: ``kappa0`` and ``kappa`` by scalar ``scipy.optimize.brentq``, then ``n`` steps of
``mu <- M0 mu``, ``s <- M0^2 s + [g0 sum (mu^2 + s)/(l + kappa0)^2 + sigma0^2/(T0 - df2)] M0^2``
(function space) and the downstream error; timed on a random subsample of points and extrapolated.
Fast path: one ``sc.predict`` call on the whole grid (kappa0 solved once, the generator chain
collapsed once, the downstream kappa vectorized), best of 3.  The two must agree to 1e-9
(exit status 1 otherwise).

Run:  python benchmarks/bench_ridge_chain.py   [--quick] [--seed N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from scipy.optimize import brentq

_ROOT = Path(__file__).resolve().parents[1]
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

import symcollapse as sc  # noqa: E402

D, N_GRID, N, T0, LAM0, SIGMA, SIGMA0 = 2000, 60, 4, 800, 1e-2, 0.5, 0.5


def _kappa(l, lam, size):
    f = lambda k: k - lam - k * np.sum(l / (l + k)) / size  # noqa: E731
    lo = lam if size >= l.size else max(lam, l.min() * (l.size - size) / (2 * size))
    return brentq(f, lo, lam + l.sum() / size, xtol=1e-300, rtol=4 * np.finfo(float).eps)


def naive_point(l, a, T, lam):
    k0 = _kappa(l, LAM0, T0)
    M0 = l / (l + k0)
    D0 = T0 - np.sum(M0**2)
    g0 = k0**2 / D0
    mu, s = a.copy(), np.zeros_like(a)
    for _ in range(N):
        s = M0**2 * s + (g0 * np.sum((mu**2 + s) / (l + k0) ** 2) + SIGMA0**2 / D0) * M0**2
        mu = M0 * mu
    k = _kappa(l, lam, T)
    M = l / (l + k)
    df2 = np.sum(M**2)
    W = M**2 + (k**2 * df2 / (T - df2)) / (l + k) ** 2
    return np.sum(W * mu**2 - 2 * a * M * mu + a**2) + np.sum(W * s) + SIGMA**2 * df2 / (T - df2)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="smaller naive subsample, one repeat")
    p.add_argument("--seed", type=int, default=0, help="seed of the naive subsample")
    args = p.parse_args(argv)
    eigs, w0 = sc.power_law(D, 2.0, 0.375)
    a = w0 * np.sqrt(eigs)  # function-space coefficients
    T = np.logspace(np.log10(50), 5, N_GRID)[:, None]
    lam = np.logspace(-6, 0, N_GRID)[None, :]
    kw = dict(n=N, T0=T0, sigma=SIGMA, sigma0=SIGMA0, lam0=LAM0)
    sc.predict(eigs, w0, T=100.0, lam=1e-3, **kw)  # warm-up: the one-time SymPy derivations
    best = np.inf
    for _ in range(1 if args.quick else 3):
        start = time.perf_counter()
        fast = sc.predict(eigs, w0, T=T, lam=lam, **kw).test_error
        best = min(best, time.perf_counter() - start)
    rng = np.random.default_rng(args.seed)
    idx = rng.choice(N_GRID * N_GRID, 20 if args.quick else 100, replace=False)
    TT, LL = np.broadcast_arrays(T, lam)
    start = time.perf_counter()
    naive = [naive_point(eigs, a, TT.flat[i], LL.flat[i]) for i in idx]
    per_point = (time.perf_counter() - start) / idx.size
    naive_total = per_point * N_GRID * N_GRID
    rel = np.max(np.abs(np.array(naive) / fast.ravel()[idx] - 1))
    print(
        f"d = {D}, n = {N} ridge generators (T0 = {T0}, lam0 = {LAM0:g}), {N_GRID} x {N_GRID} (T, lam) grid"
    )
    print(
        f"naive loop: {naive_total:.2f} s (extrapolated from {idx.size} points, "
        f"{1e3 * per_point:.2f} ms each)"
    )
    print(f"predict:    {best:.3f} s (best of {1 if args.quick else 3})")
    print(f"ratio:      {naive_total / best:.0f}x;  max relative difference {rel:.1e}")
    return 0 if rel < 1e-9 else 1


if __name__ == "__main__":
    sys.exit(main())
