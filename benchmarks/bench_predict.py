#!/usr/bin/env python
r"""Benchmark ``symcollapse.predict`` on a 200 x 200 (T, lam) grid against a naive per-point loop.

Problem (power law, eq. 24 of the paper): eigenvalues ``lambda_k = k**-2`` and coefficients
``c_k = k**-0.25`` (``sc.power_law(d, beta=2, r=0.375)``) for ``d = 1000`` and ``d = 100000``;
``T`` log-spaced from 10 to 1e5 (a column), ``lam`` log-spaced from 1e-6 to 10 (a row);
``n = 1``, ``T0 = 2 d + 10`` (>= d + 2), ``sigma = sigma0 = 1``.

Baseline ("naive"), measured in the same run: a Python loop over grid points, each doing a scalar
``scipy.optimize.brentq`` solve of ``kappa - lam - kappa * sum(l / (l + kappa)) / T = 0`` on the
bracket ``[max(lam, lmin (d - T) / (2 T)) if T < d else lam, lam + sum(l) / T]`` (``kappa = 0``
when ``lam == 0`` and ``T >= d``), then direct NumPy sums for bias, variance and the collapse
term.  The loop is timed on a deterministic random subsample of grid points and extrapolated
linearly to the full grid.

Fast path: ``sc.predict`` on the whole grid at once, timed cold (``symcollapse.numeric.spectral._CACHE``
cleared and a fresh copy of the spectrum before each run, so no Chebyshev panels are reused) and
warm (the same spectrum again, panels cached); best of a few repeats.  The one-time SymPy
derivation of the catalogue formulas is done by a warm-up call before any timing and is reported
separately.

Run:  ``python benchmarks/bench_predict.py``  (``--quick`` for a smoke run; ``--help``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from scipy.optimize import brentq

# Benchmark the checkout this file lives in (not some other installed copy).
_ROOT = Path(__file__).resolve().parents[1]
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

import symcollapse as sc  # noqa: E402
from symcollapse.numeric import spectral as _spectral  # noqa: E402 (the spectrum cache _CACHE)
from symcollapse.numeric.kappa import EXACT_BUDGET  # noqa: E402 (predict's "auto" budget)

N_T = N_LAM = 200
BETA, R = 2.0, 0.375  # lambda_k = k**-2, c_k = k**-(1 + beta (2r - 1))/2 = k**-0.25
N_GEN, SIGMA, SIGMA0 = 1, 1.0, 1.0
EPS = np.finfo(float).eps
#: naive kappa and fast kappa must agree to this relative tolerance (else exit status 1)
KAPPA_RTOL = 1e-10
#: naive and fast test_error must agree to this relative tolerance (else exit status 1)
ERROR_RTOL = 1e-9


def grid():
    T = np.logspace(1, 5, N_T)[:, None]  # column
    lam = np.logspace(-6, 1, N_LAM)[None, :]  # row
    return T, lam


def T0_for(d: int) -> float:
    return 2.0 * d + 10.0


# ---------------------------------------------------------------------------- naive baseline
def naive_point(l, c2l, lmin, trace, d, T, lam, T0, n=N_GEN, sigma=SIGMA, sigma0=SIGMA0):
    """(test_error, kappa) at one grid point: scalar brentq for kappa, then direct sums."""
    if lam == 0.0 and T >= d:
        # ridgeless, under-parameterised: kappa = 0 and the exact Theorem 4.1
        variance = sigma**2 * d / (T - d - 1)
        rho = d / (T0 - d - 1)
        return variance + n * sigma0**2 * rho, 0.0
    lo = max(lam, lmin * (d - T) / (2.0 * T)) if T < d else lam
    hi = lam + trace / T

    def h(k):
        return k - lam - k * np.sum(l / (l + k)) / T

    kappa = brentq(h, lo, hi, xtol=1e-300, rtol=4 * EPS, maxiter=1000)
    denom = l + kappa
    inv2 = 1.0 / (denom * denom)
    df2 = np.sum(l * l * inv2)
    bias = kappa**2 * np.sum(c2l * inv2) / (1.0 - df2 / T)
    variance = sigma**2 * df2 / (T - df2)
    rho = (df2 + kappa**2 * np.sum(inv2) * df2 / (T - df2)) / (T0 - d - 1)
    return bias + variance + n * sigma0**2 * rho, kappa


def run_naive(eigs, coefs, T, lam, T0, flat_idx):
    """Naive loop over the grid points ``flat_idx`` (row-major in the (T, lam) grid)."""
    d = eigs.size
    c2l = coefs**2 * eigs  # per-spectrum constants, hoisted out of the loop
    lmin, trace = float(eigs.min()), float(eigs.sum())
    Tf, lf = T[:, 0], lam[0, :]
    err = np.empty(flat_idx.size)
    kap = np.empty(flat_idx.size)
    t0 = time.perf_counter()
    for j, f in enumerate(flat_idx):
        i_T, i_l = divmod(int(f), N_LAM)
        err[j], kap[j] = naive_point(eigs, c2l, lmin, trace, d, float(Tf[i_T]), float(lf[i_l]), T0)
    return time.perf_counter() - t0, err, kap


# ---------------------------------------------------------------------------- fast path
def _call(eigs, coefs, T, lam, T0, method):
    return sc.predict(eigs, coefs, T=T, lam=lam, n=N_GEN, T0=T0, sigma=SIGMA, sigma0=SIGMA0, method=method)


def run_fast(eigs, coefs, T, lam, T0, method, repeats):
    """Best-of-``repeats`` cold and warm wall times of one full-grid ``predict`` call."""
    cold = np.inf
    out = None
    for _ in range(repeats):
        _spectral._CACHE.clear()
        e, c = eigs.copy(), coefs.copy()  # a fresh spectrum object
        t0 = time.perf_counter()
        out = _call(e, c, T, lam, T0, method)
        cold = min(cold, time.perf_counter() - t0)
    warm = np.inf
    for _ in range(repeats):  # cache now holds this spectrum's panels
        t0 = time.perf_counter()
        out = _call(eigs, coefs, T, lam, T0, method)
        warm = min(warm, time.perf_counter() - t0)
    return cold, warm, out


def resolved_method(method: str, d: int) -> str:
    if method != "auto":
        return method
    return "exact" if N_T * N_LAM * d <= EXACT_BUDGET else "table"


def max_rel(a, b):
    return float(np.max(np.abs(a - b) / np.abs(b)))


# ---------------------------------------------------------------------------- main
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smoke run: smaller naive subsamples and one repeat")
    ap.add_argument("--seed", type=int, default=20240601, help="seed of the naive subsample")
    ap.add_argument(
        "--exact",
        action="store_true",
        help="also time method='exact' (slow: ~10 s per call at d=1000, and not run at d=100000)",
    )
    args = ap.parse_args(argv)

    dims = (1000, 100_000)
    if args.quick:
        subsample = {1000: 400, 100_000: 40}
        repeats = 1
    else:
        subsample = {1000: 4000, 100_000: 1000}
        repeats = 3
    methods = ["table", "auto"] + (["exact"] if args.exact else [])
    T, lam = grid()
    n_grid = N_T * N_LAM

    print(f"symcollapse {sc.__version__} from {Path(sc.__file__).parent}")
    print(f"numpy {np.__version__}, python {sys.version.split()[0]}")
    print(
        f"grid: {N_T} x {N_LAM} = {n_grid} points; T in [1e1, 1e5] (log), lam in [1e-6, 1e1] "
        f"(log); n={N_GEN}, T0=2d+10, sigma=sigma0=1; lambda_k=k^-2, c_k=k^-0.25"
    )

    # one-time SymPy derivation / lambdification of the catalogue formulas (not per spectrum)
    e_w, c_w = sc.power_law(20, BETA, R)
    t0 = time.perf_counter()
    _call(e_w, c_w, np.array([[30.0]]), np.array([[0.1]]), T0_for(20), "exact")
    print(
        f"one-time formula derivation (first predict call of the process, excluded below): "
        f"{time.perf_counter() - t0:.2f} s"
    )
    print(
        f"fast timings: best of {repeats}; naive: extrapolated linearly from a random "
        f"subsample (seed {args.seed})"
    )
    print()

    rows = []
    failed = False
    rng = np.random.default_rng(args.seed)
    for d in dims:
        eigs, coefs = sc.power_law(d, BETA, R)
        T0 = T0_for(d)
        m = subsample[d]
        idx = np.sort(rng.choice(n_grid, size=m, replace=False))
        t_naive_sub, err_n, kap_n = run_naive(eigs, coefs, T, lam, T0, idx)
        t_naive = t_naive_sub * n_grid / m
        print(
            f"d={d}: naive loop {t_naive_sub:.2f} s on {m} points "
            f"({1e3 * t_naive_sub / m:.3f} ms/point) -> extrapolated to {n_grid} points: "
            f"{t_naive:.1f} s"
        )
        for method in methods:
            if method == "exact" and d > 10_000:
                continue
            cold, warm, out = run_fast(eigs, coefs, T, lam, T0, method, repeats)
            err_f = out.test_error.reshape(-1)[idx]
            kap_f = out.kappa.reshape(-1)[idx]
            rel_err, rel_kap = max_rel(err_f, err_n), max_rel(kap_f, kap_n)
            ok = rel_err <= ERROR_RTOL and rel_kap <= KAPPA_RTOL
            failed |= not ok
            rows.append(
                (
                    d,
                    f"{method}->{resolved_method(method, d)}",
                    m,
                    t_naive,
                    cold,
                    warm,
                    t_naive / cold,
                    t_naive / warm,
                    rel_err,
                    rel_kap,
                    "ok" if ok else "FAIL",
                )
            )
    print()

    head = (
        "d",
        "method",
        "naive pts",
        "naive s*",
        "cold s",
        "warm s",
        "ratio cold",
        "ratio warm",
        "max rel err",
        "max rel kappa",
        "check",
    )
    fmt = "{:>7} {:>12} {:>9} {:>9} {:>8} {:>8} {:>10} {:>10} {:>11} {:>13} {:>5}"
    print(fmt.format(*head))
    for d, meth, m, tn, tc, tw, rc, rw, re, rk, chk in rows:
        print(
            fmt.format(
                d,
                meth,
                m,
                f"{tn:.2f}",
                f"{tc:.3f}",
                f"{tw:.3f}",
                f"{rc:.1f}x",
                f"{rw:.1f}x",
                f"{re:.1e}",
                f"{rk:.1e}",
                chk,
            )
        )
    print()
    print(
        f"* naive s = naive loop time extrapolated linearly from 'naive pts' random grid points "
        f"to all {n_grid} points."
    )
    print(
        "  ratio = naive s / fast s; max rel err / max rel kappa = largest |fast - naive| / "
        "|naive| of test_error / kappa over the naive points."
    )
    print(f"  check: ok when max rel err <= {ERROR_RTOL:.0e} and max rel kappa <= {KAPPA_RTOL:.0e}.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
