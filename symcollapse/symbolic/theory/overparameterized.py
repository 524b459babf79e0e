r"""Over-parameterised generators and the general chain (paper section 4.5, Theorems 4.5-4.6).

The generator step is the two-point deterministic equivalent at :math:`(\kappa_0,T_0)`,
:math:`\kappa_0=\kappa(0,T_0)` (:func:`~symcollapse.symbolic.functionals.two_point_matrix`):

.. math:: \mathbb E P\asymp\Sigma(\Sigma+\kappa_0)^{-1},\qquad
          \mathbb E[PBP]\asymp\Phi(B)=\Sigma(\Sigma+\kappa_0)^{-1}B\Sigma(\Sigma+\kappa_0)^{-1}
          +\kappa_0^2\frac{\operatorname{tr}[B\Sigma(\Sigma+\kappa_0)^{-2}]}{T_0-\mathrm{df}_2(\kappa_0)}\Sigma(\Sigma+\kappa_0)^{-2}.

For :math:`\Sigma=I_d` every one of these is exact in expectation (:math:`\mathbb EP=\frac{T_0}{d}I`,
:math:`P^2=P`, :math:`\mathbb E(XX^\top)^{-1}` an inverse-Wishart mean), and the peeling recursion
(independent designs: :math:`\Phi` applied once per generator) solves in closed form:

.. math:: E_{test}=\|w_0\|^2\big(1-2\eta\bar a+\eta\bar m\big)+\mathrm{Var}
          +\sigma_0^2\,\bar m\,\frac{T_0}{d-T_0-1}\,S,\qquad
          \eta=(T_0/d)^n,\ S=\sum_{k<n}(T_0/d)^k

(the same design: :math:`\eta=T_0/d`, :math:`S=n`), with the downstream
:math:`\bar a=\frac1d\mathbb E\operatorname{tr}\hat\Sigma R` and
:math:`\bar m=\frac1d\mathbb E\operatorname{tr}(\hat\Sigma R)^2`.  Noise-free, ridgeless with
:math:`T\ge d+2` (:math:`\bar a=\bar m=1`) this is Theorem 4.6, :math:`\Delta Bias=(1-\eta)\|w_0\|^2`,
and Theorem 4.5 for the same design.
"""

from __future__ import annotations

from functools import cache

import mpmath
import sympy as sp

from symcollapse.symbolic import symbols as S
from symcollapse.symbolic.formula import Condition, Formula
from symcollapse.symbolic.functionals import _tidy_signs, df, isotropic, one_point, two_point_matrix
from symcollapse.symbolic.theory._derive import Derivation
from symcollapse.symbolic.theory.collapse import generator_factor
from symcollapse.symbolic.theory.ols import theorem_4_1

__all__ = [
    "theorem_4_6_schedule",
    "isotropic_generator",
    "isotropic_chain_independent",
    "isotropic_chain_same",
    "theorem_4_5",
    "theorem_4_6",
    "null_predictor_threshold",
    "more_data_constant",
    "lemma_F_8_printed",
]

_l = S.eig[S.j]
_b = sp.Symbol("b_B", positive=True)  # a scalar multiple of the identity, B = b I


@cache
def isotropic_generator(step: Derivation | None = None) -> dict[str, sp.Expr]:
    """Sigma = I, T0 < d: kappa0, the mean projection p, Phi on b*I, and C = E[X^+X^+'] / I."""
    step = step or Derivation()
    eq = step("generator: df1(kappa0) = T0 with Sigma = I", sp.Eq(isotropic(df(1, S.kappa0)), S.T0))
    k0 = step("solve for kappa0", sp.solve(eq, S.kappa0)[0])
    p = step(
        "E[P] ~ Sigma (Sigma + kappa0)^-1", sp.simplify(isotropic(one_point(S.kappa0)).subs(S.kappa0, k0))
    )
    phi_b = isotropic(two_point_matrix(_b, S.kappa0, S.T0)).subs(S.kappa0, k0)
    phi_b = step("Phi(b I) from the two-point equivalent", sp.factor(sp.simplify(phi_b)))
    C = isotropic(generator_factor()).subs(S.kappa0, k0) * (S.d - S.T0) / (S.d - S.T0 - 1)
    C = step(
        "E[X^+ X^+'] (one-point derivative) times the finite-size factor (d-T0)/(d-T0-1)",
        sp.factor(sp.simplify(C)),
    )
    return {"kappa0": k0, "p": p, "phi_b": phi_b, "C": C}


