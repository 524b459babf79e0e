"""The Monte-Carlo simulator: reproducibility, bad input, and exact identities that need no
random-matrix theory."""

import re

import numpy as np
import pytest

import symcollapse as sc
from symcollapse.simulation.pipeline_simulation import _lstsq_min_norm, _ridge
from symcollapse.simulation.testing import assert_matches_simulation, z_score


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
        ridge = np.stack(
            [
                np.linalg.solve(X[i].T @ X[i] / rows + lam * np.eye(cols), X[i].T @ y[i] / rows)
                for i in range(3)
            ]
        )
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


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (dict(T=10.5), "T must be an integer"),
        (dict(T=0), "T must be an integer >= 1"),
        (dict(n=2, T0=None), "T0 is required"),
        (dict(n=1, T0=0), "T0 must be an integer >= 1"),
        (dict(reps=1), "reps must be an integer >= 2"),
        (dict(lam=-1.0), "lam must be >= 0"),
        (dict(sigma0=np.array([[0.1, 0.2]])), "sigma0 = .* simulate runs one setting"),
        (dict(design="mixed"), "design must be one of"),
    ],
)
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


# --- per-generation schedules: T0 = T0[m], sigma0 = sigma0[m] for generator m = 0..n-1 ---------
# The schedule convention (symcollapse.pipeline.schedule): sc.per_generation([...]) is one value
# per generator; a plain list, tuple or array is a grid of settings, which simulate refuses.
ONE_SETTING = re.escape(
    "simulate runs one setting; for one value per generator pass sc.per_generation([...])"
)


@pytest.mark.parametrize("design", ["independent", "same"])
def test_constant_schedule_is_the_scalar_setting(design):
    """A schedule with equal entries draws exactly what the scalar setting draws."""
    e, w = sc.power_law(12, 1.5, 0.7)
    wrap = sc.per_generation
    kw = dict(T=20, lam=0.05, n=3, sigma=0.2, design=design, reps=12, seed=4)
    scalar = sc.simulate(e, w, T0=8, sigma0=0.3, **kw)
    sched = sc.simulate(e, w, T0=wrap([8, 8, 8]), sigma0=wrap([0.3, 0.3, 0.3]), **kw)
    np.testing.assert_array_equal(sched.samples, scalar.samples)
    assert scalar.settings["T0"] == 8 and scalar.settings["sigma0"] == 0.3
    assert sched.settings["T0"] == (8, 8, 8) and sched.settings["sigma0"] == (0.3, 0.3, 0.3)


@pytest.mark.parametrize("name", ["T0", "sigma0", "lam0"])
@pytest.mark.parametrize("kind", ["tuple", "list", "array"])
def test_plain_sequence_is_a_grid_not_a_schedule(kind, name):
    """A plain sequence is a grid of settings; simulate runs one and says how to give a schedule."""
    e, w = sc.isotropic(6)
    wrap = {"tuple": tuple, "list": list, "array": np.array}[kind]
    kw = dict(T=10, n=3, T0=20, reps=4, seed=0)
    kw[name] = wrap([20, 20, 20] if name == "T0" else [0.1, 0.1, 0.1])
    with pytest.raises(ValueError, match=ONE_SETTING):
        sc.simulate(e, w, **kw)


@pytest.mark.parametrize("design", ["independent", "same"])
def test_schedule_exact_ols_chain_any_sigma(design):
    """No RMT: with lam = 0, T >= d + 2 and every T0[m] >= d + 2 (so every P_m = I),
    w_n = w0 + sum_m X_m^+ E_m and E||X_m^+ E_m||_Sigma^2 = sigma0[m]^2 d / (T0[m] - d - 1)
    exactly (inverse-Wishart mean), for any Sigma.  Distinct T0[m] paired with distinct
    sigma0[m] check that generator m gets its own sample size and noise."""
    d, T, sigma = 12, 30, 0.5
    e, w = sc.power_law(d, 2.0, 0.5)
    T0 = [40, 20, 28] if design == "independent" else [24, 24, 24]
    sigma0 = [0.6, 0.2, 0.4]
    sim = sc.simulate(
        e,
        w,
        T=T,
        lam=0.0,
        n=3,
        T0=sc.per_generation(T0),
        sigma=sigma,
        sigma0=sc.per_generation(sigma0),
        design=design,
        reps=4000,
        seed=12,
    )
    exact = sigma**2 * d / (T - d - 1) + sum(s**2 * d / (t - d - 1) for t, s in zip(T0, sigma0, strict=True))
    assert_matches_simulation(exact, sim, k=4, rel=0)
    # the pairing matters: swapping the noises between generators is clearly wrong
    if design == "independent":
        swapped = sigma**2 * d / (T - d - 1) + sum(
            s**2 * d / (t - d - 1) for t, s in zip(T0, sigma0[::-1], strict=True)
        )
        with pytest.raises(AssertionError):
            assert_matches_simulation(swapped, sim, k=4, rel=0)


