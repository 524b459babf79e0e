"""Over-parameterised generators: derived closed forms against the paper's printed (or derived)
statements, the numeric peeling recursion against the symbolic derivation, the null-predictor
threshold and the more-data constant."""

import mpmath
import numpy as np
import pytest
import sympy as sp

import symcollapse as sc
from symcollapse.symbolic import symbols as S
from symcollapse.symbolic.theory.overparameterized import isotropic_generator

W, k, phi, d, T0, n = S.w0_sq, S.kappa, S.phi, S.d, S.T0, S.n


def test_isotropic_generator_is_exact_projection_algebra():
    g = isotropic_generator()
    b = sp.Symbol("b_B", positive=True)
    assert sp.simplify(g["kappa0"] - (d / T0 - 1)) == 0  # kappa(0, T0) = phi0 - 1
    assert sp.simplify(g["p"] - T0 / d) == 0  # E[P] = rank/d exactly
    assert sp.simplify(g["phi_b"] - b * T0 / d) == 0  # E[P b P] = b E[P] (P^2 = P)
    assert sp.simplify(g["C"] - T0 / (d * (d - T0 - 1))) == 0  # E tr (XX')^-1 = T0/(d-T0-1)


def test_theorems_4_5_and_4_6_as_printed():
    phi0 = S.phi0
    t45 = sc.formula("theorem_4_5").expr.subs(T0, d / phi0)
    t46 = sc.formula("theorem_4_6").expr.subs(T0, d / phi0)
    assert sp.simplify(t45 - W * (1 - 1 / phi0)) == 0
    assert sp.simplify(t46 - W * (1 - phi0**-n)) == 0
    assert sc.formula("theorem_4_6").evaluate(d=300, T0=150, n=np.arange(4), w0_sq=1.0).tolist() == [
        0.0,
        0.5,
        0.75,
        0.875,
    ]


def _spec_m2():
    return (1 - k) / (1 + k) + k**2 / ((1 + k) ** 2 - phi)  # tr(Shat R)^2/d, typed independently


@pytest.mark.parametrize("design", ["independent", "same"])
def test_isotropic_chain_matches_spec(design):
    """Addendum A: E = ||w0||^2 (1 - 2 eta abar + eta mbar) + Var + sigma0^2 mbar T0/(d-T0-1) S,
    eta = (T0/d)^n, S = sum_{k<n} (T0/d)^k (independent) or eta = T0/d, S = n (same)."""
    p = T0 / d
    eta, Ssum = (p**n, (1 - p**n) / (1 - p)) if design == "independent" else (p, n)
    m2 = _spec_m2()
    var = S.sigma**2 * phi / ((1 + k) ** 2 - phi)
    printed = W * (1 - 2 * eta / (1 + k) + eta * m2) + var + S.sigma0**2 * m2 * T0 / (d - T0 - 1) * Ssum
    derived = sc.formula(f"isotropic_chain_{design}").expr
    assert sp.simplify(derived - printed) == 0
    # the drifted bias is the sigma = sigma0 = 0 part
    drifted = W * (1 - 2 * eta / (1 + k) + eta * m2)
    assert sp.simplify(derived.subs({S.sigma: 0, S.sigma0: 0}) - drifted) == 0


@pytest.mark.parametrize("design", ["independent", "same"])
@pytest.mark.parametrize("lam", [1e-4, 0.05, 1.0])
def test_numeric_recursion_equals_isotropic_derivation(design, lam):
    """predict's peeling recursion (NumPy) equals the SymPy closed form for Sigma = I."""
    dd, TT0, TT = 200, 80, np.array([50.0, 150.0, 500.0])
    eigs, w0 = sc.isotropic(dd, w0_norm=0.8)
    ns = np.arange(1, 6)[:, None]
    pred = sc.predict(eigs, w0, T=TT, lam=lam, n=ns, T0=TT0, sigma=0.3, sigma0=0.4, design=design)
    f = sc.formula(f"isotropic_chain_{design}")
    closed = f.evaluate(lam=lam, phi=dd / TT, d=dd, T0=TT0, n=ns, w0_sq=0.64, sigma=0.3, sigma0=0.4)
    np.testing.assert_allclose(pred.test_error, closed, rtol=1e-10)


