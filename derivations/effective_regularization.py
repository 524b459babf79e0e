"""Effective regularisation: eq. (9), its isotropic closed form (10)-(11), and Lemma I.2.

Run: python derivations/effective_regularization.py
"""

import sympy as sp
from _narrate import check, narrate

from symcollapse import symbols as S
from symcollapse.functionals import df

narrate("kappa_equation")
f = narrate("kappa_isotropic")
phibar = S.phi - 1
check("eqs. (10)-(11), kappa = (lam + phibar + sqrt((lam + phibar)^2 + 4 lam))/2", f.expr,
      (S.lam + phibar + sp.sqrt((S.lam + phibar) ** 2 + 4 * S.lam)) / 2)
g = narrate("lemma_I_2")
check("Lemma I.2, d kappa/d lam = 1/(1 - df2(kappa)/T)", g.expr, 1 / (1 - df(2, S.kappa) / S.T))
