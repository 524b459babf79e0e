"""Continuum asymptotics of the power-law functionals (symcollapse.symbolic.theory.power_law_asymptotics).

(a) the SymPy-derived constants equal the typed closed forms;
(b) they match the exact sums (PowerLaw(beta, r, d=None).functionals) as kappa -> 0: the relative
    error exact/asymptotic - 1 DECREASES strictly over kappa = 1e-2, 1e-4, ..., 1e-10
    (measured: df1 at beta=2 3.2e-2 -> 3.2e-6; bias r=0.375 1.5e-4 -> 1.4e-14; r=1 with the
    constant 7e-4 -> 1.4e-12, leading log term alone 3.4e-2 -> 6.7e-3; r=1.5 4.4e-2 -> 2e-9);
(c) the leading-order clean (and collapsed) error approaches predict() on d = 10**6 modes as T grows:
    relative error decreasing over T = 1e2, 1e3, 1e4, 1e5 (measured at beta=2, r=0.375,
    ell=0.8, sigma=1: 1.4e-2, 1.1e-2, 6.2e-3, 2.9e-3).
"""

import numpy as np
import pytest
import sympy as sp
from scipy import special

import symcollapse as sc
from symcollapse.numeric.power_law import PowerLaw
from symcollapse.symbolic import symbols as S
from symcollapse.symbolic.theory import power_law_asymptotics as M

KAPPAS = np.array([1e-2, 1e-4, 1e-6, 1e-8, 1e-10])
TS = np.array([1e2, 1e3, 1e4, 1e5])


def _decreasing(err):
    err = np.asarray(err)
    return bool(np.all(np.diff(err) < 0)), err


# ---------------------------------------------------------------- (a) constants
def test_df_constants_match_typed_forms():
    b = S.beta
    C1 = M.power_law_df1_asymptotic().expr * S.kappa ** (1 / b)
    C2 = M.power_law_df2_asymptotic().expr * S.kappa ** (1 / b)
    typed1 = (sp.pi / b) / sp.sin(sp.pi / b)
    typed2 = (sp.pi * (b - 1) / b**2) / sp.sin(sp.pi / b)
    assert sp.simplify(C1 - typed1) == 0
    assert sp.simplify(C2 - typed2) == 0
    for val in (1.1, 1.5, 2.0, 3.0, 7.3):
        for c, t in ((C1, typed1), (C2, typed2)):
            assert abs(float(c.subs(b, val)) / float(t.subs(b, val)) - 1) < 1e-12


def test_bias_and_log_constants():
    b, r = S.beta, S.r
    CB = sp.powsimp(M.power_law_bias_asymptotic().expr * S.kappa ** (-2 * r), force=True)
    typed = sp.gamma(2 * r) * sp.gamma(2 - 2 * r) / b
    assert sp.simplify(CB - typed) == 0
    # reflection form pi (1-2r)/sin(2 pi r)/beta away from r = 1/2; value 1/beta at r = 1/2
    for rv in (0.1, 0.375, 0.7, 0.95):
        want = np.pi * (1 - 2 * rv) / np.sin(2 * np.pi * rv) / 2.0
        assert abs(float(CB.subs({b: 2, r: rv})) / want - 1) < 1e-12
    assert sp.simplify(CB.subs(r, sp.Rational(1, 2)) - 1 / b) == 0
    # r = 1: kappa^2 (log(1/kappa)/beta + EulerGamma - 1/beta)
    boundary = M.power_law_bias_boundary().expr
    want = S.kappa**2 * (sp.log(1 / S.kappa) / b + sp.EulerGamma - 1 / b)
    assert sp.simplify(boundary - want) == 0
    # r > 1: zeta(1 + 2 beta (r - 1))
    sat = M.power_law_bias_saturated().expr
    assert sp.simplify(sat - S.kappa**2 * sp.zeta(1 + 2 * b * (r - 1))) == 0


def test_H2_bias_is_kappa_to_the_gamma_B13():
    """B13: App. H.2 prints bias ~ kappa^-gamma and the summand
    lambda_i^(1 + delta/beta)/(lambda_i + lambda_i/kappa)^2; the bias functional
    kappa^2 w0' Sigma (Sigma + kappa)^-2 w0 ~ C kappa^gamma (gamma = 2r for r < 1) vanishes as
    kappa -> 0, and its summand is lambda_i^(1 + delta/beta)/(1 + lambda_i/kappa)^2."""
    b, r, k = S.beta, S.r, S.kappa
    bias = M.power_law_bias_asymptotic().expr
    assert not sp.powsimp(bias * k ** (-2 * r), force=True).has(k)  # ~ kappa^gamma
    assert sp.powsimp(bias * k ** (2 * r), force=True).has(k)  # not ~ kappa^-gamma
    assert sp.limit(bias.subs({b: 2, r: sp.Rational(3, 8)}), k, 0, "+") == 0
    li = sp.Symbol("lambda_i", positive=True)
    delta = 1 + b * (2 * r - 1)
    summand = k**2 * li ** (delta / b) * li / (li + k) ** 2  # c_i^2 = lambda_i^(delta/beta)
    assert sp.simplify(summand - li ** (1 + delta / b) / (1 + li / k) ** 2) == 0  # corrected
    assert sp.simplify(summand - li ** (1 + delta / b) / (li + li / k) ** 2) != 0  # printed
    # the exponent the scaling law uses: the clean noiseless error ~ T^(-2 ell rbar) = kappa^gamma
    from symcollapse.symbolic.scaling import error_exponent

    assert error_exponent(b, r, S.ell, noisy=False) == 2 * S.ell * sp.Min(1, r)


