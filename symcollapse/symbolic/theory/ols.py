r"""Theorem 4.1: ridgeless (OLS) downstream model on an under-parameterised chain.

Exact for Gaussian designs and any :math:`\Sigma` (OLS is affine-equivariant and
:math:`\mathbb E(X^\top X)^{-1}=\Sigma^{-1}/(T-d-1)`):

.. math:: E_{test}=\sigma^2\frac{d}{T-d-1}+n\sigma_0^2\frac{d}{T_0-d-1},\qquad T,T_0\ge d+2,

and, in the proportional limit :math:`d/T\to\phi`, :math:`d/T_0\to\phi_0`,

.. math:: E_{test}\simeq\frac{\sigma^2\phi}{1-\phi}+\frac{n\sigma_0^2\phi_0}{1-\phi_0}.
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from symcollapse.symbolic import symbols as S
from symcollapse.symbolic.formula import Condition, Formula
from symcollapse.symbolic.functionals import _tidy_signs, spectral_sum
from symcollapse.symbolic.theory._derive import Derivation

__all__ = ["theorem_4_1_exact", "theorem_4_1", "theorem_4_1_schedule", "inverse_wishart_trace"]

_l = S.eig[S.j]


def inverse_wishart_trace(size: sp.Expr) -> sp.Expr:
    """E tr[Sigma (X'X)^-1] for X with ``size`` Gaussian rows: tr[Sigma Sigma^-1]/(size - d - 1)."""
    return spectral_sum(_l * (1 / _l)) / (size - S.d - 1)


@cache
def theorem_4_1_exact() -> Formula:
    step = Derivation()
    m = sp.Symbol("m", integer=True, nonnegative=True)
    step(
        "Lemma F.4 with P_m = I (T0 >= d): w_n = w0 + sum_{m<n} X_m^+ E_m; OLS downstream adds "
        "(X'X)^-1 X'E; all terms independent with mean zero",
        sp.Symbol("E_test"),
    )
    downstream = step(
        "downstream noise: sigma^2 E tr[Sigma (X'X)^-1] (inverse-Wishart mean)",
        S.sigma**2 * inverse_wishart_trace(S.T),
    )
    generations = step(
        "each generator: sigma0^2 E tr[Sigma (X_m'X_m)^-1], summed over m < n",
        sp.Sum(S.sigma0**2 * inverse_wishart_trace(S.T0), (m, 0, S.n - 1)),
    )
    expr = step("evaluate the sum over generations", downstream + generations.doit())
    return Formula(
        name="theorem_4_1_exact",
        title="OLS on the chain, exact finite-sample form",
        lhs=r"E_{test}",
        expr=expr,
        exact=True,
        reference="Theorem 4.1 (proof in F.2, Lemma F.3); exact for any Sigma",
        regime=(
            Condition(sp.Eq(S.lam, 0), "lam = 0 (OLS downstream)"),
            Condition(S.T >= S.d + 2, "T >= d + 2"),
            Condition(S.T0 >= S.d + 2, "T0 >= d + 2"),
        ),
        derivation=step.done(),
    )


@cache
def theorem_4_1() -> Formula:
    step = Derivation()
    exact = step("exact form", theorem_4_1_exact().expr)
    scaled = step("T = d/phi, T0 = d/phi0", exact.subs({S.T: S.d / S.phi, S.T0: S.d / S.phi0}))
    expr = step(
        "proportional limit d -> oo, term by term",
        sp.Add(*[_tidy_signs(sp.factor(sp.limit(t, S.d, sp.oo))) for t in sp.Add.make_args(scaled)]),
    )
    return Formula(
        name="theorem_4_1",
        title="OLS on the chain, proportional limit",
        lhs=r"E_{test}",
        expr=expr,
        reference="Theorem 4.1",
        regime=(Condition(S.phi < 1, "phi = d/T < 1"), Condition(S.phi0 < 1, "phi0 = d/T0 < 1")),
        derivation=step.done(),
    )


@cache
def theorem_4_1_schedule() -> Formula:
    step = Derivation()
    m = S.m
    step(
        "as for theorem_4_1_exact, generator m fitted on T0[m] >= d + 2 samples with noise sigma0[m]",
        sp.Symbol("E_test"),
    )
    downstream = S.sigma**2 * inverse_wishart_trace(S.T)
    generators = step(
        "generator m adds sigma0[m]^2 E tr[Sigma (X_m'X_m)^-1]",
        sp.Sum(S.sigma0_m[m] ** 2 * inverse_wishart_trace(S.T0_m[m]), (m, 0, S.n - 1)),
    )
    expr = step("sum over generations", downstream + generators)
    return Formula(
        name="theorem_4_1_schedule",
        title="OLS on the chain with per-generation sizes and noises",
        lhs=r"E_{test}",
        expr=expr,
        exact=True,
        reference="Theorem 4.1 with a schedule (remark after Theorem 4.1)",
        regime=(
            Condition(sp.Eq(S.lam, 0), "lam = 0 (OLS downstream)"),
            Condition(S.T >= S.d + 2, "T >= d + 2"),
            Condition(S.T0_m[m] >= S.d + 2, "T0[m] >= d + 2 for every generator"),
        ),
        derivation=step.done(),
        notes="Evaluate with sequences: T0=[...], sigma0=[...] (n of each).",
    )
