"""Proposition 4.2: clean ridge bias and variance, general and isotropic (F.6); eq. (64), B7.

Run: python derivations/proposition_4_2.py
"""

import sympy as sp
from _narrate import check, erratum, narrate

import symcollapse as sc
from symcollapse.symbolic import symbols as S
from symcollapse.symbolic.functionals import bias_quadratic, df

k, T = S.kappa, S.T
bias = narrate("proposition_4_2_bias")
check("Prop. 4.2 bias", bias.expr, k**2 * bias_quadratic(k) / (1 - df(2, k) / T))
var = narrate("proposition_4_2_variance")
check("Prop. 4.2 variance", var.expr, S.sigma**2 * df(2, k) / T / (1 - df(2, k) / T))
dk = sc.formula("lemma_I_2").expr
erratum("B7")
check("eq. (64) as printed (no kappa^2): B7 erratum", bias.expr, bias_quadratic(k) * dk, expect_equal=False)
check("eq. (64) corrected with kappa^2", bias.expr, k**2 * bias_quadratic(k) * dk)
bi = narrate("proposition_4_2_bias_isotropic")
check("F.6 isotropic bias", bi.expr, k**2 * S.w0_sq / ((1 + k) ** 2 - S.phi))
vi = narrate("proposition_4_2_variance_isotropic")
check("F.6 isotropic variance", vi.expr, S.sigma**2 * S.phi / ((1 + k) ** 2 - S.phi))
print(
    "  (isotropic forms compared exactly:",
    sp.simplify(vi.expr - S.sigma**2 * S.phi / ((1 + k) ** 2 - S.phi)) == 0,
    ")",
)
