"""optimal_lambda against a dense scan of predict, vectorization, and the recipe derived from
Corollary 5.2."""

import numpy as np
import pytest

import symcollapse as sc
from symcollapse.numeric.optimal import optimal_lambda, ridge_recipe

EIGS, W0 = sc.power_law(300, 2.0, 0.375)


def test_optimum_beats_a_dense_scan_and_is_vectorized():
    T = np.array([100.0, 1000.0, 10000.0])
    n = np.array([[0], [1], [5]])
    opt = optimal_lambda(EIGS, W0, T=T, n=n, T0=600, sigma=1.0, sigma0=1.0)
    assert opt.lam.shape == (3, 3) and not np.any(opt.at_bound)
    lams = np.logspace(-10, 3, 2601)
    for i, t in enumerate(T):
        for j, m in enumerate(n[:, 0]):
            scan = sc.predict(EIGS, W0, T=t, lam=lams, n=m, T0=600, sigma=1.0, sigma0=1.0)
            assert opt.test_error[j, i] <= scan.test_error.min() * (1 + 1e-9)
            assert opt.lam[j, i] == pytest.approx(lams[np.argmin(scan.test_error)], rel=0.01)
            single = optimal_lambda(EIGS, W0, T=t, n=m, T0=600, sigma=1.0, sigma0=1.0)
            assert single.lam == pytest.approx(opt.lam[j, i], rel=1e-5)


def test_noiseless_clean_optimum_runs_to_the_lower_bound():
    opt = optimal_lambda(EIGS, W0, T=1000.0, sigma=0.0, bounds=(1e-8, 1.0))
    assert bool(opt.at_bound) and opt.lam < 1e-7


def test_recipe_against_the_optimum():
    """With fake data the optimal ridge stops shrinking with T, as the recipe
    (n sigma0^2/T0)^ell_crit says, and the two agree within a constant factor; on clean data the
    optimum keeps shrinking with T (the recipe does not apply)."""
    T = np.array([2e3, 2e4, 2e5])
    fake = optimal_lambda(EIGS, W0, T=T, n=5, T0=600, sigma=1.0, sigma0=1.0).lam
    clean = optimal_lambda(EIGS, W0, T=T, n=0, sigma=1.0).lam
    recipe = ridge_recipe(2.0, 0.375, n=5, sigma0=1.0, T0=600)
    assert np.all(np.abs(np.log(fake / recipe)) < np.log(3.0))
    assert fake[-1] / fake[0] > 0.5
    assert clean[-1] / clean[0] < 0.05
    assert ridge_recipe(2.0, 0.375, n=5, sigma0=1.0, T0=600, T=2.0) == pytest.approx(0.25)
    assert ridge_recipe(2.0, 0.375, n=5, sigma0=1.0, T0=600, T=100.0) == pytest.approx(recipe)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        (dict(bounds=(0.0, 1.0)), "bounds must satisfy"),
        (dict(bounds=(1.0, 0.1)), "bounds must satisfy"),
        (dict(scan=3), "scan must be an integer >= 5"),
        (dict(rtol=0.0), "rtol must be > 0"),
        (dict(T=-1.0), "T must be >= 1"),
    ],
)
def test_bad_input(kw, message):
    args = dict(T=100.0, sigma=1.0)
    args.update(kw)
    with pytest.raises(ValueError, match=message):
        optimal_lambda(EIGS, W0, **args)
    with pytest.raises(ValueError, match="n \\* sigma0\\*\\*2 > 0"):
        ridge_recipe(2.0, 0.5, n=0, sigma0=1.0, T0=100)
