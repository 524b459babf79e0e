"""The simulator of a declared pipeline (``Pipeline.simulate``): the same samples as
``sc.simulate`` on the chain, exact identities of the data process checked against the
simulation's own standard error, bad input, and determinism."""

import numpy as np
import pytest

import symcollapse as sc
from symcollapse import Block, Fit, Pipeline, Reuse
from symcollapse.simulation.pipeline_simulation import simulate_pipeline
from symcollapse.simulation.testing import assert_matches_simulation

# --- sc.simulate is replace(...).simulate(...) ----------------------------------------------------
CHAINS = [
    dict(T=30, lam=0.1, n=2, T0=20, sigma=0.3, sigma0=0.3),
    dict(T=30, lam=0.0, n=3, T0=20, sigma=0.3, sigma0=0.3, design="same"),
    dict(T=8, lam=0.0, n=2, T0=6, sigma=0.1, sigma0=0.2, design="same"),
    dict(T=25, lam=1e-2, n=3, T0=7, sigma=0.2, sigma0=0.5, lam0=0.1),
    dict(
        T=25,
        lam=0.0,
        n=3,
        T0=sc.per_generation([7, 30, 12]),
        sigma0=sc.per_generation([0.5, 0.0, 0.2]),
        lam0=sc.per_generation([0.1, 0.0, 1e-3]),
        sigma=0.1,
    ),
    dict(T=15, lam=0.5, n=0, sigma=0.4),
]


@pytest.mark.parametrize("case", CHAINS, ids=[str(i) for i in range(len(CHAINS))])
def test_simulate_is_the_replace_pipeline(case):
    e, w = sc.power_law(10, 1.5, 0.5)
    front = sc.simulate(e, w, reps=30, seed=7, **case)
    pipe = sc.workflows.replace(**case).simulate(e, w, reps=30, seed=7)
    np.testing.assert_array_equal(front.samples, pipe.samples)
    assert front.mean == pipe.mean and front.stderr == pipe.stderr
    assert front.settings["pipeline"]["fits"] == pipe.settings["fits"]


def test_simulate_is_the_replace_pipeline_across_batches():
    """Several memory-bounded batches: still the same samples, batch by batch."""
    e, w = sc.isotropic(12)
    kw = dict(T=40, lam=1e-2, n=2, T0=30, sigma=0.2, sigma0=0.3)
    front = sc.simulate(e, w, reps=50, seed=3, **kw)
    pipe = sc.workflows.replace(**kw)
    np.testing.assert_array_equal(front.samples, pipe.simulate(e, w, reps=50, seed=3).samples)
    for method in ("fast", "faithful"):
        front = sc.simulate(e, w, reps=50, seed=3, method=method, **kw)
        small = pipe.simulate(e, w, reps=50, seed=3, method=method, batch_bytes=8 * 3 * 40 * 12 * 7)
        assert small.settings["batch"] < front.settings["pipeline"]["batch"]
        assert small.reps == 50 and np.all(small.samples > 0)
    assert small.settings["batch"] == 7


# --- exact identities (no random-matrix theory), judged by the simulation's standard error -------
def test_theorem_4_1_isotropic_least_squares_chain():
    """Theorem 4.1: isotropic least-squares chain, T0, T >= d + 2:
    E = d*sigma^2/(T-d-1) + n*d*sigma0^2/(T0-d-1), for both designs, declared by hand."""
    d, n, T, T0, sigma, sigma0 = 10, 3, 30, 25, 0.5, 0.4
    e, w = sc.isotropic(d)
    E = d * sigma**2 / (T - d - 1) + n * d * sigma0**2 / (T0 - d - 1)
    for design in (None, "X0"):
        fits, teacher = [], "truth"
        for m in range(n):
            fits.append(Fit(f"g{m}", [Block(T0, teacher, sigma0, design=design)]))
            teacher = f"g{m}"
        fits.append(Fit("down", [Block(T, teacher, sigma)]))
        sim = Pipeline(fits).simulate(e, w, reps=4000, seed=41)
        assert_matches_simulation(E, sim, k=4, rel=0.0)


def test_two_fresh_blocks_are_one_gaussian_design():
    """Stacking two fresh truth-labelled blocks of T1 and T2 rows with the same noise is least
    squares on T1 + T2 Gaussian rows: E = d*sigma^2/(T1+T2-d-1), for any Sigma."""
    d, T1, T2, sigma = 8, 6, 14, 0.7
    e, w = sc.power_law(d, 2.0, 0.5)
    pipe = Pipeline([Fit("f", [Block(T1, "truth", sigma), Block(T2, "truth", sigma)])])
    sim = pipe.simulate(e, w, reps=4000, seed=42)
    assert_matches_simulation(d * sigma**2 / (T1 + T2 - d - 1), sim, k=4, rel=0.0)


