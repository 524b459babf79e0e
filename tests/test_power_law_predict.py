"""A PowerLaw is accepted wherever a spectrum is: predict (at a cost independent of d),
simulate, optimal_lambda and the catalogue."""

import numpy as np
import pytest

import symcollapse as sc


def test_power_law_equals_the_explicit_arrays():
    pl = sc.PowerLaw(2.0, 0.375, d=300)
    e, w = sc.power_law(300, 2.0, 0.375)
    kw = dict(
        T=np.array([50.0, 1000.0, 1e4]),
        lam=np.array([[0.0], [1e-4], [1e-2]]),
        n=np.array([0, 2])[:, None, None],
        T0=600,
        sigma=1.0,
        sigma0=1.0,
    )
    np.testing.assert_allclose(sc.predict(pl, **kw).test_error, sc.predict(e, w, **kw).test_error, rtol=1e-12)
    over = dict(T=1000.0, lam=1e-3, n=3, T0=150, sigma=0.5, sigma0=0.5)  # the chain materialises
    assert sc.predict(pl, **over).test_error == pytest.approx(sc.predict(e, w, **over).test_error, rel=1e-12)
    assert sc.formula("proposition_4_2_bias").evaluate(eigenvalues=pl, lam=1e-2, T=1000.0) == pytest.approx(
        sc.predict(e, w, T=1000.0, lam=1e-2).bias, rel=1e-12
    )
    a = sc.simulate(pl, T=200, lam=1e-2, n=1, T0=600, sigma=1.0, sigma0=1.0, reps=6, seed=4)
    b = sc.simulate(e, w, T=200, lam=1e-2, n=1, T0=600, sigma=1.0, sigma0=1.0, reps=6, seed=4)
    np.testing.assert_array_equal(a.samples, b.samples)


def test_large_d_agrees_with_direct_sums():
    """A power law with d = 1e6 evaluated without its eigenvalues equals the direct sums; d = None
    is the limit of large d.  (The cost in d is measured by benchmarks/bench_engine.py.)"""
    grid = dict(T=np.logspace(1, 5, 60)[:, None], lam=np.logspace(-6, 1, 60), sigma=1.0)
    e, w = sc.power_law(10**6, 2.0, 0.375)
    direct = sc.predict(e, w, **grid).test_error
    fast = sc.predict(sc.PowerLaw(2.0, 0.375, d=10**6), **grid).test_error
    np.testing.assert_allclose(fast, direct, rtol=1e-10)
    # infinitely many modes: the limit of large d
    inf = sc.predict(sc.PowerLaw(2.0, 0.375, d=None), **grid).test_error
    big = sc.predict(sc.PowerLaw(2.0, 0.375, d=10**12), **grid).test_error
    np.testing.assert_allclose(inf, big, rtol=1e-8)


def test_optimal_lambda_with_a_power_law():
    pl = sc.PowerLaw(2.0, 0.375, d=None)
    opt = sc.optimal_lambda(pl, T=np.array([1e3, 1e4]), sigma=1.0)
    lams = np.logspace(-6, 0, 1201)
    for t, lam in zip([1e3, 1e4], opt.lam, strict=True):
        scan = sc.predict(pl, T=t, lam=lams, sigma=1.0).test_error
        assert lam == pytest.approx(lams[np.argmin(scan)], rel=0.02)


def test_power_law_errors():
    pl = sc.PowerLaw(2.0, 0.5, d=None)
    with pytest.raises(TypeError, match="either a PowerLaw or the pair"):
        sc.predict(pl, np.ones(3), T=10)
    # generators on infinitely many modes are evaluated (the pipeline engine's spectral measure)
    chained = sc.predict(pl, T=100, n=1, T0=50, sigma0=1.0)
    assert np.isfinite(chained.test_error) and chained.collapse > 0
    with pytest.raises(ValueError, match="finite d"):
        sc.simulate(pl, T=100, reps=2)
    with pytest.raises(ValueError, match="beta must be > 1"):
        sc.PowerLaw(1.0, 0.5)
