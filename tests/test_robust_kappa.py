"""The kappa reproducers: every number right (against a high-precision mpmath reference) or
refused with a ValueError/TypeError that names the parameter and says why."""

import mpmath
import numpy as np
import pytest

import symcollapse as sc
from symcollapse.numeric.kappa import solve_kappa
from symcollapse.numeric.spectral import SpectralFunctionals
from symcollapse.presentation.cli import main as cli_main


def kappa_reference(eigs, lam, T, dps=700, as_float=True):
    """Root of T - df1(kappa) - T lam/kappa by bisection in log kappa at ``dps`` digits (a float,
    or the mpf itself)."""
    with mpmath.workdps(dps):
        ls = [mpmath.mpf(float(x)) for x in eigs]
        lam, T = mpmath.mpf(float(lam)), mpmath.mpf(float(T))

        def G(u):
            k = mpmath.exp(u)
            return T - mpmath.fsum(x / (x + k) for x in ls) - T * lam / k

        lo, hi = mpmath.mpf(-760), mpmath.mpf(760)
        for _ in range(220):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if G(mid) < 0 else (lo, mid)
        root = mpmath.exp((lo + hi) / 2)
        return float(root) if as_float else root


def error_reference(eigs, w0, lam, T, sigma, dps=400):
    k = kappa_reference(eigs, lam, T, dps)
    with mpmath.workdps(dps):
        ls = [mpmath.mpf(float(x)) for x in eigs]
        cs = [mpmath.mpf(float(x)) for x in w0]
        k, T, lam, sigma = (mpmath.mpf(float(x)) for x in (k, T, lam, sigma))
        df2 = mpmath.fsum((x / (x + k)) ** 2 for x in ls)
        D = T * lam / k + mpmath.fsum(x * k / (x + k) ** 2 for x in ls)
        bias = k**2 * mpmath.fsum(c**2 * x / (x + k) ** 2 for x, c in zip(ls, cs, strict=True))
        return float((bias * T + sigma**2 * df2) / D)


KAPPA_CASES = [
    ([1.0, 1e30], 1e-3, 1),
    ([1e-50, 1.0, 1e50], 1e-3, 1),
    ([1.0, 1e20], 1e-3, 1),
    ([1.0] * 10, 1e-12, 10),
    ([1e-4, 1e8], 5.6e-6, 1),
    ([1e160], 1e-12, 10),
    ([1.0, 1e200], 1e-3, 1),
    ([1.0, 1e200], 1e-12, 10),
    ([1e-300, 1e300], 1e-3, 1),
    ([1e-300, 1e-100, 1.0, 1e100, 1e300], 0.0, 2),
    ([1e-300, 1e-100, 1.0, 1e100, 1e300], 1e-200, 3),
    (list(np.logspace(-300, 300, 13)), 1e-5, 6),
    (list(np.logspace(-300, 300, 13)), 0.0, 12),
]


@pytest.mark.parametrize(("eigs", "lam", "T"), KAPPA_CASES)
def test_kappa_matches_mpmath_at_gaps_and_extreme_spectra(eigs, lam, T):
    eigs = np.array(eigs)
    k = float(solve_kappa(SpectralFunctionals(eigs, np.zeros_like(eigs)), lam, T))
    assert k == pytest.approx(kappa_reference(eigs, lam, T), rel=1e-12)


def test_kappa_table_method_is_polished_at_a_gap():
    eigs = np.array([1.0, 1e12, 2e12])
    fun = SpectralFunctionals(eigs, np.zeros(3))
    lam = np.logspace(-6, 2, 50)
    k = solve_kappa(fun, lam, 2.0, method="table")
    ref = [kappa_reference(eigs, x, 2.0, dps=60) for x in lam[::7]]
    np.testing.assert_allclose(k[::7], ref, rtol=1e-12)


