"""The pipeline engine's theory (``Pipeline.predict``) against the Monte-Carlo of the same
declaration (``Pipeline.simulate``); power laws with infinitely many modes; grids; bad input.

Theory against simulation: ``assert_matches_simulation(pred, sim, k=4, rel=rel)``, i.e.
|pred - mean| <= 4 standard errors of the Monte-Carlo mean (fixed seed) + ``rel * pred``, where
``rel`` is the *measured* finite-size error of the deterministic equivalents: 0 where the engine is
exact (isotropic Sigma and target, every fit least squares with one teacher, N outside
[d - 1, d + 1]), ``K / d`` otherwise, K = ``K_DE_DEFAULT`` = 2 (``K_DE["pl15"]`` = 3).

How K was measured: a script outside the repository built exactly these settings (the builders
below) and ran predict and simulate with many repetitions.  Relative gap = (theory - MC) / theory;
``gap*d`` should stay put as d grows if the error is O(1/d).

* Sections 1-3 (62 non-exact settings, which the slow sweep runs again at d = 120), at d = 30,
  40, 60, 120 with 20000, 30000, 12000, 3000 repetitions:

      d     mean gap*d   largest |gap|*d   largest (|gap| + 2 se)*d   largest |z|
      30    -0.44        1.21              1.51                       12.2
      40    -0.40        1.31              1.65                       13.5
      60    -0.47        1.51              2.09                       10.1
      120   -0.78        3.42 +- 1.06      (46 settings; 3000 reps are noisy: see below)

  The theory is below the simulation on average (as for the clean ridge equivalents).  The
  largest gaps, followed to larger d: the power-law mix with a ridge student on N = d rows and
  alpha = 0.7 (gap*d = 1.31, 1.08 +- 0.41, 0.9 +- 1.7 at d = 40, 120, 240); the power-law chain
  n = 2, T0 = [d/2, 3d], lam0 = [1e-2, 0], T = d/2 (the 3.42 above: gap*d = 1.21, 0.92, 1.03,
  1.48 +- 0.39, 0.7 +- 1.5 at d = 30, 40, 60, 120 (20000 reps), 240).  The next at d = 120, a
  near-ridgeless single fit (2.12 +- 0.41), has the exact gap*d 120/119 (3000 more reps agree
  with the least-squares formula within 0.1 standard errors).  Near-ridgeless fits
  (lam = 1e-6 on N = 2d) carry the ridge equivalent's N - d where least squares has N - d - 1:
  -2.6 % at d = 40 for a single fit, i.e. 1/(N - d - 1).  Isotropic least-squares mixes are not
  exact (a row's own label correlates with the row) but close: gap*d = 0.26, 0.21, 0.17 +- 0.09 at
  d = 30, 60, 120 (student on d/2 rows, alpha = 0.7, 30000-200000 reps).  The exact settings:
  gap*d = -0.05 +- 0.05, -0.07 +- 0.08, 0.00 +- 0.06, 0.02 +- 0.08 at d = 40 (30000 reps).
* The random pipelines of the slow sweep, at d = 50 and 100 (16000 and 4000 repetitions):
  mean gap*d = -0.86 and -0.82; largest |gap|*d 1.98 +- 0.21 (d = 50) and 1.70 +- 0.27 (d = 100)
  for beta = 1.5, r = 1 (hence K = 3 there), otherwise 1.06 +- 0.16 and 1.62 +- 0.34; the latter
  (isotropic, three teachers, near-ridgeless student on 1.8d rows) followed: gap*d = 1.02, 0.98,
  1.04, 0.90 +- 0.47 at d = 25, 50, 100, 200 (100000 to 4000 reps).

At the default run's d = 40 with 1000 repetitions the standard error is about 1.1 % of the
prediction (median), so 4 standard errors + 2/40 judge each setting to about 9 %.

Outside the equivalents (not tested, measured): a (near-)ridgeless fit on N = d rows.  A single
fit on d rows with lam = 1e-6 (isotropic, noise 0.2): theory 19.98, MC 30.3 +- 1.5 (d = 50) and
28.9 +- 1.0 (d = 100): the gap is set by lam*d**2 (the smallest eigenvalue of the sample
covariance), not by 1/d (-15 % at lam*d**2 = 0.25, -3 % at 1, -0.8 % at 100).  The random
pipelines therefore keep (near-)ridgeless fits away from N = d.
"""

