"""The public numeric API: shapes, the exact ridgeless branch, and bad input."""

import numpy as np
import pytest

import symcollapse as sc

EIGS, W0 = sc.power_law(50, 2.0, 0.375)


def test_decomposition_and_shapes():
    """Each part against the catalogue's independently lambdified formulas: Prop. 4.2's bias and
    variance and n sigma0^2 rho (eq. 19 with the exact factor) for generators on T0 >= d + 2."""
    T, lam = np.array([20.0, 100.0])[:, None], np.array([1e-3, 1.0])
    p = sc.predict(EIGS, W0, T=T, lam=lam, n=2, T0=80, sigma=0.5, sigma0=0.3)
    assert p.test_error.shape == (2, 2)
    bias = sc.formula("proposition_4_2_bias").evaluate(eigenvalues=EIGS, w0=W0, lam=lam, T=T)
    var = sc.formula("proposition_4_2_variance").evaluate(eigenvalues=EIGS, lam=lam, T=T, sigma=0.5)
    rho = sc.formula("rho_underparameterized").evaluate(eigenvalues=EIGS, lam=lam, T=T, T0=80)
    np.testing.assert_allclose(p.bias, bias, rtol=1e-13)
    np.testing.assert_allclose(p.variance, var, rtol=1e-13)
    np.testing.assert_allclose(p.collapse, 2 * 0.3**2 * rho, rtol=1e-13)
    np.testing.assert_allclose(p.test_error, bias + var + 2 * 0.3**2 * rho, rtol=1e-13)
    scalar = sc.predict(EIGS, W0, T=100.0, lam=0.1)
    assert isinstance(scalar.test_error, float) and scalar.collapse == 0.0
    assert float(scalar) == scalar.test_error


def test_ridgeless_downstream_with_enough_data_is_theorem_4_1_exact():
    p = sc.predict(EIGS, W0, T=np.array([52.0, 60.0, 500.0]), lam=0.0, n=3, T0=70, sigma=0.4, sigma0=0.2)
    exact = 0.4**2 * 50 / (np.array([52.0, 60.0, 500.0]) - 51) + 3 * 0.2**2 * 50 / (70 - 51)
    np.testing.assert_allclose(p.test_error, exact, rtol=1e-14)
    assert np.all(p.bias == 0) and np.all(p.kappa == 0)


def test_designs_agree_for_underparameterised_generators():
    a = sc.predict(EIGS, W0, T=30, lam=0.01, n=4, T0=60, sigma0=1.0, design="independent")
    b = sc.predict(EIGS, W0, T=30, lam=0.01, n=4, T0=60, sigma0=1.0, design="same")
    assert a.test_error == b.test_error


def test_collapse_is_linear_in_n_and_independent_of_sigma():
    p = sc.predict(
        EIGS, W0, T=40, lam=0.05, n=np.arange(5), T0=90, sigma=np.array([[0.0], [2.0]]), sigma0=0.7
    )
    np.testing.assert_allclose(
        np.diff(p.collapse, axis=1), np.broadcast_to(p.collapse[:, 1:2], (2, 4)), rtol=1e-12
    )
    np.testing.assert_allclose(p.collapse[0], p.collapse[1], rtol=1e-15)


def test_no_T0_needed_without_generations():
    assert sc.predict(EIGS, W0, T=40, lam=0.05, n=0).collapse == 0


BAD = [
    (dict(eigenvalues=[1.0, -1.0], w0=[1.0, 1.0]), "eigenvalues must be positive"),
    (dict(eigenvalues=[1.0, 0.0], w0=[1.0, 1.0]), "eigenvalues must be positive"),
    (dict(eigenvalues=[1.0, np.inf], w0=[1.0, 1.0]), "eigenvalues must be finite"),
    (dict(eigenvalues=[1.0, np.nan], w0=[1.0, 1.0]), "eigenvalues must be finite"),
    (dict(eigenvalues=[1.0, 2.0], w0=[1.0]), "same length"),
    (dict(eigenvalues=[], w0=[]), "non-empty"),
    (dict(eigenvalues=[[1.0]], w0=[1.0]), "1-D"),
    (dict(w0=[1.0, np.nan]), "w0 must be finite"),
    (dict(lam=-0.1), "lam must be >= 0"),
    (dict(lam=np.nan), "lam must be finite"),
    (dict(sigma=-1.0), "sigma must be >= 0"),
    (dict(sigma0=-1.0), "sigma0 must be >= 0"),
    (dict(n=1.5), "n must be an integer"),
    (dict(n=-1), "n must be an integer >= 0"),
    (dict(T=0.5), "T must be >= 1"),
    (dict(T=np.inf), "T must be finite"),
    (dict(n=1, T0=None), "T0 is required when n > 0"),
    (dict(n=1, T0=2, sigma0=0.1), r"T0 must be <= d - 2 = 0 or >= d \+ 2 = 4 when sigma0 > 0"),
    (dict(n=1, T0=3, sigma0=0.1), r"T0 must be <= d - 2 = 0 or >= d \+ 2 = 4 when sigma0 > 0"),
    (dict(n=1, T0=1, sigma0=0.1), r"T0 must be <= d - 2 = 0 or >= d \+ 2 = 4 when sigma0 > 0"),
    (dict(n=1, T0=0.5), "T0 must be >= 1"),
    (dict(lam=0.0, T=2), r"with lam = 0, T must be < d"),
    (dict(lam=0.0, T=3), r"with lam = 0, T must be < d"),
    (dict(design="both"), "design must be one of"),
    (dict(method="fast"), "method must be"),
]


