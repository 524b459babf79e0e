"""A small recorder for derivation steps."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .. import symbols as S
from ..formula import Condition, Step

#: the regime of every downstream ridge result: lam >= 0 and at least one sample
RIDGE_REGIME = (Condition(S.lam >= 0, "lam >= 0"), Condition(S.T >= 1, "T >= 1"))


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
