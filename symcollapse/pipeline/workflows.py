r"""Named workflows: pipelines that researchers ask about, declared on the engine.

:func:`replace` is the chain of Dohmatob, Feng & Kempe (2024): each generator is fitted on data
labelled by the previous one, the downstream model on data labelled by the last generator.
:func:`accumulate` keeps every earlier generation's data (Gerstgrasser et al. 2024);
:func:`fresh_real_mix` gives every generation a fraction of fresh real rows; :func:`downstream_mix`
mixes real rows with synthetic ones (from the chain or a fixed teacher ``w2``) downstream only
(strong collapse).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from symcollapse.pipeline.declaration import TRUTH, Block, Fit, Pipeline, Reuse
from symcollapse.pipeline.schedule import expand

__all__ = ["replace", "accumulate", "fresh_real_mix", "downstream_mix"]

DESIGNS = ("independent", "same")


def replace(
    n: int = 0,
    T0: Any = None,
    sigma0: Any = 0.0,
    T: Any = None,
    sigma: Any = 0.0,
    lam: Any = 0.0,
    lam0: Any = 0.0,
    design: str = "independent",
) -> Pipeline:
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
    n = _count(n, "n")
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
        fits.append(
            Fit(name, [Block(T0s[m], teacher, s0s[m], design="X0" if design == "same" else None)], lam=l0s[m])
        )
        teacher = name
    fits.append(Fit("downstream", [Block(T, teacher, sigma)], lam=lam))
    return Pipeline(fits, name="replace")


def _count(value: Any, name: str) -> int:
    if (
        isinstance(value, (bool, np.bool_))
        or not isinstance(value, (int, np.integer, float))
        or (isinstance(value, float) and not value.is_integer())
        or value < 0
    ):
        raise ValueError(f"{name} must be an integer >= 0 (the number of generators), got {value!r}")
    return int(value)


def _size(value: Any, name: str) -> int:
    """A whole number of rows (the mixing workflows split it into real and synthetic rows)."""
    if isinstance(value, (bool, np.bool_)) or np.ndim(value) != 0:
        raise ValueError(
            f"{name} must be one whole number of rows >= 1 (the block structure "
            f"depends on it, so it cannot be a grid), got {value!r}"
        )
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number of rows, got {value!r}") from None
    if not np.isfinite(v) or v < 1 or v != round(v):
        raise ValueError(f"{name} must be a whole number of rows >= 1, got {value!r}")
    return int(v)


def _fraction(alpha: Any) -> float:
    if isinstance(alpha, (bool, np.bool_)) or np.ndim(alpha) != 0:
        raise ValueError(f"alpha must be one number in [0, 1] (the fraction of real rows), got {alpha!r}")
    try:
        a = float(alpha)
    except (TypeError, ValueError):
        raise TypeError(f"alpha must be a number in [0, 1], got {alpha!r}") from None
    if not 0.0 <= a <= 1.0:
        raise ValueError(f"alpha must be in [0, 1] (the fraction of real rows), got {alpha!r}")
    return a


def _split(rows: int, alpha: float) -> tuple[int, int]:
    """``round(alpha * rows)`` real rows and the rest synthetic (Python's round: half to even)."""
    real = int(round(alpha * rows))
    return real, rows - real


def _mixed_blocks(
    real: int, synthetic: int, teacher: str, noise_real: Any, noise_synthetic: Any
) -> list[Block]:
    """The real and synthetic blocks of a fit (empty ones left out; synthetic rows taught by the
    truth are merged into the real block)."""
    if teacher == TRUTH:
        return [Block(real + synthetic, TRUTH, noise_real)]
    blocks = []
    if real:
        blocks.append(Block(real, TRUTH, noise_real))
    if synthetic:
        blocks.append(Block(synthetic, teacher, noise_synthetic))
    return blocks


def accumulate(
    n: int = 0,
    T0: Any = None,
    sigma0: Any = 0.0,
    T: Any = None,
    sigma: Any = 0.0,
    lam: Any = 0.0,
    lam0: Any = 0.0,
    design: str = "fresh",
) -> Pipeline:
    r"""Accumulating data (Gerstgrasser et al. 2024): every generation keeps all earlier data.

    Generation :math:`m` trains on the blocks of every earlier generation, kept exactly as they
    were (rows and labels), plus ``T0`` new rows labelled by fit :math:`m-1` with noise ``sigma0``
    (generation 1: by the truth); the downstream fit (ridge ``lam``) trains on all of it plus ``T``
    rows labelled by fit ``n`` with noise ``sigma``.  ``design="fresh"`` draws new rows for every
    block; ``"same"`` reuses one design ``X0`` for every block (then ``T`` must equal ``T0``).

    Theory (least-squares generators and downstream, ``lam0 = lam = 0``) is exact:

    * same design: :math:`\hat w_m=P_{X_0}w_0+X_0^+\sum_{i\le m}\varepsilon_i/i`, so for
      :math:`T_0\ge d+2`, :math:`E=\frac{d}{T_0-d-1}\big(\sigma_0^2\sum_{i=1}^n i^{-2}
      +\sigma^2/(n+1)^2\big)\le\frac{\pi^2}{6}\frac{d\max(\sigma_0^2,\sigma^2)}{T_0-d-1}`;
    * fresh designs: :math:`e_m=e_{m-1}+S_m^{-1}X_m^\top\varepsilon_m` with :math:`S_m` the
      Gram matrix of all :math:`N_m` accumulated rows, so
      :math:`E=\sum_i\sigma_i^2\frac{T_i}{N_i}\frac{d}{N_i-d-1}` (every :math:`N_i\ge d+2`).

    Ridge fits on accumulated data are not derived (``predict`` refuses, ``simulate`` runs them).
    Fits are named ``gen1`` .. ``gen{n}`` and ``downstream``; blocks ``gen{m}.new``.
    """
    n = _count(n, "n")
    if design not in ("fresh", "same"):
        raise ValueError(f"design must be 'fresh' or 'same', got {design!r}")
    if T is None:
        raise ValueError("T (the downstream's new rows) is required")
    if n > 0 and T0 is None:
        raise ValueError("T0 is required when n > 0 (the new rows of each generation)")
    shared = "X0" if design == "same" else None
    if design == "same" and n > 0 and not np.array_equal(np.asarray(T, float), np.asarray(T0, float)):
        raise ValueError(
            f"with design='same' every block uses the rows of X0, so T must equal "
            f"T0, got T = {T!r}, T0 = {T0!r}"
        )
    fits: list[Fit] = []
    kept: list[str] = []
    teacher = TRUTH
    for m in range(1, n + 1):
        name = f"gen{m}"
        new = Block(T0, teacher, sigma0, design=shared, name=f"{name}.new")
        fits.append(Fit(name, [Reuse(b) for b in kept] + [new], lam=lam0))
        kept.append(f"{name}.new")
        teacher = name
    fits.append(
        Fit("downstream", [Reuse(b) for b in kept] + [Block(T, teacher, sigma, design=shared)], lam=lam)
    )
    return Pipeline(fits, name="accumulate")


def fresh_real_mix(
    n: int = 0,
    T0: Any = None,
    alpha: Any = 0.5,
    sigma0: Any = 0.0,
    T: Any = None,
    sigma: Any = 0.0,
    lam: Any = 0.0,
    lam0: Any = 0.0,
) -> Pipeline:
    r"""Fresh real data every generation (He et al. 2025; Bertrand et al. 2024).

    Each generation trains (ridge ``lam0``) on ``round(alpha * T0)`` fresh real rows (teacher:
    the truth) and ``T0 - round(alpha * T0)`` fresh rows labelled by the previous fit, all with
    noise ``sigma0`` (generation 1: every row real); the downstream fit (ridge ``lam``) likewise on
    ``round(alpha * T)`` real rows and the rest labelled by fit ``n``, noise ``sigma``.
    ``alpha = 0`` is :func:`replace`; ``alpha = 1`` is clean ridge on ``T`` rows.  Every fit's
    teachers are independent of its rows, so the deterministic-equivalent rules apply, the
    teachers' disagreement acting as extra label noise.  ``T0``, ``T`` and ``alpha`` are single
    numbers (they fix the blocks); the noises and ridges may be grids.
    """
    n = _count(n, "n")
    a = _fraction(alpha)
    T = _size(T, "T")
    T0 = _size(T0, "T0") if n > 0 else None
    fits = []
    teacher = TRUTH
    for m in range(1, n + 1):
        name = f"gen{m}"
        fits.append(Fit(name, _mixed_blocks(*_split(T0, a), teacher, sigma0, sigma0), lam=lam0))
        teacher = name
    fits.append(Fit("downstream", _mixed_blocks(*_split(T, a), teacher, sigma, sigma), lam=lam))
    return Pipeline(fits, name="fresh_real_mix")


def downstream_mix(
    n: int = 0,
    T0: Any = None,
    sigma0: Any = 0.0,
    T: Any = None,
    alpha: Any = 1.0,
    sigma: Any = 0.0,
    lam: Any = 0.0,
    lam0: Any = 0.0,
    design: str = "independent",
    w2: Any = None,
    sigma2: Any = None,
) -> Pipeline:
    r"""Real and synthetic data mixed downstream (Dohmatob, Feng, Subramonian & Kempe 2025).

    The downstream fit (ridge ``lam``) trains on ``round(alpha * T)`` real rows (noise ``sigma``)
    and ``T - round(alpha * T)`` synthetic rows labelled either by the output of :func:`replace`'s
    ``n`` generators (noise ``sigma``) or, with ``w2`` given (coefficients in the eigenbasis, like
    ``w0``; then ``n = 0``), by the fixed teacher :math:`w_2` with noise ``sigma2``.

    With :math:`\Delta=w_2-w_0` and :math:`p_2=1-\alpha`, the pooled fit behaves like clean ridge
    on the target :math:`w_0+p_2\Delta` with label noise :math:`\alpha\sigma^2+p_2\sigma_2^2+
    \alpha p_2\|\Delta\|_\Sigma^2`; as ``T`` grows at fixed ``alpha`` the error tends to a floor
    (:math:`p_2^2\|\Delta\|_\Sigma^2` for :math:`\lambda\to0`): *strong collapse*.
    """
    n = _count(n, "n")
    a = _fraction(alpha)
    T = _size(T, "T")
    teachers = None
    if w2 is not None:
        if n > 0:
            raise ValueError(
                "w2 (a fixed synthetic teacher) replaces the chain: give n = 0, or "
                "leave w2 out to label the synthetic rows by the chain's output"
            )
        if sigma2 is None:
            raise ValueError("sigma2 (the label noise of the rows w2 labels) is required with w2")
        teachers = {"w2": w2}
        fits = [Fit("downstream", _mixed_blocks(*_split(T, a), "w2", sigma, sigma2), lam=lam)]
        return Pipeline(fits, name="downstream_mix", teachers=teachers)
    if sigma2 is not None:
        raise ValueError(
            "sigma2 is the noise of the rows w2 labels: give w2, or leave sigma2 out "
            "(synthetic rows from the chain carry sigma)"
        )
    chain = replace(n=n, T0=T0, sigma0=sigma0, T=T, sigma=sigma, lam=lam, lam0=lam0, design=design)
    teacher = chain.fits[-2].name if n > 0 else TRUTH
    fits = list(chain.fits[:-1]) + [
        Fit("downstream", _mixed_blocks(*_split(T, a), teacher, sigma, sigma), lam=lam)
    ]
    return Pipeline(fits, name="downstream_mix")
