"""The remarks after Theorem 4.1: when the collapsed model is worse than the null predictor
(erratum B3) and the constant factor when each generation gets more data (erratum B20).

What it shows: the derivation of the null-predictor threshold n* (solve "collapse term of
Theorem 4.1 = ||w0||_Sigma^2" for n), checked against the corrected statement, with the printed
one disagreeing (B3); and the more-data constant 1 + sum_{m>=2} 1/(m log^2 m), summed with an
explicit Euler-Maclaurin tail (the series converges like 1/log N) (B20). The errata's printed and
corrected statements are read from symcollapse.errata().

Run: python derivations/theorem_4_1_remarks.py
"""

import sympy as sp
from _narrate import check, erratum, narrate, show

from symcollapse.symbolic import symbols as S

phi0 = S.phi0
nul = narrate("null_predictor_threshold")
erratum("B3")
check("corrected threshold n* = SNR0 (1/phi0 - 1)", nul.expr, S.SNR0 * (1 / phi0 - 1))
check(
    "printed threshold SNR0/(1/phi0 - 1): B3 erratum", nul.expr, S.SNR0 / (1 / phi0 - 1), expect_equal=False
)

c = narrate("more_data_constant")
erratum("B20")
value = c.evaluate()
show(f"value: {value:.12f} (1 + sum over m >= 2 of 1/(m ln^2 m) = 1 + 2.1097 = 3.1097)")
m = sp.Symbol("m", integer=True, positive=True)
partial = float(1 + sp.Sum(1 / (m * sp.log(m) ** 2), (m, 2, 10**4 - 1)).evalf(15))
show(
    f"the partial sum to m = 9999 alone is {partial:.6f}: the tail beyond is still "
    f"{value - partial:.4f} (~ 1/log N), which is why the value needs the Euler-Maclaurin tail"
)
check(
    "the constant to 4 digits, 3.1097 (erratum B20: a constant-factor statement)",
    sp.Float(round(value, 4)),
    sp.Float(3.1097),
)
