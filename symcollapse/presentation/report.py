r"""``write_report``: the complete report, as LaTeX, Markdown and (with a TeX engine) PDF.

Contents, in order: the reproduced figures of the paper (theory curves from
:func:`~symcollapse.predict` with Monte-Carlo points from :func:`~symcollapse.simulate`, PNG files
embedded in the document, :mod:`symcollapse.presentation.figures`), the theory-versus-simulation agreement
(a summary per figure and every simulated point, also in ``agreement.csv``), the errata table
(printed statement, corrected statement, evidence), findings, and then every catalogued formula
with its regime, reference and derivation steps (:mod:`symcollapse.presentation.export`).  The report sits
on top of the library: it imports the theory and the simulator, never the reverse.
"""

from __future__ import annotations

import csv
import inspect
import multiprocessing as mp
import shutil
import subprocess
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from symcollapse import _validation as V
from symcollapse._version import __version__
from symcollapse.presentation import export
from symcollapse.presentation.export import Figure, Heading, Math, Paragraph, Table
from symcollapse.presentation.figures import FIGURES, FigureResult, SimulatedPoint
from symcollapse.presentation.report_kernel import kernel_section
from symcollapse.presentation.report_workflows import WORKFLOW_SECTIONS
from symcollapse.symbolic.catalogue import formulas
from symcollapse.symbolic.errata import errata

__all__ = ["write_report", "ReportPaths", "compile_pdf", "EXTRA_SECTIONS"]

TITLE = "symcollapse: model collapse in ridge regression, theory and simulation"
_CSV_COLUMNS = ("figure", "panel", "design", "n", "T", "lam", "reps", "theory", "mc_mean", "mc_stderr", "z")

#: Further sections: ``name -> callable(out_dir, quick, seed, progress) -> (blocks, figure)``
#: where ``figure`` is a :class:`~symcollapse.presentation.figures.FigureResult` or ``None``; they run in a
#: worker process, so the callable must be a module-level function.  A callable that also takes
#: ``executor`` runs in the main process and submits its heavy work to the report's pool.
EXTRA_SECTIONS: dict[str, Callable] = {"kernel_chain": kernel_section, **WORKFLOW_SECTIONS}


class ReportPaths(dict):
    """The written paths (``"tex"``, ``"md"``, ``"csv"``, the figures' PNGs by name, and ``"pdf"``
    when a TeX engine compiled the document) -> :class:`~pathlib.Path`.

    Also carries ``seed``, ``quick``, ``figures`` (the :class:`~symcollapse.presentation.figures.FigureResult`
    list), ``points`` (every simulated point), ``max_abs_z``, ``seconds`` (total time),
    ``pdf_note`` (why there is no PDF, if there is none) and a one-line ``summary``.
    """

    seed: int
    quick: bool
    figures: list
    points: list
    max_abs_z: float
    seconds: float
    pdf_note: str
    summary: str


def _lam_tex(lam: float) -> str:
    if lam == 0:
        return "0"
    exponent = int(np.floor(np.log10(lam)))
    if np.isclose(lam, 10.0**exponent):
        return f"10^{{{exponent}}}"
    return f"{lam:.3g}"


def _point_row(p: SimulatedPoint):
    design = "" if p.design == "independent" else f",\\ \\text{{{p.design}}}"
    setting = Math(rf"n={p.n},\ T={p.T},\ \lambda={_lam_tex(p.lam)}{design}", p.label)
    return (
        (p.figure.replace("figure_", ""),),
        (setting,),
        (f"{p.theory:.5g}",),
        (f"{p.mean:.5g}",),
        (f"{p.stderr:.2g}",),
        (Math(f"{p.z:+.2f}", f"{p.z:+.2f}"),),
    )


def _agreement_blocks(figs: Sequence[FigureResult], points: Sequence[SimulatedPoint], seed: int) -> list:
    summary = Table(
        header=("Figure", "Points", "Reps", "Largest |z|", "|z| > 2", "|z| > 4", "Time (s)"),
        rows=tuple(
            (
                (f.name,),
                (str(len(f.points)),),
                (str(f.reps),),
                (f"{f.max_abs_z:.2f}",),
                (str(f.beyond(2)),),
                (str(f.beyond(4)),),
                (f"{f.seconds:.1f}",),
            )
            for f in figs
        ),
        align="lrrrrrr",
        caption="Theory against Monte-Carlo, per figure: z = (theory - MC mean) / MC stderr.",
    )
    detail = Table(
        header=("Fig.", "Setting", "Theory", "MC mean", "MC stderr", "z"),
        rows=tuple(_point_row(p) for p in points),
        align="llrrrr",
        long=True,
        small=True,
        caption="Every simulated point of the figures (also in agreement.csv).",
    )
    n_points = len(points)
    text = (
        f"Every point of the figures is a Monte-Carlo simulation of the actual fake-data chain "
        f"(generators fitted on their own samples, labels passed down the chain, a ridge fitted on "
        f"the last generation), which shares no formula code with the theory; seed {seed}, one "
        f"independent stream per point. With exact theory and Gaussian errors about "
        f"{0.0455 * n_points:.1f} of the {n_points} points would lie beyond 2 standard errors "
        "by chance. The deterministic equivalents carry an O(1/d) error (the theory sits slightly "
        "below the simulation), and with few repetitions near the interpolation threshold the "
        "Monte-Carlo errors are heavy-tailed, so the standard errors there are optimistic.",
    )
    return [Heading(1, ("Theory versus simulation",)), Paragraph(text), summary, detail]


