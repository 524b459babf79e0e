"""The ``symcollapse`` command: ``report``, ``list``, ``show``, ``eval``, ``predict``, ``simulate``.

The commands that need the symbolic layer (``show``, ``eval``, ``report``; ``list`` only when the
shipped index is unreadable) import it when they run, so ``list``, ``predict`` and ``simulate``
start without SymPy; these are the package's only imports inside functions.

Errors print one line, ``symcollapse: error: ...``, on stderr and exit with status 2 (bad
arguments, unknown formula) or 1 (a failure while running); never a traceback.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import sys
import time
import warnings
from typing import Any

import numpy as np

from symcollapse._progress import progress_bar
from symcollapse._version import __version__
from symcollapse.numeric.prediction import predict
from symcollapse.numeric.spectra import isotropic, power_law
from symcollapse.pipeline import workflows
from symcollapse.pipeline.schedule import per_generation
from symcollapse.presentation import _cli_values as CV
from symcollapse.simulation.monte_carlo import simulate
from symcollapse.simulation.pipeline_simulation import METHODS
from symcollapse.simulation.sweep import add_cli as _add_sweep
from symcollapse.simulation.sweep import cli_command
from symcollapse.simulation.testing import z_score
from symcollapse.symbolic.catalogue_index import read_index

__all__ = ["main"]

PROG = "symcollapse"


class _Exit(Exception):
    def __init__(self, status: int, message: str | None = None):
        super().__init__(message)
        self.status = status
        self.message = message


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse without ``sys.exit``: errors become exceptions that :func:`main` reports."""

    def error(self, message: str):
        raise _UsageError(message)

    def exit(self, status: int = 0, message: str | None = None):
        raise _Exit(status, message)


def _example(text: str) -> str:
    return "example:\n" + "\n".join(f"  {line}" for line in text.strip().splitlines())


