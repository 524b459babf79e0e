"""A small recorder for derivation steps."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sympy as sp

from symcollapse.symbolic import symbols as S
from symcollapse.symbolic.formula import Condition, Step

#: the regime of every downstream ridge result: lam >= 0 and at least one sample
RIDGE_REGIME = (
    Condition(sp.Ge(S.lam, 0, evaluate=False), "lam >= 0"),
    Condition(sp.Ge(S.T, 1, evaluate=False), "T >= 1"),
)


class Derivation:
    """Collects the steps of a derivation as ``Step(text, expr)``."""

    def __init__(self, steps: Iterable[Step] = ()) -> None:
        """Start empty, or from the ``steps`` of a derivation this one continues."""
        self.steps: list[Step] = list(steps)

    def __call__(self, text: str, expr: Any) -> Any:
        self.steps.append(Step(text, expr))
        return expr

    def done(self) -> tuple[Step, ...]:
        return tuple(self.steps)
