"""Helpers shared by the workflow derivations: substitute a pipeline derivation's per-block
symbols (``T_gen2_0``, ``sigma_downstream``...) by the workflow's parameters."""

from __future__ import annotations

import sympy as sp


def substitute(expr: sp.Expr, rule) -> sp.Expr:
    """Replace every free symbol ``s`` for which ``rule(name)`` returns an expression."""
    sub = {}
    for sym in expr.free_symbols:
        value = rule(str(sym))
        if value is not None:
            sub[sym] = value
    return expr.xreplace(sub)