def test_named_design_twice_in_one_fit_averages_the_noise():
    """One design labelled twice (fresh noises) in one least-squares fit is least squares on the
    averaged labels, noise sigma / sqrt(2): E = d*(sigma^2/2)/(T-d-1)."""
    d, T, sigma = 8, 20, 0.6
    e, w = sc.power_law(d, 1.5, 1.0)
    pipe = Pipeline([Fit("f", [Block(T, "truth", sigma, design="X"), Block(T, "truth", sigma, design="X")])])
    sim = pipe.simulate(e, w, reps=4000, seed=43)
    assert_matches_simulation(d * sigma**2 / 2 / (T - d - 1), sim, k=4, rel=0.0)


@pytest.mark.parametrize(("rows", "lam"), [(6, 0.0), (6, 0.1), (20, 0.0), (20, 0.1)])
def test_reuse_returns_the_same_fit(rows, lam):
    """B = [Reuse("b")] with A's ridge refits A's rows and labels: A's output, sample by sample
    (and twice the same block in one fit is the same objective, so the same fit too)."""
    e, w = sc.power_law(10, 2.0, 0.5)
    A = Fit("A", [Block(rows, "truth", 0.3, name="b")], lam=lam)
    one = Pipeline([A]).simulate(e, w, reps=20, seed=44)
    again = Pipeline([A, Fit("B", [Reuse("b")], lam=lam)]).simulate(e, w, reps=20, seed=44)
    np.testing.assert_array_equal(again.samples, one.samples)
    twice = Pipeline([A, Fit("B", [Reuse("b"), Reuse("b")], lam=lam)]).simulate(e, w, reps=20, seed=44)
    np.testing.assert_allclose(twice.samples, one.samples, rtol=1e-9)


@pytest.mark.parametrize("T", [6, 10, 25])
def test_named_design_refit_without_noise_is_exact(T):
    """Two least-squares fits on the same design, the second labelled by the first without
    noise: the second returns the first (pinv(X) X w1 = w1 for w1 in X's row space, and any w1
    when T >= d), so the error equals the one-fit error exactly."""
    d = 10
    e, w = sc.power_law(d, 1.5, 0.5)
    first = Fit("f1", [Block(T, "truth", 0.4, design="X")])
    one = Pipeline([first]).simulate(e, w, reps=25, seed=45)
    two = Pipeline([first, Fit("f2", [Block(T, "f1", 0.0, design="X")])]).simulate(e, w, reps=25, seed=45)
    np.testing.assert_allclose(two.samples, one.samples, rtol=1e-8)
    fresh = Pipeline([first, Fit("f2", [Block(T, "f1", 0.0)])]).simulate(e, w, reps=25, seed=45)
    if T < d:  # fresh rows project w1 onto another row space: another fit
        assert not np.any(np.isclose(fresh.samples, one.samples, rtol=1e-6))
    else:  # T >= d rows recover any noiseless labeller exactly
        np.testing.assert_allclose(fresh.samples, one.samples, rtol=1e-8)


def test_noiseless_truth_is_recovered():
    e, w = sc.isotropic(6)
    pipe = Pipeline(
        [
            Fit("a", [Block(10, "truth", design="X")]),
            Fit("b", [Block(10, "a", design="X"), Block(4, "truth")]),
        ]
    )
    assert pipe.simulate(e, w, reps=5, seed=1).mean < 1e-20


# --- bad input ------------------------------------------------------------------------------------
def test_grid_pipeline_is_refused():
    e, w = sc.isotropic(6)
    with pytest.raises(ValueError, match=r"simulate runs one setting.*rows of fit 'downstream'"):
        sc.workflows.replace(T=np.array([10, 20])).simulate(e, w, reps=4)
    with pytest.raises(ValueError, match=r"simulate runs one setting.*lam of fit 'f'"):
        Pipeline([Fit("f", [Block(10)], lam=[0.1, 1.0])]).simulate(e, w, reps=4)
    with pytest.raises(ValueError, match=r"simulate runs one setting.*noise of fit 'gen1', block 0"):
        sc.workflows.replace(n=1, T0=10, sigma0=[0.1, 0.2], T=10).simulate(e, w, reps=4)


def test_fractional_rows_are_refused():
    """The theory may take non-integer sizes; the data process draws whole rows."""
    e, w = sc.isotropic(4)
    with pytest.raises(ValueError, match="rows must be an integer"):
        Pipeline([Fit("f", [Block(10.5)])]).simulate(e, w, reps=4)


@pytest.mark.parametrize("reps", [1, 0, 2.5, True, [4, 4]])
def test_bad_reps(reps):
    e, w = sc.isotropic(4)
    with pytest.raises(ValueError, match="reps must be an integer >= 2"):
        Pipeline([Fit("f", [Block(10)])]).simulate(e, w, reps=reps)


