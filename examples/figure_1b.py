"""Reproduce the paper's Figure 1b (power-law spectrum): theory curves and simulation points.

d = 300, lambda_k = k**-2 (beta = 2), r = 0.375, T0 = 600, sigma = sigma0 = 1 (Section 5.3 of the paper).
Left: test error against lam at T = 10_000 for n = 0, 1, 2, 5, 10.
Right: the adaptive lam = T**(-ell_crit), ell_crit = beta/(2 beta rbar + 1) = 0.8, against T,
with the leading order T**(-e) of Theorem 5.1 as broken lines: the exponent comes from
symcollapse.scaling.error_exponent (e = 3/5 without fake data; e = -2/5 with it, T0 and d fixed,
i.e. the error grows like T**(ell_crit/beta)), the constant is anchored at T = 1e5.  This is the
paper's message: ell_crit is optimal without fake data, but with it the error grows with T.

Curves: sc.predict; points: Monte-Carlo of the chain (sc.simulate), 2-standard-error bars.
The figure is drawn by symcollapse.presentation.figures.figure_1b, which the report (symcollapse report) uses too.

Run: python examples/figure_1b.py [--out figure_1b.png] [--reps 8] [--seed 0] [--quick]
"""

import argparse

from symcollapse.presentation.figures import figure_1b


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", default="figure_1b.png")
    parser.add_argument(
        "--reps", type=int, default=None, help="Monte-Carlo repetitions per point (default 8)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="fewer points and repetitions")
    args = parser.parse_args(argv)
    fig = figure_1b(args.out, reps=args.reps, seed=args.seed, quick=args.quick)
    worst = max(fig.points, key=lambda p: abs(p.z))
    print(
        f"wrote {fig.path} in {fig.seconds:.1f} s; {len(fig.points)} simulated points, "
        f"largest |z| = {abs(worst.z):.2f} ({worst.label}), {fig.beyond(2)} beyond 2 s.e."
    )


if __name__ == "__main__":
    main()
