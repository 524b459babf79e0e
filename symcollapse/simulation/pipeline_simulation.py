r"""``simulate_pipeline``: Monte-Carlo of the data process a :class:`~.declaration.Pipeline` declares.

Nothing here uses the theory: the simulator only draws data, fits estimators and measures errors.
It works in the eigenbasis of :math:`\Sigma`: a design of ``rows`` Gaussian rows is
``X = Z S`` with ``Z`` standard normal (``rows x d``) and ``S = diag(sqrt(eigenvalues))``, and
every fit is computed from ``Z`` and ``S`` (``S`` is never multiplied into ``Z``).  Per
repetition:

.. code-block:: text

    w["truth"] = w0
    for fit in pipeline (declaration order):
        for block in fit:
            Reuse of an earlier block:  rows and labels of that block, exactly as they were
            otherwise:  rows  = fresh Gaussian rows         (design None, or a named design's first use)
                              | the named design's rows     (a later use of that name)
                        labels = rows @ w[block.teacher] + block.noise * fresh normals
        w[fit] = argmin (1/N)||X v - y||^2 + lam ||v||^2   (X, y: the blocks stacked, N rows;
                                                            min-norm least squares if lam = 0)
    err = (w[last] - w0)' Sigma (w[last] - w0) = sum(eigenvalues * (w[last] - w0)**2)

which is the excess risk on a clean test set of infinite size.

Two methods, the same distribution of the samples
-------------------------------------------------

``method="faithful"`` draws every design as it is: ``Z`` of ``rows x d`` standard normals.

``method="fast"`` (the default) is exact in distribution and removes most of the work.  A fit
in primal form depends on a design only through ``X'X`` and ``X'y_b`` for the blocks ``b`` on
it.  For ``Z`` (``rows >= d``) write ``Z = Q R`` (thin QR, ``R`` upper triangular ``d x d``):
by Bartlett's decomposition ``R`` has independent entries, ``R_ii = sqrt(chi2(rows - i))``
(``i = 0..d-1``) and ``R_ij ~ N(0, 1)`` above the diagonal, and ``Q`` is independent of ``R``
(Haar), so for label noises ``e_1, e_2, ..`` of the blocks on that design
``(Z'Z, Z'e_1, Z'e_2, ..) = (R'R, R'z_1, R'z_2, ..)`` in distribution with ``z_k = Q'e_k`` i.i.d.
``N(0, I_d)``.  The fast method therefore replaces every design with ``rows >= d`` by its
``d x d`` factor ``R`` (a *compressed design*: ``d`` rows standing for ``rows``; the fit keeps
its normalisation ``1/N`` with the true ``N``) and each of its labels by ``R S w + noise * z``
(``d`` numbers); designs with ``rows < d`` are drawn as they are.  A least-squares fit on one
compressed design is a triangular solve (``O(d^2)``), a ridge fit a ``d x d`` Cholesky
factorisation, cached and reused by every fit of the same design(s), ``N`` and ``lam``.
Per design of ``T`` rows the work falls from ``T d^2`` flops and ``T d`` normal draws to
``d^3`` (ridge) or ``d^2`` (least squares) flops and ``d^2 / 2`` draws.  ``tests/
test_simulate_fast.py`` checks that both methods agree in distribution (means, variances,
two-sample Kolmogorov-Smirnov and Anderson-Darling tests).

Random numbers
--------------

A seed (int, ``SeedSequence``) or a ``numpy.random.Generator`` fixes the samples, for a given
method and batch size (``batch_bytes``).  Repetitions run in batches of ``B``; within a batch the
numbers are drawn in the declaration order of fits and blocks, each draw an array with the
batch as first axis:

* faithful, and fast for a design with ``rows < d``: a block with new rows draws
  ``standard_normal((B, rows, d))`` (``Z``), then every block that is not a ``Reuse`` draws its
  label noise ``standard_normal((B, rows))``;
* fast, a design with ``rows >= d``: at its first use ``chisquare(rows - arange(d), (B, d))``
  (the squared diagonal of ``R``) and then ``standard_normal((B, d (d - 1) / 2))`` (the strict
  upper triangle of ``R`` in row-major order, ``numpy.triu_indices(d, 1)``); every block on it that
  is not a ``Reuse`` draws ``standard_normal((B, d))`` (its ``z``).

Threads
-------

The simulation runs with one BLAS thread (``threads`` option to change it).  Its calls are many
medium-size GEMMs and factorisations, one per repetition; on this shared 2-core machine a
two-thread OpenBLAS pool busy-waits against the other process and collapses (measured: batched
Gram matrices 75 GFLOP/s on one thread against 6.5 on two, a 300 x 300 Cholesky solve 0.47 ms
against 26 ms, earlier 0.24 s against 83 s for a whole simulation).  Parallelism comes from
running settings in separate processes (:func:`symcollapse.sweep`), one thread each.

:func:`symcollapse.simulate` is this simulator run on :func:`~.workflows.replace`.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.linalg import lapack
from threadpoolctl import threadpool_limits

from symcollapse import _hooks
from symcollapse import _validation as V
from symcollapse.numeric.spectra import spectrum_arrays
from symcollapse.pipeline.declaration import TRUTH, Pipeline
from symcollapse.simulation.monte_carlo import SimulationResult

__all__ = ["simulate_pipeline", "METHODS", "essential_flops"]

#: the simulation methods: ``"fast"`` (exact shortcut, the default) and ``"faithful"``.
METHODS = ("fast", "faithful")
#: target size of the arrays of one batch of repetitions.
_BATCH_BYTES = 48 * 2**20
#: refuse a simulation estimated above this many floating-point operations (days of work).
MAX_FLOPS = 1e14
#: refuse a simulation whose single repetition (or whose samples) need more memory than this.
MAX_BYTES = 4 * 2**30
_OPTIONS = {
    "max_flops": MAX_FLOPS,
    "max_bytes": MAX_BYTES,
    "batch_bytes": _BATCH_BYTES,
    "method": "fast",
    "threads": 1,
}


# --------------------------------------------------------------------------- linear algebra
def _cho_solve(C: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``A^{-1} b`` per repetition from lower Cholesky factors ``C`` (B, k, k) of ``A``; b (B, k)."""
    out = np.empty_like(b)
    for i in range(b.shape[0]):
        x, info = lapack.dpotrs(C[i], b[i], lower=1)
        if info != 0:  # pragma: no cover - LAPACK argument error
            raise np.linalg.LinAlgError(f"dpotrs failed with info = {info}")
        out[i] = x
    return out