def _build_parser() -> _Parser:
    fmt = argparse.RawDescriptionHelpFormatter
    parser = _Parser(
        prog=PROG,
        formatter_class=fmt,
        description="Theory of model collapse in ridge regression (Dohmatob, Feng & Kempe 2024): "
        "export the derived formulas and check them against simulation.",
        epilog=_example(
            "symcollapse list\nsymcollapse show theorem_4_1_exact --latex\n"
            "symcollapse report --quick --out /tmp/rep"
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "report",
        formatter_class=fmt,
        help="write the full report (PDF, LaTeX, Markdown, figures)",
        description="Write the report: the paper's figures reproduced (theory curves, simulated "
        "points with error bars, PNG), the theory-versus-simulation agreement table "
        "(also agreement.csv), the errata table and every catalogued formula with its "
        "derivation, as report.tex and report.md, and report.pdf when pdflatex is "
        "installed. Prints the paths written and the largest |z|.",
        epilog=_example("symcollapse report\nsymcollapse report --quick --out /tmp/rep --seed 1"),
    )
    p.add_argument(
        "--out", metavar="DIR", default="symcollapse-report", help="output directory (default: %(default)s)"
    )
    p.add_argument(
        "--quick", action="store_true", help="fewer simulated points and repetitions (under a minute)"
    )
    p.add_argument(
        "--seed", metavar="N", type=_seed, default=0, help="seed of the simulation (default: %(default)s)"
    )
    p.add_argument("--no-pdf", action="store_true", help="do not run pdflatex even if it is installed")
    p.add_argument(
        "--progress",
        choices=("auto", "on", "off"),
        default="auto",
        help="progress bar on stderr: auto = only on a terminal (default)",
    )
    p.add_argument(
        "--workers",
        metavar="N",
        type=_positive_int,
        default=2,
        help="processes for the figures and sections (default: %(default)s; the numbers do not depend on it)",
    )

    sub.add_parser(
        "list",
        formatter_class=fmt,
        help="list the catalogued formulas",
        description="List the catalogue: each formula's name, title and regime of validity.",
        epilog=_example("symcollapse list\nsymcollapse list | grep theorem"),
    )

    p = sub.add_parser(
        "show",
        formatter_class=fmt,
        help="show one formula (text, LaTeX or Markdown)",
        description="Show one catalogued formula with its reference, regime, notes and "
        "derivation steps. Names come from 'symcollapse list'.",
        epilog=_example(
            "symcollapse show theorem_4_1_exact\n"
            "symcollapse show rho_general --latex > rho.tex\n"
            "symcollapse show corollary_4_4_isotropic --markdown"
        ),
    )
    p.add_argument("name", metavar="NAME", help="catalogue name, e.g. theorem_4_1_exact")
    form = p.add_mutually_exclusive_group()
    form.add_argument(
        "--text",
        dest="style",
        action="store_const",
        const="text",
        help="plain text, expressions in SymPy syntax (default)",
    )
    form.add_argument(
        "--latex", dest="style", action="store_const", const="latex", help="a LaTeX fragment (for \\input)"
    )
    form.add_argument(
        "--markdown", dest="style", action="store_const", const="markdown", help="Markdown, maths in $$...$$"
    )
    p.set_defaults(style="text")

    p = sub.add_parser(
        "eval",
        formatter_class=fmt,
        help="evaluate a catalogued formula on a grid of values",
        description="Evaluate one catalogued formula. Each value is a number, a comma list "
        "(0,1,2,5) or a range start:stop:count (linear) or start:stop:countlog "
        "(log-spaced); lists and ranges span a grid (all combinations); T0=[40,60,90] "
        "(brackets) is a per-generation schedule, one value per generator. Formulas "
        "with spectral sums use the spectrum options. A formula refuses points "
        "outside its regime unless --unchecked.",
        epilog=_example(
            "symcollapse eval theorem_4_1_exact d=100 T=200:10000:5log T0=400 n=0,1,5 "
            "sigma=1 sigma0=1\n"
            "symcollapse eval kappa_isotropic lam=1e-3 phi=0.5,2 --format json\n"
            "symcollapse eval theorem_4_1_schedule d=30 T=50 T0=[40,60,90] "
            "sigma0=0.5 sigma=0.3 lam=0\n"
            "symcollapse eval rho_general lam=0.01 T=500 T0=400 --spectrum power_law "
            "--d 200 --format csv"
        ),
    )
    p.add_argument("name", metavar="NAME", help="catalogue name (see 'symcollapse list')")
    p.add_argument("values", metavar="KEY=VALUE", nargs="*", help="parameter values")
    p.add_argument(
        "--unchecked", action="store_true", help="evaluate even outside the formula's regime of validity"
    )
    _spectrum_options(p)
    _format_option(p)

    p = sub.add_parser(
        "predict",
        formatter_class=fmt,
        help="theory's test error for a spectrum",
        description="The theory's test error (with its bias, variance and collapse parts and "
        "kappa) of ridge trained on the n-th generation of fake data, on a grid of "
        "values (numbers, comma lists, start:stop:count[log] ranges); T0, sigma0 and "
        "lam0 in brackets, T0=[600,900,1200], are per-generation schedules (one value "
        "per generator, as per_generation([...]) in Python).",
        epilog=_example(
            "symcollapse predict T=100:10000:20log lam=1e-3 n=0,5 T0=600 sigma=0.1 "
            "sigma0=0.2 --d 300\n"
            "symcollapse predict T=1000 lam=1e-4:1:9log n=2 T0=600 sigma=1 sigma0=1 "
            "--eigenvalues eigs.npy --w0 w0.npy --format csv\n"
            "symcollapse predict T=1000 lam=1e-3 T0=[600,900,1200] sigma0=0.2 --d 300\n"
            "symcollapse predict --workflow fresh_real_mix n=1,4,16 T0=150 alpha=0.3 "
            "sigma0=0.3 T=120 sigma=0.2 lam=1e-2 --d 100"
        ),
    )
    _chain_options(p, _predict_keys())
    _spectrum_options(p)
    _format_option(p)

    p = sub.add_parser(
        "simulate",
        formatter_class=fmt,
        help="Monte-Carlo of the fake-data chain for a spectrum",
        description="Simulate the chain (generators fitted on their own samples, labels passed "
        "down, ridge on the last generation) with Gaussian features of the given "
        "spectrum: mean test error and its standard error, on a grid of values "
        "(T0=[600,900] in brackets: a per-generation schedule). "
        "--compare adds the theory and z = (theory - mean)/stderr.",
        epilog=_example(
            "symcollapse simulate T=1000 lam=1e-3 n=0,2 T0=600 sigma=0.1 sigma0=0.2 "
            "--d 300 --reps 50 --seed 1 --compare\n"
            "symcollapse simulate T=200 lam=0.01 n=1 T0=100 --eigenvalues eigs.csv "
            "--format json\n"
            "symcollapse simulate --workflow accumulate n=3 T0=60 T=60 sigma0=0.5 "
            "sigma=0.5 --design same --d 20 --reps 200 --compare"
        ),
    )
    _chain_options(p, _simulate_keys())
    p.add_argument(
        "--reps", type=_positive_int, default=100, help="repetitions per point (default: %(default)s)"
    )
    p.add_argument(
        "--seed",
        metavar="N",
        type=_seed,
        default=0,
        help="seed (default: %(default)s); each point gets its own stream",
    )
    p.add_argument("--compare", action="store_true", help="add the theory and the z-score")
    p.add_argument(
        "--method",
        choices=METHODS,
        default="fast",
        help="fast: each design with at least d rows replaced by its d x d Bartlett factor (exact "
        "in law); faithful: every row drawn (default: %(default)s)",
    )
    p.add_argument(
        "--progress",
        choices=("auto", "on", "off"),
        default="auto",
        help="progress bar on stderr: auto = only on a terminal (default)",
    )
    _spectrum_options(p)
    _format_option(p)

    _add_sweep(sub, fmt)
    return parser


WORKFLOWS = ("replace", "accumulate", "fresh_real_mix", "downstream_mix")


def _chain_options(p, keys: tuple[str, ...]) -> None:
    p.add_argument(
        "values",
        metavar="KEY=VALUE",
        nargs="*",
        help=f"parameters: {', '.join(keys)} (other workflows: see --workflow)",
    )
    p.add_argument(
        "--design",
        choices=("independent", "same"),
        default="independent",
        help="fresh generator designs or the same X0 (default: %(default)s; "
        "accumulate calls fresh designs 'fresh')",
    )
    p.add_argument(
        "--workflow",
        choices=WORKFLOWS,
        default="replace",
        help="the data workflow (default: %(default)s, the paper's chain); "
        "accumulate takes n, T0, sigma0, T, sigma, lam, lam0; fresh_real_mix "
        "and downstream_mix also alpha (one row per grid point)",
    )
    p.add_argument(
        "--w2",
        metavar="FILE",
        help="downstream_mix: a fixed synthetic teacher's coefficients (with sigma2=...; then n = 0)",
    )


def _spectrum_options(p) -> None:
    g = p.add_argument_group(
        "spectrum",
        "the covariance's eigenvalues and the target's coefficients: a family "
        "(isotropic: eigenvalues 1, w0 of unit norm spread evenly; power_law: eigenvalues k^-beta, "
        "target with source exponent r) or files (.npy, or .csv/.txt of numbers); without --w0 "
        "a file's target has unit norm spread evenly",
    )
    g.add_argument(
        "--spectrum",
        choices=("isotropic", "power_law"),
        default="isotropic",
        help="family (default: %(default)s)",
    )
    g.add_argument("--d", type=_positive_int, default=100, help="dimension (default: %(default)s)")
    g.add_argument(
        "--beta", type=_positive_float, default=2.0, help="power-law capacity exponent (default: %(default)s)"
    )
    g.add_argument(
        "--r", type=_positive_float, default=0.375, help="power-law source exponent (default: %(default)s)"
    )
    g.add_argument("--eigenvalues", metavar="FILE", help="eigenvalues from a file (overrides the family)")
    g.add_argument("--w0", metavar="FILE", help="target coefficients in the eigenbasis, from a file")


def _format_option(p) -> None:
    p.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help="output format (default: %(default)s)",
    )