def test_formula_grids_above_the_budget_take_the_table_and_agree_with_the_exact_sums(monkeypatch):
    """Formula.evaluate solves kappa like predict: the Chebyshev table drives large grids (here
    40 x 60 points x 1000 eigenvalues > EXACT_BUDGET), the exact sums small ones (one row at a
    time); the two agree to 1e-12, on a smooth spectrum and on one with a gap at T."""
    from symcollapse.numeric import formula_evaluation

    methods = []
    solve = formula_evaluation.solve_kappa

    def spy(fun, lam, T, *, method="exact"):
        methods.append(method)
        return solve(fun, lam, T, method=method)

    monkeypatch.setattr(formula_evaluation, "solve_kappa", spy)
    f = sc.formula("rho_general")
    T = np.logspace(1, 4, 40)[:, None]
    lam = np.logspace(-8, 0, 60)[None, :]
    smooth, _ = sc.power_law(1000, 2.0, 0.375)
    gap = np.concatenate([np.full(100, 1e6), np.logspace(-6, -3, 900)])
    for eigs in (smooth, gap):
        methods.clear()
        grid = f.evaluate(eigenvalues=eigs, T=T, lam=lam, T0=2000)
        assert methods == ["table", "exact"]  # kappa (2400 points), kappa0 (one point)
        methods.clear()
        rows = np.stack([f.evaluate(eigenvalues=eigs, T=t, lam=lam[0], T0=2000) for t in T[:, 0]])
        assert set(methods) == {"exact"}
        np.testing.assert_allclose(grid, rows, rtol=1e-12)


def test_kappa_table_method_re_solves_roots_too_far_for_the_polish():
    """A gap of 30 decades: the table's root can be 16 % off where T - df2 vanishes, beyond what
    the clipped Newton polish repairs; those points are solved again with the exact sums."""
    eigs = np.array([1.0, 1e30])
    fun = SpectralFunctionals(eigs, np.zeros(2))
    lam = np.logspace(-6, 2, 4000)
    table = solve_kappa(fun, lam, 1.0, method="table")
    np.testing.assert_allclose(table, solve_kappa(fun, lam, 1.0, method="exact"), rtol=1e-12)
    worst = int(np.argmin(np.abs(lam - 0.0978)))
    assert table[worst] == pytest.approx(kappa_reference(eigs, lam[worst], 1.0, dps=80), rel=1e-12)


@pytest.mark.parametrize(
    ("eigs", "lam", "T"),
    [
        ([1.0, 1e30], 1e-3, 1),
        ([1e-50, 1.0, 1e50], 1e-3, 1),
        ([1.0, 1e20], 1e-3, 1),
        ([1.0] * 10, 1e-12, 10),
        ([1e-4, 1e8], 5.6e-6, 1),
    ],
)
def test_predict_is_right_at_spectral_gaps(eigs, lam, T):
    """The engine forms N - df2 as N lam/kappa + sum_j p_j q_j (no cancellation): at a spectral
    gap (T equal to the number of eigenvalues far above kappa) the old difference lost everything
    (5 % off at a 1e30 gap, 8 orders of magnitude at 1e-50..1e50)."""
    w0 = np.linspace(1.0, 2.0, len(eigs))
    p = sc.predict(eigs, w0, T=T, lam=lam, sigma=0.5)
    assert float(p.kappa) == pytest.approx(kappa_reference(eigs, lam, T, dps=400), rel=1e-12)
    assert float(p.test_error) == pytest.approx(error_reference(eigs, w0, lam, T, 0.5), rel=1e-12)


@pytest.mark.parametrize(
    ("eigs", "lam", "T"),
    [
        ([1.0, 1e6], 1e-3, 1),
        ([1.0, 1e3], 1e-3, 1),
        ([1.0] * 10, 1e-8, 10),
        ([1.0] * 10, 1e-3, 10),
        ([1e-50, 1.0, 1e50], 1e-3, 2),
        ([0.5, 2.0, 1e4, 3e4], 1e-6, 2),
    ],
)
def test_predict_matches_mpmath_where_it_answers(eigs, lam, T):
    w0 = np.linspace(1.0, 2.0, len(eigs))
    p = sc.predict(eigs, w0, T=T, lam=lam, sigma=0.5)
    assert float(p.kappa) == pytest.approx(kappa_reference(eigs, lam, T, dps=400), rel=1e-12)
    assert float(p.test_error) == pytest.approx(error_reference(eigs, w0, lam, T, 0.5), rel=1e-12)


@pytest.mark.parametrize("eigs", [[1e160], [1.0, 1e200], [1e-200, 1e200]])
def test_predict_refuses_spectra_whose_squares_overflow(eigs):
    with pytest.raises(ValueError, match=r"eigenvalues must lie in \[1e-150, 1e150\]"):
        sc.predict(eigs, np.ones(len(eigs)), T=10, lam=1e-12, n=3, T0=1)