@pytest.mark.parametrize(("change", "message"), BAD)
def test_bad_input_raises_clear_error(change, message):
    kw = dict(eigenvalues=[1.0, 0.5], w0=[1.0, 1.0], T=10, lam=0.1, n=0, T0=None)
    kw.update(change)
    with pytest.raises(ValueError, match=message):
        sc.predict(kw.pop("eigenvalues"), kw.pop("w0"), **kw)


def test_bad_input_in_a_grid_is_refused_whole():
    with pytest.raises(ValueError, match="lam must be >= 0"):
        sc.predict(EIGS, W0, T=10, lam=np.array([0.1, -1e-9]))
    with pytest.raises(ValueError, match="T0 must be <= d - 2 = 48 or >= d \\+ 2 = 52"):
        sc.predict(EIGS, W0, T=10, lam=0.1, n=np.array([0, 1]), T0=np.array([10, 51]), sigma0=1.0)
    # T0 is irrelevant where n = 0
    p = sc.predict(EIGS, W0, T=10, lam=0.1, n=np.array([0, 1]), T0=np.array([10, 60]), sigma0=1.0)
    assert p.collapse[0] == 0 and p.collapse[1] > 0


def test_non_numeric_input_is_a_type_error():
    with pytest.raises(TypeError, match="T must be a number"):
        sc.predict(EIGS, W0, T="many")


def test_formula_evaluate_refuses_outside_regime_unless_asked():
    f = sc.formula("theorem_4_1_exact")
    with pytest.raises(ValueError, match="T0 >= d \\+ 2"):
        f.evaluate(d=100, T=200, T0=101, n=1, sigma=0.1, sigma0=0.1, lam=0)
    with pytest.raises(ValueError, match="lam = 0"):
        f.evaluate(d=100, T=200, T0=300, n=1, sigma=0.1, sigma0=0.1, lam=0.5)
    assert f.evaluate(d=100, T=200, T0=300, n=1, sigma=0.1, sigma0=0.1, lam=0) > 0
    with pytest.raises(ValueError, match="not finite"):
        f.evaluate(d=100, T=101, T0=300, n=1, sigma=0.1, sigma0=0.1, check=False)
    with pytest.raises(TypeError, match="unexpected argument"):
        f.evaluate(d=100, T=200, T0=300, n=1, sigma=0.1, sigma0=0.1, beta=2)
    with pytest.raises(TypeError, match="missing argument"):
        f.evaluate(d=100, T=200, T0=300, n=1)


def test_evaluate_vectorizes_and_solves_kappa():
    f = sc.formula("proposition_4_2_variance")
    grid = f.evaluate(eigenvalues=EIGS, lam=np.array([1e-3, 1e-1]), T=np.array([[20.0], [200.0]]), sigma=1.0)
    p = sc.predict(EIGS, W0, lam=np.array([1e-3, 1e-1]), T=np.array([[20.0], [200.0]]), sigma=1.0)
    np.testing.assert_allclose(grid, p.variance, rtol=1e-12)


def test_ridge_alpha_conversion():
    assert sc.ridge_alpha(0.01, 300) == pytest.approx(3.0)


def test_reprs_are_short_and_say_what_they_hold():
    e, w = sc.isotropic(20)
    one = sc.predict(e, w, T=30, lam=0.1)
    assert repr(one).startswith("Prediction(test_error=0.059") and "np.float64" not in repr(one)
    grid = repr(sc.predict(e, w, T=np.array([30, 60]), lam=0.1))
    assert "array(shape=(2,), 0.02059..0.05904)" in grid
    assert repr(one).endswith("; d=20, T=30, lam=0.1)")  # the settings, too
    assert "T=array(shape=(2,), 30..60)" in grid
    chain = repr(sc.predict(e, w, T=30, n=2, T0=sc.per_generation([40, 50]), sigma0=0.1))
    assert chain.endswith("; d=20, T=30, n=2, T0=per_generation(40, 50), sigma0=per_generation(0.1, 0.1))")
    pl = repr(sc.predict(sc.PowerLaw(2.0, 0.5, d=None), T=100, lam=0.1))
    assert "spectrum=PowerLaw(beta=2.0, r=0.5, d=None" in pl
    sim = repr(sc.simulate(e, w, T=30, lam=0.1, reps=10, seed=0))
    assert sim.startswith("SimulationResult(mean=") and sim.endswith("reps=10; d=20, T=30, lam=0.1)")
    sched = repr(sc.simulate(e, w, T=30, n=2, T0=sc.per_generation([40, 50]), sigma0=0.1, reps=5, seed=0))
    assert sched.endswith("; d=20, T=30, n=2, T0=per_generation(40, 50), sigma0=0.1)")
    T = np.array([30.0, 60.0])
    kept = sc.predict(e, w, T=T, lam=0.1)
    T[0] = 999.0  # the caller's array changes; the result's settings do not
    assert "T=array(shape=(2,), 30..60)" in repr(kept) and not kept.settings["T"].flags.writeable
    html = sc.simulate(e, w, T=30, lam=0.1, reps=10, seed=0)._repr_html_()
    assert html.startswith("<table>") and "<td>10</td>" in html
    assert "<td>kappa</td>" in one._repr_html_()
