r"""``predict``: the theory's test error of the paper's chain, vectorized over parameter grids.

A thin front of the pipeline engine: ``predict(eigenvalues, w0, T=..., n=..., T0=..., ...)`` is
``symcollapse.workflows.replace(n=..., T0=..., ...).predict(eigenvalues, w0)`` evaluated once per
distinct ``n`` (the chain's prefixes are shared between them).  For ``n = 0`` it is the clean ridge
error of Prop. 4.2,

.. math:: E_{test}=\frac{\kappa^2 w_0^\top\Sigma(\Sigma+\kappa)^{-2}w_0+\sigma^2\mathrm{df}_2(\kappa)}
          {1-\mathrm{df}_2(\kappa)/T}\quad(\times\text{the exact finite-size factor for }\lambda=0),

and with generators the engine's moment recursion (:mod:`symcollapse.pipeline.engine`), which
reduces to eq. (19) with the inverse-Wishart factor for under-parameterised least-squares
generators, to the peeling recursion for over-parameterised ones and to the ridge-generator
recursion for ``lam0 > 0``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from symcollapse import _validation as V
from symcollapse.numeric.kappa import auto_method
from symcollapse.numeric.pipeline_evaluation import (
    EvaluationContext,
    evaluate_pipeline,
    non_default,
    parts_html,
    parts_repr,
    signature_defaults,
)
from symcollapse.numeric.power_law import PowerLaw
from symcollapse.numeric.spectral import PowerLawFunctionals, functionals_of
from symcollapse.pipeline.declaration import TRUTH
from symcollapse.pipeline.schedule import PerGeneration, per_generation
from symcollapse.pipeline.workflows import replace

__all__ = ["predict", "Prediction", "PerGeneration", "per_generation"]

#: the engine squares eigenvalues, kappa and w0: inputs must stay within these magnitudes
_MAGNITUDE = 1e150
#: measured peak memory per grid point (tracemalloc: ~690 bytes on a 600 x 600 grid), rounded up
_BYTES_PER_POINT = 1024
#: measured memory per generation of a chain per spectral node and upstream setting, and fixed
_BYTES_PER_GENERATION_NODE = 96
_BYTES_PER_GENERATION = 4096


@dataclass(frozen=True)
class Prediction:
    """Theory's prediction; arrays broadcast over the inputs (floats for scalar inputs).

    ``test_error == bias + variance + collapse``; ``kappa`` is kappa(lam, T).  ``settings``: the
    parameters it was computed at (``d``, then the ones given; defaults left out).
    """

    test_error: np.ndarray
    bias: np.ndarray
    variance: np.ndarray
    collapse: np.ndarray
    kappa: np.ndarray
    settings: dict = field(default_factory=dict, repr=False, compare=False)

    def __float__(self) -> float:
        return float(self.test_error)

    def __repr__(self) -> str:
        return parts_repr(self, "Prediction", self.settings)

    def _repr_html_(self) -> str:
        return parts_html(self, "Prediction", self.settings)


def _frozen(value):
    """A setting as the result keeps it: arrays copied and read-only (the caller's array may
    change afterwards), everything else as given."""
    if isinstance(value, np.ndarray):
        value = value.copy()
        value.setflags(write=False)
    return value


def _check_magnitudes(fun, **arrays) -> None:
    """The engine forms squares of eigenvalues, kappa, w0 and the noise levels: refuse inputs
    whose squares are not representable in float64."""
    if not isinstance(fun, PowerLawFunctionals):
        lo, hi = fun.min_eigenvalue, float(fun.eigenvalues.max())
        if lo < 1 / _MAGNITUDE or hi > _MAGNITUDE:
            raise ValueError(
                f"eigenvalues must lie in [1e-150, 1e150] for predict (their squares "
                f"must be representable in float64), got [{lo:g}, {hi:g}]"
            )
        if np.any(np.abs(fun.w0) > _MAGNITUDE):
            raise ValueError(
                "w0's entries must have magnitudes <= 1e150 for predict (their "
                "squares must be representable in float64)"
            )
    for name, value in arrays.items():
        value = np.asarray(value, dtype=float)
        if np.any(value > _MAGNITUDE):
            raise ValueError(
                f"{name} must be <= 1e150 for predict (its square must be "
                f"representable in float64), got {value.max():g}"
            )


def _check_generator(
    T0: np.ndarray, sigma0: np.ndarray, used: np.ndarray, d: float, lam0: np.ndarray | float = 0.0
) -> None:
    """The generator sizes for which the expected error is finite (least-squares generators)."""
    bad = used & (sigma0 > 0) & (T0 > d - 2) & (T0 < d + 2) & (np.asarray(lam0) == 0)
    if np.any(bad):
        raise ValueError(
            f"T0 must be <= d - 2 = {d - 2} or >= d + 2 = {d + 2} when sigma0 > 0: "
            f"for T0 in [d - 1, d + 1] the generator's noise has an infinite "
            "(inverse-Wishart) mean error (or give the generators a ridge lam0 > 0)"
        )


def _check_ridge_design(lam0: np.ndarray, n: np.ndarray, design: str) -> None:
    if design == "same" and np.any((np.asarray(lam0) > 0) & (np.asarray(n) > 0)):
        raise ValueError(
            "lam0 > 0 (ridge generators) needs design='independent': the theory of "
            "a ridge generator reusing one design X0 is not implemented"
        )


def _schedules(n, T0, sigma0, d: float, design: str, lam0=0.0):
    """Validate per-generation schedules; return (T0s, sigma0s, lam0s) or None."""
    if not any(isinstance(x, PerGeneration) for x in (T0, sigma0, lam0)):
        return None
    if n.ndim != 0:
        raise ValueError("with a per-generation schedule, n must be a single integer")
    count_n = int(n)
    for name, value in (("T0", T0), ("sigma0", sigma0), ("lam0", lam0)):
        if np.ndim(value) and not isinstance(value, PerGeneration):
            raise ValueError(
                f"with a per-generation schedule, {name} must be a number or "
                "per_generation([...]), not a grid"
            )
    if T0 is None:
        if count_n > 0:
            raise ValueError("T0 is required when n > 0 (the sample size of each generator)")
        T0s: tuple[float, ...] = ()
    else:
        T0s = V.per_generation(T0, "T0", count_n, V.sample_size)
    s0s = V.per_generation(sigma0, "sigma0", count_n, V.nonnegative)
    l0s = V.per_generation(lam0, "lam0", count_n, V.nonnegative)
    _check_generator(np.array(T0s), np.array(s0s), np.ones(count_n, bool), d, np.array(l0s))
    _check_ridge_design(np.array(l0s), np.ones(count_n), design)
    V.one_design(T0s, design)
    return T0s, s0s, l0s


def _estimate_work(fun, shape, n, generators, max_bytes) -> None:
    """Refuse grids and chains whose estimated memory exceeds the limit (before allocating).

    ``generators``: the generators' parameter arrays (T0, sigma0, lam0) when given as grids."""
    points = float(np.prod(shape, dtype=float))
    n_max = float(np.max(n))
    nodes = fun.d if not isinstance(fun, PowerLawFunctionals) else 4096.0
    # upstream settings: the grid over the generators' parameters
    upstream = (
        float(np.prod(np.broadcast_shapes(*(np.shape(x) for x in generators)), dtype=float))
        if generators
        else 1.0
    )
    stacked = float(np.unique(n).size) * upstream * nodes * 8.0 * 4
    chain = n_max * upstream * (_BYTES_PER_GENERATION + _BYTES_PER_GENERATION_NODE * nodes)
    estimate = points * _BYTES_PER_POINT + chain + stacked
    V.check_memory(
        estimate,
        f"predict over {points:.0f} grid points with chains of up to {n_max:.0f} generations",
        max_bytes,
    )