def _downstream_isotropic() -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """abar, mbar, Var of the downstream ridge for Sigma = I, in kappa and phi = d/T."""
    abar = isotropic(one_point(S.kappa))
    mbar = isotropic(two_point_matrix(_l, S.kappa, S.T)).subs(S.T, S.d / S.phi)
    var = isotropic(S.sigma**2 * df(2, S.kappa) / (S.T - df(2, S.kappa))).subs(S.T, S.d / S.phi)
    return abar, sp.factor(sp.simplify(mbar)), sp.factor(sp.simplify(var))


def _chain_isotropic(design: str) -> tuple[sp.Expr, tuple]:
    step = Derivation()
    gen = isotropic_generator(step)
    p, C = gen["p"], gen["C"]
    if sp.simplify(gen["phi_b"] - p * _b) != 0:  # pragma: no cover - a derived identity
        raise RuntimeError("isotropic Phi is not multiplication by p")
    step(
        "so Phi(b I) = p b I with p = T0/d: one generator multiplies second moments by p",
        sp.Eq(sp.Symbol("Phi(b)"), p * _b),
    )
    k = sp.Symbol("k", integer=True, nonnegative=True)
    y = sp.Function("y")
    if design == "independent":
        rec = sp.rsolve(y(k + 1) - p * y(k), y(k), {y(0): 1})
        eta = step("independent designs: E[Q] and E[Q'Q] solve y(k+1) = p y(k), y(0) = 1", rec.subs(k, S.n))
        noise_sum = step(
            "noise of generator m passes through the n-1-m later ones: S = sum_{k<n} p^k",
            sp.summation(p**k, (k, 0, S.n - 1)),
        )
        if isinstance(noise_sum, sp.Piecewise):
            noise_sum = step(
                "T0 <= d - 2, so p = T0/d != 1: the geometric-series branch", sp.factor(noise_sum.args[-1][0])
            )
    else:
        eta = step("same design: one projection, E[Q] = E[Q'Q] = p", p)
        noise_sum = step("same design: the n noises add on one design, S = n", S.n)
    abar, mbar, var = _downstream_isotropic()
    step(
        "downstream (Sigma = I): abar = E tr(Shat R)/d, mbar = E tr(Shat R)^2/d, Var",
        sp.Tuple(abar, mbar, var),
    )
    W = S.w0_sq
    expr = W * (1 - 2 * eta * abar + eta * mbar) + var + S.sigma0**2 * mbar * S.d * C * noise_sum
    expr = step("E = ||w0||^2 (1 - 2 eta abar + eta mbar) + Var + sigma0^2 mbar d C S", expr)
    return expr, step.done()


_ISO_REGIME = (
    Condition(sp.Ge(S.lam, 0, evaluate=False), "lam >= 0"),
    Condition(S.T0 <= S.d - 2, "T0 <= d - 2"),
    Condition(sp.Gt(S.phi, 0, evaluate=False), "phi = d/T > 0"),
)


@cache
def isotropic_chain_independent() -> Formula:
    expr, steps = _chain_isotropic("independent")
    return Formula(
        name="isotropic_chain_independent",
        title="Test error of the chain, isotropic, over-parameterised generators, independent designs",
        lhs=r"E_{test}",
        expr=expr,
        reference="Theorem 4.6 with noise (peeling recursion, docs/theory.md)",
        regime=_ISO_REGIME,
        derivation=steps,
        notes="Exact in the generator chain for Gaussian designs; the downstream abar, mbar, Var "
        "are deterministic equivalents (kappa = kappa_isotropic(lam, phi)).",
    )


