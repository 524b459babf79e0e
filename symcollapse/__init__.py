"""symcollapse: the theory of model collapse in high-dimensional regression.

Derive (SymPy), export (LaTeX) and evaluate (NumPy) the formulas of Dohmatob, Feng & Kempe,
"Model Collapse Demystified: The Case of Regression" (2024), each checked against a Monte-Carlo
simulation of the fake-data chain.

>>> import symcollapse as sc
>>> sc.formula("theorem_4_1_exact").expr
d*n*sigma0**2/(T0 - d - 1) + d*sigma**2/(T - d - 1)
"""

import numpy as np

from . import export, kernels, pipeline, scaling, symbols, testing
from .catalogue import formula, formulas
from .errata import errata
from .formula import Condition, Formula, Step
from .optimal import OptimalRidge, optimal_lambda, ridge_recipe
from .pipeline import Block, Fit, Pipeline, Reuse, workflows
from .power_law import PowerLaw
from .predict import PerGeneration, Prediction, per_generation, predict
from .simulate import SimulationResult, simulate
from .spectrum import isotropic, power_law
from .sweep import sweep
from .thresholds import null_predictor_generations

__version__ = "0.1.0"

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
    from . import _validation as V

    lam_ = V.nonnegative(lam, "lam")
    T_ = V.sample_size(T, "T")
    out = lam_ * T_
    return float(out) if np.ndim(out) == 0 else out
