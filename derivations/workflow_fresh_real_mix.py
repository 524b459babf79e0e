"""Fresh real data every generation (He et al. 2502.18049, Garg et al. 2509.22341, Bertrand et al.
2310.00429) on the pipeline engine.

Each generation trains on round(alpha T0) fresh real rows (teacher: the truth) and the rest fresh
rows labelled by the previous fit, all with noise sigma0; the downstream likewise (alpha T real
rows, the rest from fit n).  Every fit's teachers are independent of its rows, so the engine's
deterministic-equivalent rules apply; the teachers' disagreement on a fit's rows acts as extra
label noise, alpha (1 - alpha) tr(Sigma H_{m-1}).

For least-squares generators on T0 >= d + 2 rows the rules are exact in kappa = 0 form and, with
s = d/(T0 - d - 1), the generators' error E_m = tr(Sigma H_m) obeys a scalar recursion for every
Sigma:

    E_m = a E_{m-1} + s sigma0^2,   a = (1 - alpha) ((1 - alpha) + alpha s).

The script recovers a and the constant from the engine's derivation (n = 1, 2, 3), solves the
fixed point with SymPy, finds where it exists (a < 1: every alpha when s <= 2; alpha >
(s - 2)/(s - 1) when s > 2, below which the chain diverges FASTER than the pure replace chain,
alpha = 0, whose error grows linearly), and the alpha that minimises the limit (alpha = 1: with
a fixed budget of T0 rows per generation and equal noise, every real row helps).  He et al.'s
golden-ratio optimum belongs to a different estimator (a weighted combination of two fits on the
same design); pooled fresh rows have none.  Ridge and over-parameterised generators: the limit is
found numerically by iterating the engine.

Run: python derivations/workflow_fresh_real_mix.py
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from _narrate import check, heading, show
from _workflows import substitute

import symcollapse as sc
from symcollapse.pipeline import Pipeline
from symcollapse.symbolic import symbols as S

d, T0, s0 = S.d, S.T0, S.sigma0
alpha = sp.Symbol("alpha", nonnegative=True)
E = sp.Symbol("E_infinity")
s = sp.Symbol("s", positive=True)  # d/(T0 - d - 1)


def generators_error(n: int) -> sp.Expr:
    """E_n = tr(Sigma H_n) of the n-th generator (the pipeline without its downstream fit)."""
    pipe = sc.workflows.fresh_real_mix(n=n, T0=60, alpha=0.5, sigma0=0.5, T=50, sigma=0.1)
    der = Pipeline(pipe.fits[:-1]).derive(d_value=20)

    def rule(name: str):
        if name == "T_gen1":
            return T0
        if name.startswith("T_gen"):
            return alpha * T0 if name.endswith("_0") else (1 - alpha) * T0
        if name.startswith("sigma_"):
            return s0
        return None

    return sp.simplify(substitute(der.test_error, rule).subs(d, s * (T0 - 1) / (1 + s)))


def main() -> None:
    heading("the declaration (n = 2, alpha = 0.3)")
    print(sc.workflows.fresh_real_mix(n=2, T0=60, alpha=0.3, sigma0=0.5, T=50, sigma=0.1))

    heading("the generators' recursion, from the engine's derivation (T0 >= d + 2, any Sigma)")
    E1, E2, E3 = (
        show(f"E_{n} (d written through s = d/(T0 - d - 1))", generators_error(n)) for n in (1, 2, 3)
    )
    a_sym, b_sym = sp.symbols("a b")
    sol = sp.solve([E2 - (a_sym * E1 + b_sym), E3 - (a_sym * E2 + b_sym)], [a_sym, b_sym], dict=True)[0]
    a = show("a (solved from E_2 = a E_1 + b, E_3 = a E_2 + b)", sp.factor(sol[a_sym]))
    b = show("b", sp.factor(sol[b_sym]))
    check("a = (1 - alpha)((1 - alpha) + alpha s)", a, (1 - alpha) * ((1 - alpha) + alpha * s))
    check("b = s sigma0^2, and E_1 = b", b - E1, sp.S.Zero)
    check("b = s sigma0^2", b, s * s0**2)

    heading("n -> infinity: the fixed point")
    E_inf = show("E_infinity = solve(E = a E + b)", sp.solve(sp.Eq(E, a * E + b), E)[0])
    check(
        "E_infinity = s sigma0^2 / (alpha ((2 - s) + alpha (s - 1)))",
        E_inf,
        s * s0**2 / (alpha * ((2 - s) + alpha * (s - 1))),
    )
    crit = show("a = 1 at alpha = 0 and at", [r for r in sp.solve(sp.Eq(a, 1), alpha) if r != 0])
    check(
        "alpha_c = (s - 2)/(s - 1): the fixed point exists (a < 1) only for alpha > alpha_c",
        crit[0],
        (s - 2) / (s - 1),
    )
    check(
        "alpha = 0 is the replace chain: a = 1, E_n = n s sigma0^2 (linear growth)",
        a.subs(alpha, 0),
        sp.S.One,
    )
    slope = show(
        "d a / d alpha at alpha = 0: real data first makes the chain WORSE when s > 2",
        sp.diff(a, alpha).subs(alpha, 0),
    )
    check("d a/d alpha (0) = s - 2", slope, s - 2)
    dE = sp.factor(sp.diff(E_inf, alpha))
    show("d E_infinity / d alpha", dE)
    # the limit decreases on its whole domain: check the sign at exact points
    for sv in (sp.Rational(1, 2), 1, 2, 4, 10):
        lo = (sv - 2) / (sv - 1) if sv > 2 else sp.S.Zero
        for av in (lo + (1 - lo) * sp.Rational(k, 10) for k in range(1, 11)):
            if dE.subs({s: sv, alpha: av, s0: 1}) >= 0:
                raise SystemExit(f"derivation check failed: dE/dalpha >= 0 at s={sv}, alpha={av}")
    print(
        "  check: d E_infinity/d alpha < 0 at 50 exact points (s in {1/2, 1, 2, 4, 10}, alpha "
        "over (alpha_c, 1]): the minimising alpha is 1, E_infinity(1) = s sigma0^2"
    )
    check("E_infinity(alpha = 1) = s sigma0^2 (each generator a clean fit)", E_inf.subs(alpha, 1), s * s0**2)

    heading("the limit next to the replace chain (E / (s sigma0^2); replace: n)")
    print(
        "      s    alpha_c   "
        + "  ".join(f"a={x:<4}" for x in (0.1, 0.3, 0.5, 0.7, 0.9))
        + "   replace n=10"
    )
    for sv in (0.25, 1.0, 4.0):
        row = []
        for av in (0.1, 0.3, 0.5, 0.7, 0.9):
            value = (E_inf / (s * s0**2)).subs({s: sv, alpha: av})
            row.append(f"{float(value):6.3f}" if float(a.subs({s: sv, alpha: av})) < 1 else "   inf")
        ac = (sv - 2) / (sv - 1) if sv > 2 else 0.0
        print(f"  {sv:5.2f}   {ac:6.3f}   " + "  ".join(row) + "       10")

    heading("the same limit from the engine, numerically (iterate until it stops moving)")
    e, w = sc.isotropic(20)
    found = {}
    for label, T0v, lam0 in (
        ("least squares, s = 20/39", 60, 0.0),
        ("ridge generators lam0 = 0.1, T0 = 15 < d", 15, 0.1),
    ):
        values = [
            float(
                sc.workflows.fresh_real_mix(
                    n=n, T0=T0v, alpha=0.5, sigma0=0.5, T=10**6, sigma=0.0, lam=1e-9, lam0=lam0
                )
                .predict(e, w)
                .collapse
            )
            for n in (5, 10, 20, 40, 80)
        ]
        print(
            f"  {label}: downstream collapse at n = 5, 10, 20, 40, 80: "
            + ", ".join(f"{v:.6f}" for v in values)
        )
        found[lam0] = values
    sv = 20 / 39
    fixed = float((E_inf).subs({s: sv, alpha: sp.Rational(1, 2), s0: sp.Rational(1, 2)}))
    print(
        f"  least-squares fixed point E_infinity = {fixed:.6f} (downstream on T = 1e6 rows with "
        "alpha = 0.5 sees (1/2)^2 E_infinity plus its own disagreement term, (1/2)(1/2) E/T)"
    )
    if not all(np.isclose(v[-1], v[-2], rtol=1e-6) for v in found.values()):
        raise SystemExit("derivation check failed: a chain did not converge")
    if not np.isclose(found[0.0][-1], fixed / 4, rtol=1e-4):
        raise SystemExit("derivation check failed: the engine's limit is not E_infinity / 4")
    print(
        "  check: both sequences converge in n; the least-squares one to E_infinity/4 "
        "(relative gap below 1e-4, the downstream's O(1/T) terms)"
    )


if __name__ == "__main__":
    main()
