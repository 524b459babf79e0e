"""Shared printing for the derivation scripts: each step as text and as LaTeX, and the checks.

* :func:`narrate` prints the recorded derivation of a catalogue formula;
* :func:`narrate_steps` prints the steps a library function recorded (results that are not
  catalogue formulas, e.g. the exponent calculus of ``symcollapse.scaling``);
* :func:`show` prints one step the script itself performs;
* :func:`check` compares a derived expression with a printed statement symbolically;
* :func:`check_on_points` compares two expressions at exact rational points of a domain (for
  piecewise-linear exponents built from ``Min``/``Max``, which SymPy cannot compare symbolically);
* :func:`erratum` prints an erratum of the paper as ``symcollapse.errata()`` states it (where,
  the printed and the corrected statement, the test that pins it): the statements are written
  once, in ``symcollapse/symbolic/errata.py``; a script demonstrating an erratum reads them there
  and adds its own checks (the evidence).

A check that comes out other than expected (``expect_equal``) stops the script with a non-zero
exit status, so ``run_all.py`` fails.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sympy as sp

import symcollapse as sc
from symcollapse.symbolic import symbols as S
from symcollapse.symbolic.errata import Erratum, statement_latex, statement_text
from symcollapse.symbolic.formula import Step, print_order
from symcollapse.symbolic.functionals import display_form, spectral_equal

__all__ = ["narrate", "narrate_steps", "show", "check", "check_on_points", "heading", "erratum"]


def heading(text: str) -> None:
    """Print a section heading."""
    print(f"\n== {text}")


def erratum(label: str) -> Erratum:
    """Print erratum ``label`` of ``symcollapse.errata()`` as a section heading, with its printed
    and corrected statements (text and LaTeX) and its test, and return it.

    The statements come from ``symcollapse/symbolic/errata.py`` (their one source); the script's
    checks that follow are the evidence.  ``KeyError`` if there is no such erratum.
    """
    found = {e.label: e for e in sc.errata()}
    if label not in found:
        raise KeyError(f"no erratum {label!r} in symcollapse.errata(): {sorted(found)}")
    e = found[label]
    heading(f"{e.label} erratum: {e.where}  [symcollapse.errata()]")
    for name in ("printed", "corrected"):
        statement = getattr(e, name)
        print(f"  {name + ':':10} {statement_text(statement)}")
        print(f"  {'':10} latex: {statement_latex(statement)}")
    print(f"  {'test:':10} {e.test}")
    return e


def _print_expr(expr, indent: str = "      ") -> None:
    if isinstance(expr, sp.Basic):
        shown = display_form(expr) if isinstance(expr, sp.Expr) else expr
        print(f"{indent}text : {sp.sstr(shown, order=print_order(expr))}")
    elif isinstance(expr, (list, tuple)):
        print(f"{indent}text : {list(expr)}")
    if isinstance(expr, (list, tuple)):
        print(f"{indent}latex: " + r",\quad ".join(Step("", sp.sympify(e)).latex() for e in expr))
    elif expr is not None:
        print(f"{indent}latex: {Step('', expr).latex()}")


def narrate_steps(steps: Iterable[Step], *, start: int = 1) -> None:
    """Print recorded derivation steps (``Step(text, expr)``), numbered from ``start``."""
    for i, step in enumerate(steps, start):
        print(f"  step {i}. {step.text}")
        _print_expr(step.expr)


def narrate(name: str) -> sc.Formula:
    """Print the derivation of catalogue formula ``name`` step by step and return it."""
    f = sc.formula(name)
    heading(f"{f.name}: {f.title}  [{f.reference}]")
    narrate_steps(f.derivation)
    print(f"  result: {f.latex()}")
    print(f"  regime: {f.regime_text()}")
    return f


def show(text: str, expr=None):
    """Print one step performed by the script (text and LaTeX) and return ``expr``."""
    print(f"  * {text}")
    _print_expr(expr)
    return expr


def _verdict(label: str, same: bool, expect_equal: bool, how: str = "") -> None:
    verdict = "agrees" if same else "DIFFERS"
    print(f"  check: {label}: derived {verdict} with the printed statement{how}")
    if same != expect_equal:
        raise SystemExit(f"derivation check failed: {label}")


def check(label: str, derived: sp.Expr, printed: sp.Expr, *, expect_equal: bool = True) -> None:
    """Compare a derived expression with a printed statement and say what we find."""
    _verdict(label, spectral_equal(derived, printed), expect_equal)


def rational_points(
    names: Sequence[str], grid: dict[str, Sequence], *, where=lambda p: True
) -> list[dict[sp.Symbol, sp.Rational]]:
    """All combinations of the grid values (exact rationals) that satisfy ``where``."""
    import itertools

    syms = [S.by_name(n) for n in names]
    out = []
    for combo in itertools.product(*(grid[n] for n in names)):
        p = {s: sp.Rational(v) for s, v in zip(syms, combo, strict=True)}
        if where({s.name: v for s, v in p.items()}):
            out.append(p)
    return out


def check_on_points(
    label: str, derived: sp.Expr, printed: sp.Expr, points: list[dict], *, expect_equal: bool = True
) -> None:
    """Compare two expressions exactly at every point (dicts symbol -> Rational).

    Agreement means equality at every point; disagreement, inequality at one point at least
    (the first such point is shown).
    """
    bad = None
    for p in points:
        x, y = sp.sympify(derived).xreplace(p), sp.sympify(printed).xreplace(p)
        if isinstance(x, (sp.logic.boolalg.Boolean, sp.Rel)):
            same = bool(x) == bool(y)
        else:
            same = sp.simplify(sp.nsimplify(x) - sp.nsimplify(y)) == 0
        if not same:
            bad = (p, x, y)
            break
    how = f" (exactly, at {len(points)} rational points of the domain)"
    if bad is not None:
        p, x, y = bad
        how += f"; e.g. at {', '.join(f'{k}={v}' for k, v in p.items())}: derived {x}, printed {y}"
    _verdict(label, bad is None, expect_equal, how)