def _predict_keys() -> tuple[str, ...]:
    return tuple(
        k
        for k, v in inspect.signature(predict).parameters.items()
        if v.kind is v.KEYWORD_ONLY and k not in ("design", "method")
    )


def _simulate_keys() -> tuple[str, ...]:
    return tuple(
        k
        for k, v in inspect.signature(simulate).parameters.items()
        if v.kind is v.KEYWORD_ONLY and k not in ("design", "reps", "seed", "method")
    )


def _checked(parse, ok, expected: str):
    """An argparse type: ``parse`` the string, then require ``ok``; else say what was expected."""

    def convert(value: str):
        try:
            out = parse(value)
        except ValueError:
            out = None
        if out is None or not ok(out):
            raise argparse.ArgumentTypeError(f"invalid value {value!r}: expected {expected}")
        return out

    return convert


_positive_int = _checked(int, lambda x: x >= 1, "an integer >= 1")
_positive_float = _checked(lambda v: CV.parse_number(v, "value"), lambda x: x > 0, "a number > 0")
_seed = _checked(int, lambda x: x >= 0, "an integer >= 0 (the seed)")


# ---------------------------------------------------------------------------------- commands
def _cmd_report(args) -> int:
    from symcollapse.presentation.report import write_report

    start = time.perf_counter()
    paths = write_report(
        args.out,
        quick=args.quick,
        seed=args.seed,
        pdf=False if args.no_pdf else None,
        progress=_progress(args),
        workers=args.workers,
    )
    for path in paths.values():
        print(f"wrote {path}")
    print(f"{paths.summary}; total {time.perf_counter() - start:.1f} s")
    return 0


