"""Convenience constructors for the (eigenvalues, w0) pair that describes a problem."""

from __future__ import annotations

import numpy as np

__all__ = ["isotropic", "power_law"]


def isotropic(d: int, w0_norm: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Sigma = I_d and a target of Euclidean norm ``w0_norm`` spread evenly over the eigenbasis."""
    if int(d) != d or d < 1:
        raise ValueError(f"d must be an integer >= 1, got {d!r}")
    d = int(d)
    return np.ones(d), np.full(d, w0_norm / np.sqrt(d))


def power_law(d: int, beta: float, r: float, *, normalize: bool = False):
    r"""Eigenvalues :math:`\lambda_k=k^{-\beta}` and coefficients :math:`c_j=j^{-\delta/2}`,
    :math:`\delta=1+\beta(2r-1)` (SPEC decision 3); ``normalize`` scales :math:`\|w_0\|_\Sigma=1`."""
    if int(d) != d or d < 1:
        raise ValueError(f"d must be an integer >= 1, got {d!r}")
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
    return eigs, coefs
