r"""``simulate_pipeline``: Monte-Carlo of the data process a :class:`~.declaration.Pipeline` declares.

Nothing here uses the theory: the simulator only draws data, fits estimators and measures errors.
It works in the eigenbasis of :math:`\Sigma` (a Gaussian row is ``z * sqrt(eigenvalues)`` with
``z`` standard normal) and, per repetition:

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

which is the excess risk on a clean test set of infinite size.  Random numbers are drawn in that
order (for each block: its rows if new, then its label noise), batch by batch, so a seed fixes the
samples; :func:`symcollapse.simulate` is this simulator run on :func:`~.workflows.replace`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from .. import _validation as V
from ..simulate import SimulationResult
from .declaration import TRUTH, Pipeline

__all__ = ["simulate_pipeline"]

#: target size of the arrays of one batch of repetitions.
_BATCH_BYTES = 48 * 2**20
#: refuse a simulation estimated above this many floating-point operations (days of work).
MAX_FLOPS = 1e14
#: refuse a simulation whose single repetition (or whose samples) need more memory than this.
MAX_BYTES = 4 * 2**30
_OPTIONS = {"max_flops": MAX_FLOPS, "max_bytes": MAX_BYTES, "batch_bytes": _BATCH_BYTES}


# --------------------------------------------------------------------------- the estimators
def _lstsq_min_norm(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Batched least squares, minimum-norm when rows < columns (``pinv(X) @ y``), via QR."""
    rows, cols = X.shape[-2:]
    if rows >= cols:
        Q, R = np.linalg.qr(X)                                   # (B,rows,cols), (B,cols,cols)
        rhs = np.einsum("btd,bt->bd", Q, y)
        return np.linalg.solve(R, rhs[..., None])[..., 0]
    Q, R = np.linalg.qr(np.swapaxes(X, -1, -2))                  # X' = Q R: (B,cols,rows), (B,rows,rows)
    z = np.linalg.solve(np.swapaxes(R, -1, -2), y[..., None])    # R' z = y
    return np.einsum("bdt,bt->bd", Q, z[..., 0])


def _ridge(X: np.ndarray, Y: np.ndarray, lam: float) -> np.ndarray:
    """Batched ridge ``argmin (1/T)||Xv - Y||^2 + lam ||v||^2`` (primal or dual form)."""
    if lam == 0:
        return _lstsq_min_norm(X, Y)
    T, d = X.shape[-2:]
    if T >= d:
        A = np.einsum("btd,bte->bde", X, X) / T + lam * np.eye(d)
        rhs = np.einsum("btd,bt->bd", X, Y) / T
        return np.linalg.solve(A, rhs[..., None])[..., 0]
    G = np.einsum("btd,bsd->bts", X, X) / T + lam * np.eye(T)
    alpha = np.linalg.solve(G, Y[..., None])[..., 0]
    return np.einsum("btd,bt->bd", X, alpha) / T


def _fit(Xs: list[np.ndarray], ys: list[np.ndarray], groups, lam: float) -> np.ndarray:
    """The ridge of one fit on its stacked blocks.

    A design that appears several times in one fit (a named design used twice, or a
    :class:`Reuse`) repeats the same rows, so the stacked matrix is rank deficient; its ``m``
    copies with labels ``y_1..y_m`` are replaced by one copy ``sqrt(m) X`` with labels
    ``sqrt(m) mean(y_i)``, which changes the objective by a constant only (same minimiser, same
    minimum-norm solution), and the ridge is rescaled to keep the ``1/N`` normalisation.
    """
    if groups is None:     # every block has its own rows: stack them as they are
        X = Xs[0] if len(Xs) == 1 else np.concatenate(Xs, axis=1)
        y = ys[0] if len(ys) == 1 else np.concatenate(ys, axis=1)
        return _ridge(X, y, lam)
    N = sum(x.shape[1] for x in Xs)
    parts_X, parts_y = [], []
    for members in groups:
        m = len(members)
        root = np.sqrt(m)
        ybar = sum(ys[i] for i in members) / m
        parts_X.append(Xs[members[0]] * root if m > 1 else Xs[members[0]])
        parts_y.append(ybar * root if m > 1 else ybar)
    X = np.concatenate(parts_X, axis=1)
    y = np.concatenate(parts_y, axis=1)
    return _ridge(X, y, lam * N / X.shape[1])


