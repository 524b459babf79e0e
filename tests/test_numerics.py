"""Numerical layer: Chebyshev tables against direct sums, the vectorized kappa solver against
scalar root finding and mpmath, grid evaluation against point-by-point evaluation, and float64
against 50-digit mpmath over many orders of magnitude."""

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import brentq

import symcollapse as sc
from symcollapse.numeric.kappa import solve_kappa
from symcollapse.numeric.spectral import FUNCTIONALS, SpectralFunctionals


def spectra():
    rng = np.random.default_rng(7)
    yield "power-law beta=2, d=1e4", sc.power_law(10_000, 2.0, 0.375)
    yield "power-law beta=1.1, d=2e3", sc.power_law(2_000, 1.1, 1.5)
    yield "isotropic d=300", sc.isotropic(300)
    e = np.exp(rng.uniform(-8, 3, 500))
    yield "log-uniform d=500", (e, rng.standard_normal(500))


@pytest.mark.parametrize(("label", "spec"), list(spectra()), ids=lambda x: x if isinstance(x, str) else "")
def test_table_matches_direct_sums(label, spec):
    """Bounded interpolation error: relative error of every functional below 1e-12 for kappa
    from 1e-14 to 1e4 (measured worst ~1e-14)."""
    fun = SpectralFunctionals(*spec)
    k = np.exp(np.random.default_rng(1).uniform(np.log(1e-14), np.log(1e4), 3000))
    exact, table = fun.exact(k), fun.table(k)
    for name in FUNCTIONALS:
        scale = np.abs(exact[name])
        rel = np.abs(table[name] - exact[name]) / np.maximum(scale, 1e-300)
        assert rel.max() < 1e-12, (label, name, rel.max())


def _brentq_kappa(eigs, lam, T):
    d = eigs.size
    if lam == 0 and T >= d:
        return 0.0
    lo = max(lam, eigs.min() * (d - T) / (2 * T)) if T < d else lam
    hi = lam + eigs.sum() / T
    f = lambda k: k - lam - k * np.sum(eigs / (eigs + k)) / T  # noqa: E731
    return brentq(f, lo, hi, xtol=1e-300, rtol=1e-15, maxiter=500)


@given(st.floats(-6, 2), st.floats(np.log10(2), 5), st.sampled_from([0, 1, 2]))
def test_kappa_solver_matches_brentq(log_lam, log_T, which):
    eigs = [sc.power_law(200, 1.5, 0.5)[0], np.ones(200), np.linspace(0.01, 2, 200)][which]
    lam, T = 10**log_lam, 10**log_T
    fun = SpectralFunctionals(eigs, np.zeros_like(eigs))
    for method in ("exact", "table"):
        k = solve_kappa(fun, lam, T, method=method)
        assert k == pytest.approx(_brentq_kappa(eigs, lam, T), rel=1e-11)


def test_ridgeless_kappa_cases():
    eigs = np.linspace(0.5, 1.5, 100)
    fun = SpectralFunctionals(eigs, np.zeros(100))
    k = solve_kappa(fun, 0.0, np.array([50.0, 99.0, 100.0, 150.0]))
    assert k[2] == 0 and k[3] == 0
    assert np.all(k[:2] > 0)
    np.testing.assert_allclose([np.sum(eigs / (eigs + x)) for x in k[:2]], [50, 99], rtol=1e-12)


def _mp_kappa(eigs, lam, T):
    """kappa at 50 digits by bisection in mpmath (independent of the library's solver)."""
    with mpmath.workdps(60):
        ls = [mpmath.mpf(float(x)) for x in eigs]
        lam, T = mpmath.mpf(lam), mpmath.mpf(T)
        d = len(ls)
        if lam == 0 and T >= d:
            return mpmath.mpf(0)
        h = lambda k: k - lam - k * mpmath.fsum(x / (x + k) for x in ls) / T  # noqa: E731
        lo = max(lam, min(ls) * (d - T) / (2 * T)) if T < d else lam
        hi = lam + mpmath.fsum(ls) / T
        for _ in range(400):
            mid = mpmath.sqrt(lo * hi) if lo > 0 else (lo + hi) / 2
            if h(mid) < 0:
                lo = mid
            else:
                hi = mid
            if hi - lo < mpmath.mpf(10) ** -55 * hi:
                break
        return (lo + hi) / 2


@pytest.mark.parametrize("T", [10.0, 1e3, 1e6, 1e12])
@pytest.mark.parametrize("lam", [1e-12, 1e-3, 1.0, 1e3])
def test_predict_accuracy_across_orders_of_magnitude(T, lam):
    """predict (float64) against a 50-digit mpmath evaluation of the same formulas with an
    mpmath-solved kappa, T from 10 to 1e12 and lam from 1e-12 to 1e3."""
    eigs, w0 = sc.power_law(40, 2.0, 0.375)
    kw = dict(T=T, lam=lam, n=3, T0=100.0, sigma=0.5, sigma0=0.3)
    pred = sc.predict(eigs, w0, **kw)
    k = _mp_kappa(eigs, lam, T)
    assert pred.kappa == pytest.approx(float(k), rel=1e-12)
    ref = {}
    for name, args in [
        ("proposition_4_2_bias", {}),
        ("proposition_4_2_variance", {"sigma": 0.5}),
        ("rho_underparameterized", {"T0": 100.0}),
    ]:
        ref[name] = sc.formula(name).evaluate(
            eigenvalues=eigs, w0=w0, kappa=float(k), T=T, backend="mpmath", dps=50, **args
        )
    total = (
        ref["proposition_4_2_bias"]
        + ref["proposition_4_2_variance"]
        + 3 * 0.09 * ref["rho_underparameterized"]
    )
    assert pred.bias == pytest.approx(float(ref["proposition_4_2_bias"]), rel=1e-9, abs=1e-300)
    assert pred.variance == pytest.approx(float(ref["proposition_4_2_variance"]), rel=1e-9)
    assert pred.test_error == pytest.approx(float(total), rel=1e-9)


