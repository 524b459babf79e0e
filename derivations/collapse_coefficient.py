"""The collapse coefficient rho: eq. (18), eq. (19) (exact generator factor), Corollary 4.4.

Run: python derivations/collapse_coefficient.py
"""

import sympy as sp
from _narrate import check, narrate

from symcollapse import symbols as S
from symcollapse.functionals import df, resolvent_trace2

k, k0, T, T0, d = S.kappa, S.kappa0, S.T, S.T0, S.d
lj, j = S.eig[S.j], S.j


def tr(x):
    return sp.Sum(x, (j, 1, d))


g = narrate("rho_general")
printed_18 = (tr(lj**4 / ((lj + k0) ** 2 * (lj + k) ** 2))
              + k**2 * tr(lj**2 / ((lj + k0) ** 2 * (lj + k) ** 2)) * df(2, k) / (T - df(2, k))) / (T0 - df(2, k0))
check("eq. (18)", g.expr, printed_18)
u = narrate("rho_underparameterized_asymptotic")
printed_19 = df(2, k) / (T0 - d) + k**2 * resolvent_trace2(k) / (T0 - d) * df(2, k) / (T - df(2, k))
check("eq. (19)", u.expr, printed_19)
e = narrate("rho_underparameterized")
check("eq. (19) with the exact factor 1/(T0 - d - 1) (SPEC decision 2)", e.expr,
      printed_19 * (T0 - d) / (T0 - d - 1))
printed_F6 = df(2, k) / (T - df(2, k)) * (1 + k**2 * resolvent_trace2(k) / (T0 - d))
check("Prop. F.6 'in particular' form (T and T0 swapped): B6 erratum", u.expr, printed_F6,
      expect_equal=False)
r = narrate("corollary_4_4_isotropic_rho")
phi, phi0 = S.phi, S.phi0
printed_rho = phi0 / (1 - phi0) * (1 / (1 + k) ** 2 + phi * k**2 / ((1 + k) ** 2 * ((1 + k) ** 2 - phi)))
check("Corollary 4.4, isotropic rho", r.expr, printed_rho)
c = narrate("corollary_4_4_isotropic")
check("Corollary 4.4, isotropic test error", c.expr,
      (k**2 * S.w0_sq + S.sigma**2 * phi) / ((1 + k) ** 2 - phi) + S.n * S.sigma0**2 * printed_rho)