# --------------------------------------------------------------------------- the plan
@dataclass(frozen=True)
class _Block:
    rows: int
    teacher: str
    noise: float
    design_id: str
    label_id: str
    draw_rows: bool        # the first use of its rows
    reuse_labels: bool     # a Reuse: rows and labels of an earlier block
    keep_labels: bool      # a later Reuse needs these labels


@dataclass(frozen=True)
class _Fit:
    name: str
    lam: float
    blocks: tuple[_Block, ...]
    rows: int                                   # N, the rows of the stacked blocks
    groups: tuple[tuple[int, ...], ...] | None  # blocks sharing rows (None: all distinct)
    drop_designs: tuple[str, ...]               # rows no later fit uses
    drop_labels: tuple[str, ...]                # labels no later fit reuses
    drop_outputs: tuple[str, ...]               # teachers no later fit uses


def _one_setting(pipeline: Pipeline) -> None:
    """Every numeric field must be a scalar (name the first array-valued one); rows integers."""
    for fit in pipeline.resolved:
        fields = [(f"lam of fit {fit.name!r}", fit.lam)]
        for k, blk in enumerate(fit.blocks):
            fields += [(f"rows of fit {fit.name!r}, block {k}", blk.rows),
                       (f"noise of fit {fit.name!r}, block {k}", blk.noise)]
        for where, value in fields:
            if np.ndim(value) != 0:
                raise ValueError(
                    f"simulate runs one setting, but the {where} is array-valued (shape "
                    f"{np.shape(value)}, a grid of settings): give every numeric field one number "
                    "and simulate the settings one at a time (predict evaluates grids)")
    for fit in pipeline.resolved:
        for k, blk in enumerate(fit.blocks):
            if float(blk.rows) != round(float(blk.rows)):
                raise ValueError(f"fit {fit.name!r}, block {k}: simulate draws whole rows, so rows "
                                 f"must be an integer, got {float(blk.rows)!r}")
    if pipeline.grid_shape() != ():   # pragma: no cover - implied by the loop above
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
        blocks = tuple(_Block(rows=int(round(float(b.rows))), teacher=b.teacher,
                              noise=float(b.noise), design_id=b.design_id, label_id=b.label_id,
                              draw_rows=bool(b.fresh_design), reuse_labels=bool(b.reused_labels),
                              keep_labels=(not b.reused_labels) and b.label_id in last_label)
                       for b in fit.blocks)
        order: dict[str, list[int]] = {}
        for i, b in enumerate(blocks):
            order.setdefault(b.design_id, []).append(i)
        groups = (None if all(len(m) == 1 for m in order.values())
                  else tuple(tuple(m) for m in order.values()))
        used = {b.design_id for b in blocks}
        labels = {b.label_id for b in blocks}
        teachers = {b.teacher for b in blocks if not b.reuse_labels}
        plan.append(_Fit(
            name=fit.name, lam=float(fit.lam), blocks=blocks, rows=sum(b.rows for b in blocks),
            groups=groups,
            drop_designs=tuple(k for k in used if last_design[k] == f),
            drop_labels=tuple(k for k in labels if last_label.get(k) == f),
            drop_outputs=tuple(t for t in teachers if t != TRUTH and t not in pipeline.teachers
                               and last_teacher[t] == f)))
    return tuple(plan)


