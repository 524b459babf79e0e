"""Exponent calculus (paper section 5, Appendix G, Cui et al.) against the printed forms typed here
independently of the library's derivation, plus slope fits of the exact deterministic equivalent
(``symcollapse.predict``) on power-law spectra with up to 10**6 modes."""

import functools
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import symcollapse as sc
from symcollapse.presentation import export
from symcollapse.symbolic import symbols as S
from symcollapse.symbolic.formula import Formula, Step
from symcollapse.symbolic.scaling import (
    collapse_exponent,
    corollary_5_2_ell_star,
    crossover,
    cui_crossover,
    cui_rate,
    cui_region,
    diverges_with_classical_ell,
    ell_crit,
    ell_star,
    error_exponent,
    minimax_rate,
    optimal_exponent,
    theorem_5_1,
)

R = sp.Rational


# ----------------------------------------------------------------- printed forms, typed here
def rb(r):
    return sp.Min(r, 1) if isinstance(r, sp.Basic) and r.free_symbols else min(r, 1)


def ell_crit_printed(beta, r):  # eq. (26)
    return beta / (2 * beta * rb(r) + 1)


def c_printed(beta, r):  # eq. (24)
    return 2 * beta * rb(r) / (2 * beta * rb(r) + 1)


def ell_star_printed(beta, r, a, b):  # eq. (28), hypothesis n sigma0^2 ~ T^a (B8)
    return min((b - a) * ell_crit_printed(beta, r), beta)


POINTS = [
    (R(2), R(3, 8)),
    (R(2), R(3, 2)),
    (R(3, 2), R(3, 4)),
    (R(5, 4), R(1)),
    (R(3), R(1, 5)),
    (R(7, 3), R(2)),
]


@pytest.mark.parametrize("beta, r", POINTS)
def test_clean_rates_are_the_classical_ones(beta, r):
    lc, c = ell_crit_printed(beta, r), c_printed(beta, r)
    assert ell_crit(beta, r) == lc
    assert minimax_rate(beta, r) == c
    assert error_exponent(beta, r, lc) == c  # high noise: T^-c at ell_crit
    assert ell_star(beta, r) == lc
    assert optimal_exponent(beta, r) == c
    assert ell_star(beta, r, noisy=False) == beta  # low noise: ell = beta
    assert error_exponent(beta, r, beta, noisy=False) == 2 * beta * rb(r)
    assert optimal_exponent(beta, r, noisy=False) == 2 * beta * rb(r)
    # Section 5, classical rate: E ~ T^(-2 ell rbar) + sigma^2 T^-(1 - ell/beta)
    for ell in (0, lc / 3, lc, (lc + beta) / 2):
        assert error_exponent(beta, r, ell) == min(2 * ell * rb(r), 1 - ell / beta)
        assert error_exponent(beta, r, ell, noisy=False) == 2 * ell * rb(r)


@pytest.mark.parametrize("beta, r", POINTS)
@pytest.mark.parametrize("a, b", [(0, R(1)), (0, R(1, 2)), (R(1, 5), R(9, 10)), (R(1, 3), R(1, 2))])
def test_corollary_5_2_as_printed_for_b_at_most_1(beta, r, a, b):
    lstar, c = ell_star_printed(beta, r, a, b), c_printed(beta, r)
    assert ell_star(beta, r, a=a, b=b, noisy=False) == lstar
    assert optimal_exponent(beta, r, a=a, b=b, noisy=False) == (b - a) * c  # inf E ~ T^-(b-a)c
    assert error_exponent(beta, r, lstar, a=a, b=b, noisy=False) == (b - a) * c
    assert 2 * rb(r) * lstar == (b - a) * c  # derived from (28)
    # fixed phi0 and d <~ T coincide for b <= 1
    assert ell_star(beta, r, a=a, b=b, noisy=False, d_exponent=b) == lstar