import itertools

import numpy as np
import pytest

import symcollapse as sc
from symcollapse import Block, Fit, Pipeline, PowerLaw, Reuse
from symcollapse.simulation.testing import assert_matches_simulation

#: the dimension of the default run's theory-vs-simulation checks, and its repetitions
D = 40
REPS = 1000
#: rel = K_DE / d for every setting that is not exact (module docstring: measured); the target
#: on the top eigendirections (beta = 1.5, r = 1) has the larger constant, as in
#: test_chain_vs_simulation's DE_CONSTANT
K_DE = {"pl15": 3.0}
K_DE_DEFAULT = 2.0


# --- the settings ---------------------------------------------------------------------------------
def spectrum(kind: str, d: int):
    """``iso``: Sigma = I, w0 even; ``pl``: beta = 2, r = 0.5; ``pl15``: beta = 1.5, r = 1 (target
    on the top eigendirections); ``rand``: eigenvalues log-uniform on [1e-3, 1] and a Gaussian
    target (fixed seed per d); power laws and ``rand`` normalised to ||w0||_Sigma = 1."""
    if kind == "iso":
        return sc.isotropic(d)
    if kind == "pl":
        return sc.power_law(d, 2.0, 0.5, normalize=True)
    if kind == "pl15":
        return sc.power_law(d, 1.5, 1.0, normalize=True)
    if kind == "rand":
        rng = np.random.default_rng(20240 + d)
        eigs = np.sort(10.0 ** rng.uniform(-3.0, 0.0, d))[::-1]
        w0 = rng.standard_normal(d)
        return eigs, w0 / np.sqrt(np.sum(eigs * w0**2))
    raise ValueError(kind)


def rows(frac: float, d: int) -> int:
    """A block size given as a fraction of d."""
    return max(1, int(round(frac * d)))


def mix(d, *, alpha, lam, N, T0, s0=0.5, s=0.2, **_):
    """One generator (T0 rows, noise s0), then a student on N rows: a fraction alpha labelled by
    the truth, the rest by the generator (a block of zero rows is left out)."""
    Nr = rows(N, d)
    Tr = int(round(alpha * Nr))
    blocks = []
    if Tr:
        blocks.append(Block(Tr, "truth", noise=s))
    if Nr - Tr:
        blocks.append(Block(Nr - Tr, "gen", noise=s))
    return Pipeline([Fit("gen", [Block(rows(T0, d), "truth", noise=s0)]), Fit("student", blocks, lam=lam)])


def two_generators(d, *, kind, T01, T02, lam01, lam02, Ts, lam, s01=0.5, s02=0.3, s=0.2, **_):
    """Two generators g1, g2 (g2 taught by the truth, or by g1 if ``kind == "chained"``), then a
    student on blocks labelled by g1 and g2 (and the truth first if ``kind == "three"``)."""
    g2_teacher = "g1" if kind == "chained" else "truth"
    fits = [
        Fit("g1", [Block(rows(T01, d), "truth", noise=s01)], lam=lam01),
        Fit("g2", [Block(rows(T02, d), g2_teacher, noise=s02)], lam=lam02),
    ]
    teachers = ["truth", "g1", "g2"] if kind == "three" else ["g1", "g2"]
    fits.append(
        Fit(
            "student", [Block(rows(t, d), who, noise=s) for t, who in zip(Ts, teachers, strict=True)], lam=lam
        )
    )
    return Pipeline(fits)


def chain(d, *, n, T0, T, lam, lam0=0.0, sigma0=0.5, sigma=0.2, design="independent", **_):
    """``sc.workflows.replace``; lists are per-generation schedules."""
    T0v = sc.per_generation([rows(t, d) for t in T0]) if isinstance(T0, list) else rows(T0, d)
    s0v = sc.per_generation(sigma0) if isinstance(sigma0, list) else sigma0
    l0v = sc.per_generation(lam0) if isinstance(lam0, list) else lam0
    return sc.workflows.replace(
        n=n, T0=T0v, sigma0=s0v, T=rows(T, d), sigma=sigma, lam=lam, lam0=l0v, design=design
    )