def _floats_per_repetition(plan: tuple[_Fit, ...], d: int) -> tuple[int, str, int]:
    """Memory of one repetition, in floats: ``(peak, fit, basis)``.

    ``peak`` is the largest number of floats alive at once and ``fit`` the fit where it is: a
    fit of ``N`` rows holds its design (twice when it stacks several blocks) and the work arrays
    of its factorisation, ``2 N d + min(N, d)^2`` (``3 N d + ...`` when stacked); designs and
    labels kept for later fits add their size.  Vectors of length ``d`` (the teachers' outputs)
    are neglected.  ``basis >= peak`` sizes the batches: ``3 max(N, d) d`` per fit plus what is
    kept (the bound the chain simulator has always used, so that a seed keeps giving the chain's
    earlier samples; larger than ``peak`` when ``N < d``), or ``peak`` if that is larger (a fit
    stacking several blocks).
    """
    first: dict[tuple[str, str], int] = {}
    last: dict[tuple[str, str], int] = {}
    size: dict[tuple[str, str], int] = {}
    for f, fit in enumerate(plan):
        for b in fit.blocks:
            for key, floats in ((("rows", b.design_id), b.rows * d),
                                (("labels", b.label_id), b.rows)):
                if key[0] == "labels" and not (b.keep_labels or b.reuse_labels):
                    continue
                first.setdefault(key, f)
                last[key] = f
                size[key] = floats
    peak, where, basis = 0, plan[-1].name, 0
    for f, fit in enumerate(plan):
        here = {("rows", b.design_id) for b in fit.blocks} | {("labels", b.label_id)
                                                             for b in fit.blocks}
        kept = sum(size[k] for k in size if first[k] < f < last[k] and k not in here)
        copies = 2 if len(fit.blocks) == 1 else 3
        floats = copies * fit.rows * d + min(fit.rows, d) ** 2 + kept
        if floats > peak:
            peak, where = floats, fit.name
        basis = max(basis, floats, 3 * max(fit.rows, d) * d + kept)
    return peak, where, basis


def _options(options: dict[str, Any]) -> dict[str, float]:
    unknown = sorted(set(options) - set(_OPTIONS))
    if unknown:
        raise TypeError(f"simulate got unknown option(s) {unknown}; the options are "
                        f"{sorted(_OPTIONS)}")
    out = dict(_OPTIONS)
    for key, value in options.items():
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