@cache
def isotropic_chain_same() -> Formula:
    expr, steps = _chain_isotropic("same")
    return Formula(
        name="isotropic_chain_same",
        title="Test error of the chain, isotropic, over-parameterised generator, the same design",
        lhs=r"E_{test}",
        expr=expr,
        reference="Theorem 4.5 with noise (condition (17))",
        regime=_ISO_REGIME + (Condition(sp.Ge(S.n, 1, evaluate=False), "n >= 1 (n = 0 is clean data)"),),
        derivation=steps,
        notes="Exact in the generator chain for Gaussian designs; downstream as in Prop. 4.2.",
    )


def _bias_increase(general: Formula, name: str, title: str, reference: str) -> Formula:
    step = Derivation()
    step(f"{general.name}", general.expr)
    clean = general.expr.subs(S.n, 0) if general.name.endswith("independent") else None
    ridgeless = {S.kappa: 0, S.sigma0: 0}
    total = step(
        "noise-free generators, ridgeless downstream with T >= d + 2 (kappa = 0)",
        sp.simplify(general.expr.subs(ridgeless)),
    )
    base = sp.simplify((clean if clean is not None else general.expr.subs(S.T0, S.d)).subs(ridgeless))
    increase = sp.factor(sp.simplify(total - base))
    eta = sp.powsimp(sp.simplify(1 - increase / S.w0_sq), force=True)
    expr = step("minus the clean error: the bias increase (1 - eta) ||w0||^2", S.w0_sq * (1 - eta))
    return Formula(
        name=name,
        title=title,
        lhs=r"\Delta\mathrm{Bias}",
        expr=expr,
        reference=reference,
        exact=True,
        regime=(Condition(S.T0 < S.d, "T0 < d (over-parameterised generator)"),),
        derivation=step.done(),
        notes="Sigma = I, sigma0 = 0, lam -> 0+ with T >= d + 2; exact in expectation for "
        "Gaussian designs. With phi0 = d/T0: T0/d = 1/phi0.",
    )


@cache
def theorem_4_5() -> Formula:
    return _bias_increase(
        isotropic_chain_same(),
        "theorem_4_5",
        "Bias increase, the same over-parameterised design",
        "Theorem 4.5",
    )


@cache
def theorem_4_6() -> Formula:
    return _bias_increase(
        isotropic_chain_independent(),
        "theorem_4_6",
        "Bias increase, independent over-parameterised designs",
        "Theorem 4.6 (eta = (T0/d)^n; per generator, eta = prod_m min(1, T_m/d))",
    )


@cache
def theorem_4_6_schedule() -> Formula:
    step = Derivation()
    m = S.m
    over = isotropic_generator()["p"]  # T0 < d: E[P] ~ T0/d
    under = isotropic(one_point(sp.S.Zero))  # T0 >= d: kappa0 = 0, P = I
    step(
        "one isotropic generator multiplies second moments by p = E[P] (Phi(b I) = p b I, "
        "derived in isotropic_chain_independent): p = T0/d if T0 < d, and 1 if T0 >= d "
        "(kappa0 = 0)",
        sp.Tuple(over, under),
    )
    if sp.simplify(over - under - (S.T0 - S.d) / S.d) != 0:  # pragma: no cover - derived identity
        raise RuntimeError("the isotropic generator factors do not order with T0 - d")
    p_m = step(
        "the smaller one is the right one on each side (T0/d - 1 = (T0 - d)/d): "
        "p_m = min of the two at T0 = T0[m]",
        sp.Min(over, under).subs(S.T0, S.T0_m[m]),
    )
    eta = step(
        "independent designs peel one generator at a time: eta = product of the p_m",
        sp.Product(p_m, (m, 0, S.n - 1)),
    )
    expr = step("Delta Bias = ||w0||^2 (1 - eta) (noise-free, ridgeless, T >= d + 2)", S.w0_sq * (1 - eta))
    return Formula(
        name="theorem_4_6_schedule",
        title="Bias increase, independent designs, per-generation sizes",
        lhs=r"\Delta\mathrm{Bias}",
        expr=expr,
        exact=True,
        reference="Theorem 4.6 (eta = prod_m min(1, 1/phi_m))",
        derivation=step.done(),
        notes="Sigma = I, sigma0 = 0, lam -> 0+ with T >= d + 2; exact in expectation. "
        "Evaluate with a sequence T0=[...] (n values).",
    )


