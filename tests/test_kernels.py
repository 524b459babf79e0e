"""Kernels and real data (paper App. C, D.2): the kernel module, and ``predict(..., lam0=...)`` against real
kernel-ridge chains on scikit-learn's bundled digits (1797 8x8 images, no download).

Validation setting: RBF kernel with the median-squared-distance bandwidth, parity target
2*(digit mod 2) - 1, sigma = sigma0 = 0.5, lam = lam0 = 1e-3, T0 = 400, n in {0, 1, 4},
T in {200, 800}, 12 repetitions, population protocol.  Criterion: |prediction - mean| <=
5 % of the mean + 3 standard errors in every cell (the 5 % is the stated allowance for the
finite-size and non-Gaussian error of the deterministic equivalents on real features).

Measured with seed 0 when this test was written (prediction / mean +- se, relative gap, z):

    n  T    predict  measured          gap     z
    0  200  0.2211   0.2240 +- 0.0038  -1.3 %  -0.77
    0  800  0.1333   0.1318 +- 0.0015  +1.2 %  +1.05
    1  200  0.2811   0.2861 +- 0.0071  -1.8 %  -0.70
    1  800  0.2219   0.2183 +- 0.0031  +1.7 %  +1.20
    4  200  0.4040   0.4008 +- 0.0103  +0.8 %  +0.31
    4  800  0.3572   0.3590 +- 0.0100  -0.5 %  -0.19

(seeds 1, 2, 3: largest |gap| 6.9 % with z = 3.3, still inside 5 % + 3 se.)  Negative control, the
paper's linear-in-n formula Bias + Var + n sigma0^2 rho(18), typed here: with kappa0 =
kappa(lam0, T0) (Prop. F.6's definition, the generators' actual ridge) it gives 0.2826 and 0.2006
for the n = 4 cells, misses of -29.5 % and -44 %; with kappa0 = kappa(0, T0) (the ridgeless
generator of the paper's theorems) 0.5166 (+28.9 %) and 0.3816 (+6.3 %): that reading misses the
T = 200 cell but not, beyond the criterion, the T = 800 one (both were expected to miss by
> 15 %; measured, only one does).
"""

import numpy as np
import pytest
from scipy.optimize import brentq

from symcollapse.simulation import kernels as KM

sklearn = pytest.importorskip("sklearn")  # optional extra ``kernels``; in the ``test`` extra


@pytest.fixture(scope="module")
def digits():
    from sklearn.datasets import load_digits

    return load_digits(return_X_y=True)


@pytest.fixture(scope="module")
def rbf_problem():
    return KM.load_digits_problem("rbf")


# --- independently typed printed formulas (paper) ----------------------------------------------
def _kappa(l, lam, size):
    if lam == 0 and size >= l.size:
        return 0.0
    return brentq(
        lambda k: k - lam - k * np.sum(l / (l + k)) / size,
        1e-15,
        lam + l.sum() / size + 1.0,
        xtol=1e-300,
        rtol=1e-14,
    )


def paper_linear_in_n(l, c, *, T, lam, n, T0, sigma, sigma0, kappa0):
    """Prop. 4.2 + n sigma0^2 rho with rho from eq. (18), typed from the paper."""
    k = _kappa(l, lam, T)
    df2 = np.sum(l**2 / (l + k) ** 2)
    df2_0 = np.sum(l**2 / (l + kappa0) ** 2)
    bias = k**2 * np.sum(c**2 * l / (l + k) ** 2) / (1 - df2 / T)
    var = sigma**2 * df2 / T / (1 - df2 / T)
    rho = (
        np.sum(l**4 / ((l + kappa0) ** 2 * (l + k) ** 2))
        + k**2 * np.sum(l**2 / ((l + kappa0) ** 2 * (l + k) ** 2)) * df2 / (T - df2)
    ) / (T0 - df2_0)
    return bias + var + n * sigma0**2 * rho


# --- the validation on real data ---------------------------------------------------------------
NS, TS = [0, 1, 4], [200, 800]
SETTING = dict(T0=400, lam=1e-3, lam0=1e-3, sigma=0.5, sigma0=0.5)


def test_digits_kernel_chain_matches_predict(rbf_problem):
    P = rbf_problem
    assert P.N == 1797 and P.residual == 0.0
    measured = KM.kernel_chain_grid(P, ns=NS, Ts=TS, reps=12, seed=0, **SETTING)
    pred = P.predict(T=np.array(TS), n=np.array(NS)[:, None], **SETTING).test_error
    l, c = P.eigenvalues, P.w0
    for i, n in enumerate(NS):
        for k, T in enumerate(TS):
            sim = measured[(n, T)]
            assert sim.reps == 12
            gap = abs(pred[i, k] - sim.mean)
            assert gap <= 0.05 * sim.mean + 3 * sim.stderr, (n, T, pred[i, k], sim.mean, sim.stderr)
            if n == 0:
                continue
            # negative control: the paper's linear-in-n formula
            literal = paper_linear_in_n(
                l,
                c,
                T=T,
                n=n,
                kappa0=_kappa(l, SETTING["lam0"], 400),
                **{k_: v for k_, v in SETTING.items() if k_ != "lam0"},
            )
            ridgeless = paper_linear_in_n(
                l,
                c,
                T=T,
                n=n,
                kappa0=_kappa(l, 0.0, 400),
                **{k_: v for k_, v in SETTING.items() if k_ != "lam0"},
            )
            if n == 4:
                assert abs(literal - sim.mean) > 0.15 * sim.mean + 3 * sim.stderr
            if (n, T) == (4, 200):
                assert abs(ridgeless - sim.mean) > 0.15 * sim.mean + 3 * sim.stderr
    # n = 0 is clean kernel ridge: both formulas agree with predict there
    assert paper_linear_in_n(
        l, c, T=200, n=0, kappa0=0.0, **{k_: v for k_, v in SETTING.items() if k_ != "lam0"}
    ) == pytest.approx(pred[0, 0], rel=1e-8)


