"""Input validation shared by the public API: clear ``ValueError``/``TypeError`` messages."""

from __future__ import annotations

from typing import Any

import numpy as np

DESIGNS = ("independent", "same")


_BAD_KINDS = {
    "b": "a boolean",
    "c": "complex",
    "M": "a datetime",
    "m": "a timedelta",
    "U": "a string",
    "S": "bytes",
    "V": "a structured value",
}


def _refuse_type(value: Any, name: str) -> None:
    """``TypeError`` naming ``name`` for booleans, strings, bytes, complex numbers, datetimes."""
    bad = None
    if isinstance(value, (bool, np.bool_)):
        bad = "a boolean"
    elif isinstance(value, str):
        bad = "a string"
    elif isinstance(value, (bytes, bytearray)):
        bad = "bytes"
    elif isinstance(value, (complex, np.complexfloating)):
        bad = "complex"
    elif isinstance(value, (np.datetime64, np.timedelta64)) or type(value).__module__ == "datetime":
        bad = "a date or time"
    if bad is not None:
        raise TypeError(f"{name} must be a number or an array of numbers (real), got {bad} ({value!r})")


def as_float_array(value: Any, name: str, *, allow_empty: bool = False) -> np.ndarray:
    """``value`` as a float array.

    ``None``, booleans, strings, bytes, complex numbers, datetimes (also inside sequences) raise
    ``TypeError`` naming ``name``; empty arrays (unless ``allow_empty``), NaN and inf raise
    ``ValueError``."""
    if value is None:
        raise TypeError(f"{name} must be a number or an array of numbers, got None")
    _refuse_type(value, name)
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number or an array of numbers, got {value!r}") from None
    kind = raw.dtype.kind
    if kind in _BAD_KINDS:
        raise TypeError(
            f"{name} must be a number or an array of numbers (real), got {_BAD_KINDS[kind]} array ({value!r})"
        )
    if kind == "O":
        for item in raw.reshape(-1):
            if item is None:
                raise TypeError(f"{name} must be an array of numbers, got None in {value!r}")
            _refuse_type(item, name)
    try:
        arr = np.asarray(raw, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise TypeError(f"{name} must be a number or an array of numbers, got {value!r}") from None
    if arr.size == 0 and not allow_empty:
        raise ValueError(f"{name} must not be empty, got {value!r}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return arr


def as_spectrum(eigenvalues: Any, w0: Any) -> tuple[np.ndarray, np.ndarray]:
    """Validate the eigenvalues of Sigma (positive, finite, 1-D) and the coefficients of w0."""
    if eigenvalues is None:
        raise ValueError("eigenvalues must be a non-empty 1-D array of the eigenvalues of Sigma")
    eigs = as_float_array(eigenvalues, "eigenvalues", allow_empty=True)
    if eigs.ndim != 1 or eigs.size == 0:
        raise ValueError(
            f"eigenvalues must be a non-empty 1-D array of the eigenvalues of Sigma, got shape {eigs.shape}"
        )
    if not np.all(eigs > 0):
        raise ValueError(
            "eigenvalues must be positive: Sigma must be positive definite "
            f"(smallest eigenvalue {eigs.min()!r})"
        )
    if w0 is None:
        raise ValueError("w0 must be a 1-D array of the target's coefficients in the eigenbasis")
    coefs = as_float_array(w0, "w0", allow_empty=True)
    if coefs.ndim != 1:
        raise ValueError(
            f"w0 must be a 1-D array of the target's coefficients in the eigenbasis, got shape {coefs.shape}"
        )
    if coefs.shape != eigs.shape:
        raise ValueError(
            f"w0 has length {coefs.size} but there are {eigs.size} eigenvalues: "
            "they must have the same length d"
        )
    return eigs, coefs


def nonnegative(value: Any, name: str) -> np.ndarray:
    arr = as_float_array(value, name)
    if np.any(arr < 0):
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return arr


def count(value: Any, name: str, *, minimum: int = 0) -> np.ndarray:
    """A non-negative integer-valued array (floats with integral values are accepted)."""
    arr = as_float_array(value, name)
    if np.any(arr != np.round(arr)):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if np.any(arr < minimum):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return arr


def sample_size(value: Any, name: str) -> np.ndarray:
    arr = as_float_array(value, name)
    if np.any(arr < 1):
        raise ValueError(f"{name} must be >= 1 (a sample size), got {value!r}")
    return arr


def per_generation(value: Any, name: str, n: int, validate=None) -> tuple[float, ...]:
    """``value`` as one number per generator (m = 0..n-1): a scalar is repeated ``n`` times, a
    1-D sequence must have length ``n``.  ``validate(array, name)`` checks the given values."""
    arr = as_float_array(value, name, allow_empty=n == 0)
    if arr.ndim > 1:
        raise ValueError(
            f"{name} must be a scalar or a 1-D sequence with one value per generator, got shape {arr.shape}"
        )
    if arr.ndim == 1 and arr.size != n:
        raise ValueError(f"{name} has {arr.size} values, one per generator, but n = {n}")
    if validate is not None:
        validate(np.atleast_1d(arr), name)
    return tuple(float(x) for x in np.broadcast_to(arr, (n,)))


def integer(value: Any, name: str, *, minimum: int, meaning: str = "") -> int:
    """A scalar Python or NumPy integer (not a bool, not a float) ``>= minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}{meaning}, got {value!r}")
    return int(value)


def generator(seed) -> np.random.Generator:
    """A NumPy ``Generator`` from a seed (int, ``SeedSequence``, ``None``) or the generator itself."""
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def one_design(T0s, design_: str) -> None:
    """``design="same"`` reuses one design, so every generator must have the same ``T0``."""
    if design_ == "same" and len(set(T0s)) > 1:
        raise ValueError(
            f"design='same' reuses one design X0, so T0 must be the same for "
            f"every generator, got T0 = {list(T0s)}"
        )


def design(value: Any) -> str:
    if value not in DESIGNS:
        raise ValueError(f"design must be one of {DESIGNS}, got {value!r}")
    return value


#: default memory limit of one public call (bytes); raise it with ``max_bytes=`` where offered
MAX_BYTES = 4 << 30


def check_memory(estimate: float, what: str, max_bytes: float | None) -> None:
    """Refuse work whose estimated memory exceeds ``max_bytes`` (default :data:`MAX_BYTES`)."""
    limit = MAX_BYTES if max_bytes is None else max_bytes
    if estimate > limit:
        raise ValueError(
            f"{what} needs an estimated {estimate / 2**20:,.0f} MiB, above the limit "
            f"of {limit / 2**20:,.0f} MiB: split the work, or pass max_bytes= to "
            "raise the limit"
        )


#: largest power-law spectrum that is turned into explicit arrays (simulation, formula sums)
MATERIALIZE = 2_000_000
