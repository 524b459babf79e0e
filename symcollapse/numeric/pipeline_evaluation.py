r"""Evaluate a pipeline's derived test error numerically, over grids of any of its parameters.

The engine (:mod:`.engine`) runs on the NumPy backend below: vectors live on the nodes of a
spectral measure (the eigenvalues themselves, or for a ``PowerLaw`` with many or infinitely many
modes a direct head plus tail quadrature nodes, :mod:`symcollapse.numeric.measure`), traces are
weighted sums over the nodes, and every fit's :math:`\kappa` is solved over its own grid.

Grids: the fits before the last are evaluated once per distinct setting of their parameters
(``U`` settings), the last fit once per distinct setting of its own (``L``), and the two are
joined by matrix products ``(U x nodes) @ (nodes x L)``, so that a ``(T, lam)`` grid costs
``O((U + L) nodes + U L nodes / BLAS)``; where the two share grid axes (``U L`` much larger than
the grid) the join is done pair by pair instead.  Memory is bounded by chunking the last fit.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.fft import dct

from symcollapse import _hooks
from symcollapse.numeric import _generated
from symcollapse.numeric.kappa import denominator, solve_kappa
from symcollapse.numeric.low_rank_state import LowRankState
from symcollapse.numeric.measure import SpectralMeasure, spectral_measure
from symcollapse.numeric.spectral import _NODES, _PANEL, _X, PowerLawFunctionals, functionals_of
from symcollapse.pipeline.declaration import TRUTH, Pipeline, ResolvedFit
from symcollapse.pipeline.engine import (
    fit_kinds,
    last_fit_error,
    last_fit_vectors,
    propagate,
    with_stacked_teacher,
)

__all__ = [
    "PipelinePrediction",
    "predict_pipeline",
    "evaluate_pipeline",
    "EvaluationContext",
    "short_repr",
    "parts_repr",
]

_CHUNK = 1 << 21  # elements per chunk of last-fit vectors
_STATE_BUDGET = 1 << 27  # elements (1 GiB) of upstream state vectors


@dataclass(frozen=True)
class PipelinePrediction:
    r"""The theory's test error of a pipeline; arrays broadcast over the pipeline's grid.

    ``test_error == bias + variance + collapse``: ``bias`` and ``variance`` are the last fit's
    error had every block been labelled by the truth (noise-free part and noise part), and
    ``collapse`` is everything its teachers add.  ``kappa`` is the last fit's effective
    regularisation.
    """

    test_error: Any
    bias: Any
    variance: Any
    collapse: Any
    kappa: Any
    parameters: dict = field(default_factory=dict, repr=False)

    def __float__(self) -> float:
        return float(self.test_error)

    def __repr__(self) -> str:
        return parts_repr(self, type(self).__name__)

    def _repr_html_(self) -> str:
        return parts_html(self, type(self).__name__)


def short_repr(x) -> str:
    """A number to 6 significant digits, or an array's shape and range."""
    a = np.asarray(x, dtype=float)
    if a.ndim == 0:
        return f"{float(a):.6g}"
    return f"array(shape={a.shape}, {np.min(a):.4g}..{np.max(a):.4g})"


_PARTS = ("test_error", "bias", "variance", "collapse", "kappa")


def signature_defaults(function) -> dict[str, Any]:
    """The keyword defaults of ``function``: what a result's settings leave out."""
    return {
        name: p.default
        for name, p in inspect.signature(function).parameters.items()
        if p.default is not inspect.Parameter.empty
    }


def non_default(settings: dict, defaults: dict) -> dict:
    """The settings given (not None) and not equal to their default; arrays and per-generation
    schedules are always kept."""
    return {
        k: v
        for k, v in settings.items()
        if v is not None and not (k in defaults and np.ndim(v) == 0 and v == defaults[k])
    }


