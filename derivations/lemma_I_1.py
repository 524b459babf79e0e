"""Lemma I.1: sum_k lambda_k^n/(1 + D lambda_k)^m ~ D^-c' (log D when m = n - 1/beta),
c' = min(m, n - 1/beta), for lambda_k = k^-beta and D -> oo.

What it shows:
  1. the library's derivation with exact constants (catalogue ``lemma_I_1``: the substitution
     u = kappa x^beta turns the sum's integral into a Beta integral; the log case from the
     finite part of its Mellin transform; the head-dominated case a zeta value);
  2. the exponent c' read off those constants by log-derivatives
     (``symcollapse.scaling.lemma_I_1_exponent``, which the exponent calculus of Theorem 5.1
     uses), checked against the printed c' = min(m, n - 1/beta), and the log factor's coefficient;
  3. the constants checked numerically against the sum itself (direct summation, D = 1e2..1e6).

(The paper calls the exponent c; it is c' here, since c is the rate of eq. (24).)

Run: python derivations/lemma_I_1.py
"""

import numpy as np
import sympy as sp
from _narrate import check, heading, narrate, narrate_steps, show

from symcollapse.symbolic import scaling
from symcollapse.symbolic import symbols as S
from symcollapse.symbolic.theory import power_law_asymptotics as pla

f = narrate("lemma_I_1")

heading("the exponent c' from the constants (scaling.lemma_I_1_exponent)")
lem = scaling.lemma_I_1_exponent()
narrate_steps(lem["steps"])
m, nu = lem["m"], lem["nu"]
check("Lemma I.1, c' = min(m, n - 1/beta)", lem["c_prime"], sp.Min(m, nu - 1 / S.beta))
boundary = f.expr.args[1][0]
coef = show(
    "the log case: lim_{D -> oo} S(D)/(D^-m log D)",
    sp.limit(boundary / (pla.D**-pla.m_I * sp.log(pla.D)), pla.D, sp.oo),
)
check("the log factor log(D), with coefficient 1/beta", coef, 1 / S.beta)

heading("numerical check of the constants: direct summation")
evaluate = sp.lambdify((S.beta, pla.n_I, pla.m_I, pla.D), f.expr, modules=["scipy", "numpy"])
K = 2 * 10**6
k = np.arange(1, K + 1, dtype=float)
for beta, n, m_ in ((1.5, 1.0, 2.0), (2.0, 1.0, 0.5), (2.0, 2.0, 1.0)):
    errs = []
    for D in (1e2, 1e4, 1e6):
        lam = k**-beta
        direct = np.sum(lam**n / (1 + D * lam) ** m_)
        direct += (K + 0.5) ** (1 - beta * n) / (beta * n - 1)  # tail k > K: D lam << 1 there
        with np.errstate(all="ignore"):  # the lambdified Piecewise evaluates every branch
            errs.append(abs(direct / evaluate(beta, n, m_, D) - 1))
    case = ">" if m_ > n - 1 / beta else "=" if m_ == n - 1 / beta else "<"
    print(
        f"  beta={beta}, n={n}, m={m_} (m {case} n - 1/beta): relative error at D = 1e2, 1e4, "
        f"1e6: {', '.join(f'{e:.1e}' for e in errs)}"
    )
    if not errs[-1] < 2e-2:
        raise SystemExit("derivation check failed: Lemma I.1 constants against direct summation")
print("  check: Lemma I.1 constants agree with direct summation (relative error < 2e-2 at D = 1e6)")
