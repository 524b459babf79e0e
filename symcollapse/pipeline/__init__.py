"""The pipeline engine: declare a data workflow once; derive, evaluate and simulate it.

>>> import symcollapse as sc
>>> pipe = sc.workflows.replace(n=2, T0=600, sigma0=0.2, T=1000, sigma=0.1, lam=1e-3)
>>> pipe.fit_names
('gen1', 'gen2', 'downstream')
"""

from symcollapse.pipeline import workflows
from symcollapse.pipeline.declaration import TRUTH, Block, Fit, Pipeline, Reuse
from symcollapse.pipeline.schedule import PerGeneration, per_generation

__all__ = ["TRUTH", "Block", "Fit", "Pipeline", "Reuse", "PerGeneration", "per_generation", "workflows"]