# --------------------------------------------------------------------------- the simulator
def simulate_pipeline(pipeline: Pipeline, eigenvalues, w0=None, *, reps: int = 100, seed=None,
                      **options) -> SimulationResult:
    """Monte-Carlo of the data process ``pipeline`` declares, for one setting.

    ``eigenvalues, w0``: the spectrum of :math:`\\Sigma` and the target in its eigenbasis (1-D
    arrays), or a :class:`~symcollapse.PowerLaw` with a finite ``d``.  ``reps >= 2``
    repetitions; ``seed`` an int, a ``SeedSequence``, ``None`` or a ``numpy.random.Generator``.
    Every numeric field of the pipeline must be a number (``pipeline.grid_shape() == ()``).

    Options: ``max_flops`` (default ``1e14``) and ``max_bytes`` (default 4 GiB, the memory of
    one repetition and of the samples): the work is estimated first and refused above them;
    ``batch_bytes`` (default 48 MiB): the target memory of one batch of repetitions.

    Returns a :class:`~symcollapse.SimulationResult`: the mean test error of the last fit, its
    standard error (``std(ddof=1) / sqrt(reps)``), the samples, and ``settings``.
    """
    if not isinstance(pipeline, Pipeline):
        raise TypeError(f"simulate_pipeline needs a Pipeline, got {type(pipeline).__name__}")
    opts = _options(options)
    eigs, coefs = V.spectrum_arrays(eigenvalues, w0)
    d = int(eigs.size)
    for name, w2 in pipeline.teachers.items():
        if w2.shape != (d,):
            raise ValueError(f"the fixed teacher {name!r} has {w2.size} coefficients, the "
                             f"spectrum {d} eigenvalues")
    _one_setting(pipeline)
    reps = _reps(reps)
    plan = _plan(pipeline)

    # estimate the work before doing it
    per_rep, where, basis = _floats_per_repetition(plan, d)
    worst = next(fit for fit in plan if fit.name == where)
    if 8.0 * per_rep > opts["max_bytes"]:
        raise ValueError(
            f"one repetition needs about {8.0 * per_rep / 2**30:.3g} GiB (fit {where!r}: rows = "
            f"{worst.rows}, d = {d}), more than max_bytes = {opts['max_bytes'] / 2**30:.3g} GiB: "
            f"lower the rows of fit {where!r} or d")
    cost = [float(fit.rows) * d * min(fit.rows, d) for fit in plan]
    flops = reps * sum(cost)
    if flops > opts["max_flops"]:
        big = plan[int(np.argmax(cost))]
        raise ValueError(
            f"simulate would take about {flops:.2g} flops (reps = {reps} x the sum over fits of "
            f"rows*d*min(rows, d), d = {d}; the largest is fit {big.name!r} with rows = "
            f"{big.rows}), more than max_flops = {opts['max_flops']:.2g}: lower reps, the rows "
            "or d")
    if 8.0 * reps > opts["max_bytes"]:
        raise ValueError(f"reps = {reps} needs {8.0 * reps / 2**30:.3g} GiB for the samples alone, "
                         f"more than max_bytes = {opts['max_bytes'] / 2**30:.3g} GiB: lower reps")
    batch = int(max(1, min(reps, opts["batch_bytes"] // (8 * basis))))
    rng = V.generator(seed)

    # Many small batched factorisations: one BLAS thread is much faster than a pool fighting
    # over the cores (measured: 0.24 s against 83 s on a loaded 2-core machine).
    with threadpool_limits(limits=1, user_api="blas"):
        samples = _run(rng, eigs, coefs, plan, reps, batch, pipeline.teachers)
    settings = dict(
        pipeline=pipeline.name, d=d, reps=reps, batch=batch, flops=flops,
        floats_per_batch=batch * per_rep,
        fits=[dict(name=fit.name, lam=fit.lam,
                   blocks=[dict(rows=b.rows, teacher=b.teacher, noise=b.noise,
                                design=b.design_id, new_rows=b.draw_rows,
                                reused_labels=b.reuse_labels) for b in fit.blocks])
              for fit in plan])
    return SimulationResult(mean=float(samples.mean()),
                            stderr=float(samples.std(ddof=1) / np.sqrt(reps)),
                            samples=samples, settings=settings)


def _run(rng: np.random.Generator, eigs: np.ndarray, coefs: np.ndarray, plan: tuple[_Fit, ...],
         reps: int, batch: int, fixed: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """The repetitions, ``batch`` at a time; returns the test errors of the last fit."""
    d = eigs.size
    sqrt_eigs = np.sqrt(eigs)
    samples = np.empty(reps)
    fixed = fixed or {}
    for start in range(0, reps, batch):
        B = min(batch, reps - start)
        outputs = {TRUTH: np.broadcast_to(coefs, (B, d)).copy()}
        outputs.update({name: np.broadcast_to(v, (B, d)) for name, v in fixed.items()})
        designs: dict[str, np.ndarray] = {}
        labels: dict[str, np.ndarray] = {}
        w = outputs[TRUTH]
        for fit in plan:
            Xs, ys = [], []
            for b in fit.blocks:
                if b.reuse_labels:
                    X, y = designs[b.design_id], labels[b.label_id]
                else:
                    if b.draw_rows:
                        designs[b.design_id] = rng.standard_normal((B, b.rows, d)) * sqrt_eigs
                    X = designs[b.design_id]
                    y = (np.einsum("btd,bd->bt", X, outputs[b.teacher])
                         + b.noise * rng.standard_normal((B, b.rows)))
                    if b.keep_labels:
                        labels[b.label_id] = y
                Xs.append(X)
                ys.append(y)
            w = _fit(Xs, ys, fit.groups, fit.lam)
            del Xs, ys
            outputs[fit.name] = w
            for key in fit.drop_designs:
                designs.pop(key, None)
            for key in fit.drop_labels:
                labels.pop(key, None)
            for key in fit.drop_outputs:
                outputs.pop(key, None)
        samples[start:start + B] = ((w - coefs) ** 2 * eigs).sum(axis=1)
    return samples
