#!/usr/bin/env python
r"""Benchmark ``Formula.evaluate`` (lambdified, vectorized) against naive per-point evaluation.

Two formulas of the catalogue, each on a grid, against two naive baselines measured in the same
run on a random subsample of grid points and extrapolated to the whole grid:

* ``theorem_4_1_exact`` (closed form) on a 1000 x 1000 grid of (T, n): baseline 1 is SymPy
  ``expr.subs(values).evalf()`` per point (what one gets without lambdify), baseline 2 a Python
  loop of scalar ``evaluate`` calls;
* ``rho_general`` (eq. 18, spectral sums, kappa and kappa0 solved from lam, T, T0) on a 100 x 100
  grid of (T, lam) at d = 1000 (power law): baseline a loop of scalar ``evaluate`` calls.

The vectorized and naive values must agree to 1e-10 (exit status 1 otherwise).

Run:  python benchmarks/bench_evaluate.py   [--quick] [--seed N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

_ROOT = Path(__file__).resolve().parents[1]
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

import symcollapse as sc  # noqa: E402
from symcollapse.symbolic import symbols as S  # noqa: E402


def _best(fn, repeats):
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="smaller naive subsamples, one repeat")
    p.add_argument("--seed", type=int, default=0, help="seed of the naive subsamples")
    args = p.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    repeats, sub = (1, 20) if args.quick else (3, 200)
    ok = True

    f = sc.formula("theorem_4_1_exact")
    T = np.linspace(200, 1e5, 1000)[:, None]
    n = np.arange(1000.0)[None, :]
    fixed = dict(d=100, T0=400, sigma=1.0, sigma0=0.5, lam=0)
    f.evaluate(T=300, n=1, **fixed)  # warm-up (lambdify)
    fast_t, fast = _best(lambda: f.evaluate(T=T, n=n, **fixed), repeats)
    TT, NN = np.broadcast_arrays(T, n)
    idx = rng.choice(TT.size, sub, replace=False)
    syms = {S.d: 100, S.T0: 400, S.sigma: 1.0, S.sigma0: 0.5}
    start = time.perf_counter()
    subs = [float(f.expr.subs({**syms, S.T: TT.flat[i], S.n: NN.flat[i]}).evalf()) for i in idx]
    subs_t = (time.perf_counter() - start) / sub * TT.size
    start = time.perf_counter()
    loop = [float(f.evaluate(T=TT.flat[i], n=NN.flat[i], **fixed)) for i in idx]
    loop_t = (time.perf_counter() - start) / sub * TT.size
    rel = max(
        np.max(np.abs(np.array(subs) / fast.flat[idx] - 1)),
        np.max(np.abs(np.array(loop) / fast.flat[idx] - 1)),
    )
    ok &= rel < 1e-10
    print(f"theorem_4_1_exact, {TT.size:,} points")
    print(f"  evaluate (vectorized): {fast_t:.4f} s")
    print(f"  subs/evalf loop:       {subs_t:.1f} s  (ratio {subs_t / fast_t:,.0f}x)")
    print(
        f"  scalar evaluate loop:  {loop_t:.1f} s  (ratio {loop_t / fast_t:,.0f}x); "
        f"max relative difference {rel:.1e}"
    )

    g = sc.formula("rho_general")
    eigs, w0 = sc.power_law(1000, 2.0, 0.375)
    T = np.logspace(1, 5, 100)[:, None]
    lam = np.logspace(-6, 1, 100)[None, :]
    g.evaluate(eigenvalues=eigs, T=100.0, lam=1e-3, T0=600)  # warm-up
    fast_t, fast = _best(lambda: g.evaluate(eigenvalues=eigs, T=T, lam=lam, T0=600), repeats)
    TT, LL = np.broadcast_arrays(T, lam)
    idx = rng.choice(TT.size, sub // 2, replace=False)
    start = time.perf_counter()
    loop = [float(g.evaluate(eigenvalues=eigs, T=TT.flat[i], lam=LL.flat[i], T0=600)) for i in idx]
    loop_t = (time.perf_counter() - start) / idx.size * TT.size
    rel = np.max(np.abs(np.array(loop) / fast.flat[idx] - 1))
    ok &= rel < 1e-10
    print(f"rho_general (eq. 18), d = 1000, {TT.size:,} points")
    print(f"  evaluate (vectorized): {fast_t:.3f} s")
    print(
        f"  scalar evaluate loop:  {loop_t:.1f} s  (ratio {loop_t / fast_t:,.0f}x); "
        f"max relative difference {rel:.1e}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