def test_bounded_work_is_estimated_and_refused():
    with pytest.raises(ValueError, match="chains of up to 1000000000 generations needs an estimated"):
        sc.predict(*sc.isotropic(10), T=20, n=10**9, T0=50)
    with pytest.raises(ValueError, match="needs an estimated"):
        sc.predict(*sc.isotropic(10), T=20, n=2**70, T0=50)
    with pytest.raises(ValueError, match="scan of 10000000 ridges .* needs an estimated"):
        sc.optimal_lambda(*sc.isotropic(10), T=20, scan=10**7)
    with pytest.raises(ValueError, match="max_bytes"):
        sc.predict(*sc.isotropic(10), T=np.arange(20.0, 30.0), lam=0.1, max_bytes=1000)
    assert sc.predict(*sc.isotropic(10), T=np.arange(20.0, 30.0), lam=0.1, max_bytes=10**6).kappa.size


def test_null_predictor_search_is_bounded():
    with pytest.raises(ValueError, match="pass n_max <= 2000"):
        sc.null_predictor_generations(*sc.isotropic(58), T=1, lam=0.0, T0=1)


BAD_TYPES = [
    (dict(T=True), TypeError, "T must be a number .* boolean"),
    (dict(T="5"), TypeError, "T must be a number .* string"),
    (dict(sigma=b"7"), TypeError, "sigma must be a number .* bytes"),
    (dict(lam=1 + 2j), TypeError, "lam must be a number .* complex"),
    (dict(T=[]), ValueError, "T must not be empty"),
    (dict(n=1, T0=50, sigma0=np.datetime64("2020-01-01")), TypeError, "sigma0 .* date or time"),
    (dict(T=None), TypeError, "T must be a number"),
    (dict(T=[10, "a"]), TypeError, "T must be a number"),
]


@pytest.mark.parametrize(("change", "error", "message"), BAD_TYPES)
def test_wrong_types_are_refused_with_the_name(change, error, message):
    kw = dict(T=20, lam=0.1)
    kw.update(change)
    with pytest.raises(error, match=message):
        sc.predict(*sc.isotropic(5), **kw)


def test_complex_and_2d_spectra_refused():
    with pytest.raises(TypeError, match="eigenvalues .* complex"):
        sc.predict(np.array([1 + 1j, 2]), [1.0, 1.0], T=10)
    with pytest.raises(ValueError, match="eigenvalues must be a non-empty 1-D array"):
        sc.predict(np.ones((2, 2)), np.ones(4), T=10)


def test_helpers_refuse_nan_and_junk():
    with pytest.raises(ValueError, match="w0_norm must be finite"):
        sc.isotropic(5, w0_norm=float("nan"))
    with pytest.raises(ValueError, match="beta must be finite"):
        sc.power_law(5, float("inf"), 0.5)
    with pytest.raises(TypeError, match="d must be a number"):
        sc.isotropic(True)
    with pytest.raises(TypeError, match="lam must be a number"):
        sc.ridge_alpha("a", 3)
    assert sc.ridge_alpha(0.5, 4) == 2.0
    with pytest.raises(ValueError, match="unknown formula"):
        sc.formula("nope")


def test_kernels_refuse_bad_parameters():
    X = np.random.default_rng(0).standard_normal((6, 2))
    with pytest.raises(ValueError, match="bandwidth must be > 0"):
        sc.kernels.random_fourier_features(X, 4, bandwidth=-1)
    with pytest.raises(ValueError, match="median squared distance"):
        sc.kernels.rbf_kernel(np.zeros((4, 2)))
    with pytest.raises(TypeError, match="degree"):
        sc.kernels.polynomial_kernel(X, degree="3")


def test_cli_errors_exit_2_on_one_line(capsys, tmp_path):
    cases = [
        ["eval", "theorem_4_1_exact"],
        ["eval", "theorem_4_1_exact", "T=1:1e999:3", "d=10", "n=1", "T0=20", "sigma=1", "sigma0=1"],
        ["predict", "--spectrum", "isotropic", "--d", "10", "T=20", "lam=1e-3:1:1000000000log"],
        ["eval", "nope"],
    ]
    np.save(tmp_path / "e.npy", np.ones((3, 2)))
    np.save(tmp_path / "w.npy", np.ones(6))
    cases.append(
        ["predict", "--eigenvalues", str(tmp_path / "e.npy"), "--w0", str(tmp_path / "w.npy"), "T=20"]
    )
    for argv in cases:
        assert cli_main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("symcollapse: error:"), err
