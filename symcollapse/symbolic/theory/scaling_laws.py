r"""The derivations behind the scaling-law exponents of power-law spectra.

The exponent calculus of :mod:`symcollapse.symbolic.scaling` (its docstring states the setting and the
steps) rests on the derivations here: Lemma I.1's exponent read off from the exact-constant
asymptotics, the decay rates of the terms of the leading-order error (27), the optimal ridge
exponent as the crossing of the increasing bias rate with the lowest decreasing rate, Cui et al.'s
rates without fake data, and the two catalogue entries (Theorem 5.1 as an exponent, Corollary 5.2).
Every function returns SymPy objects with their derivation steps; nothing here validates user input.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import sympy as sp

from symcollapse.symbolic import symbols as S
from symcollapse.symbolic.formula import Condition, Formula
from symcollapse.symbolic.theory import power_law_asymptotics as pla
from symcollapse.symbolic.theory._derive import Derivation
from symcollapse.symbolic.theory._leading import DF2 as _DF2
from symcollapse.symbolic.theory._leading import leading as _leading
from symcollapse.symbolic.theory._leading import rho_19_leading
from symcollapse.symbolic.theory.clean_ridge import proposition_4_2_bias, proposition_4_2_variance

__all__ = [
    "DIMENSION_EXPONENT",
    "RBAR",
    "lemma_I_1_exponent",
    "term_rates",
    "template",
    "prune",
    "dominated",
    "cui_rates",
    "theorem_5_1",
    "corollary_5_2_ell_star",
]

_T = S.T
#: d ~ T**g: the internal symbol of the derivation (``d_exponent`` in :mod:`symcollapse.symbolic.scaling`)
DIMENSION_EXPONENT = sp.Symbol("g", positive=True)
#: min(1, r): the source exponent at which ridge saturates
RBAR = sp.Min(1, S.r)


# ============================================================================ the derivation
def _power(term: sp.Expr) -> sp.Expr:
    """The exponent x of a power law ``term = C*T**x`` (C free of T), via log(term)/log(T)."""
    x = sp.expand(sp.expand_log(sp.log(term), force=True) / sp.log(_T))
    coeff = x.coeff(1 / sp.log(_T)) if x.has(sp.log(_T)) else 0
    x = sp.expand(x - coeff / sp.log(_T))  # drop log(C)/log(T) -> 0
    if x.has(_T):
        raise ValueError(f"{term} is not a power law in T")  # pragma: no cover - internal
    return x


def _distribute(c: sp.Expr, m: sp.Expr) -> sp.Expr:
    """``c - Max(x, y, ...)`` as ``Min(c - x, c - y, ...)`` (and ``c + Min`` likewise)."""
    return sp.Min(*[sp.simplify(c - x) for x in m.args])


def _log_slope(expr: sp.Expr, x: sp.Symbol) -> sp.Expr:
    """The exponent c with ``expr ~ x**(-c)`` as x -> oo: ``-lim x d/dx log(expr)``."""
    return sp.simplify(
        sp.limit(sp.simplify(-x * sp.diff(sp.expand_log(sp.log(expr), force=True), x)), x, sp.oo)
    )


@cache
def lemma_I_1_exponent() -> dict[str, Any]:
    r"""The exponent :math:`c'=\min(m,\nu-1/\beta)` of Lemma I.1, derived from the exact-constant
    asymptotics (:func:`symcollapse.symbolic.theory.power_law_asymptotics.lemma_I_1`) by log-derivatives.

    Returns ``{"c_prime": Min(m, nu - 1/beta), "m": m, "nu": nu, "steps": ...}``."""
    step = Derivation()
    m, nu, D = sp.symbols("m nu D", positive=True)
    lem = pla.lemma_I_1().expr.xreplace({pla.m_I: m, pla.n_I: nu, pla.D: D})
    step(
        "Lemma I.1 with constants (power_law_asymptotics.lemma_I_1): S(D) = sum_k "
        "lambda_k**nu/(1 + D*lambda_k)**m, three branches",
        lem,
    )
    (above, _), (boundary, _), (below, _) = lem.args
    x_above = step("m > nu - 1/beta: c' = -lim D d/dD log S(D)", _log_slope(above, D))
    x_boundary = step(
        "m = nu - 1/beta: the same limit (the log D factor does not change it)", _log_slope(boundary, D)
    )
    x_below = step("m < nu - 1/beta: the same limit", _log_slope(below, D))
    q = sp.Symbol("q", positive=True)
    c_prime = sp.Min(x_above, x_below)
    # the branch condition makes each branch's own exponent the smaller one: q > 0 is the gap
    if not (
        c_prime.subs(m, nu - 1 / S.beta + q) == x_above.subs(m, nu - 1 / S.beta + q)
        and c_prime.subs(m, nu - 1 / S.beta - q) == x_below.subs(m, nu - 1 / S.beta - q)
        and sp.simplify(c_prime.subs(m, nu - 1 / S.beta) - x_boundary.subs(m, nu - 1 / S.beta)) == 0
    ):  # pragma: no cover - a derived identity
        raise RuntimeError("Lemma I.1: the branch exponents are not min(m, nu - 1/beta)")
    c_prime = step(
        "in each branch its exponent is the smaller of the two (substitute "
        "m = nu - 1/beta +- q, q > 0): c' = min of the branch exponents; "
        "a log D factor at m = nu - 1/beta",
        c_prime,
    )
    return {"c_prime": c_prime, "m": m, "nu": nu, "steps": step.done()}


@cache
def _lemma_I_1() -> dict[str, Any]:
    """Lemma I.1 and the exponents of df_m and of the bias functional that follow from it."""
    lem = lemma_I_1_exponent()
    step = Derivation()
    for s_ in lem["steps"]:
        step(s_.text, s_.expr)
    m, nu, c_prime = lem["m"], lem["nu"], lem["c_prime"]
    df_exp = step(
        "df_m(kappa) = kappa**(-m) * sum lambda**m/(1 + lambda/kappa)**m: with D = 1/kappa "
        "and nu = m, df_m ~ kappa**x with x = -m + c'",
        sp.simplify(-m + c_prime.subs(nu, m)),
    )
    delta = 1 + S.beta * (2 * S.r - 1)
    gamma = c_prime.subs({m: 2, nu: sp.simplify(1 + delta / S.beta)})
    step(
        "bias: kappa**2 w0'Sigma(Sigma + kappa)**-2 w0 = sum lambda**(1 + delta/beta)/(1 + lambda/"
        "kappa)**2 (c_i**2 ~ lambda_i**(delta/beta), delta = 1 + beta*(2r - 1)): nu = 1 + delta/beta, "
        "m = 2, exponent gamma = min(2, nu - 1/beta)",
        gamma,
    )
    gamma2 = 2 * RBAR
    assert sp.simplify((gamma - gamma2).rewrite(sp.Piecewise)) == 0
    step(
        "gamma = 2*min(r, 1) =: 2*rbar (ridge saturates at r = 1; App. H.2 prints "
        "kappa**(-gamma) for kappa**gamma)",
        gamma2,
    )
    return {"df": df_exp, "bias": gamma2, "steps": step.done()}


def _collapse_factor(step: Derivation) -> sp.Expr:
    """The factor F of (27), rho ~ df2(kappa) F/((1 - phi0) T), derived from eq. (19)."""
    lead = rho_19_leading(step)
    factor = sp.expand(sp.simplify(lead.subs(S.d, S.phi0 * S.T0) * S.T * (1 - S.phi0) / _DF2))
    return step(
        "with d = phi0 T0: rho ~ df2 F/((1 - phi0) T), F = T/T0 + phi0 ~ max(T/T0, phi0) "
        "(a sum of two positive terms), eq. (27)",
        factor,
    )


@cache
def term_rates(noisy: bool, collapsed: bool) -> dict[str, Any]:
    """Decay rates (minus the T-exponents) of the terms of (27), in canonical symbols and ``DIMENSION_EXPONENT``."""
    lem = _lemma_I_1()
    step = Derivation(lem["steps"])
    kappa = step(
        "kappa ~ lam ~ T**(-ell) (ell < beta; at ell = beta, kappa ~ T**(-beta) as well)", _T ** (-S.ell)
    )
    assert lem["df"] == -1 / S.beta  # the same for every m (beta > 1)
    df = step("df_1, df_2 ~ kappa**(-1/beta) ~ T**(ell/beta)", kappa ** lem["df"])

    step(
        "Prop. 4.2 bias at leading order (df2/T -> 0): kappa**2 w0'Sigma(Sigma + kappa)**-2 w0",
        _leading(proposition_4_2_bias().expr),
    )
    terms: dict[str, sp.Expr] = {
        "bias": step("Bias ~ kappa**(2 rbar) (Lemma I.1 above)", kappa ** lem["bias"])
    }
    if noisy:
        var = step(
            "Prop. 4.2 variance at leading order (df2/T -> 0)", _leading(proposition_4_2_variance().expr)
        )
        terms["variance"] = step("Var ~ sigma**2 df2/T with sigma**2 ~ 1", (var / S.sigma**2).subs(_DF2, df))
    if collapsed:
        lead = _collapse_factor(step)
        branches = {str(t): t for t in sp.Add.make_args(lead)}
        step(
            "n sigma0**2 ~ T**a, T0 ~ T**b, d ~ T**g (phi0 = d/T0 ~ T**(g - b); default g = b, phi0 fixed)",
            [sp.Eq(sp.Symbol("T0"), _T**S.b), sp.Eq(sp.Symbol("d"), _T**DIMENSION_EXPONENT)],
        )
        branches = {
            k: v.subs({S.T0: _T**S.b, S.phi0: _T**DIMENSION_EXPONENT / _T**S.b}) for k, v in branches.items()
        }
        step("the two terms of the collapse factor as powers of T", list(branches.values()))
        max_exp = sp.Max(*[_power(v) for v in branches.values()])
        step("exponent of max(T/T0, phi0) = Max of the branches' exponents", max_exp)
        terms["collapse"] = _T**S.a * _T**max_exp * df / _T  # n sigma0**2 df2 F/T
    exps = {k: _power(v) for k, v in terms.items()}
    step(
        "each term's exponent x_i = lim log(term_i)/log(T) (expand_log)",
        [sp.Eq(sp.Symbol(f"x_{k}"), v) for k, v in exps.items()],
    )
    rates = {}
    for k, x in exps.items():
        if k == "collapse":  # -(a + ell/beta - 1 + Max(...)) = Min(1 - Max branches) - a - ell/beta
            mx = next(t for t in sp.Add.make_args(x) if isinstance(t, sp.Max))
            rates[k] = _distribute(sp.Integer(1), mx) - S.a - S.ell / S.beta
        else:
            rates[k] = sp.expand(-x)
    e = step("E_test ~ sum_i T**x_i, so e = -Max_i x_i = Min_i (-x_i)", sp.Min(*rates.values()))
    return {"rates": rates, "e": e, "steps": step.done()}


def _domain(expr: sp.Expr) -> sp.Expr:
    """``expr`` on the domain beta > 1, 0 < min(r,1) <= 1, 0 < min(b,1) <= 1, a >= 0 (positive dummies)."""
    p, q1, q2 = sp.symbols("p q1 q2", positive=True)
    return expr.xreplace({RBAR: 1 / (1 + q1), sp.Min(1, S.b): 1 / (1 + q2)}).xreplace({S.beta: 1 + p})


def dominated(x: sp.Expr, y: sp.Expr, is_min: bool) -> bool:
    """Whether ``x`` can be dropped from Min (``is_min``) or Max because of ``y``, on the domain."""
    diff = sp.factor(sp.together(_domain(x - y)))
    return bool(diff.is_nonnegative if is_min else diff.is_nonpositive)


def prune(expr: sp.Expr) -> sp.Expr:
    """Drop the arguments of Min/Max that the domain (beta > 1, r, b > 0, a >= 0) makes redundant."""

    def prune_node(node):
        if not isinstance(node, (sp.Min, sp.Max)):
            return node
        args = list(node.args)
        keep: list[sp.Expr] = []
        for i, x in enumerate(args):
            others = keep + args[i + 1 :]  # ties: keep the last of equal arguments
            if not any(dominated(x, y, isinstance(node, sp.Min)) for y in others):
                keep.append(x)
        return type(node)(*keep) if len(keep) > 1 else keep[0]

    return expr.replace(lambda e: isinstance(e, (sp.Min, sp.Max)), prune_node)


@cache
def template(noisy: bool, collapsed: bool) -> dict[str, Any]:
    """Error exponent, optimal ell and optimal exponent in canonical symbols (plus ``DIMENSION_EXPONENT``).

    ``e(ell) = min(s*ell, dec_j(ell))`` with one increasing term, the bias ``s*ell`` (s = 2 rbar),
    and decreasing terms ``dec_j`` of slope -1/beta.  The maximum of this concave function over
    [0, beta] is at ``ell_star = max(0, u)``, ``u = min(beta, ell_j)`` where ``s*ell_j = dec_j(ell_j)``;
    there ``e = s*u`` if u >= 0, else ``e = min_j dec_j(0) = (s + 1/beta)*u``.
    """
    der = term_rates(noisy, collapsed)
    rates = der["rates"]
    slope = {k: _domain(sp.diff(v, S.ell)) for k, v in rates.items()}
    inc = [k for k in rates if slope[k].is_positive]
    dec = [k for k in rates if slope[k].is_negative]
    assert inc == ["bias"] and len(dec) == len(rates) - 1
    s = sp.diff(rates["bias"], S.ell)
    assert sp.simplify(rates["bias"] - s * S.ell) == 0
    assert all(sp.simplify(sp.diff(rates[k], S.ell) + 1 / S.beta) == 0 for k in dec)
    crossings = {k: sp.solve(sp.Eq(rates["bias"], rates[k]), S.ell)[0] for k in dec}
    u = prune(sp.Min(S.beta, *crossings.values()))
    return {
        "rates": rates,
        "e": der["e"],
        "crossings": crossings,
        "ell_star": sp.Max(0, u),
        "e_star": s * u + sp.Min(0, u) / S.beta,
        "steps": der["steps"],
    }


# ============================================================================ Cui et al. (n = 0)
@cache
def cui_rates() -> dict[str, sp.Expr]:
    """Rates of the effectively noiseless (bias) and noisy (variance) regimes, any ell >= 0."""
    lem = _lemma_I_1()
    k = sp.Symbol("k", positive=True)
    # kappa = lam + kappa df1(kappa)/T (eq. 9): without lam, the balance df1(kappa) ~ T sets the
    # floor kappa ~ T**-beta (df1 ~ kappa**(-1/beta), Lemma I.1); so kappa ~ max(lam, floor)
    floor = sp.solve(sp.Eq(k ** lem["df"], _T), k)[0]
    kappa = _T ** (-sp.Min(S.ell, -_power(floor)))
    bias = kappa ** lem["bias"]
    # Prop. 4.2's variance at leading order, sigma**2 df2/T, with df2 ~ kappa**(-1/beta); for
    # ell >= beta it is Theta(1) (df2 ~ T), the plateau
    variance = (_leading(proposition_4_2_variance().expr) / S.sigma**2).subs(_DF2, kappa ** lem["df"])
    return {"noiseless": sp.expand(-_power(bias)), "noisy": sp.expand(-_power(variance))}


# ============================================================================ catalogue entries
def _regime_collapsed() -> tuple[Condition, ...]:
    return (
        Condition(sp.Gt(S.beta, 1, evaluate=False), "beta > 1 (capacity, eq. 23)"),
        Condition(sp.Gt(S.r, 0, evaluate=False), "r > 0 (source, eq. 23)"),
        Condition(sp.Ge(S.ell, 0, evaluate=False), "ell >= 0"),
        Condition(S.ell < S.beta, "ell < beta (kappa ~ lam)"),
        Condition(sp.Ge(S.a, 0, evaluate=False), "a >= 0 (n sigma0**2 ~ T**a)"),
        Condition(sp.Gt(S.b, 0, evaluate=False), "b > 0 (T0 ~ T**b)"),
        Condition(S.ell < S.beta * S.b, "ell < beta*b (d = phi0*T0 >> df2 ~ T**(ell/beta))"),
    )


@cache
def theorem_5_1() -> Formula:
    r"""The collapsed scaling law (27) as an exponent: :math:`E_{test}\asymp T^{-e(\ell,a,b)}`."""
    t = template(True, True)
    step = Derivation(t["steps"])
    e = step("phi0 = d/T0 fixed (d ~ T**b): substitute g = b", t["e"].xreplace({DIMENSION_EXPONENT: S.b}))
    expr = step(
        "drop the terms the domain makes redundant (a >= 0: the clean variance rate "
        "1 - ell/beta is never the smallest)",
        prune(e),
    )
    return Formula(
        name="theorem_5_1",
        title="Collapsed scaling law: the test-error exponent",
        lhs=r"-\lim \log E_{test}/\log T",
        expr=expr,
        exact=True,
        reference="Theorem 5.1, eq. (27) (exponent form)",
        regime=_regime_collapsed(),
        derivation=step.done(),
        notes=(
            "lam ~ T**-ell, n sigma0**2 ~ T**a, T0 ~ T**b, phi0 = d/T0 fixed, sigma**2 ~ 1 or 0 "
            "(same exponent: with phi0 fixed the generator acts as label noise at least as "
            "large); the law itself holds up to constants. For b <= 1 this is the paper's "
            "min(2 ell rbar, 1 - ell/beta, b - a - ell/beta); for b > 1 the phi0 branch of "
            "max(T/T0, phi0) gives min(b, 1) in place of b (symcollapse.scaling, d_exponent)."
        ),
    )


@cache
def corollary_5_2_ell_star() -> Formula:
    r"""The optimal ridge exponent of the noiseless collapsed law (Corollary 5.2, eq. 28)."""
    t = template(False, True)
    step = Derivation(t["steps"])
    rates = {k: v.xreplace({DIMENSION_EXPONENT: S.b}) for k, v in t["rates"].items()}
    step(
        "noiseless: e(ell) = min(bias rate, collapse rate); phi0 fixed (g = b)",
        [sp.Eq(sp.Symbol(f"e_{k}"), v) for k, v in rates.items()],
    )
    step(
        "bias rate increases with ell, the collapse rate decreases: the maximum of the minimum is "
        "where they meet (sp.solve), clipped to [0, beta]",
        t["ell_star"].xreplace({DIMENSION_EXPONENT: S.b}),
    )
    expr = step(
        "drop the cap beta: (min(b,1) - a) ell_crit < beta on the domain",
        prune(t["ell_star"].xreplace({DIMENSION_EXPONENT: S.b})),
    )
    printed = sp.Min((S.b - S.a) * S.beta / (2 * S.beta * RBAR + 1), S.beta)
    step("for b <= 1 (min(b,1) = b) this is the printed (28), min((b - a) ell_crit, beta)", printed)
    return Formula(
        name="corollary_5_2_ell_star",
        title="Optimal ridge exponent on collapsed data",
        lhs=r"\ell_\star",
        expr=expr,
        exact=True,
        reference="Corollary 5.2, eq. (28) (hypothesis n sigma0^2 ~ T^a; printed n ~ T^b)",
        regime=(
            Condition(sp.Gt(S.beta, 1, evaluate=False), "beta > 1 (capacity, eq. 23)"),
            Condition(sp.Gt(S.r, 0, evaluate=False), "r > 0 (source, eq. 23)"),
            Condition(sp.Ge(S.a, 0, evaluate=False), "a >= 0 (n sigma0**2 ~ T**a)"),
            Condition(sp.Gt(S.b, 0, evaluate=False), "b > 0 (T0 ~ T**b)"),
        ),
        derivation=step.done(),
        notes=(
            "B8: the hypothesis is n sigma0**2 ~ T**a, not n ~ T**b. sigma = 0, phi0 = d/T0 fixed. "
            "The optimum error is T**(-(min(b,1) - a) c). The printed min((b - a) ell_crit, beta) "
            "holds for b <= 1, and for b > 1 only if d <~ T (symcollapse.scaling.ell_star with "
            "d_exponent <= 1); ell_star = 0 when a >= min(b, 1) (the collapse term then grows "
            "for every ell)."
        ),
    )
