"""The catalogue's index: every formula's title and regime, shipped with the package as JSON so
that listing the catalogue derives nothing (and imports no SymPy).  Written by
:func:`symcollapse.symbolic.catalogue.write_index`; a test checks it matches the derivations."""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["INDEX_PATH", "read_index"]

INDEX_PATH = Path(__file__).with_name("catalogue_index.json")


def read_index(path: Path | str = INDEX_PATH) -> dict[str, dict[str, str]]:
    """``name -> {"title", "regime"}`` in catalogue order; empty if the file is missing or
    unreadable."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
