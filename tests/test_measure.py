"""Spectral measures (symcollapse.numeric.measure): one fixed set of nodes and weights sums every
admissible summand.  Checked against direct sums over d = 10**6 explicit modes, against
PowerLaw.functionals and 30-digit mpmath references for d = None, exactly for explicit arrays;
node counts bounded independently of d; the error estimate."""

from functools import cache

import mpmath as mp
import numpy as np
import pytest

from symcollapse.numeric.measure import SpectralMeasure, spectral_measure, spectral_sum
from symcollapse.numeric.power_law import PowerLaw

BETAS = (1.05, 1.5, 2.0, 3.0)
RS = (0.25, 0.5, 1.0)
KAPPA = np.logspace(-10, 3, 14)
D = 10**6
TOL = 1e-10  # required; measured worst relative error 7.3e-15 (see the module docstring)


def df1(l, c2, k):
    return l / (l + k)


def df2(l, c2, k):
    return (l / (l + k)) ** 2


def bias(l, c2, k):
    return c2 * l / (l + k) ** 2


def resolvent(l, c2, k):
    return 1.0 / (l + k) ** 2


def product(l, c2, k):  # two factors, poles at l = -k and l = -30 k
    return l / (l + k) * l / (l + 30.0 * k)


def c2_product(l, c2, k):  # c2 times factors with poles at l = -k (double) and -k/10
    return c2 * l / (l + k) ** 2 * (0.1 * k) / (l + 0.1 * k)


def inverse(l, c2, k):  # 1/l (grows like x**beta), broadcast against kappa
    return 1.0 / l + 0.0 * k


PLAIN = {"df1": df1, "df2": df2, "resolvent": resolvent, "product": product, "inverse": inverse}
WITH_C2 = {"bias": bias, "c2_product": c2_product}


def _direct(summand, lam, c2):
    """Direct (pairwise) sums over every mode, a few kappas at a time."""
    out = np.empty(KAPPA.size)
    for s in range(0, KAPPA.size, 4):
        k = KAPPA[s : s + 4, None]
        out[s : s + 4] = np.sum(summand(lam, c2, k), axis=-1)
    return out


@cache
def direct_plain(beta):
    lam = PowerLaw(beta, 1.0, D).eigenvalues(D)
    return {name: _direct(f, lam, None) for name, f in PLAIN.items()}


@cache
def direct_c2(beta, r):
    pl = PowerLaw(beta, r, D)
    lam, c = pl.eigenvalues(D), pl.w0(D)
    return {name: _direct(f, lam, c * c) for name, f in WITH_C2.items()}


def rel_err(got, ref):
    return np.max(np.abs(got / ref - 1.0))


# ------------------------------------------------------------------ finite d = 10**6
@pytest.mark.parametrize("beta", BETAS)
def test_matches_direct_sums_d_1e6(beta):
    """Every summand, r in (0.25, 0.5, 1), normalize False/True, kappa in 1e-10..1e3, kappa_min
    1e-10 and None (every kappa > 0): relative error < 1e-10 (measured <= 7.3e-15).

    With ``normalize`` the coefficients are w0 * s for a constant s, so the reference of a c2
    summand is s**2 times the direct sum with s = 1 (s read off PowerLaw.w0)."""
    worst = 0.0
    plain = direct_plain(beta)
    for r in RS:
        with_c2 = direct_c2(beta, r)
        for normalize in (False, True):
            pl = PowerLaw(beta, r, D, normalize=normalize)
            s2 = (pl.w0(1)[0] / PowerLaw(beta, r, D).w0(1)[0]) ** 2
            for kappa_min in (1e-10, None):
                m = spectral_measure(pl, kappa_min=kappa_min)
                assert not m.exact and m.d == D and m.size < 600
                for name, f in PLAIN.items():
                    err = rel_err(spectral_sum(m, f, KAPPA), plain[name])
                    assert err < TOL, (name, r, normalize, kappa_min, err)
                    worst = max(worst, err)
                for name, f in WITH_C2.items():
                    err = rel_err(spectral_sum(m, f, KAPPA), s2 * with_c2[name])
                    assert err < TOL, (name, r, normalize, kappa_min, err)
                    worst = max(worst, err)
    assert worst < 1e-12  # measured 7.3e-15: a regression guard with margin


