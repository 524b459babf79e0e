"""Ridge-regularised generators (``lam0``; kernel chains, paper App. C): the symbolic derivation
against the paper's
printed results in their limits, ``predict`` against an independently typed recursion and against
the Gaussian Monte-Carlo chain, and bad input.

Monte-Carlo allowance (as in ``test_chain_vs_simulation``): k = 4 standard errors plus the known
O(1/size) error of each deterministic equivalent: ``1/min(d, T)`` for the downstream ridge (0 for
ridgeless with T >= d + 2, which is exact) and ``1/min(d, T0)`` for every generator step that is a
deterministic equivalent (a ridge generator, whatever T0, or a minimum-norm one with T0 < d).
Measured when the cases were written (400 repetitions each): |gap| <= 2.3 %, |z| <= 1.9 in every
case, the theory slightly below the simulation on average (as for the clean Prop. 4.2).
"""

import numpy as np
import pytest
import sympy as sp

import symcollapse as sc
from symcollapse.simulation.testing import assert_matches_simulation
from symcollapse.symbolic import symbols as S
from symcollapse.symbolic.functionals import canonical, combine_sums, spectral_equal, spectral_simplify
from symcollapse.symbolic.theory import ridge_generators as R


def _set_generator_moments(expr, mean, cov):
    """Substitute the generator's coefficient moments mu[j] -> mean, s[j] -> cov."""
    expr = expr.replace(
        lambda e: isinstance(e, sp.Indexed) and e.base == R.mu, lambda e: mean.subs(S.j, e.indices[0])
    )
    return expr.replace(
        lambda e: isinstance(e, sp.Indexed) and e.base == R.s, lambda e: cov.subs(S.j, e.indices[0])
    )


def _clean():
    return sc.formula("proposition_4_2_bias").expr + sc.formula("proposition_4_2_variance").expr


def _equal(a, b) -> bool:
    """Spectral identity, with one more pass of merging sums after simplifying the difference."""
    diff = spectral_simplify(combine_sums(canonical(a - b)))
    return diff == 0 or spectral_equal(diff, 0)


# --- the symbolic result in the limits of the paper's --------------------------------------------
def test_n_0_is_proposition_4_2():
    """No generator: mu = w0, s = 0 gives Bias + Var of Proposition 4.2."""
    err = sc.formula("ridge_generator_error").expr
    assert _equal(_set_generator_moments(err, S.coef[S.j], sp.S.Zero), _clean())


def test_sigma0_coefficient_at_n_1_is_eq_18():
    """One generator: the sigma0^2 coefficient is (18) for every kappa0 (so also lam0 -> 0)."""
    one = sc.formula("ridge_generator_one").expr
    rho = sp.expand(one).coeff(S.sigma0, 2)
    assert spectral_equal(rho, sc.formula("rho_general").expr)


def test_kappa0_zero_is_eq_19_with_the_exact_factor():
    """lam0 = 0, T0 >= d (kappa0 = 0): the generator leaves the mean alone (the clean part is
    Prop. 4.2) and the collapse coefficient is (19) as printed (T0 - d); with the exact
    inverse-Wishart mean Sigma^-1/(T0 - d - 1) in place of the generator factor Sigma^-1/(T0 - d)
    it is the catalogue's exact-factor rho_underparameterized."""
    at0 = canonical(sc.formula("ridge_generator_one").expr.subs(S.kappa0, 0))
    rho = sp.expand(at0).coeff(S.sigma0, 2)
    assert spectral_equal(rho, sc.formula("rho_underparameterized_asymptotic").expr)
    factor = sp.factor(canonical(R.generator_noise_factor().subs(S.kappa0, 0)))
    assert sp.simplify(factor - 1 / (S.eig[S.j] * (S.T0 - S.d))) == 0
    exact = rho * (S.T0 - S.d) / (S.T0 - S.d - 1)
    assert spectral_equal(exact, sc.formula("rho_underparameterized").expr)
    assert _equal(at0.subs(S.sigma0, 0), _clean())