def settings_text(settings: dict) -> str:
    """``d=200, T=400, n=3, ...``: the settings a result was computed at, arrays as shape and
    range (schedules as their values)."""
    out = []
    for key, value in settings.items():
        if isinstance(value, str):
            out.append(f"{key}={value!r}")
        elif isinstance(value, tuple):  # a per-generation schedule
            out.append(f"{key}=per_generation({', '.join(f'{v:g}' for v in value)})")
        elif not isinstance(value, (int, float, np.ndarray, np.generic)):
            out.append(f"{key}={value!r}")
        else:
            out.append(f"{key}={short_repr(value)}")
    return ", ".join(out)


def parts_repr(pred, name: str, settings: dict | None = None) -> str:
    """``Name(test_error=..., bias=..., variance=..., collapse=..., kappa=...; settings)``."""
    text = ", ".join(f"{k}={short_repr(getattr(pred, k))}" for k in _PARTS)
    return f"{name}({text}{'; ' + settings_text(settings) if settings else ''})"


def parts_html(pred, name: str, settings: dict | None = None) -> str:
    """An HTML table of the parts (value, or shape and range) under the settings, for Jupyter."""
    rows = "".join(f"<tr><td>{k}</td><td>{short_repr(getattr(pred, k))}</td></tr>" for k in _PARTS)
    caption = f"{name}" + (f" at {settings_text(settings)}" if settings else "")
    return (
        f"<table><caption style='text-align:left'>{caption}</caption>"
        f"<tr><th>part</th><th>value</th></tr>{rows}</table>"
    )


class _ExplicitMeasure:
    """The eigenvalues themselves as nodes (weights 1)."""

    def __init__(self, eigenvalues: np.ndarray, w0: np.ndarray):
        self.eigenvalues = eigenvalues
        self.coef = w0
        self.c2 = w0**2
        self.weights = np.ones_like(eigenvalues)
        self.exact = True

    def sum(self, values):
        return values @ self.weights


def measure_for(fun, kappa_min: float):
    """The spectral measure on which the engine's vectors live."""
    if isinstance(fun, PowerLawFunctionals):
        return spectral_measure(fun.spectrum, kappa_min=kappa_min)
    return _ExplicitMeasure(fun.eigenvalues, fun.w0)


class _Ingredients:
    """One fit's deterministic-equivalent ingredients; the vectors are built only when used."""

    def __init__(self, ell, kappa, N, lam, d, sums, pool: dict | None = None):
        self.ell, self.kappa, self.N = ell, kappa, N
        # kappa = 0 at every setting: the vectors are the rules at kappa = 0, one per fit
        self._pool = pool if pool is not None and np.all(kappa == 0) else None
        self.df2, self.gc2 = sums["df2"], sums["gc2"]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            self.D = sums["D"] if "D" in sums else N - self.df2
            self.w = np.where(kappa > 0, kappa**2 / self.D, 0.0)
            ridge = np.broadcast_to(lam > 0, np.shape(N))
            if np.isfinite(d):
                gap = np.abs(d - N)
                F = np.where(gap > 1, gap / (gap - 1), np.inf)
                under = np.where(N - d - 1 > 0, 1.0 / (N - d - 1), np.inf)
            else:
                F, under = np.asarray(1.0), np.asarray(np.inf)
            self.Cscale = np.where(ridge, 1.0 / self.D, np.where(kappa > 0, F / self.D, under))
        self._vec: dict[str, Any] = {}

    def _rule(self, name):
        if name not in self._vec:
            with np.errstate(divide="ignore", invalid="ignore"):
                if self._pool is not None:
                    rule = _generated.RULES[name](self.ell, np.float64(0.0))
                    self._vec[name] = LowRankState.of(rule, self._pool)
                else:
                    self._vec[name] = _generated.RULES[name](self.ell, self.kappa)
        return self._vec[name]

    p = property(lambda self: self._rule("p"))
    q = property(lambda self: self._rule("q"))
    g = property(lambda self: self._rule("g"))

    @property
    def C(self):
        if "C" not in self._vec:
            with np.errstate(invalid="ignore"):
                self._vec["C"] = self.Cscale * self.g
        return self._vec["C"]