# ------------------------------------------------------------------ d = None
@pytest.mark.parametrize("beta", BETAS)
def test_d_none_matches_power_law_functionals(beta):
    """df1, df2 and bias_scaled (kappa^2 sum c2 l/(l+kappa)^2) against PowerLaw.functionals (exact
    head + Euler-Maclaurin with closed-form derivatives): relative error < 1e-10 (measured <= 7.3e-15);
    and resolvent_scaled at d = 10**9."""
    for r in RS:
        for normalize in (False, True):
            pl = PowerLaw(beta, r, None, normalize=normalize)
            m = spectral_measure(pl, kappa_min=1e-10)
            ref = pl.functionals(KAPPA, ("df1", "df2", "bias_scaled"))
            assert rel_err(spectral_sum(m, df1, KAPPA), ref["df1"]) < TOL
            assert rel_err(spectral_sum(m, df2, KAPPA), ref["df2"]) < TOL
            assert rel_err(KAPPA**2 * spectral_sum(m, bias, KAPPA), ref["bias_scaled"]) < TOL
    pl = PowerLaw(beta, 0.5, 10**9)
    m = spectral_measure(pl, kappa_min=1e-10)
    ref = pl.functionals(KAPPA, ("resolvent_scaled",))["resolvent_scaled"]
    assert rel_err(KAPPA**2 * spectral_sum(m, resolvent, KAPPA), ref) < TOL


def test_d_none_closed_form_beta_2():
    r"""\sum_{k\ge1} 1/(1+\kappa k^2) = (\pi\kappa^{-1/2}\coth(\pi\kappa^{-1/2}) - 1)/2."""
    m = spectral_measure(PowerLaw(2.0, 0.5, None), kappa_min=1e-10)
    a = np.pi / np.sqrt(KAPPA)
    exact = 0.5 * (a / np.tanh(a) - 1.0)
    assert rel_err(spectral_sum(m, df1, KAPPA), exact) < 1e-13


def _mp_reference(beta, r, h, b, n_head=4000, terms=40):
    r"""\sum_{k\ge1} (c_k^2)^b h(k^{-\beta}) at 30 digits: the first n_head terms directly, the rest
    by the Taylor series of h at l = 0 against Hurwitz zeta, \sum_j h_j \zeta(\beta j + b\delta, N+1)
    (converges geometrically when N^{-\beta} is well inside the radius, the smallest kappa)."""
    with mp.workdps(30):
        beta, r = mp.mpf(beta), mp.mpf(r)
        delta = 1 + beta * (2 * r - 1)
        head = mp.fsum(mp.mpf(k) ** (-b * delta) * h(mp.mpf(k) ** -beta) for k in range(1, n_head + 1))
        coeffs = mp.taylor(h, 0, terms)
        tail = mp.fsum(
            cj * mp.zeta(beta * j + b * delta, n_head + 1) for j, cj in enumerate(coeffs) if cj != 0
        )
        last = abs(coeffs[-1]) * mp.zeta(beta * terms + b * delta, n_head + 1)
        assert last < mp.mpf(10) ** -28 * abs(head + tail)
        return head + tail


@pytest.mark.parametrize(
    ("beta", "r", "kappa", "which"),
    [
        (1.05, 0.25, 1e-2, "df1"),  # slowest decay (x**-0.05 after the x**-beta mode sum)
        (1.5, 0.5, 1e-3, "df1"),
        (2.0, 1.0, 1e-3, "c2_product"),
    ],
)
def test_d_none_mpmath(beta, r, kappa, which):
    """30-digit references (mpmath; plain mpmath.nsum is unreliable on these slowly converging
    series with a late transition: it is off by 7e-1 for df1 at beta=1.5, kappa=1e-3).  Measured
    relative error ~1e-16."""
    k = mp.mpf(kappa)
    if which == "df1":
        ref = _mp_reference(beta, r, lambda l: l / (l + k), 0)
        f = df1
    else:
        ref = _mp_reference(beta, r, lambda l: l / (l + k) ** 2 * (k / 10) / (l + k / 10), 1)
        f = c2_product
    m = spectral_measure(PowerLaw(beta, r, None), kappa_min=1e-8)
    got = spectral_sum(m, f, kappa)
    assert abs(got / float(ref) - 1.0) < 1e-13


# ------------------------------------------------------------------ node counts
@pytest.mark.parametrize("beta", BETAS)
def test_node_count_bounded_independent_of_d(beta):
    """d = 10**3: explicit (1000 nodes).  d = 10**9 .. 10**18 and None with kappa_min = 1e-12: at
    most 1.5 x 1000 nodes (measured 256-464); the count saturates as d grows (it only grows while
    l(d) = d**-beta is above kappa_min / 1e3, plus a few geometric panels)."""
    small = spectral_measure(PowerLaw(beta, 0.5, 10**3))
    assert small.exact and small.size == 1000
    sizes = [
        spectral_measure(PowerLaw(beta, 0.5, d), kappa_min=1e-12).size
        for d in (10**9, 10**12, 10**15, 10**18, None)
    ]
    assert max(sizes) <= 1.5 * small.size
    assert max(sizes) <= 2 * min(sizes)
    assert abs(sizes[3] - sizes[2]) <= 3 * 16  # d = 10**15 vs 10**18: <= 3 panels
    # fewer nodes for a larger kappa_min (about 17 per decade of kappa_min)
    assert spectral_measure(PowerLaw(beta, 0.5, None), kappa_min=1e-6).size < sizes[-1]


