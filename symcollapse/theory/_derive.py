"""A small recorder for derivation steps."""

from __future__ import annotations

from typing import Any

from ..formula import Step


class Derivation:
    """Collects the steps of a derivation as ``Step(text, expr)``."""

    def __init__(self) -> None:
        self.steps: list[Step] = []

    def __call__(self, text: str, expr: Any) -> Any:
        self.steps.append(Step(text, expr))
        return expr

    def done(self) -> tuple[Step, ...]:
        return tuple(self.steps)