class NumericBackend:
    """The engine's NumPy backend over parameter arrays of a common layout."""

    def __init__(
        self,
        context: EvaluationContext,
        params: dict,
        solved: dict,
        shape_like,
        tabled: bool = False,
        low_rank: bool = False,
    ):
        self.ctx = context
        self.tabled = tabled  # last-fit vectors as functions of kappa (Chebyshev join)
        # fits with kappa = 0 everywhere carry their vectors as LowRankState (the upstream state)
        self._pool = context.pool if low_rank else None
        self.params = params  # (fit name, field) -> array, already shaped
        self.solved = solved  # fit name -> (kappa, sums) over the same settings, flat
        self._shape_like = shape_like  # flat settings -> this backend's layout of scalars
        m = context.built_measure
        self.ell = m.eigenvalues
        self.c2 = m.c2
        self.coef = getattr(m, "coef", None)
        self._weights = m.weights
        self._ing: dict[str, _Ingredients] = {}
        self._ing_of_solve: dict[tuple, _Ingredients] = {}

    def zero(self):
        return 0.0

    def fixed_teacher(self, name: str) -> np.ndarray:
        """Delta = w2 - w0 on the spectral nodes (explicit spectra only)."""
        return self.ctx.fixed_delta(name)

    def exact(self, fraction) -> float:
        return float(fraction)

    def require_full_rank(self, fit: ResolvedFit, N, what: str) -> None:
        d = self.ctx.d
        if not np.isfinite(d) or np.any(np.asarray(N) < d + 2):
            raise ValueError(
                f"fit {fit.name!r}: {what} is derived for N >= d + 2 rows (the fit's Gram matrix "
                f"invertible, inverse-Wishart mean), got N = {np.min(N):g} with d = {d:g}; "
                "simulate() runs it"
            )

    def tr(self, v):
        if isinstance(v, LowRankState):
            out: Any = 0.0
            for s, vec in v.terms:
                out = out + s * (vec @ self._weights)
            out = np.asarray(out, dtype=float)
            return out if out.ndim else out.reshape(1)
        v = np.asarray(v)
        if v.shape[-1:] != self._weights.shape:
            v = np.broadcast_to(v, v.shape[:-1] + self._weights.shape)
        return (v @ self._weights)[..., None]

    def rows(self, fit: ResolvedFit, k: int):
        return self.params[(fit.name, f"rows{k}")]

    def total_rows(self, fit: ResolvedFit):
        return sum(self.rows(fit, k) for k in range(len(fit.blocks)))

    def noise(self, fit: ResolvedFit, k: int):
        return self.params[(fit.name, f"noise{k}")]

    def ingredients(self, fit: ResolvedFit) -> _Ingredients:
        if fit.name not in self._ing:
            lam = self.params[(fit.name, "lam")]
            Nf = self.total_rows(fit)
            shape = np.broadcast_shapes(np.shape(lam), np.shape(Nf))
            solved = self.solved[fit.name]
            # fits with equal (lam, N) share their solve (kappa_and_sums) and so their ingredients
            key = (id(solved), shape)
            if key in self._ing_of_solve:
                self._ing[fit.name] = self._ing_of_solve[key]
                return self._ing[fit.name]
            kappa, sums = solved
            shaped = self._shape_like
            self._ing[fit.name] = self._ing_of_solve[key] = _Ingredients(
                self.ell,
                shaped(kappa),
                np.broadcast_to(Nf, shape),
                np.broadcast_to(lam, shape),
                self.ctx.d,
                {k: shaped(v) for k, v in sums.items()},
                self._pool,
            )
        return self._ing[fit.name]

    def df2(self, ing):
        return ing.df2

    def gc2(self, ing):
        return ing.gc2

    def last_vectors(self, ing):
        if self.tabled:
            return tuple(_OfKappa(k, ing.kappa) for k in range(3))
        return last_fit_vectors(self.ell, ing.p, ing.q, ing.g)

    def noise_vector(self, fit, ing, noise):
        if noise is None:
            return 0.0
        C = ing.C
        with np.errstate(invalid="ignore", over="ignore"):
            out = (
                C.where_positive(noise)
                if isinstance(C, LowRankState)
                else np.where(noise > 0, C * noise, 0.0)
            )
        self._finite(fit, out)
        return out

    def check_noise(self, fit, value, noise):
        with np.errstate(invalid="ignore"):
            out = value if noise is None else np.where(noise > 0, value, 0.0)
        self._finite(fit, out)
        return out

    def _finite(self, fit, value):
        finite = value.all_finite() if isinstance(value, LowRankState) else np.all(np.isfinite(value))
        if not finite:
            d = self.ctx.d
            raise ValueError(
                f"fit {fit.name!r}: a least-squares fit (lam = 0) with N rows in [d - 1, d + 1] "
                f"(d = {d:g}) on noisy or disagreeing labels has an infinite expected error "
                "(inverse-Wishart mean): use N <= d - 2 or N >= d + 2 rows, or a ridge lam > 0"
            )


