r"""The declaration of a data pipeline: an ordered list of ridge fits on blocks of data.

A **fit** is a ridge regression, per-sample normalised,

.. math:: \hat w_f=\arg\min_w\frac1N\|Xw-y\|^2+\lambda_f\|w\|^2
          \qquad(\lambda_f=0:\ \text{minimum-norm least squares}),

on the union of its **blocks** (:math:`N=\sum_b T_b` rows).  A block has

* ``rows``: its number of rows :math:`T_b\ge1` (the theory accepts non-integer sizes);
* ``teacher``: who labels it, ``"truth"`` (the target :math:`w_0`), the name of an earlier fit,
  or the name of a fixed teacher given to the pipeline (``Pipeline(..., teachers={"w2": w2})``,
  coefficients in the eigenbasis of :math:`\Sigma`, like ``w0``);
* ``noise``: its label-noise level :math:`\sigma_b\ge0`, :math:`y=Xw_{teacher}+\sigma_b\varepsilon`;
* ``design``: ``None`` for fresh Gaussian rows :math:`x\sim N(0,\Sigma)`, or a name: the first
  block with that name draws the rows, every later block with the same name reuses exactly those
  rows (labels drawn afresh).

A :class:`Reuse` stands for an earlier block taken as it was, rows and labels included.  The test
error of a pipeline is that of its last fit, :math:`\|\hat w_{last}-w_0\|_\Sigma^2`.

Any numeric field may be an array: the pipeline is then a grid of pipelines (broadcast together)
for :meth:`Pipeline.predict`; :meth:`Pipeline.simulate` needs one setting (scalars).

>>> from symcollapse.pipeline import Block, Fit, Pipeline
>>> Pipeline(
...     [
...         Fit("teacher", [Block(500, "truth", noise=0.5)]),
...         Fit("student", [Block(200, "truth"), Block(800, "teacher")], lam=1e-2),
...     ]
... )
Pipeline([
    Fit('teacher', [Block(rows=500, teacher='truth', noise=0.5)]),
    Fit('student', [Block(rows=200, teacher='truth'), Block(rows=800, teacher='teacher')], lam=0.01),
])
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from symcollapse import _hooks

__all__ = ["TRUTH", "Block", "Reuse", "Fit", "Pipeline"]

#: the teacher name of the target :math:`w_0`.
TRUTH = "truth"


def _number(
    value: Any, where: str, name: str, *, minimum: float, integer: bool = False, meaning: str = ""
) -> float | np.ndarray:
    """A finite real number (or array of them) ``>= minimum``; a clear error naming ``where``."""
    if isinstance(value, (bool, np.bool_)) or isinstance(value, (str, bytes)):
        raise TypeError(f"{where}: {name} must be a number or an array of numbers, got {value!r}")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: {name} must be a number or an array of numbers, got {value!r}") from None
    if np.iscomplexobj(np.asarray(value)) or np.asarray(value).dtype.kind not in "biuf":
        raise TypeError(f"{where}: {name} must be real numbers, got {value!r}")
    if arr.size == 0:
        raise ValueError(f"{where}: {name} must not be empty")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{where}: {name} must be finite, got {value!r}")
    kind = "an integer" if integer else "a number"
    if np.any(arr < minimum):
        raise ValueError(f"{where}: {name} must be {kind} >= {minimum:g}{meaning}, got {value!r}")
    if integer and np.any(arr != np.round(arr)):
        raise ValueError(f"{where}: {name} must be {kind} >= {minimum:g}{meaning}, got {value!r}")
    return float(arr) if arr.ndim == 0 else arr


def _fmt(value: Any) -> str:
    if isinstance(value, np.ndarray):
        if value.size <= 4:
            return "array(" + repr([float(x) for x in value.reshape(-1)]) + ")"
        return f"array(shape={value.shape}, {value.min():g}..{value.max():g})"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


@dataclass(frozen=True, eq=False)
class Block:
    """``rows`` rows labelled by ``teacher`` (``"truth"`` or an earlier fit's name) with noise
    ``noise``; ``design=None`` draws fresh rows, a name shares the rows of that named design."""

    rows: Any
    teacher: str = TRUTH
    noise: Any = 0.0
    design: str | None = None
    name: str | None = None

    def __repr__(self) -> str:
        parts = [f"rows={_fmt(self.rows)}", f"teacher={self.teacher!r}"]
        if np.any(np.asarray(self.noise) != 0):
            parts.append(f"noise={_fmt(self.noise)}")
        if self.design is not None:
            parts.append(f"design={self.design!r}")
        if self.name is not None:
            parts.append(f"name={self.name!r}")
        return "Block(" + ", ".join(parts) + ")"


@dataclass(frozen=True, eq=False)
class Reuse:
    """The earlier block called ``block``, reused as it was: the same rows and the same labels."""

    block: str

    def __repr__(self) -> str:
        return f"Reuse({self.block!r})"


@dataclass(frozen=True, eq=False)
class Fit:
    """A ridge fit called ``name`` (``lam >= 0``; 0 is minimum-norm least squares) on ``blocks``."""

    name: str
    blocks: Sequence[Block | Reuse]
    lam: Any = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "blocks", tuple(self.blocks))

    def __repr__(self) -> str:
        lam = "" if np.all(np.asarray(self.lam) == 0) else f", lam={_fmt(self.lam)}"
        return f"Fit({self.name!r}, [{', '.join(map(repr, self.blocks))}]{lam})"


@dataclass(frozen=True)
class ResolvedBlock:
    """A block after validation: who labels it, and which rows it uses.

    ``design_id`` names the rows (every fresh block gets its own); ``label_id`` names the labels
    (a :class:`Reuse` shares them with the block it reuses).
    """

    rows: float | np.ndarray
    teacher: str
    noise: float | np.ndarray
    design_id: str
    label_id: str
    fresh_design: bool  # the first use of its rows
    reused_labels: bool  # a Reuse of an earlier block


@dataclass(frozen=True)
class ResolvedFit:
    name: str
    lam: float | np.ndarray
    blocks: tuple[ResolvedBlock, ...]


class Pipeline:
    """An ordered list of :class:`Fit` s; the test error is the last fit's.

    Build one directly, or with a named workflow (:func:`symcollapse.workflows.replace`).
    ``predict(eigenvalues, w0)`` evaluates the derived theory, ``simulate(...)`` runs the data
    process, ``derive()`` gives the symbolic result with its steps.
    """

    def __init__(
        self, fits: Iterable[Fit], *, name: str | None = None, teachers: dict[str, Any] | None = None
    ):
        self.fits: tuple[Fit, ...] = tuple(fits)
        self.name = name
        self.teachers: dict[str, np.ndarray] = _fixed_teachers(teachers, self.fits)
        self.resolved: tuple[ResolvedFit, ...] = _resolve(self.fits, tuple(self.teachers))

    # ------------------------------------------------------------------ presentation
    def __repr__(self) -> str:
        head = "Pipeline([" if self.name is None else f"Pipeline(name={self.name!r}, fits=["
        body = "".join(f"    {f!r},\n" for f in self.fits)
        tail = (
            ""
            if not self.teachers
            else ", teachers={" + ", ".join(f"{k!r}: {_fmt(v)}" for k, v in self.teachers.items()) + "}"
        )
        return f"{head}\n{body}]{tail})"

    def _repr_markdown_(self) -> str:
        lines = ["| fit | ridge | block | rows | teacher | noise | design |", "|---|---|---|---|---|---|---|"]
        for fit, res in zip(self.fits, self.resolved, strict=True):
            for i, (blk, rb) in enumerate(zip(fit.blocks, res.blocks, strict=True)):
                design = (
                    "reused with labels"
                    if rb.reused_labels
                    else "fresh"
                    if isinstance(blk, Block) and blk.design is None
                    else f"`{rb.design_id}`" + (" (new)" if rb.fresh_design else " (reused)")
                )
                lines.append(
                    f"| {fit.name if i == 0 else ''} | {_fmt(fit.lam) if i == 0 else ''} "
                    f"| {i} | {_fmt(rb.rows)} | {rb.teacher} | {_fmt(rb.noise)} | {design} |"
                )
        return "\n".join(lines)

    def __len__(self) -> int:
        return len(self.fits)

    def __getitem__(self, name: str) -> Fit:
        for f in self.fits:
            if f.name == name:
                return f
        raise KeyError(f"no fit called {name!r}; fits are {[f.name for f in self.fits]}")

    @property
    def fit_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fits)

    # ------------------------------------------------------------------ evaluation
    def derive(self, *, d_value: int | None = None):
        """The symbolic test error (:class:`~symcollapse.symbolic.pipeline_derivation.Derivation`); ``d_value``: the
        dimension, to treat least-squares fits on at least ``d_value + 2`` rows exactly."""
        return _hooks.backend("pipeline.derive")(self, d_value=d_value)

    def predict(self, eigenvalues, w0=None, *, method: str = "auto"):
        """The theory's test error on the spectrum ``(eigenvalues, w0)`` or a ``PowerLaw``."""
        return _hooks.backend("pipeline.predict")(self, eigenvalues, w0, method=method)

    def simulate(self, eigenvalues, w0=None, *, reps: int = 100, seed=None, **options):
        """Monte-Carlo of the data process this pipeline declares (no theory involved)."""
        return _hooks.backend("pipeline.simulate")(self, eigenvalues, w0, reps=reps, seed=seed, **options)

    def grid_shape(self) -> tuple[int, ...]:
        """The broadcast shape of every numeric field (``()`` for one setting)."""
        shapes = []
        for f in self.resolved:
            shapes.append(np.shape(f.lam))
            for b in f.blocks:
                shapes += [np.shape(b.rows), np.shape(b.noise)]
        try:
            return np.broadcast_shapes(*shapes)
        except ValueError:
            raise ValueError(
                f"the pipeline's array-valued fields do not broadcast together: shapes {shapes}"
            ) from None


def _fixed_teachers(teachers, fits) -> dict[str, np.ndarray]:
    """Validate the fixed teachers: names that no fit uses, finite 1-D coefficient vectors."""
    if teachers is None:
        return {}
    if not isinstance(teachers, dict):
        raise TypeError(f"teachers must be a dict name -> coefficients, got {type(teachers).__name__}")
    out = {}
    names = {f.name for f in fits if isinstance(f, Fit)}
    for key, value in teachers.items():
        if not isinstance(key, str) or not key or key == TRUTH or key in names:
            raise ValueError(
                f"teachers: a fixed teacher's name must be a new non-empty string "
                f"(not {TRUTH!r} or a fit's name), got {key!r}"
            )
        arr = _number(value, f"teachers[{key!r}]", "the coefficients", minimum=-np.inf)
        arr = np.atleast_1d(np.asarray(arr, dtype=float))
        if arr.ndim != 1:
            raise ValueError(
                f"teachers[{key!r}]: the coefficients must be a 1-D array (one per "
                f"eigenvalue), got shape {arr.shape}"
            )
        out[key] = arr
    return out


def _resolve(fits: tuple[Fit, ...], fixed: tuple[str, ...] = ()) -> tuple[ResolvedFit, ...]:
    if not fits:
        raise ValueError("a pipeline needs at least one fit")
    seen_fits: set[str] = set()
    designs: dict[str, Any] = {}  # named design -> rows
    blocks: dict[str, ResolvedBlock] = {}  # named block -> resolved
    out = []
    fresh = 0
    for i, fit in enumerate(fits):
        if not isinstance(fit, Fit):
            raise TypeError(f"pipeline entry {i} must be a Fit, got {type(fit).__name__}")
        where = f"fit {fit.name!r}"
        if not isinstance(fit.name, str) or not fit.name or fit.name == TRUTH:
            raise ValueError(
                f"fit {i}: name must be a non-empty string other than {TRUTH!r}, got {fit.name!r}"
            )
        if fit.name in seen_fits:
            raise ValueError(f"{where}: the name is used by an earlier fit; fit names must be unique")
        lam = _number(fit.lam, where, "lam", minimum=0.0, meaning=" (0 is least squares)")
        if not fit.blocks:
            raise ValueError(f"{where}: a fit needs at least one block")
        resolved = []
        for k, blk in enumerate(fit.blocks):
            bwhere = f"{where}, block {k}"
            if isinstance(blk, Reuse):
                if blk.block not in blocks:
                    raise ValueError(
                        f"{bwhere}: Reuse({blk.block!r}) names no earlier block; "
                        f"named blocks so far: {sorted(blocks)}"
                    )
                old = blocks[blk.block]
                resolved.append(
                    ResolvedBlock(old.rows, old.teacher, old.noise, old.design_id, old.label_id, False, True)
                )
                continue
            if not isinstance(blk, Block):
                raise TypeError(f"{bwhere}: must be a Block or a Reuse, got {type(blk).__name__}")
            rows = _number(
                blk.rows,
                bwhere,
                "rows",
                minimum=1,
                meaning=" (a number of rows; the theory accepts non-integers, simulate needs integers)",
            )
            noise = _number(blk.noise, bwhere, "noise", minimum=0.0)
            if not isinstance(blk.teacher, str) or (
                blk.teacher != TRUTH and blk.teacher not in seen_fits and blk.teacher not in fixed
            ):
                later = [f.name for f in fits[i:]]
                why = " (a fit cannot be taught by itself or a later fit)" if blk.teacher in later else ""
                extra = f", a fixed teacher {sorted(fixed)}" if fixed else ""
                raise ValueError(
                    f"{bwhere}: teacher must be {TRUTH!r}{extra} or an earlier fit "
                    f"{sorted(seen_fits)}, got {blk.teacher!r}{why}"
                )
            if blk.design is None:
                fresh += 1
                design_id, new = f"#fresh{fresh}", True
            else:
                if not isinstance(blk.design, str) or not blk.design or blk.design.startswith("#"):
                    raise ValueError(
                        f"{bwhere}: design must be None (fresh rows) or a name, got {blk.design!r}"
                    )
                design_id = blk.design
                new = design_id not in designs
                if new:
                    designs[design_id] = rows
                elif not np.array_equal(
                    np.broadcast_to(designs[design_id], np.shape(rows)), rows
                ) and not np.array_equal(designs[design_id], rows):
                    raise ValueError(
                        f"{bwhere}: design {design_id!r} has "
                        f"{_fmt(designs[design_id])} rows, this block asks for "
                        f"{_fmt(rows)}; a reused design keeps its size"
                    )
            label_id = f"{fit.name}[{k}]"
            rb = ResolvedBlock(rows, blk.teacher, noise, design_id, label_id, new, False)
            if blk.name is not None:
                if blk.name in blocks:
                    raise ValueError(f"{bwhere}: block name {blk.name!r} is already used")
                blocks[blk.name] = rb
            resolved.append(rb)
        seen_fits.add(fit.name)
        out.append(ResolvedFit(fit.name, lam, tuple(resolved)))
    return tuple(out)
