"""Reproduce the paper's Figure 1b (power-law spectrum): theory curves and simulation points.

d = 300, lambda_k = k**-2 (beta = 2), c_j = j**(-delta/2) with r = 0.375 (``sc.power_law``),
T0 = 600, sigma = sigma0 = 1 (SPEC section 5.3).

Left: test error against lam at T = 10_000 for n = 0, 1, 2, 5, 10.
Right: adaptive lam = T**(-ell_crit) (ell_crit = beta/(2 beta rbar + 1) = 0.8, the Cui et al.
choice, from ``symcollapse.scaling.ell_crit``) against T, for the same n.

Curves: ``sc.predict``.  Points: Monte-Carlo of the chain (``sc.simulate``) with 2-standard-error
bars.  Broken lines (right): the leading-order power law T**(-e) of Theorem 5.1, eq. (27), with the
exponent from ``symcollapse.scaling.error_exponent`` and the constant fitted at the last theory
point (T = 1e5), i.e. only the slope is a prediction:

* n = 0 (clean, noisy): e = error_exponent(2, 3/8, 4/5) = 3/5 = c (the minimax rate);
* n >= 1: T0 and d are fixed, i.e. T0 ~ T**b, d ~ T**g with b = g = 0.  ``error_exponent``
  refuses numeric b <= 0 (its stated domain is b > 0), so the symbolic exponent
  e(b, g) = min(3/5, min(b, 1 + b - g) - 2/5) is evaluated at b = g = 0: e = -2/5, i.e. the
  error grows like T**(ell_crit/beta) = T**0.4 (the collapse term n sigma0**2 df2/(T0 - d) with
  df2 ~ T**(ell/beta)).  This needs d >> df2 ~ T**0.4 (about 100 at T = 1e5, against d = 300);
  for much larger T the collapse term saturates at n sigma0**2 d/(T0 - d) (SPEC 3.8 caveat).

This is the paper's message: ell_crit is optimal without fake data, but with it the error grows
with T.

Run: python examples/figure_1b.py [--out figure_1b.png] [--reps 8] [--seed 0]   (needs matplotlib)
"""

import argparse
import time

import numpy as np
import sympy as sp

import symcollapse as sc
from symcollapse import scaling
from symcollapse.testing import z_score

D, BETA, R, T0, SIGMA, SIGMA0 = 300, 2, sp.Rational(3, 8), 600, 1.0, 1.0
NS = (0, 1, 2, 5, 10)
T_LEFT = 10_000
LAM_POINTS = (1e-5, 1e-3, 1e-1)
T_POINTS = (30, 300, 3000, 10_000)


