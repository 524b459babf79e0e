r"""Named workflows: pipelines that researchers ask about, declared on the engine.

:func:`replace` is the chain of Dohmatob, Feng & Kempe (2024): each generator is fitted on data
labelled by the previous one, the downstream model on data labelled by the last generator.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .declaration import TRUTH, Block, Fit, Pipeline
from .schedule import expand

__all__ = ["replace"]

DESIGNS = ("independent", "same")


def replace(n: int = 0, T0: Any = None, sigma0: Any = 0.0, T: Any = None, sigma: Any = 0.0,
            lam: Any = 0.0, lam0: Any = 0.0, design: str = "independent") -> Pipeline:
    r"""The paper's chain: ``n`` generators, then the downstream fit.

    .. math:: \hat w_0=w_0,\qquad \hat w_{m+1}=\arg\min_w\frac1{T_0^{(m)}}\|X_mw-X_m\hat w_m-
              \sigma_0^{(m)}\varepsilon_m\|^2+\lambda_0^{(m)}\|w\|^2,

    and the downstream ridge (``lam``) on ``T`` rows labelled by :math:`\hat w_n` with noise
    ``sigma``.  ``T0``, ``sigma0``, ``lam0``: a number (every generator), a
    :func:`~symcollapse.per_generation` schedule (one per generator) or an array (a grid).
    ``design="independent"`` draws fresh rows per generator; ``"same"`` reuses one design ``X0``
    (so every generator has the same ``T0``).  Fits are named ``gen1`` .. ``gen{n}`` and
    ``downstream``.

    >>> replace(n=2, T0=600, sigma0=0.2, T=1000, sigma=0.1, lam=1e-3)
    Pipeline(name='replace', fits=[
        Fit('gen1', [Block(rows=600, teacher='truth', noise=0.2)]),
        Fit('gen2', [Block(rows=600, teacher='gen1', noise=0.2)]),
        Fit('downstream', [Block(rows=1000, teacher='gen2', noise=0.1)], lam=0.001),
    ])
    """
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 0:
        if isinstance(n, float) and n.is_integer() and n >= 0:
            n = int(n)
        else:
            raise ValueError(f"n must be an integer >= 0 (the number of generators), got {n!r}")
    n = int(n)
    if design not in DESIGNS:
        raise ValueError(f"design must be one of {DESIGNS}, got {design!r}")
    if T is None:
        raise ValueError("T (the downstream sample size) is required")
    if n > 0 and T0 is None:
        raise ValueError("T0 is required when n > 0 (the sample size of each generator)")
    T0s = expand(T0, "T0", n)
    s0s = expand(sigma0, "sigma0", n)
    l0s = expand(lam0, "lam0", n)
    fits = []
    teacher = TRUTH
    for m in range(n):
        name = f"gen{m + 1}"
        fits.append(Fit(name, [Block(T0s[m], teacher, s0s[m],
                                     design="X0" if design == "same" else None)], lam=l0s[m]))
        teacher = name
    fits.append(Fit("downstream", [Block(T, teacher, sigma)], lam=lam))
    return Pipeline(fits, name="replace")
