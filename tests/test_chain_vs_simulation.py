"""Over-parameterised and mixed generators (paper Section 4.5; the peeling recursion, docs/theory.md):
``sc.predict`` against
the Monte-Carlo chain ``sc.simulate``, judged by k = 4 standard errors plus a relative allowance
for the theory's *known* asymptotic error.

Allowances (``allowance`` below):

* **Isotropic Sigma**: the peeling recursion is exact given the downstream scalars (E[P] =
  (T0/d) I, E X^+X^+' = T0/(d(d-T0-1)) I, and every Phi is exact).  Ridgeless downstream with
  T >= d + 2 is exact too, so those cases get ``rel = 0``; otherwise the downstream deterministic
  equivalent gets ``rel = 1/min(d, T)`` (as in ``test_theory_vs_simulation``).
* **Anisotropic Sigma**: each over-parameterised generator step (T0 < d) is itself a
  deterministic equivalent, like the downstream one with T0 in place of T, so each such step adds
  ``1/T0`` (the same design has one step; steps with T0 >= d + 2 are exact and add nothing).
  The constant in front of these O(1/T) errors depends on the target: for w0 concentrated on the
  top eigendirections (beta = 1.5, r = 1) it is about 3 (``DE_CONSTANT``), measured on the quantity
  both steps share, E||P w0 - w0||_Sigma^2 for a minimum-norm fit on T = d/2 samples (= the clean
  ridgeless bias = one generator step with T0 = d/2): gap -10.9 %, -4.8 %, -2.7 %, -0.9 % +- 0.6 %
  at d = 60, 120, 240, 480 (6000 to 1500 repetitions), i.e. about 3/T; for the paper's target
  (beta = 2, r = 0.375) -2.3 %, -1.2 %, -0.8 % at d = 60, 120, 240, about 0.7/T to 1/T.

Measurement behind the anisotropic allowance (a script outside the repository; 64 settings per d
drawn over power-law spectra (beta, r) in {(2, .5), (1.5, 1), (2.5, .3), (2, .375)}, both designs,
sigma0 = 0 / 0.5 / per-generation schedules, lam in {0 with T = d/2 or T >= d + 2, 1e-3, 0.1, 1},
n = 1..5, T0/d in {0.25, 0.5, 0.8} or schedules mixing T0 < d and T0 > d; 400, 400 and 300
repetitions at d = 60, 120 and 240).  Relative gap (theory - MC) / theory:

    d     median |gap|  within 2.5 %  largest |gap|    largest |z|  mean gap
    60    2.2 %         56 %          23 %  (z = -3.9)  7.5          -3.0 %
    120   1.0 %         77 %          9.8 % (z = -3.3)  4.2          -1.3 %
    240   0.8 %         83 %          7.2 % (z = -3.2)  4.5          -0.8 %

So "about 2.5 % at d = 120" is the typical case; the gap shrinks with d but the worst cases
are several times larger: a target concentrated on the top eigendirections (beta = 1.5, r = 1),
T0 = d/4, ridgeless downstream, where the error is ~1e-4 of ||w0||_Sigma^2 and the *clean* Prop. 4.2
bias alone is off by 11 % at d = 120, T = 60 (5 % at d = 240).  The theory is below the
simulation on average, as for the clean downstream equivalents.  With k = 4 every one of the 192
measured settings is within the allowance even with the constant 1.  Beyond 2 standard errors,
the deterministic part of the gap used at most 0.6 of the constant-1 allowance for the other
targets, and up to 1.7 of it for beta = 1.5, r = 1 (hence the constant 3 there).  Isotropic
settings (48) were within |z| <= 2.1 and 1.3 % at every d, with no deterministic gap.

Negative control (erratum F.8 in symcollapse.errata): the printed product formula for
u'Q'SigmaQv gives a *negative* Delta-bias for anisotropic Sigma and n >= 2 (z ~ -3e4 at d = 160);
even with its power of Sigma corrected (Sigma prod A_m), freezing the scalar df2(kappa_m) misses by
+84 % at beta = 3, r = 0.1 (z ~ +80), while ``predict`` is within 1 standard error.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import brentq

import symcollapse as sc
from symcollapse.simulation.testing import assert_matches_simulation, z_score

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


#: the constant of the O(1/T) deterministic-equivalent error, per power-law (beta, r); default 1
DE_CONSTANT = {(1.5, 1.0): 3.0}


def allowance(d: int, T: int, lam: float, T0s, design: str, isotropic: bool, constant: float = 1.0) -> float:
    """Relative allowance for the theory's known finite-size error (module docstring)."""
    rel = 0.0 if (lam == 0 and T >= d + 2) else 1.0 / min(d, T)
    if not isotropic:
        steps = list(T0s)[:1] if design == "same" else list(T0s)
        rel = constant * (rel + sum(1.0 / t for t in steps if t < d))
    return rel