def _cmd_list(args) -> int:
    index = read_index()  # the shipped index: nothing is derived
    if not index:
        from symcollapse.symbolic.catalogue import summaries

        index = summaries()
    width = max(len(n) for n in index) + 2
    for name, entry in index.items():
        print(f"{name.ljust(width)}{entry['title']}")
        print(f"{'':{width}}regime: {entry['regime']}")
    return 0


def _cmd_show(args) -> int:
    from symcollapse.presentation import export
    from symcollapse.symbolic.catalogue import formula

    f = formula(args.name)
    if args.style == "latex":
        out = export.latex([f], standalone=False, symbols=False)
    elif args.style == "markdown":
        out = export.markdown([f], symbols=False)
    else:
        out = export.text([f], symbols=False)
    sys.stdout.write(out if out.endswith("\n") else out + "\n")
    return 0


def _spectrum(args):
    if args.eigenvalues:
        eigs = CV.load_vector(args.eigenvalues, "eigenvalues")
        if np.any(eigs <= 0):
            raise ValueError(f"eigenvalues in {args.eigenvalues!r} must all be > 0")
        if args.w0:
            w0 = CV.load_vector(args.w0, "w0")
            if w0.size != eigs.size:
                raise ValueError(f"w0 has {w0.size} entries but there are {eigs.size} eigenvalues")
        else:
            w0 = np.full(eigs.size, 1.0 / np.sqrt(eigs.size))
        return eigs, w0
    if args.w0:
        raise ValueError("--w0 needs --eigenvalues (the families define their own target)")
    if args.spectrum == "power_law":
        return power_law(args.d, args.beta, args.r)
    return isotropic(args.d)


def _progress(args) -> bool | None:
    return {"auto": None, "on": True, "off": False}[args.progress]


def _fmt(x) -> str:
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    return f"{float(x):.10g}"


