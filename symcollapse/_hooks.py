"""Backends that an upper layer plugs into an object of a lower layer.

Layers import only downward (see ``ARCHITECTURE.md``).  Two objects of the lower layers offer
methods whose work is done higher up: a :class:`~symcollapse.Pipeline` is declared in the
pipeline layer but derived symbolically, evaluated numerically and simulated; a
:class:`~symcollapse.Formula` is derived in the symbolic layer but evaluated numerically and
displayed by the presentation layer.  Such a method asks this registry for its backend by one of
the :data:`NAMES`.

Who provides a backend is decided by the composition root, the package's ``__init__`` (which
Python runs before any of its submodules, whatever the route to them): it :func:`declare`\\ s, for
each name, the module that implements it, and that module :func:`register`\\ s the function when
it is imported.  The first :func:`backend` call for a name whose module has not been imported
yet imports it by the declared path, so a backend (and whatever it drags, such as SymPy) is
loaded only when it is first used.  The registry is the only path from a lower layer to an upper
one; it names no module itself and holds no import statement of one.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

__all__ = ["NAMES", "BACKENDS", "declare", "register", "backend"]

#: the backends a lower-layer object may ask for
NAMES = frozenset(
    {"pipeline.derive", "pipeline.predict", "pipeline.simulate", "formula.evaluate", "formula.display"}
)

#: name -> the module that provides it, as declared by the composition root
BACKENDS: dict[str, str] = {}

_REGISTRY: dict[str, Callable[..., Any]] = {}


def _known(name: str) -> None:
    if name not in NAMES:
        raise ValueError(f"unknown backend {name!r}; choose from {sorted(NAMES)}")


def declare(name: str, module: str) -> None:
    """Declare ``module`` (a dotted path) as the provider of the backend ``name``."""
    _known(name)
    BACKENDS[name] = module


def register(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """Register ``function`` as the backend ``name`` (one of :data:`NAMES`); returns it."""
    _known(name)
    _REGISTRY[name] = function
    return function


def backend(name: str) -> Callable[..., Any]:
    """The backend ``name``, importing its declared module on first use; a ``RuntimeError``
    naming the module if it provides none."""
    try:
        return _REGISTRY[name]
    except KeyError:
        pass
    _known(name)
    module = BACKENDS.get(name)
    if module is None:
        raise RuntimeError(
            f"no module is declared to provide the backend {name!r}: import "
            f"symcollapse (its __init__ declares them)"
        )
    importlib.import_module(module)
    if name not in _REGISTRY:
        raise RuntimeError(f"{module} was imported but registered no backend {name!r}")
    return _REGISTRY[name]