def test_schedule_of_equal_sizes_equals_scalar_T0():
    eigs, w0 = sc.power_law(80, 2.0, 0.5)
    a = sc.predict(
        eigs,
        w0,
        T=100,
        lam=1e-3,
        n=3,
        T0=sc.per_generation([40, 40, 40]),
        sigma0=sc.per_generation([0.2, 0.2, 0.2]),
        sigma=0.1,
    )
    b = sc.predict(eigs, w0, T=100, lam=1e-3, n=3, T0=40, sigma0=0.2, sigma=0.1)
    assert a.test_error == pytest.approx(b.test_error, rel=1e-13)


def test_schedule_generalises_theorem_4_1():
    """Under-parameterised schedule, ridgeless: the exact sum over generations of Theorem 4.1."""
    eigs, w0 = sc.power_law(30, 1.5, 0.5)
    T0s, s0s = [40, 60, 90], [0.1, 0.5, 0.2]
    p = sc.predict(eigs, w0, T=50, n=3, T0=sc.per_generation(T0s), sigma0=sc.per_generation(s0s), sigma=0.3)
    exact = 0.09 * 30 / (50 - 31) + sum(s**2 * 30 / (t - 31) for t, s in zip(T0s, s0s, strict=True))
    assert p.test_error == pytest.approx(exact, rel=1e-13)


def test_schedule_bad_input():
    eigs, w0 = sc.isotropic(20)
    with pytest.raises(ValueError, match="T0 has 2 values, one per generator, but n = 3"):
        sc.predict(eigs, w0, T=50, n=3, T0=sc.per_generation([30, 40]))
    with pytest.raises(ValueError, match="n must be a single integer"):
        sc.predict(eigs, w0, T=50, n=[1, 2], T0=sc.per_generation([30]))
    with pytest.raises(ValueError, match="design='same' reuses one design"):
        sc.predict(eigs, w0, T=50, n=2, T0=sc.per_generation([10, 12]), design="same")
    with pytest.raises(ValueError, match="T0 must be <= d - 2 = 18 or >= d \\+ 2 = 22"):
        sc.predict(eigs, w0, T=50, n=2, T0=sc.per_generation([10, 21]), sigma0=0.1)
    with pytest.raises(ValueError, match="T0 must be >= 1"):
        sc.predict(eigs, w0, T=50, n=1, T0=sc.per_generation([0]))
    with pytest.raises(ValueError, match="design must be one of"):
        sc.predict(eigs, w0, T=50, n=1, T0=10, design="dependent")


def test_noise_free_generator_at_the_interpolation_threshold_is_fine():
    """T0 in [d - 1, d + 1] is refused only when the generator is noisy."""
    eigs, w0 = sc.isotropic(20)
    p = sc.predict(eigs, w0, T=60, n=2, T0=np.array([19, 20, 21]), sigma0=0.0, sigma=0.1)
    assert p.collapse[1] == 0 and p.collapse[2] == 0 and p.collapse[0] > 0


def test_null_predictor_threshold_formula_and_erratum_B3():
    f = sc.formula("null_predictor_threshold")
    assert sp.simplify(f.expr - S.SNR0 * (1 / S.phi0 - 1)) == 0
    printed = S.SNR0 / (1 / S.phi0 - 1)
    assert sp.simplify(f.expr - printed) != 0