def test_schedule_noiseless_generators_keep_w0():
    """sigma0 = 0 and every T0[m] >= d: each generator recovers its labeller exactly, so the
    downstream OLS on clean labels is exact too."""
    e, w = sc.power_law(8, 2.0, 0.5)
    sim = sc.simulate(
        e,
        w,
        T=20,
        lam=0.0,
        n=3,
        T0=sc.per_generation([8, 30, 9]),
        sigma0=sc.per_generation([0.0, 0.0, 0.0]),
        reps=5,
        seed=1,
    )
    assert sim.mean < 1e-20


def test_schedule_over_parameterised_generator_drifts():
    """sigma0 = 0 and an over-parameterised generator somewhere in the schedule: the labeller
    drifts into a row space, so the error is no longer zero (and only that generator matters:
    one with T0 < d in the middle of under-parameterised ones)."""
    e, w = sc.isotropic(10)
    clean = sc.simulate(e, w, T=30, lam=0.0, n=3, T0=sc.per_generation([20, 20, 20]), reps=20, seed=3)
    drift = sc.simulate(e, w, T=30, lam=0.0, n=3, T0=sc.per_generation([20, 5, 20]), reps=20, seed=3)
    assert clean.mean < 1e-20 < drift.mean


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (dict(T0=sc.per_generation([20, 20])), r"T0 has 2 values, one per generator, but n = 3"),
        (dict(T0=sc.per_generation((20, 20, 20, 20))), r"T0 has 4 values, one per generator, but n = 3"),
        (dict(sigma0=sc.per_generation([0.1, 0.2])), r"sigma0 has 2 values, one per generator, but n = 3"),
        (dict(sigma0=sc.per_generation([0.1, 0.1, 0.1, 0.1])), r"sigma0 has 4 values"),
        (dict(lam0=sc.per_generation([0.1, 0.1])), r"lam0 has 2 values, one per generator, but n = 3"),
        (dict(T0=sc.per_generation([20, 0, 20])), r"T0 must be an integer >= 1 .* for every generator"),
        (dict(T0=sc.per_generation([20, 10.5, 20])), r"T0 must be an integer >= 1"),
        (dict(T0=np.array([[20, 20, 20]])), r"T0 = .* simulate runs one setting"),
        (dict(sigma0=sc.per_generation([0.1, -0.2, 0.1])), r"sigma0 must be >= 0 for every generator"),
        (dict(lam0=sc.per_generation([0.1, -0.2, 0.1])), r"lam0 must be >= 0 for every generator"),
        (dict(sigma0=np.nan), r"sigma0 must be finite"),
        (dict(T0=sc.per_generation([20, 8, 20]), design="same"), r"design='same' reuses one design X0"),
        (dict(n=0, T0=sc.per_generation([20])), r"T0 has 1 values, one per generator, but n = 0"),
        (dict(T0=[20, 20, 20]), ONE_SETTING),
        (dict(sigma0=(0.1, 0.2, 0.3)), ONE_SETTING),
    ],
)
def test_schedule_bad_input(change, message):
    kw = dict(T=10, lam=0.1, n=3, T0=20, sigma0=0.1, reps=4, seed=0)
    kw.update(change)
    e, w = sc.isotropic(6)
    with pytest.raises(ValueError, match=message):
        sc.simulate(e, w, **kw)


def test_schedule_values_are_checked_when_built():
    """A schedule is checked when it is made: a non-finite or 2-D schedule never reaches simulate."""
    with pytest.raises(ValueError, match="per-generation schedule must be finite"):
        sc.per_generation([0.1, np.nan, 0.1])
    with pytest.raises(ValueError, match="per-generation schedule must be a 1-D sequence"):
        sc.per_generation([[20, 20, 20]])


def test_schedule_same_design_with_varying_noise():
    """design='same' accepts one T0 for all generators and a varying sigma0 (X0 is reused, the
    noises are fresh): with T0 >= d + 2 the exact Theorem 4.1 sum still holds."""
    d = 10
    e, w = sc.power_law(d, 1.5, 0.5)
    sim = sc.simulate(
        e,
        w,
        T=25,
        lam=0.0,
        n=2,
        T0=sc.per_generation([16, 16]),
        sigma0=sc.per_generation([0.0, 0.5]),
        design="same",
        reps=3000,
        seed=8,
    )
    assert_matches_simulation(0.25 * d / (16 - d - 1), sim, k=4, rel=0)
