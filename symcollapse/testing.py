"""Helpers to test a theory against the simulation, for our tests and for users' own formulas.

``assert_matches_simulation(prediction, simulation, k=4, rel=0.0)`` passes when

.. math:: |\\text{prediction} - \\bar x| \\le k\\,\\mathrm{se}(\\bar x) + \\mathrm{rel}\\,|\\text{prediction}|,

where :math:`\\bar x` is the Monte-Carlo mean and :math:`\\mathrm{se}` its standard error.  ``rel``
is an explicit allowance for a *known* deterministic error of the theory (e.g. the
:math:`O(1/d)` finite-size error of deterministic equivalents); keep it 0 for exact identities.
"""

from __future__ import annotations

from typing import Any

__all__ = ["assert_matches_simulation", "z_score"]


def _value(prediction: Any) -> float:
    return float(getattr(prediction, "test_error", prediction))


def z_score(prediction: Any, simulation: Any) -> float:
    """(prediction - simulated mean) / standard error."""
    pred = _value(prediction)
    if simulation.stderr <= 0:
        return 0.0 if pred == simulation.mean else float("inf")
    return (pred - simulation.mean) / simulation.stderr


def assert_matches_simulation(prediction: Any, simulation: Any, k: float = 4.0,
                              rel: float = 0.0) -> float:
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
            f"gap {gap:.3g}")
    return z