def check(eigs, w0, *, reps: int, seed: int, isotropic: bool, constant: float = 1.0, **kw) -> float:
    """Simulate, predict, assert agreement within 4 standard errors + the allowance; return z."""
    d = eigs.size
    T0 = kw.get("T0")
    T0s = list(T0) if np.ndim(T0) else [T0] * kw.get("n", 0)
    pkw = dict(kw)
    for key in ("T0", "sigma0"):  # schedules are sc.per_generation(...); a plain list is a grid
        if np.ndim(pkw.get(key, 0.0)):
            pkw[key] = sc.per_generation(pkw[key])
    sim = sc.simulate(eigs, w0, reps=reps, seed=seed, **pkw)
    rel = allowance(d, kw["T"], kw.get("lam", 0.0), T0s, kw.get("design", "independent"), isotropic, constant)
    return assert_matches_simulation(sc.predict(eigs, w0, **pkw), sim, k=4, rel=rel)


SCHED_S0 = [0.5, 0.2, 0.0, 0.4, 0.3]

# --- isotropic, ridgeless downstream with T >= d + 2: exact, no allowance ------------------------
D_ISO = 80
ISO_EXACT = [
    dict(design="same", n=1, T0=40, sigma0=0.0, sigma=0.1),
    dict(design="same", n=3, T0=20, sigma0=0.5, sigma=0.0),
    dict(design="same", n=5, T0=60, sigma0=SCHED_S0, sigma=0.3),
    dict(design="independent", n=1, T0=40, sigma0=0.5, sigma=0.0),
    dict(design="independent", n=3, T0=40, sigma0=0.0, sigma=0.1),
    dict(design="independent", n=5, T0=60, sigma0=0.3, sigma=0.0),
    dict(design="independent", n=4, T0=[40, 160, 20, 120], sigma0=0.0, sigma=0.1),
    dict(design="independent", n=5, T0=[40, 160, 20, 120, 60], sigma0=SCHED_S0, sigma=0.2),
    dict(design="independent", n=2, T0=[120, 30], sigma0=[0.5, 0.5], sigma=0.0),
]


@pytest.mark.parametrize(
    ("seed", "case"),
    list(enumerate(ISO_EXACT)),
    ids=[f"{c['design']}-n{c['n']}-T0{c['T0']}" for c in ISO_EXACT],
)
def test_isotropic_ridgeless_exact(seed, case):
    eigs, w0 = sc.isotropic(D_ISO)
    check(eigs, w0, T=2 * D_ISO, lam=0.0, reps=600, seed=seed, isotropic=True, **case)


def test_isotropic_exact_closed_form():
    """Paper Section 4.5: sigma0 = 0, lam = 0, T >= d + 2 gives exactly
    (1 - prod_m min(T0_m, d)/d) ||w0||^2 + sigma^2 d/(T - d - 1); predict reproduces it."""
    d, T, sigma = D_ISO, 2 * D_ISO, 0.2
    eigs, w0 = sc.isotropic(d)
    T0s = [40, 160, 20, 120]
    eta = np.prod([min(t, d) / d for t in T0s])
    exact = (1 - eta) + sigma**2 * d / (T - d - 1)
    pred = sc.predict(eigs, w0, T=T, lam=0.0, n=4, T0=sc.per_generation(T0s), sigma=sigma)
    assert float(pred.test_error) == pytest.approx(exact, rel=1e-12)
    same = sc.predict(eigs, w0, T=T, lam=0.0, n=4, T0=40, sigma=sigma, design="same")
    assert float(same.test_error) == pytest.approx((1 - 40 / d) + sigma**2 * d / (T - d - 1), rel=1e-12)


