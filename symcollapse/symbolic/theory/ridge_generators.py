r"""Ridge-regularised generators (the kernel-ridge chains of the paper's App. C and D.2).

Generator :math:`m+1` is a ridge fit with its own ridge :math:`\lambda_0` (per-sample
normalised) on :math:`T_0` fresh samples labelled by generator :math:`m` with noise :math:`\sigma_0`:

.. math:: \hat w_{m+1}=A_0\hat w_m+R_0X_0^\top E_m/T_0,\qquad
          R_0=(\hat\Sigma_0+\lambda_0)^{-1},\quad A_0=\hat\Sigma_0R_0 .

Conditionally on :math:`\hat w_m` (independent of :math:`X_0`), Bach's one- and two-point
equivalents at :math:`(\kappa_0,T_0)`, :math:`\kappa_0=\kappa(\lambda_0,T_0)`, give the mean
:math:`\mu` and the diagonal second moment :math:`s` (covariance) of the coefficients in the
eigenbasis, one deterministic equivalent per generator:

.. math::
    \mu_{m+1}=p\,\mu_m,\qquad
    s_{m+1}=p^2s_m+\Big[\kappa_0^2\frac{\sum_i(\mu_{m,i}^2+s_{m,i})\lambda_i(\lambda_i+\kappa_0)^{-2}}
    {T_0-\mathrm{df}_2(\kappa_0)}+\frac{\sigma_0^2}{T_0-\mathrm{df}_2(\kappa_0)}\Big]\,
    \frac{\lambda}{(\lambda+\kappa_0)^2},

with :math:`p=\lambda/(\lambda+\kappa_0)`; the noise term is
:math:`\frac{\sigma_0^2}{T_0}\mathbb E R_0\hat\Sigma_0R_0=-\frac{\sigma_0^2}{T_0}\partial_{\lambda_0}\mathbb E A_0`
(Lemma I.2).  In function space (:math:`a_j=c_j\sqrt{\lambda_j}`, :math:`\mu^f=\sqrt\lambda\mu`,
:math:`s^f=\lambda s`) this is the kernel-chain recursion with :math:`M_0=p`.  The downstream ridge
(independent of the chain) then gives

.. math:: E_{test}=\sum_jM_j(\mu_{n,j}^2+s_{n,j})-2\sum_jc_j\lambda_ja_j\mu_{n,j}+\|w_0\|_\Sigma^2+\mathrm{Var},

:math:`a=\lambda/(\lambda+\kappa)`, :math:`M` the two-point equivalent of
:math:`\mathbb E\hat\Sigma R\Sigma R\hat\Sigma`, :math:`\kappa=\kappa(\lambda,T)`.

Reductions (tested in ``tests/test_ridge_generators.py``): :math:`n=0` is Proposition 4.2; the
:math:`\sigma_0^2` coefficient at :math:`n=1` is eq. (18) (any :math:`\kappa_0`, so also
:math:`\lambda_0\to0`); :math:`\kappa_0=0` (:math:`\lambda_0=0`, :math:`T_0\ge d`) is (19), exactly
so after the inverse-Wishart factor; for :math:`\Sigma=I` the recursion solves in closed form and at
:math:`\sigma_0=0`, :math:`\lambda_0\to0^+` it is Theorem 4.6.
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from symcollapse.symbolic import symbols as S
from symcollapse.symbolic.formula import Condition, Formula
from symcollapse.symbolic.functionals import (
    canonical,
    isotropic,
    one_point,
    quadratic_form,
    spectral_simplify,
    spectral_sum,
    two_point_matrix,
)
from symcollapse.symbolic.theory._derive import RIDGE_REGIME, Derivation
from symcollapse.symbolic.theory.clean_ridge import proposition_4_2_variance
from symcollapse.symbolic.theory.collapse import generator_factor
from symcollapse.symbolic.theory.effective_regularization import kappa_isotropic

__all__ = [
    "lam0",
    "mu",
    "s",
    "ridge_generator_mean",
    "ridge_generator_second_moment",
    "ridge_generator_error",
    "ridge_generator_one",
    "ridge_generator_chain_isotropic",
    "generator_noise_factor",
    "kappa0_isotropic_limit",
]

#: the generators' ridge (per-sample normalised), local to this module
lam0 = sp.Symbol("lam0", nonnegative=True)
#: mean and diagonal covariance of the generator's coefficients in the eigenbasis
mu = sp.IndexedBase("mu", real=True)
s = sp.IndexedBase("s", nonnegative=True)

_l = S.eig[S.j]
_P = sp.Symbol("P", nonnegative=True)  # isotropic: total second moment sum_j E[w_j^2]
_b = sp.Symbol("b_B", positive=True)  # a scalar multiple of the identity, B = b I
_REGIME = RIDGE_REGIME + (Condition(sp.Ge(S.T0, 1, evaluate=False), "T0 >= 1"),)
_NOTE = (
    "kappa0 = kappa(lam0, T0) (pass kappa0= to evaluate; without it, evaluate solves "
    "kappa(0, T0), i.e. lam0 = 0). Independent generator designs. For numbers use "
    "sc.predict(..., lam0=...)."
)


def generator_noise_factor(step: Derivation | None = None) -> sp.Expr:
    r"""Diagonal of :math:`\mathbb E[R_0\hat\Sigma_0R_0]/T_0\asymp\Sigma(\Sigma+\kappa_0)^{-2}/(T_0-\mathrm{df}_2(\kappa_0))`:
    the derivative of :func:`~symcollapse.symbolic.theory.collapse.generator_factor`, at any
    :math:`\lambda_0\ge0` (derived there, once)."""
    return generator_factor(step, any_ridge=True)


def _step_maps(step: Derivation) -> tuple[sp.Expr, sp.Expr]:
    p = step(
        "mean: E[w_{m+1} | w_m] = E[Shat0 R0] w_m ~ p mu_m, p = Sigma (Sigma + kappa0)^-1",
        one_point(S.kappa0) * mu[S.j],
    )
    B = mu[S.j] ** 2 + s[S.j]
    second = step(
        "E[A0 w w' A0] ~ two-point equivalent at (kappa0, T0) of B = E[w_m w_m'] (diagonal mu^2 + s)",
        two_point_matrix(B, S.kappa0, S.T0),
    )
    noise = S.sigma0**2 * generator_noise_factor(step)
    cov = step(
        "covariance: minus the squared mean, plus the generator's label noise sigma0^2 E[R0 Shat0 R0]/T0",
        sp.expand(second - p**2) + noise,
    )
    return p, cov


@cache
def ridge_generator_mean() -> Formula:
    step = Derivation()
    p, _ = _step_maps(step)
    return Formula(
        name="ridge_generator_mean",
        title="One ridge generator: mean of the coefficients",
        lhs=r"\mu_{m+1,j}",
        expr=p,
        reference="App. C / D.2 kernel-ridge chain",
        regime=_REGIME,
        derivation=step.done(),
        notes=_NOTE,
    )


@cache
def ridge_generator_second_moment() -> Formula:
    step = Derivation()
    _, cov = _step_maps(step)
    return Formula(
        name="ridge_generator_second_moment",
        title="One ridge generator: diagonal covariance of the coefficients",
        lhs=r"s_{m+1,j}",
        expr=cov,
        reference="App. C / D.2 kernel-ridge chain",
        regime=_REGIME,
        derivation=step.done(),
        notes=_NOTE,
    )


def _downstream(step: Derivation, mean: sp.Expr, cov: sp.Expr) -> sp.Expr:
    """E ||Shat R w + R X'E/T - w0||_Sigma^2 for w independent of the downstream design."""
    M = step(
        "E[Shat R Sigma R Shat] ~ two-point equivalent at (kappa, T), B = Sigma",
        two_point_matrix(_l, S.kappa, S.T),
    )
    a = one_point(S.kappa)
    var = proposition_4_2_variance().expr
    expr = (
        spectral_sum(M * (mean**2 + cov))
        - 2 * quadratic_form(_l * a * mean / S.coef[S.j])
        + quadratic_form(_l)
        + var
    )
    return step(
        "E = sum_j M_j (mu_j^2 + s_j) - 2 sum_j c_j lambda_j a_j mu_j + ||w0||_Sigma^2 + Var "
        "(a = Sigma (Sigma + kappa)^-1, Var of Prop. 4.2)",
        expr,
    )