@dataclass(frozen=True)
class _OfKappa:
    """The ``which``-th last-fit vector (:func:`~.engine.last_fit_vectors`) at ``kappa``, left
    unbuilt: the join interpolates its contractions in log kappa instead."""

    which: int
    kappa: np.ndarray


def _vectors_at(ell: np.ndarray, kappa: np.ndarray) -> np.ndarray:
    """The three last-fit vectors at each of ``kappa`` (1-D): shape (3, kappas, nodes)."""
    rule = _generated.RULES
    k = kappa[:, None]
    return np.stack(last_fit_vectors(ell, rule["p"](ell, k), rule["q"](ell, k), rule["g"](ell, k)))


class _Join:
    """Contract last-fit vectors with upstream state vectors, by GEMM (cross) or pair by pair.

    ``cache`` (shared by the chunks of one evaluation) holds each upstream vector's weighted copy
    and its trace, so that every chunk only multiplies."""

    def __init__(self, backend: NumericBackend, mode: str, u_sel=None, cache=None):
        self.be = backend
        self.mode = mode
        self.u_sel = u_sel
        self._cache: dict[Any, Any] = {} if cache is None else cache

    def _entry(self, v):
        key = id(v)
        if key not in self._cache and isinstance(v, LowRankState):
            # (S, V, t): weights (settings x terms), weighted vectors (terms x nodes), tr(Sigma v_i)
            lead = np.broadcast_shapes(*[np.shape(s) for s, _ in v.terms]) if v.terms else ()
            S = np.stack([np.broadcast_to(s, lead).reshape(-1) for s, _ in v.terms] or [np.zeros(1)], axis=1)
            if not v.terms:
                S = S[:, :0]
            V = np.array([vec * self.be._weights for _, vec in v.terms]).reshape(
                len(v.terms), self.be._weights.size
            )
            self._cache[key] = (v, (S, V), V @ self.be.ell)
        if key not in self._cache:
            w = self.be._weights
            v3 = np.reshape(v, (1,) * (3 - np.ndim(v)) + np.shape(v))  # (U, 1, nodes)
            vw = np.ascontiguousarray(np.broadcast_to(v3, v3.shape[:-1] + w.shape) * w)
            self._cache[key] = (v, vw, self.be.tr(self.be.ell * v3))
        return self._cache[key]

    def cross(self, x, v):
        vw = self._entry(v)[1]
        if isinstance(v, LowRankState):
            return self._cross_low_rank(x, v, *vw)
        if isinstance(x, _OfKappa):
            return self._tabled(x, v, vw)
        x = np.broadcast_to(x, np.shape(x)[:-1] + self.be._weights.shape)
        if self.mode == "cross":  # x: (1, Lc, n), vw: (U, 1, n)
            return (vw[:, 0, :] @ x[0].T)[..., None]
        vv = vw[self.u_sel]  # (Pc, 1, n)
        return np.einsum("pan,pan->pa", x, vv)[..., None]

    def _cross_low_rank(self, x, v, S, V):
        """``tr(x v)`` for ``v = sum_i s_i v_i``: contract ``x`` with the few ``v_i``, then
        weight by the settings' ``s_i``."""
        if isinstance(x, _OfKappa):
            T = self._tabled(x, v, V[:, None, :])[..., 0]  # (terms, Lc)
            return (S @ T)[..., None]
        x = np.broadcast_to(x, np.shape(x)[:-1] + self.be._weights.shape)
        if self.mode == "cross":  # x: (1, Lc, n)
            return (S @ (x[0] @ V.T).T)[..., None]
        Y = x[:, 0, :] @ V.T  # (Pc, terms)
        Ssel = S[self.u_sel] if S.shape[0] > 1 else S
        return np.sum(Ssel * Y, axis=1).reshape(-1, 1, 1)

    def _tabled(self, x: _OfKappa, v, vw):
        r"""``tr(x v)`` for a vector depending on the grid only through kappa: the function
        :math:`\kappa\mapsto\sum_j w_jx_j(\kappa)v_j` is analytic in :math:`\log\kappa` (a strip
        of half-width :math:`\pi`), so it is tabulated on Chebyshev panels in :math:`\log\kappa`
        (as the spectral functionals are) and every grid point costs O(1) per upstream setting."""
        kappa = np.asarray(x.kappa, dtype=float).reshape(-1)
        u = np.log(kappa)
        idx = np.floor(u / _PANEL).astype(np.int64)
        panels = self._cache.setdefault(("panels", id(v)), {})
        for i in np.unique(idx):
            if int(i) not in panels:
                nodes = np.exp((i + 0.5) * _PANEL + 0.5 * _PANEL * _X)
                X = _vectors_at(self.be.ell, nodes)  # (3, nodes_k, n)
                F = np.einsum("un,akn->auk", vw[:, 0, :], X)  # (3, U, nodes_k)
                c = dct(F, type=1, axis=-1) / (_NODES - 1)
                c[..., 0] /= 2
                c[..., -1] /= 2
                panels[int(i)] = c
        keys = np.array(sorted(panels))
        stacked = self._cache.get(("stacked", id(v)))
        if stacked is None or stacked.shape[0] != keys.size:
            stacked = np.stack([panels[int(i)] for i in keys])  # (panels, 3, U, nodes_k)
            self._cache[("stacked", id(v))] = stacked
        coeffs = stacked[np.searchsorted(keys, idx), x.which]  # (Lc, U, nodes_k)
        t = ((2.0 / _PANEL) * (u - (idx + 0.5) * _PANEL))[:, None]
        b1, b2 = coeffs[..., -1].copy(), np.zeros(coeffs.shape[:2])
        for m in range(_NODES - 2, 0, -1):
            b1, b2 = 2.0 * t * b1 - b2 + coeffs[..., m], b1
        return (t * b1 - b2 + coeffs[..., 0]).T[..., None]  # (U, Lc, 1)

    def trace_ell(self, v):
        if isinstance(v, LowRankState):
            S = self._entry(v)[1][0]
            t = (S @ self._entry(v)[2]).reshape(-1, 1, 1)
            if self.mode == "cross" or t.shape[0] > 1:
                return t if self.mode == "cross" else t[self.u_sel]
            return np.broadcast_to(t, (np.size(self.u_sel), 1, 1))
        t = self._entry(v)[2]
        return t if self.mode == "cross" else t[self.u_sel]


