r"""``simulate``: Monte-Carlo of the actual fake-data chain (paper eqs. (4)-(6), App. D.1).

Nothing here uses the theory.  :func:`simulate` validates the chain's parameters and runs the
pipeline simulator (:func:`symcollapse.simulation.pipeline_simulation.simulate_pipeline`) on the declared
chain :func:`symcollapse.workflows.replace`, so ``sc.simulate(..., seed=s)`` and
``sc.workflows.replace(...).simulate(..., seed=s)`` give the same samples.  The simulator draws
Gaussian designs in the eigenbasis of :math:`\Sigma`, labels them, fits each generator by least
squares (minimum-norm when :math:`T_0<d`), fits the downstream ridge, and measures the exact excess
risk :math:`\|\hat w^{pred}_n-w_0\|_\Sigma^2` (equivalent to a clean test set of infinite size).

.. code-block:: text

    w = w0
    for m in range(n):                     # X_m fresh, or X_0 reused when design="same"
        w = pinv(X_m) @ (X_m @ w + sigma0[m] * noise)      # X_m has T0[m] rows
        # (lam0[m] > 0: w = argmin (1/T0)||X_m v - Ybar||^2 + lam0[m] ||v||^2, a ridge generator)
    X = draw(T); Y = X @ w + sigma * noise
    w_pred = argmin (1/T)||X v - Y||^2 + lam ||v||^2      (min-norm least squares if lam = 0)
    err = (w_pred - w0)' Sigma (w_pred - w0)
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from symcollapse import _validation as V
from symcollapse.numeric.pipeline_evaluation import non_default, settings_text, signature_defaults
from symcollapse.numeric.spectra import spectrum_arrays
from symcollapse.pipeline import workflows
from symcollapse.pipeline.schedule import PerGeneration

__all__ = ["simulate", "SimulationResult"]


@dataclass(frozen=True)
class SimulationResult:
    """Monte-Carlo estimate: ``mean`` of the test error, its ``stderr``, and the ``samples``."""

    mean: float
    stderr: float
    samples: np.ndarray = field(repr=False)
    settings: dict = field(default_factory=dict, repr=False)

    @property
    def reps(self) -> int:
        return int(self.samples.size)

    def _shown_settings(self) -> str:
        """``; d=20, T=30, ...``: the settings that differ from the defaults, as ``predict``'s
        result shows them (a per-generation schedule as ``per_generation(...)``)."""
        given = {k: v for k, v in self.settings.items() if k not in ("pipeline", "reps")}
        shown = non_default(given, signature_defaults(simulate))
        return "; " + settings_text(shown) if shown else ""

    def __repr__(self) -> str:
        return (
            f"SimulationResult(mean={self.mean:.6g}, stderr={self.stderr:.3g}, "
            f"reps={self.reps}{self._shown_settings()})"
        )

    def _repr_html_(self) -> str:
        at = self._shown_settings()[2:]
        return (
            f"<table><caption style='text-align:left'>SimulationResult"
            f"{' at ' + at if at else ''}</caption><tr><th>mean</th><th>stderr</th>"
            f"<th>reps</th></tr><tr><td>{self.mean:.6g}</td><td>{self.stderr:.3g}</td>"
            f"<td>{self.reps}</td></tr></table>"
        )


def _scalar_count(value, name: str, minimum: int) -> int:
    arr = V.count(value, name, minimum=minimum)
    if arr.ndim != 0:
        raise ValueError(f"{name} must be a scalar for simulate, got shape {arr.shape}")
    return int(arr)


def _scalar(value, name: str) -> float:
    arr = V.nonnegative(value, name)
    if arr.ndim != 0:
        raise ValueError(f"{name} must be a scalar for simulate, got shape {arr.shape}")
    return float(arr)


def _counts(arr: np.ndarray, name: str) -> None:
    bad = (arr != np.round(arr)) | (arr < 1)
    if np.any(bad):
        raise ValueError(
            f"{name} must be an integer >= 1 (a sample size) for every generator, got {name} = {arr.tolist()}"
        )


def _nonnegative_each(arr: np.ndarray, name: str) -> None:
    if np.any(arr < 0):
        raise ValueError(f"{name} must be >= 0 for every generator, got {name} = {arr.tolist()}")


def _one_setting(value, name: str) -> None:
    """The schedule convention: ``per_generation([...])`` is one value per generator, a plain
    list or array is a grid of settings, and simulate runs one setting."""
    if np.ndim(value) > 0 and not isinstance(value, PerGeneration):
        raise ValueError(
            f"{name} = {value!r} is a plain sequence (a grid of settings), but "
            "simulate runs one setting; for one value per generator pass "
            f"sc.per_generation([...]) as {name}"
        )


def simulate(
    eigenvalues: ArrayLike,
    w0: ArrayLike | None = None,
    *,
    T: int,
    lam: float = 0.0,
    n: int = 0,
    T0: int | PerGeneration | None = None,
    sigma: float = 0.0,
    sigma0: float | PerGeneration = 0.0,
    design: str = "independent",
    reps: int = 100,
    seed: int | np.random.Generator | None = None,
    lam0: float | PerGeneration = 0.0,
    method: str = "fast",
) -> SimulationResult:
    """Monte-Carlo of the chain for one setting.

    ``T``, ``T0`` are integer sample sizes (``T0`` required when ``n > 0``; any ``T0 >= 1``,
    minimum-norm generators when ``T0 < d``), ``lam >= 0`` the downstream ridge (per-sample
    normalised), ``design`` ``"independent"`` (fresh ``X_m``) or ``"same"`` (``X_0`` reused),
    ``reps >= 2`` repetitions, ``seed`` an int, ``None`` or a ``numpy.random.Generator``.

    ``T0``, ``sigma0`` and ``lam0`` may also be per-generation schedules,
    :func:`~symcollapse.per_generation` of length ``n``: generator ``m`` (m = 0..n-1) is fitted
    on ``T0[m]`` samples with label noise ``sigma0[m]`` and ridge ``lam0[m]`` (per-sample
    normalised, like ``lam``; ``0`` = least squares).  A plain list or array is a grid of
    settings (the schedule convention of :mod:`symcollapse.pipeline.schedule`) and is refused:
    simulate runs one setting.  ``design="same"`` reuses one design, so it needs the same ``T0``
    for every generator (``sigma0`` may still vary).  The other parameters are scalars.

    ``method``: ``"fast"`` (default) samples each design of ``T0 >= d`` (or ``T >= d``) rows
    through its Bartlett factor, exact in distribution and much cheaper; ``"faithful"`` draws
    every design row by row (see :mod:`symcollapse.simulation.pipeline_simulation`).

    This is :func:`symcollapse.workflows.replace` ``(...).simulate(...)``: the same seed and
    method give the same samples.  ``settings`` records the chain's parameters and, under ``"pipeline"``,
    the pipeline simulator's description of the run.

    Examples
    --------
    >>> import symcollapse as sc
    >>> eigs, w0 = sc.isotropic(200)
    >>> sim = sc.simulate(eigs, w0, T=400, n=3, T0=600, sigma=0.5, sigma0=0.5, reps=50, seed=0)
    >>> sim
    SimulationResult(mean=0.650239, stderr=0.0106, reps=50; d=200, T=400, n=3, T0=600, sigma=0.5,
                     sigma0=0.5)
    >>> theory = sc.predict(eigs, w0, T=400, n=3, T0=600, sigma=0.5, sigma0=0.5)
    >>> abs(sc.testing.z_score(theory, sim)) < 4
    True
    """
    eigs, coefs = spectrum_arrays(eigenvalues, w0)
    d = eigs.size
    for name, value in (("T0", T0), ("sigma0", sigma0), ("lam0", lam0)):
        _one_setting(value, name)
    T = _scalar_count(T, "T", 1)
    n = _scalar_count(n, "n", 0)
    lam, sigma = _scalar(lam, "lam"), _scalar(sigma, "sigma")
    sigma0s = V.per_generation(sigma0, "sigma0", n, _nonnegative_each)
    lam0s = V.per_generation(lam0, "lam0", n, _nonnegative_each)
    V.design(design)
    reps = _scalar_count(reps, "reps", 2)
    T0s: tuple = ()
    if n > 0 and T0 is None:
        raise ValueError("T0 is required when n > 0 (the sample size of each generator)")
    if T0 is not None and (n > 0 or np.ndim(T0) > 0):  # a scalar T0 is unused when n = 0
        T0s = tuple(int(t) for t in V.per_generation(T0, "T0", n, _counts))
        V.one_design(T0s, design)
    rng = V.generator(seed)

    pipeline = workflows.replace(
        n=n,
        T0=PerGeneration(T0s) if n > 0 else None,
        sigma0=PerGeneration(sigma0s),
        T=T,
        sigma=sigma,
        lam=lam,
        lam0=PerGeneration(lam0s),
        design=design,
    )
    try:
        result = pipeline.simulate(eigs, coefs, reps=reps, seed=rng, method=method)
    except ValueError as err:  # the work is refused: say which fit is which parameter
        raise ValueError(
            f"{err} (in the chain, fit 'downstream' has the T rows and fits 'gen1'.. the T0 rows)"
        ) from None
    settings = dict(
        d=d,
        T=T,
        lam=lam,
        n=n,
        T0=_setting(T0, T0s, convert=lambda x: x),
        sigma=sigma,
        sigma0=_setting(sigma0, sigma0s),
        design=design,
        reps=reps,
        lam0=_setting(lam0, lam0s),
        method=method,
        pipeline=result.settings,
    )
    return dataclasses.replace(result, settings=settings)


def _setting(given, values: tuple, convert=float):
    """How a generator parameter is recorded: a scalar as a number, a schedule as a tuple."""
    if given is None:
        return None
    if np.ndim(given) > 0:
        return values
    return values[0] if values else convert(given)