def test_rff_ols_chain_collapse_is_exact(digits):
    """No random-matrix theory: 100 random Fourier features of the digits, least-squares
    generators on T0 = 400 rows drawn from the population, ridgeless downstream on T = 400.  With
    the same designs and noises (common random numbers), the chain with sigma0 > 0 exceeds the one
    with sigma0 = 0 by exactly n sigma0^2 E tr[Sigma (X0'X0)^-1] in expectation (labels of
    generation >= 1 lie in the span, so each generator adds its own noise and nothing else).
    Measured (seed 7, 40 repetitions): 0.0960 +- 0.0060, 0.1787 +- 0.0070, 0.3457 +- 0.0109 for
    n = 1, 2, 4 against 0.0864, 0.1728, 0.3457 (z = 1.6, 0.9, 0.0); E tr = 0.3457 +- 0.0004, 3.3 %
    above the Gaussian D/(T0 - D - 1) = 0.3344 (a non-Gaussian effect of the real features)."""
    X, y = digits
    P = KM.feature_problem(KM.random_fourier_features(X, 100, seed=0), KM.parity_target(y))
    kw = dict(ns=[1, 2, 4], Ts=[400], T0=400, lam=0.0, lam0=0.0, sigma=0.5, reps=40, seed=7)
    noisy = KM.kernel_chain_grid(P, sigma0=0.5, **kw)
    clean = KM.kernel_chain_grid(P, sigma0=0.0, **kw)
    trace = KM.design_trace(P, 400, designs=500, seed=1)
    assert trace.mean == pytest.approx(0.3457, abs=5 * trace.stderr + 2e-3)
    for n in kw["ns"]:
        diff = noisy[(n, 400)].samples - clean[(n, 400)].samples
        se = np.hypot(diff.std(ddof=1) / np.sqrt(diff.size), n * 0.25 * trace.stderr)
        assert abs(diff.mean() - n * 0.25 * trace.mean) < 4 * se


# --- the module -------------------------------------------------------------------------------
def test_problem_is_the_eigendecomposition(digits, rbf_problem):
    X, y = digits
    P = rbf_problem
    f0 = KM.parity_target(y)
    assert set(np.unique(f0)) == {-1.0, 1.0}
    assert np.all(np.diff(P.eigenvalues) <= 0) and np.all(P.eigenvalues > 0)
    assert P.eigenvalues.sum() == pytest.approx(np.trace(P.K) / P.N, rel=1e-10)  # = 1 for RBF
    assert np.sum(P.coefficients**2) + P.residual == pytest.approx(f0 @ f0 / P.N, rel=1e-10)
    np.testing.assert_allclose(P.w0 * np.sqrt(P.eigenvalues), P.coefficients)
    beta, r = KM.fit_exponents(P)
    assert 1.0 < beta < 2.0 and 0.0 < r < 0.5  # measured: 1.40, 0.23


def test_feature_problem_equals_kernel_problem(digits):
    X, y = digits
    Xs, f0 = X[:300], KM.parity_target(y[:300])
    Phi = KM.random_fourier_features(Xs, 40, seed=3)
    a = KM.feature_problem(Phi, f0)
    b = KM.kernel_problem(None, f0, kernel=Phi @ Phi.T, rtol=1e-10)
    np.testing.assert_allclose(a.eigenvalues, b.eigenvalues, rtol=1e-8)
    np.testing.assert_allclose(np.abs(a.coefficients), np.abs(b.coefficients), atol=1e-10)
    assert a.residual == pytest.approx(b.residual, rel=1e-8)
    pa = a.predict(T=100, lam=1e-2, n=2, T0=80, sigma0=0.3, lam0=1e-2).test_error
    pb = b.predict(T=100, lam=1e-2, n=2, T0=80, sigma0=0.3, lam0=1e-2).test_error
    assert pa == pytest.approx(pb, rel=1e-7)


