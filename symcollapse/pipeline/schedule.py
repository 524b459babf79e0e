r"""The one schedule convention: ``per_generation([...])`` is one value per generator; a plain
number is the same value for every generator; a plain array is a *grid* of settings (broadcast).

The same value means the same thing in :func:`~symcollapse.predict`, :func:`~symcollapse.simulate`,
:func:`~symcollapse.optimal_lambda`, :meth:`Formula.evaluate <symcollapse.Formula.evaluate>`,
:func:`symcollapse.workflows.replace` and the command line.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from symcollapse._validation import as_float_array

__all__ = ["PerGeneration", "per_generation", "is_schedule", "expand"]


class PerGeneration(tuple):
    """A per-generation schedule (one value per generator, m = 0..n-1) for ``T0``, ``sigma0`` or
    ``lam0``: ``sc.predict(..., n=3, T0=sc.per_generation([600, 900, 1200]))``.  A plain array is
    a grid of settings, not a schedule."""

    def __repr__(self) -> str:
        return f"per_generation({list(self)!r})"


def per_generation(values: Any) -> PerGeneration:
    """Wrap ``values`` (a 1-D sequence of finite numbers) as a per-generation schedule.

    >>> import symcollapse as sc
    >>> sc.per_generation([600, 900, 1200])
    per_generation([600.0, 900.0, 1200.0])
    """
    if isinstance(values, (str, bytes)) or np.ndim(values) != 1:
        raise ValueError(
            f"a per-generation schedule must be a 1-D sequence, one value per generator, got {values!r}"
        )
    arr = as_float_array(values, "a per-generation schedule")
    return PerGeneration(float(x) for x in arr)


def is_schedule(value: Any) -> bool:
    return isinstance(value, PerGeneration)


def expand(value: Any, name: str, n: int) -> list[Any]:
    """One entry per generator: a schedule must have ``n`` values; anything else is repeated."""
    if isinstance(value, PerGeneration):
        if len(value) != n:
            raise ValueError(f"{name} = {value!r} has {len(value)} values, one per generator, but n = {n}")
        return list(value)
    return [value] * n
