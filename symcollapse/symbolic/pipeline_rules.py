r"""The deterministic-equivalent rules of one ridge fit, written once in SymPy.

Everything is diagonal in the eigenbasis of :math:`\Sigma` (Gaussian designs are sign-flip
invariant), so every matrix is a vector over the eigenvalues :math:`\ell`.  A fit on :math:`N`
fresh rows with ridge :math:`\lambda\ge0` has effective regularisation :math:`\kappa`, the root of
:math:`\lambda=\kappa\,(1-\mathrm{df}_1(\kappa)/N)`, and with :math:`A=\hat\Sigma(\hat\Sigma+\lambda)^{-1}`

.. math::
    \mathbb E A\asymp p,\qquad
    \mathbb E[A^\top BA]\asymp\Phi(B)=p^2B+\frac{\kappa^2\operatorname{tr}(gB)}{N-\mathrm{df}_2(\kappa)}\,g,
    \qquad \frac1{N^2}\mathbb E[(\hat\Sigma+\lambda)^{-1}X^\top X(\hat\Sigma+\lambda)^{-1}]\asymp C
    =F\,\frac{g}{N-\mathrm{df}_2(\kappa)},

with :math:`p=\ell/(\ell+\kappa)`, :math:`q=1-p=\kappa/(\ell+\kappa)`, :math:`g=\ell/(\ell+\kappa)^2`
(Bach 2023, Props. 1-2; the noise term is the derivative of the one-point equivalent in
:math:`\lambda`).  :math:`F` is the exact finite-size factor of a least-squares fit,
:math:`|d-N|/(|d-N|-1)` (inverse-Wishart mean for :math:`N\ge d+2`, exact for isotropic
:math:`\Sigma` when :math:`N\le d-2`), and 1 for a ridge fit.  For :math:`\lambda=0`,
:math:`N\ge d` these are exact with :math:`\kappa=0`: :math:`p=1`, :math:`\Phi=\mathrm{id}`,
:math:`C=\Sigma^{-1}/(N-d-1)`.

The summands below are the only places these formulas are typed; the engine
(:mod:`symcollapse.pipeline.engine`) composes them symbolically (derivation) and numerically (the
evaluator calls them as printed to NumPy by :mod:`symcollapse.symbolic.codegen`, so that the
numeric layer runs without SymPy; regenerate that module after changing a rule).
"""

from __future__ import annotations

from functools import cache

import sympy as sp

__all__ = ["ell", "kap", "ONE_POINT", "ONE_MINUS_P", "TWO_POINT", "DF1", "DF2", "RULES", "numeric_rules"]

#: a generic eigenvalue of Sigma, and the effective regularisation of the fit
ell = sp.Symbol("ell_j", positive=True)
kap = sp.Symbol("kappa_f", nonnegative=True)

ONE_POINT = ell / (ell + kap)  # p: diagonal of E[Shat (Shat + lam)^-1]
ONE_MINUS_P = kap / (ell + kap)  # q = 1 - p, written without cancellation
TWO_POINT = ell / (ell + kap) ** 2  # g: the two-point weight vector
DF1 = ell / (ell + kap)  # summand of df1
DF2 = ell**2 / (ell + kap) ** 2  # summand of df2

RULES = {"p": ONE_POINT, "q": ONE_MINUS_P, "g": TWO_POINT, "df1": DF1, "df2": DF2}


@cache
def numeric_rules():
    """The rules lambdified to NumPy functions of ``(ell, kappa)`` (the reference the generated
    module is tested against)."""
    return {name: sp.lambdify((ell, kap), expr, "numpy") for name, expr in RULES.items()}
