"""Parsing of command-line values: numbers, lists and ranges, ``key=value`` pairs, spectra.

Nothing here evaluates a user string as code: numbers go through :func:`float`, after a
regular expression has checked their shape.  Grammar of a value::

    value  := number | list | range | schedule
    list   := number ("," number)+                 e.g. 0,1,2,5 (a grid: one row per value)
    schedule := "[" number ("," number)* "]"       e.g. T0=[600,900,1200] (one per generator)
    range  := number ":" number ":" count ["log"]  e.g. 100:10000:20log (20 points, log-spaced)
    number := decimal or scientific notation        e.g. 1e-3, 0.5, 600
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_RANGE = re.compile(rf"({_NUMBER.pattern}):({_NUMBER.pattern}):(\d+)(log|lin)?")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
MAX_GRID = 1_000_000


@dataclass(frozen=True)
class Value:
    """A parsed value: its numbers and whether it came from a range (then it may be rounded)."""

    values: np.ndarray
    is_range: bool
    per_generation: bool = False

    @property
    def scalar(self) -> bool:
        return self.values.size == 1 and not self.is_range


def parse_number(text: str, key: str) -> float:
    if not _NUMBER.fullmatch(text):
        raise ValueError(f"{key}={text!r} is not a number (expected e.g. 600, 0.5 or 1e-3)")
    value = float(text)
    if not np.isfinite(value):
        raise ValueError(f"{key}={text!r} is out of the floating-point range")
    return value


def parse_value(text: str, key: str) -> Value:
    """Parse ``text`` (a number, a comma list or a ``start:stop:count[log]`` range)."""
    text = text.strip()
    if text.startswith("[") or text.endswith("]"):
        inner = text[1:-1] if text.startswith("[") and text.endswith("]") else ""
        parts = inner.split(",")
        if not inner or any(not p.strip() for p in parts) or ":" in inner:
            raise ValueError(
                f"{key}={text!r} is a malformed per-generation schedule: expected "
                "numbers in brackets separated by commas, e.g. [600,900,1200]"
            )
        return Value(np.array([parse_number(p.strip(), key) for p in parts]), False, True)
    if ":" in text:
        m = _RANGE.fullmatch(text)
        if not m:
            raise ValueError(
                f"{key}={text!r} is a malformed range: expected start:stop:count or "
                "start:stop:countlog, e.g. 100:10000:20log"
            )
        start, stop, kind = parse_number(m.group(1), key), parse_number(m.group(2), key), m.group(4)
        count = int(m.group(3)) if len(m.group(3)) <= 12 else MAX_GRID + 1
        if count < 1:
            raise ValueError(f"{key}={text!r}: the number of points must be >= 1")
        if count > MAX_GRID:  # checked before anything is allocated
            raise ValueError(
                f"{key}={text!r}: {count} points would need about "
                f"{8 * count / 2**20:,.0f} MiB; at most {MAX_GRID} are allowed"
            )
        if kind == "log":
            if start <= 0 or stop <= 0:
                raise ValueError(f"{key}={text!r}: a log range needs start > 0 and stop > 0")
            vals = np.logspace(np.log10(start), np.log10(stop), count)
        else:
            vals = np.linspace(start, stop, count)
        return Value(vals, True)
    parts = text.split(",")
    if any(not p.strip() for p in parts):
        raise ValueError(f"{key}={text!r} is a malformed list: expected numbers separated by commas")
    return Value(np.array([parse_number(p.strip(), key) for p in parts]), False)


def parse_assignments(items: list[str], allowed: tuple[str, ...], what: str) -> dict[str, Value]:
    """Parse ``key=value`` items; keys must be in ``allowed`` (each at most once)."""
    out: dict[str, Value] = {}
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not _KEY.fullmatch(key):
            raise ValueError(f"expected key=value, got {item!r} (e.g. T=1000 or lam=1e-4:1:20log)")
        if key not in allowed:
            raise ValueError(f"unknown parameter {key!r} for {what}; it takes: {', '.join(allowed)}")
        if key in out:
            raise ValueError(f"parameter {key!r} given twice")
        out[key] = parse_value(text, key)
    return out


SCHEDULE_KEYS = ("T0", "sigma0", "lam0")


def split_schedules(parsed: dict[str, Value]) -> tuple[dict[str, Value], dict[str, np.ndarray]]:
    """Separate the per-generation schedules (``T0=[...]``) from the grid values."""
    grid_values, schedules = {}, {}
    for key, value in parsed.items():
        if not value.per_generation:
            grid_values[key] = value
        elif key not in SCHEDULE_KEYS:
            raise ValueError(
                f"{key}=[...]: only {', '.join(SCHEDULE_KEYS)} take a per-generation "
                "schedule; a grid of values is written without brackets (e.g. 1,2,5)"
            )
        else:
            schedules[key] = value.values
    return grid_values, schedules


def as_integers(key: str, value: Value) -> np.ndarray:
    """Integer values: a range is rounded (and de-duplicated), a literal must be integral."""
    if value.is_range:
        return np.unique(np.rint(value.values)).astype(np.int64)
    if not np.all(value.values == np.rint(value.values)):
        raise ValueError(f"{key} must be an integer, got {value.values.tolist()}")
    return value.values.astype(np.int64)


def grid(values: dict[str, np.ndarray]) -> tuple[list[str], list[np.ndarray]]:
    """The Cartesian product of the values, as flat columns (in the given key order)."""
    keys = list(values)
    size = int(np.prod([np.size(v) for v in values.values()])) if values else 1
    if size > MAX_GRID:
        raise ValueError(f"the grid has {size} points; at most {MAX_GRID} are allowed")
    mesh = np.meshgrid(*[np.asarray(values[k]) for k in keys], indexing="ij") if keys else []
    return keys, [m.ravel() for m in mesh]


#: largest spectrum file read (bytes)
MAX_FILE_BYTES = 1 << 30


def load_vector(path: str, what: str) -> np.ndarray:
    """A 1-D float array from a ``.npy`` file or a text/CSV file of numbers."""
    p = Path(path)
    if not p.is_file():
        raise ValueError(f"no such {what} file: {str(p)!r}")
    size = p.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ValueError(
            f"{what} file {str(p)!r} has {size / 2**20:,.0f} MiB; at most "
            f"{MAX_FILE_BYTES / 2**20:,.0f} MiB are read"
        )
    if p.suffix == ".npy":
        try:
            arr = np.load(p, allow_pickle=False)
        except ValueError as e:
            raise ValueError(f"{what} file {str(p)!r} is not a numeric .npy array ({e})") from None
    else:
        try:
            arr = np.loadtxt(p, delimiter="," if p.suffix == ".csv" else None, ndmin=1)
        except ValueError as e:
            raise ValueError(f"{what} file {str(p)!r} does not hold numbers: {e}") from None
    if arr.dtype.kind not in "iuf":
        raise ValueError(f"{what} file {str(p)!r} holds {arr.dtype} values, not real numbers")
    if arr.ndim != 1:
        raise ValueError(
            f"{what} file {str(p)!r} holds an array of shape {arr.shape}: expected one column (a 1-D array)"
        )
    arr = np.asarray(arr, dtype=float)
    if arr.size == 0:
        raise ValueError(f"{what} file {str(p)!r} is empty")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{what} file {str(p)!r} contains non-finite numbers")
    return arr