@pytest.mark.parametrize("beta, r", POINTS)
@pytest.mark.parametrize("a, b", [(0, R(3, 2)), (R(1, 2), R(2)), (0, R(5, 4))])
def test_corollary_5_2_as_printed_for_b_above_1_needs_d_at_most_T(beta, r, a, b):
    lstar, c = ell_star_printed(beta, r, a, b), c_printed(beta, r)
    if lstar < beta:
        assert ell_star(beta, r, a=a, b=b, noisy=False, d_exponent=1) == lstar
        assert optimal_exponent(beta, r, a=a, b=b, noisy=False, d_exponent=1) == (b - a) * c
    # with phi0 = d/T0 fixed (the default) the phi0 branch of (27) wins: min(b, 1) replaces b
    assert ell_star(beta, r, a=a, b=b, noisy=False) == (1 - a) * ell_crit_printed(beta, r)
    assert optimal_exponent(beta, r, a=a, b=b, noisy=False) == (1 - a) * c
    assert optimal_exponent(beta, r, a=a, b=b, noisy=False) < (b - a) * c  # printed is wrong


def test_corollary_5_2_capped_case_lies_outside_the_regime():
    beta, r = R(2), R(3, 8)  # ell_crit = 4/5: (b - a) ell_crit >= 2 for b >= 5/2
    with pytest.raises(ValueError, match="outside the regime"):
        ell_star(beta, r, b=3, noisy=False, d_exponent=1)
    # the crossover statement itself (Corollary 5.2's bullet) is reproduced with d <~ T
    co = crossover(beta, r, b=2, d_exponent=1)
    assert co.clean_rate == R(3, 2) and co.collapsed_rate == 2 * c_printed(beta, r)
    assert co.degraded is True
    assert co.b_threshold == 0 + 2 * beta * rb(r) + 1  # (b - a)c < 2 beta rbar <=> b < a + 2 beta rbar + 1
    assert crossover(beta, r, b=3, d_exponent=1).degraded is False
    assert crossover(beta, r, a=R(1, 2), b=3, d_exponent=1).b_threshold == R(1, 2) + R(5, 2)
    # with phi0 fixed the fast rate is never recovered
    fixed = crossover(beta, r, b=3)
    assert fixed.degraded is True and fixed.b_threshold == sp.oo
    assert fixed.collapsed_rate == c_printed(beta, r)


def test_B8_hypothesis_of_corollary_5_2_is_n_sigma0_squared_T_a():
    """B8: Corollary 5.2 prints the hypothesis n ~ T^b. Read literally (sigma0 fixed, so
    n sigma0^2 ~ T^b: a = b) the derived optimum is ell_star = 0 and the error does not decay,
    where (28) promises min((b - a) ell_crit, beta) > 0 (as derivations/corollary_5_2.py reads it,
    min(b ell_crit, beta)); with n sigma0^2 ~ T^a, T0 ~ T^b (a < b <= 1) the derivation gives (28)."""
    literal = corollary_5_2_ell_star().expr.subs(S.a, S.b)
    for beta, r in POINTS:
        for b in (R(1, 2), R(3, 4), R(1)):
            assert literal.subs({S.beta: beta, S.r: r, S.b: b}) == 0 < ell_star_printed(beta, r, 0, b)
            assert optimal_exponent(beta, r, a=b, b=b, noisy=False) == 0  # no decay
            for a in (0, b / 3):  # corrected hypothesis
                assert ell_star(beta, r, a=a, b=b, noisy=False) == ell_star_printed(beta, r, a, b) > 0


@pytest.mark.parametrize("beta, r", POINTS)
def test_eq_29_classical_ell_and_the_corrected_sign_B9(beta, r):
    lc, c = ell_crit_printed(beta, r), c_printed(beta, r)
    for a, b in [(0, R(9, 10)), (R(1, 2), R(4, 5)), (R(1, 4), R(1)), (R(3, 5), R(1, 2))]:
        if lc >= beta * b:
            continue  # outside the regime of (27)
        rate = c + b - a - 1  # E >~ T^-(c + b - a - 1)
        assert collapse_exponent(beta, r, lc, a=a, b=b) == rate
        if rate < c:
            assert error_exponent(beta, r, lc, a=a, b=b, noisy=False) == rate
        assert diverges_with_classical_ell(beta, r, a=a, b=b) is bool(b < a + 1 - c)
        printed = bool(b >= a + 1 - c)  # as printed in the paper
        assert diverges_with_classical_ell(beta, r, a=a, b=b) is (not printed)
    # symbolic: the corrected condition b < a + 1 - c (1 - c = 1/(2 beta rbar + 1))
    cond = diverges_with_classical_ell(S.beta, S.r, a=S.a, b=S.b, d_exponent=1)
    assert isinstance(cond, sp.StrictLessThan) and cond.lhs == S.b
    assert sp.simplify(cond.rhs - (S.a + 1 - c_printed(S.beta, S.r))) == 0
    default = diverges_with_classical_ell(S.beta, S.r, a=S.a, b=S.b)
    assert default.lhs == sp.Min(1, S.b)


