"""Corollary 4.4: the test error of the chain with an under-parameterised generator (T0 >= d),
isotropic features; errata B2 (intro eq. 1), B4 (the special case) and B5 (F.5's display).

What it shows (each erratum's printed and corrected statements are read from symcollapse.errata()):
  1. the library's derivation of the isotropic rho and of the full test error from (19) and
     Proposition 4.2, each checked against the printed Corollary 4.4;
  2. B2: the collapse term of the intro's eq. (1), checked against the derivation;
  3. B5: the factor of rho in F.5's display, checked against the derivation;
  4. B4: which ridgeless limit of Corollary 4.4 is Theorem 4.1;
  5. the derived closed form for the ridgeless, over-parameterised downstream
     (phi > 1, lam -> 0, T0 >= d; kappa = phi - 1 in (19)):
     rho = phi0/((1 - phi0) phi).

Run: python derivations/corollary_4_4.py
"""

import sympy as sp
from _narrate import check, erratum, heading, narrate, show

import symcollapse as sc
from symcollapse.symbolic import symbols as S

k, phi, phi0, n, s0 = S.kappa, S.phi, S.phi0, S.n, S.sigma0
bracket = 1 / (1 + k) ** 2 + phi * k**2 / ((1 + k) ** 2 * ((1 + k) ** 2 - phi))  # as printed
printed_rho = phi0 / (1 - phi0) * bracket
printed_clean = (k**2 * S.w0_sq + S.sigma**2 * phi) / ((1 + k) ** 2 - phi)

r = narrate("corollary_4_4_isotropic_rho")
check("Corollary 4.4, isotropic rho", r.expr, printed_rho)
c = narrate("corollary_4_4_isotropic")
check("Corollary 4.4, isotropic test error", c.expr, printed_clean + n * s0**2 * printed_rho)

erratum("B2")
gain = show(
    "E_test - (Bias + Var) from the derivation (T0 >= d: Delta Bias = 0)",
    sp.factor(
        c.expr
        - sc.formula("proposition_4_2_bias_isotropic").expr
        - sc.formula("proposition_4_2_variance_isotropic").expr
    ),
)
check("the gain is n sigma0^2 rho", gain, n * s0**2 * r.expr)
check("intro eq. (1) as printed, n sigma0 rho: B2 erratum", gain, n * s0 * r.expr, expect_equal=False)

erratum("B5")
check("derived: (1/phi0 - 1) rho equals the bracket", (1 / phi0 - 1) * r.expr, bracket)
check("printed: rho = bracket/(1 - 1/phi0): B5 erratum", r.expr, bracket / (1 - 1 / phi0), expect_equal=False)

erratum("B4")
t41 = sc.formula("theorem_4_1").expr
kiso = sc.formula("kappa_isotropic").expr
for label, pb, expect in (
    ("phi < 1", sp.Symbol("phibar", negative=True), True),
    ("phi > 1 (the printed 'phi >= 1')", sp.Symbol("phibar", positive=True), False),
):
    k0 = sp.limit(kiso.subs(phi, pb + 1), S.lam, 0, "+")
    at0 = show(
        f"Corollary 4.4 (noise only, w0 = 0) at kappa(0+) = {k0}, {label}",
        sp.factor(c.expr.subs({k: k0, S.w0_sq: 0}).subs(pb, phi - 1)),
    )
    check(
        f"lam -> 0+ with {label} gives Theorem 4.1" + ("" if expect else ": B4 erratum"),
        at0,
        t41,
        expect_equal=expect,
    )

heading("derived closed form: ridgeless, over-parameterised downstream (phi > 1, T0 >= d)")
rho_over = show("rho at kappa = phi - 1", sp.factor(r.expr.subs(k, phi - 1)))
check("derived: rho = phi0/((1 - phi0) phi)", rho_over, phi0 / ((1 - phi0) * phi))
