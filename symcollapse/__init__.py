"""symcollapse: the theory of model collapse in high-dimensional regression.

Derive (SymPy), export (LaTeX) and evaluate (NumPy) the formulas of Dohmatob, Feng & Kempe,
"Model Collapse Demystified: The Case of Regression" (2024), each checked against a Monte-Carlo
simulation of the fake-data chain.

>>> import symcollapse as sc
>>> sc.formula("theorem_4_1_exact").expr
d*n*sigma0**2/(T0 - d - 1) + d*sigma**2/(T - d - 1)
"""

import numpy as np

from symcollapse import _validation, pipeline
from symcollapse._version import __version__

# The package is the composition root: it imports every layer, bottom to top, so the backends
# of symcollapse._hooks are registered whenever symcollapse is imported (see ARCHITECTURE.md).
# The modules that register a backend are imported by name (``as _...``) or publicly (export).
from symcollapse.numeric import formula_evaluation as _formula_evaluation  # noqa: F401
from symcollapse.numeric import pipeline_evaluation as _pipeline_evaluation  # noqa: F401
from symcollapse.numeric.optimal import OptimalRidge, optimal_lambda, ridge_recipe
from symcollapse.numeric.power_law import PowerLaw
from symcollapse.numeric.prediction import Prediction, predict
from symcollapse.numeric.spectra import isotropic, power_law
from symcollapse.numeric.thresholds import null_predictor_generations
from symcollapse.pipeline import Block, Fit, PerGeneration, Pipeline, Reuse, per_generation, workflows
from symcollapse.presentation import export
from symcollapse.simulation import kernels, testing
from symcollapse.simulation import pipeline_simulation as _pipeline_simulation  # noqa: F401
from symcollapse.simulation.monte_carlo import SimulationResult, simulate
from symcollapse.simulation.sweep import sweep
from symcollapse.symbolic import pipeline_derivation as _pipeline_derivation  # noqa: F401
from symcollapse.symbolic import scaling, symbols
from symcollapse.symbolic.catalogue import formula, formulas
from symcollapse.symbolic.errata import errata
from symcollapse.symbolic.formula import Condition, Formula, Step

__all__ = [
    # numbers
    "predict", "Prediction", "per_generation", "PerGeneration", "simulate", "SimulationResult",
    "sweep", "optimal_lambda", "OptimalRidge", "ridge_recipe", "null_predictor_generations", "ridge_alpha",
    # spectra
    "PowerLaw", "isotropic", "power_law",
    # formulas
    "formula", "formulas", "Formula", "Condition", "Step", "errata",
    # pipelines
    "Pipeline", "Fit", "Block", "Reuse",
    # modules
    "symbols", "scaling", "export", "testing", "kernels", "pipeline", "workflows",
    "__version__",
]


def ridge_alpha(lam: float, T: float) -> float:
    """scikit-learn's ``Ridge(alpha)`` for our per-sample ``lam``: ``alpha = lam * T``."""
    lam_ = _validation.nonnegative(lam, "lam")
    T_ = _validation.sample_size(T, "T")
    out = lam_ * T_
    return float(out) if np.ndim(out) == 0 else out
