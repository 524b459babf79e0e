r"""When does the collapsed model become worse than the null predictor?

The null predictor :math:`\hat w=0` has test error :math:`\|w_0\|_\Sigma^2`.  In the proportional
limit with OLS (Theorem 4.1) the chain crosses it after
:math:`n^\star\simeq\mathrm{SNR}_0(1/\phi_0-1)` generations (catalogue entry
``null_predictor_threshold``; the paper prints :math:`\mathrm{SNR}_0/(1/\phi_0-1)`, erratum B3).
:func:`null_predictor_generations` finds the crossing from :func:`~symcollapse.predict` itself,
for finite samples, any ridge and any generators.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from . import _validation as V
from .predict import predict

__all__ = ["null_predictor_generations"]


def null_predictor_generations(eigenvalues: ArrayLike, w0: ArrayLike, *, T: float,
                               lam: float = 0.0, T0: float, sigma: float = 0.0,
                               sigma0: float = 0.0, design: str = "independent",
                               n_max: int = 10**7) -> int | None:
    r"""Smallest ``n`` whose predicted test error reaches :math:`\|w_0\|_\Sigma^2`.

    Scalar parameters (as in :func:`~symcollapse.predict`).  Returns ``0`` if even clean data
    does no better than zero, and ``None`` if the error stays below it up to ``n_max``.  The
    search doubles ``n`` until the error crosses, then bisects (the predicted error grows with
    ``n``).
    """
    eigs, coefs = V.as_spectrum(eigenvalues, w0)
    for name, value in (("T", T), ("lam", lam), ("T0", T0), ("sigma", sigma), ("sigma0", sigma0)):
        if np.ndim(value) != 0:
            raise ValueError(f"{name} must be a scalar for null_predictor_generations")
    n_max = int(V.count(n_max, "n_max", minimum=1))
    null = float(np.sum(eigs * coefs**2))

    def error(n: int) -> float:
        return float(predict(eigs, coefs, T=T, lam=lam, n=n, T0=T0, sigma=sigma, sigma0=sigma0,
                             design=design).test_error)

    if error(0) >= null:
        return 0
    lo, hi = 0, 1
    while error(hi) < null:
        if hi >= n_max:
            return None
        lo, hi = hi, min(2 * hi, n_max)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if error(mid) >= null:
            hi = mid
        else:
            lo = mid
    return hi
