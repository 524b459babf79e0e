"""A progress bar for long simulations: tqdm on a terminal, silent otherwise."""

from __future__ import annotations

import sys
from contextlib import nullcontext


class _Silent:
    def update(self, n: int = 1) -> None:
        pass

    def set_postfix_str(self, s: str) -> None:
        pass


def progress_bar(total: int, desc: str, enabled: bool | None = None):
    """A context manager yielding an object with ``update()``.

    ``enabled=None`` shows the bar only when stderr is a terminal (so logs and pipes stay
    clean); ``True``/``False`` force it on or off.
    """
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        return nullcontext(_Silent())
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="pt", file=sys.stderr, leave=False, dynamic_ncols=True)