def general(d, *, fits, **_):
    """Any pipeline of fresh-design fits: ``fits = [(name, lam, [(rows/d, teacher, noise)])]``."""
    return Pipeline(
        [
            Fit(name, [Block(rows(f, d), t, noise=s) for f, t, s in blocks], lam=lam)
            for name, lam, blocks in fits
        ]
    )


BUILDERS = {"mix": mix, "two": two_generators, "chain": chain, "general": general}


def build(case: dict, d: int):
    return BUILDERS[case["kind0"]](d, **case), spectrum(case["spec"], d)


def is_exact(case: dict) -> bool:
    """The engine is exact: isotropic, least squares everywhere, one teacher per fit."""
    if case["spec"] != "iso":
        return False
    if case["kind0"] == "mix":
        return case["lam"] == 0 and case["alpha"] in (0.0, 1.0)
    if case["kind0"] == "chain":
        return case["lam"] == 0 and np.all(np.asarray(case.get("lam0", 0.0)) == 0)
    return False


def check(case: dict, d: int, reps: int, seed: int) -> float:
    """Predict, simulate, assert |z| < 4 + the measured allowance; print and return z."""
    pipe, (eigs, w0) = build(case, d)
    pred = pipe.predict(eigs, w0)
    sim = pipe.simulate(eigs, w0, reps=reps, seed=seed)
    rel = 0.0 if is_exact(case) else K_DE.get(case["spec"], K_DE_DEFAULT) / d
    gap = (float(pred.test_error) - sim.mean) / float(pred.test_error)
    print(
        f"d={d} {case}: theory {float(pred.test_error):.6g}, MC {sim.mean:.6g} +- "
        f"{sim.stderr:.2g}, gap {gap:+.4f}, rel {rel:.3g}"
    )
    return assert_matches_simulation(pred, sim, k=4, rel=rel)


def label(case: dict) -> str:
    return "-".join(f"{k}={v}" for k, v in case.items() if k != "kind0")


# --- 1. one fit mixing two teachers ---------------------------------------------------------------
#: ridge (lam = 1e-2 on N = d rows), near-ridgeless (1e-6 on 2d) and least squares (0 on 2d or
#: d/2 rows), over- (T0 = d/2) and under-parameterised (T0 = 3d) generator, alpha = real share
MIX = [
    dict(kind0="mix", spec=spec, alpha=alpha, lam=lam, N=N, T0=T0)
    for spec in ("iso", "pl")
    for lam, N in ((1e-2, 1.0), (1e-6, 2.0))
    for T0 in (0.5, 3.0)
    for alpha in (0.0, 0.3, 0.7, 1.0)
]
MIX_LS = [
    dict(kind0="mix", spec=spec, alpha=alpha, lam=0.0, N=N, T0=T0)
    for spec in ("iso", "pl")
    for N in (2.0, 0.5)
    for T0 in (0.5, 3.0)
    for alpha in (0.3, 0.7)
]
MIX_EXACT = [
    dict(kind0="mix", spec="iso", alpha=alpha, lam=0.0, N=2.0, T0=T0)
    for T0 in (0.5, 3.0)
    for alpha in (0.0, 1.0)
]


@pytest.mark.parametrize(
    ("seed", "case"),
    list(enumerate(MIX + MIX_LS + MIX_EXACT)),
    ids=[label(c) for c in MIX + MIX_LS + MIX_EXACT],
)
def test_fit_mixing_two_teachers(seed, case):
    check(case, D, REPS, seed)


# --- 2. two generators as teachers of one fit; a three-block fit ---------------------------------
TWO = [
    dict(kind0="two", spec=spec, kind=kind, T01=0.5, T02=2.0, lam01=0.0, lam02=1e-2, Ts=Ts, lam=lam)
    for spec in ("iso", "pl")
    for kind, Ts, lam in (
        ("independent", (0.6, 0.9), 1e-2),
        ("chained", (0.8, 1.2), 1e-6),
        ("three", (0.5, 0.7, 0.8), 1e-2),
    )
]


@pytest.mark.parametrize(("seed", "case"), list(enumerate(TWO, start=100)), ids=[label(c) for c in TWO])
def test_two_generators_in_one_fit(seed, case):
    check(case, D, REPS, seed)


