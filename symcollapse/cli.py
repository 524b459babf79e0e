"""The ``symcollapse`` command: ``report``, ``list`` and ``show``.

Errors print one line, ``symcollapse: error: ...``, on stderr and exit with status 2 (bad
arguments, unknown formula) or 1 (a failure while running); never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from . import __version__

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
        prog=PROG, formatter_class=fmt,
        description="Theory of model collapse in ridge regression (Dohmatob, Feng & Kempe 2024): "
                    "export the derived formulas and check them against simulation.",
        epilog=_example("symcollapse list\nsymcollapse show theorem_4_1_exact --latex\n"
                        "symcollapse report --quick --out /tmp/rep"),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "report", formatter_class=fmt, help="write report.tex, report.md and agreement.csv",
        description="Write a report of every catalogued formula (report.tex, report.md) and a "
                    "theory-versus-simulation table on settings of the paper's Figure 1a "
                    "(agreement.csv). Prints the paths written and the largest |z|.",
        epilog=_example("symcollapse report --quick --out /tmp/rep --seed 1\n"
                        "pdflatex -output-directory /tmp/rep /tmp/rep/report.tex"),
    )
    p.add_argument("--out", metavar="DIR", default="symcollapse-report",
                   help="output directory (default: %(default)s)")
    p.add_argument("--quick", action="store_true",
                   help="30 Monte-Carlo repetitions per setting instead of 100")
    p.add_argument("--seed", metavar="N", type=_seed, default=0,
                   help="seed of the simulation (default: %(default)s)")

    sub.add_parser(
        "list", formatter_class=fmt, help="list the catalogued formulas",
        description="List the catalogue: each formula's name, title and regime of validity.",
        epilog=_example("symcollapse list\nsymcollapse list | grep theorem"),
    )

    p = sub.add_parser(
        "show", formatter_class=fmt, help="show one formula (text, LaTeX or Markdown)",
        description="Show one catalogued formula with its reference, regime, notes and "
                    "derivation steps. Names come from 'symcollapse list'.",
        epilog=_example("symcollapse show theorem_4_1_exact\n"
                        "symcollapse show rho_general --latex > rho.tex\n"
                        "symcollapse show corollary_4_4_isotropic --markdown"),
    )
    p.add_argument("name", metavar="NAME", help="catalogue name, e.g. theorem_4_1_exact")
    form = p.add_mutually_exclusive_group()
    form.add_argument("--text", dest="style", action="store_const", const="text",
                      help="plain text, expressions in SymPy syntax (default)")
    form.add_argument("--latex", dest="style", action="store_const", const="latex",
                      help="a LaTeX fragment (for \\input)")
    form.add_argument("--markdown", dest="style", action="store_const", const="markdown",
                      help="Markdown, maths in $$...$$")
    p.set_defaults(style="text")
    return parser


def _seed(value: str) -> int:
    try:
        seed = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid seed {value!r}: expected an integer >= 0") from None
    if seed < 0:
        raise argparse.ArgumentTypeError(f"invalid seed {value!r}: expected an integer >= 0")
    return seed


# ---------------------------------------------------------------------------------- commands
def _cmd_report(args) -> int:
    from .report import write_report

    start = time.perf_counter()
    paths = write_report(args.out, quick=args.quick, seed=args.seed)
    for path in paths.values():
        print(f"wrote {path}")
    print(f"{paths.summary}; total {time.perf_counter() - start:.1f} s")
    return 0


def _cmd_list(args) -> int:
    from .catalogue import formula, formulas

    names = formulas()
    width = max(len(n) for n in names) + 2
    for name in names:
        f = formula(name)
        print(f"{name.ljust(width)}{f.title}")
        print(f"{'':{width}}regime: {f.regime_text()}")
    return 0


def _cmd_show(args) -> int:
    from . import export
    from .catalogue import formula

    f = formula(args.name)
    if args.style == "latex":
        out = export.latex([f], standalone=False, symbols=False)
    elif args.style == "markdown":
        out = export.markdown([f], symbols=False)
    else:
        out = export.text([f], symbols=False)
    sys.stdout.write(out if out.endswith("\n") else out + "\n")
    return 0


_COMMANDS = {"report": _cmd_report, "list": _cmd_list, "show": _cmd_show}


def _fail(message: str, status: int) -> int:
    print(f"{PROG}: error: {' '.join(str(message).split())}", file=sys.stderr)
    return status


def main(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except _Exit as e:                       # --help, --version
        if e.message:
            sys.stderr.write(e.message)
        return e.status
    except _UsageError as e:
        return _fail(e, 2)
    try:
        return _COMMANDS[args.command](args)
    except KeyError as e:                    # unknown formula name
        return _fail(e.args[0] if e.args else e, 2)
    except ValueError as e:                  # invalid parameters
        return _fail(e, 2)
    except BrokenPipeError:                  # e.g. `symcollapse list | head`: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except OSError as e:
        return _fail(f"{e.strerror or e}: {e.filename}" if e.filename else e, 1)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except Exception as e:                   # a bug: one line, the traceback on request
        if os.environ.get("SYMCOLLAPSE_DEBUG"):
            raise
        return _fail(f"internal error {type(e).__name__}: {e} "
                     "(set SYMCOLLAPSE_DEBUG=1 for the traceback)", 1)
