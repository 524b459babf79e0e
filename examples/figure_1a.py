"""Reproduce the paper's Figure 1a (isotropic features): theory curves and simulation points.

d = 300, T0 = 600, sigma = 0.1, sigma0 = 0.2, ||w0|| = 1.
Left: test error against lam at T = 1000 for n = 0, 1, 2, 5, 10.
Right: test error against T at lam = 1e-3, with Theorem 4.1 (exact) as broken lines for T >= d + 2.

Run: python examples/figure_1a.py [--out figure_1a.png] [--reps 20]   (needs matplotlib)
"""

import argparse

import numpy as np

import symcollapse as sc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="figure_1a.png")
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    d, T0, sigma, sigma0 = 300, 600, 0.1, 0.2
    eigs, w0 = sc.isotropic(d)
    ns = [0, 1, 2, 5, 10]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))

    lams = np.logspace(-4, 1, 80)
    pred = sc.predict(eigs, w0, T=1000, lam=lams, n=np.array(ns)[:, None], T0=T0, sigma=sigma,
                      sigma0=sigma0)
    Ts = np.unique(np.logspace(1, 4, 80).astype(int))
    Ts = Ts[(Ts < d) | (Ts >= d + 2)]
    pred_T = sc.predict(eigs, w0, T=Ts, lam=1e-3, n=np.array(ns)[:, None], T0=T0, sigma=sigma,
                        sigma0=sigma0)
    thm = sc.formula("theorem_4_1_exact")
    rng = np.random.default_rng(args.seed)
    for i, n in enumerate(ns):
        color = f"C{i}"
        left.plot(lams, pred.test_error[i], color=color, label=f"n = {n}")
        right.plot(Ts, pred_T.test_error[i], color=color, label=f"n = {n}")
        big = Ts[Ts >= d + 2]
        right.plot(big, thm.evaluate(d=d, T=big, T0=T0, n=n, sigma=sigma, sigma0=sigma0, lam=0),
                   color=color, ls="--", lw=1)
        for lam in [1e-3, 1e-1, 1.0]:
            s = sc.simulate(eigs, w0, T=1000, lam=lam, n=n, T0=T0, sigma=sigma, sigma0=sigma0,
                            reps=args.reps, seed=rng)
            left.errorbar(lam, s.mean, yerr=2 * s.stderr, color=color, fmt="o", ms=4)
        for T in [100, 1000, 3000]:
            s = sc.simulate(eigs, w0, T=T, lam=1e-3, n=n, T0=T0, sigma=sigma, sigma0=sigma0,
                            reps=args.reps, seed=rng)
            right.errorbar(T, s.mean, yerr=2 * s.stderr, color=color, fmt="o", ms=4)
    left.set(xscale="log", yscale="log", xlabel=r"$\lambda$", ylabel="test error",
             title=r"$T = 1000$ (points: simulation $\pm 2$ s.e.)")
    right.set(xscale="log", yscale="log", xlabel="T", title=r"$\lambda = 10^{-3}$ "
              "(broken: Theorem 4.1 exact)")
    left.legend(fontsize=8)
    fig.suptitle(r"Figure 1a: isotropic, $d = 300$, $T_0 = 600$, $\sigma = 0.1$, $\sigma_0 = 0.2$")
    fig.tight_layout()
    fig.savefig(args.out, dpi=120)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