# --- 3. replace chains not in test_chain_vs_simulation -------------------------------------------
CHAIN = [
    dict(kind0="chain", spec="iso", design="independent", n=3, T0=0.5, lam0=0.1, T=2.0, lam=1e-3),
    dict(
        kind0="chain",
        spec="pl",
        design="independent",
        n=2,
        T0=[0.5, 3.0],
        lam0=[1e-2, 0.0],
        sigma0=[0.5, 0.2],
        T=0.5,
        lam=1e-2,
    ),
    dict(
        kind0="chain",
        spec="rand",
        design="independent",
        n=3,
        T0=[0.5, 3.0, 0.25],
        lam0=[1e-2, 0.0, 0.1],
        T=2.0,
        lam=1e-3,
    ),
    dict(kind0="chain", spec="rand", design="independent", n=2, T0=2.0, lam0=0.0, T=0.5, lam=0.0),
    dict(kind0="chain", spec="rand", design="same", n=2, T0=0.5, T=2.0, lam=0.0),
    dict(kind0="chain", spec="rand", design="same", n=3, T0=2.0, sigma0=[0.5, 0.0, 0.3], T=0.5, lam=1e-2),
    dict(kind0="chain", spec="pl15", design="independent", n=4, T0=1.5, lam0=1e-3, T=1.0, lam=0.1),
    dict(kind0="chain", spec="iso", design="same", n=3, T0=0.25, sigma0=[0.3, 0.5, 0.1], T=0.5, lam=1e-6),
]


@pytest.mark.parametrize(("seed", "case"), list(enumerate(CHAIN, start=200)), ids=[label(c) for c in CHAIN])
def test_replace_chain(seed, case):
    check(case, D, REPS, seed)


# --- 4. power laws with infinitely many modes -------------------------------------------------------
PL_LAWS = [(2.0, 0.5), (3.0, 0.25), (1.5, 1.0)]
PL_CHAINS = [("independent", 0.0), ("independent", 1e-3), ("same", 0.0)]
PL_T0 = np.array([10.0, 100.0, 1e3, 1e4, 1e5])[:, None]
#: downstream (T, lam): tiny, ridgeless over-parameterised, ridge
PL_T = np.array([10.0, 50.0, 1000.0])[None, :]
PL_LAM = np.array([0.0, 0.0, 1e-3])[None, :]
#: "T0, T << d": the modes beyond d move df1 at kappa ~ N**-beta by about (N/d)**(beta-1) of N;
#: the measured gap |E(d) - E(None)| / E(None) is at most 1.25 (N/d)**(beta-1) (beta = 1.5, r = 1,
#: same design, T0 = 1e5, d = 1e6) and about (N/d)**(beta-1) for beta = 2, 3.  We compare where
#: (max(T0, T)/d)**(beta-1) <= 1e-5, with d the smallest of 1e6, 1e9, 1e12, 1e18 that allows it.
SMALL = 1e-5
#: Measured worst relative gap over every compared entry: 9.25e-6 (beta = 1.5, r = 1, design
#: "same", n = 3, d = 1e12, T0 = 1e5); with d = 1e6: 8.78e-6 (beta = 2, "same", n = 3, T0 = T = 10)
#: and at most 1.95e-6 for beta = 3 (T0, T <= 1000).  Beyond the truncation the two agree to the
#: quadrature's 1e-12 (d = 1e12 vs None at beta = 3: <= 1.0e-12).
PL_TOL = 1e-4