@pytest.mark.parametrize("beta, r", POINTS)
@pytest.mark.parametrize("a, b", [(0, R(1)), (0, R(1, 2)), (R(1, 5), R(9, 10)), (R(1, 10), R(1, 3))])
def test_appendix_G_noisy_regime(beta, r, a, b):
    lc, c = ell_crit_printed(beta, r), c_printed(beta, r)
    gamma = min(1, b - a)
    grid = [k * beta / 16 for k in range(16)]
    for ell in grid:
        if ell >= beta * b:
            continue
        e = error_exponent(beta, r, ell, a=a, b=b)
        if ell <= lc:
            assert e == min(2 * ell * rb(r), b - a - ell / beta)
        else:
            assert e == gamma - ell / beta
    assert ell_star(beta, r, a=a, b=b) == min(ell_star_printed(beta, r, a, b), lc)
    assert optimal_exponent(beta, r, a=a, b=b) == c * gamma  # derived from (28)
    at_crit = error_exponent(beta, r, lc, a=a, b=b) if lc < beta * b else None
    if at_crit is not None:
        assert at_crit == min(c, gamma - 1 / (2 * beta * rb(r) + 1))
        assert bool(at_crit > 0) is bool(b > a + 1 / (2 * beta * rb(r) + 1))


def test_B16_collapse_vanishes_iff_ell_below_beta_times_b_minus_a():
    beta, r, a, b = R(2), R(3, 8), R(1, 5), R(9, 10)
    lstar = ell_star_printed(beta, r, a, b)
    for k in range(1, 36):
        ell = k * beta * b / 36
        assert bool(collapse_exponent(beta, r, ell, a=a, b=b) > 0) is bool(ell < beta * (b - a))
    ell = (lstar + beta * (b - a)) / 2  # above ell_star, yet consistent
    assert lstar < ell < beta * (b - a)
    assert error_exponent(beta, r, ell, a=a, b=b) > 0
    assert error_exponent(beta, r, ell, a=a, b=b, noisy=False) > 0


# ----------------------------------------------------------------- Cui et al., n = 0
def test_cui_four_regions():
    beta, r = R(2), R(1, 2)
    assert cui_region(beta, r, 3, noisy=False) == ("noiseless, ell > beta", 2 * beta * rb(r))
    assert cui_region(beta, r, 1, noisy=False) == ("noiseless, ell < beta", 2 * 1 * rb(r))
    assert cui_region(beta, r, 1, noisy=True) == ("noisy, ell < beta", 1 - R(1, 2))
    assert cui_region(beta, r, 3, noisy=True) == ("noisy, ell > beta", 0)
    assert cui_region(2.0, 0.5, 1.0).rate == pytest.approx(0.5)
    assert cui_rate(beta, R(3, 2), 1, noisy=False) == 2  # saturation at r = 1
    assert isinstance(cui_rate(S.beta, S.r, S.ell, noisy=True), sp.Piecewise)
    assert r"\begin{cases}" in sp.latex(cui_rate(S.beta, S.r, S.ell, noisy=False))
    with pytest.raises(TypeError, match="numeric"):
        cui_region(S.beta, S.r, S.ell)


@pytest.mark.parametrize("beta, r", POINTS)
def test_cui_crossover_line_and_agreement_with_theorem_5_1(beta, r):
    lc = ell_crit_printed(beta, r)
    for ell in (lc / 2, lc, (lc + beta) / 2, beta, 2 * beta):
        co = cui_crossover(beta, r, ell)
        A = 2 * min(ell, beta) * rb(r)
        B = max(0, 1 - ell / beta)
        assert co.crosses is bool(ell > lc)
        assert co.early_rate == A and co.late_rate == min(A, B)
        if co.crosses:
            assert co.sigma_exponent == -2 / (A - B)  # T* ~ sigma^(-2/(A-B))
        if ell < beta:  # asymptotic rate = (27), n = 0
            assert co.late_rate == error_exponent(beta, r, ell)


