#!/usr/bin/env python
"""Fast (Bartlett) against faithful simulator on settings that are not in the tests.

``PYTHONPATH=. python benchmarks/check_fast_vs_faithful.py [--reps N]``: per setting, both
methods at different fixed seeds; prints z of the difference of means and of variances (each
within its combined standard error), the two-sample Kolmogorov-Smirnov p-value and the
k-sample Anderson-Darling statistic with its p-value (capped to [0.001, 0.25] by scipy).  Exit
status 1 if any comparison rejects (|z| >= 4, KS or AD p <= 1e-3).
"""

from __future__ import annotations

import argparse
import sys
import time

import symcollapse as sc
from symcollapse import Block, Fit, Pipeline, Reuse
from symcollapse.simulation.testing import compare_samples

compare = compare_samples


def settings():
    e30, w30 = sc.power_law(30, 2.0, 0.375)
    e20, w20 = sc.isotropic(20)
    yield (
        "d=30 chain n=4 T0=45 T=60 lam=1e-3",
        e30,
        w30,
        sc.workflows.replace(n=4, T0=45, sigma0=0.3, T=60, sigma=0.2, lam=1e-3),
    )
    yield (
        "d=30 same design n=3 T0=40 lam0=0.1",
        e30,
        w30,
        sc.workflows.replace(n=3, T0=40, sigma0=0.3, lam0=0.1, T=50, sigma=0.2, lam=0.0, design="same"),
    )
    yield (
        "d=20 iso, over-param gen T0=12, T=30",
        e20,
        w20,
        sc.workflows.replace(n=2, T0=12, sigma0=0.5, T=30, sigma=0.1, lam=1e-2),
    )
    yield (
        "d=20 iso, accumulate-like reuse",
        e20,
        w20,
        Pipeline(
            [
                Fit("g1", [Block(25, "truth", 0.5, name="b1")]),
                Fit("g2", [Reuse("b1"), Block(25, "g1", 0.5, name="b2")]),
                Fit("g3", [Reuse("b1"), Reuse("b2"), Block(25, "g2", 0.5)], lam=1e-2),
            ]
        ),
    )
    yield (
        "d=30 named design in 3 fits + fresh rows",
        e30,
        w30,
        Pipeline(
            [
                Fit("a", [Block(40, "truth", 0.4, design="X")]),
                Fit("b", [Block(40, "a", 0.4, design="X"), Block(10, "truth", 0.1)], lam=1e-2),
                Fit("c", [Block(40, "b", 0.2, design="X")], lam=0.0),
            ]
        ),
    )


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=4000)
    args = ap.parse_args(argv)
    bad = 0
    print(
        f"{'setting':42s} {'z mean':>7s} {'z var':>7s} {'KS p':>7s} {'AD':>7s} {'AD p':>7s}"
        f" {'fast s':>7s} {'faith s':>7s}"
    )
    for label, e, w, pipe in settings():
        t = time.perf_counter()
        a = pipe.simulate(e, w, reps=args.reps, seed=11, method="fast").samples
        t_fast = time.perf_counter() - t
        t = time.perf_counter()
        b = pipe.simulate(e, w, reps=args.reps, seed=22, method="faithful").samples
        t_faith = time.perf_counter() - t
        r = compare(a, b)
        ok = abs(r["z_mean"]) < 4 and abs(r["z_var"]) < 4 and r["ks_p"] > 1e-3 and r["ad_p"] > 1e-3
        bad += not ok
        print(
            f"{label:42s} {r['z_mean']:+7.2f} {r['z_var']:+7.2f} {r['ks_p']:7.3f} {r['ad_stat']:+7.2f} "
            f"{r['ad_p']:7.3f} {t_fast:7.2f} {t_faith:7.2f}" + ("" if ok else "  REJECTED")
        )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