def predict(
    eigenvalues: ArrayLike | PowerLaw,
    w0: ArrayLike | None = None,
    *,
    T: ArrayLike,
    lam: ArrayLike = 0.0,
    n: ArrayLike = 0,
    T0: ArrayLike | None = None,
    sigma: ArrayLike = 0.0,
    sigma0: ArrayLike = 0.0,
    design: str = "independent",
    method: str = "auto",
    lam0: ArrayLike = 0.0,
    max_bytes: float | None = None,
) -> Prediction:
    r"""Theory's test error of ridge trained on the ``n``-th generation of fake data.

    Parameters
    ----------
    eigenvalues, w0 : 1-D arrays of equal length ``d``, or a :class:`~symcollapse.PowerLaw`
        Eigenvalues of :math:`\Sigma` (positive) and the target's coefficients in its eigenbasis;
        a ``PowerLaw`` (``w0`` omitted) is evaluated at a cost independent of its ``d``
        (``d=None``: infinitely many modes).
    T, lam, n, T0, sigma, sigma0 : numbers or arrays (broadcast together)
        Downstream sample size (``>= 1``) and ridge (``>= 0``, per-sample normalised), number
        of generations (integer ``>= 0``), generator sample size (``>= 1``; required when
        ``n > 0``; a noisy generator needs ``T0 <= d - 2`` or ``T0 >= d + 2``), downstream and
        generator label-noise levels (``>= 0``).  ``T0`` and ``sigma0`` may instead be
        per-generation schedules, :func:`per_generation` (then ``n`` is one integer).
    lam0 : number, array or :func:`per_generation` schedule
        The generators' ridge :math:`\lambda_0\ge0` (per-sample normalised, like ``lam``):
        generator :math:`m+1` is :math:`\hat w_{m+1}=\arg\min_w\frac1{T_0}\|X_mw-\bar Y_m\|^2
        +\lambda_0\|w\|^2`.  ``0`` (default) gives least-squares (minimum-norm) generators, the
        paper's setting.  With ``lam0 > 0`` the chain is the recursion of
        :mod:`symcollapse.symbolic.theory.ridge_generators` (one deterministic equivalent per generator,
        :math:`\kappa_0=\kappa(\lambda_0,T_0)`), for independent designs only.
    design : ``"independent"`` or ``"same"``
        Fresh designs per generator, or the same ``X0`` reused (condition (17)); the two agree
        for ``T0 >= d``.  Over-parameterised generators (``T0 < d``) use the peeling recursion
        (the pipeline engine), under-parameterised ones eq. (19) with the exact factor.
    method : ``"auto"``, ``"exact"`` or ``"table"``
        How the spectral functionals are evaluated: direct sums, or the Chebyshev table
        (``O(1)`` per grid point after ``O(d)`` work per panel; relative error ~1e-13).
    max_bytes : number, optional
        Refuse (``ValueError`` with the estimate) when the estimated memory exceeds this
        (default ``symcollapse._validation.MAX_BYTES``, 4 GiB): about 1 KiB per grid point plus
        ``n (4096 + 96 nodes)`` bytes per upstream setting for the chain's generations.

    Accuracy: float64 results agree with a high-precision reference to about 1e-12 relative,
    spectral gaps included (:math:`N-\mathrm{df}_2` is formed as :math:`N\lambda/\kappa+
    \sum_jp_jq_j`, see :func:`symcollapse.numeric.kappa.denominator`); eigenvalues or parameters beyond
    1e150 in magnitude are refused (their squares overflow).

    Regime: Prop. 4.2 and eq. (19) are deterministic equivalents (error ``O(1/d)``); the
    ridgeless case with ``T >= d + 2`` uses the exact Theorem 4.1.  ``lam = 0`` with ``T`` in
    ``[d, d + 1]`` is refused (infinite inverse-Wishart mean).

    Examples
    --------
    >>> import symcollapse as sc
    >>> eigs, w0 = sc.isotropic(200)
    >>> sc.predict(eigs, w0, T=400, n=3, T0=600, sigma=0.5, sigma0=0.5)
    Prediction(test_error=0.627196, bias=0, variance=0.251256, collapse=0.37594, kappa=0;
               d=200, T=400, n=3, T0=600, sigma=0.5, sigma0=0.5)
    >>> T0 = sc.per_generation([600, 900, 1200])  # one sample size per generator
    >>> round(float(sc.predict(eigs, w0, T=400, n=3, T0=T0, sigma=0.5, sigma0=0.5)), 6)
    0.49815
    """
    fun = functionals_of(eigenvalues, w0)
    d = fun.d
    if method not in ("auto", "exact", "table"):
        raise ValueError(f"method must be 'auto', 'exact' or 'table', got {method!r}")
    T = V.sample_size(T, "T")
    lam = V.nonnegative(lam, "lam")
    n = V.count(n, "n")
    sigma = V.nonnegative(sigma, "sigma")
    V.design(design)
    if np.any(T > 2.0**53):
        raise ValueError(f"T must be <= 2**53 (a sample size), got max {T.max():g}")
    if T0 is not None and not isinstance(T0, PerGeneration):
        T0 = V.sample_size(T0, "T0")
        if np.any(T0 > 2.0**53):
            raise ValueError(f"T0 must be <= 2**53 (a sample size), got max {T0.max():g}")
    schedule = _schedules(n, T0, sigma0, d, design, lam0)
    if schedule is None:
        sigma0 = V.nonnegative(sigma0, "sigma0")
        lam0 = V.nonnegative(lam0, "lam0")
        lam0_b, n_b = np.broadcast_arrays(lam0, n)
        _check_ridge_design(lam0_b, n_b, design)
        if T0 is None and np.any(n > 0):
            raise ValueError("T0 is required when n > 0 (the sample size of each generator)")
        if T0 is not None:
            T0 = V.sample_size(T0, "T0")
            T0b, s0b, nb_, l0b = np.broadcast_arrays(T0, sigma0, n, lam0)
            _check_generator(T0b, s0b, nb_ > 0, d, l0b)
    Tb, lb = np.broadcast_arrays(T, lam)
    if np.any((lb == 0) & (Tb >= d) & (Tb < d + 2)):
        raise ValueError(
            f"with lam = 0, T must be < d = {d} or >= d + 2 = {d + 2}: the "
            "ridgeless error is infinite for T in [d, d + 1]"
        )
    arrays: list[Any] = [T, lam, n, sigma]
    if schedule is None:
        arrays += [sigma0, lam0] + ([] if T0 is None else [T0])
        _check_magnitudes(fun, lam=lam, sigma=sigma, sigma0=sigma0, lam0=lam0)
    else:
        _check_magnitudes(fun, lam=lam, sigma=sigma, sigma0=schedule[1], lam0=schedule[2])
    shape = np.broadcast_shapes(*(np.shape(x) for x in arrays))
    gens = [x for x in (T0, sigma0, lam0) if x is not None] if schedule is None else []
    _estimate_work(fun, shape, n, gens, max_bytes)
    if method == "auto":
        method = auto_method(fun, Tb.size)

    # one engine evaluation of the longest chain: the downstream fit is contracted with every
    # requested generation's error moments at once (n = 0: the truth, no moments)
    ctx = EvaluationContext(fun, method)
    counts = np.unique(n).astype(int)
    n_max = int(counts[-1])
    if schedule is None:
        pipe = replace(n=n_max, T0=T0, sigma0=sigma0, T=T, sigma=sigma, lam=lam, lam0=lam0, design=design)
    else:
        pipe = replace(
            n=n_max,
            T0=per_generation(schedule[0]),
            sigma0=per_generation(schedule[1]),
            T=T,
            sigma=sigma,
            lam=lam,
            lam0=per_generation(schedule[2]),
            design=design,
        )
    teachers = [TRUTH if k == 0 else pipe.resolved[k - 1].name for k in counts]
    with np.errstate(all="ignore"):  # non-finite results are refused below
        out = evaluate_pipeline(pipe, ctx, last_teachers=teachers)
    which = np.broadcast_to(np.searchsorted(counts, n), shape)[None]
    # n along one axis, sorted and distinct (n = 1..n_max): the selection is a diagonal
    n_pad = np.reshape(n, (1,) * (len(shape) - n.ndim) + n.shape)
    varying = [a for a, size in enumerate(n_pad.shape) if size > 1]
    diagonal = len(varying) == 1 and np.array_equal(n_pad.ravel(), counts)
    parts = {}
    for name in ("test_error", "bias", "variance", "collapse", "kappa"):
        value = out[name]
        value = value.reshape(value.shape[:1] + (1,) * (len(shape) + 1 - value.ndim) + value.shape[1:])
        value = np.broadcast_to(value, value.shape[:1] + shape)
        if diagonal:
            parts[name] = np.moveaxis(
                np.diagonal(value, axis1=0, axis2=varying[0] + 1), -1, varying[0]
            ).copy()
        else:
            parts[name] = np.take_along_axis(value, which, axis=0)[0]
    for name in ("test_error", "bias", "variance", "collapse"):
        if not np.all(np.isfinite(parts[name])):
            raise ValueError(
                f"{name} is not representable in float64 for some inputs (the "
                "spectrum, w0 or the noise levels are too large or too small)"
            )

    def out_(x):
        x = np.asarray(x, dtype=float)
        return x[()] if x.ndim == 0 else x

    spectrum = dict(spectrum=eigenvalues) if isinstance(eigenvalues, PowerLaw) else dict(d=int(fun.d))
    given: dict[str, Any] = dict(
        **spectrum, T=T, lam=lam, n=n, T0=T0, sigma=sigma, sigma0=sigma0, lam0=lam0, design=design
    )
    if schedule is not None:
        for key, values in zip(("T0", "sigma0", "lam0"), schedule, strict=True):
            given[key] = tuple(float(v) for v in values) if np.any(np.asarray(values)) else None
    settings = {k: _frozen(v) for k, v in non_default(given, _PREDICT_DEFAULTS).items()}
    return Prediction(**{name: out_(v) for name, v in parts.items()}, settings=settings)


_PREDICT_DEFAULTS = signature_defaults(predict)
