"""The fast simulator (Bartlett factors for designs of rows >= d) against the faithful one.

The two methods draw different numbers, so the samples differ; their distributions must not.
For each pipeline both methods run at a fixed seed and the per-repetition errors are compared:
means and variances within 4 combined standard errors, and two-sample Kolmogorov-Smirnov and
Anderson-Darling tests at the 0.1 % level.  A negative control checks that these comparisons do
detect a small change of the data process (so the tests can fail).
"""

import numpy as np
import pytest

import symcollapse as sc
from symcollapse import Block, Fit, Pipeline, Reuse
from symcollapse.simulation.pipeline_simulation import essential_flops
from symcollapse.simulation.testing import compare_samples

REPS = 3000


compare = compare_samples


def assert_same_distribution(a, b):
    r = compare(a, b)
    assert abs(r["z_mean"]) < 4, r
    assert abs(r["z_var"]) < 4, r
    assert r["ks_p"] > 1e-3, r
    assert r["ad_p"] > 1e-3, r  # not rejected at the 0.1 % level
    return r


E8, W8 = sc.power_law(8, 1.5, 0.5)

PIPELINES = {
    # least-squares chain, fresh designs of T0 >= d (compressed), ridge downstream
    "chain_ls": sc.workflows.replace(n=2, T0=14, sigma0=0.4, T=20, sigma=0.3, lam=1e-2),
    # one design for every generator, ridge generators (a cached factorisation), LS downstream
    "same_design_ridge": sc.workflows.replace(
        n=3, T0=12, sigma0=0.5, lam0=0.05, T=15, sigma=0.2, design="same"
    ),
    # over-parameterised generator (drawn as it is) feeding a compressed downstream fit
    "mixed_sizes": sc.workflows.replace(
        n=2, T0=sc.per_generation([5, 16]), sigma0=0.5, T=12, sigma=0.1, lam=0.0
    ),
    # Reuse of labels, a named design in two fits, and a fit stacking a compressed design with
    # fresh explicit rows
    "reuse_named": Pipeline(
        [
            Fit("t", [Block(12, "truth", 0.5, design="X", name="b")]),
            Fit("s", [Reuse("b"), Block(12, "t", 0.3, design="X"), Block(5, "truth", 0.2)], lam=1e-2),
        ]
    ),
}


@pytest.mark.parametrize("name", sorted(PIPELINES))
def test_fast_and_faithful_agree_in_distribution(name):
    pipe = PIPELINES[name]
    fast = pipe.simulate(E8, W8, reps=REPS, seed=101, method="fast")
    faithful = pipe.simulate(E8, W8, reps=REPS, seed=202, method="faithful")
    assert fast.settings["method"] == "fast" and faithful.settings["method"] == "faithful"
    assert not np.array_equal(fast.samples[:10], faithful.samples[:10])
    assert_same_distribution(fast.samples, faithful.samples)


def test_the_comparison_detects_a_small_change():
    """Negative control: T0 = 14 against T0 = 13 (a ~10 % change of the generators' variance
    term) is rejected by the same comparison."""
    a = PIPELINES["chain_ls"].simulate(E8, W8, reps=REPS, seed=101)
    b = sc.workflows.replace(n=2, T0=13, sigma0=0.4, T=20, sigma=0.3, lam=1e-2).simulate(
        E8, W8, reps=REPS, seed=202, method="faithful"
    )
    with pytest.raises(AssertionError):
        assert_same_distribution(a.samples, b.samples)


def test_fast_least_squares_is_exact_theorem_4_1():
    """Theorem 4.1 (exact, any Sigma) with the fast method: E = d s^2/(T-d-1) + n d s0^2/(T0-d-1)."""
    d, n, T, T0, sigma, sigma0 = 8, 3, 20, 14, 0.5, 0.4
    exact = d * sigma**2 / (T - d - 1) + n * d * sigma0**2 / (T0 - d - 1)
    for design in ("independent", "same"):
        sim = sc.simulate(
            E8, W8, T=T, n=n, T0=T0, sigma=sigma, sigma0=sigma0, design=design, reps=4000, seed=5
        )
        assert sim.settings["method"] == "fast"
        assert abs(exact - sim.mean) < 4 * sim.stderr


def test_fast_is_seeded_and_batch_sized():
    pipe = PIPELINES["reuse_named"]
    a = pipe.simulate(E8, W8, reps=40, seed=3)
    b = pipe.simulate(E8, W8, reps=40, seed=np.random.default_rng(3))
    np.testing.assert_array_equal(a.samples, b.samples)
    small = pipe.simulate(E8, W8, reps=40, seed=3, batch_bytes=8 * 3 * 30 * 8 * 3)
    assert small.settings["batch"] < a.settings["batch"]
    assert small.samples.shape == (40,) and np.all(np.isfinite(small.samples))


def test_essential_flops_counts_the_faithful_work():
    pipe = sc.workflows.replace(n=1, T0=600, T=1000, lam=1e-3)
    d = 300
    gen = 600 * d * d + d**3 / 3 + 2 * d**2 + 2 * 600 * d + 2 * 600 * d
    down = 1000 * d * d + d**3 / 3 + 2 * d**2 + 2 * 1000 * d + 2 * 1000 * d
    assert essential_flops(pipe, d) == pytest.approx(gen + down)


@pytest.mark.slow
@pytest.mark.parametrize("d", [30, 60])
def test_fast_and_faithful_agree_at_larger_d(d):
    """Longer runs: an accumulate-like pipeline (every fit reuses all earlier blocks with their
    labels and adds a fresh one) and a ridge chain on one design, at d = 30 and 60."""
    e, w = sc.power_law(d, 2.0, 0.375)
    fits, reused = [], []
    teacher = "truth"
    for k in range(4):
        fits.append(
            Fit(
                f"g{k}",
                [Reuse(b) for b in reused] + [Block(d + 10, teacher, 0.5, name=f"b{k}")],
                lam=1e-2 if k else 0.0,
            )
        )
        reused.append(f"b{k}")
        teacher = f"g{k}"
    for pipe in (
        Pipeline(fits),
        sc.workflows.replace(
            n=4, T0=2 * d, sigma0=0.4, lam0=1e-2, T=3 * d, sigma=0.1, lam=1e-3, design="same"
        ),
    ):
        fast = pipe.simulate(e, w, reps=4000, seed=7)
        faithful = pipe.simulate(e, w, reps=4000, seed=8, method="faithful")
        assert_same_distribution(fast.samples, faithful.samples)