@cache
def ridge_generator_error() -> Formula:
    step = Derivation()
    expr = _downstream(step, mu[S.j], s[S.j])
    return Formula(
        name="ridge_generator_error",
        title="Test error of ridge trained on a generator with coefficient moments (mu, s)",
        lhs=r"E_{test}",
        expr=expr,
        reference="App. C / D.2 kernel-ridge chain",
        regime=RIDGE_REGIME,
        derivation=step.done(),
        notes="mu, s: the mean and diagonal covariance of the last generator's coefficients "
        "(from the recursion of ridge_generator_mean / ridge_generator_second_moment).",
    )


@cache
def ridge_generator_one() -> Formula:
    step = Derivation()
    p, cov = _step_maps(step)
    mean1 = step("one generator from w0: mu_1 = p c, s_1 = cov(mu = c, s = 0)", p.subs(mu[S.j], S.coef[S.j]))
    cov1 = cov.replace(
        lambda e: isinstance(e, sp.Indexed) and e.base == mu, lambda e: S.coef[e.indices[0]]
    ).replace(lambda e: isinstance(e, sp.Indexed) and e.base == s, lambda e: sp.S.Zero)
    expr = _downstream(step, mean1, cov1)
    expr = step("simplify", spectral_simplify(canonical(expr)))
    return Formula(
        name="ridge_generator_one",
        title="Test error after one ridge generator, general Sigma",
        lhs=r"E_{test}",
        expr=expr,
        reference="App. C / D.2 kernel-ridge chain",
        regime=_REGIME,
        derivation=step.done(),
        notes=_NOTE,
    )


