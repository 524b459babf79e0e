"""Backends that an upper layer plugs into an object of a lower layer.

Layers import only downward (see ``ARCHITECTURE.md``).  Two objects of the lower layers offer
methods whose work is done higher up: a :class:`~symcollapse.Pipeline` is declared in the
pipeline layer but derived symbolically, evaluated numerically and simulated; a
:class:`~symcollapse.Formula` is derived in the symbolic layer but evaluated numerically and
displayed by the presentation layer.  Such a method asks this registry for its backend by name;
the module that implements the backend registers it when it is imported, and the package's
``__init__`` imports every layer, so the backends are in place whenever ``symcollapse`` is.
The registry is the only path from a lower layer to an upper one, and it holds no import.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["register", "backend", "BACKENDS"]

#: name -> the module expected to register it (for the error message only)
BACKENDS: dict[str, str] = {
    "pipeline.derive": "symcollapse.symbolic.pipeline_derivation",
    "pipeline.predict": "symcollapse.numeric.pipeline_evaluation",
    "pipeline.simulate": "symcollapse.simulation.pipeline_simulation",
    "formula.evaluate": "symcollapse.numeric.formula_evaluation",
    "formula.display": "symcollapse.presentation.export",
}

_REGISTRY: dict[str, Callable[..., Any]] = {}


def register(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """Register ``function`` as the backend ``name`` (one of :data:`BACKENDS`); returns it."""
    if name not in BACKENDS:
        raise ValueError(f"unknown backend {name!r}; choose from {sorted(BACKENDS)}")
    _REGISTRY[name] = function
    return function


def backend(name: str) -> Callable[..., Any]:
    """The backend registered as ``name``; a ``RuntimeError`` naming its module if none is."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise RuntimeError(f"no backend {name!r} is registered: import symcollapse (it imports "
                           f"{BACKENDS.get(name, 'the module that provides it')})") from None
