"""PowerLaw: exact finite-d functionals (direct head + Euler-Maclaurin tail) against direct sums,
the d=None limit, cost independent of d, the closed-form (incomplete Beta) integral, bad input."""

import numpy as np
import pytest
from scipy.special import beta as beta_fn
from scipy.special import betainc

from symcollapse.numeric.power_law import FUNCTIONALS, PowerLaw

CASES = [(1.2, 0.3), (1.2, 1.0), (2.0, 0.375), (2.0, 1.0), (3.0, 0.7), (3.0, 1.5)]
KAPPA = np.logspace(-8, 2, 31)


def direct(beta, r, d, kappa, normalize=False):
    """Direct sums with pairwise (np.sum) summation, one row of kappas at a time."""
    pl = PowerLaw(beta, r, d, normalize=normalize)
    lam, c = pl.eigenvalues(d), pl.w0(d)
    wb = c**2 * lam
    out = {name: np.empty(len(kappa)) for name in FUNCTIONALS}
    for i, k in enumerate(kappa):
        p = lam / (lam + k)
        q2 = (k / (lam + k)) ** 2
        out["df1"][i] = np.sum(p)
        out["df2"][i] = np.sum(p * p)
        out["bias_scaled"][i] = np.sum(q2 * wb)
        out["resolvent_scaled"][i] = np.sum(q2)
    return out


@pytest.mark.parametrize("d", [10**3, 10**4, 10**6])
@pytest.mark.parametrize(("beta", "r"), CASES)
def test_matches_direct_sums(beta, r, d):
    """Relative error < 1e-10 for every functional, kappa in 1e-8..1e2 (measured <= ~5e-14)."""
    kappa = KAPPA if d < 10**6 else KAPPA[::3]
    pl = PowerLaw(beta, r, d, normalize=(r == 1.0))
    got = pl.functionals(kappa)
    ref = direct(beta, r, d, kappa, normalize=(r == 1.0))
    for name in FUNCTIONALS:
        np.testing.assert_allclose(got[name], ref[name], rtol=1e-10, atol=0, err_msg=name)
    est = pl.tail_error_estimate(kappa)
    for name in FUNCTIONALS:
        assert np.all(est[name] <= 1e-13 * got[name]), name


def test_shapes_and_names():
    pl = PowerLaw(2.0, 0.5, 10**5)
    k = np.logspace(-4, 0, 6).reshape(2, 3)
    out = pl.functionals(k, names=("df2",))
    assert list(out) == ["df2"] and out["df2"].shape == (2, 3)
    assert pl.functionals(0.1, names="df1")["df1"].shape == ()


@pytest.mark.parametrize(("beta", "r"), [(1.2, 0.3), (2.0, 1.0), (3.0, 1.5)])
def test_d_none_is_the_limit(beta, r):
    """S(None) - S(d) is the tail sum_{k>d} f(k), sandwiched between closed-form bounds from
    u^-m (1 - m/u) <= (1+u)^-m <= u^-m (u = kappa k^beta >= 100, f decreasing) at d = 10**7,
    with the head summed directly; and finite d -> None monotonically."""
    d = 10**7
    kappa = np.array([1e-4, 1e-2, 1.0, 1e2])
    pn = PowerLaw(beta, r, None)
    names = ("df1", "df2", "bias_scaled")
    inf = pn.functionals(kappa, names)
    ref = direct(beta, r, d, kappa)
    for name in names:
        a, m = pn._shape[name]
        A = pn._amplitude(name, kappa)
        tail = inf[name] - ref[name]

        def upper(x0, a=a, m=m, A=A):  # int_{x0}^inf A x^a (kappa x^beta)^-m
            return A * kappa**-m * x0 ** (a + 1 - beta * m) / (beta * m - a - 1)

        def lower(x0, a=a, m=m, A=A):  # int_{x0}^inf A x^a (kappa x^beta)^-m (1 - m/(kappa x^beta))
            second = A * m * kappa ** (-m - 1) * x0 ** (a + 1 - beta * (m + 1)) / (beta * (m + 1) - a - 1)
            return upper(x0) - second

        assert np.all(kappa * d**beta >= 100)
        slack = 1e-12 * inf[name]
        assert np.all(tail <= upper(float(d)) + slack), name
        assert np.all(tail >= lower(float(d + 1)) - slack), name
    prev = None
    for dd in [10**4, 10**6, 10**9, 10**12]:
        f = PowerLaw(beta, r, dd).functionals(kappa, names)
        gap = np.array([np.max(inf[n] - f[n]) / np.max(inf[n]) for n in names])
        assert np.all(gap >= -1e-13)
        if prev is not None:
            assert np.all(gap <= prev + 1e-13)
        prev = gap


