"""Chains of least-squares fits with kappa = 0 carry their state low-rank (``LowRankState``): the
results equal the general path (materialised (settings x nodes) arrays) to 1e-12."""

import numpy as np
import pytest

import symcollapse as sc
from symcollapse.numeric import pipeline_evaluation as pe
from symcollapse.numeric.low_rank_state import LowRankState

PARTS = ("test_error", "bias", "variance", "collapse", "kappa")


def _both(monkeypatch, *args, **kwargs):
    """predict with the low-rank state, then with the general path; and how many LowRankState
    states the first built."""
    built = []
    real_init = LowRankState.__init__

    def counting(self, terms, pool):
        built.append(1)
        real_init(self, terms, pool)

    with monkeypatch.context() as m:
        m.setattr(LowRankState, "__init__", counting)
        fast = sc.predict(*args, **kwargs)
    real_backend = pe.NumericBackend.__init__

    def general(self, *a, **k):
        k["low_rank"] = False
        real_backend(self, *a, **k)

    with monkeypatch.context() as m:
        m.setattr(pe.NumericBackend, "__init__", general)
        m.setattr(LowRankState, "__init__", counting)
        n_fast = len(built)
        slow = sc.predict(*args, **kwargs)
        assert len(built) == n_fast  # the general path builds none
    return fast, slow, n_fast


def _assert_equal(fast, slow):
    for name in PARTS:
        a, b = np.asarray(getattr(fast, name)), np.asarray(getattr(slow, name))
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=0, err_msg=name)


EIGS, W0 = sc.power_law(200, beta=2, r=0.375)
N = np.array([0, 1, 2, 5]).reshape(-1, 1, 1)
T = np.array([50.0, 150.0, 2000.0]).reshape(1, 1, -1)


@pytest.mark.parametrize(
    "kwargs, low_rank",
    [
        (dict(n=N, T0=np.array([300.0, 1e4]).reshape(1, -1, 1), T=T, lam=1e-3), True),
        (dict(n=N, T0=np.array([300.0, 1e4]).reshape(1, -1, 1), T=T, lam=0.0), True),
        (dict(n=0, T0=500.0, T=T, lam=1e-3), False),  # n = 0: no generator
        (dict(n=np.array([0, 3]).reshape(-1, 1, 1), T0=500.0, T=T, lam=1e-3), True),
        # mixed: some generators over-parameterised (kappa > 0), some under
        (dict(n=N, T0=np.array([50.0, 150.0, 300.0, 1e4]).reshape(1, -1, 1), T=T, lam=1e-3), None),
        (dict(n=N, T0=np.array([300.0, 1e4]).reshape(1, -1, 1), T=T, lam=1e-3, design="same"), True),
        (dict(n=3, T0=sc.per_generation([300, 900, 5000]), T=T, lam=1e-3), True),
        (
            dict(
                n=3,
                T0=sc.per_generation([300, 100, 5000]),
                sigma0=sc.per_generation([0.5, 0.2, 1.0]),
                T=T,
                lam=1e-3,
            ),
            None,
        ),
        (dict(n=2, T0=sc.per_generation([300, 900]), sigma0=sc.per_generation([0.0, 0.7]), T=T), True),
    ],
)
def test_low_rank_state_equals_general_path(monkeypatch, kwargs, low_rank):
    kwargs = dict(dict(sigma=0.5, sigma0=0.5), **kwargs)
    fast, slow, built = _both(monkeypatch, EIGS, W0, **kwargs)
    _assert_equal(fast, slow)
    if low_rank is not None:
        assert (built > 0) == low_rank


def test_low_rank_state_on_a_power_law_measure(monkeypatch):
    pl = sc.PowerLaw(2, 0.375, d=300)
    T0 = np.array([400.0, 3000.0]).reshape(-1, 1)
    fast, slow, built = _both(monkeypatch, pl, T=np.array([30.0, 1e4]), n=3, T0=T0, sigma=0.5, sigma0=0.5)
    assert built > 0
    _assert_equal(fast, slow)


def test_low_rank_arithmetic_is_exact_and_drops_exact_zeros():
    pool: dict = {}
    v = np.array([1.0, 2.0, 4.0])
    s = np.array([0.5, 3.0]).reshape(2, 1, 1)
    a = LowRankState.of(v, pool) * s
    b = LowRankState.of(v.copy(), pool) * 2.0  # equal vectors merge into one term
    assert len((a + b).terms) == 1
    np.testing.assert_array_equal((a + b).materialise(), s * v + 2.0 * v)
    np.testing.assert_array_equal((a * v).materialise(), s * (v * v))
    assert not (LowRankState.of(np.zeros(3), pool) * s).terms  # 0 * finite is dropped
    assert LowRankState([(np.float64(0.0), np.array([np.inf, 1.0, 1.0]))], pool).terms  # 0 * inf
    full = np.arange(6.0).reshape(2, 1, 3)
    np.testing.assert_array_equal(a * full, (s * v) * full)  # per-setting vectors: materialised