def _write_rows(columns: list[str], rows: list[list], style: str) -> None:
    out = sys.stdout
    if style == "json":
        records = [
            {
                c: (int(v) if isinstance(v, (int, np.integer)) else v if isinstance(v, str) else float(v))
                for c, v in zip(columns, row, strict=True)
            }
            for row in rows
        ]
        json.dump(records, out, indent=1)
        out.write("\n")
    elif style == "csv":
        import csv

        writer = csv.writer(out, lineterminator="\n")  # quotes a schedule's commas
        writer.writerow(columns)
        for row in rows:
            writer.writerow([v if isinstance(v, str) else _fmt(v) for v in row])
    else:
        cells = [columns] + [[v if isinstance(v, str) else _fmt(v) for v in row] for row in rows]
        widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
        for r in cells:
            out.write("  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)).rstrip() + "\n")


def _cmd_eval(args) -> int:
    from symcollapse.symbolic.catalogue import formula

    f = formula(args.name)
    allowed = tuple(
        dict.fromkeys(
            f.parameters + tuple(k for k in ("lam", "T", "T0", "phi", "phi0") if k not in f.parameters)
        )
    )
    allowed = tuple(k for k in allowed if not (f.spectral and k == "d"))

    parsed, schedules = CV.split_schedules(CV.parse_assignments(args.values, allowed, f.name))
    keys, cols = CV.grid({k: v.values for k, v in parsed.items()})
    kwargs: dict[str, Any] = dict(zip(keys, cols, strict=True))
    _scalars_beside_schedules(kwargs, schedules)
    kwargs.update({k: per_generation(v) for k, v in schedules.items()})
    if f.spectral:
        kwargs["eigenvalues"], kwargs["w0"] = _spectrum(args)
    try:
        result = f.evaluate(check=not args.unchecked, **kwargs)
    except ValueError as e:
        raise ValueError(str(e).replace("pass check=False", "pass --unchecked")) from None
    values = np.broadcast_to(np.asarray(result, dtype=float), cols[0].shape if cols else ())
    fixed = [_schedule_text(v) for v in schedules.values()]
    rows = [[c[i] for c in cols] + fixed + [v] for i, v in enumerate(np.atleast_1d(values))]
    _write_rows(keys + list(schedules) + [f.name], rows, args.format)
    return 0


_INTEGER_KEYS = ("T", "T0", "n")


def _scalars_beside_schedules(kw: dict, schedules: dict) -> None:
    """With a per-generation schedule, ``n`` and the other generator parameters are one number."""
    if not schedules:
        return
    for k in ("n",) + CV.SCHEDULE_KEYS:
        if k in kw and k not in schedules:
            if np.unique(kw[k]).size > 1:
                raise ValueError(
                    f"with a per-generation schedule ({', '.join(schedules)}=[...]), "
                    f"{k} must be one number, not a list or range"
                )
            kw[k] = kw[k].flat[0]


def _workflow_keys(name: str) -> tuple[str, ...]:
    fn = getattr(workflows, name)
    return tuple(k for k in inspect.signature(fn).parameters if k not in ("design", "w2"))


def _workflow_pipelines(args, what: str):
    """(columns, rows of values, one pipeline per grid point) for a non-replace workflow."""
    if args.w2 and args.workflow != "downstream_mix":
        raise ValueError("--w2 applies to --workflow downstream_mix only")
    keys_allowed = _workflow_keys(args.workflow)
    parsed, schedules = CV.split_schedules(
        CV.parse_assignments(args.values, keys_allowed, f"{what} --workflow {args.workflow}")
    )
    if schedules:
        raise ValueError(f"--workflow {args.workflow} takes no per-generation schedules")
    if "T" not in parsed:
        raise ValueError(f"{what} needs T=... (the downstream sample size)")
    values = {k: (CV.as_integers(k, v) if k in _INTEGER_KEYS else v.values) for k, v in parsed.items()}
    keys, cols = CV.grid(values)
    fn = getattr(workflows, args.workflow)
    extra: dict[str, Any] = {}
    if args.workflow == "accumulate":
        extra["design"] = "fresh" if args.design == "independent" else "same"
    elif args.workflow == "downstream_mix":
        extra["design"] = args.design
    elif args.design != "independent":
        raise ValueError(f"--design does not apply to --workflow {args.workflow}")
    if args.w2:
        if args.workflow != "downstream_mix":
            raise ValueError("--w2 applies to --workflow downstream_mix only")
        extra["w2"] = CV.load_vector(args.w2, "w2")
        extra.pop("design")
    pipes = []
    for i in range(cols[0].size):
        kw: dict[str, Any] = {
            k: (int(c[i]) if k in _INTEGER_KEYS else float(c[i])) for k, c in zip(keys, cols, strict=True)
        }
        pipes.append(fn(**kw, **extra))
    return keys, cols, pipes


def _schedule_text(values: np.ndarray) -> str:
    return "[" + ",".join(_fmt(v) for v in values) + "]"


def _chain_grid(args, allowed: tuple[str, ...], what: str, *, integers: bool):
    """The grid columns and the per-generation schedules (``T0=[600,900]``) of a chain command."""
    parsed, schedules = CV.split_schedules(CV.parse_assignments(args.values, allowed, what))
    if "T" not in parsed:
        raise ValueError(f"{what} needs T=... (the downstream sample size)")
    values: dict[str, Any] = {}
    for k, v in parsed.items():
        values[k] = CV.as_integers(k, v) if (k in _INTEGER_KEYS and (integers or k == "n")) else v.values
    for k, sched in schedules.items():
        if k == "T0" and integers and not np.all(sched == np.rint(sched)):
            raise ValueError(f"T0 must be integers, got {sched.tolist()}")
    keys, cols = CV.grid(values)
    return keys, cols, {k: per_generation(v) for k, v in schedules.items()}


def _cmd_predict(args) -> int:
    if args.workflow != "replace" or args.w2:
        keys, cols, pipes = _workflow_pipelines(args, "predict")
        eigs, w0 = _spectrum(args)
        parts = ("test_error", "bias", "variance", "collapse", "kappa")
        rows = []
        for i, pipe in enumerate(pipes):
            pred = pipe.predict(eigs, w0)
            rows.append([c[i] for c in cols] + [float(getattr(pred, p)) for p in parts])
        _write_rows(keys + list(parts), rows, args.format)
        return 0

    keys, cols, schedules = _chain_grid(args, _predict_keys(), "predict", integers=False)
    eigs, w0 = _spectrum(args)
    kw: dict[str, Any] = dict(zip(keys, cols, strict=True))
    _scalars_beside_schedules(kw, schedules)
    if schedules:
        kw.setdefault("n", len(next(iter(schedules.values()))))
    pred = predict(eigs, w0, design=args.design, **kw, **schedules)
    parts = ("test_error", "bias", "variance", "collapse", "kappa")
    arrays = [np.broadcast_to(np.asarray(getattr(pred, p), dtype=float), cols[0].shape) for p in parts]
    fixed = [_schedule_text(v) for v in schedules.values()]
    rows = [[c[i] for c in cols] + fixed + [a[i] for a in arrays] for i in range(cols[0].size)]
    _write_rows(keys + list(schedules) + list(parts), rows, args.format)
    return 0


def _cmd_simulate(args) -> int:
    if args.workflow != "replace" or args.w2:
        keys, cols, pipes = _workflow_pipelines(args, "simulate")
        eigs, w0 = _spectrum(args)
        streams = np.random.SeedSequence(args.seed).spawn(len(pipes))
        rows = []
        with progress_bar(len(pipes), "simulate", _progress(args)) as bar:
            for i, (pipe, stream) in enumerate(zip(pipes, streams, strict=True)):
                sim = pipe.simulate(
                    eigs, w0, reps=args.reps, seed=np.random.default_rng(stream), method=args.method
                )
                row = [c[i] for c in cols] + [sim.mean, sim.stderr, sim.reps]
                if args.compare:
                    theory = pipe.predict(eigs, w0)
                    row += [float(theory.test_error), z_score(theory, sim)]
                rows.append(row)
                bar.update(1)
        extra = ["theory", "z"] if args.compare else []
        _write_rows(keys + ["mean", "stderr", "reps"] + extra, rows, args.format)
        return 0
    keys, cols, schedules = _chain_grid(args, _simulate_keys(), "simulate", integers=True)
    fixed = [_schedule_text(v) for v in schedules.values()]
    eigs, w0 = _spectrum(args)
    streams = np.random.SeedSequence(args.seed).spawn(cols[0].size)
    rows = []
    with progress_bar(cols[0].size, "simulate", _progress(args)) as bar:
        for i, stream in enumerate(streams):
            kw: dict[str, Any] = {
                k: (int(c[i]) if k in _INTEGER_KEYS else float(c[i])) for k, c in zip(keys, cols, strict=True)
            }
            if schedules:
                kw.setdefault("n", len(next(iter(schedules.values()))))
                kw.update(schedules)
            sim = simulate(
                eigs,
                w0,
                design=args.design,
                reps=args.reps,
                seed=np.random.default_rng(stream),
                method=args.method,
                **kw,
            )
            row = [c[i] for c in cols] + fixed + [sim.mean, sim.stderr, sim.reps]
            if args.compare:
                theory = predict(eigs, w0, design=args.design, **kw)
                row += [float(theory.test_error), z_score(theory, sim)]
            rows.append(row)
            bar.update(1)
    extra = ["theory", "z"] if args.compare else []
    _write_rows(keys + list(schedules) + ["mean", "stderr", "reps"] + extra, rows, args.format)
    return 0


_COMMANDS = {
    "report": _cmd_report,
    "list": _cmd_list,
    "show": _cmd_show,
    "eval": _cmd_eval,
    "predict": _cmd_predict,
    "simulate": _cmd_simulate,
}


def _cmd_sweep(args) -> int:  # the command lives in symcollapse.sweep

    return cli_command(args)


_COMMANDS["sweep"] = _cmd_sweep


def _fail(message: str | BaseException, status: int) -> int:
    print(f"{PROG}: error: {' '.join(str(message).split())}", file=sys.stderr)
    return status


def main(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except _Exit as e:  # --help, --version
        if e.message:
            sys.stderr.write(e.message)
        return e.status
    except _UsageError as e:
        return _fail(e, 2)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):  # errors are one line
            warnings.simplefilter("ignore")
            return _COMMANDS[args.command](args)
    except KeyError as e:  # unknown formula name
        return _fail(e.args[0] if e.args else e, 2)
    except (ValueError, TypeError) as e:  # invalid parameters (missing or wrong arguments)
        return _fail(e, 2)
    except MemoryError:
        return _fail("out of memory: use a smaller grid", 2)
    except BrokenPipeError:  # e.g. `symcollapse list | head`: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except OSError as e:
        return _fail(f"{e.strerror or e}: {e.filename}" if e.filename else e, 1)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except Exception as e:  # a bug: one line, the traceback on request
        if os.environ.get("SYMCOLLAPSE_DEBUG"):
            raise
        return _fail(f"internal error {type(e).__name__}: {e} (set SYMCOLLAPSE_DEBUG=1 for the traceback)", 1)
