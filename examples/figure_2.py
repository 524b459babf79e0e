"""Reproduce the paper's Figure 2: noiseless, over-parameterised generators (Section 5.4 of the paper).

d = 300, T0 = 150 (phi0 = 2, minimum-norm fits), sigma0 = 0, sigma = 0.1, Sigma = I, ||w0|| = 1,
downstream lam = 1e-3; test error against T for n = 0..5:
(a) design="same": every generator reuses X0 (Theorem 4.5): bias increase (1 - 1/phi0)||w0||^2;
(b) design="independent": fresh designs (Theorem 4.6): bias increase (1 - phi0^-n)||w0||^2.

Curves: sc.predict; points: Monte-Carlo of the chain (sc.simulate), 2-standard-error bars.
The figure is drawn by symcollapse.presentation.figures.figure_2, which the report (symcollapse report) uses too.

Run: python examples/figure_2.py [--out figure_2.png] [--reps 16] [--seed 0] [--quick]
"""

import argparse

from symcollapse.presentation.figures import figure_2


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", default="figure_2.png")
    parser.add_argument(
        "--reps", type=int, default=None, help="Monte-Carlo repetitions per point (default 16)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="fewer points and repetitions")
    args = parser.parse_args(argv)
    fig = figure_2(args.out, reps=args.reps, seed=args.seed, quick=args.quick)
    worst = max(fig.points, key=lambda p: abs(p.z))
    print(
        f"wrote {fig.path} in {fig.seconds:.1f} s; {len(fig.points)} simulated points, "
        f"largest |z| = {abs(worst.z):.2f} ({worst.label}), {fig.beyond(2)} beyond 2 s.e."
    )


if __name__ == "__main__":
    main()
