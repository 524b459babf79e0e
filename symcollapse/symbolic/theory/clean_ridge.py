r"""Proposition 4.2: bias and variance of ridge regression on clean data (RMT limit).

.. math::
    Bias\simeq\frac{\kappa^2 w_0^\top\Sigma(\Sigma+\kappa)^{-2}w_0}{1-\mathrm{df}_2(\kappa)/T},\qquad
    Var\simeq\frac{\sigma^2\,\mathrm{df}_2(\kappa)/T}{1-\mathrm{df}_2(\kappa)/T},\qquad \kappa=\kappa(\lambda,T).

Derived from the deterministic equivalents: the bias is :math:`w_0^\top\mathbb E[\lambda^2R\Sigma R]w_0`
(companion two-point equivalent); the variance is
:math:`\frac{\sigma^2}{T}\mathbb E\operatorname{tr}\Sigma R^2\hat\Sigma=-\frac{\sigma^2}{T}\partial_\lambda\mathbb E\operatorname{tr}\Sigma\hat\Sigma R`
(one-point equivalent, then Lemma I.2).  Isotropic specialisations (F.6):
:math:`Bias\simeq\kappa^2\|w_0\|^2/((1+\kappa)^2-\phi)`, :math:`Var\simeq\sigma^2\phi/((1+\kappa)^2-\phi)`.
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from symcollapse.symbolic import symbols as S
from symcollapse.symbolic.formula import Condition, Formula
from symcollapse.symbolic.functionals import (
    _tidy_signs,
    canonical,
    isotropic,
    one_point,
    quadratic_form,
    spectral_simplify,
    spectral_sum,
    two_point_companion,
)
from symcollapse.symbolic.theory._derive import RIDGE_REGIME, Derivation
from symcollapse.symbolic.theory.effective_regularization import lemma_I_2_expr

__all__ = [
    "proposition_4_2_bias",
    "proposition_4_2_variance",
    "proposition_4_2_bias_isotropic",
    "proposition_4_2_variance_isotropic",
    "to_isotropic_ratio",
]

_l = S.eig[S.j]
_REF = "Proposition 4.2 (eq. 14/30); RMT limit"


@cache
def proposition_4_2_bias() -> Formula:
    step = Derivation()
    step(
        "Bias = E||Shat R w0 - w0||_Sigma^2 and Shat R - I = -lam R, so Bias = w0' E[lam^2 R Sigma R] w0",
        sp.Symbol("Bias"),
    )
    diag = step(
        "companion two-point equivalent of lam^2 R Sigma R (diagonal entry)",
        two_point_companion(_l, S.kappa, S.T),
    )
    form = step("quadratic form in w0", quadratic_form(diag))
    expr = step("simplify", spectral_simplify(canonical(form)))
    return Formula(
        name="proposition_4_2_bias",
        title="Clean ridge bias",
        lhs=r"\mathrm{Bias}",
        expr=expr,
        reference=_REF,
        regime=RIDGE_REGIME,
        derivation=step.done(),
        notes="kappa = kappa(lam, T) from eq. (9).",
    )


@cache
def proposition_4_2_variance() -> Formula:
    step = Derivation()
    K = sp.Function("kappa")(S.lam)
    step("Var = sigma^2/T E tr Sigma R^2 Shat = -(sigma^2/T) d/dlam E tr Sigma Shat R", sp.Symbol("Var"))
    trace = step(
        "one-point equivalent: E tr Sigma Shat R ~ tr Sigma^2 (Sigma + kappa(lam))^-1",
        spectral_sum(_l * one_point(K)),
    )
    deriv = step("differentiate in lam (chain rule through kappa(lam))", canonical(sp.diff(trace, S.lam)))
    deriv = step(
        "Lemma I.2 for d kappa/d lam",
        deriv.subs(sp.Derivative(K, S.lam), lemma_I_2_expr().subs(S.kappa, K)).subs(K, S.kappa),
    )
    expr = step("Var = -(sigma^2/T) * derivative, simplified", spectral_simplify(-(S.sigma**2) / S.T * deriv))
    return Formula(
        name="proposition_4_2_variance",
        title="Clean ridge variance",
        lhs=r"\mathrm{Var}",
        expr=expr,
        reference=_REF,
        regime=RIDGE_REGIME,
        derivation=step.done(),
        notes="kappa = kappa(lam, T) from eq. (9).",
    )


def to_isotropic_ratio(expr: sp.Expr) -> sp.Expr:
    """Specialise to Sigma = I and write d = phi T, T0 = d/phi0 (T then cancels)."""
    iso = isotropic(expr).subs(S.T0, S.phi * S.T / S.phi0).subs(S.d, S.phi * S.T)
    return _tidy_signs(sp.factor(sp.simplify(iso)))


def _isotropic(general: Formula, name: str, title: str, lhs: str) -> Formula:
    step = Derivation()
    step(f"general result ({general.name})", general.expr)
    expr = step(
        "Sigma = I_d: lambda_j = 1, sum c_j^2 = ||w0||^2, d = phi T", to_isotropic_ratio(general.expr)
    )
    return Formula(
        name=name,
        title=title,
        lhs=lhs,
        expr=expr,
        reference="Proposition 4.2; F.6",
        regime=(
            Condition(sp.Ge(S.lam, 0, evaluate=False), "lam >= 0"),
            Condition(sp.Gt(S.phi, 0, evaluate=False), "phi = d/T > 0"),
        ),
        derivation=step.done(),
        notes="kappa from kappa_isotropic(lam, phi).",
    )


@cache
def proposition_4_2_bias_isotropic() -> Formula:
    return _isotropic(
        proposition_4_2_bias(),
        "proposition_4_2_bias_isotropic",
        "Clean ridge bias, isotropic features",
        r"\mathrm{Bias}",
    )


@cache
def proposition_4_2_variance_isotropic() -> Formula:
    return _isotropic(
        proposition_4_2_variance(),
        "proposition_4_2_variance_isotropic",
        "Clean ridge variance, isotropic features",
        r"\mathrm{Var}",
    )