class EvaluationContext:
    """Shared across evaluations on one spectrum: kappa solves and upstream states are cached."""

    def __init__(self, fun, method: str = "exact"):
        self.fun = fun
        self.d = float(fun.d)
        self.method = method
        self.measure: SpectralMeasure | None = None
        self._kappa: dict[bytes, tuple[np.ndarray, dict[str, np.ndarray]]] = {}
        self.states: dict[Any, Any] = {}
        self.pool: dict[Any, Any] = {}  # the vectors of LowRankState states, by value
        self.fixed: dict[str, np.ndarray] = {}  # fixed teachers' coefficients

    @property
    def built_measure(self) -> SpectralMeasure:
        """The spectral measure, once :meth:`ensure_measure` has built it."""
        if self.measure is None:
            raise RuntimeError("the spectral measure is built by ensure_measure() first")
        return self.measure

    def fixed_delta(self, name: str) -> np.ndarray:
        if not isinstance(self.measure, _ExplicitMeasure):
            raise ValueError(
                f"the fixed teacher {name!r} needs the spectrum as explicit arrays "
                "(eigenvalues, w0), not a PowerLaw"
            )
        w2 = self.fixed[name]
        if w2.shape != self.measure.coef.shape:
            raise ValueError(
                f"the fixed teacher {name!r} has {w2.size} coefficients, the "
                f"spectrum {self.measure.coef.size} eigenvalues"
            )
        return w2 - self.measure.coef

    def kappa_and_sums(self, lam: np.ndarray, N: np.ndarray):
        """kappa(lam, N) and, at it, df2 and sum_j c_j^2 l_j/(l_j+kappa)^2 (from the spectrum's
        functionals: direct sums, the Chebyshev table or the power law's exact tail)."""
        lam = np.ascontiguousarray(lam, dtype=float)
        N = np.ascontiguousarray(N, dtype=float)
        key = lam.tobytes() + b"|" + N.tobytes() + str(lam.shape).encode()
        if key not in self._kappa:
            kappa = solve_kappa(self.fun, lam, N, method=self.method)
            df2 = np.full(kappa.shape, self.d)
            gc2 = np.zeros(kappa.shape)
            # N - df2 without cancellation (a spectral gap at N makes the difference worthless)
            D = denominator(self.fun, kappa, lam, N, self.method).reshape(kappa.shape)
            pos = kappa > 0
            if np.any(pos):
                f = self.fun.evaluate(kappa[pos], self.method, names=("df2", "bias_scaled"))
                df2[pos] = f["df2"]
                gc2[pos] = f["bias_scaled"] / kappa[pos] ** 2
            self._kappa[key] = (kappa, {"df2": df2, "gc2": gc2, "D": D})
        return self._kappa[key]

    def ensure_measure(self, kappa_min: float) -> None:
        if self.measure is None or getattr(self.measure, "kappa_min", kappa_min) > kappa_min:
            self.measure = measure_for(self.fun, kappa_min)
            self.states.clear()
            self.pool.clear()


