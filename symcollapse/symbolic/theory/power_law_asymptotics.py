r"""Continuum asymptotics of the power-law functionals as :math:`\kappa\to0` (paper Section 5, Lemma I.1).

Spectrum :math:`\lambda_k=k^{-\beta}` (:math:`\beta>1`), target :math:`c_k=k^{-\delta/2}`,
:math:`\delta=1+\beta(2r-1)`, infinitely many modes.  Every functional is a sum
:math:`\sum_k f(k)` with :math:`f(x)=x^{a}(1+\kappa x^\beta)^{-m}`.  When the integral converges at
both ends, :math:`\sum_k f(k)\sim\int_0^\infty f\,dx`, and the substitution :math:`u=\kappa x^\beta`
turns it into a Beta integral,

.. math::
    \int_0^\infty x^a(1+\kappa x^\beta)^{-m}dx=\frac{\kappa^{-p}}{\beta}\int_0^\infty
    \frac{u^{p-1}}{(1+u)^m}du=\frac{\kappa^{-p}}{\beta}B(p,m-p),\qquad p=\frac{a+1}\beta,\ 0<p<m .

At :math:`p=0` (:math:`a=-1`) the sum grows like :math:`\log(1/\kappa)/\beta`; its constant term is
:math:`\gamma_E` (the Euler-Maclaurin constant of :math:`\sum1/k`) plus :math:`1/\beta` times the
finite part of :math:`B(s,m-s)` at :math:`s=0`, i.e. :math:`-\gamma_E-\psi(m)`.  For :math:`p<0` the
sum converges at :math:`\kappa=0` to a zeta value.

All constants below are derived by SymPy (``integrate`` in ``u``, ``gammasimp``, ``series``);
the typed forms of the brief (``C1 = (pi/beta)/sin(pi/beta)``, ...) are checked in the tests.
The leading-order collapse coefficient and test errors come from the catalogue's eq. (19) and
Proposition 4.2 at leading order in :math:`\mathrm{df}_m/T,\mathrm{df}_m/d\to0` (the limit of
:mod:`symcollapse.symbolic.theory._leading`, shared with :mod:`symcollapse.symbolic.scaling`), with the power-law
:math:`\mathrm{df}_2` inserted; the :math:`r=1` bias term is the dominant term of
:func:`power_law_bias_boundary` as :math:`\kappa\to0`.
The formulas are leading-order (``exact=False``) and contain special functions (gamma, zeta,
polygamma), so evaluate them with :func:`numeric` (SciPy) rather than ``Formula.evaluate``
(NumPy printer).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import sympy as sp

from symcollapse.symbolic import symbols as S
from symcollapse.symbolic.formula import Condition, Formula
from symcollapse.symbolic.theory._derive import Derivation
from symcollapse.symbolic.theory._leading import DF2, dominant_term, leading, rho_19_leading
from symcollapse.symbolic.theory.clean_ridge import proposition_4_2_bias, proposition_4_2_variance

__all__ = [
    "power_law_df1_asymptotic",
    "power_law_df2_asymptotic",
    "power_law_bias_asymptotic",
    "power_law_bias_boundary",
    "power_law_bias_saturated",
    "lemma_I_1",
    "power_law_collapse_rho_leading",
    "power_law_clean_error_leading",
    "power_law_collapsed_error_leading",
    "beta_integral",
    "log_finite_part",
    "numeric",
    "catalogue_entries",
]

beta, r, kappa, T, T0, d, ell = S.beta, S.r, S.kappa, S.T, S.T0, S.d, S.ell
sigma, sigma0, n = S.sigma, S.sigma0, S.n
_u = sp.Symbol("u", positive=True)
_x = sp.Symbol("x", positive=True)
_s = sp.Symbol("s")
#: Lemma I.1 symbols: D = 1/kappa, exponents m_I (denominator) and n_I (numerator)
D = sp.Symbol("D", positive=True)
m_I = sp.Symbol("m_I", positive=True)
n_I = sp.Symbol("n_I", positive=True)

_REF = "Section 5 (eqs. 23-27), App. H.1-H.2, Lemma I.1"
_CAPACITY = Condition(beta > 1, "beta > 1 (capacity)")
_SMALL_KAPPA = Condition(kappa < 1, "kappa -> 0 (leading order; small kappa)")


def beta_integral(a: sp.Expr, m: sp.Expr, step: Derivation | None = None, *, reflect: bool = True) -> sp.Expr:
    r""":math:`\int_0^\infty x^a(1+\kappa x^\beta)^{-m}dx`, derived after :math:`u=\kappa x^\beta`.

    Returns the convergent branch (the caller states the condition :math:`0<p<m`).  With
    ``reflect=False`` the Gamma-function form is kept (``gammasimp`` would apply the reflection
    formula, giving a removable 0/0 such as r = 1/2 in the bias constant)."""
    step = step or Derivation()
    p = sp.simplify((a + 1) / beta)
    integrand = _x**a * (1 + kappa * _x**beta) ** (-m)
    step("integrand f(x) = x^a (1 + kappa x^beta)^-m", integrand)
    # x = (u/kappa)^(1/beta), dx = (1/beta) kappa^(-1/beta) u^(1/beta - 1) du
    xu = (_u / kappa) ** (1 / beta)
    jac = sp.diff(xu, _u)
    in_u = sp.powsimp(sp.expand_power_base(integrand.subs(_x, xu) * jac, force=True), force=True)
    in_u = step("substitute u = kappa x^beta", sp.simplify(in_u))
    prefactor = sp.simplify(in_u / (_u ** (p - 1) * (1 + _u) ** (-m)))
    step("split off the kappa-dependence", prefactor)
    P, M = sp.symbols("P M", positive=True)
    raw = sp.integrate(_u ** (P - 1) * (1 + _u) ** (-M), (_u, 0, sp.oo), conds="none")
    raw = step("Beta integral int_0^oo u^(p-1) (1+u)^-m du", raw.subs({P: p, M: m}))
    const = sp.simplify(prefactor * kappa**p) * raw
    if reflect:
        return step("gammasimp", sp.gammasimp(const) * kappa ** (-p))
    return step("Gamma-function form", sp.powsimp(const * kappa ** (-p)))


def log_finite_part(m: sp.Expr, step: Derivation | None = None) -> sp.Expr:
    r"""Constant term of :math:`\sum_k k^{-1}(1+\kappa k^\beta)^{-m}-\log(1/\kappa)/\beta` as
    :math:`\kappa\to0`: :math:`\gamma_E+\mathrm{FP}_{s=0}B(s,m-s)/\beta`."""
    step = step or Derivation()
    mellin = sp.integrate(_u ** (_s - 1) * (1 + _u) ** (-m), (_u, 0, sp.oo), conds="none")
    step("Mellin transform of (1+u)^-m (the a = -1 case of the Beta integral at p = s)", mellin)
    ser = sp.series(sp.gammasimp(mellin), _s, 0, 1).removeO()
    fp = step("finite part at s = 0 (drop the 1/s pole)", sp.simplify(ser - 1 / _s))
    return step(
        "sum_k 1/k - int_1^oo dx/x -> EulerGamma; int_kappa^oo g(u) du/u = log(1/kappa) + finite part",
        sp.EulerGamma + fp / beta,
    )


def _formula(name, title, lhs, expr, regime, step, notes=""):
    return Formula(
        name=name,
        title=title,
        lhs=lhs,
        expr=expr,
        reference=_REF,
        regime=tuple(regime),
        exact=False,
        derivation=step.done(),
        notes=notes,
    )


@cache
def power_law_df1_asymptotic() -> Formula:
    step = Derivation()
    step(
        "df1 = sum_k lambda_k/(lambda_k + kappa) = sum_k (1 + kappa k^beta)^-1 -> integral "
        "(error O(1) = o(kappa^(-1/beta)))",
        sp.Symbol("df_1"),
    )
    expr = beta_integral(sp.Integer(0), sp.Integer(1), step)
    return _formula(
        "power_law_df1_asymptotic",
        "df1 for a power-law spectrum, kappa -> 0",
        r"\mathrm{df}_1(\kappa)",
        expr,
        (_CAPACITY, _SMALL_KAPPA),
        step,
    )


@cache
def power_law_df2_asymptotic() -> Formula:
    step = Derivation()
    step(
        "df2 = sum_k lambda_k^2/(lambda_k + kappa)^2 = sum_k (1 + kappa k^beta)^-2 -> integral",
        sp.Symbol("df_2"),
    )
    expr = beta_integral(sp.Integer(0), sp.Integer(2), step)
    return _formula(
        "power_law_df2_asymptotic",
        "df2 for a power-law spectrum, kappa -> 0",
        r"\mathrm{df}_2(\kappa)",
        expr,
        (_CAPACITY, _SMALL_KAPPA),
        step,
    )


def _bias_exponent(step: Derivation) -> sp.Expr:
    delta = 1 + beta * (2 * r - 1)
    step(
        "kappa^2 c_k^2 lambda_k/(lambda_k + kappa)^2 = kappa^2 k^(beta - delta) (1 + kappa k^beta)^-2",
        kappa**2 * _x ** (beta - delta) * (1 + kappa * _x**beta) ** -2,
    )
    return step("a = beta - delta", sp.expand(beta - delta))


@cache
def power_law_bias_asymptotic() -> Formula:
    step = Derivation()
    a = _bias_exponent(step)
    step(
        "p = (a + 1)/beta = 2(1 - r): the integral converges iff 0 < p < 2, i.e. 0 < r < 1",
        sp.simplify((a + 1) / beta),
    )
    expr = step(
        "kappa^2 times the Beta integral",
        sp.powsimp(kappa**2 * beta_integral(a, 2, step, reflect=False), force=True),
    )
    return _formula(
        "power_law_bias_asymptotic",
        "bias functional for a power-law spectrum, r < 1, kappa -> 0",
        r"\kappa^2 w_0^\top\Sigma(\Sigma+\kappa)^{-2}w_0",
        expr,
        (_CAPACITY, Condition(r < 1, "0 < r < 1"), _SMALL_KAPPA),
        step,
        notes="Relative correction O(kappa^(2-2r)) (the zeta-like head constant).",
    )


@cache
def power_law_bias_boundary() -> Formula:
    step = Derivation()
    a = _bias_exponent(step)
    step("at r = 1: a = -1, the Beta integral diverges logarithmically", a.subs(r, 1))
    c0 = log_finite_part(sp.Integer(2), step)
    expr = step("kappa^2 [log(1/kappa)/beta + constant]", kappa**2 * (sp.log(1 / kappa) / beta + c0))
    return _formula(
        "power_law_bias_boundary",
        "bias functional for a power-law spectrum at r = 1 (log factor of Lemma I.1)",
        r"\kappa^2 w_0^\top\Sigma(\Sigma+\kappa)^{-2}w_0",
        expr,
        (_CAPACITY, Condition(sp.Eq(r, 1), "r = 1"), _SMALL_KAPPA),
        step,
        notes="Leading term kappa^2 log(1/kappa)/beta; the constant EulerGamma - 1/beta "
        "is the next order (error o(kappa^2)).",
    )


@cache
def power_law_bias_saturated() -> Formula:
    step = Derivation()
    a = _bias_exponent(step)
    step("r > 1: a < -1, the sum converges at kappa = 0 (dominated convergence)", a)
    expr = step("kappa^2 sum_k k^a = kappa^2 zeta(-a)", kappa**2 * sp.zeta(sp.expand(-a)))
    return _formula(
        "power_law_bias_saturated",
        "bias functional for a power-law spectrum, r > 1 (saturation)",
        r"\kappa^2 w_0^\top\Sigma(\Sigma+\kappa)^{-2}w_0",
        expr,
        (_CAPACITY, Condition(r > 1, "r > 1"), _SMALL_KAPPA),
        step,
        notes="Relative correction O(kappa^min(1, 2(r-1))) (log at r = 3/2).",
    )


@cache
def lemma_I_1() -> Formula:
    step = Derivation()
    step("S(D) = sum_k lambda_k^n/(1 + D lambda_k)^m, lambda_k = k^-beta, kappa = 1/D", sp.Symbol("S"))
    step(
        "1 + D x^-beta = D x^-beta (1 + kappa x^beta): summand = D^-m x^(beta(m-n)) (1 + kappa x^beta)^-m",
        D**-m_I * _x ** (beta * (m_I - n_I)) * (1 + kappa * _x**beta) ** -m_I,
    )
    a = beta * (m_I - n_I)
    conv = beta_integral(a, m_I, step).subs(kappa, 1 / D)
    conv = step(
        "m > n - 1/beta (p = m - n + 1/beta > 0): D^-m times the Beta integral",
        sp.gammasimp(sp.powsimp(D**-m_I * conv, force=True)),
    )
    logc = log_finite_part(m_I, step)
    boundary = step("m = n - 1/beta: D^-m [log(D)/beta + constant]", D**-m_I * (sp.log(D) / beta + logc))
    head = step(
        "m < n - 1/beta: the head dominates, D^-m zeta(beta(n - m))", D**-m_I * sp.zeta(beta * (n_I - m_I))
    )
    expr = sp.Piecewise((conv, m_I > n_I - 1 / beta), (boundary, sp.Eq(m_I, n_I - 1 / beta)), (head, True))
    step("c' = min(m, n - 1/beta); log factor at m = n - 1/beta", expr)
    return _formula(
        "lemma_I_1",
        "Lemma I.1 with exact constants",
        r"\sum_k\lambda_k^{n}(1+D\lambda_k)^{-m}",
        expr,
        (
            Condition(sp.Gt(beta, 0, evaluate=False), "beta > 0"),
            Condition(n_I * beta > 1, "n beta > 1"),
            Condition(sp.Ge(m_I, 0, evaluate=False), "m >= 0"),
            Condition(D > 1, "D -> oo (large D)"),
        ),
        step,
        notes="Symbols D, m_I, n_I are local to this module (n, m clash with the "
        "canonical generation symbols).",
    )


@cache
def power_law_collapse_rho_leading() -> Formula:
    step = Derivation()
    lead = rho_19_leading(step)
    df2 = step("df2 from power_law_df2_asymptotic: C2 kappa^(-1/beta)", power_law_df2_asymptotic().expr)
    expr = step("insert df2 ~ C2 kappa^(-1/beta) and collect", sp.factor(lead.subs(DF2, df2)))
    return _formula(
        "power_law_collapse_rho_leading",
        "collapse coefficient (19) for a power-law spectrum, leading order",
        r"\rho",
        expr,
        (
            _CAPACITY,
            _SMALL_KAPPA,
            Condition(T0 >= d + 2, "T0 >= d + 2"),
            Condition(d * kappa ** (1 / beta) > 1, "d >> kappa^(-1/beta)"),
        ),
        step,
        notes="At fixed d with kappa -> 0, df2 -> d and rho saturates at d/(T0-d) "
        "(Theorem 5.1 assumes d infinite); this form needs d >> kappa^(-1/beta).",
    )


def _clean_leading(step: Derivation) -> sp.Expr:
    step(
        "lam = T^-ell, ell < beta: kappa = lam/(1 - df1/T) ~ T^-ell (df1/T ~ T^(ell/beta - 1))",
        sp.Eq(kappa, T**-ell),
    )
    step(
        "Prop. 4.2: E = bias + variance; at leading order (df2/T -> 0) the bias is the bias functional",
        leading(proposition_4_2_bias().expr),
    )
    b_lt = power_law_bias_asymptotic().expr
    b_eq = step(
        "r = 1: the leading term of power_law_bias_boundary as kappa -> 0 (the term t with lim t/bias != 0)",
        dominant_term(power_law_bias_boundary().expr, kappa),
    )
    b_gt = power_law_bias_saturated().expr
    bias = sp.Piecewise((b_lt, r < 1), (b_eq, sp.Eq(r, 1)), (b_gt, True)).subs(kappa, T**-ell)
    bias = step(
        "bias ~ C_B T^(-2 ell r) (r < 1), T^(-2 ell) ell log T/beta (r = 1), zeta T^(-2 ell) (r > 1)",
        sp.piecewise_fold(sp.powsimp(sp.expand_log(bias, force=True), force=True)),
    )
    var = step("Prop. 4.2 variance at leading order (df2/T -> 0)", leading(proposition_4_2_variance().expr))
    var = step(
        "insert df2 ~ C2 kappa^(-1/beta) (power_law_df2_asymptotic), kappa = T^-ell: "
        "variance ~ sigma^2 C2 T^(-(1 - ell/beta))",
        sp.powsimp(var.subs(DF2, power_law_df2_asymptotic().expr).subs(kappa, T**-ell), force=True),
    )
    return bias + var


@cache
def power_law_clean_error_leading() -> Formula:
    step = Derivation()
    expr = step("E_clean ~ bias + variance", _clean_leading(step))
    return _formula(
        "power_law_clean_error_leading",
        "clean test error for a power-law spectrum, lam = T^-ell, leading order",
        r"E_{test}",
        expr,
        (_CAPACITY, Condition(ell < beta, "0 <= ell < beta"), Condition(T > 1, "T -> oo (large T)")),
        step,
        notes="E ~ const T^(-e), e = min(2 ell min(r,1), 1 - ell/beta) (log at r = 1).",
    )


@cache
def power_law_collapsed_error_leading() -> Formula:
    step = Derivation()
    clean = _clean_leading(step)
    rho = power_law_collapse_rho_leading().expr.subs(kappa, T**-ell)
    rho = step(
        "rho ~ C2 T^(ell/beta) (T + d)/((T0 - d) T), i.e. (27): max(T/T0, phi0) T^-(1 - ell/beta)/(1 - phi0)",
        sp.powsimp(rho, force=True),
    )
    expr = step("(27): E ~ bias + variance + n sigma0^2 rho", clean + n * sigma0**2 * rho)
    return _formula(
        "power_law_collapsed_error_leading",
        "test error after n generations for a power-law spectrum (eq. 27 with constants)",
        r"E_{test}(\hat w_n^{pred})",
        expr,
        (
            _CAPACITY,
            Condition(ell < beta, "0 <= ell < beta"),
            Condition(T > 1, "T -> oo (large T)"),
            Condition(T0 >= d + 2, "T0 >= d + 2"),
            Condition(d > T ** (ell / beta), "d >> T^(ell/beta)"),
        ),
        step,
    )


def numeric(formula: Formula):
    """SciPy/NumPy callable of ``formula.expr`` taking its free symbols by keyword (name)."""
    syms = sorted(formula.expr.free_symbols, key=lambda s: s.name)
    fn = sp.lambdify(syms, formula.expr, modules=["scipy", "numpy"])

    def call(**values):
        missing = [s.name for s in syms if s.name not in values]
        if missing:
            raise TypeError(f"{formula.name}() missing argument(s) {missing}")
        with np.errstate(all="ignore"):
            return fn(*[np.asarray(values[s.name], dtype=float) for s in syms])

    call.__name__ = formula.name
    return call


def catalogue_entries():
    """{name: factory} for the catalogue."""
    return {
        f.__name__: f
        for f in (
            power_law_df1_asymptotic,
            power_law_df2_asymptotic,
            power_law_bias_asymptotic,
            power_law_bias_boundary,
            power_law_bias_saturated,
            lemma_I_1,
            power_law_collapse_rho_leading,
            power_law_clean_error_leading,
            power_law_collapsed_error_leading,
        )
    }