def test_null_predictor_generations_matches_exact_ols_count():
    eigs, w0 = sc.power_law(40, 2.0, 0.5, normalize=True)  # ||w0||_Sigma = 1
    sigma, sigma0, T, T0 = 0.2, 0.3, 300, 120
    got = sc.null_predictor_generations(eigs, w0, T=T, T0=T0, sigma=sigma, sigma0=sigma0)
    clean = sigma**2 * 40 / (T - 41)
    expected = int(np.ceil((1.0 - clean) / (sigma0**2 * 40 / (T0 - 41))))
    assert got == expected
    pred = sc.predict(eigs, w0, T=T, T0=T0, sigma=sigma, sigma0=sigma0, n=[got - 1, got])
    assert pred.test_error[0] < 1.0 <= pred.test_error[1]
    # the proportional-limit formula, SNR0 (1/phi0 - 1), at large d, T0, T
    e2, w2 = sc.isotropic(400)
    n_num = sc.null_predictor_generations(e2, w2, T=10**9, T0=4000, sigma0=0.3)
    n_formula = sc.formula("null_predictor_threshold").evaluate(SNR0=1 / 0.09, phi0=0.1)
    assert n_num == pytest.approx(n_formula, rel=0.01)
    assert sc.null_predictor_generations(e2, w2, T=10**9, T0=4000, sigma0=0.0) is None


def test_more_data_constant():
    """1 + sum_{m>=2} 1/(m ln^2 m) = 3.10974..., checked by an independent summation."""
    with mpmath.workdps(30):
        head = mpmath.fsum(1 / (mpmath.mpf(m) * mpmath.log(m) ** 2) for m in range(2, 200_000))
        N = mpmath.mpf(200_000)
        ref = 1 + head + 1 / mpmath.log(N) + 1 / (2 * N * mpmath.log(N) ** 2)
    assert sc.formula("more_data_constant").evaluate() == pytest.approx(float(ref), abs=1e-9)


def test_more_data_remark_with_a_schedule():
    """The remark after Theorem 4.1: generation m >= 2 on T_m = m ln^2(m) T0 samples; low
    dimension (d = 4, T0 = 1e6), T = T0, sigma = sigma0: the error over the clean error is
    1 + sum_{m=2}^{n+1} 1/(m ln^2 m), bounded by the constant (erratum B20: a constant factor,
    with no m = 1 term)."""
    eigs, w0 = sc.isotropic(4)
    T0, nn = 10**6, 12
    sizes = [m * np.log(m) ** 2 * T0 for m in range(2, nn + 2)]
    p = sc.predict(eigs, w0, T=T0, n=nn, T0=sc.per_generation(sizes), sigma=1.0, sigma0=1.0)
    clean = sc.predict(eigs, w0, T=T0, sigma=1.0).test_error
    partial = 1 + sum(1 / (m * np.log(m) ** 2) for m in range(2, nn + 2))
    assert p.test_error / clean == pytest.approx(partial, rel=1e-5)
    assert p.test_error / clean < sc.formula("more_data_constant").evaluate()


@pytest.mark.parametrize("lam", [1e-3, 0.3])
def test_same_design_noise_is_eq_18_with_the_finite_size_factor(lam):
    """For the same design the recursion's noise term is n sigma0^2 rho of eq. (18), times the
    finite-size factor (d - T0)/(d - T0 - 1) of the generator (exact for isotropic Sigma)."""
    eigs, w0 = sc.power_law(120, 2.0, 0.5)
    kw = dict(T=np.array([60.0, 400.0]), lam=lam, n=3, T0=50, sigma=0.2, design="same")
    noisy = sc.predict(eigs, w0, sigma0=0.4, **kw).collapse
    quiet = sc.predict(eigs, w0, sigma0=0.0, **kw).collapse
    rho18 = sc.formula("rho_general").evaluate(eigenvalues=eigs, lam=lam, T=kw["T"], T0=50)
    np.testing.assert_allclose(noisy - quiet, 3 * 0.16 * rho18 * (120 - 50) / (120 - 50 - 1), rtol=1e-10)