def test_isotropic_chain_n_0_and_theorem_4_6():
    """Sigma = I closed form: n = 0 is the isotropic Prop. 4.2; sigma0 = 0, lam0 -> 0+ (kappa0 the
    limit of the isotropic kappa(lam0, T0), T0 < d) and a ridgeless downstream with T >= d + 2
    (kappa = 0) is Theorem 4.6, Delta Bias = (1 - (T0/d)^n) ||w0||^2."""
    iso = sc.formula("ridge_generator_chain_isotropic").expr
    clean = (
        sc.formula("proposition_4_2_bias_isotropic").expr
        + sc.formula("proposition_4_2_variance_isotropic").expr
    )
    assert sp.simplify(iso.subs(S.n, 0) - clean) == 0
    k0 = R.kappa0_isotropic_limit()
    assert sp.simplify(k0 - (S.d / S.T0 - 1)) == 0
    x = sp.Symbol("x", positive=True)  # d = T0 + x > T0
    inc = sp.simplify(
        (iso.subs({S.sigma0: 0, S.kappa0: k0, S.kappa: 0}) - clean.subs(S.kappa, 0)).subs(S.d, S.T0 + x)
    )
    inc = sp.powsimp(sp.powdenest(inc, force=True), force=True)
    inc = inc.replace(lambda p: isinstance(p, sp.Pow) and p.exp == S.n, lambda p: sp.factor(p.base) ** S.n)
    printed = S.w0_sq * (1 - (S.T0 / S.d) ** S.n)  # Theorem 4.6, eta = (T0/d)^n
    assert sp.simplify(inc - printed.subs(S.d, S.T0 + x)) == 0
    assert sp.simplify(inc - sc.formula("theorem_4_6").expr.subs(S.d, S.T0 + x)) == 0


def test_generator_moments_are_the_issue_recursion():
    """The derived maps, written in function space (a = sqrt(l) c), are the kernel-chain recursion:
    mu' = M0 mu, s' = M0^2 s + [g0 sum (mu^2 + s)/(l + kappa0)^2 + sigma0^2/(T0 - df2)] M0^2."""
    l, k0 = S.eig[S.j], S.kappa0
    mean = sc.formula("ridge_generator_mean").expr
    assert sp.simplify(mean - l / (l + k0) * R.mu[S.j]) == 0
    cov = sc.formula("ridge_generator_second_moment").expr
    i = sp.Symbol("i", integer=True, positive=True)
    D0 = S.T0 - sp.Sum(S.eig[i] ** 2 / (S.eig[i] + k0) ** 2, (i, 1, S.d))
    # in weight space: s_w = s_f / l, mu_w = mu_f / sqrt(l); typed independently, in function space
    mu_f, s_f = sp.IndexedBase("muf"), sp.IndexedBase("sf")
    M0 = l / (l + k0)
    inner = sp.Sum((mu_f[i] ** 2 + s_f[i]) / (S.eig[i] + k0) ** 2, (i, 1, S.d))
    issue = M0**2 * s_f[S.j] + (k0**2 / D0 * inner + S.sigma0**2 / D0) * M0**2
    derived = _set_generator_moments(cov, mu_f[S.j] / sp.sqrt(l), s_f[S.j] / l) * l
    derived = derived.replace(
        lambda e: isinstance(e, sp.Sum), lambda e: sp.Sum(e.function.subs(S.j, i), (i, 1, S.d))
    )
    assert sp.simplify(canonical(derived - issue)) == 0 or spectral_equal(derived, issue)


# --- predict: the numeric recursion ------------------------------------------------------------
def issue_recursion(l, a, *, T, lam, n, T0, lam0, sigma, sigma0):
    """The kernel-chain recursion in function space, typed here independently of symcollapse."""
    from scipy.optimize import brentq

    def kappa(lm, size):
        if lm == 0 and size >= l.size:
            return 0.0
        f = lambda k: k - lm - k * np.sum(l / (l + k)) / size  # noqa: E731
        return brentq(f, 1e-14, lm + l.sum() / size + 1, xtol=1e-300, rtol=1e-15)

    def df2(k):
        return np.sum(l**2 / (l + k) ** 2)

    k0 = kappa(lam0, T0)
    M0 = l / (l + k0)
    g0 = k0**2 / (T0 - df2(k0))
    mu, s = a.copy(), np.zeros_like(a)
    for _ in range(n):
        extra = g0 * np.sum((mu**2 + s) / (l + k0) ** 2) + sigma0**2 / (T0 - df2(k0))
        mu, s = M0 * mu, M0**2 * s + extra * M0**2
    k = kappa(lam, T)
    M = l / (l + k)
    W = M**2 + (k**2 * df2(k) / (T - df2(k))) / (l + k) ** 2
    return np.sum(W * mu**2 - 2 * a * M * mu + a**2) + np.sum(W * s) + sigma**2 * df2(k) / (T - df2(k))


