r"""``write_report``: the catalogue plus a theory-versus-simulation table, as LaTeX and Markdown.

The check reproduces a few points of the paper's Figure 1a (isotropic :math:`\Sigma=I_d`,
:math:`\phi_0=d/T_0=1/2`, :math:`\sigma=0.1`, :math:`\sigma_0=0.2`, unit-norm :math:`w_0`) at
:math:`d=100` instead of 300 so that the whole report takes seconds: :func:`~symcollapse.predict`
(theory) against :func:`~symcollapse.simulate` (Monte-Carlo of the chain, seeded), with the
z-score :math:`(\text{theory}-\bar x)/\mathrm{se}(\bar x)`.  The report sits on top of the
library: it imports the theory and the simulator, never the reverse.
"""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import __version__, export
from .catalogue import formulas
from .export import Code, Heading, Math, Paragraph, Table
from .predict import predict
from .simulate import simulate
from .spectrum import isotropic
from .testing import z_score

__all__ = ["write_report", "ReportPaths", "FIGURE_1A", "SETTINGS"]

#: the fixed part of the check (Figure 1a of the paper, with d = 100 instead of 300)
FIGURE_1A = dict(d=100, T0=200, sigma=0.1, sigma0=0.2)
#: the varying part: (lam, T, n)
SETTINGS: tuple[tuple[float, int, int], ...] = (
    (1e-3, 300, 0),
    (1e-3, 300, 2),
    (1e-3, 300, 5),
    (1e-3, 50, 2),
    (1e-1, 50, 5),
    (1e-1, 300, 2),
)
_CSV_COLUMNS = ("setting", "d", "T0", "sigma", "sigma0", "lam", "T", "n", "theory", "mc_mean",
                "mc_stderr", "z", "seconds")


@dataclass(frozen=True)
class _Row:
    lam: float
    T: int
    n: int
    theory: float
    mean: float
    stderr: float
    z: float
    seconds: float

    @property
    def label(self) -> str:
        return f"T={self.T}, lam={self.lam:g}, n={self.n}"

    def latex_label(self) -> str:
        exponent = int(round(np.log10(self.lam)))
        lam = f"10^{{{exponent}}}" if np.isclose(self.lam, 10.0**exponent) else f"{self.lam:g}"
        return rf"T={self.T},\ \lambda={lam},\ n={self.n}"


class ReportPaths(dict):
    """The written paths (``"tex"``, ``"md"``, ``"csv"`` -> :class:`~pathlib.Path`).

    Also carries ``seed``, ``reps``, ``rows`` (the agreement table), ``max_abs_z``, ``seconds``
    (total simulation time) and a one-line ``summary``.
    """

    seed: int
    reps: int
    rows: list
    max_abs_z: float
    seconds: float
    summary: str


def _agreement(reps: int, seed: int) -> list[_Row]:
    eigs, w0 = isotropic(FIGURE_1A["d"])
    streams = np.random.SeedSequence(seed).spawn(len(SETTINGS))
    return [_setting(eigs, w0, lam, T, n, reps, np.random.default_rng(stream))
            for (lam, T, n), stream in zip(SETTINGS, streams, strict=True)]


def _setting(eigs, w0, lam: float, T: int, n: int, reps: int, rng) -> _Row:
    fixed = {k: FIGURE_1A[k] for k in ("T0", "sigma", "sigma0")}
    theory = predict(eigs, w0, T=T, lam=lam, n=n, **fixed)
    start = time.perf_counter()
    sim = simulate(eigs, w0, T=T, lam=lam, n=n, reps=reps, seed=rng, **fixed)
    seconds = time.perf_counter() - start
    return _Row(lam, T, n, float(theory.test_error), sim.mean, sim.stderr,
                float(z_score(theory, sim)), seconds)