# ------------------------------------------------------------------ explicit arrays
def test_explicit_arrays_are_direct_sums():
    rng = np.random.default_rng(0)
    lam = np.sort(rng.uniform(1e-6, 2.0, 500))[::-1]
    w0 = rng.normal(size=500)
    m = spectral_measure(lam, w0)
    assert m.exact and m.d == 500 and m.size == 500
    assert np.array_equal(m.eigenvalues, lam) and np.array_equal(m.c2, w0**2)
    assert np.array_equal(m.weights, np.ones(500))
    for f in (*PLAIN.values(), *WITH_C2.values()):
        assert np.array_equal(spectral_sum(m, f, KAPPA), f(lam, w0**2, KAPPA[:, None]).sum(axis=-1))
        assert np.all(m.error_estimate(f, KAPPA) <= 1e-14 * np.abs(spectral_sum(m, f, KAPPA)) + 1e-300)
    # a small power law is explicit too
    pl = PowerLaw(2.0, 0.75, 1500, normalize=True)
    mp_ = spectral_measure(pl)
    assert mp_.exact and np.array_equal(mp_.eigenvalues, pl.eigenvalues(1500))
    assert np.array_equal(mp_.c2, pl.w0(1500) ** 2)


def test_shapes_and_broadcasting():
    m = spectral_measure(PowerLaw(2.0, 0.5, None))
    k = np.logspace(-4, 0, 6).reshape(2, 3)
    assert spectral_sum(m, df1, k).shape == (2, 3)
    assert np.ndim(spectral_sum(m, df1, 0.1)) == 0
    # two broadcasting arguments: one kappa per row, one per column
    two = spectral_sum(m, lambda l, c2, a, b: l / (l + a) * l / (l + b), k[:, :1], k[:1, :])
    assert two.shape == (2, 3)
    assert np.isclose(two[1, 2], spectral_sum(m, lambda l, c2: l / (l + k[1, 0]) * l / (l + k[0, 2])))
    vals = df1(m.eigenvalues, m.c2, k[..., None])
    assert np.array_equal(m.sum(vals), vals @ m.weights)


def test_the_head_is_the_power_law():
    pl = PowerLaw(1.5, 0.3, None, normalize=True)
    m = spectral_measure(pl)
    n = 100
    assert np.allclose(m.eigenvalues[:n], pl.eigenvalues(n), rtol=1e-15)
    assert np.allclose(m.c2[:n], pl.w0(n) ** 2, rtol=1e-14)
    assert np.all(m.weights[:n] == 1.0) and m.d is None and not m.exact


# ------------------------------------------------------------------ error estimate
def test_error_estimate():
    """Bounds the actual error (d = 10**6 reference); small (< 1e-8 relative) for kappa >=
    kappa_min; large when kappa is far below kappa_min (the panels there are too coarse)."""
    beta = 2.0
    pl = PowerLaw(beta, 0.5, D)
    m = spectral_measure(pl, kappa_min=1e-10)
    ref = {**direct_plain(beta), **direct_c2(beta, 0.5)}
    for name, f in {**PLAIN, **WITH_C2}.items():
        got = spectral_sum(m, f, KAPPA)
        est = m.error_estimate(f, KAPPA)
        # (the reference's own rounding error, ~1e-15 relative, is allowed for)
        assert np.all(np.abs(got - ref[name]) <= est + 1e-14 * np.abs(ref[name])), name
        assert np.all(est <= 1e-8 * np.abs(ref[name])), name
    infinite = PowerLaw(beta, 0.5, None)
    coarse = spectral_measure(infinite, kappa_min=1e-3)
    kappa = np.array([1e-10])
    got = spectral_sum(coarse, df1, kappa)
    est = coarse.error_estimate(df1, kappa)
    exact = infinite.functionals(kappa, ("df1",))["df1"]
    assert abs(got - exact)[0] > 1e-12 * exact[0]  # kappa_min too large: visible error ...
    assert est[0] >= abs(got - exact)[0]  # ... and the estimate says so


# ------------------------------------------------------------------ input checks
def test_bad_input():
    pl = PowerLaw(2.0, 0.5, None)
    with pytest.raises(TypeError):
        spectral_measure(pl, np.ones(3))
    with pytest.raises(ValueError):
        spectral_measure(pl, kappa_min=0.0)
    with pytest.raises(ValueError):
        spectral_measure(pl, rtol=0.0)
    with pytest.raises(ValueError):
        spectral_measure(np.array([1.0, -1.0]), np.ones(2))
    with pytest.raises(ValueError):
        spectral_measure(np.ones(3), np.ones(2))
    m = spectral_measure(pl)
    with pytest.raises(ValueError):
        m.sum(np.ones(m.size + 1))
    with pytest.raises(ValueError):
        m.weights[0] = 2.0  # read-only
    with pytest.raises(ValueError):
        SpectralMeasure(np.ones(2), np.ones(3), np.ones(2), d=2, exact=True)