@pytest.mark.parametrize(
    "name",
    [
        "proposition_4_2_bias",
        "proposition_4_2_variance",
        "rho_general",
        "rho_underparameterized",
        "rho_underparameterized_asymptotic",
    ],
)
def test_float64_agrees_with_mpmath_general(name):
    eigs, w0 = sc.power_law(60, 1.7, 0.8)
    f = sc.formula(name)
    grid = dict(
        kappa=np.array([1e-10, 1e-4, 0.3, 50.0]),
        T=np.array([[12.0], [1e4], [1e11]]),
        T0=200.0,
        kappa0=0.01,
        sigma=0.7,
    )
    args = {k: v for k, v in grid.items() if k in f.parameters}
    fast = f.evaluate(eigenvalues=eigs, w0=w0, check=False, **args)
    ref = f.evaluate(eigenvalues=eigs, w0=w0, check=False, backend="mpmath", dps=50, **args)
    np.testing.assert_allclose(fast, ref.astype(float), rtol=1e-11)


@pytest.mark.parametrize(
    "name",
    [
        "kappa_isotropic",
        "proposition_4_2_bias_isotropic",
        "proposition_4_2_variance_isotropic",
        "corollary_4_4_isotropic",
        "theorem_4_1",
        "theorem_4_1_exact",
    ],
)
def test_float64_agrees_with_mpmath_closed_forms(name):
    f = sc.formula(name)
    lam = np.array([0.0, 1e-12, 1e-6, 1e-2, 1.0, 1e3])
    phi = np.array([[1e-9], [1e-3], [0.5], [0.999], [1.5], [10.0]])
    grid = dict(
        lam=lam,
        phi=phi,
        phi0=np.array([[1e-6], [0.5], [0.9], [0.3], [0.2], [0.7]]),
        kappa=np.array([0.0, 1e-12, 1e-6, 1e-2, 1.0, 1e3]),
        w0_sq=2.0,
        sigma=0.4,
        sigma0=0.3,
        n=4.0,
        d=300.0,
        T=np.array([[302.0], [1e3], [1e6], [1e12], [400], [999]]),
        T0=np.array([[302.0], [1e4], [3e12], [500], [600], [1e7]]),
    )
    args = {k: v for k, v in grid.items() if k in f.parameters}
    if name in ("theorem_4_1",):
        args["phi"] = np.abs(np.minimum(args["phi"], 0.99))
    fast = f.evaluate(check=False, **args)
    ref = f.evaluate(check=False, backend="mpmath", dps=50, **args)
    np.testing.assert_allclose(fast, ref.astype(float), rtol=1e-12, atol=1e-300)


def test_isotropic_closed_form_matches_solver_over_decades():
    d = 300
    fun = SpectralFunctionals(np.ones(d), np.zeros(d))
    T = np.array([10.0, 299.0, 302.0, 1e4, 1e8, 1e12])[:, None]
    lam = np.array([1e-12, 1e-6, 1e-2, 1.0, 1e3])
    num = solve_kappa(fun, lam, T)
    closed = sc.formula("kappa_isotropic").evaluate(lam=lam, phi=d / T)
    np.testing.assert_allclose(num, closed, rtol=1e-12)


@given(st.integers(1, 6), st.integers(1, 6), st.sampled_from(["exact", "table"]))
def test_grid_equals_pointwise(nT, nl, method):
    eigs, w0 = sc.power_law(150, 2.0, 0.375)
    rng = np.random.default_rng(nT * 10 + nl)
    T = 10 ** rng.uniform(0.5, 4, nT)
    lam = np.concatenate([[0.0], 10 ** rng.uniform(-5, 1, nl)])
    n = np.arange(3)
    T[0] = 100.0  # a ridgeless under-parameterised downstream point (T < d)
    grid = sc.predict(
        eigs,
        w0,
        T=T[:, None, None],
        lam=lam[None, :, None],
        n=n,
        T0=400,
        sigma=0.5,
        sigma0=0.2,
        method=method,
    )
    assert grid.test_error.shape == (nT, nl + 1, 3)
    for i, t in enumerate(T):
        for jj, lm in enumerate(lam):
            if lm == 0 and 150 <= t < 152:
                continue
            for m in n:
                p = sc.predict(eigs, w0, T=t, lam=lm, n=m, T0=400, sigma=0.5, sigma0=0.2, method="exact")
                assert grid.test_error[i, jj, m] == pytest.approx(p.test_error, rel=1e-11)
                assert grid.kappa[i, jj, m] == pytest.approx(p.kappa, rel=1e-11, abs=0)


def test_table_and_exact_paths_agree_on_a_large_grid():
    eigs, w0 = sc.power_law(5000, 2.0, 0.375)
    kw = dict(
        T=np.logspace(1, 5, 30)[:, None], lam=np.logspace(-8, 2, 30), n=2, T0=20000, sigma=1.0, sigma0=1.0
    )
    a = sc.predict(eigs, w0, method="exact", **kw)
    b = sc.predict(eigs, w0, method="table", **kw)
    np.testing.assert_allclose(b.test_error, a.test_error, rtol=1e-10)
    np.testing.assert_allclose(b.kappa, a.kappa, rtol=1e-11)