@cache
def null_predictor_threshold() -> Formula:
    step = Derivation()
    collapse = step("collapse term of Theorem 4.1", sp.expand(theorem_4_1().expr).coeff(S.n) * S.n)
    W = sp.Symbol("W_Sigma", positive=True)
    eq = step(
        "it equals the null predictor's error ||w0||_Sigma^2 = SNR0 sigma0^2",
        sp.Eq(collapse, S.SNR0 * S.sigma0**2),
    )
    expr = step("solve for n", sp.solve(eq, S.n)[0])
    del W
    return Formula(
        name="null_predictor_threshold",
        title="Generations after which the collapsed model is worse than predicting zero",
        lhs=r"n^\star",
        expr=_tidy_signs(sp.factor(expr)),
        reference="remark after Theorem 4.1 (corrected, B3)",
        regime=(Condition(S.phi0 < 1, "phi0 = d/T0 < 1"),),
        derivation=step.done(),
        notes="The paper prints SNR0/(1/phi0 - 1) (B3). For finite samples and any lam use "
        "sc.null_predictor_generations.",
    )


@cache
def more_data_constant() -> Formula:
    step = Derivation()
    m = sp.Symbol("m", integer=True, positive=True)
    series = step(
        "generation m >= 2 on T_m = m log^2(m) T0 samples adds 1/(m log^2 m) of the "
        "clean error (low-dimensional limit, T = T0, sigma = sigma0)",
        1 + sp.Sum(1 / (m * sp.log(m) ** 2), (m, 2, sp.oo)),
    )
    x, N = sp.Symbol("x", positive=True), sp.Symbol("N", integer=True, positive=True)
    f = 1 / (x * sp.log(x) ** 2)
    tail = step(
        "the tail beyond N by Euler-Maclaurin: int_N^oo f + f(N)/2 - f'(N)/12 "
        "+ f^(3)(N)/720 (the series converges like 1/log N, too slowly to sum directly)",
        sp.integrate(f, (x, N, sp.oo)) + (f / 2 - sp.diff(f, x) / 12 + sp.diff(f, x, 3) / 720).subs(x, N),
    )
    cut = 10_000
    with mpmath.workdps(40):
        head = mpmath.fsum(1 / (mpmath.mpf(k) * mpmath.log(k) ** 2) for k in range(2, cut))
        total = 1 + head + sp.lambdify(N, tail, "mpmath")(mpmath.mpf(cut))
    value = step(
        f"value: 1 + sum_(m=2)^({cut - 1}) + tail(N = {cut}) (next term < 1e-20)",
        sp.Float(mpmath.nstr(total, 25), 25),
    )
    return Formula(
        name="more_data_constant",
        title="Constant factor of the error when each generation gets more data",
        lhs=r"E_{test}/E_{test}^{clean}",
        expr=series,
        numeric_expr=value,
        reference="remark after Theorem 4.1 (B20)",
        derivation=step.done(),
        notes="A constant-factor statement: natural logs, the low-dimensional limit d/T_m -> 0, "
        "T = T0 and sigma = sigma0; the m = 1 term is not defined by the formula. "
        "SymPy's evalf (3.1082) and mpmath's default nsum (2.9400) of this slowly "
        "converging series are both wrong; the value here uses an explicit "
        "Euler-Maclaurin tail.",
    )


def lemma_F_8_printed(n_gen: int) -> sp.Expr:
    """Lemma F.8 as printed: u'Q'Sigma Q v ~ u' Sigma^n prod_m A_m v (diagonal), for display."""
    km = sp.IndexedBase("kappa")
    Tm = sp.IndexedBase("T")
    m = sp.Symbol("m", integer=True, nonnegative=True)
    A = (_l + km[m]) ** -2 * (_l**2 + km[m] ** 2 * df(2, km[m]) / (Tm[m] - df(2, km[m])))
    return _l**n_gen * sp.Product(A, (m, 0, n_gen - 1))
