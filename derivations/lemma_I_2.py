"""Lemma I.2: the derivative of the effective regularisation, d kappa/d lam = 1/(1 - df2(kappa)/T) >= 1.

What it shows:
  1. the library's derivation (implicit differentiation of eq. (9), recorded in the catalogue
     formula ``lemma_I_2``), step by step, checked against the printed statement;
  2. the identity the paper's proof uses, I - kappa (Sigma + kappa)^-1 = Sigma (Sigma + kappa)^-1;
  3. the bound >= 1 (df2 <= df1 < T on the root of eq. (9));
  4. an independent check for Sigma = I: differentiating the closed form (10)-(11) in lam gives
     the same derivative.

Run: python derivations/lemma_I_2.py
"""

import sympy as sp
from _narrate import check, heading, narrate, show

import symcollapse as sc
from symcollapse.symbolic import symbols as S
from symcollapse.symbolic.functionals import df, isotropic

k, lam, T, phi = S.kappa, S.lam, S.T, S.phi
lj = S.eig[S.j]

g = narrate("lemma_I_2")
check("Lemma I.2, d kappa/d lam = 1/(1 - df2(kappa)/T)", g.expr, 1 / (1 - df(2, k) / T))

heading("the identity used in the paper's proof (per eigenvalue)")
ident = show(
    "1 - kappa/(lambda_j + kappa) - lambda_j/(lambda_j + kappa), cancelled",
    sp.cancel(1 - k / (lj + k) - lj / (lj + k)),
)
assert ident == 0

heading("the bound d kappa/d lam >= 1")
gap = show(
    "summand of df1 - df2: lambda/(lambda + kappa) - lambda^2/(lambda + kappa)^2",
    sp.factor(lj / (lj + k) - lj**2 / (lj + k) ** 2),
)
assert gap.is_nonnegative
show(
    "so df2 <= df1, and eq. (9) gives df1(kappa)/T = 1 - lam/kappa < 1 for lam > 0: "
    "0 <= df2/T < 1 and 1/(1 - df2/T) >= 1",
    sp.Eq(df(1, k) / T, 1 - lam / k),
)
print("  proved: d kappa/d lam >= 1 (the summand's sign is proved by SymPy's assumptions)")

heading("independent check, Sigma = I: differentiate the closed form (10)-(11)")
kiso = sc.formula("kappa_isotropic").expr
dk = show("d/d lam of kappa_isotropic", sp.diff(kiso, lam))
lemma_iso = show(
    "Lemma I.2 with Sigma = I and d = phi T: 1/(1 - phi/(1 + kappa)^2)", isotropic(g.expr).subs(S.d, phi * T)
)
diff = sp.simplify(sp.radsimp(dk - lemma_iso.subs(k, kiso)))
show("difference after substituting kappa = kappa_isotropic", diff)
check("Lemma I.2 for Sigma = I against the derivative of (10)-(11)", diff, sp.S.Zero)