def _cholesky(A: np.ndarray) -> np.ndarray:
    """Lower Cholesky factors of a stack of symmetric positive definite matrices."""
    return np.linalg.cholesky(A)


def _upper_solve(R: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``R^{-1} b`` per repetition, ``R`` (B, k, k) upper triangular."""
    out = np.empty_like(b)
    for i in range(b.shape[0]):
        x, info = lapack.dtrtrs(R[i], b[i], lower=0)
        if info != 0:
            raise np.linalg.LinAlgError(f"singular triangular factor (dtrtrs info = {info})")
        out[i] = x
    return out


def _gram(X: np.ndarray) -> np.ndarray:
    """``X' X`` per repetition (a batched GEMM; einsum would not call BLAS)."""
    return np.matmul(np.swapaxes(X, -1, -2), X)


def _matvec(X: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``X v`` per repetition: X (B, r, c), v (B, c) -> (B, r)."""
    return np.matmul(X, v[..., None])[..., 0]


def _tmatvec(X: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``X' v`` per repetition: X (B, r, c), v (B, r) -> (B, c)."""
    return np.matmul(v[..., None, :], X)[..., 0, :]


# --------------------------------------------------------------------------- the estimators
#: below this ratio of the smallest to the largest squared diagonal entry of a Cholesky factor
#: (a cheap lower bound on the inverse condition number) the normal equations are not trusted
#: and least squares falls back to QR.
_COND_FLOOR = 1e-10


def _safe_cholesky(A: np.ndarray) -> np.ndarray | None:
    """Lower Cholesky factors of ``A``, or ``None`` if one is (nearly) singular."""
    try:
        C = np.linalg.cholesky(A)
    except np.linalg.LinAlgError:
        return None
    diag = np.diagonal(C, axis1=-2, axis2=-1) ** 2
    if np.any(diag.min(axis=-1) < _COND_FLOOR * diag.max(axis=-1)):
        return None
    return C


def _lstsq_min_norm(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Batched least squares ``pinv(X) @ y`` (minimum-norm when rows < columns).

    The normal equations of the short side by Cholesky (``X'X v = X'y``, or ``X X' a = y`` and
    ``X' a``), unless a factor is ill-conditioned; then QR of the short side (``X' = Q R``,
    ``Q R'^{-1} y`` for rows < columns).
    """
    rows, cols = X.shape[-2:]
    if rows >= cols:
        C = _safe_cholesky(_gram(X))
        if C is not None:
            return _cho_solve(C, _tmatvec(X, y))
        Q, R = np.linalg.qr(X)
        return _upper_solve(R, _tmatvec(Q, y))
    C = _safe_cholesky(np.matmul(X, np.swapaxes(X, -1, -2)))
    if C is not None:
        return _tmatvec(X, _cho_solve(C, y))
    Q, R = np.linalg.qr(np.swapaxes(X, -1, -2))  # X' = Q R: (B,cols,rows), (B,rows,rows)
    z = np.empty_like(y)
    RT = np.swapaxes(R, -1, -2)
    for i in range(y.shape[0]):  # R' z = y, R' lower triangular
        z[i], info = lapack.dtrtrs(RT[i], y[i], lower=1)
        if info != 0:
            raise np.linalg.LinAlgError(f"rank-deficient design (dtrtrs info = {info})")
    return _matvec(Q, z)


def _ridge(X: np.ndarray, Y: np.ndarray, lam: float) -> np.ndarray:
    """Batched ridge ``argmin (1/T)||Xv - Y||^2 + lam ||v||^2`` (primal or dual form)."""
    if lam == 0:
        return _lstsq_min_norm(X, Y)
    T, d = X.shape[-2:]
    if T >= d:
        A = _gram(X) / T
        A[..., np.arange(d), np.arange(d)] += lam
        return _cho_solve(_cholesky(A), _tmatvec(X, Y) / T)
    G = np.matmul(X, np.swapaxes(X, -1, -2)) / T
    G[..., np.arange(T), np.arange(T)] += lam
    return _tmatvec(X, _cho_solve(_cholesky(G), Y)) / T


class _Cache:
    """Per-batch Gram matrices and Cholesky factors, shared by fits on the same design(s).

    ``keep``: the designs whose Gram matrix a later fit needs again; ``reuse``: the factorisation
    keys ``(designs with multiplicities, N, lam)`` that occur in more than one fit.
    """

    def __init__(self, keep: frozenset[str], reuse: frozenset[tuple]) -> None:
        self.keep, self.reuse = keep, reuse
        self.gram: dict[str, np.ndarray] = {}
        self.chol: dict[tuple, np.ndarray] = {}

    def drop(self, design_id: str) -> None:
        self.gram.pop(design_id, None)
        for key in [k for k in self.chol if any(design_id == g for g, _ in k[0])]:
            del self.chol[key]


def _label_sum(parts: list[tuple[str, np.ndarray, np.ndarray]], members: list[int]) -> np.ndarray:
    """The sum of the labels of the blocks ``members`` (copies of one design)."""
    total = parts[members[0]][2]
    for i in members[1:]:
        total = total + parts[i][2]
    return total


def _fit(
    parts: list[tuple[str, np.ndarray, np.ndarray]],
    N: int,
    lam: float,
    s: np.ndarray,
    cache: _Cache,
    compressed: AbstractSet[str],
) -> np.ndarray:
    """The ridge of one fit: ``argmin (1/N)||X v - y||^2 + lam ||v||^2`` with ``X = F S`` the
    blocks' factors ``F`` stacked (``parts``: ``(design_id, F, y)`` per block), ``S = diag(s)``.

    A design that appears several times in one fit (a named design used twice, or a
    :class:`Reuse`) repeats the same rows, so the stacked matrix is rank deficient; its ``m``
    copies with labels ``y_1..y_m`` count as one copy ``sqrt(m) F`` with labels
    ``sqrt(m) mean(y_i)``, which changes the objective by a constant only (same minimiser, same
    minimum-norm solution).  Compressed designs (``compressed``: ``d x d`` Bartlett factors
    standing for more rows) enter only through ``F'F`` and ``F'y``, which is all a primal fit
    needs.
    """
    groups: dict[str, list[int]] = {}
    for i, (key, _, _) in enumerate(parts):
        groups.setdefault(key, []).append(i)
    d = s.size
    stacked_rows = sum(parts[m[0]][1].shape[1] for m in groups.values())
    if lam == 0 and len(groups) == 1 and next(iter(groups)) in compressed:
        # least squares on one compressed design: R S v = mean(y), a triangular solve
        members = next(iter(groups.values()))
        ybar = _label_sum(parts, members) / len(members)
        return _upper_solve(parts[members[0]][1], ybar) / s
    if stacked_rows < d:
        # fewer distinct rows than columns (explicit designs only): the dual / min-norm form
        Xs, ys, n_stacked = [], [], 0
        for members in groups.values():
            m = len(members)
            F = parts[members[0]][1]
            ybar = _label_sum(parts, members) / m
            Xs.append(F * (s * np.sqrt(m)) if m > 1 else F * s)
            ys.append(ybar * np.sqrt(m) if m > 1 else ybar)
            n_stacked += F.shape[1]
        X = Xs[0] if len(Xs) == 1 else np.concatenate(Xs, axis=1)
        y = ys[0] if len(ys) == 1 else np.concatenate(ys, axis=1)
        return _ridge(X, y, lam * N / n_stacked)
    # the primal form: (S G S / N + lam I) w = S r / N, G = sum m F'F, r = sum F'y
    signature = tuple(sorted((key, len(m)) for key, m in groups.items()))
    chol_key = (signature, N, lam)
    C = cache.chol.get(chol_key)
    r: np.ndarray | None = None
    for members in groups.values():
        F = parts[members[0]][1]
        ysum = _label_sum(parts, members)
        r = _tmatvec(F, ysum) if r is None else r + _tmatvec(F, ysum)
    assert r is not None  # a fit has at least one block
    if C is None:
        G: np.ndarray | None = None
        for design, members in groups.items():
            g = cache.gram.get(design)
            if g is None:
                g = _gram(parts[members[0]][1])
                if design in cache.keep:
                    cache.gram[design] = g
            g = g * len(members) if len(members) > 1 else g
            G = g.copy() if G is None else G + g
        assert G is not None
        if lam == 0:  # whitened normal equations: G v = r, w = v / s
            A = G
        else:
            A = G * (np.outer(s, s) / N)
            A[..., np.arange(d), np.arange(d)] += lam
        C = _safe_cholesky(A) if lam == 0 else _cholesky(A)
        if C is None:  # ill-conditioned least squares: QR of the stacked factors
            Fs, ys = [], []
            for members in groups.values():
                m = len(members)
                Fs.append(parts[members[0]][1] * np.sqrt(m))
                ys.append(_label_sum(parts, members) / np.sqrt(m))
            return _lstsq_min_norm(np.concatenate(Fs, axis=1), np.concatenate(ys, axis=1)) / s
        if chol_key in cache.reuse:
            cache.chol[chol_key] = C
    if lam == 0:
        return _cho_solve(C, r) / s
    return _cho_solve(C, r * (s / N))


# --------------------------------------------------------------------------- the plan
@dataclass(frozen=True)
class _Block:
    rows: int
    teacher: str
    noise: float
    design_id: str
    label_id: str
    draw_rows: bool  # the first use of its rows
    reuse_labels: bool  # a Reuse: rows and labels of an earlier block
    keep_labels: bool  # a later Reuse needs these labels


@dataclass(frozen=True)
class _Fit:
    name: str
    lam: float
    blocks: tuple[_Block, ...]
    rows: int  # N, the rows of the stacked blocks
    groups: tuple[tuple[int, ...], ...] | None  # blocks sharing rows (None: all distinct)
    drop_designs: tuple[str, ...]  # rows no later fit uses
    drop_labels: tuple[str, ...]  # labels no later fit reuses
    drop_outputs: tuple[str, ...]  # teachers no later fit uses

    @property
    def chol_key(self) -> tuple:
        """What the factorisation of this fit's primal system depends on."""
        count: dict[str, int] = {}
        for b in self.blocks:
            count[b.design_id] = count.get(b.design_id, 0) + 1
        return (tuple(sorted(count.items())), self.rows, self.lam)


def _one_setting(pipeline: Pipeline) -> None:
    """Every numeric field must be a scalar (name the first array-valued one); rows integers."""
    for fit in pipeline.resolved:
        fields = [(f"lam of fit {fit.name!r}", fit.lam)]
        for k, blk in enumerate(fit.blocks):
            fields += [
                (f"rows of fit {fit.name!r}, block {k}", blk.rows),
                (f"noise of fit {fit.name!r}, block {k}", blk.noise),
            ]
        for where, value in fields:
            if np.ndim(value) != 0:
                raise ValueError(
                    f"simulate runs one setting, but the {where} is array-valued (shape "
                    f"{np.shape(value)}, a grid of settings): give every numeric field one number "
                    "and simulate the settings one at a time (predict evaluates grids)"
                )
    for fit in pipeline.resolved:
        for k, blk in enumerate(fit.blocks):
            if float(blk.rows) != round(float(blk.rows)):
                raise ValueError(
                    f"fit {fit.name!r}, block {k}: simulate draws whole rows, so rows "
                    f"must be an integer, got {float(blk.rows)!r}"
                )
    if pipeline.grid_shape() != ():  # pragma: no cover - implied by the loop above
        raise ValueError("simulate runs one setting: every numeric field must be a number")


def _plan(pipeline: Pipeline) -> tuple[_Fit, ...]:
    fits = pipeline.resolved
    last_design: dict[str, int] = {}
    last_label: dict[str, int] = {}
    last_teacher: dict[str, int] = {}
    for f, fit in enumerate(fits):
        for blk in fit.blocks:
            last_design[blk.design_id] = f
            if blk.reused_labels:
                last_label[blk.label_id] = f
            else:
                last_teacher[blk.teacher] = f
    plan = []
    for f, fit in enumerate(fits):
        blocks = tuple(
            _Block(
                rows=int(round(float(b.rows))),
                teacher=b.teacher,
                noise=float(b.noise),
                design_id=b.design_id,
                label_id=b.label_id,
                draw_rows=bool(b.fresh_design),
                reuse_labels=bool(b.reused_labels),
                keep_labels=(not b.reused_labels) and b.label_id in last_label,
            )
            for b in fit.blocks
        )
        order: dict[str, list[int]] = {}
        for i, b in enumerate(blocks):
            order.setdefault(b.design_id, []).append(i)
        groups = None if all(len(m) == 1 for m in order.values()) else tuple(tuple(m) for m in order.values())
        used = {b.design_id for b in blocks}
        labels = {b.label_id for b in blocks}
        teachers = {b.teacher for b in blocks if not b.reuse_labels}
        plan.append(
            _Fit(
                name=fit.name,
                lam=float(fit.lam),
                blocks=blocks,
                rows=sum(b.rows for b in blocks),
                groups=groups,
                drop_designs=tuple(k for k in used if last_design[k] == f),
                drop_labels=tuple(k for k in labels if last_label.get(k) == f),
                drop_outputs=tuple(
                    t for t in teachers if t != TRUTH and t not in pipeline.teachers and last_teacher[t] == f
                ),
            )
        )
    return tuple(plan)


def _compressed(plan: tuple[_Fit, ...], d: int, method: str) -> frozenset[str]:
    """The designs the fast method replaces by their ``d x d`` Bartlett factor (rows >= d)."""
    if method != "fast":
        return frozenset()
    return frozenset(b.design_id for fit in plan for b in fit.blocks if b.rows >= d)


def _sized(plan: tuple[_Fit, ...], compressed: frozenset[str], d: int) -> tuple[_Fit, ...]:
    """The plan with each compressed design's rows replaced by ``d`` (its stored size)."""
    out = []
    for fit in plan:
        blocks = tuple(
            _Block(**{**b.__dict__, "rows": d}) if b.design_id in compressed else b for b in fit.blocks
        )
        out.append(_Fit(**{**fit.__dict__, "blocks": blocks, "rows": sum(b.rows for b in blocks)}))
    return tuple(out)


def _floats_per_repetition(plan: tuple[_Fit, ...], d: int) -> tuple[int, str, int]:
    """Memory of one repetition, in floats: ``(peak, fit, basis)``.

    ``peak`` is the largest number of floats alive at once and ``fit`` the fit where it is: a
    fit of ``N`` rows holds its design (twice when it stacks several blocks) and the work arrays
    of its factorisation, ``2 N d + min(N, d)^2`` (``3 N d + ...`` when stacked); designs and
    labels kept for later fits add their size.  Vectors of length ``d`` (the teachers' outputs)
    are neglected.  ``basis >= peak`` sizes the batches: ``3 max(N, d) d`` per fit plus what is
    kept, or ``peak`` if that is larger (a fit stacking several blocks).  For the fast method
    the plan is :func:`_sized` first (a compressed design holds ``d x d`` floats).
    """
    first: dict[tuple[str, str], int] = {}
    last: dict[tuple[str, str], int] = {}
    size: dict[tuple[str, str], int] = {}
    for f, fit in enumerate(plan):
        for b in fit.blocks:
            for key, floats in ((("rows", b.design_id), b.rows * d), (("labels", b.label_id), b.rows)):
                if key[0] == "labels" and not (b.keep_labels or b.reuse_labels):
                    continue
                first.setdefault(key, f)
                last[key] = f
                size[key] = floats
    peak, where, basis = 0, plan[-1].name, 0
    for f, fit in enumerate(plan):
        here = {("rows", b.design_id) for b in fit.blocks} | {("labels", b.label_id) for b in fit.blocks}
        kept = sum(size[k] for k in size if first[k] < f < last[k] and k not in here)
        copies = 2 if len(fit.blocks) == 1 else 3
        floats = copies * fit.rows * d + min(fit.rows, d) ** 2 + kept
        if floats > peak:
            peak, where = floats, fit.name
        basis = max(basis, floats, 3 * max(fit.rows, d) * d + kept)
    return peak, where, basis


def essential_flops(pipeline: Pipeline, d: int) -> float:
    """The floating-point work of one repetition of ``pipeline`` done the faithful way.

    Per fit of ``N`` stacked rows (distinct designs counted once): the Gram matrix,
    ``N d^2`` (a symmetric rank-``N`` update; ``N^2 d`` in the dual form when ``N < d``), its
    Cholesky factorisation ``m^3 / 3`` and two triangular solves ``2 m^2`` (``m = min(N, d)``),
    ``X'y``, ``2 N d``; per labelled block, ``X w``, ``2 rows d``.  The normal draws of the
    designs are not counted.  This is the yardstick of ``benchmarks/bench_simulate.py``.
    """
    total = 0.0
    for fit in _plan(pipeline):
        seen: dict[str, int] = {}
        for b in fit.blocks:
            seen.setdefault(b.design_id, b.rows)
            if not b.reuse_labels:
                total += 2.0 * b.rows * d
        N = sum(seen.values())
        m = min(N, d)
        total += float(N) * d * m + m**3 / 3 + 2 * m**2 + 2.0 * N * d
    return total


def _options(options: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(options) - set(_OPTIONS))
    if unknown:
        raise TypeError(f"simulate got unknown option(s) {unknown}; the options are {sorted(_OPTIONS)}")
    out = dict(_OPTIONS)
    for key, value in options.items():
        if key == "method":
            if value not in METHODS:
                raise ValueError(
                    f"method must be one of {METHODS} ('fast': exact Bartlett "
                    f"shortcut, 'faithful': every design drawn), got {value!r}"
                )
            out[key] = value
            continue
        if key == "threads":
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"threads must be an integer >= 1 (BLAS threads), got {value!r}")
            out[key] = int(value)
            continue
        if isinstance(value, (bool, np.bool_)) or np.ndim(value) != 0:
            raise ValueError(f"{key} must be a positive number, got {value!r}")
        arr = V.as_float_array(value, key)
        if not arr > 0:
            raise ValueError(f"{key} must be a positive number, got {value!r}")
        out[key] = float(arr)
    return out


def _reps(reps: Any) -> int:
    if isinstance(reps, (bool, np.bool_)) or np.ndim(reps) != 0:
        raise ValueError(f"reps must be an integer >= 2 (the number of repetitions), got {reps!r}")
    return int(V.count(reps, "reps", minimum=2))


def estimate(pipeline: Pipeline, d: int, reps: int, **options) -> dict[str, Any]:
    """The work of a simulation before doing it: ``flops``, ``bytes`` of one repetition,
    ``batch`` (repetitions per batch) and ``peak_bytes`` (one batch); raises ``ValueError`` when
    it exceeds ``max_flops`` / ``max_bytes`` (naming the fit and the parameter to lower)."""
    opts = _options(options)
    _one_setting(pipeline)
    plan = _plan(pipeline)
    compressed = _compressed(plan, d, opts["method"])
    sized = _sized(plan, compressed, d)
    per_rep, where, basis = _floats_per_repetition(sized, d)
    worst = next(fit for fit in plan if fit.name == where)
    if 8.0 * per_rep > opts["max_bytes"]:
        raise ValueError(
            f"one repetition needs about {8.0 * per_rep / 2**30:.3g} GiB (fit {where!r}: rows = "
            f"{worst.rows}, d = {d}), more than max_bytes = {opts['max_bytes'] / 2**30:.3g} GiB: "
            f"lower the rows of fit {where!r} or d"
        )
    cost = [float(fit.rows) * d * min(fit.rows, d) for fit in sized]
    flops = reps * sum(cost)
    if flops > opts["max_flops"]:
        big = plan[int(np.argmax(cost))]
        raise ValueError(
            f"simulate would take about {flops:.2g} flops (reps = {reps} x the sum over fits of "
            f"rows*d*min(rows, d), rows >= d counting as d for the fast method, d = {d}; the largest is fit {big.name!r} with rows = "
            f"{big.rows}), more than max_flops = {opts['max_flops']:.2g}: lower reps, the rows "
            "or d"
        )
    if 8.0 * reps > opts["max_bytes"]:
        raise ValueError(
            f"reps = {reps} needs {8.0 * reps / 2**30:.3g} GiB for the samples alone, "
            f"more than max_bytes = {opts['max_bytes'] / 2**30:.3g} GiB: lower reps"
        )
    batch = int(max(1, min(reps, opts["batch_bytes"] // (8 * basis))))
    return dict(
        flops=flops,
        bytes=8.0 * per_rep,
        batch=batch,
        peak_bytes=8.0 * batch * basis,
        per_rep=per_rep,
        plan=plan,
        compressed=compressed,
        options=opts,
    )


# --------------------------------------------------------------------------- the simulator
def simulate_pipeline(
    pipeline: Pipeline, eigenvalues, w0=None, *, reps: int = 100, seed=None, **options
) -> SimulationResult:
    """Monte-Carlo of the data process ``pipeline`` declares, for one setting.

    ``eigenvalues, w0``: the spectrum of :math:`\\Sigma` and the target in its eigenbasis (1-D
    arrays), or a :class:`~symcollapse.PowerLaw` with a finite ``d``.  ``reps >= 2``
    repetitions; ``seed`` an int, a ``SeedSequence``, ``None`` or a ``numpy.random.Generator``.
    Every numeric field of the pipeline must be a number (``pipeline.grid_shape() == ()``).

    Options: ``method`` ``"fast"`` (default: designs of ``rows >= d`` sampled through their
    Bartlett factor, exact in distribution, see the module docstring) or ``"faithful"`` (every
    design drawn row by row); ``max_flops`` (default ``1e14``) and ``max_bytes`` (default 4 GiB,
    the memory of one repetition and of the samples): the work is estimated first and refused
    above them; ``batch_bytes`` (default 48 MiB): the target memory of one batch of repetitions;
    ``threads`` (default 1): BLAS threads.

    Returns a :class:`~symcollapse.SimulationResult`: the mean test error of the last fit, its
    standard error (``std(ddof=1) / sqrt(reps)``), the samples, and ``settings``.
    """
    if not isinstance(pipeline, Pipeline):
        raise TypeError(f"simulate_pipeline needs a Pipeline, got {type(pipeline).__name__}")
    opts = _options(options)
    eigs, coefs = spectrum_arrays(eigenvalues, w0)
    d = int(eigs.size)
    for name, w2 in pipeline.teachers.items():
        if w2.shape != (d,):
            raise ValueError(
                f"the fixed teacher {name!r} has {w2.size} coefficients, the spectrum {d} eigenvalues"
            )
    _one_setting(pipeline)
    reps = _reps(reps)
    est = estimate(pipeline, d, reps, **options)
    plan, compressed, batch = est["plan"], est["compressed"], est["batch"]
    rng = V.generator(seed)
    with threadpool_limits(limits=opts["threads"], user_api="blas"):  # why: module docstring
        samples = _run(rng, eigs, coefs, plan, reps, batch, compressed, pipeline.teachers)
    settings = dict(
        pipeline=pipeline.name,
        d=d,
        reps=reps,
        batch=batch,
        flops=est["flops"],
        floats_per_batch=batch * est["per_rep"],
        method=opts["method"],
        fits=[
            dict(
                name=fit.name,
                lam=fit.lam,
                blocks=[
                    dict(
                        rows=b.rows,
                        teacher=b.teacher,
                        noise=b.noise,
                        design=b.design_id,
                        new_rows=b.draw_rows,
                        reused_labels=b.reuse_labels,
                    )
                    for b in fit.blocks
                ],
            )
            for fit in plan
        ],
    )
    return SimulationResult(
        mean=float(samples.mean()),
        stderr=float(samples.std(ddof=1) / np.sqrt(reps)),
        samples=samples,
        settings=settings,
    )


def _draw_bartlett(rng: np.random.Generator, B: int, rows: int, d: int) -> np.ndarray:
    """``R`` (B, d, d) upper triangular with ``R'R ~ Wishart(rows, I_d)`` (Bartlett)."""
    R = np.zeros((B, d, d))
    flat = R.reshape(B, d * d)
    flat[:, np.arange(d) * (d + 1)] = np.sqrt(rng.chisquare(rows - np.arange(d), size=(B, d)))
    if d > 1:
        i, j = np.triu_indices(d, 1)
        flat[:, i * d + j] = rng.standard_normal((B, i.size))
    return R


def _run(
    rng: np.random.Generator,
    eigs: np.ndarray,
    coefs: np.ndarray,
    plan: tuple[_Fit, ...],
    reps: int,
    batch: int,
    compressed: frozenset[str] = frozenset(),
    fixed: dict[str, np.ndarray] | None = None,
) -> np.ndarray:
    """The repetitions, ``batch`` at a time; returns the test errors of the last fit."""
    d = eigs.size
    s = np.sqrt(eigs)
    samples = np.empty(reps)
    fixed = fixed or {}
    uses: dict[str, set[int]] = {}
    keys: dict[tuple, int] = {}
    for f, fit in enumerate(plan):
        for b in fit.blocks:
            uses.setdefault(b.design_id, set()).add(f)
        keys[fit.chol_key] = keys.get(fit.chol_key, 0) + 1
    keep = frozenset(k for k, v in uses.items() if len(v) > 1)
    reuse = frozenset(k for k, v in keys.items() if v > 1)
    for start in range(0, reps, batch):
        B = min(batch, reps - start)
        outputs = {TRUTH: np.broadcast_to(coefs, (B, d)).copy()}
        outputs.update({name: np.broadcast_to(v, (B, d)) for name, v in fixed.items()})
        designs: dict[str, np.ndarray] = {}
        labels: dict[str, np.ndarray] = {}
        cache = _Cache(keep, reuse)
        w = outputs[TRUTH]
        for fit in plan:
            parts = []
            for b in fit.blocks:
                if b.reuse_labels:
                    F, y = designs[b.design_id], labels[b.label_id]
                else:
                    if b.draw_rows:
                        if b.design_id in compressed:
                            designs[b.design_id] = _draw_bartlett(rng, B, b.rows, d)
                        else:
                            Z = np.empty((B, b.rows, d))
                            rng.standard_normal(out=Z)
                            designs[b.design_id] = Z
                    F = designs[b.design_id]
                    y = np.empty((B, F.shape[1]))
                    rng.standard_normal(out=y)
                    y *= b.noise
                    y += _matvec(F, outputs[b.teacher] * s)
                    if b.keep_labels:
                        labels[b.label_id] = y
                parts.append((b.design_id, F, y))
            w = _fit(parts, fit.rows, fit.lam, s, cache, compressed)
            del parts
            outputs[fit.name] = w
            for key in fit.drop_designs:
                designs.pop(key, None)
                cache.drop(key)
            for key in fit.drop_labels:
                labels.pop(key, None)
            for key in fit.drop_outputs:
                outputs.pop(key, None)
        samples[start : start + B] = ((w - coefs) ** 2 * eigs).sum(axis=1)
    return samples


_hooks.register("pipeline.simulate", simulate_pipeline)
