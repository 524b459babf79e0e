"""symcollapse: the theory of model collapse in high-dimensional regression.

Derive (SymPy), export (LaTeX) and evaluate (NumPy) the formulas of Dohmatob, Feng & Kempe,
"Model Collapse Demystified: The Case of Regression" (2024), each checked against a Monte-Carlo
simulation of the fake-data chain.

>>> import symcollapse as sc
>>> sc.formula("theorem_4_1_exact").expr
d*n*sigma0**2/(T0 - d - 1) + d*sigma**2/(T - d - 1)
"""

import importlib

import numpy as np

from symcollapse import _hooks, _validation, pipeline
from symcollapse._version import __version__

# The pipeline, numeric and simulation layers (NumPy and SciPy only) are imported eagerly.
from symcollapse.numeric.optimal import OptimalRidge, optimal_lambda, ridge_recipe
from symcollapse.numeric.power_law import PowerLaw
from symcollapse.numeric.prediction import Prediction, predict
from symcollapse.numeric.spectra import isotropic, power_law
from symcollapse.numeric.thresholds import null_predictor_generations
from symcollapse.pipeline import Block, Fit, PerGeneration, Pipeline, Reuse, per_generation, workflows
from symcollapse.simulation import kernels, testing
from symcollapse.simulation.monte_carlo import SimulationResult, simulate
from symcollapse.simulation.sweep import sweep

# The package is the composition root (see ARCHITECTURE.md).  It declares which module provides
# each backend of symcollapse._hooks; a backend's module is imported on the backend's first use,
# so that a Formula or Pipeline reached by any route finds it, and nothing is loaded before it is
# needed (the symbolic and presentation layers import SymPy).
_BACKENDS = {
    "pipeline.derive": "symcollapse.symbolic.pipeline_derivation",
    "pipeline.predict": "symcollapse.numeric.pipeline_evaluation",
    "pipeline.simulate": "symcollapse.simulation.pipeline_simulation",
    "formula.evaluate": "symcollapse.numeric.formula_evaluation",
    "formula.display": "symcollapse.presentation.export",
}
for _name, _module in _BACKENDS.items():
    _hooks.declare(_name, _module)
del _name, _module

# The names of the symbolic and presentation layers (which import SymPy) are imported on first
# access (PEP 562): public name -> (module, attribute; None for the module itself).
_LAZY = {
    "formula": ("symcollapse.symbolic.catalogue", "formula"),
    "formulas": ("symcollapse.symbolic.catalogue", "formulas"),
    "Formula": ("symcollapse.symbolic.formula", "Formula"),
    "Condition": ("symcollapse.symbolic.formula", "Condition"),
    "Step": ("symcollapse.symbolic.formula", "Step"),
    "errata": ("symcollapse.symbolic.errata", "errata"),
    "scaling": ("symcollapse.symbolic.scaling", None),
    "symbols": ("symcollapse.symbolic.symbols", None),
    "export": ("symcollapse.presentation.export", None),
}

__all__ = [
    # numbers
    "predict",
    "Prediction",
    "per_generation",
    "PerGeneration",
    "simulate",
    "SimulationResult",
    "sweep",
    "optimal_lambda",
    "OptimalRidge",
    "ridge_recipe",
    "null_predictor_generations",
    "ridge_alpha",
    # spectra
    "PowerLaw",
    "isotropic",
    "power_law",
    # formulas
    "formula",
    "formulas",
    "Formula",
    "Condition",
    "Step",
    "errata",
    # pipelines
    "Pipeline",
    "Fit",
    "Block",
    "Reuse",
    # modules
    "symbols",
    "scaling",
    "export",
    "testing",
    "kernels",
    "pipeline",
    "workflows",
    "__version__",
]


def ridge_alpha(lam: float, T: float) -> float:
    """scikit-learn's ``Ridge(alpha)`` for our per-sample ``lam``: ``alpha = lam * T``."""
    lam_ = _validation.nonnegative(lam, "lam")
    T_ = _validation.sample_size(T, "T")
    out = lam_ * T_
    return float(out) if np.ndim(out) == 0 else out


def __getattr__(name: str):
    """The lazily imported public names (see ``_LAZY``), imported on first access."""
    try:
        module, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = importlib.import_module(module)
    if attribute is not None:
        value = getattr(value, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
