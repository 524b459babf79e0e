#!/usr/bin/env python
r"""Benchmark the Monte-Carlo simulator against numpy's matmul and against the old simulator.

Run from the repository root: ``PYTHONPATH=. python benchmarks/bench_simulate.py`` (``--quick``
for fewer repetitions).  Nothing about times is asserted; every ratio is of times measured in
this run (medians of ``--repeat`` runs, default 3, runs of the old and new simulators
alternate).

* **matmul rate**: ``np.matmul`` of two 2000 x 2000 matrices and a batched Gram matrix
  ``X'X`` of shape (20, 1000, 300), with one BLAS thread (the simulator's setting) and with two.
* **chains**: for each chain (under- and over-parameterised least-squares generators, one
  design shared by every generator, ridge generators; ``d`` from 100 to 1000) the time of
  ``sc.simulate`` with ``method="fast"`` (the default, exact Bartlett shortcut) and
  ``method="faithful"`` (every design drawn), and of the old simulator
  (``symcollapse/pipeline/simulate.py`` as it was before the rewrite, by default from the first
  parent of the commit that brought the rewrite into this branch; ``--old REF`` picks another git
  reference).  The old file is read with ``git show`` and run on the same pipeline in this process
  by ``benchmarks/_old_code.py``, its imports pointed at shims of the modules that hold that code
  now (e.g. ``..simulate`` at ``symcollapse/simulation/monte_carlo.py``).  Achieved GFLOP/s is
  the chain's *essential* work done the faithful way
  (:func:`symcollapse.simulation.pipeline_simulation.essential_flops`: Gram matrices as symmetric
  updates, Cholesky factorisations, solves, labels; normal draws not counted) divided by the time;
  "of matmul" divides it by the one-thread matmul rate measured above.  The fast method does much
  less than that work, so its "achieved" rate is an equivalent rate and may exceed 1x matmul.
  The speed-up is old time / new time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np
from _old_code import git, load
from threadpoolctl import threadpool_limits

import symcollapse as sc
from symcollapse.simulation.pipeline_simulation import essential_flops

OLD_PATH = "symcollapse/pipeline/simulate.py"  # the old simulator's file
OLD_PACKAGE = "_old_symcollapse_simulate"

CHAINS = [
    (
        "under-param. LS gens (reference)",
        300,
        dict(T=1000, lam=1e-3, n=5, T0=600, sigma=0.1, sigma0=0.2),
        100,
    ),
    ("over-param. LS gens", 300, dict(T=200, lam=1e-2, n=3, T0=200, sigma=0.1, sigma0=0.2), 100),
    ("same design", 300, dict(T=1000, lam=1e-3, n=5, T0=600, sigma=0.1, sigma0=0.2, design="same"), 100),
    ("ridge gens lam0=1e-2", 300, dict(T=1000, lam=1e-3, n=3, T0=600, sigma=0.1, sigma0=0.2, lam0=1e-2), 100),
    ("under-param. LS gens", 100, dict(T=400, lam=1e-3, n=5, T0=200, sigma=0.1, sigma0=0.2), 200),
    ("under-param. LS gens", 1000, dict(T=3000, lam=1e-3, n=2, T0=2000, sigma=0.1, sigma0=0.2), 6),
    ("over-param. LS gens", 1000, dict(T=500, lam=1e-2, n=2, T0=700, sigma=0.1, sigma0=0.2), 6),
]


def _median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def default_old_ref() -> str:
    """The old simulator: the first parent of the commit that brought ``method="faithful"`` (the
    rewrite) into ``symcollapse/pipeline/simulate.py`` on this branch's first-parent history."""
    rewrites = git("log", "--first-parent", "--reverse", "-Sfaithful", "--format=%H", "--", OLD_PATH).split()
    if not rewrites:
        raise SystemExit(f"cannot find the commit that rewrote {OLD_PATH}; pass --old REF")
    return git("rev-parse", "--short", f"{rewrites[0]}^1").strip()


def load_old(ref: str):
    """The simulator module of git reference ``ref``, executed as ``_old_symcollapse_simulate.
    pipeline.simulate`` (``_old_code.load``: its imports of other modules go to shims of the
    current package; the current package is not modified)."""
    return load(ref, [OLD_PATH], OLD_PACKAGE)[OLD_PATH]


def matmul_rates(repeat: int) -> dict[str, float]:
    rng = np.random.default_rng(0)
    A, Bm = rng.standard_normal((2000, 2000)), rng.standard_normal((2000, 2000))
    X = rng.standard_normal((20, 1000, 300))
    out = {}
    for threads in (1, 2):
        with threadpool_limits(threads, "blas"):
            t = _median_time(lambda: A @ Bm, repeat)
            out[f"gemm 2000^3, {threads} thread(s)"] = 2 * 2000**3 / t / 1e9
            t = _median_time(lambda: np.matmul(np.swapaxes(X, 1, 2), X), repeat)
            out[f"batched X'X (20,1000,300), {threads} thread(s)"] = 2 * 20 * 1000 * 300**2 / t / 1e9
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("--quick", action="store_true", help="a quarter of the repetitions")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument(
        "--old",
        default=None,
        help="git reference of the old simulator (default: the last revision of "
        "symcollapse/pipeline/simulate.py before the rewrite)",
    )
    ap.add_argument("--no-old", action="store_true", help="skip the old simulator")
    args = ap.parse_args(argv)
    rates = matmul_rates(args.repeat)
    print("matmul reference (GFLOP/s):")
    for k, v in rates.items():
        print(f"  {k:45s} {v:7.1f}")
    ref = rates["gemm 2000^3, 1 thread(s)"]
    old = None
    if not args.no_old:
        old_ref = args.old or default_old_ref()
        old = load_old(old_ref)
        print(f"\nold simulator: git {old_ref}:{OLD_PATH}")
    print(
        f"\nchains (time = median of {args.repeat}; GFLOP/s on the essential faithful work; "
        f"'of mm' = / {ref:.1f}):"
    )
    head = (
        f"{'chain':38s} {'d':>5s} {'reps':>5s} {'method':>9s} {'time s':>8s} {'GFLOP/s':>8s} "
        f"{'of mm':>6s} {'old s':>8s} {'speed-up':>8s}"
    )
    print(head)
    print("-" * len(head))
    for label, d, kw, reps in CHAINS:
        reps = max(4, reps // 4) if args.quick else reps
        e, w = sc.power_law(d, 2.0, 0.375)
        pipe = sc.workflows.replace(
            **{
                k: (sc.per_generation([v] * kw["n"]) if k in ("T0", "sigma0", "lam0") else v)
                for k, v in kw.items()
            }
        )
        flops = reps * essential_flops(pipe, d)
        times = {m: [] for m in ("fast", "faithful", "old")}
        for _ in range(args.repeat):
            for m in ("fast", "faithful"):
                t = time.perf_counter()
                sc.simulate(e, w, reps=reps, seed=1, method=m, **kw)
                times[m].append(time.perf_counter() - t)
            if old is not None:
                t = time.perf_counter()
                old.simulate_pipeline(pipe, e, w, reps=reps, seed=1)
                times["old"].append(time.perf_counter() - t)
        t_old = statistics.median(times["old"]) if old is not None else float("nan")
        for m in ("fast", "faithful"):
            t = statistics.median(times[m])
            rate = flops / t / 1e9
            print(
                f"{label:38s} {d:5d} {reps:5d} {m:>9s} {t:8.3f} {rate:8.1f} {rate / ref:6.2f} "
                f"{t_old:8.3f} {t_old / t:7.1f}x"
            )
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
