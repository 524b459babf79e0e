"""Accumulating data (Gerstgrasser et al., arXiv 2404.01413) on the pipeline engine.

Generation m trains on every earlier generation's rows and labels, kept as they were, plus T0
new rows labelled by fit m - 1 (noise sigma0); the downstream trains on all of it plus T rows
labelled by fit n (noise sigma).  Here a fit's teachers depend on its own earlier rows, so the
deterministic-equivalent rules do not apply; two exact least-squares identities do, and the
engine derives from them (``sc.workflows.accumulate(...).derive()``):

1. one design X0 for every block (T = T0): every fit is least squares on X0's rows, so
   w_m = P w0 + X0^+ sum_l gamma_{m,l} eps_l with gamma_m = (1/m) sum_k (gamma_{k-1} + e_k):
   gamma_{n,i} = 1/i, and E = d/(T0 - d - 1) (sigma0^2 sum_{i<=n} 1/i^2 + sigma^2/(n+1)^2)
   for T0 >= d + 2 and every Sigma (Gerstgrasser et al.'s sum; at most pi^2/6 times the
   single-fit error);
2. fresh designs: from the normal equations, e_m = e_{m-1} + S_m^{-1} X_m' eps_m with S_m the Gram
   matrix of all N_m accumulated rows, and by exchangeability of rows
   E[S^{-1} X_m'X_m S^{-1}] = (T_m/N_m) E[S^{-1}] = (T_m/N_m) Sigma^{-1}/(N_m - d - 1):
   E = sum_i sigma_i^2 (T_i/N_i) d/(N_i - d - 1), exact for every N_i >= d + 2.

The script checks both against the engine's derivation symbolically for n = 0..5, takes the
n -> infinity limits with SymPy, and compares with a seeded Monte-Carlo of the declaration.

Run: python derivations/workflow_accumulate.py
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from _narrate import check, heading, show
from _workflows import substitute

import symcollapse as sc
from symcollapse.symbolic import symbols as S

d, T0, s0, s = S.d, S.T0, S.sigma0, S.sigma
i = sp.Symbol("i", integer=True, positive=True)


def engine_result(n: int, design: str) -> sp.Expr:
    """The engine's test error of ``accumulate(n, design)`` with every block's rows set to T0."""
    pipe = sc.workflows.accumulate(n=n, T0=60, sigma0=0.5, T=60, sigma=0.3, design=design)
    der = pipe.derive(d_value=20)  # every fit on >= d + 2 rows: the exact (kappa = 0) forms

    def rule(name: str):
        if name.startswith("T_"):
            return T0
        if name.startswith("sigma_"):
            return s if name.startswith("sigma_downstream") else s0
        return None

    return sp.simplify(substitute(der.test_error, rule).doit())


def main() -> None:
    heading("the declaration (n = 2, one design)")
    print(sc.workflows.accumulate(n=2, T0=60, sigma0=0.5, T=60, sigma=0.3, design="same"))

    heading("one design X0: w_m = P w0 + X0^+ sum_i eps_i / i")
    for n in range(0, 6):
        got = engine_result(n, "same")
        printed = (
            d
            / (T0 - d - 1)
            * (s0**2 * sp.Add(*[sp.Rational(1, k**2) for k in range(1, n + 1)]) + s**2 / (n + 1) ** 2)
        )
        show(f"n = {n}: the engine's derivation", got)
        check(f"accumulate, same design, n = {n} (Gerstgrasser et al.'s sum)", got, printed)
    limit = show(
        "n -> infinity (sigma = sigma0): d sigma0^2/(T0 - d - 1) * sum_i 1/i^2",
        d * s0**2 / (T0 - d - 1) * sp.summation(1 / i**2, (i, 1, sp.oo)),
    )
    check("the pi^2/6 bound", limit, sp.pi**2 / 6 * d * s0**2 / (T0 - d - 1))
    replace = sc.workflows.replace(n=3, T0=60, sigma0=0.5, T=60, sigma=0.5, design="same")
    rep = sp.simplify(
        substitute(
            replace.derive(d_value=20).test_error,
            lambda nm: T0 if nm.startswith("T_") else s0 if nm.startswith("sigma_") else None,
        )
    )
    check(
        "the replace chain on one design grows linearly: (n + 1) d sigma0^2/(T0 - d - 1)",
        rep,
        4 * d * s0**2 / (T0 - d - 1),
    )

    heading("fresh designs: e_m = e_{m-1} + S_m^-1 X_m' eps_m, E[S^-1 G_m S^-1] = (T_m/N_m) E[S^-1]")
    for n in range(0, 6):
        got = engine_result(n, "fresh")
        printed = sp.Add(
            *[(s0 if k <= n else s) ** 2 * sp.Rational(1, k) * d / (k * T0 - d - 1) for k in range(1, n + 2)]
        )
        check(f"accumulate, fresh designs, n = {n}: sum_i sigma_i^2 (1/i) d/(i T0 - d - 1)", got, printed)
    term_fresh = 1 / (i * (i * T0 - d - 1))
    term_same = 1 / (i**2 * (T0 - d - 1))
    gap = show(
        "each fresh term is below the same-design one: the denominators differ by",
        sp.factor(sp.expand(1 / term_fresh - 1 / term_same)),
    )
    check("denominator gap i (i - 1)(d + 1) >= 0", gap, i * (i - 1) * (d + 1))
    import mpmath

    fresh_limit = mpmath.nsum(lambda k: 1 / (k * (40 * k - 11)), [1, mpmath.inf])
    show(
        "n -> infinity, fresh designs, d = 10, T0 = 40 (mpmath.nsum of d sum_i 1/(i (i T0 - d "
        "- 1)), in units of d/(T0 - d - 1))",
        sp.Float(float(29 * fresh_limit), 6),
    )
    print(f"      same design: pi^2/6 = {np.pi**2 / 6:.4f}")

    heading(
        "Monte-Carlo of the declaration (d = 10, T0 = T = 40, sigma0 = sigma = 1, n = 7, "
        "4000 repetitions; errors in units of d/(T0 - d - 1))"
    )
    e, w = sc.isotropic(10)
    for design in ("same", "fresh"):
        pipe = sc.workflows.accumulate(n=7, T0=40, sigma0=1.0, T=40, sigma=1.0, design=design)
        theory = float(pipe.predict(e, w).test_error)
        sim = pipe.simulate(e, w, reps=4000, seed=11)
        z = (theory - sim.mean) / sim.stderr
        print(
            f"  {design:5s}: theory {theory / (10 / 29):.4f}, simulation "
            f"{sim.mean / (10 / 29):.4f} +- {sim.stderr / (10 / 29):.4f}, z = {z:+.2f}"
        )
        if abs(z) > 4:
            raise SystemExit(f"derivation check failed: accumulate {design} against simulation")
    print("  check: both within 4 standard errors (the identities are exact: no allowance)")


if __name__ == "__main__":
    main()