def pl_chain(n, design, lam0):
    return sc.workflows.replace(
        n=n, T0=PL_T0, sigma0=0.3, T=PL_T, sigma=0.1, lam=PL_LAM, lam0=lam0, design=design
    )


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize(("design", "lam0"), PL_CHAINS)
@pytest.mark.parametrize(("beta", "r"), PL_LAWS)
def test_power_law_infinite_d(beta, r, design, lam0, n):
    """PowerLaw(d=None) with n generators, T0 = 10 .. 1e5: finite, positive, the sum of its parts,
    and equal to a finite d >> T0, T (the engine's measure for both) within PL_TOL."""
    pipe = pl_chain(n, design, lam0)
    inf = pipe.predict(PowerLaw(beta, r, d=None))
    err = np.asarray(inf.test_error)
    assert err.shape == (PL_T0.size, PL_T.size)
    assert np.all(np.isfinite(err)) and np.all(err > 0)
    np.testing.assert_allclose(inf.bias + inf.variance + inf.collapse, err, rtol=1e-12)
    Nmax = np.maximum(PL_T0, PL_T)
    compared = np.zeros(err.shape, bool)
    for k in (6, 9, 12, 18):
        todo = ((Nmax / 10.0**k) ** (beta - 1) <= SMALL * (1 + 1e-9)) & ~compared
        if not todo.any():
            continue
        ref = np.asarray(pipe.predict(PowerLaw(beta, r, d=10**k)).test_error)
        gap = np.abs(ref - err) / err
        print(
            f"beta={beta} r={r} {design} lam0={lam0} n={n} d=1e{k}: worst gap "
            f"{gap[todo].max():.2e} over {todo.sum()} entries"
        )
        assert np.all(gap[todo] < PL_TOL), (k, gap)
        compared |= todo
    assert compared.all()


@pytest.mark.parametrize(
    ("beta", "r", "design", "lam0"),
    [
        (3.0, 0.25, "same", 0.0),
        pytest.param(3.0, 0.25, "independent", 1e-3, marks=pytest.mark.slow),
        pytest.param(2.0, 0.5, "independent", 0.0, marks=pytest.mark.slow),
    ],
)
def test_power_law_against_explicit_modes(beta, r, design, lam0):
    """The first 1e6 modes as explicit arrays (the engine's direct sums over every mode) equal
    PowerLaw(d=1e6) (its quadrature measure) to 1e-10 of the test error, and PowerLaw(d=None) within PL_TOL where
    (max(T0, T)/1e6)**(beta-1) <= SMALL.  Measured: explicit vs d = 1e6 within 3.0e-12 of the
    test error (every part; kappa 1e-15); explicit vs d = None at most 1.84e-6
    (beta = 3, same design), 3.4e-7 (beta = 3, lam0 = 1e-3) and 6.3e-6 (beta = 2, T0 = T = 10)."""
    pipe = sc.workflows.replace(
        n=3, T0=PL_T0[:3], sigma0=0.3, T=PL_T, sigma=0.1, lam=PL_LAM, lam0=lam0, design=design
    )
    law = PowerLaw(beta, r)
    explicit = pipe.predict(law.eigenvalues(10**6), law.w0(10**6))
    measure = pipe.predict(PowerLaw(beta, r, d=10**6))
    inf = np.asarray(pipe.predict(law).test_error)
    scale = np.asarray(explicit.test_error)
    for name in ("test_error", "bias", "variance", "collapse"):  # parts: on the error's scale
        diff = np.abs(np.asarray(getattr(measure, name)) - getattr(explicit, name))
        assert np.all(diff <= 1e-10 * scale), (name, np.max(diff / scale))
    np.testing.assert_allclose(measure.kappa, explicit.kappa, rtol=1e-10)
    small = (np.maximum(PL_T0[:3], PL_T) / 1e6) ** (beta - 1) <= SMALL * (1 + 1e-9)
    assert small.any()
    gap = np.abs(np.asarray(explicit.test_error) - inf) / inf
    print(f"beta={beta} {design} lam0={lam0}: explicit 1e6 modes vs d=None, worst gap {gap[small].max():.2e}")
    assert np.all(gap[small] < PL_TOL)


# --- 5. bad input -----------------------------------------------------------------------------------
def test_teacher_must_be_an_earlier_fit():
    with pytest.raises(
        ValueError,
        match=r"fit 'student', block 1: teacher must be 'truth' or an "
        r"earlier fit \['gen'\], got 'gen2'",
    ):
        Pipeline([Fit("gen", [Block(10)]), Fit("student", [Block(5), Block(10, "gen2")])])
    with pytest.raises(
        ValueError,
        match=r"fit 'a', block 0: teacher must be 'truth' or an earlier "
        r"fit \[\], got 'b' \(a fit cannot be taught by itself "
        r"or a later fit\)",
    ):
        Pipeline([Fit("a", [Block(10, "b")]), Fit("b", [Block(10)])])


