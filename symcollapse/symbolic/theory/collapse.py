r"""The collapse coefficient :math:`\rho` (Theorem 4.3, eqs. 18-19) and Corollary 4.4.

The test error of the chain gains :math:`n\sigma_0^2\rho` with (same design, or :math:`T_0\ge d`)

.. math::
    \rho=\frac{\operatorname{tr}\Sigma^4(\Sigma+\kappa_0)^{-2}(\Sigma+\kappa)^{-2}
    +\kappa^2\operatorname{tr}\Sigma^2(\Sigma+\kappa_0)^{-2}(\Sigma+\kappa)^{-2}
    \,\frac{\mathrm{df}_2(\kappa)}{T-\mathrm{df}_2(\kappa)}}{T_0-\mathrm{df}_2(\kappa_0)}\qquad(18)

derived as :math:`\rho=\mathbb E\operatorname{tr}[X_0^\dagger X_0^{\dagger\top}\hat\Sigma R\Sigma R\hat\Sigma]`:
the generator factor :math:`\mathbb E X_0^\dagger X_0^{\dagger\top}\asymp\Sigma(\Sigma+\kappa_0)^{-2}/(T_0-\mathrm{df}_2(\kappa_0))`
comes from differentiating the one-point equivalent in the generator's ridge (F.4), and the
downstream average is Bach's two-point equivalent.  For :math:`T_0\ge d+2` the generator factor is
exactly :math:`\Sigma^{-1}/(T_0-d-1)` (inverse-Wishart mean, Lemma F.3), giving (19) with the
exact factor (where the paper's asymptotic form has :math:`1/(T_0-d)`):

.. math::
    \rho=\frac{1}{T_0-d-1}\Big(\mathrm{df}_2(\kappa)+\kappa^2\operatorname{tr}(\Sigma+\kappa)^{-2}
    \frac{\mathrm{df}_2(\kappa)}{T-\mathrm{df}_2(\kappa)}\Big).
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from symcollapse.symbolic import symbols as S
from symcollapse.symbolic.formula import Condition, Formula
from symcollapse.symbolic.functionals import canonical, one_point, spectral_simplify, two_point
from symcollapse.symbolic.theory._derive import RIDGE_REGIME, Derivation
from symcollapse.symbolic.theory.clean_ridge import (
    proposition_4_2_bias,
    proposition_4_2_variance,
    to_isotropic_ratio,
)
from symcollapse.symbolic.theory.effective_regularization import lemma_I_2_expr

__all__ = [
    "rho_general",
    "rho_underparameterized",
    "rho_underparameterized_asymptotic",
    "corollary_4_4_isotropic",
    "corollary_4_4_isotropic_rho",
    "generator_factor",
]

_l = S.eig[S.j]


def generator_factor(step: Derivation | None = None, *, any_ridge: bool = False) -> sp.Expr:
    r"""Diagonal of :math:`\mathbb E[X_0^+X_0^{+\top}]\asymp\Sigma(\Sigma+\kappa_0)^{-2}/(T_0-
    \mathrm{df}_2(\kappa_0))` (F.4).  The same derivative gives, for a ridge generator at any
    :math:`\lambda_0\ge0`, :math:`\mathbb E[R_0\hat\Sigma_0R_0]/T_0` (``any_ridge``: the steps
    say so; the expression is the same)."""
    step = step or Derivation()
    K0 = sp.Function("kappa_0")(sp.Symbol("lam0"))
    lam0 = K0.args[0]
    if any_ridge:
        step(
            "R0 Shat0 R0 = -d/dlam0 [Shat0 (Shat0 + lam0)^-1] and E[Shat0 R0] ~ Sigma (Sigma + "
            "kappa0(lam0))^-1 (one-point equivalent at (kappa0, T0))",
            one_point(K0),
        )
    else:
        step(
            "X0^+ X0^+' = -(1/T0) d/dlam0 [X0'(X0 X0' + lam0 T0)^-1 X0] at lam0 -> 0+, and "
            "X0'(X0 X0' + lam0 T0)^-1 X0 = Shat0 (Shat0 + lam0)^-1 ~ Sigma (Sigma + kappa0(lam0))^-1",
            one_point(K0),
        )
    deriv = sp.diff(one_point(K0), lam0)
    lemma = lemma_I_2_expr(S.kappa0, S.T0).subs(S.kappa0, K0)
    diag = -deriv.subs(sp.Derivative(K0, lam0), lemma) / S.T0
    return step(
        "differentiate, Lemma I.2 with (kappa0, T0), then "
        + ("divide by T0 (any lam0 >= 0)" if any_ridge else "lam0 -> 0+"),
        sp.factor(canonical(diag.subs(K0, S.kappa0))),
    )


@cache
def rho_general() -> Formula:
    step = Derivation()
    step("F.1/F.4: rho = E tr[X0^+ X0^+' Shat R Sigma R Shat] under (17)", sp.Symbol("rho"))
    G = generator_factor(step)
    raw = step(
        "Bach's two-point equivalent over the downstream design (A = generator factor, B = Sigma)",
        two_point(G, _l, S.kappa, S.T),
    )
    expr = step("simplify", spectral_simplify(raw))
    return Formula(
        name="rho_general",
        title="Collapse coefficient, general Sigma",
        lhs=r"\rho",
        expr=expr,
        reference="Theorem 4.3, eq. (18); Proposition F.6",
        regime=RIDGE_REGIME + (Condition(sp.Ge(S.T0, 1, evaluate=False), "T0 >= 1"),),
        derivation=step.done(),
        notes="Under condition (17): the same design X0 for every generator, or T0 >= d. "
        "kappa = kappa(lam, T), kappa0 = kappa(0, T0).",
    )


@cache
def rho_underparameterized() -> Formula:
    step = Derivation()
    G = step(
        "Lemma F.3 (inverse-Wishart mean, exact for T0 >= d + 2): "
        "E[X0^+ X0^+'] = E[(X0'X0)^-1] = Sigma^-1/(T0 - d - 1)",
        1 / (_l * (S.T0 - S.d - 1)),
    )
    raw = step("Bach's two-point equivalent over the downstream design", two_point(G, _l, S.kappa, S.T))
    expr = step("simplify", spectral_simplify(raw))
    return Formula(
        name="rho_underparameterized",
        title="Collapse coefficient, under-parameterised generator (exact generator factor)",
        lhs=r"\rho",
        expr=expr,
        reference="eq. (19) with the exact factor 1/(T0-d-1)",
        regime=RIDGE_REGIME + (Condition(S.T0 >= S.d + 2, "T0 >= d + 2"),),
        derivation=step.done(),
        notes="Only the trace E tr[Sigma^-1 Shat R Sigma R Shat] is a deterministic equivalent; "
        "the generator factor is exact.",
    )


@cache
def rho_underparameterized_asymptotic() -> Formula:
    step = Derivation()
    step("eq. (18)", rho_general().expr)
    expr = step(
        "T0 >= d: kappa0 = 0, df2(0) = d", spectral_simplify(canonical(rho_general().expr.subs(S.kappa0, 0)))
    )
    return Formula(
        name="rho_underparameterized_asymptotic",
        title="Collapse coefficient, under-parameterised generator (as printed)",
        lhs=r"\rho",
        expr=expr,
        reference="eq. (19)",
        regime=RIDGE_REGIME + (Condition(S.T0 > S.d, "T0 > d"),),
        derivation=step.done(),
    )


@cache
def corollary_4_4_isotropic_rho() -> Formula:
    step = Derivation()
    step("eq. (19)", rho_underparameterized_asymptotic().expr)
    expr = step(
        "Sigma = I_d, d = phi T, T0 = d/phi0", to_isotropic_ratio(rho_underparameterized_asymptotic().expr)
    )
    return Formula(
        name="corollary_4_4_isotropic_rho",
        title="Collapse coefficient, isotropic features",
        lhs=r"\rho",
        expr=expr,
        reference="Corollary 4.4",
        regime=(
            Condition(sp.Ge(S.lam, 0, evaluate=False), "lam >= 0"),
            Condition(sp.Gt(S.phi, 0, evaluate=False), "phi > 0"),
            Condition(S.phi0 < 1, "phi0 = d/T0 < 1"),
        ),
        derivation=step.done(),
        notes="kappa from kappa_isotropic(lam, phi).",
    )


@cache
def corollary_4_4_isotropic() -> Formula:
    step = Derivation()
    step(
        "Corollary 4.4: E_test ~ Bias + Var + n sigma0^2 rho with (19)",
        proposition_4_2_bias().expr
        + proposition_4_2_variance().expr
        + S.n * S.sigma0**2 * rho_underparameterized_asymptotic().expr,
    )
    clean = to_isotropic_ratio(proposition_4_2_bias().expr + proposition_4_2_variance().expr)
    expr = step(
        "substitute the isotropic functionals into each part and simplify",
        clean + S.n * S.sigma0**2 * corollary_4_4_isotropic_rho().expr,
    )
    return Formula(
        name="corollary_4_4_isotropic",
        title="Test error of the chain, isotropic features",
        lhs=r"E_{test}",
        expr=expr,
        reference="Corollary 4.4",
        regime=(
            Condition(sp.Ge(S.lam, 0, evaluate=False), "lam >= 0"),
            Condition(sp.Gt(S.phi, 0, evaluate=False), "phi > 0"),
            Condition(S.phi0 < 1, "phi0 = d/T0 < 1"),
        ),
        derivation=step.done(),
        notes="kappa from kappa_isotropic(lam, phi).",
    )
