"""The workflows beyond the paper's chain (``accumulate``, ``fresh_real_mix``, ``downstream_mix``):
their derived theory against the Monte-Carlo of the same declaration, exact closed forms, limits,
bad input.

Allowances (``rel``, added to 4 standard errors of the Monte-Carlo mean at a fixed seed):

* accumulate with least squares, every fit on ``N >= d + 2`` rows: exact (``rel = 0``), for any
  Sigma (inverse-Wishart means and exchangeability of rows, no deterministic equivalent);
* everything else runs on the engine's deterministic equivalents, whose finite-size error was
  measured for the engine (tests/test_pipeline_theory.py: |gap| * d <= 2, 3 for beta = 1.5 power
  laws): ``rel = 2 / d`` (``3 / d`` for those power laws).  On the settings below at d = 100 with
  300 repetitions (a script run once): fresh_real_mix |z| <= 1.63, downstream_mix |z| <= 2.53 (the
  chain with T0 = 1.2 d, whose inverse-Wishart noise is heavy-tailed), fixed teacher |z| <= 1.2.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import symcollapse as sc
from symcollapse.simulation.testing import assert_matches_simulation

W = sc.workflows


def spectrum(kind: str, d: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    if kind == "isotropic":
        return sc.isotropic(d)
    if kind == "power-law":
        return sc.power_law(d, 2.0, 0.5)
    eigs = np.exp(rng.uniform(np.log(0.05), np.log(3.0), d))
    return eigs, rng.standard_normal(d) / np.sqrt(d)


def check(pipe, kind, d, rel, reps=400, seed=1):
    e, w = spectrum(kind, d)
    sim = pipe.simulate(e, w, reps=reps, seed=seed)
    return assert_matches_simulation(pipe.predict(e, w), sim, k=4, rel=rel)


# ------------------------------------------------------------------------------- accumulate
@pytest.mark.parametrize("design", ["same", "fresh"])
@pytest.mark.parametrize(("kind", "d", "n"), [("isotropic", 20, 8), ("power-law", 40, 5), ("random", 30, 2)])
def test_accumulate_least_squares_is_exact(design, kind, d, n):
    pipe = W.accumulate(n=n, T0=d + 12, sigma0=0.5, T=d + 12, sigma=0.4, design=design)
    check(pipe, kind, d, rel=0.0)


@pytest.mark.parametrize("design", ["same", "fresh"])
def test_accumulate_with_an_over_parameterised_first_generation(design):
    """Fresh designs: generation 1 on T0 < d rows (equivalent), every later fit on N >= d + 2
    rows (exact increments); same design: the least-squares projection on T0 < d rows."""
    d = 40
    T0 = 28 if design == "fresh" else 24
    pipe = W.accumulate(n=4, T0=T0, sigma0=0.3, T=T0, sigma=0.3, design=design)
    check(pipe, "power-law", d, rel=2 / d)


def test_accumulate_equals_gerstgrasser_closed_form_symbolically():
    """Same design, T = T0 >= d + 2: E = d/(T0 - d - 1) (sigma0^2 sum_{i<=n} 1/i^2 + sigma^2/(n+1)^2)
    for every Sigma; fresh designs: sum_i sigma_i^2 (T_i/N_i) d/(N_i - d - 1)."""
    from symcollapse.symbolic.symbols import d

    T0, s0, s = sp.symbols("T0 sigma0 sigma", positive=True)
    for n in range(0, 5):
        for design in ("same", "fresh"):
            pipe = W.accumulate(n=n, T0=60, sigma0=0.5, T=60, sigma=0.3, design=design)
            der = pipe.derive(d_value=20)
            sub = {}
            for sym in der.test_error.free_symbols:
                name = str(sym)
                if name.startswith("T_"):
                    sub[sym] = T0
                elif name.startswith("sigma_"):
                    sub[sym] = s if name.startswith("sigma_downstream") else s0
            got = der.test_error.xreplace(sub)
            if design == "same":
                want = (
                    d
                    / (T0 - d - 1)
                    * (s0**2 * sum(sp.Rational(1, i**2) for i in range(1, n + 1)) + s**2 / (n + 1) ** 2)
                )
            else:
                want = sum(
                    (s0 if i <= n else s) ** 2 * sp.Rational(1, i) * d / (i * T0 - d - 1)
                    for i in range(1, n + 2)
                )
            got = got.doit()
            assert sp.simplify(got - want) == 0, (n, design, got)
    # the bound: the sum over 1/i^2 tends to pi^2/6
    i = sp.Symbol("i", integer=True, positive=True)
    assert sp.summation(1 / i**2, (i, 1, sp.oo)) == sp.pi**2 / 6


def test_accumulate_numbers_and_the_pi_squared_bound():
    e, w = sc.isotropic(10)
    same = W.accumulate(n=7, T0=40, sigma0=1.0, T=40, sigma=1.0, design="same")
    fresh = W.accumulate(n=7, T0=40, sigma0=1.0, T=40, sigma=1.0, design="fresh")
    unit = 10 / (40 - 11)
    assert same.predict(e, w).test_error / unit == pytest.approx(
        sum(1 / i**2 for i in range(1, 9)), rel=1e-13
    )
    assert fresh.predict(e, w).test_error / unit == pytest.approx(
        29 * sum(1 / (i * (40 * i - 11)) for i in range(1, 9)), rel=1e-13
    )
    assert fresh.predict(e, w).test_error < same.predict(e, w).test_error < np.pi**2 / 6 * unit
    replace = W.replace(n=7, T0=40, sigma0=1.0, T=40, sigma=1.0)
    assert replace.predict(e, w).test_error / unit == pytest.approx(8, rel=1e-13)


def test_accumulate_refusals_and_what_simulate_still_runs():
    e, w = sc.isotropic(20)
    ridge = W.accumulate(n=2, T0=30, sigma0=0.5, T=30, sigma=0.5, lam=0.1)
    with pytest.raises(ValueError, match="fit 'downstream', block 0: reuses the labels"):
        ridge.predict(e, w)
    assert np.isfinite(ridge.simulate(e, w, reps=4, seed=0).mean)
    small = W.accumulate(n=2, T0=8, sigma0=0.5, T=8, sigma=0.5)  # 16 rows < d + 2
    with pytest.raises(
        ValueError,
        match=r"fit 'gen2': accumulating least squares is derived "
        r"for N >= d \+ 2",
    ):
        small.predict(e, w)
    with pytest.raises(ValueError, match="T must equal T0"):
        W.accumulate(n=2, T0=30, T=40, design="same")
    with pytest.raises(ValueError, match="design must be 'fresh' or 'same'"):
        W.accumulate(n=2, T0=30, T=30, design="independent")
    with pytest.raises(ValueError, match="n must be an integer >= 0"):
        W.accumulate(n=-1, T0=30, T=30)
    huge = W.accumulate(n=200, T0=10**6, sigma0=0.5, T=10**6, sigma=0.5)
    with pytest.raises(ValueError, match="memory|GiB|bytes"):  # the fast method (default)
        huge.simulate(*sc.isotropic(300), reps=10, seed=0, method="faithful")  # holds d x d only


# --------------------------------------------------------------------------- fresh_real_mix
@pytest.mark.parametrize(
    ("kind", "d", "kw"),
    [
        ("isotropic", 40, dict(n=4, T0=30, alpha=0.3, sigma0=0.3, T=60, sigma=0.2, lam=1e-2)),
        ("power-law", 60, dict(n=6, T0=150, alpha=0.5, sigma0=0.5, T=120, sigma=0.2, lam=1e-3)),
        ("random", 50, dict(n=3, T0=75, alpha=0.2, sigma0=0.5, T=40, sigma=0.3, lam=1e-2, lam0=0.05)),
        ("power-law", 30, dict(n=8, T0=20, alpha=0.9, sigma0=0.4, T=45, sigma=0.1, lam=0.0)),
    ],
)
def test_fresh_real_mix_matches_simulation(kind, d, kw):
    check(W.fresh_real_mix(**kw), kind, d, rel=2 / d)


def test_fresh_real_mix_limits():
    e, w = sc.power_law(50, 1.5, 0.5)
    kw = dict(n=3, T0=80, sigma0=0.4, T=70, sigma=0.2, lam=1e-2)
    zero = W.fresh_real_mix(alpha=0.0, **kw).predict(e, w)
    assert zero.test_error == pytest.approx(W.replace(**kw).predict(e, w).test_error, rel=1e-12)
    one = W.fresh_real_mix(alpha=1.0, **kw).predict(e, w)
    clean = sc.predict(e, w, T=70, lam=1e-2, sigma=0.2)
    assert one.test_error == pytest.approx(clean.test_error, rel=1e-12)
    assert one.collapse == 0
    n0 = W.fresh_real_mix(n=0, alpha=0.4, T=70, sigma=0.2, lam=1e-2).predict(e, w)
    assert n0.test_error == pytest.approx(clean.test_error, rel=1e-12)
    # with generators far from interpolation (s = d/(T0 - d - 1) = 0.34) a fixed fraction of real
    # data bounds the chain: errors converge geometrically in n, while replace grows linearly
    errs = [
        W.fresh_real_mix(n=n, T0=200, alpha=0.3, sigma0=0.4, T=70, sigma=0.2, lam=1e-2)
        .predict(e, w)
        .test_error
        for n in (10, 20, 40)
    ]
    assert abs(errs[2] - errs[1]) < 1e-2 * abs(errs[1] - errs[0])
    grows = [
        W.replace(n=n, T0=200, sigma0=0.4, T=70, sigma=0.2, lam=1e-2).predict(e, w).test_error
        for n in (10, 20, 40)
    ]
    assert grows[2] - grows[1] > 0.9 * (grows[1] - grows[0]) > 0


def test_fresh_real_mix_can_be_worse_than_replace_near_interpolation():
    """Least-squares generators with s = d/(T0 - d - 1) > 2: mixing a fraction alpha < (s-2)/(s-1)
    of real rows makes the generators' error grow geometrically (the teachers' disagreement acts as
    label noise that the near-singular fit amplifies), faster than the pure replace chain; the
    simulation agrees (isotropic d = 40, T0 = 50: s = 40/9, alpha_c = 0.71, alpha = 0.3).
    T0 - d = 10 keeps the inverse-Wishart tails light enough for a standard error to mean
    something: over 5 seed pairs and both simulator methods (1000 repetitions) the difference of
    the two means was 8.0 to 11.1 standard errors, each theory within |z| <= 2.44."""
    e, w = sc.isotropic(40)
    kw = dict(T0=50, sigma0=0.3, T=400, sigma=0.0, lam=0.0)
    mix = W.fresh_real_mix(n=6, alpha=0.3, **kw)
    rep = W.replace(n=6, **kw)
    sim_mix = mix.simulate(e, w, reps=1000, seed=1)
    sim_rep = rep.simulate(e, w, reps=1000, seed=2)
    assert_matches_simulation(mix.predict(e, w), sim_mix, k=4, rel=2 / 40)
    assert_matches_simulation(rep.predict(e, w), sim_rep, k=4)
    assert mix.predict(e, w).test_error > 1.4 * rep.predict(e, w).test_error
    z = (sim_mix.mean - sim_rep.mean) / np.hypot(sim_mix.stderr, sim_rep.stderr)
    assert z > 4


# --------------------------------------------------------------------------- downstream_mix
@pytest.mark.parametrize(
    ("kind", "d", "kw"),
    [
        ("isotropic", 40, dict(n=3, T0=60, sigma0=0.5, T=60, alpha=0.4, sigma=0.2, lam=1e-2)),
        (
            "power-law",
            60,
            dict(n=2, T0=180, sigma0=0.5, T=240, alpha=0.7, sigma=0.2, lam=1e-3, design="same"),
        ),
        ("random", 50, dict(n=5, T0=30, sigma0=0.3, T=100, alpha=0.5, sigma=0.2, lam=1e-2)),
    ],
)
def test_downstream_mix_with_the_chain_matches_simulation(kind, d, kw):
    check(W.downstream_mix(**kw), kind, d, rel=2 / d)


@pytest.mark.parametrize(
    ("kind", "d", "T", "alpha", "lam"),
    [
        ("power-law", 60, 180, 0.9, 1e-3),
        ("random", 40, 40, 0.6, 1e-2),
        ("isotropic", 30, 300, 0.5, 0.1),
    ],
)
def test_downstream_mix_with_a_fixed_teacher_matches_simulation(kind, d, T, alpha, lam):
    e, w = spectrum(kind, d)
    w2 = w + np.random.default_rng(7).standard_normal(d) * 0.5 / np.sqrt(d)
    pipe = W.downstream_mix(T=T, alpha=alpha, sigma=0.2, lam=lam, w2=w2, sigma2=0.3)
    sim = pipe.simulate(e, w, reps=400, seed=3)
    assert_matches_simulation(pipe.predict(e, w), sim, k=4, rel=2 / d)


def test_strong_collapse_floor():
    """At fixed alpha < 1 the error tends to a floor as T grows (the clean error does not):
    with lam -> 0, (1 - alpha)^2 ||w2 - w0||_Sigma^2."""
    e, w = sc.power_law(200, 1.5, 0.5)
    delta = np.random.default_rng(2).standard_normal(200) * 0.05
    floor = 0.1**2 * float(np.sum(e * delta**2))
    gaps = []
    for T in (10**3, 10**4, 10**5, 10**6):
        mix = W.downstream_mix(T=T, alpha=0.9, sigma=0.2, lam=1e-7, w2=w + delta, sigma2=0.2)
        clean = sc.predict(e, w, T=T, lam=1e-7, sigma=0.2)
        gaps.append(mix.predict(e, w).test_error - clean.test_error)
    assert gaps[-1] == pytest.approx(floor, rel=1e-2)  # d/T and lam corrections
    assert abs(gaps[-1] - floor) < abs(gaps[-2] - floor) < abs(gaps[-3] - floor)
    assert all(g > 0.5 * floor for g in gaps)
    # a fixed number of synthetic rows washes out: (n2/T)^2
    washed = [
        W.downstream_mix(T=T, alpha=1 - 100 / T, sigma=0.2, lam=1e-7, w2=w + delta, sigma2=0.2)
        .predict(e, w)
        .test_error
        - sc.predict(e, w, T=T, lam=1e-7, sigma=0.2).test_error
        for T in (10**4, 10**6)
    ]
    assert washed[1] < 1e-3 * washed[0]


def test_downstream_mix_limits_and_bad_input():
    e, w = sc.power_law(40, 2.0, 0.5)
    kw = dict(n=2, T0=60, sigma0=0.4, T=50, sigma=0.2, lam=1e-2)
    assert W.downstream_mix(alpha=0.0, **kw).predict(e, w).test_error == pytest.approx(
        W.replace(**kw).predict(e, w).test_error, rel=1e-12
    )
    assert W.downstream_mix(alpha=1.0, **kw).predict(e, w).test_error == pytest.approx(
        sc.predict(e, w, T=50, lam=1e-2, sigma=0.2).test_error, rel=1e-12
    )
    w2 = w + 0.1
    for bad, match in (
        (dict(alpha=1.5), "alpha must be in"),
        (dict(alpha=-0.1), "alpha must be"),
        (dict(alpha=np.array([0.2, 0.4])), "alpha must be one number"),
    ):
        with pytest.raises(ValueError, match=match):
            W.downstream_mix(T=50, w2=w2, sigma2=0.1, **bad)
    with pytest.raises(ValueError, match="has 39 coefficients"):
        W.downstream_mix(T=50, alpha=0.5, w2=w2[:-1], sigma2=0.1).predict(e, w)
    with pytest.raises(ValueError, match="must be finite"):
        W.downstream_mix(T=50, alpha=0.5, w2=np.full(40, np.nan), sigma2=0.1)
    with pytest.raises(ValueError, match="replaces the chain"):
        W.downstream_mix(n=2, T0=60, T=50, alpha=0.5, w2=w2, sigma2=0.1)
    with pytest.raises(ValueError, match="sigma2 .* is required"):
        W.downstream_mix(T=50, alpha=0.5, w2=w2)
    with pytest.raises(ValueError, match="needs the spectrum as explicit arrays"):
        W.downstream_mix(T=50, alpha=0.5, w2=w2, sigma2=0.1).predict(sc.PowerLaw(2.0, 0.5, d=40))
    with pytest.raises(ValueError, match="T must be a whole number"):
        W.fresh_real_mix(n=1, T0=30, alpha=0.5, T=0)


# ------------------------------------------------------------------------------- slow sweep
@pytest.mark.slow
@pytest.mark.parametrize("seed", range(12))
def test_random_workflow_settings_match_simulation(seed):
    """Random settings of every workflow: d from 20 to 300, n up to 8, alpha in [0, 1]."""
    rng = np.random.default_rng(1000 + seed)
    d = int(rng.choice([20, 50, 120, 300]))
    kind = str(rng.choice(["isotropic", "power-law", "random"]))
    n = int(rng.integers(0, 9))
    alpha = float(rng.uniform(0, 1))
    which = seed % 4
    if which == 0:
        design = str(rng.choice(["same", "fresh"]))
        T0 = int(d + 4 + rng.integers(0, d))
        pipe, rel = W.accumulate(n=n, T0=T0, sigma0=0.5, T=T0, sigma=0.3, design=design), 0.0
    elif which == 1:
        pipe = W.fresh_real_mix(
            n=n,
            T0=int(rng.integers(d // 2, 3 * d)),
            alpha=alpha,
            sigma0=0.4,
            T=int(rng.integers(d // 2, 3 * d)),
            sigma=0.2,
            lam=float(10 ** rng.uniform(-3, -1)),
        )
        rel = 2 / d
    elif which == 2:
        pipe = W.downstream_mix(
            n=n,
            T0=int(d + 4 + rng.integers(0, 2 * d)),
            sigma0=0.4,
            T=int(rng.integers(d // 2, 3 * d)),
            alpha=alpha,
            sigma=0.2,
            lam=float(10 ** rng.uniform(-3, -1)),
        )
        rel = 2 / d
    else:
        e, w = spectrum(kind, d, seed)
        w2 = w + rng.standard_normal(d) * 0.5 / np.sqrt(d)
        pipe = W.downstream_mix(
            T=int(rng.integers(d // 2, 4 * d)),
            alpha=alpha,
            sigma=0.2,
            lam=float(10 ** rng.uniform(-3, -1)),
            w2=w2,
            sigma2=0.3,
        )
        rel = 2 / d
    check(pipe, kind, d, rel=rel, reps=300, seed=seed)