@pytest.mark.parametrize("bad", [0, -5, 0.5, np.array([10.0, 0.0])])
def test_rows_must_be_at_least_one(bad):
    with pytest.raises(
        ValueError,
        match=r"fit 'f', block 1: rows must be a number >= 1 "
        r"\(a number of rows",
    ):
        Pipeline([Fit("f", [Block(10), Block(bad)])])


def test_reused_design_keeps_its_size():
    with pytest.raises(
        ValueError,
        match=r"fit 'g', block 0: design 'X' has 10 rows, this block "
        r"asks for 20; a reused design keeps its size",
    ):
        Pipeline([Fit("f", [Block(10, design="X")]), Fit("g", [Block(20, "f", design="X")])])


def test_negative_noise_or_lam():
    with pytest.raises(
        ValueError,
        match=r"fit 'f', block 0: noise must be a number >= 0, "
        r"got -0.1",
    ):
        Pipeline([Fit("f", [Block(10, noise=-0.1)])])
    with pytest.raises(
        ValueError,
        match=r"fit 'f': lam must be a number >= 0 \(0 is least "
        r"squares\), got -1",
    ):
        Pipeline([Fit("f", [Block(10)], lam=-1)])
    with pytest.raises(ValueError, match=r"fit 'f': lam must be a number >= 0"):
        Pipeline([Fit("f", [Block(10)], lam=np.array([0.1, -1e-3]))])
    with pytest.raises(ValueError, match=r"fit 'gen2', block 0: noise must be a number >= 0"):
        sc.workflows.replace(n=2, T0=10, sigma0=sc.per_generation([0.1, -0.2]), T=10)
    with pytest.raises(ValueError, match=r"fit 'gen1': lam must be a number >= 0"):
        sc.workflows.replace(n=2, T0=10, lam0=-1.0, T=10)


@pytest.mark.parametrize(
    ("name", "schedule", "n"), [("T0", [10, 20], 3), ("sigma0", [0.1, 0.2, 0.3], 2), ("lam0", [0.1], 2)]
)
def test_schedule_of_the_wrong_length(name, schedule, n):
    kw = {"T0": 10, name: sc.per_generation(schedule)}
    with pytest.raises(
        ValueError,
        match=rf"{name} = per_generation\(.*\) has {len(schedule)} "
        rf"values, one per generator, but n = {n}",
    ):
        sc.workflows.replace(n=n, T=10, **kw)


def test_reused_labels_are_refused_by_predict_not_by_simulate():
    e, w = sc.isotropic(10)
    pipe = Pipeline(
        [Fit("a", [Block(20, "truth", 0.3, name="b")]), Fit("s", [Reuse("b"), Block(10, "a", 0.1)], lam=0.1)]
    )
    with pytest.raises(
        ValueError,
        match=r"fit 's', block 0: reuses the labels of an earlier "
        r"block; .*simulate\(\) runs it",
    ):
        pipe.predict(e, w)
    assert np.isfinite(pipe.simulate(e, w, reps=4, seed=0).mean)


@pytest.mark.parametrize(("lam_teacher", "lam_student"), [(0.0, 0.1), (0.1, 0.0), (0.1, 0.1)])
def test_ridge_on_its_teachers_design_is_refused_by_predict(lam_teacher, lam_student):
    """Only a least-squares fit taught by a least-squares fit on the same rows is derived (it is
    then exact: w_f = w_teacher + pinv(X) noise)."""
    e, w = sc.isotropic(10)
    pipe = Pipeline(
        [
            Fit("a", [Block(20, "truth", 0.3, design="X")], lam=lam_teacher),
            Fit("s", [Block(20, "a", 0.1, design="X")], lam=lam_student),
        ]
    )
    with pytest.raises(
        ValueError,
        match=r"fit 's', block 0: design 'X' was already used by "
        r"\['a'\].*; the engine derives reused rows or labels in "
        r"two exact cases: \(a\) a least-squares fit \(lam = 0\)",
    ):
        pipe.predict(e, w)
    with pytest.raises(ValueError, match=r"fit 'gen2', block 0: design 'X0' was already used"):
        sc.workflows.replace(n=2, T0=20, T=20, lam0=0.1, design="same").predict(e, w)
    assert np.isfinite(pipe.simulate(e, w, reps=4, seed=0).mean)


