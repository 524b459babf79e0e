"""Convenience constructors for the (eigenvalues, w0) pair that describes a problem."""

from __future__ import annotations

from typing import Any

import numpy as np

from symcollapse import _validation as V
from symcollapse.numeric.power_law import PowerLaw

__all__ = ["isotropic", "power_law", "spectrum_arrays"]


def isotropic(d: int, w0_norm: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Sigma = I_d and a target of Euclidean norm ``w0_norm`` spread evenly over the eigenbasis.

    >>> import symcollapse as sc
    >>> eigs, w0 = sc.isotropic(4)
    >>> eigs, w0
    (array([1., 1., 1., 1.]), array([0.5, 0.5, 0.5, 0.5]))
    """
    d = _dimension(d)
    w0_norm = _scalar(w0_norm, "w0_norm")
    if w0_norm < 0:
        raise ValueError(f"w0_norm must be >= 0, got {w0_norm!r}")
    return np.ones(d), np.full(d, w0_norm / np.sqrt(d))


def _scalar(value, name: str) -> float:
    arr = V.as_float_array(value, name)
    if arr.ndim:
        raise ValueError(f"{name} must be a single number, got shape {arr.shape}")
    return float(arr)


def _dimension(d) -> int:
    x = _scalar(d, "d")
    if x != int(x) or x < 1 or x > V.MATERIALIZE * 100:
        raise ValueError(f"d must be an integer in [1, {V.MATERIALIZE * 100}], got {d!r}")
    return int(x)


def power_law(d: int, beta: float, r: float, *, normalize: bool = False):
    r"""Eigenvalues :math:`\lambda_k=k^{-\beta}` and coefficients :math:`c_j=j^{-\delta/2}`,
    :math:`\delta=1+\beta(2r-1)` (eq. 24 of the paper; unnormalised by default); ``normalize``
    scales :math:`\|w_0\|_\Sigma=1`.

    >>> import symcollapse as sc
    >>> eigs, w0 = sc.power_law(3, beta=2.0, r=0.5)
    >>> eigs
    array([1.        , 0.25      , 0.11111111])
    """
    d = _dimension(d)
    beta, r = _scalar(beta, "beta"), _scalar(r, "r")
    if not isinstance(normalize, (bool, np.bool_)):
        raise TypeError(f"normalize must be True or False, got {normalize!r}")
    if not beta > 1:
        raise ValueError(f"beta must be > 1 (capacity condition), got {beta!r}")
    if not r > 0:
        raise ValueError(f"r must be > 0 (source condition), got {r!r}")
    k = np.arange(1, int(d) + 1, dtype=float)
    eigs = k**-beta
    delta = 1 + beta * (2 * r - 1)
    coefs = k ** (-delta / 2)
    if normalize:
        coefs = coefs / np.sqrt(np.sum(eigs * coefs**2))
    if not (np.all(eigs > 0) and np.all(np.isfinite(coefs))):
        raise ValueError(
            f"power_law({d}, beta={beta!r}, r={r!r}): the eigenvalues underflow or "
            "the coefficients overflow in float64; use a smaller beta or r"
        )
    return eigs, coefs


def spectrum_arrays(eigenvalues: Any, w0: Any) -> tuple[np.ndarray, np.ndarray]:
    """Explicit (eigenvalues, w0) arrays, from a pair of arrays or from a ``PowerLaw``."""
    if isinstance(eigenvalues, PowerLaw):
        if w0 is not None:
            raise TypeError("pass either a PowerLaw or the pair (eigenvalues, w0), not both")
        pl = eigenvalues
        if pl.d is None or pl.d > V.MATERIALIZE:
            raise ValueError(
                f"this needs the eigenvalues one by one: use a PowerLaw with a finite "
                f"d <= {V.MATERIALIZE}, got d = {pl.d}"
            )
        return pl.eigenvalues(pl.d), pl.w0(pl.d)
    return V.as_spectrum(eigenvalues, w0)
