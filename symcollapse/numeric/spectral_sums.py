r"""The four spectral sums of the theory, written once.

For eigenvalues :math:`\lambda_j`, weights :math:`b_j=c_j^2\lambda_j` and :math:`\kappa>0`:

.. math::
    \mathrm{df}_1=\sum_j\frac{\lambda_j}{\lambda_j+\kappa},\quad
    \mathrm{df}_2=\sum_j\frac{\lambda_j^2}{(\lambda_j+\kappa)^2},\quad
    B_\kappa=\sum_j b_j\Big(\frac{\kappa}{\lambda_j+\kappa}\Big)^2,\quad
    S_\kappa=\sum_j\Big(\frac{\kappa}{\lambda_j+\kappa}\Big)^2,

each ratio formed without cancellation.  :class:`~symcollapse.numeric.spectral.SpectralFunctionals`
sums them over a whole spectrum, :class:`~symcollapse.PowerLaw` over the head of a power law
(its tail is an Euler-Maclaurin integral).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

__all__ = ["FUNCTIONALS", "direct_sums"]

#: the names of the sums, in the order the engine and the tables use
FUNCTIONALS = ("df1", "df2", "bias_scaled", "resolvent_scaled")

_CHUNK = 1 << 22  # elements (points x eigenvalues) per block: bounds the memory


def direct_sums(
    eigenvalues: np.ndarray, bias_weights: np.ndarray, kappa: np.ndarray, names: Iterable[str] = FUNCTIONALS
) -> dict[str, np.ndarray]:
    """The sums ``names`` at every ``kappa`` (any shape, > 0), by direct summation over the
    eigenvalues, in blocks of at most ``2**22`` terms."""
    k = np.asarray(kappa, dtype=float)
    flat = k.reshape(-1)
    lj = np.asarray(eigenvalues, dtype=float)
    out = {name: np.empty_like(flat) for name in names}
    step = max(1, _CHUNK // max(lj.size, 1))
    for s in range(0, flat.size, step):
        kk = flat[s : s + step, None]
        denom = lj + kk
        if "df1" in out or "df2" in out:
            p = lj / denom  # lambda/(lambda+kappa)
            if "df1" in out:
                out["df1"][s : s + step] = p.sum(axis=1)
            if "df2" in out:
                out["df2"][s : s + step] = np.einsum("ij,ij->i", p, p)
        if "bias_scaled" in out or "resolvent_scaled" in out:
            q = kk / denom  # kappa/(lambda+kappa), without cancellation
            q2 = q * q
            if "bias_scaled" in out:
                out["bias_scaled"][s : s + step] = q2 @ bias_weights
            if "resolvent_scaled" in out:
                out["resolvent_scaled"][s : s + step] = q2.sum(axis=1)
    return {name: v.reshape(k.shape) for name, v in out.items()}
