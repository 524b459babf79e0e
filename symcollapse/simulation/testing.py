"""Helpers to test a theory against the simulation, for our tests and for users' own formulas.

``assert_matches_simulation(prediction, simulation, k=4, rel=0.0)`` passes when

.. math:: |\\text{prediction} - \\bar x| \\le k\\,\\mathrm{se}(\\bar x) + \\mathrm{rel}\\,|\\text{prediction}|,

where :math:`\\bar x` is the Monte-Carlo mean and :math:`\\mathrm{se}` its standard error.  ``rel``
is an explicit allowance for a *known* deterministic error of the theory (e.g. the
:math:`O(1/d)` finite-size error of deterministic equivalents); keep it 0 for exact identities.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["assert_matches_simulation", "z_score", "compare_samples"]


def _value(prediction: Any) -> float:
    return float(getattr(prediction, "test_error", prediction))


def z_score(prediction: Any, simulation: Any) -> float:
    """(prediction - simulated mean) / standard error."""
    pred = _value(prediction)
    if simulation.stderr <= 0:
        return 0.0 if pred == simulation.mean else float("inf")
    return (pred - simulation.mean) / simulation.stderr


def assert_matches_simulation(prediction: Any, simulation: Any, k: float = 4.0, rel: float = 0.0) -> float:
    """Assert agreement within ``k`` standard errors plus ``rel`` of the value; return ``z``.

    ``prediction`` is a number or an object with ``test_error`` (a :class:`~symcollapse.Prediction`);
    ``simulation`` has ``mean`` and ``stderr`` (a :class:`~symcollapse.SimulationResult`).
    """
    if k < 0 or rel < 0:
        raise ValueError("k and rel must be >= 0")
    pred = _value(prediction)
    gap = abs(pred - simulation.mean)
    allowed = k * simulation.stderr + rel * abs(pred)
    z = z_score(prediction, simulation)
    if not gap <= allowed:
        raise AssertionError(
            f"theory {pred:.6g} vs simulation {simulation.mean:.6g} +- {simulation.stderr:.3g} "
            f"(z = {z:.2f}); allowed {k} standard errors + {rel:.3g} relative = {allowed:.3g}, "
            f"gap {gap:.3g}"
        )
    return z


def _variance_stderr(x: np.ndarray) -> float:
    """Standard error of the sample variance: sqrt((m4 - s^4) / n)."""
    c = x - x.mean()
    return float(np.sqrt(max(np.mean(c**4) - np.mean(c**2) ** 2, 0.0) / x.size))


def compare_samples(a: Any, b: Any) -> dict[str, float]:
    """Two samples (e.g. the per-repetition errors of two simulators) compared in distribution:
    ``z_mean`` and ``z_var`` (the differences of means and of variances over their standard
    errors), the two-sample Kolmogorov-Smirnov p-value ``ks_p``, and the k-sample
    Anderson-Darling statistic ``ad_stat`` with its p-value ``ad_p`` (scipy caps it to
    [0.001, 0.25])."""
    import warnings

    from scipy import stats

    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    z_mean = (a.mean() - b.mean()) / np.hypot(
        a.std(ddof=1) / np.sqrt(a.size), b.std(ddof=1) / np.sqrt(b.size)
    )
    z_var = (a.var(ddof=1) - b.var(ddof=1)) / np.hypot(_variance_stderr(a), _variance_stderr(b))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ad = stats.anderson_ksamp([a, b])
    return dict(
        z_mean=float(z_mean),
        z_var=float(z_var),
        ks_p=float(stats.ks_2samp(a, b).pvalue),
        ad_stat=float(ad.statistic),
        ad_p=float(ad.pvalue),
    )
