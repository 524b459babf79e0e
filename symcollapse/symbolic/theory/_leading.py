r"""Leading-order operations shared by the exponent calculus (:mod:`symcollapse.symbolic.scaling`) and the
power-law asymptotics (:mod:`symcollapse.symbolic.theory.power_law_asymptotics`).

* :func:`leading`: the leading order of a catalogue formula when
  :math:`\mathrm{df}_1(\kappa),\mathrm{df}_2(\kappa)\asymp\kappa^{-1/\beta}` are small against
  :math:`T` and :math:`d` (scale them by :math:`\epsilon`, keep the lowest power of :math:`\epsilon`);
* :func:`rho_19_leading`: eq. (19) (catalogue ``rho_underparameterized_asymptotic``) at that order;
* :func:`dominant_term`: the term of a sum that dominates as a variable tends to a point.

Kept in :mod:`symcollapse.symbolic.theory` so that both modules can use it (``scaling`` imports
``theory``, so the reverse import would be circular).
"""

from __future__ import annotations

import sympy as sp

from symcollapse.symbolic import symbols as S
from symcollapse.symbolic.functionals import _tidy_signs, df, resolvent_trace2
from symcollapse.symbolic.theory._derive import Derivation
from symcollapse.symbolic.theory.collapse import rho_underparameterized_asymptotic

__all__ = ["EPS", "DF1", "DF2", "leading", "rho_19_leading", "dominant_term"]

#: the small parameter of :func:`leading`
EPS = sp.Symbol("epsilon", positive=True)
#: df1(kappa), df2(kappa) in the output of :func:`leading`
DF1, DF2 = sp.symbols("df_1 df_2", positive=True)


def leading(expr: sp.Expr) -> sp.Expr:
    """Leading order of ``expr`` when df1(kappa), df2(kappa) ~ T**(ell/beta) are small against
    T and d: scale them by epsilon and keep the lowest power of epsilon."""
    small = expr.subs({df(1, S.kappa): EPS * DF1, df(2, S.kappa): EPS * DF2})
    for power in range(3):
        lead = sp.limit(small / EPS**power, EPS, 0)
        if lead != 0:
            return _tidy_signs(sp.factor(lead))
    raise ValueError(f"no leading order found for {expr}")  # pragma: no cover - internal


def rho_19_leading(step: Derivation | None = None) -> sp.Expr:
    """Eq. (19) (T0 >= d) at leading order in df1, df2 -> 0 against T and d, in ``DF2``, d, T, T0."""
    step = step or Derivation()
    k = S.kappa
    rho = step(
        "eq. (19) (T0 >= d; catalogue rho_underparameterized_asymptotic): the collapse "
        "term is n sigma0**2 rho",
        rho_underparameterized_asymptotic().expr,
    )
    rho = step(
        "kappa**2 tr(Sigma + kappa)**-2 = d - 2 df1 + df2 (per eigenvalue: "
        "kappa**2/(l + kappa)**2 = 1 - 2 l/(l + kappa) + l**2/(l + kappa)**2)",
        rho.subs(resolvent_trace2(k), (S.d - 2 * df(1, k) + df(2, k)) / k**2),
    )
    return step(
        "df1, df2 ~ kappa**(-1/beta) (T**(ell/beta) at kappa ~ T**(-ell)) are o(T) and o(d) "
        "(ell < beta, d >> T**(ell/beta)): scale them by epsilon and keep the leading order",
        leading(rho),
    )


def dominant_term(expr: sp.Expr, x: sp.Symbol, point: sp.Expr = 0, direction: str = "+") -> sp.Expr:
    """The terms t of ``expand(expr)`` with ``lim t/expr != 0`` as ``x -> point`` (the leading
    term; several only if they are of the same order)."""
    terms = sp.Add.make_args(sp.expand(expr))
    lead = sp.Add(*[t for t in terms if sp.limit(t / expr, x, point, direction) != 0])
    if lead == 0:
        raise ValueError(f"no dominant term found for {expr}")  # pragma: no cover - internal
    return lead