def test_formula_metadata():
    entries = M.catalogue_entries()
    for name in (
        "power_law_df1_asymptotic",
        "power_law_df2_asymptotic",
        "power_law_bias_asymptotic",
        "lemma_I_1",
        "power_law_clean_error_leading",
    ):
        assert name in entries
    for name, factory in entries.items():
        f = factory()
        assert f.name == name and f.exact is False and f.derivation and f.regime
        assert f.latex()
    regime = M.power_law_bias_asymptotic().regime_text()
    assert "r < 1" in regime and "beta > 1" in regime and "kappa" in regime


def test_leading_order_forms_match_typed_forms():
    """rho (19), the r = 1 bias term and the variance at leading order, typed here from the paper
    (C2 = pi (beta - 1)/(beta^2 sin(pi/beta))), against the forms derived from the catalogue."""
    b, k, T, T0, d, ell = S.beta, S.kappa, S.T, S.T0, S.d, S.ell
    C2 = sp.pi * (b - 1) / (b**2 * sp.sin(sp.pi / b))
    rho = M.power_law_collapse_rho_leading().expr
    typed_rho = C2 * k ** (-1 / b) / (T0 - d) + d / (T0 - d) * C2 * k ** (-1 / b) / T
    assert sp.simplify(rho - typed_rho) == 0
    clean = M.power_law_clean_error_leading().expr
    var = S.sigma**2 * C2 * T ** (ell / b - 1)
    at_r1 = sp.piecewise_fold(clean).subs(S.r, 1)
    assert sp.simplify(at_r1 - (T ** (-2 * ell) * ell * sp.log(T) / b + var)) == 0
    at_r = sp.piecewise_fold(clean).subs(S.r, sp.Rational(3, 8))
    CB = sp.gamma(sp.Rational(3, 4)) * sp.gamma(sp.Rational(5, 4)) / b
    assert sp.simplify(at_r - (CB * T ** (-ell * sp.Rational(3, 4)) + var)) == 0


def test_leading_order_forms_are_derived_from_the_catalogue():
    """The derivations narrate the SymPy operations on the catalogue formulas (not typed forms)."""
    from symcollapse.symbolic.theory import _leading
    from symcollapse.symbolic.theory.collapse import rho_underparameterized_asymptotic

    steps = M.power_law_collapse_rho_leading().derivation
    assert steps[0].expr == rho_underparameterized_asymptotic().expr
    assert any("epsilon" in s.text for s in steps)
    assert any("power_law_df2_asymptotic" in s.text for s in steps)
    assert steps[-1].expr == M.power_law_collapse_rho_leading().expr
    clean = M.power_law_clean_error_leading().derivation
    r1 = next(s for s in clean if "power_law_bias_boundary" in s.text)
    assert sp.simplify(r1.expr - S.kappa**2 * sp.log(1 / S.kappa) / S.beta) == 0
    # dominant_term: the log term dominates kappa^2 (EulerGamma - 1/beta) as kappa -> 0
    assert _leading.dominant_term(S.kappa + S.kappa**2 * sp.log(S.kappa), S.kappa) == S.kappa
    assert _leading.dominant_term(M.power_law_bias_boundary().expr, S.kappa) == r1.expr


# ---------------------------------------------------------------- (b) vs exact sums
@pytest.mark.parametrize("beta", [1.5, 2.0, 3.0])
def test_df_asymptotics_converge(beta):
    exact = PowerLaw(beta, 0.5).functionals(KAPPAS, ("df1", "df2"))
    for name, F in (("df1", M.power_law_df1_asymptotic()), ("df2", M.power_law_df2_asymptotic())):
        err = np.abs(exact[name] / M.numeric(F)(beta=beta, kappa=KAPPAS) - 1)
        ok, err = _decreasing(err)
        assert ok, (name, beta, err)
        assert err[-1] < 3e-4  # ~ kappa^(1/beta): 4e-8 (1.5), 3e-6 (2), 2e-4 (3)


