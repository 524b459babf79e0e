r"""The effective regularisation :math:`\kappa(\lambda,T)`: eq. (9), eqs. (10)-(11), Lemma I.2.

.. math:: \kappa-\lambda=\frac{\kappa\,\mathrm{df}_1(\kappa)}{T}

Isotropic closed form (Marchenko-Pastur), obtained by solving the equation with SymPy and keeping
the root that the assumptions prove non-negative:

.. math:: \kappa=\tfrac12\Big(\lambda+\bar\phi+\sqrt{(\lambda+\bar\phi)^2+4\lambda}\Big),\quad \bar\phi=\phi-1.

Lemma I.2, by implicit differentiation: :math:`\partial\kappa/\partial\lambda = 1/(1-\mathrm{df}_2(\kappa)/T)`.
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from symcollapse.symbolic import symbols as S
from symcollapse.symbolic.formula import Condition, Formula
from symcollapse.symbolic.functionals import canonical, combine_sums, df, isotropic, spectral_simplify
from symcollapse.symbolic.theory._derive import RIDGE_REGIME, Derivation

__all__ = ["kappa_equation", "kappa_isotropic", "lemma_I_2", "nonnegative_roots", "lemma_I_2_expr"]


def kappa_residual(x: sp.Expr = S.kappa, lam: sp.Expr = S.lam, size: sp.Expr = S.T) -> sp.Expr:
    """Left minus right side of eq. (9), ``x - lam - x df1(x)/size``."""
    return x - lam - x * df(1, x) / size


def _sign(root: sp.Expr) -> int | None:
    """+1 if ``root`` is provably >= 0, -1 if provably <= 0, ``None`` if undecided.

    Handles ``p + q*sqrt(A)`` by comparing ``q**2*A`` with ``p**2`` under the symbols' assumptions.
    """
    if root.is_nonnegative:
        return 1
    if root.is_nonpositive:
        return -1
    radicals = [e for e in root.atoms(sp.Pow) if e.exp == sp.S.Half]
    if len(radicals) != 1:
        return None
    rad = radicals[0]
    q = sp.expand(root).coeff(rad)
    p = sp.simplify(root - q * rad)
    gap = sp.factor(sp.expand(q**2 * rad.base - p**2))
    if q.is_positive and gap.is_nonnegative:
        return 1  # q sqrt(A) >= |p|
    if q.is_negative and gap.is_nonnegative:
        return -1  # |q| sqrt(A) >= |p|
    return None


def complete_square(root: sp.Expr) -> sp.Expr:
    """Rewrite ``p + q*sqrt(A)`` as ``p + q*sqrt((p**2 + g)/q**2)`` with ``g = q**2 A - p**2``.

    The radicand then never expands ``p**2`` (no cancellation near ``p**2 ~ g``), and ``g``
    is the simple certificate that decides the root's sign.
    """
    radicals = [e for e in root.atoms(sp.Pow) if e.exp == sp.S.Half]
    if len(radicals) != 1:
        return root
    rad = radicals[0]
    q = sp.expand(root).coeff(rad)
    p = sp.factor(sp.simplify(root - q * rad))
    gap = sp.factor(sp.expand(q**2 * rad.base - p**2))
    new = sp.factor_terms((p**2 + gap) / q**2)
    if sp.expand(new - rad.base) != 0:  # pragma: no cover - an identity by construction
        raise RuntimeError("completing the square failed")
    return p + q * sp.sqrt(new)


def nonnegative_roots(roots: list[sp.Expr]) -> list[sp.Expr]:
    """The roots that the assumptions prove non-negative (and not provably non-positive)."""
    return [r for r in roots if _sign(r) == 1]


@cache
def lemma_I_2_expr(x: sp.Symbol = S.kappa, size: sp.Symbol = S.T) -> sp.Expr:
    """d kappa / d lambda from implicit differentiation of eq. (9), in df2."""
    K = sp.Function("kappa")(S.lam)
    F = kappa_residual(K, S.lam, size)
    dK = sp.solve(canonical(sp.diff(F, S.lam)), sp.Derivative(K, S.lam))[0]
    denominator = combine_sums(sp.expand(sp.together(1 / dK)).subs(K, x))
    return 1 / spectral_simplify(denominator)


@cache
def kappa_equation() -> Formula:
    step = Derivation()
    rhs = step(
        "Eq. (9): kappa is a fixed point of lam + kappa df1(kappa)/T", S.lam + S.kappa * df(1, S.kappa) / S.T
    )
    return Formula(
        name="kappa_equation",
        title="Effective regularisation (implicit equation)",
        lhs=r"\kappa",
        expr=rhs,
        reference="eq. (9); Bach (2023), Prop. 2",
        regime=RIDGE_REGIME,
        exact=True,
        derivation=step.done(),
        notes="kappa(lam, T) is the unique positive root when lam > 0 or T < d; 0 when lam = 0 and T >= d.",
    )


@cache
def kappa_isotropic() -> Formula:
    step = Derivation()
    eq = step(
        "Eq. (9) with Sigma = I_d (df1(kappa) = d/(1+kappa))",
        sp.Eq(S.kappa - S.lam, isotropic(S.kappa * df(1, S.kappa) / S.T)),
    )
    eq = step("aspect ratio phi = d/T", eq.subs(S.d, S.phi * S.T))
    roots = step("both roots of the quadratic", sp.solve(eq, S.kappa))
    keep = nonnegative_roots(roots)
    if len(keep) != 1:
        raise RuntimeError(f"expected one non-negative root, got {keep}")
    step("keep the root the assumptions (lam >= 0) prove non-negative", keep[0])
    other = complete_square([x for x in roots if x is not keep[0]][0])
    root = step("complete the square under the root", complete_square(keep[0]))
    # Vieta: root * other = -lam; the quotient form is the stable one when phi < 1.
    product = step("Vieta: product of the roots", sp.factor(sp.expand(root * other)))
    stable = step("stable rearrangement for phi < 1 (no cancellation)", sp.simplify(product / other))
    numeric = sp.Piecewise((stable, S.phi < 1), (root, True))
    return Formula(
        name="kappa_isotropic",
        title="Effective regularisation, isotropic closed form (Marchenko-Pastur)",
        lhs=r"\kappa",
        expr=root,
        reference="eqs. (10)-(11)",
        regime=(
            Condition(sp.Ge(S.lam, 0, evaluate=False), "lam >= 0"),
            Condition(sp.Gt(S.phi, 0, evaluate=False), "phi = d/T > 0"),
        ),
        exact=True,
        derivation=step.done(),
        notes="At lam = 0 this gives max(phi - 1, 0).",
        numeric_expr=numeric,
    )


@cache
def lemma_I_2() -> Formula:
    step = Derivation()
    step("differentiate F(kappa(lam), lam) = kappa - lam - kappa df1(kappa)/T = 0 in lam", kappa_residual())
    expr = step(
        "solve for d kappa/d lam and merge the sums (df1 - kappa sum lambda/(lambda+kappa)^2 = df2)",
        lemma_I_2_expr(),
    )
    return Formula(
        name="lemma_I_2",
        title="Derivative of the effective regularisation",
        lhs=r"\frac{\partial\kappa}{\partial\lambda}",
        expr=expr,
        reference="Lemma I.2",
        regime=RIDGE_REGIME,
        exact=True,
        derivation=step.done(),
    )