# ----------------------------------------------------------------- types and symbolic output
def test_exact_float_and_symbolic_outputs():
    out = error_exponent(2, Fraction(3, 8), Fraction(4, 5))
    assert out == R(3, 5) and isinstance(out, sp.Rational)
    assert ell_crit(np.int64(2), sp.Rational(3, 8)) == R(4, 5)
    f = error_exponent(2.0, 0.375, 0.8)
    assert type(f) is float and f == pytest.approx(0.6, abs=1e-15)
    assert type(ell_star(2, 0.375, b=1.0, noisy=False)) is float
    assert type(diverges_with_classical_ell(2.0, 0.375, a=0.5, b=0.8)) is bool
    lc = ell_crit(S.beta, S.r)
    assert sp.simplify(lc - S.beta / (2 * S.beta * sp.Min(1, S.r) + 1)) == 0
    assert sp.latex(lc) == r"\frac{\beta}{2 \beta \min\left(1, r\right) + 1}"
    e = error_exponent(S.beta, S.r, S.ell)
    assert e == sp.Min(2 * S.ell * sp.Min(1, S.r), 1 - S.ell / S.beta)
    ec = error_exponent(S.beta, S.r, S.ell, a=S.a, b=S.b)
    assert ec == sp.Min(2 * S.ell * sp.Min(1, S.r), sp.Min(1, S.b) - S.a - S.ell / S.beta)
    assert ec.subs({S.b: R(1, 2)}) == sp.Min(2 * S.ell * sp.Min(1, S.r), R(1, 2) - S.a - S.ell / S.beta)
    ls = ell_star(S.beta, S.r, a=S.a, b=S.b, noisy=False, d_exponent=1)
    assert ls.has(sp.Max) and ls.has(sp.Min)
    assert r"\max" in sp.latex(ls) and r"\min" in sp.latex(ls)
    assert isinstance(ell_star(S.beta, S.r, a=S.a, b=S.b, noisy=False).rewrite(sp.Piecewise), sp.Piecewise)
    # user symbols without assumptions work too, and substitute back to the numbers
    x, y = sp.symbols("x y")
    ex = error_exponent(x, y, R(1, 2), b=1)
    assert ex.subs({x: 2, y: R(3, 8)}) == error_exponent(2, R(3, 8), R(1, 2), b=1)
    assert sp.simplify(optimal_exponent(S.beta, S.r) - c_printed(S.beta, S.r)) == 0


def test_formula_factories():
    thm, cor = theorem_5_1(), corollary_5_2_ell_star()
    assert isinstance(thm, Formula) and isinstance(cor, Formula)
    assert "Theorem 5.1, eq. (27)" in thm.reference
    assert "Corollary 5.2, eq. (28)" in cor.reference and "n sigma0^2 ~ T^a" in cor.reference
    assert thm.lhs.startswith(r"-\lim") and r"\log E_{test}" in thm.lhs
    assert set(thm.parameters) == {"a", "b", "beta", "ell", "r"}
    for f in (thm, cor):
        assert len(f.derivation) >= 5 and all(isinstance(s, Step) for s in f.derivation)
        assert all(isinstance(s.latex(), str) for s in f.derivation)
    assert any("Lemma I.1" in s.text for s in thm.derivation)
    assert any("sp.solve" in s.text for s in cor.derivation)
    assert thm.expr == error_exponent(S.beta, S.r, S.ell, a=S.a, b=S.b)
    assert cor.expr == ell_star(S.beta, S.r, a=S.a, b=S.b, noisy=False)
    for beta, r in POINTS:  # the printed (28) for b <= 1
        for a, b in [(0, R(1)), (R(1, 5), R(7, 10))]:
            vals = {S.beta: beta, S.r: r, S.a: a, S.b: b}
            assert cor.expr.subs(vals) == ell_star_printed(beta, r, a, b)
    ells = np.array([0.2, 0.4, 0.8, 1.2, 1.6])
    got = thm.evaluate(beta=2.0, r=0.375, ell=ells, a=0.1, b=0.9)
    want = [error_exponent(2.0, 0.375, float(x), a=0.1, b=0.9) for x in ells]
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match="ell < beta"):
        thm.evaluate(beta=2.0, r=0.375, ell=1.9, a=0.0, b=0.5)
    doc = export.latex([thm, cor], standalone=False)
    assert r"\label{eq:theorem_5_1}" in doc and thm.latex() in doc