def _fields(fit: ResolvedFit):
    out = [("lam", fit.lam)]
    for k, b in enumerate(fit.blocks):
        out += [(f"rows{k}", b.rows), (f"noise{k}", b.noise)]
    return out


def _signatures(pipeline: Pipeline, upto: int, flat: dict) -> list[bytes]:
    """A digest of fits[:i+1] (structure and parameter values) for every i < upto, chained so
    that the whole list costs O(upto)."""
    import hashlib

    out, h = [], hashlib.sha1()
    for fit in pipeline.resolved[:upto]:
        h.update(
            repr(
                (
                    fit.name,
                    tuple((b.teacher, b.design_id, b.fresh_design, b.reused_labels) for b in fit.blocks),
                )
            ).encode()
        )
        for f, _ in _fields(fit):
            h.update(flat[(fit.name, f)].tobytes())
        out.append(h.copy().digest())
    return out


def evaluate_pipeline(
    pipeline: Pipeline, context: EvaluationContext, last_teachers: list[str] | None = None
) -> dict[str, np.ndarray]:
    """Bias, variance, collapse, test error and the last fit's kappa over the pipeline's grid.

    ``last_teachers``: evaluate the last fit (one block on fresh rows) once for each of these
    teachers (fit names, or the truth) in place of its declared one; the outputs then have a
    leading axis over them.  A grid over a chain's length ``n`` is one propagation of the longest
    chain and one stacked contraction.
    """
    kinds = fit_kinds(pipeline)
    fits = pipeline.resolved
    shape = pipeline.grid_shape()
    nd = len(shape)

    def pad(x):
        a = np.asarray(x, dtype=float)
        return a.reshape((1,) * (nd - a.ndim) + a.shape)

    up_fits, last = fits[:-1], fits[-1]
    up_shape = (
        np.broadcast_shapes(*[pad(v).shape for f in up_fits for _, v in _fields(f)]) if up_fits else (1,) * nd
    )
    last_shape = np.broadcast_shapes(*[pad(v).shape for _, v in _fields(last)])
    U, L = int(np.prod(up_shape)), int(np.prod(last_shape))
    flat_up = {
        (f.name, k): np.broadcast_to(pad(v), up_shape).reshape(U) for f in up_fits for k, v in _fields(f)
    }
    flat_last = {(last.name, k): np.broadcast_to(pad(v), last_shape).reshape(L) for k, v in _fields(last)}

    # every fit's kappa once, over its own settings (the measure must resolve the smallest)
    solved = {}
    for f, flat in [(f, flat_up) for f in up_fits] + [(last, flat_last)]:
        N = np.sum([flat[(f.name, f"rows{k}")] for k in range(len(f.blocks))], axis=0)
        solved[f.name] = context.kappa_and_sums(np.broadcast_to(flat[(f.name, "lam")], N.shape), N)
    positive = [k[k > 0].min() for k, _ in solved.values() if np.any(k > 0)]
    context.ensure_measure(min(positive) if positive else 1.0)
    nodes = context.built_measure.eigenvalues.size
    if U * nodes * 4 * max(1, len(up_fits)) > _STATE_BUDGET * 8:
        raise ValueError(
            f"the grid over the generators' parameters has {U} settings x {nodes} "
            "spectral nodes: too large to hold the chain's state vectors; split the "
            "grid"
        )

    # upstream state on (U, 1, 1) scalars
    up_params = {k: v.reshape(U, 1, 1) for k, v in flat_up.items()}
    up_be = NumericBackend(context, up_params, solved, lambda a: a.reshape(U, 1, 1), low_rank=True)
    state = propagate(up_be, pipeline, kinds)
    _share_cache(context, pipeline, state, flat_up, len(up_fits))
    stack = 1
    declared = [b.teacher for b in last.blocks]
    if last_teachers is not None and list(last_teachers) != declared:
        stack = len(last_teachers)
        if stack * U * nodes * 2 > _STATE_BUDGET * 8:
            raise ValueError(
                f"{stack} teachers x {U} generator settings x {nodes} spectral nodes "
                "are too many to stack: split the grid"
            )

        def stacked(moment):
            values = [None if t == TRUTH else moment(t) for t in last_teachers]
            if all(v is None or isinstance(v, LowRankState) for v in values):  # stack the weights
                weights: dict[int, tuple[np.ndarray, np.ndarray]] = {}
                for i, v in enumerate(values):
                    for s, vec in [] if v is None else v.terms:
                        if id(vec) not in weights:
                            weights[id(vec)] = (np.zeros((len(values) * U, 1, 1)), vec)
                        weights[id(vec)][0][i * U : (i + 1) * U] += s
                return LowRankState(list(weights.values()), context.pool)
            return np.concatenate(
                [
                    np.broadcast_to(
                        0.0 if v is None else v.materialise() if isinstance(v, LowRankState) else v,
                        (U, 1, nodes),
                    )
                    for v in values
                ]
            )

        state = with_stacked_teacher(state, stacked(state.k), stacked(lambda t: state.h(t, t)))

    full = np.broadcast_shapes(up_shape, last_shape)
    u_idx = np.broadcast_to(np.arange(U).reshape(up_shape), full).reshape(-1)
    l_idx = np.broadcast_to(np.arange(L).reshape(last_shape), full).reshape(-1)
    if stack > 1:  # stacked settings: teacher-major
        u_idx = (np.arange(stack)[:, None] * U + u_idx).reshape(-1)
        l_idx = np.tile(l_idx, stack)
        U, full = stack * U, (stack,) + full
    P = u_idx.size
    mode = "cross" if U * L <= 4 * P + 4096 else "pair"
    parts = {name: np.empty(P) for name in ("clean_bias", "variance", "collapse")}
    cache: dict = {}
    if mode == "cross":
        cross = {name: np.empty((U, L)) for name in parts}
        # the last fit's vectors depend on its grid only through kappa: with the table method
        # and many more grid points than Chebyshev nodes, interpolate their contractions
        k_last = solved[last.name][0]
        tabled = False
        if context.method == "table" and np.all(k_last > 0):
            u = np.log(k_last)
            n_panels = np.unique(np.floor(u / _PANEL)).size
            tabled = L > 4 * _NODES * n_panels
        step = max(1, min(_CHUNK // max(nodes, 1), _CHUNK // max(U, 1)))
        if tabled:
            step = max(1, _CHUNK // (_NODES * max(U, 1)))
        for s in range(0, L, step):
            sl = slice(s, min(L, s + step))
            lp = {k: v[sl].reshape(1, -1, 1) for k, v in flat_last.items()}
            be = NumericBackend(context, lp, solved, lambda a, sl=sl: a[sl].reshape(1, -1, 1), tabled=tabled)
            res = last_fit_error(state, be, _Join(be, "cross", cache=cache))
            for name in parts:
                cross[name][:, sl] = np.broadcast_to(res[name], (U, sl.stop - sl.start, 1))[..., 0]
        # the generators' axes before the last fit's (and stacked teachers first): the grid is
        # the (U, L) table in order
        in_order = any(
            all(x == 1 for x in up_shape[k:]) and all(x == 1 for x in last_shape[:k]) for k in range(nd + 1)
        )
        for name in parts:
            parts[name] = cross[name].reshape(-1) if in_order else cross[name][u_idx, l_idx]
    else:
        step = max(1, _CHUNK // max(nodes, 1))
        for s in range(0, P, step):
            sl = slice(s, min(P, s + step))
            sel = l_idx[sl]
            lp = {k: v[sel].reshape(-1, 1, 1) for k, v in flat_last.items()}
            be = NumericBackend(context, lp, solved, lambda a, sel=sel: a[sel].reshape(-1, 1, 1))
            res = last_fit_error(state, be, _Join(be, "pair", u_sel=u_idx[sl], cache=cache))
            for name in parts:
                parts[name][sl] = np.broadcast_to(res[name], (sl.stop - sl.start, 1, 1))[:, 0, 0]
    out = {
        "bias": parts["clean_bias"],
        "variance": parts["variance"],
        "collapse": parts["collapse"],
        "kappa": solved[last.name][0][l_idx],
    }
    out = {k: v.reshape(full) for k, v in out.items()}
    if last_teachers is not None and stack == 1:
        out = {k: v[None] for k, v in out.items()}
    out["test_error"] = out["bias"] + out["variance"] + out["collapse"]
    return out


def _share_cache(context, pipeline, state, flat_up, n_up) -> None:
    """Seed ``state`` with the moments computed for an earlier pipeline with the same prefix, and
    record this one's (a grid over ``n`` reuses every prefix of the chain)."""
    fits = pipeline.resolved
    sigs = _signatures(pipeline, n_up, flat_up)
    for i in range(n_up):  # in order, so that each step recurses one fit deep
        name = fits[i].name
        hit = context.states.get(sigs[i])
        if hit is not None:
            state.K.setdefault(name, hit[0])
            state.H.setdefault((name, name), hit[1])
        else:
            context.states[sigs[i]] = (state.k(name), state.h(name, name))


def _as_output(x):
    x = np.asarray(x, dtype=float)
    return x[()] if x.ndim == 0 else x


def predict_pipeline(pipeline: Pipeline, eigenvalues, w0=None, *, method: str = "auto") -> PipelinePrediction:
    """The derived test error of ``pipeline`` on a spectrum, over the pipeline's grid."""
    fun = functionals_of(eigenvalues, w0)
    if method not in ("auto", "exact", "table"):
        raise ValueError(f"method must be 'auto', 'exact' or 'table', got {method!r}")
    if method == "auto":
        method = "exact" if int(np.prod(pipeline.grid_shape())) * min(fun.d, 10_000) <= 2_000_000 else "table"
    ctx = EvaluationContext(fun, method)
    ctx.fixed = dict(pipeline.teachers)
    out = evaluate_pipeline(pipeline, ctx)
    return PipelinePrediction(**{k: _as_output(v) for k, v in out.items()})


_hooks.register("pipeline.predict", predict_pipeline)
