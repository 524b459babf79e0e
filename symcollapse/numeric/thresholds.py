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

from symcollapse import _validation as V
from symcollapse.numeric.prediction import predict

__all__ = ["null_predictor_generations"]


def null_predictor_generations(
    eigenvalues: ArrayLike,
    w0: ArrayLike,
    *,
    T: float,
    lam: float = 0.0,
    T0: float,
    sigma: float = 0.0,
    sigma0: float = 0.0,
    design: str = "independent",
    n_max: int = 10**7,
) -> int | None:
    r"""Smallest ``n`` whose predicted test error reaches :math:`\|w_0\|_\Sigma^2`.

    Scalar parameters (as in :func:`~symcollapse.predict`).  Returns ``0`` if even clean data
    does no better than zero, and ``None`` if the error stays below it up to ``n_max``.  The
    search doubles ``n`` until the error crosses, then bisects (the predicted error grows with
    ``n``).

    Examples
    --------
    >>> import symcollapse as sc
    >>> eigs, w0 = sc.isotropic(200)
    >>> sc.null_predictor_generations(eigs, w0, T=400, T0=600, sigma=0.5, sigma0=0.5)
    6
    """
    eigs, coefs = V.as_spectrum(eigenvalues, w0)
    for name, value in (("T", T), ("lam", lam), ("T0", T0), ("sigma", sigma), ("sigma0", sigma0)):
        if np.ndim(value) != 0:
            raise ValueError(f"{name} must be a scalar for null_predictor_generations")
    n_max = int(V.count(n_max, "n_max", minimum=1))
    null = float(np.sum(eigs * coefs**2))

    def error(n: int) -> float:
        return float(
            predict(
                eigs, coefs, T=T, lam=lam, n=n, T0=T0, sigma=sigma, sigma0=sigma0, design=design
            ).test_error
        )

    e0 = error(0)
    if e0 >= null:
        return 0
    d = eigs.size
    if design == "same" or T0 >= d + 2:
        # exact identities of least-squares generators: with T0 >= d + 2 each generator only adds
        # noise (P = I), and on one reused design the chain is P w0 + X0^+ (noise sum); either way
        # the error is affine in n (from n = 1 on), so the crossing is solved, not searched
        e1, e2 = error(1), error(2)
        if e1 >= null:
            return 1
        slope = e2 - e1
        if slope <= 0:
            return None
        n_cross = 1 + int(np.ceil((null - e1) / slope - 1e-12))
        while n_cross > 1 and error(n_cross - 1) >= null:
            n_cross -= 1
        while error(n_cross) < null:
            n_cross += 1
        return n_cross if n_cross <= n_max else None
    # over-parameterised generators: the engine evaluates the chain one generator at a time
    limit = 2_000
    lo, hi = 0, 1
    while error(hi) < null:
        if hi >= n_max:
            return None
        if hi >= limit:
            raise ValueError(
                f"the predicted error has not reached the null predictor's after "
                f"{limit} generations; over-parameterised chains are evaluated one "
                f"generator at a time, so pass n_max <= {limit}"
            )
        lo, hi = hi, min(2 * hi, n_max, limit)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if error(mid) >= null:
            hi = mid
        else:
            lo = mid
    return hi
