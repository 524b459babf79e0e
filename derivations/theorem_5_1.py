"""Theorem 5.1: the collapsed scaling law (27) for power-law spectra, as an exponent; eq. (26)
and the classical rates it contains; erratum B13 (App. H.2).

What it shows:
  1. the library's derivation of the error exponent e (test error ~ T^-e): Lemma I.1's exponent
     read off the exact-constant asymptotics, Proposition 4.2 and eq. (19) at leading order in
     df/T and df/d, the exponents of each term, e = min of the decay rates (the steps recorded
     by the catalogue formula ``theorem_5_1``);
  2. the printed (27), typed below as a sum of powers of T, and its exponent compared with the
     derived one exactly at rational points of the domain (noisy and noiseless);
  3. the proof's intermediate step (H.1) rho ~ max(T/T0, phi0) T^-(1 - ell/beta)/(1 - phi0),
     checked with exact constants against the continuum asymptotics of (19);
  4. the classical exponents (26), (24): ell_crit and the minimax rate c, solved by SymPy;
  5. B13: H.2's bias step as printed (statements read from symcollapse.errata()) disagrees with
     the derivation; the corrected one agrees.

Run: python derivations/theorem_5_1.py
"""

import sympy as sp
from _narrate import check, check_on_points, erratum, heading, narrate, rational_points, show

import symcollapse as sc
from symcollapse.symbolic import scaling
from symcollapse.symbolic import symbols as S
from symcollapse.symbolic.theory import scaling_laws

beta, r, ell, a, b, T = S.beta, S.r, S.ell, S.a, S.b, S.T
rbar = sp.Min(1, r)


def exponent_of_sum(powers):
    """-(exponent) of sum_i T**x_i, i.e. the decay rate min_i(-x_i), from the typed exponents."""
    return -sp.Max(*powers)


f = narrate("theorem_5_1")

heading(
    "the printed (27), typed: E ~ max(sigma^2, T^(1 - 2 rbar ell - ell/beta)) T^-(1 - ell/beta)"
    " + n sigma0^2/(1 - phi0) max(T/T0, phi0) T^-(1 - ell/beta)"
)
# with sigma^2 ~ 1 (noisy) or 0 (noiseless), n sigma0^2 = T^a, T0 = T^b, phi0 fixed:
# exponent of max(T/T0, phi0) = max(1 - b, 0)
clean_noisy = sp.Max(0, 1 - 2 * rbar * ell - ell / beta) - (1 - ell / beta)
clean_noiseless = (1 - 2 * rbar * ell - ell / beta) - (1 - ell / beta)
collapse = a + sp.Max(1 - b, 0) - (1 - ell / beta)
printed_noisy = show("printed exponent, sigma^2 ~ 1", exponent_of_sum([clean_noisy, collapse]))
printed_noiseless = show("printed exponent, sigma = 0", exponent_of_sum([clean_noiseless, collapse]))

# the regime: 0 <= ell < beta, and d ~ T^b >> T^(ell/beta), i.e. ell < beta*b
grid = {
    "beta": ["3/2", 2, 3],
    "r": ["1/4", "3/8", 1, "3/2"],
    "ell": [0, "1/3", "4/5", 1, 2],
    "a": [0, "1/4"],
    "b": ["1/2", 1, 2],
}
pts = rational_points(
    ["beta", "r", "ell", "a", "b"],
    grid,
    where=lambda p: p["ell"] < p["beta"] and p["ell"] < p["beta"] * p["b"],
)
check_on_points("Theorem 5.1, eq. (27), sigma^2 ~ 1", f.expr, printed_noisy, pts)
noiseless = scaling.error_exponent(beta, r, ell, a=a, b=b, noisy=False)
show("derived noiseless exponent (scaling.error_exponent(noisy=False))", noiseless)
check_on_points("Theorem 5.1, eq. (27), sigma = 0", noiseless, printed_noiseless, pts)

heading("H.1: rho ~ T0^-1 T^(ell/beta) + phi0/(1 - phi0) T^-(1 - ell/beta), with constants")
rho = sc.formula("power_law_collapse_rho_leading")
show("continuum asymptotics of (19) (catalogue: power_law_collapse_rho_leading)", rho.expr)
C2 = sp.simplify(sc.formula("power_law_df2_asymptotic").expr * S.kappa ** (1 / beta))
df2 = show("df2 ~ C2 kappa^(-1/beta) (catalogue: power_law_df2_asymptotic)", C2 * S.kappa ** (-1 / beta))
printed_h1 = df2 * (T / S.T0 + S.phi0) / ((1 - S.phi0) * T)  # max(T/T0, phi0) read as the sum
check(
    "H.1 with d = phi0 T0 (the max read as the sum of its two terms)",
    rho.expr.subs(S.d, S.phi0 * S.T0),
    printed_h1,
)

heading("eqs. (24), (26): the classical exponents (n = 0), solved by SymPy")
lc = show("ell_crit: the clean bias and variance rates balance (scaling.ell_crit)", scaling.ell_crit(beta, r))
check("eq. (26), ell_crit = beta/(2 beta rbar + 1)", lc, beta / (2 * beta * rbar + 1))
c = show("the error exponent at ell_crit (scaling.minimax_rate)", scaling.minimax_rate(beta, r))
check("eq. (24), c = 2 beta rbar/(2 beta rbar + 1)", c, 2 * beta * rbar / (2 * beta * rbar + 1))
fast = show(
    "noiseless clean optimum (scaling.optimal_exponent(noisy=False))",
    scaling.optimal_exponent(beta, r, noisy=False),
)
check("the fast rate 2 beta rbar at ell = beta (H.2)", fast, 2 * beta * rbar)

erratum("B13")
gamma = scaling_laws._lemma_I_1()["bias"]
show("derived: kappa^2 w0' Sigma (Sigma + kappa)^-2 w0 ~ kappa^gamma, gamma", gamma)
kap = sp.Symbol("kappa_", positive=True)
check("bias ~ kappa^gamma with gamma = 2 rbar", kap**gamma, kap ** (2 * rbar))
check("H.2 as printed, bias ~ kappa^-gamma: B13 erratum", kap**gamma, kap ** (-2 * rbar), expect_equal=False)
li, delta = sp.Symbol("lambda_i", positive=True), 1 + beta * (2 * r - 1)
summand = show(
    "derived summand: kappa^2 c_i^2 lambda_i/(lambda_i + kappa)^2 with c_i^2 = lambda_i^(delta/beta)",
    kap**2 * li ** (delta / beta) * li / (li + kap) ** 2,
)
check(
    "= lambda_i^(1 + delta/beta)/(1 + kappa^-1 lambda_i)^2",
    summand,
    li ** (1 + delta / beta) / (1 + li / kap) ** 2,
)
check(
    "H.2 as printed, lambda_i^(1 + delta/beta)/(lambda_i + kappa^-1 lambda_i)^2: B13 erratum",
    summand,
    li ** (1 + delta / beta) / (li + li / kap) ** 2,
    expect_equal=False,
)