def _statement(e, field: str) -> tuple:
    """An erratum's printed or corrected statement as parts: its maths typeset, its words text."""
    return tuple(text if tex is None else Math(tex, text) for text, tex in e.pieces(field))


def _column(fraction: float) -> str:
    """A paragraph column taking ``fraction`` of the line, gaps included (fractions sum to 1)."""
    return rf"p{{\dimexpr {fraction}\linewidth-2\tabcolsep\relax}}"


def _errata_blocks() -> list:
    # The printed and corrected maths get the width (about 0.39 of the line each, enough for the
    # widest inline formula, which cannot be broken inside its brackets); the evidence, long
    # prose, goes on a full-width row under each erratum.
    table = Table(
        header=("", "Where", "Printed", "Corrected", "Evidence"),
        rows=tuple(
            ((e.label,), (e.where,), _statement(e, "printed"), _statement(e, "corrected"), (e.evidence,))
            for e in errata()
        ),
        align="".join(_column(f) for f in (0.06, 0.16, 0.39, 0.39)),
        long=True,
        small=True,
        below=4,
        caption="Errata of the paper (symcollapse.errata) and the evidence for each correction.",
    )
    return [
        Heading(1, ("Errata",)),
        Paragraph(
            (
                "Printed statements of the paper that symcollapse corrects; each is "
                "pinned by a test showing the printed form disagreeing.",
            )
        ),
        table,
    ]


def _figure_blocks(f: FigureResult) -> list:
    assert f.path is not None
    return [
        Heading(2, (f.title,)),
        Figure(f.path.name, f.caption, label=f"fig:{f.name}"),
        Paragraph(
            (
                f"{len(f.points)} simulated points, {f.reps} repetitions each: largest "
                f"|z| = {f.max_abs_z:.2f}, {f.beyond(2)} beyond 2 standard errors, "
                f"{f.beyond(4)} beyond 4. Simulation and drawing took {f.seconds:.1f} s.",
            )
        ),
    ]


def compile_pdf(tex: Path, *, engine: str | None = None, timeout: float = 300) -> Path:
    """Compile ``tex`` with ``pdflatex`` (twice, for the tables' widths) in its directory.

    Raises :class:`FileNotFoundError` when no engine is installed and :class:`RuntimeError`
    with the first error of the log when the compilation fails.
    """
    tex = Path(tex)
    engine = engine or shutil.which("pdflatex")
    if not engine:
        raise FileNotFoundError("no TeX engine: pdflatex is not on PATH")
    cmd = [engine, "-interaction=nonstopmode", "-halt-on-error", tex.name]
    for _ in range(2):
        proc = subprocess.run(
            cmd, cwd=tex.parent, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
        )
        if proc.returncode != 0:
            errors = [ln for ln in proc.stdout.splitlines() if ln.startswith("!")]
            first = errors[0] if errors else proc.stdout.strip().splitlines()[-1:]
            raise RuntimeError(f"pdflatex failed on {tex}: {first} (log: {tex.with_suffix('.log')})")
    return tex.with_suffix(".pdf")