@pytest.mark.parametrize(
    ("lam", "T", "T0", "lam0"), [(1e-3, 200, 60, 1e-2), (0.1, 50, 300, 1e-3), (1e-2, 400, 150, 1.0)]
)
def test_predict_equals_the_issue_recursion(lam, T, T0, lam0):
    eigs, w0 = sc.power_law(150, 1.7, 0.4, normalize=True)
    a = w0 * np.sqrt(eigs)
    ns = np.arange(6)
    pred = sc.predict(eigs, w0, T=T, lam=lam, n=ns, T0=T0, sigma=0.3, sigma0=0.5, lam0=lam0)
    typed = [
        issue_recursion(eigs, a, T=T, lam=lam, n=int(k), T0=T0, lam0=lam0, sigma=0.3, sigma0=0.5) for k in ns
    ]
    np.testing.assert_allclose(pred.test_error, typed, rtol=1e-10)


@pytest.mark.parametrize("lam0", [1e-3, 0.05, 1.0])
def test_predict_equals_the_isotropic_closed_form(lam0):
    d, T0, T = 200, 80, np.array([50.0, 150.0, 500.0])
    eigs, w0 = sc.isotropic(d, w0_norm=0.8)
    ns = np.arange(0, 6)[:, None]
    pred = sc.predict(eigs, w0, T=T, lam=0.05, n=ns, T0=T0, sigma=0.3, sigma0=0.4, lam0=lam0)
    kappa0 = float(sc.formula("kappa_isotropic").evaluate(lam=lam0, phi=d / T0))
    closed = sc.formula("ridge_generator_chain_isotropic").evaluate(
        lam=0.05, phi=d / T, d=d, T0=T0, n=ns, w0_sq=0.64, sigma=0.3, sigma0=0.4, kappa0=kappa0
    )
    np.testing.assert_allclose(pred.test_error, closed, rtol=1e-10)


def test_predict_limits():
    """lam0 -> 0 is the least-squares chain (up to its exact finite-size factors on the noise);
    n = 0 ignores lam0; a tiny-ridge generator with T0 >= d has no bias increase."""
    eigs, w0 = sc.power_law(100, 2.0, 0.5, normalize=True)
    kw = dict(T=np.array([50.0, 300.0]), lam=1e-2, sigma=0.3)
    for T0, factor in [(60, (100 - 60) / (100 - 61)), (300, (300 - 100) / (300 - 101))]:
        ls = sc.predict(eigs, w0, n=3, T0=T0, sigma0=0.0, **kw)
        tiny = sc.predict(eigs, w0, n=3, T0=T0, sigma0=0.0, lam0=1e-11, **kw)
        np.testing.assert_allclose(tiny.test_error, ls.test_error, rtol=1e-6)
        noisy_ls = sc.predict(eigs, w0, n=3, T0=T0, sigma0=0.5, **kw)
        noisy = sc.predict(eigs, w0, n=3, T0=T0, sigma0=0.5, lam0=1e-11, **kw)
        noise_ls = noisy_ls.test_error - ls.test_error
        noise = noisy.test_error - tiny.test_error
        np.testing.assert_allclose(noise * factor, noise_ls, rtol=1e-6)
    clean = sc.predict(eigs, w0, n=0, **kw)
    zero = sc.predict(eigs, w0, n=0, T0=60, sigma0=0.5, lam0=0.3, **kw)
    np.testing.assert_array_equal(zero.test_error, clean.test_error)


def test_three_effects_of_ridge_generators():
    """Noise-free generators: the error grows with n (signal shrink); noisy ones add less and
    less per generation (sub-linear collapse); as T -> infinity (lam -> 0) the collapse term
    saturates at the last generator's own test error (the chain of n - 1 generators followed by
    a "downstream" fit with T0, lam0, sigma0)."""
    eigs, w0 = sc.power_law(400, 1.6, 0.3, normalize=True)
    ns = np.arange(9)
    shrink = sc.predict(eigs, w0, T=400, lam=1e-4, n=ns, T0=200, lam0=1e-2).test_error
    assert np.all(np.diff(shrink) > 0)
    noisy = sc.predict(eigs, w0, T=400, lam=1e-4, n=ns, T0=200, sigma0=0.5, lam0=1e-2).test_error
    steps = np.diff(noisy)
    assert np.all(steps > 0) and np.all(np.diff(steps) < 0)
    Ts = np.geomspace(100, 1e7, 11)
    coll = sc.predict(eigs, w0, T=Ts, lam=1e-7, n=4, T0=200, sigma0=0.5, lam0=1e-2).collapse
    own = sc.predict(eigs, w0, T=200, lam=1e-2, n=3, T0=200, sigma=0.5, sigma0=0.5, lam0=1e-2)
    assert np.all(np.diff(coll) > 0)
    assert coll[-1] == pytest.approx(float(own), rel=2e-3)


