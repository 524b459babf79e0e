r"""The generator side of the chain, for any generators (Addendum A of the specification).

Everything is diagonal in the eigenbasis of :math:`\Sigma`; vectors below are diagonals.  One
generator fitted on :math:`T_0` samples contributes

* :math:`T_0\ge d`: :math:`P=I`, :math:`\Phi=\mathrm{id}` and, exactly (inverse-Wishart mean),
  :math:`\mathbb E X^\dagger X^{\dagger\top}=\Sigma^{-1}/(T_0-d-1)`;
* :math:`T_0<d` (minimum-norm), with :math:`\kappa_0` the root of :math:`\mathrm{df}_1(\kappa_0)=T_0`:
  :math:`\mathbb E P\asymp p=\Sigma(\Sigma+\kappa_0)^{-1}`,
  :math:`\mathbb E[PBP]\asymp\Phi(B)=p^2B+\frac{\kappa_0^2}{T_0-\mathrm{df}_2(\kappa_0)}(g\cdot B)\,g`
  with :math:`g=\Sigma(\Sigma+\kappa_0)^{-2}` (the two-point equivalent, :func:`~symcollapse.functionals.two_point_matrix`),
  and :math:`\mathbb E X^\dagger X^{\dagger\top}\asymp\frac{g}{T_0-\mathrm{df}_2(\kappa_0)}\cdot\frac{d-T_0}{d-T_0-1}`
  (the last factor is the finite-size correction that makes it exact for isotropic :math:`\Sigma`).

A **ridge** generator (:math:`\lambda_0>0`, per-sample normalised, fitted as
:math:`\hat w_{m+1}=(\hat\Sigma_0+\lambda_0)^{-1}X_0^\top\bar Y_m/T_0`) has the same three
ingredients with :math:`\kappa_0=\kappa(\lambda_0,T_0)` for any :math:`T_0` (no finite-size factor):
:math:`\mathbb E\hat\Sigma_0R_0\asymp p`, :math:`\mathbb E[\hat\Sigma_0R_0B R_0\hat\Sigma_0]\asymp\Phi(B)`
and the noise :math:`\mathbb E[R_0\hat\Sigma_0R_0]/T_0\asymp g/(T_0-\mathrm{df}_2(\kappa_0))`
(the derivative of the one-point equivalent in :math:`\lambda_0`, Lemma I.2); see
:mod:`symcollapse.theory.ridge_generators`.  Only independent designs have this theory.

Independent designs peel the projections off one generator at a time:
:math:`\mathbb E Q=\prod_m p_m`, :math:`\mathbb E[Q^\top MQ]=\Phi_0\circ\cdots\circ\Phi_{n-1}(M)`, and the
noise of generator :math:`m` is carried through the later ones.  The same design (condition (17))
has one projection: :math:`\mathbb E Q=p`, :math:`\Phi(M)`, noise :math:`\sum_m\sigma_m^2\,\mathbb E X_0^\dagger X_0^{\dagger\top}`.
Since every :math:`\Phi` is self-adjoint, the chain reduces to three vectors, independent of the
downstream model: :math:`q=\mathbb E Q`, :math:`U=\Phi_{n-1}\circ\cdots\circ\Phi_0(c^2)` and the noise
vector :math:`V`; then, with the downstream :math:`a=\mathbb E\hat\Sigma R` and
:math:`M=\mathbb E\hat\Sigma R\Sigma R\hat\Sigma`,

.. math:: E_{test} = \mathrm{Bias}+\mathrm{Var}
          + \underbrace{\langle U-c^2, M\rangle + 2\langle c^2\lambda(1-q), a\rangle}_{\Delta\text{bias}}
          + \underbrace{\langle V, M\rangle}_{\text{noise}} .
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .kappa import solve_kappa
from .spectral_numerics import SpectralFunctionals

__all__ = ["GeneratorStep", "generator_step", "GeneratorChain", "generator_chain"]


@dataclass(frozen=True)
class GeneratorStep:
    """One generator: mean projection ``p``, the map Phi, and ``C = E[X^+ X^+']`` (diagonals)."""

    p: np.ndarray
    g: np.ndarray | None          # Sigma (Sigma + kappa0)^-2, None when T0 >= d (Phi = id)
    weight: float                 # kappa0^2 / (T0 - df2(kappa0))
    C: np.ndarray | None          # None when the noise has no finite mean (then sigma0 must be 0)

    def phi(self, B: np.ndarray) -> np.ndarray:
        if self.g is None:
            return B
        return self.p**2 * B + self.weight * (self.g @ B) * self.g


def generator_step(fun: SpectralFunctionals, T0: float, lam0: float = 0.0) -> GeneratorStep:
    """The deterministic equivalents of one generator fitted on ``T0`` samples with ridge ``lam0``."""
    eigs, d = fun.eigenvalues, fun.d
    if lam0 > 0:
        kappa0 = float(solve_kappa(fun, float(lam0), float(T0)))
        p = eigs / (eigs + kappa0)
        g = eigs / (eigs + kappa0) ** 2
        D0 = T0 - np.sum(p * p)
        return GeneratorStep(p=p, g=g, weight=kappa0**2 / D0, C=g / D0)
    if T0 >= d:
        C = 1.0 / (eigs * (T0 - d - 1)) if T0 >= d + 2 else None
        return GeneratorStep(p=np.ones(d), g=None, weight=0.0, C=C)
    kappa0 = float(solve_kappa(fun, 0.0, float(T0)))
    p = eigs / (eigs + kappa0)
    g = eigs / (eigs + kappa0) ** 2
    D0 = T0 - np.sum(p * p)
    C = g / D0 * (d - T0) / (d - T0 - 1) if T0 <= d - 2 else None
    return GeneratorStep(p=p, g=g, weight=kappa0**2 / D0, C=C)


@dataclass(frozen=True)
class GeneratorChain:
    """``q = E[Q]``, ``U - c^2`` (drift of the target's second moment) and the noise vector ``V``."""

    q: np.ndarray
    drift: np.ndarray
    V: np.ndarray


def generator_chain(fun: SpectralFunctionals, T0s, sigma0s, design: str, lam0s) -> GeneratorChain:
    """Collapse the chain of generators ``T0s[m]``, ``sigma0s[m]``, ridge ``lam0s[m]``
    (m = 0..n-1; ``lam0s[m] = 0``: least squares) to three vectors.  Ridge generators need
    ``design="independent"`` (checked by :func:`~symcollapse.predict`)."""
    c2 = fun.w0**2
    d = fun.d
    n = len(T0s)
    steps: dict[tuple[float, float], GeneratorStep] = {}

    def step(t: float, l0: float = 0.0) -> GeneratorStep:
        key = (t, l0)
        if key not in steps:
            steps[key] = generator_step(fun, t, l0)
        return steps[key]

    if n == 0:
        return GeneratorChain(q=np.ones(d), drift=np.zeros(d), V=np.zeros(d))
    if design == "same":
        s = step(float(T0s[0]))
        noise = float(np.sum(np.square(sigma0s)))
        V = noise * s.C if noise > 0 else np.zeros(d)
        return GeneratorChain(q=s.p, drift=s.phi(c2) - c2, V=V)
    q = np.ones(d)
    U = c2.copy()
    V = np.zeros(d)
    for t, s0, l0 in zip(T0s, sigma0s, lam0s, strict=True):
        s = step(float(t), float(l0))
        q = q * s.p
        U = s.phi(U)
        V = s.phi(V)
        if s0 > 0:
            V = V + s0**2 * s.C
    return GeneratorChain(q=q, drift=U - c2, V=V)


def chain_collapse(fun: SpectralFunctionals, chain: GeneratorChain, kappa: np.ndarray,
                   T: np.ndarray, df2: np.ndarray) -> np.ndarray:
    """Everything the chain adds to the clean error, at downstream ``kappa`` (any shape).

    ``<U - c^2 + V, M> + 2 <c^2 lambda (1 - q), a>`` with ``a = Sigma (Sigma + kappa)^-1`` and
    ``M = Sigma^3 (Sigma + kappa)^-2 + s Sigma (Sigma + kappa)^-2``, ``s = kappa^2 df2/(T - df2)``
    (``M = Sigma``, ``a = 1`` at ``kappa = 0``, the exact ridgeless values for ``T >= d + 2``).
    """
    eigs = fun.eigenvalues
    k = np.asarray(kappa, dtype=float).reshape(-1)
    Tf = np.broadcast_to(T, np.shape(kappa)).reshape(-1)
    df2f = np.broadcast_to(df2, np.shape(kappa)).reshape(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(k > 0, k**2 * df2f / (Tf - df2f), 0.0)
    X = chain.drift + chain.V
    w_cube, w_lin = X * eigs**3, X * eigs
    w_cross = 2.0 * fun.w0**2 * eigs * (1.0 - chain.q)
    out = np.empty(k.size)
    step = max(1, (1 << 22) // max(fun.d, 1))
    for i in range(0, k.size, step):
        kk = k[i:i + step, None]
        inv2 = 1.0 / (eigs + kk) ** 2
        out[i:i + step] = (inv2 @ w_cube + s[i:i + step] * (inv2 @ w_lin)
                           + (eigs / (eigs + kk)) @ w_cross)
    return out.reshape(np.shape(kappa))
