"""The (ell, b) phase diagram of the collapsed error exponent (paper section 5, Theorem 5.1).

Test error ~ T**(-e) with lam ~ T**(-ell), T0 ~ T**b, n*sigma0**2 ~ T**a (here a = 0: a fixed
number of generations), d/T0 fixed.  The exponent e(ell, a, b) is
``symcollapse.scaling.error_exponent`` (derived symbolically from eq. (27)); its LaTeX for symbols
beta, r, ell, a, b is printed to stdout.  Panels: beta = 2 with r = 0.375 (Figure 1b's setting) and
r = 1.5 (above the saturation r = 1), both with noise (sigma ~ 1), and beta = 2, r = 0.375 with
a = 0.25 (n*sigma0**2 growing), where eq. (29) divergence occurs inside the regime.

Heat map and contours: e (the symbolic expression, lambdified; cross-checked against numeric
``error_exponent`` calls).  Solid white line: ell = ell_star(b) (Corollary 5.2 / Appendix G).
Dotted vertical line: ell_crit.  Red hatching: e < 0 (the error grows with T, the divergence of
eq. (29)); the thick red segment on ell = ell_crit marks the b where
``diverges_with_classical_ell`` holds.  Grey hatching: outside the regime of (27), ell >= beta*b
(d ~ T**b must dominate df2 ~ T**(ell/beta)); there the formula is extrapolated and at fixed d the
collapse term saturates instead (Theorem 5.1 needs d >> T**(ell/beta)).  With a = 0 the e < 0
region lies entirely in the grey one (the caveat in ``diverges_with_classical_ell``).

Run: python examples/phase_diagram.py [--out phase_diagram.png] [--grid 201]   (needs matplotlib)
"""

import argparse

import numpy as np
import sympy as sp

from symcollapse.symbolic import scaling
from symcollapse.symbolic import symbols as S

BETA = 2
PANELS = ((sp.Rational(3, 8), 0), (sp.Rational(3, 2), 0), (sp.Rational(3, 8), sp.Rational(1, 4)))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", default="phase_diagram.png")
    parser.add_argument("--grid", type=int, default=201, help="grid points per axis")
    args = parser.parse_args(argv)

    e_sym = scaling.error_exponent(S.beta, S.r, S.ell, a=S.a, b=S.b)
    print("error_exponent(beta, r, ell, a, b) =")
    print("  " + sp.latex(e_sym))
    star_sym = scaling.ell_star(S.beta, S.r, a=S.a, b=S.b)
    div_sym = scaling.diverges_with_classical_ell(S.beta, S.r, a=S.a, b=S.b)
    print("ell_star(beta, r, a, b) =")
    print("  " + sp.latex(star_sym))
    print("diverges_with_classical_ell(beta, r, a, b):")
    print("  " + sp.latex(div_sym))

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import TwoSlopeNorm

    ells = np.linspace(0, BETA, args.grid)[:-1]  # 0 <= ell < beta
    bs = np.linspace(0.02, 2, args.grid)
    L, B = np.meshgrid(ells, bs)
    fig, axes = plt.subplots(1, len(PANELS), figsize=(5.2 * len(PANELS), 4.8), sharey=True)
    for ax, (r, a) in zip(axes, PANELS, strict=True):
        expr = e_sym.subs({S.beta: BETA, S.r: r, S.a: a})
        f = sp.lambdify((S.ell, S.b), expr, "numpy")
        E = np.broadcast_to(f(L, B), L.shape).astype(float)
        # cross-check the vectorised expression against numeric calls inside the regime
        for ell_v, b_v in [(0.1, 0.5), (0.5, 1.5), (1.2, 0.9), (0.3, 0.2)]:
            if ell_v < BETA * b_v:
                ref = scaling.error_exponent(BETA, float(r), ell_v, a=float(a), b=b_v)
                assert abs(float(f(ell_v, b_v)) - ref) < 1e-12, (r, a, ell_v, b_v)
        lim = max(abs(E.min()), E.max())
        im = ax.pcolormesh(L, B, E, cmap="RdBu", norm=TwoSlopeNorm(0, -lim, lim), shading="auto")
        cs = ax.contour(L, B, E, levels=np.arange(-1.5, 2.01, 0.1).round(2), colors="k", linewidths=0.5)
        ax.clabel(cs, cs.levels[::2], fontsize=6, fmt="%.1f")
        ax.contour(L, B, E, levels=[0], colors="darkred", linewidths=2)
        ax.contourf(L, B, (E < 0).astype(float), levels=[0.5, 1.5], colors="none", hatches=["\\\\"])
        ax.contourf(L, B, (L >= BETA * B).astype(float), levels=[0.5, 1.5], colors="none", hatches=["..."])
        ax.plot(np.minimum(BETA * bs, BETA), bs, color="0.3", lw=1, ls="--")
        star_f = sp.lambdify(S.b, star_sym.subs({S.beta: BETA, S.r: r, S.a: a}), "numpy")
        star = np.broadcast_to(star_f(bs), bs.shape)
        assert abs(star[-1] - float(scaling.ell_star(BETA, r, a=a, b=sp.nsimplify(bs[-1])))) < 1e-12
        ax.plot(star, bs, color="white", lw=2, label=r"$\ell_\star(b)$")
        crit = float(scaling.ell_crit(BETA, r))
        ax.axvline(crit, color="k", ls=":", lw=1, label=rf"$\ell_{{crit}} = {crit:g}$")
        div_f = sp.lambdify(S.b, div_sym.subs({S.beta: BETA, S.r: r, S.a: a}), "numpy")
        div = np.broadcast_to(div_f(bs), bs.shape)
        for k in (0, len(bs) // 4, len(bs) - 1):
            assert bool(div[k]) == scaling.diverges_with_classical_ell(BETA, r, a=a, b=sp.nsimplify(bs[k]))
        if div.any():
            ax.plot(
                np.full(div.sum(), crit),
                bs[div],
                color="red",
                lw=4,
                solid_capstyle="butt",
                label="eq. (29): diverges at $\\ell_{crit}$",
            )
        ax.set(
            xlabel=r"$\ell$  ($\lambda \asymp T^{-\ell}$)",
            xlim=(0, BETA),
            ylim=(bs[0], bs[-1]),
            title=rf"$\beta = {BETA}$, $r = {r}$, $a = {a}$  (noisy, $d/T_0$ fixed)",
        )
        ax.legend(fontsize=7, loc="upper right", framealpha=0.8)
        fig.colorbar(im, ax=ax, label=r"error exponent $e$  ($E_{test} \asymp T^{-e}$)")
    axes[0].set_ylabel(r"$b$  ($T_0 \asymp T^{b}$)")
    fig.suptitle(
        r"Collapsed error exponent $e(\ell, a, b)$, Theorem 5.1; dots: outside the regime "
        r"$\ell < \beta b$ (dashed), hatched: $e < 0$",
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(args.out, dpi=120)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
