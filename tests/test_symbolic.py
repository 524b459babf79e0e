"""Derived formulas against the paper's printed (or corrected, docs/errata.md) statements, typed here
independently of the library's derivations."""

import numpy as np
import pytest
import sympy as sp

import symcollapse as sc
from symcollapse.symbolic import symbols as S
from symcollapse.symbolic.functionals import spectral_equal

d, T, T0, n = S.d, S.T, S.T0, S.n
sigma, sigma0, lam, kappa, kappa0 = S.sigma, S.sigma0, S.lam, S.kappa, S.kappa0
phi, phi0 = S.phi, S.phi0
j, l, c = S.j, S.eig[S.j], S.coef[S.j]


def tr(summand):
    return sp.Sum(summand, (j, 1, d))


def df(m, x):
    return tr(l**m / (l + x) ** m)


def test_catalogue_names():
    names = sc.formulas()
    for required in [
        "theorem_4_1",
        "theorem_4_1_exact",
        "proposition_4_2_bias",
        "proposition_4_2_variance",
        "rho_general",
        "rho_underparameterized",
        "corollary_4_4_isotropic",
        "kappa_isotropic",
        "kappa_equation",
        "lemma_I_2",
    ]:
        assert required in names
    with pytest.raises(KeyError, match="unknown formula"):
        sc.formula("theorem_9_9")


def test_kappa_equation_is_eq_9():
    assert spectral_equal(sc.formula("kappa_equation").expr, lam + kappa * df(1, kappa) / T)


def test_kappa_isotropic_is_marchenko_pastur():
    phibar = phi - 1
    printed = (lam + phibar + sp.sqrt((lam + phibar) ** 2 + 4 * lam)) / 2  # eqs. (10)-(11)
    f = sc.formula("kappa_isotropic")
    assert sp.simplify(f.expr - printed) == 0
    # the root solves the isotropic equation kappa - lam = phi kappa / (1 + kappa)
    assert sp.simplify(f.expr - lam - phi * f.expr / (1 + f.expr)) == 0
    # the stable branch used for phi < 1 is the same function
    stable = f.numeric_expr.args[0].expr
    assert sp.simplify(stable - printed) == 0


def test_kappa_isotropic_at_zero_ridge_is_max_phi_minus_one():
    f = sc.formula("kappa_isotropic")
    vals = f.evaluate(lam=0.0, phi=np.array([0.3, 0.999, 1.0, 1.5, 4.0]))
    np.testing.assert_allclose(vals, [0, 0, 0, 0.5, 3.0], atol=1e-15)


def test_lemma_I_2():
    assert spectral_equal(sc.formula("lemma_I_2").expr, 1 / (1 - df(2, kappa) / T))


def test_lemma_I_2_numerically_by_finite_differences():
    eigs, w0 = sc.power_law(50, 1.5, 0.5)
    f = sc.formula("kappa_equation")
    lam_, T_, h = 0.02, 30.0, 1e-6
    kp = sc.predict(eigs, w0, T=T_, lam=np.array([lam_ - h, lam_ + h])).kappa
    k = sc.predict(eigs, w0, T=T_, lam=lam_).kappa
    slope = (kp[1] - kp[0]) / (2 * h)
    predicted = sc.formula("lemma_I_2").evaluate(eigenvalues=eigs, kappa=k, T=T_)
    assert slope == pytest.approx(predicted, rel=1e-6)
    assert f.evaluate(eigenvalues=eigs, kappa=k, lam=lam_, T=T_) == pytest.approx(k, rel=1e-12)


def test_proposition_4_2_general():
    bias = kappa**2 * tr(c**2 * l / (l + kappa) ** 2) / (1 - df(2, kappa) / T)
    var = sigma**2 * df(2, kappa) / T / (1 - df(2, kappa) / T)
    assert spectral_equal(sc.formula("proposition_4_2_bias").expr, bias)
    assert spectral_equal(sc.formula("proposition_4_2_variance").expr, var)


def test_proposition_4_2_isotropic_is_F6():
    W = S.w0_sq
    assert (
        sp.simplify(
            sc.formula("proposition_4_2_bias_isotropic").expr - kappa**2 * W / ((1 + kappa) ** 2 - phi)
        )
        == 0
    )
    assert (
        sp.simplify(
            sc.formula("proposition_4_2_variance_isotropic").expr - sigma**2 * phi / ((1 + kappa) ** 2 - phi)
        )
        == 0
    )


def test_omniscient_risk_form_eq_64_with_kappa_squared():
    """Var = sigma^2 df2/T * dkappa/dlam; Bias = kappa^2 w0'S(S+k)^-2 w0 dkappa/dlam (B7)."""
    dk = sc.formula("lemma_I_2").expr
    assert spectral_equal(sc.formula("proposition_4_2_variance").expr, sigma**2 * df(2, kappa) / T * dk)
    assert spectral_equal(
        sc.formula("proposition_4_2_bias").expr, kappa**2 * tr(c**2 * l / (l + kappa) ** 2) * dk
    )
    printed_64 = tr(c**2 * l / (l + kappa) ** 2) * dk  # as printed: no kappa^2
    assert not spectral_equal(sc.formula("proposition_4_2_bias").expr, printed_64)


