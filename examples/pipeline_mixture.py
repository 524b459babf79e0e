"""Declare a pipeline, derive it (LaTeX), evaluate it on a grid, and simulate it.

A student is trained on a fraction alpha of real rows and 1 - alpha rows labelled by an
over-parameterised generator; how does its error depend on alpha?  Run: python examples/pipeline_mixture.py
"""

import numpy as np

import symcollapse as sc
from symcollapse import Block, Fit, Pipeline

d, total = 200, 1000
eigs, w0 = sc.power_law(d, beta=2, r=0.375)


def mixture(real_rows):
    return Pipeline(
        [
            Fit("generator", [Block(100, "truth", noise=0.5)]),
            Fit(
                "student",
                [Block(real_rows, "truth", noise=0.5), Block(total - real_rows, "generator", noise=0.5)],
                lam=1e-2,
            ),
        ]
    )


print(mixture(300))
print(mixture(300).derive().latex())

print("\nalpha   theory    simulation (+- se)    z")
for real in (1, 250, 500, 750, 999):
    pipe = mixture(real)
    pred = pipe.predict(eigs, w0)
    sim = pipe.simulate(eigs, w0, reps=100, seed=real)
    print(
        f"{real / total:5.3f}  {float(pred.test_error):.5f}   {sim.mean:.5f} +- {sim.stderr:.5f}"
        f"   {sc.testing.z_score(pred, sim):+.2f}"
    )

# the derived error over a grid of the replace chain's generator size, on infinitely many modes
grid = sc.workflows.replace(n=2, T0=np.logspace(1, 5, 5), sigma0=0.5, T=1e4, sigma=0.5, lam=1e-3)
print("\nPowerLaw(2, 0.375, d=None), n = 2, T0 =", np.logspace(1, 5, 5))
print(grid.predict(sc.PowerLaw(2, 0.375, d=None)).test_error)
