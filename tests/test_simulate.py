"""The Monte-Carlo simulator: reproducibility, bad input, and exact identities that need no
random-matrix theory."""

import numpy as np
import pytest

import symcollapse as sc
from symcollapse.simulate import _lstsq_min_norm, _ridge
from symcollapse.testing import assert_matches_simulation, z_score


def test_seeded_and_reproducible():
    e, w = sc.isotropic(10)
    a = sc.simulate(e, w, T=30, lam=0.1, n=2, T0=20, sigma=0.3, sigma0=0.3, reps=20, seed=5)
    b = sc.simulate(e, w, T=30, lam=0.1, n=2, T0=20, sigma=0.3, sigma0=0.3, reps=20, seed=5)
    c = sc.simulate(e, w, T=30, lam=0.1, n=2, T0=20, sigma=0.3, sigma0=0.3, reps=20, seed=6)
    np.testing.assert_array_equal(a.samples, b.samples)
    assert not np.array_equal(a.samples, c.samples)
    g = sc.simulate(e, w, T=30, reps=20, seed=np.random.default_rng(5))
    assert g.reps == 20 and g.stderr > 0
    assert a.stderr == pytest.approx(a.samples.std(ddof=1) / np.sqrt(20))


def test_estimators_match_numpy_reference():
    rng = np.random.default_rng(0)
    for rows, cols in [(12, 5), (5, 12)]:
        X = rng.standard_normal((3, rows, cols))
        y = rng.standard_normal((3, rows))
        ref = np.stack([np.linalg.pinv(X[i]) @ y[i] for i in range(3)])
        np.testing.assert_allclose(_lstsq_min_norm(X, y), ref, atol=1e-12)
        lam = 0.3
        ridge = np.stack([np.linalg.solve(X[i].T @ X[i] / rows + lam * np.eye(cols),
                                          X[i].T @ y[i] / rows) for i in range(3)])
        np.testing.assert_allclose(_ridge(X, y, lam), ridge, atol=1e-12)


@pytest.mark.parametrize("design", ["independent", "same"])
def test_exact_ols_chain_theorem_4_1(design):
    """No RMT: lam = 0, T, T0 >= d + 2 is exact for any Sigma, so no relative allowance."""
    e, w = sc.power_law(15, 2.0, 0.5)
    kw = dict(T=40, lam=0.0, n=3, T0=30, sigma=0.5, sigma0=0.4, design=design)
    sim = sc.simulate(e, w, reps=3000, seed=11, **kw)
    exact = 0.25 * 15 / (40 - 16) + 3 * 0.16 * 15 / (30 - 16)
    assert_matches_simulation(exact, sim, k=4, rel=0.0)
    assert_matches_simulation(sc.predict(e, w, **kw), sim, k=4, rel=0.0)


def test_noiseless_clean_chain_has_no_error():
    e, w = sc.isotropic(8)
    sim = sc.simulate(e, w, T=30, lam=0.0, n=3, T0=20, reps=5, seed=1)
    assert sim.mean < 1e-20


@pytest.mark.parametrize(("change", "message"), [
    (dict(T=10.5), "T must be an integer"),
    (dict(T=0), "T must be an integer >= 1"),
    (dict(n=2, T0=None), "T0 is required"),
    (dict(n=1, T0=0), "T0 must be an integer >= 1"),
    (dict(reps=1), "reps must be an integer >= 2"),
    (dict(lam=-1.0), "lam must be >= 0"),
    (dict(sigma0=np.array([0.1, 0.2])), "sigma0 must be a scalar"),
    (dict(design="mixed"), "design must be one of"),
])
def test_bad_input(change, message):
    kw = dict(T=10, lam=0.1, n=0, T0=None, reps=4, seed=0)
    kw.update(change)
    e, w = sc.isotropic(4)
    with pytest.raises(ValueError, match=message):
        sc.simulate(e, w, **kw)


def test_testing_helper_fails_when_it_should():
    class Sim:
        mean, stderr = 1.0, 0.01
    assert z_score(1.02, Sim) == pytest.approx(2.0)
    assert_matches_simulation(1.03, Sim, k=4)
    with pytest.raises(AssertionError, match="z = 5.00"):
        assert_matches_simulation(1.05, Sim, k=4)
    assert_matches_simulation(1.05, Sim, k=4, rel=0.02)
    with pytest.raises(ValueError):
        assert_matches_simulation(1.0, Sim, k=-1)