def test_rho_general_is_eq_18():
    printed = tr(l**4 / ((l + kappa0) ** 2 * (l + kappa) ** 2)) / (T0 - df(2, kappa0)) + kappa**2 * tr(
        l**2 / ((l + kappa0) ** 2 * (l + kappa) ** 2)
    ) / (T0 - df(2, kappa0)) * df(2, kappa) / (T - df(2, kappa))
    assert spectral_equal(sc.formula("rho_general").expr, printed)


def test_rho_underparameterized_is_eq_19():
    trR2 = tr(1 / (l + kappa) ** 2)
    printed = df(2, kappa) / (T0 - d) + kappa**2 * trR2 / (T0 - d) * df(2, kappa) / (T - df(2, kappa))
    assert spectral_equal(sc.formula("rho_underparameterized_asymptotic").expr, printed)
    exact = printed * (T0 - d) / (T0 - d - 1)  # exact inverse-Wishart generator factor
    assert spectral_equal(sc.formula("rho_underparameterized").expr, exact)
    # the equivalent form df2 (T + d - 2 df1) / ((T0 - d)(T - df2)), checked numerically
    eigs = np.linspace(0.2, 3.0, 40)
    a = sc.formula("rho_underparameterized_asymptotic").evaluate(
        eigenvalues=eigs, kappa=0.37, T=55.0, T0=90.0
    )
    df1 = np.sum(eigs / (eigs + 0.37))
    df2 = np.sum(eigs**2 / (eigs + 0.37) ** 2)
    assert a == pytest.approx(df2 * (55 + 40 - 2 * df1) / ((90 - 40) * (55 - df2)), rel=1e-12)


def test_printed_F6_special_case_contradicts_19():
    """B6: Prop. F.6's 'in particular' form swaps T and T0; at d=100, T0=200, T=300, lam=0.1,
    Sigma=I, (19) gives 0.773 and the printed form 0.349 (erratum B6)."""
    eigs = np.ones(100)
    rho19 = sc.formula("rho_underparameterized_asymptotic").evaluate(
        eigenvalues=eigs, lam=0.1, T=300.0, T0=200.0
    )
    k = sc.formula("kappa_isotropic").evaluate(lam=0.1, phi=1 / 3)
    df2 = 100 / (1 + k) ** 2
    trR2 = 100 / (1 + k) ** 2
    printed = df2 / (300 - df2) * (1 + k**2 * trR2 / (200 - 100))
    assert rho19 == pytest.approx(0.773, abs=1e-3)
    assert printed == pytest.approx(0.349, abs=1e-3)


def test_rho_general_reduces_to_19_at_kappa0_zero():
    reduced = sc.formula("rho_general").expr.subs(kappa0, 0)
    assert spectral_equal(reduced, sc.formula("rho_underparameterized_asymptotic").expr)


def test_corollary_4_4_isotropic():
    W = S.w0_sq
    rho = (
        phi0
        / (1 - phi0)
        * (1 / (1 + kappa) ** 2 + phi * kappa**2 / ((1 + kappa) ** 2 * ((1 + kappa) ** 2 - phi)))
    )
    clean = (kappa**2 * W + sigma**2 * phi) / ((1 + kappa) ** 2 - phi)
    assert sp.simplify(sc.formula("corollary_4_4_isotropic_rho").expr - rho) == 0
    assert sp.simplify(sc.formula("corollary_4_4_isotropic").expr - clean - n * sigma0**2 * rho) == 0


def test_intro_eq_1_collapse_term_is_n_sigma0_squared_rho_B2():
    """B2: the intro's eq. (1) prints the collapse term as n sigma0 rho; Corollary 4.4's test error
    minus Proposition 4.2's bias and variance (T0 >= d: no Delta Bias) is n sigma0^2 rho."""
    rho = sc.formula("corollary_4_4_isotropic_rho").expr
    gain = sp.factor(
        sc.formula("corollary_4_4_isotropic").expr
        - sc.formula("proposition_4_2_bias_isotropic").expr
        - sc.formula("proposition_4_2_variance_isotropic").expr
    )
    assert sp.simplify(gain - n * sigma0**2 * rho) == 0  # corrected
    assert sp.simplify(gain - n * sigma0 * rho) != 0  # printed


def test_F5_display_isotropic_rho_factor_B5():
    """B5: F.5 prints (1 - 1/phi0) rho ~ bracket; the derived rho gives (1/phi0 - 1) rho."""
    bracket = 1 / (1 + kappa) ** 2 + phi * kappa**2 / ((1 + kappa) ** 2 * ((1 + kappa) ** 2 - phi))
    rho = sc.formula("corollary_4_4_isotropic_rho").expr
    assert sp.simplify((1 / phi0 - 1) * rho - bracket) == 0  # corrected
    assert sp.simplify((1 - 1 / phi0) * rho - bracket) != 0  # printed
    assert sp.simplify((1 - 1 / phi0) * rho + bracket) == 0  # it is off by the sign