def test_fit_exponents_recovers_a_power_law():
    N, beta, r = 600, 1.6, 0.3
    k = np.arange(1, N + 1)
    l = k**-beta
    tail = k ** (-2 * beta * r)  # sum_{k' >= k} a_k'^2 exactly a power law
    a = np.sqrt(tail - np.append(tail[1:], 0.0))
    U = np.linalg.qr(np.random.default_rng(0).standard_normal((N, N)))[0]
    K = N * (U * l) @ U.T
    P = KM.kernel_problem(None, np.sqrt(N) * U @ a, kernel=K)
    b_fit, r_fit = KM.fit_exponents(P, k_range=(5, 100))
    assert b_fit == pytest.approx(beta, rel=1e-6)
    assert r_fit == pytest.approx(r, rel=1e-6)


def test_kernels():
    X = np.random.default_rng(1).standard_normal((50, 5))
    K = KM.rbf_kernel(X)
    assert np.allclose(np.diag(K), 1) and np.median(-np.log(K[np.triu_indices(50, 1)])) == pytest.approx(1.0)
    Kp = KM.polynomial_kernel(X, degree=3)
    assert np.allclose(np.diag(Kp), 1) and np.linalg.eigvalsh(Kp).min() > -1e-10
    Phi = KM.random_fourier_features(X, 20000, seed=0)
    assert np.abs(Phi @ Phi.T - K).max() < 0.05


def test_held_out_protocol_agrees(rbf_problem):
    """Held-out: fits without replacement from 80 % of the digits, error on the other 20 %.
    Measured (seed 0, 12 repetitions): within 8 % (z <= 2.2) of the population prediction."""
    P = rbf_problem
    res = KM.kernel_chain_grid(P, ns=[0, 4], Ts=[800], reps=12, seed=0, protocol="held_out", **SETTING)
    pred = P.predict(T=800, n=np.array([0, 4]), **SETTING).test_error
    for i, n in enumerate([0, 4]):
        sim = res[(n, 800)]
        assert abs(pred[i] - sim.mean) <= 0.1 * sim.mean + 3 * sim.stderr


def test_bad_input(rbf_problem):
    X = np.random.default_rng(1).standard_normal((30, 4))
    f0 = np.ones(30)
    bad = np.eye(30)
    bad[0, 1] = bad[1, 0] = 2.0  # symmetric, eigenvalue -1
    with pytest.raises(ValueError, match="not positive semi-definite"):
        KM.kernel_problem(None, f0, kernel=bad)
    with pytest.raises(ValueError, match="not positive semi-definite"):
        KM.kernel_problem(X, f0, kernel=lambda Z: -KM.rbf_kernel(Z) + 0.5 * np.eye(30))
    with pytest.raises(ValueError, match="must be symmetric"):
        KM.kernel_problem(None, f0, kernel=np.triu(np.ones((30, 30))))
    with pytest.raises(ValueError, match="N x N = 30 x 30"):
        KM.kernel_problem(None, f0, kernel=np.eye(29))
    with pytest.raises(ValueError, match="kernel must be one of"):
        KM.kernel_problem(X, f0, kernel="laplace")
    with pytest.raises(ValueError, match="bandwidth must be > 0"):
        KM.rbf_kernel(X, bandwidth=0.0)
    P = KM.kernel_problem(X, np.sin(X[:, 0]))
    with pytest.raises(ValueError, match="lam0 must be >= 0"):
        KM.kernel_chain(P, T=10, n=1, T0=10, lam0=-1.0, reps=2)
    with pytest.raises(ValueError, match="T0 and T must be <= 24"):
        KM.kernel_chain(P, T=10, n=1, T0=25, reps=2, protocol="held_out")
    with pytest.raises(ValueError, match="T0 and T must be <= 24"):
        KM.kernel_chain(P, T=25, n=0, reps=2, protocol="held_out")
    with pytest.raises(ValueError, match="protocol must be"):
        KM.kernel_chain(P, T=10, reps=2, protocol="bootstrap")
    with pytest.raises(ValueError, match="T0 is required"):
        KM.kernel_chain(P, T=10, n=1, reps=2)


@pytest.mark.slow
def test_kernel_chain_figure_quick(tmp_path):
    """The report's figure function in quick mode: a PNG and rows within the validation
    criterion for the regularised generators (near interpolation is the known non-Gaussian corner,
    reported, not asserted)."""
    pytest.importorskip("matplotlib")
    from symcollapse.presentation.figures_kernel import kernel_chain_figure

    out = kernel_chain_figure(tmp_path / "k.png", quick=True, seed=0)
    assert (tmp_path / "k.png").stat().st_size > 50_000
    assert out["seconds"] < 60
    for r in out["rows"]:
        if r["lam0"] == 1e-2:
            assert abs(r["predict"] - r["mean"]) <= 0.05 * r["mean"] + 3 * r["stderr"], r
    sat = out["findings"]["saturation"]
    assert sat["collapse"][-1] == pytest.approx(sat["generator_own_error"], rel=1e-3)


@pytest.mark.slow
def test_kernel_chain_example_runs(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    pytest.importorskip("matplotlib")
    script = Path(__file__).resolve().parents[1] / "examples" / "kernel_chain_digits.py"
    out = tmp_path / "kc.png"
    proc = subprocess.run(
        [sys.executable, str(script), "--quick", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert out.exists() and "wrote" in proc.stdout