def leading_exponent(n: int):
    """The exponent e of Theorem 5.1 at this figure's setting (module docstring)."""
    ell = scaling.ell_crit(BETA, R)
    if n == 0:
        return scaling.error_exponent(BETA, R, ell)
    b, g = sp.symbols("b g", positive=True)
    e = scaling.error_exponent(BETA, R, ell, a=0, b=b, d_exponent=g)
    return e.subs({b: 0, g: 0})


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="figure_1b.png")
    parser.add_argument("--reps", type=int, default=8, help="Monte-Carlo repetitions per point")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    start = time.perf_counter()
    eigs, w0 = sc.power_law(D, BETA, float(R))
    ell = float(scaling.ell_crit(BETA, R))            # 0.8
    common = dict(T0=T0, sigma=SIGMA, sigma0=SIGMA0)
    ns = np.array(NS)[:, None]
    lams = np.logspace(-6, 1, 120)
    pred_lam = sc.predict(eigs, w0, T=T_LEFT, lam=lams, n=ns, **common)
    Ts = np.unique(np.logspace(1, 5, 120).astype(int))
    pred_T = sc.predict(eigs, w0, T=Ts, lam=Ts ** -ell, n=ns, **common)

    streams = iter(np.random.SeedSequence(args.seed).spawn(len(NS) * (len(LAM_POINTS) + len(T_POINTS))))
    z_scores = []

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8))
    exps = {}
    for i, n in enumerate(NS):
        color = f"C{i}"
        ms = 3 + 0.5 * (len(NS) - i)
        left.plot(lams, pred_lam.test_error[i], color=color, lw=1.5, label=f"n = {n}")
        right.plot(Ts, pred_T.test_error[i], color=color, lw=1.5, label=f"n = {n}")
        for lam in LAM_POINTS:
            s = sc.simulate(eigs, w0, T=T_LEFT, lam=lam, n=n, **common, reps=args.reps,
                            seed=np.random.default_rng(next(streams)))
            theory = sc.predict(eigs, w0, T=T_LEFT, lam=lam, n=n, **common)
            z_scores.append((abs(z_score(theory, s)), n, T_LEFT, lam))
            left.errorbar(lam, s.mean, yerr=2 * s.stderr, color=color, fmt="o", ms=ms, capsize=2)
        for T in T_POINTS:
            lam = T ** -ell
            s = sc.simulate(eigs, w0, T=T, lam=lam, n=n, **common, reps=args.reps,
                            seed=np.random.default_rng(next(streams)))
            theory = sc.predict(eigs, w0, T=T, lam=lam, n=n, **common)
            z_scores.append((abs(z_score(theory, s)), n, T, lam))
            right.errorbar(T, s.mean, yerr=2 * s.stderr, color=color, fmt="o", ms=ms, capsize=2)
        # leading order of Theorem 5.1: slope from error_exponent, constant from the last point
        e = leading_exponent(n)
        anchor_T, anchor_E = Ts[-1], pred_T.test_error[i][-1]
        guide = Ts[Ts >= 100]
        right.plot(guide, anchor_E * (guide / anchor_T) ** (-float(e)), color=color, ls="--", lw=1)
        exps[n] = e
    left.axvline(T_LEFT ** -ell, color="0.6", lw=0.8, ls=":")
    left.text(T_LEFT ** -ell, left.get_ylim()[1], r" $T^{-\ell_{crit}}$", color="0.4",
              va="top", fontsize=8)
    left.set(xscale="log", yscale="log", xlabel=r"$\lambda$", ylabel="test error",
             title=rf"$T = {T_LEFT}$ (points: simulation $\pm 2$ s.e., {args.reps} reps)")
    right.set(xscale="log", yscale="log", xlabel="downstream sample size $T$",
              title=rf"adaptive $\lambda = T^{{-\ell_{{crit}}}}$, $\ell_{{crit}} = {ell:g}$; "
                    "broken: leading order $T^{-e}$,\nexponent from error_exponent, "
                    r"constant anchored at $T = 10^5$")
    left.legend(fontsize=8)
    from matplotlib.lines import Line2D

    guides = [Line2D([], [], color="0.3", ls="--", lw=1,
                     label=rf"$n = 0$: $\propto T^{{-({exps[0]})}}$ (clean, $e = c$)"),
              Line2D([], [], color="0.3", ls="--", lw=1,
                     label=rf"$n \geq 1$: $\propto T^{{-({exps[1]})}}$ (fixed $T_0, d$: $b = g = 0$)")]
    right.legend(handles=guides, fontsize=8, loc="lower left", title="Theorem 5.1 leading order",
                 title_fontsize=8)
    fig.suptitle(rf"Figure 1b: power law $\lambda_k = k^{{-2}}$, $r = 0.375$, $d = {D}$, "
                 rf"$T_0 = {T0}$, $\sigma = \sigma_0 = 1$", fontsize=11)
    fig.tight_layout()
    fig.savefig(args.out, dpi=120)
    z, n, T, lam = max(z_scores)
    print(f"wrote {args.out} in {time.perf_counter() - start:.1f} s; {len(z_scores)} simulated "
          f"points, largest |z| = {z:.2f} (n={n}, T={T}, lam={lam:.3g}), "
          f"{sum(x[0] > 2 for x in z_scores)} beyond 2 s.e.")


if __name__ == "__main__":
    main()
