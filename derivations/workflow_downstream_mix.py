"""Real and synthetic data mixed downstream; strong collapse (Dohmatob, Feng, Subramonian & Kempe,
arXiv 2410.04840) on the pipeline engine.

The downstream ridge trains on round(alpha T) real rows (noise sigma) and the rest labelled by a
synthetic teacher: a fixed w2 with noise sigma2, or the output of an n-generation chain (noise
sigma).  The teachers are independent of the downstream rows, so the engine's rules apply, and
the disagreement of the two teachers on a row acts as label noise.

What the script does, with p2 = 1 - alpha and Delta = w2 - w0:

1. derives the error with the engine (spectral sums) and checks it against the effective-teacher
   form: clean ridge on the target w0 + p2 Delta with noise alpha sigma^2 + p2 sigma2^2 +
   alpha p2 ||Delta||_Sigma^2, measured against w0 (isotropic Sigma, in closed form);
2. the T -> infinity floor at fixed alpha (kappa -> lam): ||Sigma (Sigma + lam)^-1 (w0 + p2 Delta)
   - w0||_Sigma^2, which tends to p2^2 ||Delta||_Sigma^2 as lam -> 0 (a synthetic fraction that
   never washes out); the ridge that minimises it (isotropic: SymPy solves d floor/d lam = 0), which
   lowers the floor but cannot remove it; a fixed number n2 of synthetic rows (p2 = n2/T) removes it
   like (n2/T)^2;
3. shows the floor by simulation: the gap to the clean curve stops shrinking as T grows;
4. the chain as synthetic teacher: the engine's result equals the worked example of
   derivations/README.md (new_result_mixture.py) with its exact exchangeability factor
   c_f = f (f T - 1)/(T - 1) replaced by f^2 (their difference is O(1/T)); alpha = 1 is clean ridge
   and alpha = 0 the replace chain.

Run: python derivations/workflow_downstream_mix.py
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from _narrate import check, heading, show
from _workflows import substitute

import symcollapse as sc
from symcollapse.symbolic import symbols as S

d, T, lam, k = S.d, S.T, S.lam, S.kappa
alpha = sp.Symbol("alpha", nonnegative=True)
p2 = 1 - alpha
s, s2 = S.sigma, sp.Symbol("sigma2", nonnegative=True)
a, b, c = sp.symbols("A B C", real=True)  # isotropic: ||w0||^2, ||Delta||^2, Delta.w0


def fixed_teacher_error() -> sp.Expr:
    """The engine's derivation of downstream_mix with a fixed teacher, in the workflow's symbols."""
    e, w = sc.isotropic(5)
    pipe = sc.workflows.downstream_mix(T=100, alpha=0.5, sigma=0.2, lam=1e-2, w2=w + 0.1, sigma2=0.3)
    der = pipe.derive()

    def rule(name: str):
        return {
            "T_downstream_0": alpha * T,
            "T_downstream_1": p2 * T,
            "sigma_downstream_0": s,
            "sigma_downstream_1": s2,
            "kappa_downstream": k,
        }.get(name)

    return substitute(der.test_error, rule), der


def main() -> None:
    heading("the declaration (fixed teacher w2)")
    e5, w5 = sc.isotropic(5)
    print(sc.workflows.downstream_mix(T=100, alpha=0.5, sigma=0.2, lam=1e-2, w2=w5 + 0.1, sigma2=0.3))

    heading("1. the engine's derivation, and the effective-teacher form (isotropic Sigma)")
    E, _ = fixed_teacher_error()
    show("test error (spectral sums over lambda_j, c_j = w0_j, Delta_j = w2_j - w0_j)", E)
    gamma = d / (T * (1 + k) ** 2)  # df2/T for Sigma = I_d
    wbar2 = a + 2 * p2 * c + p2**2 * b  # ||w0 + p2 Delta||^2
    noise = alpha * s**2 + p2 * s2**2 + alpha * p2 * b
    effective = show(
        "isotropic effective-teacher form (A = ||w0||^2, B = ||Delta||^2, "
        "C = Delta.w0): clean ridge on w0 + p2 Delta with noise alpha sigma^2 + "
        "p2 sigma2^2 + alpha p2 B, measured against w0",
        (k**2 * wbar2 / (1 + k) ** 2 + noise * gamma) / (1 - gamma)
        - 2 * p2 * k * (c + p2 * b) / (1 + k)
        + p2**2 * b,
    )
    heading("2. the floor as T -> infinity at fixed alpha")
    print(
        "  kappa -> lam and df2/T -> 0: floor(lam) = sum_j lambda_j (lambda_j/(lambda_j + lam)"
        " (c_j + p2 Delta_j) - c_j)^2"
    )
    la, ca, Da = sp.symbols("lambda_j c_j Delta_j", real=True)
    summand = la * (la / (la + lam) * (ca + p2 * Da) - ca) ** 2
    show("its summand", summand)
    zero_ridge = show("lam -> 0", sp.limit(summand, lam, 0))
    check(
        "floor(0) = p2^2 ||Delta||_Sigma^2 (summand p2^2 lambda_j Delta_j^2)", zero_ridge, p2**2 * la * Da**2
    )
    iso_floor = show(
        "isotropic floor(lam): ||(w0 + p2 Delta)/(1 + lam) - w0||^2",
        sp.simplify(
            (a + 2 * p2 * c + p2**2 * b - 2 * (1 + lam) * (a + p2 * c) + (1 + lam) ** 2 * a) / (1 + lam) ** 2
        ),
    )
    best = show("the ridge minimising it (solve d floor/d lam = 0)", sp.solve(sp.diff(iso_floor, lam), lam))
    check("lam* = p2 (p2 B + C)/(A - p2 C)... at C = 0: p2^2 B / A", best[0].subs(c, 0), p2**2 * b / a)
    at_best = show(
        "floor(lam*) at Delta orthogonal to w0", sp.simplify(iso_floor.subs(lam, best[0]).subs(c, 0))
    )
    check(
        "floor(lam*) = p2^2 B A/(A + p2^2 B) > 0: lower than p2^2 B, never zero",
        at_best,
        p2**2 * b * a / (a + p2**2 * b),
    )
    heading(
        "2'. the ridge minimising the error at finite T (isotropic d = 50, dense scan of the "
        "engine over lam; the pipeline evaluates a whole lam grid at once)"
    )
    rng = np.random.default_rng(5)
    w0 = rng.standard_normal(50) / np.sqrt(50)
    dl = rng.standard_normal(50) * 0.3 / np.sqrt(50)
    dl -= (dl @ w0) / (w0 @ w0) * w0  # Delta orthogonal to w0 (C = 0)
    A, B, pv = float(w0 @ w0), float(dl @ dl), 0.2
    lam_star = pv**2 * B / A
    floor_star = pv**2 * B * A / (A + pv**2 * B)
    lams = np.logspace(-4, 1, 801)
    print(
        f"  closed form (T -> infinity): lam* = {lam_star:.5f}, floor(lam*) = {floor_star:.6f}, "
        f"floor(0) = {pv**2 * B:.6f}"
    )
    for Tv in (10**3, 10**4, 10**5, 10**6):
        pipe = sc.workflows.downstream_mix(T=Tv, alpha=0.8, sigma=0.2, lam=lams, w2=w0 + dl, sigma2=0.2)
        err = pipe.predict(np.ones(50), w0).test_error
        i = int(np.argmin(err))
        print(f"  T = {Tv:7d}: best lam on the scan {lams[i]:.5f}, error {err[i]:.6f}")
    if not (abs(lams[i] / lam_star - 1) < 0.02 and abs(err[i] / floor_star - 1) < 1e-3):
        raise SystemExit("derivation check failed: the finite-T optimum does not approach lam*")
    print(
        "  check: at T = 1e6 the scanned optimum is within the scan's resolution of lam* and "
        "its error within 1e-3 of floor(lam*)"
    )
    n2 = sp.Symbol("n2", positive=True)
    washed = show(
        "a fixed number n2 of synthetic rows: p2 = n2/T, floor(0) = (n2/T)^2 B -> 0",
        sp.limit((n2 / T) ** 2 * b, T, sp.oo),
    )
    check("the floor vanishes when p2 -> 0", washed, sp.S.Zero)

    heading("1'. the engine against the effective-teacher form at exact points (isotropic)")
    d_val, T_val, lam_val = 20, 60, sp.Rational(1, 10)
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal(d_val) / np.sqrt(d_val)
    w2 = w0 + rng.standard_normal(d_val) * 0.3 / np.sqrt(d_val)
    for av in (0.2, 0.5, 0.9):
        pipe = sc.workflows.downstream_mix(
            T=T_val, alpha=av, sigma=0.2, lam=float(lam_val), w2=w2, sigma2=0.3
        )
        engine = float(pipe.predict(np.ones(d_val), w0).test_error)
        kap = float(sc.predict(np.ones(d_val), w0, T=T_val, lam=float(lam_val)).kappa)
        R = round(av * T_val)
        aa = 1 - R / T_val
        vals = {
            a: float(w0 @ w0),
            b: float((w2 - w0) @ (w2 - w0)),
            c: float((w2 - w0) @ w0),
            d: d_val,
            T: T_val,
            k: kap,
            s: 0.2,
            s2: 0.3,
        }
        eff = float(effective.subs(alpha, 1 - aa).subs(vals))
        print(f"  alpha = {av}: engine {engine:.12f}, effective-teacher form {eff:.12f}")
        if abs(engine - eff) > 1e-10 * abs(eff):
            raise SystemExit("derivation check failed: engine vs effective-teacher form")
    print("  check: equal to 1e-10 at every alpha")

    heading("3. the floor by simulation: power law d = 50, alpha = 0.9, lam = 1e-4, 100 reps")
    e, w = sc.power_law(50, 1.5, 0.5)
    w2 = w + np.random.default_rng(3).standard_normal(50) * 0.1
    fl = 0.1**2 * float(np.sum(e * (w2 - w) ** 2))
    print(f"  floor p2^2 ||Delta||_Sigma^2 = {fl:.5f}")
    print("       T    clean (theory)   mixed (theory)   mixed (simulation)        gap")
    for Tv in (100, 400, 1600, 6400):
        pipe = sc.workflows.downstream_mix(T=Tv, alpha=0.9, sigma=0.2, lam=1e-4, w2=w2, sigma2=0.2)
        th = float(pipe.predict(e, w).test_error)
        clean = float(sc.predict(e, w, T=Tv, lam=1e-4, sigma=0.2).test_error)
        sim = pipe.simulate(e, w, reps=100, seed=Tv)
        z = (th - sim.mean) / sim.stderr
        print(
            f"  {Tv:6d}   {clean:.5f}          {th:.5f}          {sim.mean:.5f} +- "
            f"{sim.stderr:.5f}   {sim.mean - clean:.5f}  (z = {z:+.2f})"
        )
        if abs(z) > 4 + 2 / 50 * th / sim.stderr:
            raise SystemExit("derivation check failed: theory vs simulation")
    print(
        "  check: every point within 4 standard errors + 2/d; the gap to the clean curve "
        "stops shrinking at the floor"
    )

    heading("4. the chain as synthetic teacher: the worked example of derivations/README.md")
    import runpy
    import sys
    from pathlib import Path

    here = Path(__file__).resolve().parent
    sys.path.insert(0, str(here))
    worked = runpy.run_path(str(here / "new_result_mixture.py"), run_name="not_main")["derive"]()
    f = 1 - alpha
    cf = f * (f * T - 1) / (T - 1)
    E_mix = worked.expr
    show("the worked example (exact exchangeability factor c_f)", E_mix)
    gap = show("f^2 - c_f: O(1/T)", sp.factor(f**2 - cf))
    check("f^2 - c_f = f (1 - f)/(T - 1)", gap, f * (1 - f) / (T - 1))
    # the engine, on a spectrum, against both
    e, w = sc.power_law(60, 1.2, 0.5)
    for av in (0.3, 0.7):
        kw = dict(n=2, T0=150, sigma0=0.5, T=180, alpha=av, sigma=0.3, lam=0.1)
        engine = float(sc.workflows.downstream_mix(**kw).predict(e, w).test_error)
        exact_cf = float(
            worked.evaluate(eigenvalues=e, w0=w, alpha=av, lam=0.1, T=180, T0=150, n=2, sigma=0.3, sigma0=0.5)
        )
        print(
            f"  alpha = {av}: engine {engine:.8f}; worked example (exact c_f) {exact_cf:.8f}; "
            f"relative difference {abs(engine - exact_cf) / exact_cf:.1e} (O(1/T) = "
            f"{1 / 180:.1e})"
        )
        if abs(engine - exact_cf) > 2 / 180 * exact_cf:
            raise SystemExit("derivation check failed: engine vs worked example")
    e, w = sc.power_law(40, 2.0, 0.5)
    kw = dict(n=2, T0=60, sigma0=0.4, T=50, sigma=0.2, lam=1e-2)
    zero = float(sc.workflows.downstream_mix(alpha=0.0, **kw).predict(e, w).test_error)
    rep = float(sc.workflows.replace(**kw).predict(e, w).test_error)
    one = float(sc.workflows.downstream_mix(alpha=1.0, **kw).predict(e, w).test_error)
    clean = float(sc.predict(e, w, T=50, lam=1e-2, sigma=0.2).test_error)
    if not (np.isclose(zero, rep, rtol=1e-12) and np.isclose(one, clean, rtol=1e-12)):
        raise SystemExit("derivation check failed: the alpha = 0 and alpha = 1 limits")
    print("  check: alpha = 0 is the replace chain and alpha = 1 clean ridge (to 1e-12)")


if __name__ == "__main__":
    main()