# --- isotropic, ridge or ridgeless with T < d: downstream allowance 1/min(d, T) -----------------
ISO_RIDGE = [
    dict(design="same", lam=0.0, T=40, n=2, T0=40, sigma0=0.0, sigma=0.1),
    dict(design="independent", lam=0.0, T=40, n=3, T0=[20, 120, 60], sigma0=0.4, sigma=0.1),
    dict(design="same", lam=1e-3, T=160, n=4, T0=30, sigma0=0.5, sigma=0.2),
    dict(design="independent", lam=1e-3, T=160, n=5, T0=60, sigma0=0.0, sigma=0.1),
    dict(design="same", lam=0.1, T=60, n=1, T0=20, sigma0=0.5, sigma=0.3),
    dict(design="independent", lam=0.1, T=240, n=2, T0=[60, 30], sigma0=[0.0, 0.5], sigma=0.0),
    dict(design="same", lam=1.0, T=320, n=5, T0=60, sigma0=SCHED_S0, sigma=0.1),
    dict(design="independent", lam=1.0, T=40, n=4, T0=[120, 40, 160, 20], sigma0=0.3, sigma=0.1),
]


@pytest.mark.parametrize("case", ISO_RIDGE, ids=lambda c: f"{c['design']}-lam{c['lam']}-T{c['T']}-n{c['n']}")
def test_isotropic_ridge(case):
    eigs, w0 = sc.isotropic(D_ISO)
    check(eigs, w0, reps=400, seed=case["T"] + case["n"], isotropic=True, **case)


# --- power-law Sigma: downstream + one 1/T0 per over-parameterised generator step ---------------
D_PL = 120
PL = [
    ((2.0, 0.5), dict(design="same", lam=0.0, T=240, n=3, T0=60, sigma0=0.0, sigma=0.0)),
    ((2.0, 0.5), dict(design="independent", lam=0.0, T=240, n=3, T0=60, sigma0=0.0, sigma=0.0)),
    ((2.0, 0.375), dict(design="same", lam=0.0, T=60, n=2, T0=30, sigma0=0.5, sigma=0.3)),
    (
        (2.0, 0.375),
        dict(design="independent", lam=0.0, T=480, n=5, T0=[60, 180, 40, 240, 90], sigma0=0.0, sigma=0.1),
    ),
    ((1.5, 1.0), dict(design="independent", lam=0.0, T=60, n=1, T0=60, sigma0=0.0, sigma=0.0)),
    ((1.5, 1.0), dict(design="same", lam=1e-3, T=240, n=4, T0=90, sigma0=0.5, sigma=0.1)),
    (
        (2.0, 0.5),
        dict(design="independent", lam=1e-3, T=60, n=3, T0=[30, 180, 60], sigma0=[0.5, 0.0, 0.3], sigma=0.3),
    ),
    ((2.5, 0.3), dict(design="same", lam=0.1, T=480, n=5, T0=60, sigma0=SCHED_S0, sigma=0.0)),
    ((2.5, 0.3), dict(design="independent", lam=0.1, T=60, n=2, T0=[180, 60], sigma0=0.5, sigma=0.3)),
    ((2.0, 0.375), dict(design="independent", lam=1.0, T=240, n=4, T0=30, sigma0=0.5, sigma=0.0)),
    ((1.5, 1.0), dict(design="same", lam=1.0, T=60, n=5, T0=60, sigma0=0.0, sigma=0.3)),
]


@pytest.mark.parametrize(
    ("spec", "case"), PL, ids=[f"pl{s}-{c['design']}-lam{c['lam']}-T{c['T']}-n{c['n']}" for s, c in PL]
)
def test_power_law(spec, case):
    eigs, w0 = sc.power_law(D_PL, *spec, normalize=True)
    check(
        eigs,
        w0,
        reps=400,
        seed=case["T"] + 10 * case["n"],
        isotropic=False,
        constant=DE_CONSTANT.get(spec, 1.0),
        **case,
    )


# --- negative control: the printed Lemma F.8 (erratum F.8) -------------------------------------
def lemma_f8_delta_bias(eigs, c, T0s, sigma_power=None):
    """Delta-bias E||Q w0 - w0||_Sigma^2 from the paper's Lemma F.8 as printed, typed here
    independently of symcollapse: u'Q'SigmaQv ~ u' Sigma^n (prod_m A_m) v with
    A_m = (Sigma + kappa_m)^-2 (Sigma^2 + kappa_m^2 df2(kappa_m)/(T_m - df2(kappa_m)) I),
    kappa_m the root of df1(kappa) = T_m, and E[Q] ~ Sigma^n prod_m (Sigma + kappa_m)^-1.
    ``sigma_power`` replaces the printed power n of Sigma (1 = the power-corrected variant)."""
    n = len(T0s)
    quad = eigs ** (n if sigma_power is None else sigma_power)
    mean_q = eigs**n
    for t in T0s:
        kappa = brentq(lambda k, t=t: np.sum(eigs / (eigs + k)) - t, 1e-14, 1e8, xtol=1e-300, rtol=1e-15)
        df2 = np.sum(eigs**2 / (eigs + kappa) ** 2)
        quad = quad * (eigs**2 + kappa**2 * df2 / (t - df2)) / (eigs + kappa) ** 2
        mean_q = mean_q / (eigs + kappa)
    return np.sum(c**2 * quad) - 2 * np.sum(c**2 * eigs * mean_q) + np.sum(c**2 * eigs)