def _preface(rows: list[_Row], reps: int, seed: int) -> list:
    p = FIGURE_1A
    table = Table(
        header=("Setting", "Theory", "MC mean", "MC stderr", "z", "Time (s)"),
        rows=tuple(((Math(r.latex_label(), r.label),), (f"{r.theory:.5g}",), (f"{r.mean:.5g}",),
                    (f"{r.stderr:.2g}",), (Math(f"{r.z:+.2f}", f"{r.z:+.2f}"),), (f"{r.seconds:.2f}",))
                   for r in rows),
        align="lrrrrr",
        caption=(f"Theory (predict) against Monte-Carlo (simulate, {reps} repetitions each, "
                 f"seed {seed}); z = (theory - MC mean) / MC stderr."),
    )
    max_z = max(abs(r.z) for r in rows)
    setup = (
        "Setting of the paper's Figure 1a with a smaller dimension: isotropic features ",
        Math(r"\Sigma = I_d", "Sigma = I_d"), ", ",
        Math(rf"d = {p['d']}", f"d = {p['d']}"), " (the paper uses 300), ",
        Math(rf"T_0 = {p['T0']}", f"T0 = {p['T0']}"), " (",
        Math(rf"\phi_0 = {p['d'] / p['T0']:g}", f"phi0 = {p['d'] / p['T0']:g}"), "), ",
        Math(rf"\sigma = {p['sigma']:g}", f"sigma = {p['sigma']:g}"), ", ",
        Math(rf"\sigma_0 = {p['sigma0']:g}", f"sigma0 = {p['sigma0']:g}"),
        ", a target ", Math("w_0", "w0"), " of unit norm spread over all directions, and "
        "independent generator designs. The theory column is ", Code("predict(...).test_error"),
        " (deterministic equivalents, error O(1/d)); the Monte-Carlo columns are ",
        Code("simulate"), " of the actual chain, which shares no formula code with the theory.",
    )
    summary = (f"Seed: {seed}. Repetitions per setting: {reps}. Largest |z|: {max_z:.2f}. "
               f"Total simulation time: {sum(r.seconds for r in rows):.1f} s.")
    return [
        Paragraph((f"Generated by symcollapse {__version__}. It lists every catalogued formula "
                   "and checks the theory against a simulation of the fake-data chain.",)),
        Heading(1, ("Theory versus simulation",)),
        Paragraph(setup),
        table,
        Paragraph((summary,)),
    ]


def _write_csv(path: Path, rows: list[_Row]) -> None:
    p = FIGURE_1A
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(_CSV_COLUMNS)
        for r in rows:
            w.writerow([r.label, p["d"], p["T0"], p["sigma"], p["sigma0"], repr(r.lam), r.T, r.n,
                        f"{r.theory:.10g}", f"{r.mean:.10g}", f"{r.stderr:.6g}", f"{r.z:.4f}",
                        f"{r.seconds:.3f}"])


def write_report(out_dir="symcollapse-report", *, quick: bool = False, seed: int = 0) -> ReportPaths:
    """Write ``report.tex``, ``report.md`` and ``agreement.csv`` into ``out_dir``.

    The report lists every catalogued formula (via :func:`symcollapse.export.latex` and
    :func:`~symcollapse.export.markdown`) and a theory-versus-simulation table on six settings
    of Figure 1a (100 repetitions each; 30 with ``quick``), seeded by ``seed``.  Prints
    nothing; returns the written paths with the summary (see :class:`ReportPaths`).
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    seed = int(seed)
    reps = 30 if quick else 100
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ValueError(f"out_dir {str(out)!r} exists and is not a directory")
    rows = _agreement(reps, seed)
    preface = _preface(rows, reps, seed)
    title = "symcollapse: model collapse in ridge regression, theory and simulation"
    names = formulas()
    out.mkdir(parents=True, exist_ok=True)
    paths = ReportPaths(tex=out / "report.tex", md=out / "report.md", csv=out / "agreement.csv")
    paths["tex"].write_text(export.latex(names, title=title, preface=preface), encoding="utf-8")
    paths["md"].write_text(export.markdown(names, title=title, preface=preface), encoding="utf-8")
    _write_csv(paths["csv"], rows)

    paths.seed, paths.reps, paths.rows = seed, reps, rows
    paths.max_abs_z = max(abs(r.z) for r in rows)
    paths.seconds = sum(r.seconds for r in rows)
    paths.summary = (f"{len(rows)} settings x {reps} reps (seed {seed}): "
                     f"max |z| = {paths.max_abs_z:.2f}, simulation {paths.seconds:.1f} s; "
                     f"{len(names)} formulas")
    return paths