def test_absurd_sizes_are_refused_before_any_work():
    e, w = sc.isotropic(100)
    one = Pipeline([Fit("big", [Block(10**9)])])
    with pytest.raises(
        ValueError,
        match=r"GiB \(fit 'big': rows = 1000000000, d = 100\).*"
        r"lower the rows of fit 'big' or d",
    ):
        one.simulate(e, w, reps=2, method="faithful")
    # the fast method holds a d x d Bartlett factor in place of the 10^9 rows: cheap and exact
    assert one.simulate(e, w, reps=2, seed=0).mean < 1e-28
    with pytest.raises(ValueError, match=r"GiB \(fit 'big': rows = 1000000000, d = 20000\)"):
        one.simulate(*sc.isotropic(20_000), reps=2)
    pipe = sc.workflows.replace(n=2, T0=200, T=400)
    with pytest.raises(
        ValueError,
        match=r"flops \(reps = 1000000000 .* the largest is fit "
        r"'downstream' with rows = 400.*lower reps",
    ):
        pipe.simulate(e, w, reps=10**9, method="faithful")
    with pytest.raises(ValueError, match=r"flops \(reps = 1000000000 .* the largest is fit 'gen1'"):
        pipe.simulate(e, w, reps=10**9)  # fast: every design holds d rows
    with pytest.raises(ValueError, match=r"d = 2000000"):
        pipe.simulate(sc.PowerLaw(2.0, 0.5, d=2_000_000), reps=2)
    with pytest.raises(ValueError, match=r"reps = 1000000000 needs 7.45 GiB for the samples"):
        Pipeline([Fit("f", [Block(1)])]).simulate(sc.isotropic(1)[0], np.ones(1), reps=10**9)
    with pytest.raises(ValueError, match="more than max_flops = 1e\\+03"):
        pipe.simulate(e, w, reps=2, max_flops=1e3)
    with pytest.raises(
        ValueError,
        match=r"rows = 10000000, d = 100\).*fit 'downstream' has the "
        r"T rows",
    ):  # sc.simulate is refused the same way
        sc.simulate(e, w, T=10**7, reps=2, method="faithful")
    with pytest.raises(ValueError, match=r"d = 40000\)"):
        sc.simulate(*sc.isotropic(40_000), T=40_000, reps=2)


def test_bad_arguments():
    e, w = sc.isotropic(4)
    pipe = Pipeline([Fit("f", [Block(10)])])
    with pytest.raises(TypeError, match=r"unknown option\(s\) \['repetitions'\]"):
        pipe.simulate(e, w, repetitions=3)
    with pytest.raises(ValueError, match=r"method must be one of \('fast', 'faithful'\)"):
        pipe.simulate(e, w, method="exact")
    with pytest.raises(ValueError, match="threads must be an integer >= 1"):
        pipe.simulate(e, w, threads=0)
    with pytest.raises(ValueError, match="max_flops must be a positive number"):
        pipe.simulate(e, w, max_flops=-1)
    with pytest.raises(TypeError, match="needs a Pipeline"):
        simulate_pipeline([Fit("f", [Block(10)])], e, w)
    with pytest.raises(ValueError, match="finite d"):
        pipe.simulate(sc.PowerLaw(2.0, 0.5, d=None))


# --- determinism ------------------------------------------------------------------------------------
def test_seeded_and_reproducible():
    e, w = sc.power_law(9, 2.0, 0.5)
    pipe = Pipeline(
        [
            Fit("t", [Block(12, "truth", 0.5, design="X", name="b")]),
            Fit("s", [Reuse("b"), Block(12, "t", 0.2, design="X"), Block(5, "truth", 0.1)], lam=1e-2),
        ]
    )
    a = pipe.simulate(e, w, reps=15, seed=9)
    b = pipe.simulate(e, w, reps=15, seed=9)
    c = pipe.simulate(e, w, reps=15, seed=10)
    g = pipe.simulate(e, w, reps=15, seed=np.random.default_rng(9))
    s = pipe.simulate(e, w, reps=15, seed=np.random.SeedSequence(9))
    np.testing.assert_array_equal(a.samples, b.samples)
    np.testing.assert_array_equal(a.samples, g.samples)
    np.testing.assert_array_equal(a.samples, s.samples)
    assert not np.array_equal(a.samples, c.samples)
    assert a.reps == 15 and a.stderr == pytest.approx(a.samples.std(ddof=1) / np.sqrt(15))
    assert a.mean == pytest.approx(a.samples.mean())
    assert a.settings["d"] == 9 and [f["name"] for f in a.settings["fits"]] == ["t", "s"]
    assert a.settings["fits"][1]["blocks"][0]["reused_labels"] is True
    pl = sc.PowerLaw(2.0, 0.5, d=9)
    np.testing.assert_array_equal(
        pipe.simulate(pl, reps=15, seed=9).samples,
        pipe.simulate(pl.eigenvalues(9), pl.w0(9), reps=15, seed=9).samples,
    )