@pytest.mark.parametrize(
    ("beta", "r", "name"),
    [(1.2, 0.3, "df1"), (2.0, 0.375, "df2"), (3.0, 0.7, "bias_scaled"), (1.5, 0.9, "bias_scaled")],
)
def test_integral_is_incomplete_beta(beta, r, name):
    """The tail integral equals A kappa^-p / beta * B(p, m-p) [I_t(p, m-p)] with p = (a+1)/beta,
    t = u/(1+u), u = kappa x^beta (closed form valid for p > 0, m - p > 0)."""
    pl = PowerLaw(beta, r, 10**9)
    a, m = pl._shape[name]
    p = (a + 1) / beta
    assert p > 0 and m - p > 0
    kappa = np.logspace(-6, 1, 8)
    A = pl._amplitude(name, kappa)
    x0, x1 = 1025.0, 1e9
    quad = pl._integral(name, kappa, A, x0, x1)
    u = [kappa * x**beta for x in (x0, x1)]
    t = [v / (1 + v) for v in u]
    s = [1 / (1 + v) for v in u]  # 1 - t without cancellation
    # I_t(p, m-p) differences, on the side without cancellation: 1 - I_t(p, q) = I_{1-t}(q, p)
    diff = np.where(
        t[0] > 0.5,
        betainc(m - p, p, s[0]) - betainc(m - p, p, s[1]),
        betainc(p, m - p, t[1]) - betainc(p, m - p, t[0]),
    )
    closed = A * kappa**-p / beta * beta_fn(p, m - p) * diff
    np.testing.assert_allclose(quad, closed, rtol=1e-11)
    quad_inf = pl._integral(name, kappa, A, x0, None)
    closed_inf = A * kappa**-p / beta * beta_fn(p, m - p) * betainc(m - p, p, s[0])
    np.testing.assert_allclose(quad_inf, closed_inf, rtol=1e-11)


def test_functionals_at_large_d_approach_infinitely_many_modes():
    """d = 1e9 against d = None over 10 decades of kappa: the modes beyond 1e9 change df1 by about
    1e-9/kappa, far below 1e-4 of its value here.  (The cost in d is measured by
    benchmarks/bench_engine.py, not asserted.)"""
    kappa = np.logspace(-8, 2, 200)
    names = ("df1", "df2", "bias_scaled")  # resolvent_scaled grows with d (every mode ~1)
    big = PowerLaw(2.0, 0.375, 10**9).functionals(kappa, names)
    inf = PowerLaw(2.0, 0.375, None).functionals(kappa, names)
    for name in names:
        assert np.all(np.isfinite(big[name])), name
        np.testing.assert_allclose(big[name], inf[name], rtol=1e-4, err_msg=name)


def test_normalize():
    for d in (500, 10**7, None):
        pl = PowerLaw(2.0, 0.375, d, normalize=True)
        n = 10**6 if d is None else min(d, 10**6)
        s = np.sum(pl.eigenvalues(n) * pl.w0(n) ** 2)
        # remaining mass beyond 10**6 is tiny (q = 1 + 2 beta r = 2.5): sum_{k>1e6} k^-2.5 < 1e-9
        assert abs(s - 1) < 1e-8 if d != 500 else abs(s - 1) < 1e-14
    # the bias functional at kappa -> infinity tends to ||w0||_Sigma^2 = 1
    pl = PowerLaw(2.0, 0.375, None, normalize=True)
    assert abs(pl.functionals(1e12, names="bias_scaled")["bias_scaled"] - 1) < 1e-6


def test_prefixes():
    pl = PowerLaw(2.0, 0.25, 10)
    assert pl.eigenvalues(100).shape == (10,)
    np.testing.assert_allclose(pl.w0(3), np.arange(1, 4.0) ** (-pl.delta / 2))
    assert PowerLaw(2.0, 0.25).eigenvalues(7).shape == (7,)


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"beta": 1.0, "r": 0.5}, "beta"),
        ({"beta": 0.5, "r": 0.5}, "beta"),
        ({"beta": "x", "r": 0.5}, "beta"),
        ({"beta": 2.0, "r": 0.0}, "r"),
        ({"beta": 2.0, "r": -1.0}, "r"),
        ({"beta": 2.0, "r": 0.5, "d": 0}, "d"),
        ({"beta": 2.0, "r": 0.5, "d": 2.5}, "d"),
        ({"beta": 2.0, "r": 0.5, "d": "10"}, "d"),
    ],
)
def test_bad_input(kwargs, word):
    with pytest.raises(ValueError, match=rf"\b{word}\b"):
        PowerLaw(**kwargs)


def test_bad_calls():
    with pytest.raises(ValueError, match="resolvent_scaled"):
        PowerLaw(2.0, 0.5).functionals(0.1)
    with pytest.raises(ValueError, match="kappa"):
        PowerLaw(2.0, 0.5, 100).functionals([0.1, 0.0])
    with pytest.raises(ValueError, match="unknown"):
        PowerLaw(2.0, 0.5, 100).functionals(0.1, names=("df3",))
    with pytest.raises(ValueError, match="k_max"):
        PowerLaw(2.0, 0.5, 100).eigenvalues(0)