def test_leading_order_helper_is_shared_with_the_theory():
    """The scaling laws take their leading-order step from symcollapse.symbolic.theory._leading, the module the
    power-law asymptotics use too (one derivation of (19) at leading order)."""
    from symcollapse.symbolic.theory import _leading, scaling_laws

    assert scaling_laws._leading is _leading.leading
    assert scaling_laws.rho_19_leading is _leading.rho_19_leading
    df2 = _leading.DF2
    typed = df2 / (S.T0 - S.d) + S.d / (S.T0 - S.d) * df2 / S.T  # (19) with df_m << T, d
    assert sp.simplify(_leading.rho_19_leading() - typed) == 0
    texts = [s.text for s in theorem_5_1().derivation]
    assert any("eq. (19)" in t for t in texts) and any("epsilon" in t for t in texts)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(beta=1, r=0.5, ell=0.2), "beta"),
        (dict(beta=R(1, 2), r=0.5, ell=0.2), "beta"),
        (dict(beta=2, r=0, ell=0.2), "r"),
        (dict(beta=2, r=-1, ell=0.2), "r"),
        (dict(beta=2, r=0.5, ell=-0.1), "ell"),
        (dict(beta=2, r=0.5, ell=0.2, a=-1, b=1), "a"),
        (dict(beta=2, r=0.5, ell=0.2, b=0), "b"),
        (dict(beta=2, r=0.5, ell=0.2, b=-1), "b"),
        (dict(beta=2, r=0.5, ell=2.5), "ell"),
        (dict(beta=2, r=0.5, ell=2), "ell"),
        (dict(beta=2, r=0.5, ell=1.5, b=0.5), "ell"),
        (dict(beta=2, r=0.5, ell=0.2, b=1, d_exponent=2), "d_exponent"),
        (dict(beta=2, r=0.5, ell=0.2, b=1, d_exponent=0), "d_exponent"),
    ],
)
def test_bad_input_names_the_parameter(kwargs, name):
    with pytest.raises(ValueError, match=name):
        error_exponent(**kwargs)


def test_bad_input_other_functions():
    assert error_exponent(2, R(1, 2), 2, noisy=False) == 2  # ell = beta: the fast rate
    # ell = beta with collapse needs d >> T; then the generator's error n sigma0^2 phi0 stays:
    assert error_exponent(2, R(1, 2), 2, b=R(3, 2), noisy=False) == 0
    assert error_exponent(2, R(1, 2), 2, b=R(3, 2), noisy=False, d_exponent=R(5, 4)) == R(1, 4)
    for fn in (ell_crit, minimax_rate):
        with pytest.raises(ValueError, match="beta"):
            fn(1, 1)
        with pytest.raises(ValueError, match="r must"):
            fn(2, 0)
    with pytest.raises(ValueError, match="b must"):
        ell_star(2, 1, b=0)
    with pytest.raises(ValueError, match="a must"):
        crossover(2, 1, a=-1, b=1)
    with pytest.raises(ValueError, match="b must"):
        diverges_with_classical_ell(2, 1, b=-1)
    with pytest.raises(ValueError, match="d_exponent only applies"):
        ell_star(2, 1, d_exponent=1)
    with pytest.raises(ValueError, match="finite"):
        ell_crit(float("nan"), 1)
    for bad in ("2", True, None, 2 + 1j):
        with pytest.raises(TypeError, match="beta"):
            ell_crit(bad, 1)


# ----------------------------------------------------------------- properties
fractions = st.fractions