# --- 6. a grid is the settings one at a time -------------------------------------------------------
FIELDS = ("test_error", "bias", "variance", "collapse", "kappa")


def assert_grid_is_pointwise(grid_pred, point_pred, index):
    scale = abs(float(point_pred.test_error))
    for name in FIELDS:
        a = float(np.asarray(getattr(grid_pred, name))[index])
        b = float(getattr(point_pred, name))
        # collapse may vanish or change sign: judged against the test error's scale
        ref = scale if name == "collapse" else abs(b)
        assert abs(a - b) <= 1e-12 * ref, (name, index, a, b)


@pytest.mark.parametrize("design", ["independent", "same"])
@pytest.mark.parametrize("spec", ["explicit", "infinite"])
def test_replace_grid_equals_point_by_point(spec, design):
    """A (T0, T, lam, sigma0) grid of a replace chain against a loop of scalar chains."""
    if spec == "explicit":
        law = sc.power_law(50, 2.0, 0.5, normalize=True)
        T0s, Ts, lams, s0s = [10.0, 30.0, 120.0], [20.0, 40.0, 150.0, 400.0], [0.0, 1e-3, 0.1], [0.0, 0.3]
    else:
        law = (PowerLaw(1.5, 1.0),)
        T0s, Ts, lams, s0s = [10.0, 300.0], [20.0, 4000.0], [0.0, 0.1], [0.0, 0.3]
    grid = sc.workflows.replace(
        n=3,
        T0=np.reshape(T0s, (-1, 1, 1, 1)),
        sigma0=np.reshape(s0s, (1, 1, 1, -1)),
        T=np.reshape(Ts, (1, -1, 1, 1)),
        sigma=0.2,
        lam=np.reshape(lams, (1, 1, -1, 1)),
        design=design,
    ).predict(*law)
    assert np.shape(grid.test_error) == (len(T0s), len(Ts), len(lams), len(s0s))
    for index in itertools.product(*map(range, np.shape(grid.test_error))):
        i, j, k, m = index
        point = sc.workflows.replace(
            n=3, T0=T0s[i], sigma0=s0s[m], T=Ts[j], sigma=0.2, lam=lams[k], design=design
        ).predict(*law)
        assert_grid_is_pointwise(grid, point, index)


def test_grid_sharing_an_axis_equals_point_by_point():
    """T0 and T along one axis (the evaluator joins such grids pair by pair, not by a cross
    product), lam0 on another."""
    e, w = sc.power_law(40, 2.0, 0.5, normalize=True)
    T0 = np.concatenate([np.linspace(5, 30, 45), np.linspace(50, 200, 45)])  # avoids d +- 1
    T = np.linspace(100, 10, 90)
    lam0 = np.array([0.0, 1e-2])[:, None]
    grid = sc.workflows.replace(n=2, T0=T0, sigma0=0.3, T=T, sigma=0.1, lam=1e-2, lam0=lam0).predict(e, w)
    assert np.shape(grid.test_error) == (2, 90)
    for a in range(2):
        for b in range(0, 90, 7):
            point = sc.workflows.replace(
                n=2, T0=T0[b], sigma0=0.3, T=T[b], sigma=0.1, lam=1e-2, lam0=float(lam0[a, 0])
            ).predict(e, w)
            assert_grid_is_pointwise(grid, point, (a, b))


def test_mixing_grid_equals_point_by_point():
    """A grid over a mixing fit's block sizes, its ridge, the generator's size and noise."""
    e, w = sc.power_law(30, 1.5, 1.0, normalize=True)
    real = np.array([5.0, 20.0, 40.0])[:, None, None]
    lam = np.array([0.0, 1e-2])[None, :, None]
    T0 = np.array([10.0, 90.0])[None, None, :]

    def pipe(real, lam, T0, s0):
        return Pipeline(
            [
                Fit("gen", [Block(T0, "truth", noise=s0)]),
                Fit(
                    "student",
                    [Block(real, "truth", noise=0.1), Block(60.0 - real, "gen", noise=0.2)],
                    lam=lam,
                ),
            ]
        )

    grid = pipe(real, lam, T0, 0.4).predict(e, w)
    for index in itertools.product(range(3), range(2), range(2)):
        i, j, k = index
        point = pipe(float(real[i, 0, 0]), float(lam[0, j, 0]), float(T0[0, 0, k]), 0.4)
        assert_grid_is_pointwise(grid, point.predict(e, w), index)