@pytest.mark.parametrize(
    "beta, r, factory, last",
    [
        (2.0, 0.375, M.power_law_bias_asymptotic, 1e-12),  # r < 1
        (2.0, 0.5, M.power_law_bias_asymptotic, 1e-9),  # Gamma form finite at r = 1/2
        (1.5, 0.8, M.power_law_bias_asymptotic, 1e-3),  # correction ~ kappa^(2-2r)
        (2.0, 1.0, M.power_law_bias_boundary, 1e-10),  # r = 1: log factor + constant
        (2.0, 1.5, M.power_law_bias_saturated, 1e-7),  # r > 1: saturation (zeta)
        (3.0, 1.2, M.power_law_bias_saturated, 1e-3),
    ],
)
def test_bias_asymptotics_converge(beta, r, factory, last):
    exact = PowerLaw(beta, r).functionals(KAPPAS, ("bias_scaled",))["bias_scaled"]
    err = np.abs(exact / M.numeric(factory())(beta=beta, r=r, kappa=KAPPAS) - 1)
    ok, err = _decreasing(err)
    assert ok, err
    assert err[-1] < last, err


def test_bias_r1_leading_log_only():
    """The bare leading term kappa^2 log(1/kappa)/beta converges too, but only like 1/log."""
    exact = PowerLaw(2.0, 1.0).functionals(KAPPAS, ("bias_scaled",))["bias_scaled"]
    ok, err = _decreasing(np.abs(exact / (KAPPAS**2 * np.log(1 / KAPPAS) / 2.0) - 1))
    assert ok and err[-1] < 1e-2, err


def _lemma_sum(beta, n, m, D, K=10**6):
    k = np.arange(1, K + 1, dtype=float)
    lam = k**-beta
    head = np.array([np.sum(lam**n / (1 + Dv * lam) ** m) for Dv in D])
    # tail k > K by the midpoint rule, int_{K+1/2}^oo x^(-beta n) (1 + D x^-beta)^-m dx, expanded
    # in D x^-beta <= 1e-6 (binomial series, 4 terms)
    X = K + 0.5
    tail = sum(
        (-1) ** j
        * special.poch(m, j)
        / special.factorial(j)
        * D**j
        * X ** (1 - beta * (n + j))
        / (beta * (n + j) - 1)
        for j in range(4)
    )
    return head + tail


@pytest.mark.parametrize("beta, n, m", [(1.5, 1.0, 2.0), (2.0, 1.0, 0.5), (2.0, 2.0, 1.0)])
def test_lemma_I_1(beta, n, m):
    """m > n - 1/beta (Beta constant), m = n - 1/beta (log D), m < n - 1/beta (zeta).

    (beta = 2, n = 1, m = 2 is avoided: that sum is half a sum over Z of an even analytic
    function, equal to the integral up to exponentially small terms, err ~ 1e-16.)"""
    D = np.array([1e2, 1e4, 1e6])
    F = M.lemma_I_1()
    f = sp.lambdify([M.D], F.expr.subs({S.beta: beta, M.m_I: m, M.n_I: n}), modules=["scipy", "numpy"])
    approx = np.array([float(f(Dv)) for Dv in D])
    ok, err = _decreasing(np.abs(_lemma_sum(beta, n, m, D) / approx - 1))
    assert ok and err[-1] < 1e-2, err


# ---------------------------------------------------------------- (c) vs predict
@pytest.fixture(scope="module")
def spectrum():
    return sc.power_law(10**6, 2.0, 0.375)


def test_clean_error_leading_order(spectrum):
    eigs, w0 = spectrum
    beta, r, ell = 2.0, 0.375, 0.8
    exact = sc.predict(eigs, w0, T=TS, lam=TS**-ell, sigma=1.0).test_error
    lead = M.numeric(M.power_law_clean_error_leading())(T=TS, beta=beta, r=r, ell=ell, sigma=1.0)
    ok, err = _decreasing(np.abs(exact / lead - 1))
    assert ok and err[-1] < 5e-3, err  # measured 1.4e-2, 1.1e-2, 6.2e-3, 2.9e-3


def test_clean_error_leading_order_saturated():
    beta, r, ell = 2.0, 1.5, 0.5
    eigs, w0 = sc.power_law(10**6, beta, r)
    exact = sc.predict(eigs, w0, T=TS, lam=TS**-ell, sigma=1.0).test_error
    lead = M.numeric(M.power_law_clean_error_leading())(T=TS, beta=beta, r=r, ell=ell, sigma=1.0)
    ok, err = _decreasing(np.abs(exact / lead - 1))
    assert ok and err[-1] < 5e-2, err  # measured 0.20, 0.11, 0.061, 0.034


def test_collapsed_error_leading_order(spectrum):
    eigs, w0 = spectrum
    d, beta, r, ell = 10**6, 2.0, 0.375, 0.8
    kw = dict(T=TS, beta=beta, r=r, ell=ell, sigma=1.0)
    p = sc.predict(eigs, w0, T=TS, lam=TS**-ell, sigma=1.0, n=3, T0=2e7, sigma0=1.0)
    lead = M.numeric(M.power_law_collapsed_error_leading())(n=3, T0=2e7, sigma0=1.0, d=d, **kw)
    ok, err = _decreasing(np.abs(p.test_error / lead - 1))
    assert ok and err[-1] < 5e-3, err
    clean = M.numeric(M.power_law_clean_error_leading())(**kw)
    ok, err = _decreasing(np.abs(p.collapse / (lead - clean) - 1))
    assert ok and err[-1] < 1e-2, err  # measured 0.11, 0.041, 0.016, 0.0067
