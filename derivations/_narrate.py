"""Shared printing for the derivation scripts: each step as text and as LaTeX."""

from __future__ import annotations

import sympy as sp

import symcollapse as sc
from symcollapse.formula import print_order
from symcollapse.functionals import display_form, spectral_equal


def narrate(name: str) -> sc.Formula:
    """Print the derivation of catalogue formula ``name`` step by step and return it."""
    f = sc.formula(name)
    print(f"== {f.name}: {f.title}  [{f.reference}]")
    for i, step in enumerate(f.derivation, 1):
        print(f"  step {i}. {step.text}")
        if isinstance(step.expr, sp.Basic):
            shown = display_form(step.expr) if isinstance(step.expr, sp.Expr) else step.expr
            print(f"      text : {sp.sstr(shown, order=print_order(step.expr))}")
        elif isinstance(step.expr, list):
            print(f"      text : {step.expr}")
        print(f"      latex: {step.latex()}")
    print(f"  result: {f.latex()}")
    print(f"  regime: {f.regime_text()}")
    return f


def check(label: str, derived: sp.Expr, printed: sp.Expr, *, expect_equal: bool = True) -> None:
    """Compare a derived expression with a printed statement and say what we find."""
    same = spectral_equal(derived, printed)
    verdict = "agrees" if same else "DIFFERS"
    print(f"  check: {label}: derived {verdict} with the printed statement")
    if same != expect_equal:
        raise SystemExit(f"derivation check failed: {label}")