def test_corollary_4_4_equals_general_result_specialised():
    """Numerically: the general formulas with lambda_j = 1 give the isotropic corollary."""
    dd, TT, TT0, lam_ = 120, 200.0, 300.0, 0.05
    eigs, w0 = np.ones(dd), np.full(dd, 0.7 / np.sqrt(dd))
    general = (
        sc.formula("proposition_4_2_bias").evaluate(eigenvalues=eigs, w0=w0, lam=lam_, T=TT)
        + sc.formula("proposition_4_2_variance").evaluate(eigenvalues=eigs, lam=lam_, T=TT, sigma=0.3)
        + 3
        * 0.2**2
        * sc.formula("rho_underparameterized_asymptotic").evaluate(eigenvalues=eigs, lam=lam_, T=TT, T0=TT0)
    )
    iso = sc.formula("corollary_4_4_isotropic").evaluate(
        lam=lam_, phi=dd / TT, phi0=dd / TT0, w0_sq=0.49, sigma=0.3, sigma0=0.2, n=3
    )
    assert iso == pytest.approx(general, rel=1e-12)


def test_theorem_4_1_exact_and_asymptotic():
    exact = sc.formula("theorem_4_1_exact").expr
    assert sp.simplify(exact - (sigma**2 * d / (T - d - 1) + n * sigma0**2 * d / (T0 - d - 1))) == 0
    asym = sc.formula("theorem_4_1").expr
    assert sp.simplify(asym - (sigma**2 * phi / (1 - phi) + n * sigma0**2 * phi0 / (1 - phi0))) == 0
    assert sc.formula("theorem_4_1_exact").exact and not sc.formula("theorem_4_1").exact


def test_ridgeless_limit_of_ridge_reproduces_theorem_4_1_isotropic():
    """lam -> 0+ with phi < 1 (phibar < 0): kappa -> 0 and Corollary 4.4 becomes Theorem 4.1.
    (B4: the paper says phi >= 1; with phi > 1 kappa(0) = phi - 1 != 0 and it does not.)"""
    pb = sp.Symbol("pb", negative=True)
    k = sc.formula("kappa_isotropic").expr.subs(phi, pb + 1)
    assert sp.limit(k, lam, 0, "+") == 0
    cor = sc.formula("corollary_4_4_isotropic").expr.subs(kappa, 0)
    assert sp.simplify(cor.subs(S.w0_sq, 0) - sc.formula("theorem_4_1").expr) == 0
    pp = sp.Symbol("pp", positive=True)
    assert sp.simplify(sc.formula("kappa_isotropic").expr.subs(phi, pp + 1).subs(lam, 0) - pp) == 0


def test_ridgeless_limit_of_ridge_reproduces_theorem_4_1_general():
    """kappa -> 0 in Prop. 4.2 + n sigma0^2 rho(19): sigma^2 d/(T-d) + n sigma0^2 d/(T0-d-1),
    whose proportional limit is Theorem 4.1 (the exact form has T - d - 1)."""
    total = (
        sc.formula("proposition_4_2_bias").expr
        + sc.formula("proposition_4_2_variance").expr
        + n * sigma0**2 * sc.formula("rho_underparameterized").expr
    )
    at0 = sp.simplify(total.subs(kappa, 0).doit())
    assert sp.simplify(at0 - (sigma**2 * d / (T - d) + n * sigma0**2 * d / (T0 - d - 1))) == 0
    lim = sp.limit(at0.subs({T: d / phi, T0: d / phi0}), d, sp.oo)
    assert sp.simplify(lim - sc.formula("theorem_4_1").expr) == 0


def test_latex_export_of_formulas():
    for name in sc.formulas():
        f = sc.formula(name)
        tex = f.latex()
        assert tex.startswith(f.lhs)
        assert f._repr_latex_().startswith("$")
        assert f.reference and f.regime_text()
        assert f.derivation, name
    assert r"\mathrm{df}_2(\kappa)" in sc.formula("proposition_4_2_variance").latex()
    assert "T_0 - d - 1" in sc.formula("theorem_4_1_exact").latex()


def test_catalogue_index_matches_the_derivations():
    """`symcollapse list` reads titles and regimes from the shipped index (nothing derived); the
    index must equal what the derivations give (regenerate with catalogue.write_index())."""
    import json

    from symcollapse.symbolic import catalogue

    index = json.loads(catalogue.INDEX_PATH.read_text(encoding="utf-8"))
    assert list(index) == sc.formulas()
    for name in sc.formulas():
        f = sc.formula(name)
        assert index[name] == {"title": f.title, "regime": f.regime_text()}, name