@st.composite
def problems(draw):
    beta = R(draw(fractions(Fraction(11, 10), Fraction(4), max_denominator=12)))
    r = R(draw(fractions(Fraction(1, 10), Fraction(3), max_denominator=12)))
    collapsed = draw(st.booleans())
    a = R(draw(fractions(Fraction(0), Fraction(1), max_denominator=10))) if collapsed else 0
    b = R(draw(fractions(Fraction(1, 10), Fraction(2), max_denominator=10))) if collapsed else None
    return beta, r, a, b, draw(st.booleans())


@settings(max_examples=30, deadline=None)
@given(problems())
def test_ell_star_maximises_the_exponent(problem):
    beta, r, a, b, noisy = problem
    kw = dict(a=a, b=b, noisy=noisy)
    lstar, best = ell_star(beta, r, **kw), optimal_exponent(beta, r, **kw)
    assert best == error_exponent(beta, r, lstar, **kw)  # the derived e_star
    top = beta if b is None else min(beta, beta * b)
    grid = [top * k / 24 for k in range(24)]
    if b is None and not noisy:
        grid.append(beta)
    for ell in grid:
        assert error_exponent(beta, r, ell, **kw) <= best


@settings(max_examples=30, deadline=None)
@given(problems(), st.fractions(Fraction(0), Fraction(1), max_denominator=50))
def test_exponent_is_lipschitz_in_ell_and_floats_agree(problem, t):
    beta, r, a, b, noisy = problem
    kw = dict(a=a, b=b, noisy=noisy)
    top = beta if b is None else min(beta, beta * b)
    ell, h = top * R(t) * R(9, 10), top / 1000
    e0, e1 = error_exponent(beta, r, ell, **kw), error_exponent(beta, r, ell + h, **kw)
    assert abs(e1 - e0) <= max(2 * rb(r), 1 / beta) * h  # continuous, slopes bounded
    fl = error_exponent(
        float(beta), float(r), float(ell), a=float(a), b=None if b is None else float(b), noisy=noisy
    )
    assert type(fl) is float and fl == pytest.approx(float(e0), abs=1e-12)


# ----------------------------------------------------------------- slopes of the exact theory
D = 10**6
_SPECTRA: dict = {}


def _spectrum(d, beta, r):
    key = (d, beta, r)
    if key not in _SPECTRA:
        _SPECTRA[key] = sc.power_law(d, beta, r)
    return _SPECTRA[key]


def _slope(T, E):
    return -np.polyfit(np.log(T), np.log(E), 1)[0]


# (beta, r, ell, noisy, log10 T window): clean data, d = 10**6 modes, 7 points over two decades
CLEAN = [
    (2, 0.375, 0.4, True, (4, 6)),  # r < 1, bias-limited (ell < ell_crit)
    (2, 0.375, 0.4, False, (4, 6)),
    (2, 0.375, 0.8, True, (4, 6)),  # ell_crit: minimax rate c = 0.6
    (2, 0.375, 1.5, True, (3, 5)),  # variance-limited
    (2, 1.5, 0.5, True, (4, 6)),  # r > 1 (saturation), variance-limited
    (2, 1.5, 0.5, False, (4, 6)),  # r > 1: bias kappa^2
    (1.5, 0.75, 0.6, True, (4, 6)),
    (2, 0.375, 2.0, False, (2, 4)),  # ell = beta: fast rate 2 beta rbar, T << d
    (2, 1.5, 2.0, False, (2, 4)),  # fast rate 4
]


@pytest.mark.parametrize("beta, r, ell, noisy, window", CLEAN)
def test_slopes_clean(beta, r, ell, noisy, window):
    T = np.logspace(*window, 7)
    eigs, w0 = _spectrum(D, beta, r)
    E = sc.predict(eigs, w0, T=T, lam=T**-ell, sigma=1.0 if noisy else 0.0).test_error
    assert _slope(T, E) == pytest.approx(error_exponent(beta, r, ell, noisy=noisy), abs=0.03)