# --- slow: the same settings at d = 120, and random pipelines at d = 100 ---------------------------
def random_pipelines(count: int, seed: int) -> list[dict]:
    """1-3 generators, each on 1-2 blocks taught by the truth or earlier generators, then a
    student mixing 2-4 teachers; (near-)ridgeless fits keep N/d outside (0.5, 1.5)."""
    rng = np.random.default_rng(seed)
    cases = []
    for i in range(count):
        fits = []
        for g in range(int(rng.integers(1, 4))):
            pool = ["truth"] + [f"g{j}" for j in range(1, g + 1)]
            nb = int(rng.integers(1, 3))
            size = float(rng.choice([0.25, 0.5, 1.5, 2.0, 3.0]))
            lam = float(rng.choice([0.0, 0.0, 1e-3, 0.1]))
            fits.append(
                (
                    f"g{g + 1}",
                    lam,
                    [
                        (size / nb, str(rng.choice(pool)), float(rng.choice([0.0, 0.3, 0.6])))
                        for _ in range(nb)
                    ],
                )
            )
        pool = ["truth"] + [name for name, _, _ in fits]
        nb = int(rng.integers(2, min(4, len(pool)) + 1))
        teachers = [str(t) for t in rng.choice(pool, size=nb, replace=False)]
        blocks = [
            (float(rng.choice([0.2, 0.4, 0.6, 0.8])), t, float(rng.choice([0.0, 0.2]))) for t in teachers
        ]
        lam = float(rng.choice([0.0, 1e-6, 1e-2, 0.1]))
        if lam <= 1e-6 and abs(sum(b[0] for b in blocks) - 1) < 0.5:
            lam = 1e-2  # (near-)ridgeless near N = d: outside the equivalents (docstring)
        fits.append(("student", lam, blocks))
        cases.append(dict(kind0="general", spec=["iso", "pl", "pl15", "rand"][i % 4], fits=fits))
    return cases


RANDOM = random_pipelines(16, seed=7)
EVERY = MIX + MIX_LS + MIX_EXACT + TWO + CHAIN


@pytest.mark.slow
@pytest.mark.parametrize(("seed", "case"), list(enumerate(EVERY, start=300)), ids=[label(c) for c in EVERY])
def test_sweep_at_d_120(seed, case):
    check(case, 120, 400, seed)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("seed", "case"),
    list(enumerate(RANDOM, start=400)),
    ids=[f"random{i}-{c['spec']}" for i, c in enumerate(RANDOM)],
)
def test_random_pipelines(seed, case):
    check(case, 100, 400, seed)


def test_mixing_identities():
    """Blocks that agree are one block: two blocks of one teacher (same noise) are one block of
    their total size; two truth blocks with noises s1, s2 are one block with the rows-weighted
    mean noise variance; a student taught by the generator alone is replace(n=1)."""
    e, w = sc.power_law(30, 2.0, 0.5, normalize=True)
    gen = Fit("gen", [Block(15, "truth", noise=0.5)])
    for lam in (0.0, 1e-2):
        two = Pipeline([gen, Fit("s", [Block(12, "gen", 0.2), Block(28, "gen", 0.2)], lam=lam)])
        one = Pipeline([gen, Fit("s", [Block(40, "gen", 0.2)], lam=lam)])
        assert float(two.predict(e, w).test_error) == pytest.approx(
            float(one.predict(e, w).test_error), rel=1e-12
        )
        noisy = Pipeline([Fit("s", [Block(12, "truth", 0.1), Block(28, "truth", 0.4)], lam=lam)])
        mean = Pipeline([Fit("s", [Block(40, "truth", np.sqrt((12 * 0.01 + 28 * 0.16) / 40))], lam=lam)])
        assert float(noisy.predict(e, w).test_error) == pytest.approx(
            float(mean.predict(e, w).test_error), rel=1e-12
        )
        chain = sc.workflows.replace(n=1, T0=15, sigma0=0.5, T=40, sigma=0.2, lam=lam)
        assert float(one.predict(e, w).test_error) == pytest.approx(
            float(chain.predict(e, w).test_error), rel=1e-12
        )