def kappa0_isotropic_limit() -> sp.Expr:
    """kappa(lam0 -> 0+, T0) for Sigma = I and T0 < d, from the isotropic closed form."""
    x = sp.Symbol("x", positive=True)  # phi0 = 1 + x > 1
    k = kappa_isotropic().expr.subs({S.lam: lam0, S.phi: 1 + x})
    return sp.limit(k, lam0, 0, "+").subs(x, S.d / S.T0 - 1)


@cache
def ridge_generator_chain_isotropic() -> Formula:
    step = Derivation()
    m0 = step("Sigma = I: every mode is shrunk by p = 1/(1 + kappa0)", isotropic(one_point(S.kappa0)))
    nu = step(
        "Phi(b I) = nu b I: one generator multiplies the total second moment by nu",
        sp.factor(sp.simplify(isotropic(two_point_matrix(_b, S.kappa0, S.T0)) / _b)),
    )
    C = step(
        "label noise per coordinate, E[R0 Shat0 R0]/T0",
        sp.factor(sp.simplify(isotropic(generator_noise_factor()))),
    )
    k = sp.Symbol("k", integer=True, nonnegative=True)
    y = sp.Function("y")
    sol = sp.rsolve(y(k + 1) - nu * y(k) - S.sigma0**2 * S.d * C, y(k), {y(0): S.w0_sq})
    Pn = step(
        "P_{m+1} = nu P_m + sigma0^2 d C, P_0 = ||w0||^2: solve the recursion", sp.simplify(sol.subs(k, S.n))
    )
    cross = step("the cross term: sum_j c_j mu_{n,j} = p^n ||w0||^2", m0**S.n * S.w0_sq)
    abar = isotropic(one_point(S.kappa))
    mbar = sp.factor(sp.simplify(isotropic(two_point_matrix(_l, S.kappa, S.T)).subs(S.T, S.d / S.phi)))
    var = sp.factor(sp.simplify(isotropic(proposition_4_2_variance().expr).subs(S.T, S.d / S.phi)))
    expr = step(
        "E = mbar P_n - 2 abar p^n ||w0||^2 + ||w0||^2 + Var", mbar * Pn - 2 * abar * cross + S.w0_sq + var
    )
    return Formula(
        name="ridge_generator_chain_isotropic",
        title="Test error of the chain of ridge generators, isotropic features",
        lhs=r"E_{test}",
        expr=expr,
        reference="App. C / D.2 kernel-ridge chain",
        regime=(
            Condition(sp.Ge(S.lam, 0, evaluate=False), "lam >= 0"),
            Condition(sp.Gt(S.phi, 0, evaluate=False), "phi = d/T > 0"),
            Condition(sp.Ge(S.T0, 1, evaluate=False), "T0 >= 1"),
        ),
        derivation=step.done(),
        notes="kappa0 = kappa(lam0, T0) for Sigma = I (pass kappa0=), kappa = kappa_isotropic(lam, phi). "
        "Independent generator designs.",
    )
