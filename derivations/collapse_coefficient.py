"""The collapse coefficient rho: eq. (18), eq. (19) (and its exact-factor form), erratum B6.

What it shows: the library's derivation of (18) (generator factor from Lemma I.2, then Bach's
two-point equivalent) and of (19) (kappa0 = 0), each checked against the printed equation; the
exact inverse-Wishart version; Prop. F.6's "in particular" form disagreeing (B6); an equivalent
form of (19) and its low-dimensional limit. Corollary 4.4 is in corollary_4_4.py.

Run: python derivations/collapse_coefficient.py
"""

import sympy as sp
from _narrate import check, erratum, heading, narrate, show

from symcollapse.symbolic import symbols as S
from symcollapse.symbolic.functionals import df, resolvent_trace2

k, k0, T, T0, d = S.kappa, S.kappa0, S.T, S.T0, S.d
lj, j = S.eig[S.j], S.j


def tr(x):
    return sp.Sum(x, (j, 1, d))


g = narrate("rho_general")
printed_18 = (
    tr(lj**4 / ((lj + k0) ** 2 * (lj + k) ** 2))
    + k**2 * tr(lj**2 / ((lj + k0) ** 2 * (lj + k) ** 2)) * df(2, k) / (T - df(2, k))
) / (T0 - df(2, k0))
check("eq. (18)", g.expr, printed_18)
u = narrate("rho_underparameterized_asymptotic")
printed_19 = df(2, k) / (T0 - d) + k**2 * resolvent_trace2(k) / (T0 - d) * df(2, k) / (T - df(2, k))
check("eq. (19)", u.expr, printed_19)
e = narrate("rho_underparameterized")
# the exact factor is the inverse-Wishart mean; the paper's asymptotic 1/(T0 - d) is its limit
check("eq. (19) with the exact factor 1/(T0 - d - 1)", e.expr, printed_19 * (T0 - d) / (T0 - d - 1))
erratum("B6")
printed_F6 = df(2, k) / (T - df(2, k)) * (1 + k**2 * resolvent_trace2(k) / (T0 - d))
check("Prop. F.6 'in particular' form (T and T0 swapped): B6 erratum", u.expr, printed_F6, expect_equal=False)
heading("an equivalent form of (19), using kappa^2 tr(Sigma + kappa)^-2 = d - 2 df1 + df2")
ident = show(
    "per eigenvalue: kappa^2/(l + kappa)^2 - (1 - 2 l/(l + kappa) + l^2/(l + kappa)^2)",
    sp.cancel(k**2 / (lj + k) ** 2 - (1 - 2 * lj / (lj + k) + lj**2 / (lj + k) ** 2)),
)
assert ident == 0
show("so kappa^2 tr(Sigma + kappa)^-2 = d - 2 df1(kappa) + df2(kappa)", None)
rho19 = u.expr.subs(resolvent_trace2(k), (d - 2 * df(1, k) + df(2, k)) / k**2)
check(
    "(19) = df2 (T + d - 2 df1)/((T0 - d)(T - df2))",
    rho19,
    df(2, k) * (T + d - 2 * df(1, k)) / ((T0 - d) * (T - df(2, k))),
)

heading("low-dimensional limit (Theorem F.1 remark): d fixed, T -> oo, so kappa -> lam")
atoms = {s_: sp.Dummy() for s_ in (df(2, k), resolvent_trace2(k))}
lim = sp.limit(u.expr.subs(atoms), T, sp.oo).subs({v: key for key, v in atoms.items()})
lim = show("lim_{T -> oo} of (19) at kappa = lam", lim.subs(k, S.lam))
check("rho ~ df2(lam)/(T0 - d)", lim, df(2, S.lam) / (T0 - d))
