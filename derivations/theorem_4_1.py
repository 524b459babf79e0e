"""Theorem 4.1: OLS on the chain, exact and asymptotic, and the ridgeless limit of the ridge result.

Run: python derivations/theorem_4_1.py
"""

import sympy as sp
from _narrate import check, narrate

import symcollapse as sc
from symcollapse.symbolic import symbols as S

d, T, T0, n, s, s0, phi, phi0 = S.d, S.T, S.T0, S.n, S.sigma, S.sigma0, S.phi, S.phi0
e = narrate("theorem_4_1_exact")
check("Theorem 4.1, exact form", e.expr, s**2 * d / (T - d - 1) + n * s0**2 * d / (T0 - d - 1))
a = narrate("theorem_4_1")
check("Theorem 4.1, proportional limit", a.expr, s**2 * phi / (1 - phi) + n * s0**2 * phi0 / (1 - phi0))

print("== ridgeless limit of the ridge result (lam -> 0+, phi < 1)")
pb = sp.Symbol("phibar", negative=True)
k0 = sp.limit(sc.formula("kappa_isotropic").expr.subs(phi, pb + 1), S.lam, 0, "+")
print(f"  kappa(0+, phi < 1) = {k0}")
cor = sc.formula("corollary_4_4_isotropic").expr.subs({S.kappa: k0, S.w0_sq: 0})
check("Corollary 4.4 at kappa = 0 (no bias) is Theorem 4.1", cor, a.expr)
total = (
    sc.formula("proposition_4_2_bias").expr
    + sc.formula("proposition_4_2_variance").expr
    + n * s0**2 * sc.formula("rho_underparameterized").expr
)
at0 = sp.simplify(total.subs(S.kappa, 0).doit())
print(f"  general Sigma, kappa = 0: {at0}")
lim = sp.limit(at0.subs({T: d / phi, T0: d / phi0}), d, sp.oo)
check("its proportional limit is Theorem 4.1", lim, a.expr)
print("  (B4, the printed 'phi >= 1' for this special case, is shown in corollary_4_4.py)")
