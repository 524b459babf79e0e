"""Reproduce the paper's Figure 2: noiseless, over-parameterised generators (SPEC section 5.4).

d = 300, T0 = 150 for every generator (phi0 = 2, minimum-norm fits), sigma0 = 0, sigma = 0.1,
Sigma = I, ||w0|| = 1; downstream ridge with lam = 1e-3 (the paper's Figure 1a value, "everything
else as in Fig. 1a"; its Figure 2 caption does not restate lam).  Test error against the
downstream sample size T for n = 0..5 generations:

(a) design="same": every generator reuses X0 (Theorem 4.5); the bias increase is
    (1 - 1/phi0)||w0||^2 = ||w0||^2 / 2 for every n >= 1;
(b) design="independent": fresh designs (Theorem 4.6); the bias increase is
    (1 - phi0^-n)||w0||^2 = (1 - 2^-n)||w0||^2, growing with n.

Curves: theory (``sc.predict``, the peeling recursion of SPEC Addendum A).  Points: Monte-Carlo of
the chain (``sc.simulate``) with 2-standard-error bars.  Dotted lines: the Theorem 4.5 / 4.6 bias
levels, which the curves approach for T >> d (where ridge with small lam is nearly OLS).

Run: python examples/figure_2.py [--out figure_2.png] [--reps 16] [--seed 0]   (needs matplotlib)
"""

import argparse

import numpy as np

import symcollapse as sc

D, T0, SIGMA, SIGMA0, LAM = 300, 150, 0.1, 0.0, 1e-3
NS = range(6)
T_POINTS = (20, 100, 300, 1000, 3000)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="figure_2.png")
    parser.add_argument("--reps", type=int, default=16, help="Monte-Carlo repetitions per point")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    eigs, w0 = sc.isotropic(D)                      # ||w0|| = 1
    norm2 = float(w0 @ w0)
    Ts = np.unique(np.logspace(1, 4, 120).astype(int))
    streams = iter(np.random.SeedSequence(args.seed).spawn(2 * len(NS) * len(T_POINTS)))
    z_scores = []
    fig, axes = plt.subplots(1, 2, figsize=(11.5, 4.6), sharey=True)
    panels = [("same", "(a) same design $X_m = X_0$ (Theorem 4.5): all $n \\geq 1$ coincide"),
              ("independent", "(b) independent designs (Theorem 4.6)")]
    for ax, (design, title) in zip(axes, panels, strict=True):
        pred = sc.predict(eigs, w0, T=Ts, lam=LAM, n=np.array(list(NS))[:, None], T0=T0,
                          sigma=SIGMA, sigma0=SIGMA0, design=design)
        for n in NS:
            color = f"C{n}"
            ax.plot(Ts, pred.test_error[n], color=color, lw=1.5, label=f"n = {n}")
            for T in T_POINTS:
                s = sc.simulate(eigs, w0, T=T, lam=LAM, n=n, T0=T0, sigma=SIGMA, sigma0=SIGMA0,
                                design=design, reps=args.reps,
                                seed=np.random.default_rng(next(streams)))
                theory = sc.predict(eigs, w0, T=T, lam=LAM, n=n, T0=T0, sigma=SIGMA,
                                    sigma0=SIGMA0, design=design)
                z_scores.append((abs(sc.testing.z_score(theory, s)), design, n, T))
                # marker size shrinks with n, so that coinciding points stay visible
                ax.errorbar(T, s.mean, yerr=2 * s.stderr, color=color, fmt="o",
                            ms=2.5 + 0.9 * (5 - n), capsize=2)
            if n >= 1 and (design == "independent" or n == 1):
                level = (1 - T0 / D) * norm2 if design == "same" else (1 - (T0 / D) ** n) * norm2
                ax.axhline(level, color="0.3" if design == "same" else color, ls=":", lw=1)
        ax.axvline(D, color="0.6", lw=0.8, ls="--")
        ax.set(xscale="log", yscale="log", xlabel="downstream sample size $T$", title=title)
    axes[0].set_ylabel(r"test error $\|\hat w^{pred}_n - w_0\|_\Sigma^2$")
    axes[0].legend(fontsize=8, loc="lower left")
    fig.suptitle(rf"Figure 2: isotropic, $d = {D}$, $T_0 = {T0}$ ($\phi_0 = 2$), "
                 rf"$\sigma_0 = 0$, $\sigma = {SIGMA}$, $\lambda = 10^{{-3}}$, $\|w_0\| = 1$; "
                 rf"points: simulation $\pm 2$ s.e. ({args.reps} reps); "
                 "dotted: Thm 4.5/4.6 bias", fontsize=10)
    fig.tight_layout()
    fig.savefig(args.out, dpi=120)
    z, design, n, T = max(z_scores)
    print(f"wrote {args.out}; {len(z_scores)} simulated points, largest |z| = {z:.2f} "
          f"(design={design}, n={n}, T={T}), {sum(x[0] > 2 for x in z_scores)} beyond 2 s.e.")


if __name__ == "__main__":
    main()