def test_lemma_f8_as_printed_disagrees_with_simulation():
    """beta = 2, r = 0.5, d = 160, T0 = d/2, n = 3, sigma0 = sigma = 0, lam = 0, T = 2d (so the
    test error *is* the Delta-bias).  Measured: F.8 = -0.158 (a negative squared norm), MC =
    4.89e-4 +- 5.7e-6 (z ~ -2.8e4); predict = 4.835e-4 (z ~ -1).  Fixing only F.8's power of
    Sigma is not enough: at beta = 3, r = 0.1 the frozen df2(kappa_m) gives 0.130 against MC
    0.0707 +- 0.0007 (z ~ +80; predict 0.0706, z ~ -0.1)."""
    d, n = 160, 3
    kw = dict(T=2 * d, lam=0.0, n=n, T0=d // 2, sigma=0.0, sigma0=0.0, design="independent")
    for (beta, r), power in [((2.0, 0.5), None), ((3.0, 0.1), 1)]:
        eigs, w0 = sc.power_law(d, beta, r, normalize=True)
        sim = sc.simulate(eigs, w0, reps=200, seed=3, **kw)
        rel = allowance(d, kw["T"], 0.0, [kw["T0"]] * n, "independent", isotropic=False)
        f8 = lemma_f8_delta_bias(eigs, w0, [kw["T0"]] * n, sigma_power=power)
        assert abs(z_score(f8, sim)) > 30
        with pytest.raises(AssertionError):
            assert_matches_simulation(f8, sim, k=4, rel=rel)
        assert_matches_simulation(sc.predict(eigs, w0, **kw), sim, k=4, rel=rel)
        # n = 1: F.8 is right (it is the two-point equivalent, which predict uses too)
        one = sc.predict(eigs, w0, **{**kw, "n": 1})
        assert float(one.test_error) == pytest.approx(lemma_f8_delta_bias(eigs, w0, [kw["T0"]]), rel=1e-8)


# --- slow: a larger sweep, and the Figure 2 example ---------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("d", [200, 240])
def test_large_sweep(d):
    """Random settings at d = 200 and 240 across both spectra families, designs and schedules."""
    rng = np.random.default_rng(d)
    for i in range(16):
        iso = i % 4 == 0
        spec = [(2.0, 0.5), (2.0, 0.375), (1.5, 1.0), (2.5, 0.3)][i % 4]
        eigs, w0 = sc.isotropic(d) if iso else sc.power_law(d, *spec, normalize=True)
        design = ["same", "independent"][i % 2]
        n = int(rng.integers(1, 6))
        ratios = rng.choice([0.25, 0.5, 0.75, 1.5, 2.0], size=n)
        if design == "same" or i % 3 == 0:
            T0 = int(round(float(rng.choice([0.25, 0.5, 0.75])) * d))
        else:
            T0 = [int(round(x * d)) for x in ratios]
        lam = float(rng.choice([0.0, 1e-3, 0.1, 1.0]))
        T = int(round(float(rng.choice([0.5, 2.0, 4.0])) * d))
        sigma0 = [0.0, 0.5, list(rng.uniform(0, 0.6, n))][i % 3]
        check(
            eigs,
            w0,
            T=T,
            lam=lam,
            n=n,
            T0=T0,
            sigma=float(rng.choice([0.0, 0.3])),
            sigma0=sigma0,
            design=design,
            reps=150,
            seed=i,
            isotropic=iso,
            constant=DE_CONSTANT.get(spec, 1.0),
        )


@pytest.mark.slow
def test_figure_2_example_runs(tmp_path):
    out = tmp_path / "figure_2.png"
    pytest.importorskip("matplotlib")
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / "figure_2.py"), "--reps", "2", "--seed", "1", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert out.exists() and out.stat().st_size > 10_000
    assert "wrote" in proc.stdout