def write_report(
    out_dir="symcollapse-report",
    *,
    quick: bool = False,
    seed: int = 0,
    pdf: bool | None = None,
    progress: bool | None = None,
    workers: int = 2,
) -> ReportPaths:
    """Write the report into ``out_dir``: ``report.tex``, ``report.md``, ``agreement.csv``, the
    figures as PNG, and ``report.pdf`` when a TeX engine is present.

    ``quick`` simulates fewer points (24 repetitions behind every z-score, as in full mode; the
    whole report then takes under a minute on 2 cores); ``seed`` seeds every simulation;
    ``workers`` processes compute the figures and sections in parallel (1: all in this process;
    the numbers do not depend on it); ``pdf`` = ``None`` compiles when
    ``pdflatex`` is on PATH, ``True`` requires it, ``False`` skips it; ``progress`` = ``None``
    shows a progress bar when stderr is a terminal.  Prints nothing; returns the written paths
    with the summary (see :class:`ReportPaths`).
    """
    start = time.perf_counter()
    seed = V.integer(seed, "seed", minimum=0)
    workers = V.integer(workers, "workers", minimum=1, meaning=" (processes)")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ValueError(f"out_dir {str(out)!r} exists and is not a directory")
    out.mkdir(parents=True, exist_ok=True)
    paths = ReportPaths(tex=out / "report.tex", md=out / "report.md", csv=out / "agreement.csv")

    streams = np.random.SeedSequence(seed).spawn(len(FIGURES) + len(EXTRA_SECTIONS))
    seeds = [int(st.generate_state(1)[0]) for st in streams]
    figs: list[FigureResult] = []
    extra_blocks: list = []
    # Every figure is one job; an extra section that takes ``executor`` runs here and submits its
    # own jobs (the kernel chains: eleven independent chains), any other is one job.  The
    # simulations use one BLAS thread each, so ``workers`` processes fill ``workers`` cores, and
    # the numbers do not depend on where a job runs (each has its own seed).  The formulas'
    # derivations (about 13 s of SymPy) are one more job, submitted first.
    figure_jobs = [
        (make, out / f"{name}.png", sub_seed)
        for (name, make), sub_seed in zip(FIGURES.items(), seeds, strict=False)
    ]
    extra_jobs = list(zip(EXTRA_SECTIONS.values(), seeds[len(FIGURES) :], strict=True))
    names = formulas()
    if workers == 1:
        extra_results = [
            make(out, quick=quick, seed=sub_seed, progress=progress) for make, sub_seed in extra_jobs
        ]
        figs = [
            make(path, quick=quick, seed=sub_seed, progress=progress) for make, path, sub_seed in figure_jobs
        ]
        formula_doc = export.blocks(names)
    else:
        with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn")) as pool:
            formula_job = pool.submit(export.blocks, names)
            pending_figs = [
                pool.submit(make, path, quick=quick, seed=sub_seed, progress=progress)
                for make, path, sub_seed in figure_jobs
            ]
            extra_results = []
            for make, sub_seed in extra_jobs:
                if "executor" in inspect.signature(make).parameters:
                    extra_results.append(
                        make(out, quick=quick, seed=sub_seed, progress=progress, executor=pool)
                    )
                else:
                    extra_results.append(
                        pool.submit(make, out, quick=quick, seed=sub_seed, progress=progress)
                    )
            formula_doc = formula_job.result()
            figs = [job.result() for job in pending_figs]
            extra_results = [r.result() if hasattr(r, "result") else r for r in extra_results]
    for name in FIGURES:
        paths[name] = out / f"{name}.png"
    for blocks, fig in extra_results:
        extra_blocks += blocks
        if fig is not None:
            figs.append(fig)
            paths[fig.name] = fig.path

    points = [p for f in figs for p in f.points]
    max_z = max(abs(p.z) for p in points)
    mode = "quick (fewer points and repetitions)" if quick else "full"
    preface = [
        Paragraph(
            (
                f"Generated by symcollapse {__version__} ({mode} mode, seed {seed}). ",
                "It reproduces the figures of Dohmatob, Feng & Kempe (2024), checks the theory "
                "against simulation of the fake-data chain, lists the corrections to the "
                "printed paper, and gives every catalogued formula with its regime of validity "
                "and its derivation by SymPy.",
            )
        ),
        Heading(1, ("Reproduced figures",)),
        *[b for f in figs[: len(FIGURES)] for b in _figure_blocks(f)],
        *_agreement_blocks(figs, points, seed),
        *_errata_blocks(),
        *extra_blocks,
    ]
    doc = preface + formula_doc  # built once, written in two styles
    paths["tex"].write_text(export.render(doc, "latex", title=TITLE), encoding="utf-8")
    paths["md"].write_text(export.render(doc, "markdown", title=TITLE), encoding="utf-8")
    _write_csv(paths["csv"], points)

    paths.pdf_note = ""
    if pdf is None and not shutil.which("pdflatex"):
        paths.pdf_note = "no PDF: pdflatex is not installed (report.tex compiles with it)"
    elif pdf is not False:
        paths["pdf"] = compile_pdf(paths["tex"])
    paths.seed, paths.quick, paths.figures, paths.points = seed, quick, figs, points
    paths.max_abs_z = max_z
    paths.seconds = time.perf_counter() - start
    paths.summary = (
        f"{len(points)} simulated points in {len(figs)} figures (seed {seed}): "
        f"max |z| = {max_z:.2f}, {sum(abs(p.z) > 2 for p in points)} beyond 2 s.e.; "
        f"{len(names)} formulas" + (f"; {paths.pdf_note}" if paths.pdf_note else "")
    )
    return paths


def _write_csv(path: Path, points: Sequence[SimulatedPoint]) -> None:
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(_CSV_COLUMNS)
        for p in points:
            w.writerow(
                [
                    p.figure,
                    p.panel,
                    p.design,
                    p.n,
                    p.T,
                    repr(p.lam),
                    p.reps,
                    f"{p.theory:.10g}",
                    f"{p.mean:.10g}",
                    f"{p.stderr:.6g}",
                    f"{p.z:.4f}",
                ]
            )