def test_schedule_formulas_against_predict_and_printed_forms():
    T0s, s0s = [40, 60, 90], [0.1, 0.5, 0.2]
    f = sc.formula("theorem_4_1_schedule")
    value = f.evaluate(d=30, T=50, T0=sc.per_generation(T0s), sigma0=sc.per_generation(s0s), sigma=0.3, lam=0)
    typed = 0.09 * 30 / (50 - 31) + sum(s**2 * 30 / (t - 31) for t, s in zip(T0s, s0s, strict=True))
    assert value == pytest.approx(typed, rel=1e-14)
    eigs, w0 = sc.power_law(30, 2.0, 0.5)
    p = sc.predict(eigs, w0, T=50, n=3, T0=sc.per_generation(T0s), sigma0=sc.per_generation(s0s), sigma=0.3)
    assert p.test_error == pytest.approx(value, rel=1e-13)
    with pytest.raises(ValueError, match="generator 1"):
        f.evaluate(
            d=30, T=50, T0=sc.per_generation([40, 31, 90]), sigma0=sc.per_generation(s0s), sigma=0.3, lam=0
        )
    with pytest.raises(ValueError, match="does not match the schedule length"):
        f.evaluate(
            d=30, T=50, T0=sc.per_generation(T0s), sigma0=sc.per_generation(s0s), sigma=0.3, lam=0, n=2
        )
    # Theorem 4.6 with eta a product over generations, against the numeric recursion
    e2, w2 = sc.isotropic(300)
    sizes = [150, 100, 600, 240]
    t46 = sc.formula("theorem_4_6_schedule").evaluate(d=300, T0=sc.per_generation(sizes), w0_sq=1.0)
    assert t46 == pytest.approx(1 - 0.5 * (1 / 3) * 1 * 0.8, rel=1e-14)
    q = sc.predict(e2, w2, T=2000, n=4, T0=sc.per_generation(sizes), sigma=0.0)
    assert q.collapse == pytest.approx(t46, rel=1e-12)


def test_schedule_formulas_follow_the_one_schedule_convention():
    """A number is the same value for every generator, an array a grid (as in predict), and
    per_generation([...]) one value per generator: a constant schedule equals the number."""
    f = sc.formula("theorem_4_1_schedule")
    kw = dict(d=30, T=50, sigma=0.3, lam=0)
    repeated = f.evaluate(T0=sc.per_generation([40, 40, 40]), sigma0=sc.per_generation([0.5] * 3), **kw)
    mixed = f.evaluate(T0=sc.per_generation([40, 40, 40]), sigma0=0.5, **kw)
    constant = f.evaluate(T0=40, sigma0=0.5, n=3, **kw)
    assert repeated == pytest.approx(constant, rel=1e-14) and mixed == repeated
    grid = f.evaluate(T0=np.array([40, 60]), sigma0=0.5, n=np.array([[1], [3]]), **kw)
    for i, n in enumerate((1, 3)):
        for k, t0 in enumerate((40, 60)):
            one = f.evaluate(T0=sc.per_generation([t0] * n), sigma0=0.5, **kw)
            assert grid[i, k] == pytest.approx(one, rel=1e-14)
    eigs, w0 = sc.power_law(30, 2.0, 0.5)
    p = sc.predict(eigs, w0, T=50, n=np.array([[1], [3]]), T0=np.array([40, 60]), sigma0=0.5, sigma=0.3)
    np.testing.assert_allclose(p.test_error, grid, rtol=1e-12)
    with pytest.raises(TypeError, match="missing argument"):  # a number needs n
        f.evaluate(T0=40, sigma0=0.5, **kw)
    with pytest.raises(ValueError, match="not a grid"):
        f.evaluate(T0=sc.per_generation([40, 60]), sigma0=np.array([0.1, 0.2]), **kw)
    t46 = sc.formula("theorem_4_6_schedule")
    assert t46.evaluate(d=300, T0=150, n=2, w0_sq=1.0) == pytest.approx(
        t46.evaluate(d=300, T0=sc.per_generation([150, 150]), w0_sq=1.0), rel=1e-14
    )
