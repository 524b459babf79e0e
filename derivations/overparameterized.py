"""Over-parameterised generators (T0 < d): the isotropic chain from the peeling recursion
(the peeling recursion, docs/theory.md), Theorem 4.5 (the same design) and Theorem 4.6 (independent designs).

What it shows: the library's derivations (generator step from the two-point equivalent at
(kappa0, T0), the recursion solved by rsolve, the downstream deterministic equivalents), checked
against the closed forms of the peeling recursion (isotropic case) and the printed Theorems 4.5 and 4.6.
Per-generation sizes are in schedules.py; the remarks after Theorem 4.1 (null-predictor
threshold, more data per generation) in theorem_4_1_remarks.py.

Run: python derivations/overparameterized.py
"""

from _narrate import check, narrate

from symcollapse.symbolic import symbols as S

W, k, phi, d, T0, n, phi0 = S.w0_sq, S.kappa, S.phi, S.d, S.T0, S.n, S.phi0
m2 = (1 - k) / (1 + k) + k**2 / ((1 + k) ** 2 - phi)  # the equivalent of tr(Shat R)^2 / d
var = S.sigma**2 * phi / ((1 + k) ** 2 - phi)
p = T0 / d

ind = narrate("isotropic_chain_independent")
check(
    "peeling recursion, isotropic, independent designs",
    ind.expr,
    W * (1 - 2 * p**n / (1 + k) + p**n * m2)
    + var
    + S.sigma0**2 * m2 * T0 / (d - T0 - 1) * (1 - p**n) / (1 - p),
)
same = narrate("isotropic_chain_same")
check(
    "peeling recursion, isotropic, the same design",
    same.expr,
    W * (1 - 2 * p / (1 + k) + p * m2) + var + S.sigma0**2 * m2 * T0 / (d - T0 - 1) * n,
)
t45 = narrate("theorem_4_5")
check("Theorem 4.5, Delta Bias = ||w0||^2 (1 - 1/phi0)", t45.expr.subs(T0, d / phi0), W * (1 - 1 / phi0))
t46 = narrate("theorem_4_6")
check("Theorem 4.6, Delta Bias = ||w0||^2 (1 - phi0^-n)", t46.expr.subs(T0, d / phi0), W * (1 - phi0**-n))
