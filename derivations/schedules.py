"""Per-generation schedules (extension): generator m has its own sample size T0[m] and noise
sigma0[m]. Theorem 4.1 with a schedule (a sum over generations) and Theorem 4.6 with a schedule
(a product over generations, eta = prod_m min(1, 1/phi_m)).

What it shows: the library's derivations, checked against the printed statements typed here
(the paper's eta of Theorem 4.6 and the sum over generations of F.2), and the constant schedule
reducing to Theorem 4.1 (exact form) and Theorem 4.6.

Run: python derivations/schedules.py
"""

import sympy as sp
from _narrate import check, heading, narrate, show

import symcollapse as sc
from symcollapse.symbolic import symbols as S

d, T, n, m = S.d, S.T, S.n, S.m
T0m, s0m = S.T0_m[m], S.sigma0_m[m]

f = narrate("theorem_4_1_schedule")
printed = S.sigma**2 * d / (T - d - 1) + sp.Sum(s0m**2 * d / (T0m - d - 1), (m, 0, n - 1))
check(
    "F.2 with per-generation T0[m], sigma0[m]: sum_m sigma0[m]^2 d/(T0[m] - d - 1)",
    f.expr.doit(),
    printed.doit(),
)
const = show(
    "constant schedule T0[m] = T0, sigma0[m] = sigma0", f.expr.xreplace({T0m: S.T0, s0m: S.sigma0}).doit()
)
check("constant schedule gives Theorem 4.1 (exact form)", const, sc.formula("theorem_4_1_exact").expr)

g = narrate("theorem_4_6_schedule")
phi_m = d / T0m
check(
    "Theorem 4.6: Delta Bias = ||w0||^2 (1 - eta), eta = prod_m min(1/phi_m, 1)",
    g.expr,
    S.w0_sq * (1 - sp.Product(sp.Min(1 / phi_m, 1), (m, 0, n - 1))),
)
heading("constant schedule with T0 < d")
T0 = sp.Symbol("T0", positive=True)
const = g.expr.xreplace({T0m: T0}).doit()
const = show("T0[m] = T0 < d: min(1, T0/d) = T0/d", const.subs(sp.Min(1, T0 / d), T0 / d))
check("constant schedule gives Theorem 4.6", const, sc.formula("theorem_4_6").expr.subs(S.T0, T0))