@functools.cache
def _collapsed_curve(beta, r, ell, a, b, noisy, window, d_exponent=None, scale=1.0):
    """One evaluation per T: T0 = T**b, d = T0/2 (phi0 = 1/2 fixed) or d = T**d_exponent,
    n = 1 and sigma0**2 = scale * T**a (so n sigma0**2 ~ T**a; a larger ``scale`` lets the
    collapse term dominate earlier)."""
    T = np.logspace(*window, 7)
    E = []
    for t in T:
        T0 = t**b
        d = int(T0 / 2) if d_exponent is None else int(t**d_exponent)
        eigs, w0 = sc.power_law(d, beta, r)
        E.append(
            sc.predict(
                eigs,
                w0,
                T=t,
                lam=t**-ell,
                n=1,
                T0=max(T0, 2 * d),
                sigma=1.0 if noisy else 0.0,
                sigma0=np.sqrt(scale) * t ** (a / 2),
            ).test_error
        )
    return T, np.array(E)


# (beta, r, ell, a, b, noisy, window, d_exponent, scale of n sigma0^2)
COLLAPSED = [
    (2, 0.375, 0.8, 0, 1, False, (3.5, 5.5), None, 1),  # Corollary 5.2's optimum, rate c
    (2, 0.375, 1.2, 0, 1, False, (3.5, 5.5), None, 1),  # collapse-limited
    (2, 0.375, 0.8, 0.3, 1, True, (3.5, 5.5), None, 1),  # a > 0, noisy
    (2, 1.5, 0.5, 0, 1, False, (3.5, 5.5), None, 1),  # r > 1
    (2, 0.375, 0.8, 0.5, 0.8, False, (4, 6), None, 1),  # eq. (29): grows like T^0.1 (B9)
    (2, 0.375, 1.2, 0, 1.5, False, (2.5, 4.5), None, 1),  # b > 1, phi0 fixed: 0.4 (printed: 0.9)
    (2, 0.375, 1.2, 0, 1.5, False, (2.5, 4.5), 1, 1),  # b > 1, d = T: the printed 0.9
    (2, 0.375, 0.8, 0.2, 1.5, True, (2, 4), None, 10),  # App. G, b > 1: 0.4 (printed: 0.6)
]


@pytest.mark.parametrize("beta, r, ell, a, b, noisy, window, g, scale", COLLAPSED)
def test_slopes_collapsed(beta, r, ell, a, b, noisy, window, g, scale):
    T, E = _collapsed_curve(beta, r, ell, a, b, noisy, window, g, scale)
    e = error_exponent(beta, r, ell, a=a, b=b, noisy=noisy, d_exponent=g)
    assert _slope(T, E) == pytest.approx(e, abs=0.03)


def test_printed_forms_disagree_with_the_exact_theory_for_b_above_1():
    c = c_printed(2, 0.375)
    T, E = _collapsed_curve(2, 0.375, 1.2, 0, 1.5, False, (2.5, 4.5), None, 1)  # cached
    printed = 1.5 * c  # Corollary 5.2: (b - a)c at ell_star = 1.2
    assert ell_star_printed(2, 0.375, 0, 1.5) == pytest.approx(1.2)
    assert abs(_slope(T, E) - printed) > 0.4
    T, E = _collapsed_curve(2, 0.375, 0.8, 0.2, 1.5, True, (2, 4), None, 10)
    printed_G = min(1, 1.5 - 0.2) - 0.8 / 2  # App. G with gamma = min(1, b - a) at ell_crit
    assert abs(_slope(T, E) - printed_G) > 0.15


def test_eq_29_divergence_needs_a_positive_else_the_collapse_saturates():
    """a = 0, b = 0.3 < 1 - c: (29) predicts E ~ T^0.1, but then d = T0/2 << T^(ell_crit/beta)
    and the collapse term saturates at n sigma0^2 d/(T0 - d - 1) (about phi0/(1 - phi0) = 1)."""
    beta, r, lc, b = 2, 0.375, 0.8, 0.3
    assert diverges_with_classical_ell(beta, r, a=0, b=b) is True
    with pytest.raises(ValueError, match="outside the regime"):
        error_exponent(beta, r, lc, b=b, noisy=False)
    T, E = _collapsed_curve(beta, r, lc, 0, b, False, (4, 9))
    assert E[-1] / E[0] < 1.25  # (29) would give (10**5)**0.1 = 3.2
    assert np.all((E > 0.8) & (E < 1.05))