# --- predict against the Gaussian Monte-Carlo chain ----------------------------------------------
GAUSS = [
    ("iso", dict(T=160, lam=1e-3, n=3, T0=40, sigma0=0.5, sigma=0.2, lam0=1e-2)),
    ("iso", dict(T=60, lam=0.1, n=2, T0=160, sigma0=0.5, sigma=0.1, lam0=0.1)),
    ("iso", dict(T=240, lam=0.0, n=4, T0=60, sigma0=0.0, sigma=0.1, lam0=1e-3)),
    ((2.0, 0.5), dict(T=240, lam=1e-3, n=4, T0=60, sigma0=0.5, sigma=0.1, lam0=1e-3)),
    ((2.0, 0.375), dict(T=60, lam=1e-2, n=2, T0=240, sigma0=0.5, sigma=0.3, lam0=1e-2)),
    ((1.5, 1.0), dict(T=480, lam=1e-3, n=3, T0=90, sigma0=0.3, sigma=0.0, lam0=1e-1)),
    ((2.5, 0.3), dict(T=100, lam=0.0, n=5, T0=60, sigma0=0.5, sigma=0.1, lam0=1e-4)),
    (
        (2.0, 0.5),
        dict(
            T=240, lam=1e-2, n=3, T0=[30, 180, 60], sigma0=[0.5, 0.0, 0.3], sigma=0.1, lam0=[1e-3, 0.0, 1e-2]
        ),
    ),
]


@pytest.mark.parametrize(
    ("spec", "case"), GAUSS, ids=[f"{s}-T{c['T']}-n{c['n']}-lam0{c['lam0']}" for s, c in GAUSS]
)
def test_gaussian_simulation(spec, case):
    d = 80 if spec == "iso" else 120
    eigs, w0 = sc.isotropic(d) if spec == "iso" else sc.power_law(d, *spec, normalize=True)
    kw = {k: (sc.per_generation(v) if np.ndim(v) else v) for k, v in case.items()}
    sim = sc.simulate(eigs, w0, reps=400, seed=case["T"] + case["n"], **kw)
    n = case["n"]
    T0s = case["T0"] if np.ndim(case["T0"]) else [case["T0"]] * n
    lam0s = case["lam0"] if np.ndim(case["lam0"]) else [case["lam0"]] * n
    rel = 0.0 if (case["lam"] == 0 and case["T"] >= d + 2) else 1.0 / min(d, case["T"])
    rel += sum(1.0 / min(d, t) for t, l0 in zip(T0s, lam0s, strict=True) if l0 > 0 or t < d)
    assert_matches_simulation(sc.predict(eigs, w0, **kw), sim, k=4, rel=rel)


# --- bad input -----------------------------------------------------------------------------------
def test_bad_lam0():
    eigs, w0 = sc.isotropic(20)
    with pytest.raises(ValueError, match="lam0 must be >= 0"):
        sc.predict(eigs, w0, T=50, n=1, T0=10, lam0=-1e-3)
    with pytest.raises(ValueError, match="lam0 must be >= 0"):
        sc.simulate(eigs, w0, T=50, n=1, T0=10, lam0=-1e-3, reps=2)
    with pytest.raises(ValueError, match="lam0 has 2 values, one per generator, but n = 3"):
        sc.predict(eigs, w0, T=50, n=3, T0=10, lam0=sc.per_generation([0.1, 0.2]))
    with pytest.raises(ValueError, match="design='independent'"):
        sc.predict(eigs, w0, T=50, n=2, T0=10, lam0=0.1, design="same")
    with pytest.raises(TypeError, match="lam0 must be a number"):
        sc.predict(eigs, w0, T=50, n=2, T0=10, lam0="big")
    # a ridge generator at the interpolation threshold is fine (finite error), least squares is not
    assert np.isfinite(float(sc.predict(eigs, w0, T=50, n=2, T0=20, sigma0=0.3, lam0=1e-2)))
    with pytest.raises(ValueError, match="T0 must be <= d - 2"):
        sc.predict(eigs, w0, T=50, n=2, T0=20, sigma0=0.3)
