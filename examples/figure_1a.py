"""Reproduce the paper's Figure 1a (isotropic features): theory curves and simulation points.

d = 300, T0 = 600, sigma = 0.1, sigma0 = 0.2, ||w0|| = 1.
Left: test error against lam at T = 1000 for n = 0, 1, 2, 5, 10.
Right: test error against T at lam = 1e-3, with Theorem 4.1 (exact) as broken lines for T >= d + 2.

Curves: sc.predict; points: Monte-Carlo of the chain (sc.simulate), 2-standard-error bars.
The figure is drawn by symcollapse.presentation.figures.figure_1a, which the report (symcollapse report) uses too.

Run: python examples/figure_1a.py [--out figure_1a.png] [--reps 20] [--seed 0] [--quick]
"""

import argparse

from symcollapse.presentation.figures import figure_1a


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", default="figure_1a.png")
    parser.add_argument(
        "--reps", type=int, default=None, help="Monte-Carlo repetitions per point (default 20)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="fewer points and repetitions")
    args = parser.parse_args(argv)
    fig = figure_1a(args.out, reps=args.reps, seed=args.seed, quick=args.quick)
    worst = max(fig.points, key=lambda p: abs(p.z))
    print(
        f"wrote {fig.path} in {fig.seconds:.1f} s; {len(fig.points)} simulated points, "
        f"largest |z| = {abs(worst.z):.2f} ({worst.label}), {fig.beyond(2)} beyond 2 s.e."
    )


if __name__ == "__main__":
    main()
