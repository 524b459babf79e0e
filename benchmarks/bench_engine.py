#!/usr/bin/env python
r"""Benchmark the pipeline engine behind ``sc.predict`` against the implementation it replaced.

Three parts; every time is the median of 3 runs (``time.perf_counter``), and every ratio is of
times measured in this run (nothing about times is asserted).

1. **Grids over generator parameters.**  ``sc.power_law(1000, beta=2, r=0.375)``, ``lam = 1e-3``,
   ``sigma = sigma0 = 0.5`` and a 50 x 50 x 50 grid: ``n = 1..50`` (axis 0), ``T0`` log-spaced
   (axis 1), ``T`` log-spaced from 10 to 1e5 (axis 2), for

   (a) over-parameterised least-squares generators, ``T0`` from 10 to 900, ``lam0 = 0``;
   (b) ridge generators, ``lam0 = 1e-2``, ``T0`` from 10 to 5000;
   (c) under-parameterised least-squares generators, ``T0`` from 1100 to 1e5 (for reference: the
       old code had a closed form, eq. (19), for this path).

   Baseline: the old ``predict`` (one generator chain per (n, T0) configuration, then the
   downstream contraction; ``symcollapse/predict.py`` and ``symcollapse/chain.py`` of the commit
   before the engine landed), run in this process by ``benchmarks/_old_code.py``: the two files
   are read with ``git show`` and executed as the modules ``_old_symcollapse_predict.chain`` and
   ``_old_symcollapse_predict.predict``; their imports are rewritten (``.chain`` to the old chain
   module, every other module of the old package to a shim forwarding to the current module that
   holds its code, e.g. ``.kappa`` to ``symcollapse/numeric/kappa.py``, with the names that moved
   elsewhere taken from their new modules).  Old and new runs alternate.  Printed: old time,
   new time, old/new (the speed-up; < 1 means the engine is slower) and the largest relative
   difference between old and new ``test_error``, ``bias``, ``variance``, ``collapse`` and
   ``kappa`` (exit status 1 if above 1e-10).

2. **Cost in d.**  ``sc.PowerLaw(2, 0.375, d=D)`` for ``D = 1e3, 1e9, None`` on a 200 x 200
   ``(T, lam)`` grid (``T`` log-spaced 10..1e5, ``lam`` log-spaced 1e-6..10), with ``n = 2``
   generators (``T0 = 3000``, ``sigma0 = sigma = 0.5``; under-parameterised at ``D = 1e3``,
   over-parameterised otherwise) and with ``n = 0``.  *cold*: ``symcollapse.numeric.spectral._CACHE``
   cleared before each run (the power law's functionals are rebuilt); *warm*: the functionals
   cached.  Printed: the times and ``t(1e9) / t(1e3)`` (target <= 2).  The old ``predict`` is
   timed where it can run (``n = 0`` at every ``D``; ``n = 2`` only at ``D = 1e3``, since its
   chain needs the ``d`` eigenvalues as one array).

3. **BLAS threads on the chain path.**  Grid (a) with ``threadpoolctl.threadpool_limits(1)`` and
   ``(2)``, and the old code with 1 thread (so that old/new is also shown at equal threads); runs
   alternate.  Parts 1 and 2 run with the process's default BLAS threads (shown in the header).

``--quick``: grids of 16^3 and 60 x 60 (same repeats).  ``--profile``: cProfile the engine (top
functions by own time) on every case where it is slower than the old code or misses the target.
``--old-rev REV``: the commit to take the old implementation from (default: the parent of the
commit that added ``symcollapse/pipeline/engine.py``).  The header shows the machine's load
average and BLAS threads: on a shared machine repeated runs differ by tens of percent.

Run:  python benchmarks/bench_engine.py   [--quick] [--profile] [--old-rev REV]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

_ROOT = Path(__file__).resolve().parents[1]
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from _old_code import git, load  # noqa: E402 (benchmarks/_old_code.py)

import symcollapse as sc  # noqa: E402
from symcollapse.numeric import spectral as _spectral  # noqa: E402 (the spectrum cache _CACHE)

REPEATS = 3
TOL = 1e-10  # old and new must agree to this (relative)
D_GRID = 1000
LAM, SIGMA, SIGMA0 = 1e-3, 0.5, 0.5
CASES = {  # name: (T0 range, lam0, description)
    "a": ((10.0, 900.0), 0.0, "over-parameterised, lam0 = 0"),
    "b": ((10.0, 5000.0), 1e-2, "ridge generators, lam0 = 1e-2"),
    "c": ((1100.0, 1e5), 0.0, "under-parameterised, lam0 = 0"),
}
PL_BETA, PL_R, PL_T0 = 2.0, 0.375, 3000.0
TARGET_D_RATIO = 2.0
OLD_PACKAGE = "_old_symcollapse_predict"


# ----------------------------------------------------------------------------- the old code
def default_old_rev() -> str:
    """The parent of the commit that added the engine."""
    added = git("log", "--diff-filter=A", "--format=%H", "--", "symcollapse/pipeline/engine.py").split()
    if not added:
        raise SystemExit("cannot find the commit that added symcollapse/pipeline/engine.py; pass --old-rev")
    return git("rev-parse", "--short", f"{added[-1]}^").strip()


def load_old_predict(rev: str):
    """Execute ``predict.py`` and ``chain.py`` of ``rev`` as ``_old_symcollapse_predict.{chain,predict}``
    (``_old_code.load``: their imports of other modules go to shims of the current package)."""
    modules = load(rev, ["symcollapse/chain.py", "symcollapse/predict.py"], OLD_PACKAGE)
    return modules["symcollapse/predict.py"].predict


# ----------------------------------------------------------------------------- helpers
def timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def alternate(fns: dict, repeats: int = REPEATS):
    """Median time and last result of each function, running them in turn ``repeats`` times."""
    times = {k: [] for k in fns}
    results = {}
    for _ in range(repeats):
        for k, fn in fns.items():
            t, results[k] = timed(fn)
            times[k].append(t)
    return {k: float(np.median(v)) for k, v in times.items()}, results


FIELDS = ("test_error", "bias", "variance", "collapse", "kappa")


def max_rel_diff(old, new) -> tuple[float, str]:
    worst, where = 0.0, ""
    for name in FIELDS:
        a, b = np.asarray(getattr(old, name)), np.asarray(getattr(new, name))
        scale = np.maximum(np.abs(a), np.abs(b))
        with np.errstate(invalid="ignore", divide="ignore"):
            rel = np.where(scale > 0, np.abs(a - b) / scale, 0.0)
        r = float(np.max(rel))
        if not r <= worst:
            worst, where = r, name
    return worst, where


def profile(label: str, fn, top: int = 14) -> None:
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    stats.sort_stats("tottime").print_stats(top)
    lines = [ln for ln in buf.getvalue().splitlines() if ln.strip()]
    keep = [ln for ln in lines if "function calls" in ln or "ncalls" in ln or re.match(r"\s*[\d/]+\s+\d", ln)]
    print(f"    cProfile of the engine, {label} (top {top} by own time):")
    for ln in keep:
        print("      " + ln.replace(str(_ROOT) + os.sep, "").replace(sys.prefix, "<py>"))


def blas_threads() -> str:
    info = sorted(
        {
            f"{d.get('internal_api')} {d.get('num_threads')}"
            for d in threadpool_info()
            if d.get("user_api") == "blas"
        }
    )
    return ", ".join(info) or "none found"


# ----------------------------------------------------------------------------- part 1
def generator_grid(case: str, size: int):
    (lo, hi), lam0, _ = CASES[case]
    n = np.arange(1, size + 1, dtype=float).reshape(-1, 1, 1)
    T0 = np.round(np.geomspace(lo, hi, size)).reshape(1, -1, 1)
    T = np.logspace(1, 5, size).reshape(1, 1, -1)
    return dict(T=T, n=n, T0=T0, lam=LAM, sigma=SIGMA, sigma0=SIGMA0, lam0=lam0)


def part1(old_predict, size: int, args) -> tuple[bool, list]:
    eigs, w0 = sc.power_law(D_GRID, beta=2, r=0.375)
    print(
        f"\n1. (n, T0, T) grids of {size} x {size} x {size} = {size**3} points, d = {D_GRID}, "
        f"lam = {LAM:g}, sigma = sigma0 = {SIGMA:g} (median of {REPEATS})"
    )
    print(f"   {'case':38s} {'old s':>8s} {'new s':>8s} {'old/new':>8s} {'max rel diff':>14s}")
    ok, slow = True, []
    for case, (_, _, desc) in CASES.items():
        kw = generator_grid(case, size)
        med, res = alternate(
            {
                "old": lambda kw=kw: old_predict(eigs, w0, **kw),
                "new": lambda kw=kw: sc.predict(eigs, w0, **kw),
            }
        )
        rel, where = max_rel_diff(res["old"], res["new"])
        ratio = med["old"] / med["new"]
        flag = "" if rel <= TOL else "  FAIL"
        ok &= rel <= TOL
        print(
            f"   ({case}) {desc:34s} {med['old']:8.3f} {med['new']:8.3f} {ratio:7.2f}x "
            f"{rel:10.1e} ({where}){flag}"
        )
        if ratio < 1:
            slow.append(
                (
                    f"({case}) {desc}: engine {1 / ratio:.1f}x slower than the old code",
                    lambda kw=kw: sc.predict(eigs, w0, **kw),
                )
            )
    return ok, slow


# ----------------------------------------------------------------------------- part 2
def part2(old_predict, size: int) -> list:
    T = np.logspace(1, 5, size)[:, None]
    lam = np.logspace(-6, 1, size)[None, :]
    dims = {"1e3": 1000, "1e9": 10**9, "None": None}
    print(
        f"\n2. sc.PowerLaw({PL_BETA:g}, {PL_R:g}, d=D), {size} x {size} (T, lam) grid, "
        f"T0 = {PL_T0:g}, sigma = sigma0 = {SIGMA:g} (median of {REPEATS})"
    )
    print(f"   {'n':>2s} {'D':>5s} {'cold s':>8s} {'warm s':>8s} {'old s':>8s} {'old/warm':>9s}")
    slow = []
    for n in (2, 0):
        kw = dict(T=T, lam=lam, n=n, T0=PL_T0, sigma=SIGMA, sigma0=SIGMA0)
        warm, cold = {}, {}
        for label, D in dims.items():
            pl = sc.PowerLaw(PL_BETA, PL_R, d=D)

            def cold_run(pl=pl, kw=kw):
                _spectral._CACHE.clear()
                return sc.predict(pl, **kw)

            fns = {"cold": cold_run, "warm": lambda pl=pl, kw=kw: sc.predict(pl, **kw)}
            if n == 0 or D == 1000:
                fns["old"] = lambda pl=pl, kw=kw: old_predict(pl, **kw)
            med, res = alternate(fns)
            cold[label], warm[label] = med["cold"], med["warm"]
            old_s = f"{med['old']:8.3f}" if "old" in med else f"{'n/a':>8s}"
            speed = f"{med['old'] / med['warm']:8.2f}x" if "old" in med else f"{'':9s}"
            rel = ""
            if "old" in res:
                r, where = max_rel_diff(res["old"], res["warm"])
                rel = f"  (max rel diff vs old {r:.1e}, {where})"
                if "old" in med and med["old"] < med["warm"]:
                    slow.append(
                        (
                            f"PowerLaw n = {n}, D = {label}: engine "
                            f"{med['warm'] / med['old']:.1f}x slower than the old code",
                            fns["warm"],
                        )
                    )
            print(f"   {n:2d} {label:>5s} {med['cold']:8.3f} {med['warm']:8.3f} {old_s} {speed}{rel}")
        for kind, t in (("cold", cold), ("warm", warm)):
            ratio = t["1e9"] / t["1e3"]
            verdict = "ok" if ratio <= TARGET_D_RATIO else f"MISSED (target <= {TARGET_D_RATIO:g})"
            print(
                f"   n = {n}, {kind}: t(1e9)/t(1e3) = {ratio:.2f}  {verdict};  "
                f"t(None)/t(1e3) = {t['None'] / t['1e3']:.2f}"
            )
            if ratio > TARGET_D_RATIO:
                pl = sc.PowerLaw(PL_BETA, PL_R, d=10**9)
                slow.append(
                    (
                        f"PowerLaw n = {n}, D = 1e9 ({kind}): t(1e9)/t(1e3) = {ratio:.2f}",
                        lambda pl=pl, kw=kw: sc.predict(pl, **kw),
                    )
                )
    return slow


# ----------------------------------------------------------------------------- part 3
def part3(old_predict, size: int) -> None:
    eigs, w0 = sc.power_law(D_GRID, beta=2, r=0.375)
    kw = generator_grid("a", size)

    def limited(fn, k):
        def run():
            with threadpool_limits(limits=k, user_api="blas"):
                return fn(eigs, w0, **kw)

        return run

    med, _ = alternate(
        {"new 1": limited(sc.predict, 1), "new 2": limited(sc.predict, 2), "old 1": limited(old_predict, 1)}
    )
    print(f"\n3. BLAS threads, grid (a) ({size}^3, the chain path), median of {REPEATS}:")
    print(
        f"   engine: 1 thread {med['new 1']:.3f} s, 2 threads {med['new 2']:.3f} s, "
        f"t(2)/t(1) = {med['new 2'] / med['new 1']:.2f}"
    )
    print(
        f"   old code, 1 thread: {med['old 1']:.3f} s  (old/new at 1 thread: "
        f"{med['old 1'] / med['new 1']:.2f}x)"
    )


# ----------------------------------------------------------------------------- main
def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="smaller grids (16^3 and 60 x 60)")
    p.add_argument(
        "--profile",
        action="store_true",
        help="cProfile the engine where it is slower than the old code or misses the target",
    )
    p.add_argument(
        "--old-rev",
        default=None,
        help="commit holding the old predict.py and chain.py (default: the parent of "
        "the commit that added symcollapse/pipeline/engine.py)",
    )
    args = p.parse_args(argv)
    rev = args.old_rev or default_old_rev()
    old_predict = load_old_predict(rev)
    size1, size2 = (16, 60) if args.quick else (50, 200)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"bench_engine: old implementation from git {rev}; numpy {np.__version__}; "
        f"BLAS threads {blas_threads()}; {os.cpu_count()} CPUs; load average {load}"
    )

    # one-time costs (SymPy derivations and lambdify) outside the timings
    eigs, w0 = sc.power_law(50, beta=2, r=0.375)
    for fn in (old_predict, sc.predict):
        for lam0, T0 in ((0.0, 20.0), (1e-2, 20.0), (0.0, 60.0)):
            fn(eigs, w0, T=100.0, lam=LAM, n=np.array([0, 2]), T0=T0, sigma=SIGMA, sigma0=SIGMA0, lam0=lam0)
        fn(sc.PowerLaw(PL_BETA, PL_R, d=5000), T=100.0, lam=LAM, n=2, T0=PL_T0, sigma=SIGMA, sigma0=SIGMA0)

    start = time.perf_counter()
    ok, slow = part1(old_predict, size1, args)
    slow += part2(old_predict, size2)
    part3(old_predict, size1)
    print(f"\ntotal {time.perf_counter() - start:.1f} s")
    if slow:
        print("\nslower than the old code or target missed:")
        for label, fn in slow:
            print(f"  - {label}")
            if args.profile:
                profile(label, fn)
        if not args.profile:
            print("  (rerun with --profile for where the engine spends its time)")
    if not ok:
        print(f"\nFAIL: old and new values differ by more than {TOL:g} (relative)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
