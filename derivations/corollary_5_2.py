"""Corollary 5.2: the optimal ridge exponent on collapsed data (eq. 28), the catastrophic
collapse with the classical ridge (eq. 29), Appendix G; errata B8, B9, B16.

What it shows:
  1. the library's derivation of ell_star (catalogue ``corollary_5_2_ell_star``: maximise the
     piecewise-linear exponent e(ell) of Theorem 5.1; sp.solve where the bias rate meets the
     collapse rate), step by step;
  2. checks, exactly at rational points of the domain, against the printed (28), the optimal
     error T^-(b - a) c, Appendix G's noisy optimum min(ell_star, ell_crit) and its rate
     T^-c min(1, b - a), and the practical recipe lam_star ~ (n sigma0^2/T0)^ell_crit;
  3. B8: the printed hypothesis of Corollary 5.2 read literally (a = b) makes (28) empty;
  4. B9: the printed condition of eq. (29) disagrees with the derivation, the corrected agrees;
  5. B16: App. G's printed condition for consistency is stronger than the derived one.
  The errata's printed and corrected statements are read from symcollapse.errata().

Run: python derivations/corollary_5_2.py
"""

import sympy as sp
from _narrate import check, check_on_points, erratum, heading, narrate, rational_points, show

from symcollapse.symbolic import scaling
from symcollapse.symbolic import symbols as S

beta, r, ell, a, b, T = S.beta, S.r, S.ell, S.a, S.b, S.T
rbar = sp.Min(1, r)
ell_crit = beta / (2 * beta * rbar + 1)  # eq. (26), as printed
c = 2 * beta * rbar / (2 * beta * rbar + 1)  # eq. (24), as printed

f = narrate("corollary_5_2_ell_star")

grid = {"beta": ["3/2", 2, 3], "r": ["1/4", "3/8", 1, "3/2"], "a": [0, "1/8", "1/4"], "b": ["1/2", "3/4", 1]}
# (28) as printed assumes 0 <= a < b <= 1 (the phi0-fixed setting of Section 5)
pts = rational_points(["beta", "r", "a", "b"], grid, where=lambda p: p["a"] < p["b"])

heading("eq. (28) and the optimal error")
check_on_points(
    "eq. (28), ell_star = min((b - a) ell_crit, beta)", f.expr, sp.Min((b - a) * ell_crit, beta), pts
)
e_star = show(
    "derived sup_ell e(ell) (scaling.optimal_exponent(noisy=False))",
    scaling.optimal_exponent(beta, r, a=a, b=b, noisy=False),
)
check_on_points("Corollary 5.2, inf_ell E ~ T^-(b - a) c", e_star, (b - a) * c, pts)
check_on_points("2 rbar ell_star = (b - a) c (derived from (28))", 2 * rbar * f.expr, (b - a) * c, pts)

heading("Appendix G (sigma^2 fixed): ell = min(ell_star, ell_crit), E ~ T^-c min(1, b - a)")
ls_noisy = show(
    "derived noisy optimum (scaling.ell_star(noisy=True))", scaling.ell_star(beta, r, a=a, b=b, noisy=True)
)
check_on_points(
    "App. G, ell = min(ell_star, ell_crit)", ls_noisy, sp.Min(sp.Min((b - a) * ell_crit, beta), ell_crit), pts
)
e_noisy = scaling.optimal_exponent(beta, r, a=a, b=b, noisy=True)
check_on_points("App. G, E ~ T^-c min(1, b - a)", e_noisy, c * sp.Min(1, b - a), pts)

heading("the practical recipe (derived from (28)): lam_star = T^-ell_star = (n sigma0^2/T0)^ell_crit")
lam_star = show(
    "T^-ell_star with n sigma0^2 = T^a, T0 = T^b, ell_star = (b - a) ell_crit",
    sp.powsimp(T ** (-(b - a) * ell_crit), force=True),
)
check(
    "lam_star = (T^a/T^b)^ell_crit",
    sp.expand_power_exp(sp.expand(sp.log(lam_star), force=True)),
    sp.expand(sp.log((T**a / T**b) ** ell_crit), force=True),
)

erratum("B8")
show(
    "the derivation's input is n sigma0^2 ~ T^a (a step of the derivation above)",
    [s.expr for s in f.derivation if "T**a" in s.text][0],
)
literal = show("read literally, 'n ~ T^b' (sigma0 fixed) sets a = b: derived ell_star", f.expr.subs(a, b))
check_on_points(
    "printed (28) with the literal hypothesis (a = b): B8 erratum",
    literal,
    sp.Min(b * ell_crit, beta),
    pts,
    expect_equal=False,
)

erratum("B9")
rate = show(
    "derived collapse-term rate at ell = ell_crit (scaling.collapse_exponent)",
    sp.simplify(scaling.collapse_exponent(beta, r, ell, a=a, b=b).subs(ell, ell_crit)),
)
check_on_points("rate = c + b - a - 1 (eq. 29: E >~ T^-(c + b - a - 1))", rate, c + b - a - 1, pts)
div = show(
    "diverges iff the rate is negative (scaling.diverges_with_classical_ell)",
    scaling.diverges_with_classical_ell(beta, r, a=a, b=b),
)
# both sides of (29) are relations: compare their truth values (divergence inside the
# regime of (27) needs a > 0, hence the grid of a)
pts29 = rational_points(
    ["beta", "r", "a", "b"], grid | {"a": ["1/4", "1/2", 1], "b": ["1/4", "1/2", "3/4", 1]}
)
check_on_points("diverges iff b < a + 1 - c (corrected)", div, sp.Lt(b, a + 1 - c), pts29)
check_on_points(
    "(29) as printed, diverges if b >= a + 1 - c: B9 erratum",
    div,
    sp.Ge(b, a + 1 - c),
    pts29,
    expect_equal=False,
)

erratum("B16")
e_noisy_ell = scaling.error_exponent(beta, r, ell, a=a, b=b, noisy=True)
show("derived error exponent, sigma^2 fixed (Theorem 5.1)", e_noisy_ell)
pts_g = rational_points(
    ["beta", "r", "ell", "a", "b"],
    grid | {"ell": ["1/10", "1/3", "1/2", "4/5", 1, "3/2"]},
    where=lambda p: p["a"] < p["b"] and p["ell"] < p["beta"] * p["b"] and p["ell"] < p["beta"],
)
consistent = sp.Gt(e_noisy_ell, 0)
# App. G states the stronger "only if ell <= ell_star"
check_on_points(
    "consistent iff ell < beta (b - a) (derived condition)", consistent, sp.Lt(ell, beta * (b - a)), pts_g
)
check_on_points(
    "App. G as printed, consistent only if ell <= ell_star: B16 erratum",
    consistent,
    sp.Le(ell, sp.Min((b - a) * ell_crit, beta)),
    pts_g,
    expect_equal=False,
)
