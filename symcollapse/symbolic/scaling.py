r"""Exponent calculus for power-law spectra: paper section 5, Appendix G, and Cui et al. (2021).

Setting (Section 5 of the paper, eqs. 23-26): :math:`\lambda_k\asymp k^{-\beta}` (:math:`\beta>1`),
source exponent :math:`r>0`,
:math:`\underline r=\min(r,1)`, ridge :math:`\lambda\asymp T^{-\ell}`, :math:`n\sigma_0^2\asymp T^{a}`,
:math:`T_0\asymp T^{b}`.  Every exponent here is **derived** in SymPy, not typed in:

1. Lemma I.1, :math:`\sum_k\lambda_k^{\nu}/(1+D\lambda_k)^m\asymp D^{-\min(m,\nu-1/\beta)}`: the
   exponent is read off (log-derivative) from the exact-constant asymptotics of
   :func:`symcollapse.symbolic.theory.power_law_asymptotics.lemma_I_1`; it gives
   :math:`\mathrm{df}_m(\kappa)\asymp\kappa^{-1/\beta}` and the bias functional
   :math:`\asymp\kappa^{2\underline r}` (the exponent is simplified from :math:`\delta=1+\beta(2r-1)`);
2. :math:`\kappa\simeq\lambda\asymp T^{-\ell}` for :math:`\ell<\beta`;
3. the terms of the leading-order error (27) are the catalogue's Proposition 4.2 bias and variance
   and eq. (19), at leading order in :math:`\mathrm{df}_m/T,\mathrm{df}_m/d\to0` (a small-parameter
   limit in SymPy):
   :math:`T^{-2\ell\underline r}+\sigma^2T^{\ell/\beta-1}
   +n\sigma_0^2\max(T/T_0,\phi_0)\,T^{\ell/\beta-1}`; each term's exponent is read off by
   ``expand_log(log(term)/log(T))`` and the error exponent is :math:`e=-\max_i x_i`
   (test error :math:`\asymp T^{-e}`);
4. optimal exponents maximise the piecewise-linear, concave :math:`e(\ell)`: the only increasing
   term is the bias, so :math:`\ell_\star` is where it meets the lowest decreasing term
   (``sp.solve``), clipped to :math:`[0,\beta]`.

**The dimension.**  (27) holds for :math:`T_0\ge d\gg\mathrm{df}_2(\kappa)\asymp T^{\ell/\beta}`; its
collapse factor :math:`\max(T/T_0,\phi_0)=\max(T,d)/T_0` depends on how :math:`d` grows.  By default
:math:`\phi_0=d/T_0` is fixed (the setting of Corollary 5.2 and Appendix G), i.e. :math:`d\asymp T^b`;
``d_exponent=g`` sets :math:`d\asymp T^{g}` instead (:math:`\ell/\beta<g\le b`).  For :math:`b\le1`
both agree with the paper.  For :math:`b>1` and fixed :math:`\phi_0`, the :math:`\phi_0` branch
dominates (the generator's error acts as label noise of variance :math:`n\sigma_0^2\phi_0/(1-\phi_0)`)
and the collapse rate is :math:`\min(b,1)-a-\ell/\beta`; the printed Corollary 5.2,
:math:`\ell_\star=\min((b-a)\ell_{crit},\beta)`, is recovered with ``d_exponent <= 1`` (:math:`d\lesssim T`).

Return types: exact SymPy numbers for rational input (``int``, ``Fraction``, SymPy ``Rational``), a
Python ``float`` if any input is a float, and a SymPy expression (``Min``/``Max``/``Piecewise``) if
any input is symbolic (for example the canonical :data:`symcollapse.symbols.beta`), ready for
``sympy.latex``.
"""

from __future__ import annotations

import numbers
from typing import Any, NamedTuple

import sympy as sp

from symcollapse.symbolic import symbols as S
from symcollapse.symbolic.theory.scaling_laws import (
    DIMENSION_EXPONENT,
    corollary_5_2_ell_star,
    cui_rates,
    dominated,
    lemma_I_1_exponent,
    prune,
    template,
    term_rates,
    theorem_5_1,
)

__all__ = [
    "ell_crit",
    "minimax_rate",
    "error_exponent",
    "collapse_exponent",
    "ell_star",
    "optimal_exponent",
    "crossover",
    "Crossover",
    "diverges_with_classical_ell",
    "cui_rate",
    "cui_region",
    "CuiRegion",
    "cui_crossover",
    "CuiCrossover",
    "theorem_5_1",
    "corollary_5_2_ell_star",
    "lemma_I_1_exponent",
]


# ============================================================================ input handling
class _Args:
    """Coerced inputs: SymPy values plus the output kind (exact, float or symbolic)."""

    def __init__(self, **values: Any) -> None:
        self.values: dict[str, sp.Expr] = {}
        kinds = set()
        for name, value in values.items():
            if value is None:
                continue
            v, kind = _coerce(value, name)
            self.values[name] = v
            kinds.add(kind)
        self.kind = "symbolic" if "symbolic" in kinds else "float" if "float" in kinds else "exact"

    def num(self, name: str) -> sp.Expr | None:
        """The value of ``name`` if it is a number (``None`` if symbolic or absent)."""
        v = self.values.get(name)
        return v if v is not None and not v.free_symbols else None

    def out(self, expr: sp.Basic):
        if self.kind == "symbolic" or expr.free_symbols:
            return expr
        if isinstance(expr, sp.logic.boolalg.BooleanAtom) or expr.is_Relational:
            return bool(expr)
        return float(expr) if self.kind == "float" else expr


def _coerce(value: Any, name: str) -> tuple[sp.Expr, str]:
    if isinstance(value, (bool, str)):
        raise TypeError(f"{name} must be a real number or a SymPy expression, got {value!r}")
    if isinstance(value, sp.Basic):
        if value.free_symbols:
            return value, "symbolic"
        if value.is_Float:
            kind = "float"
        elif value.is_number and value.is_extended_real:
            kind = "exact"
        else:
            raise TypeError(f"{name} must be a real number, got {value!r}")
        if not value.is_finite:
            raise ValueError(f"{name} must be finite, got {value!r}")
        return value, kind
    if isinstance(value, numbers.Rational):
        return sp.Rational(int(value.numerator), int(value.denominator)), "exact"
    if isinstance(value, numbers.Real):
        f = float(value)
        if f != f or f in (float("inf"), float("-inf")):
            raise ValueError(f"{name} must be finite, got {value!r}")
        return sp.Float(f), "float"
    raise TypeError(f"{name} must be a real number or a SymPy expression, got {value!r}")


def _truth(rel) -> bool | None:
    """``True``/``False`` for a decidable relation between numbers, else ``None``."""
    rel = sp.sympify(rel)
    if rel in (sp.true, sp.false):
        return bool(rel)
    return None


def _validate(args: _Args) -> None:
    """Domain checks on the numeric inputs (``ValueError`` naming the parameter)."""
    checks = {
        "beta": (lambda v: v > 1, "beta must be > 1 (capacity condition, eq. 23)"),
        "r": (lambda v: v > 0, "r must be > 0 (source condition, eq. 23)"),
        "ell": (lambda v: v >= 0, "ell must be >= 0 (lam ~ T**-ell, eq. 25)"),
        "a": (lambda v: v >= 0, "a must be >= 0 (n*sigma0**2 ~ T**a)"),
        "b": (lambda v: v > 0, "b must be > 0 (T0 ~ T**b)"),
        "d_exponent": (lambda v: v > 0, "d_exponent must be > 0 (d ~ T**d_exponent)"),
    }
    for name, (test, message) in checks.items():
        v = args.num(name)
        if v is not None and _truth(test(v)) is False:
            raise ValueError(f"{message}, got {v}")


def _check_regime(args: _Args, *, noisy: bool, collapsed: bool) -> None:
    """The regime of (27): ell < beta (ell = beta allowed without noise); T0 >= d >> T**(ell/beta)."""
    beta, ell = args.num("beta"), args.num("ell")
    if beta is not None and ell is not None:
        if _truth(ell > beta) or (noisy and _truth(sp.Eq(ell, beta))):
            raise ValueError(
                f"ell = {ell} is outside the regime 0 <= ell < beta = {beta} of Theorem 5.1 "
                "(kappa ~ lam needs ell < beta; ell = beta is allowed only with noisy=False, the "
                "noiseless fast rate); for ell > beta use cui_rate"
            )
    if not collapsed:
        return
    b, g = args.num("b"), args.num("d_exponent")
    if g is not None and b is not None and _truth(g > b):
        raise ValueError(f"d_exponent = {g} must be <= b = {b}: T0 >= d (Theorem 5.1 needs T0 >= d + 2)")
    explicit = "d_exponent" in args.values
    g = g if explicit else b
    if beta is not None and ell is not None and g is not None and _truth(ell >= beta * g):
        what = "beta*d_exponent" if explicit else "beta*b (phi0 = d/T0 fixed, so d ~ T**b)"
        raise ValueError(
            f"ell = {ell} is outside the regime of eq. (27): it needs d >> df2 ~ T**(ell/beta), "
            f"i.e. ell < {what} = {beta * g}; beyond it df2 saturates at d and the collapse "
            "term stops growing"
        )


def _subs(expr: sp.Expr, args: _Args, *, collapsed: bool) -> sp.Expr:
    canon = {"beta": S.beta, "r": S.r, "ell": S.ell, "a": S.a, "b": S.b}
    rep = {canon[k]: v for k, v in args.values.items() if k in canon}
    if collapsed:
        expr = expr.xreplace({DIMENSION_EXPONENT: args.values.get("d_exponent", S.b)})
    return expr.xreplace(rep)


def _finish(expr: sp.Expr, args: _Args):
    """The output: a pruned, tidied expression for symbolic input, else a number (see ``_Args.out``)."""
    if expr.free_symbols:
        expr = prune(expr)
        tidy = sp.together(expr)
        return tidy if sp.count_ops(tidy) < sp.count_ops(expr) else expr
    return args.out(expr)


def _setup(beta, r, ell=None, *, a=0, b=None, d_exponent=None, need_ell=False):
    required = {"beta": beta, "r": r, "a": a} | ({"ell": ell} if need_ell else {})
    for name, value in required.items():
        if value is None:
            raise TypeError(f"{name} must be a real number or a SymPy expression, got None")
    args = _Args(beta=beta, r=r, ell=ell, a=a, b=b, d_exponent=d_exponent)
    if b is None and d_exponent is not None:
        raise ValueError("d_exponent only applies to collapsed data (give b)")
    _validate(args)
    return args


# ============================================================================ public API
def ell_crit(beta, r):
    r"""Critical exponent :math:`\ell_{crit}=\beta/(2\beta\underline r+1)` (eq. 26).

    Derived by solving the balance of clean bias and variance, :math:`2\ell\underline r=1-\ell/\beta`,
    with ``sp.solve``.
    """
    args = _setup(beta, r)
    rates = term_rates(True, False)["rates"]
    sol = sp.solve(sp.Eq(rates["bias"], rates["variance"]), S.ell)
    assert len(sol) == 1
    return _finish(_subs(sol[0], args, collapsed=False), args)


def minimax_rate(beta, r):
    r"""The clean noisy optimum :math:`c=2\beta\underline r/(2\beta\underline r+1)` (eq. 24): the error
    exponent at :math:`\ell=\ell_{crit}` (Caponnetto-De Vito minimax rate)."""
    args = _setup(beta, r)
    t = template(True, False)
    return _finish(
        _subs(sp.simplify(t["rates"]["bias"].subs(S.ell, t["crossings"]["variance"])), args, collapsed=False),
        args,
    )


def error_exponent(beta, r, ell, *, a=0, b=None, noisy=True, d_exponent=None):
    r"""The exponent :math:`e` with :math:`E_{test}\asymp T^{-e}` (Theorem 5.1, eq. 27).

    ``lam ~ T**-ell``, ``n*sigma0**2 ~ T**a``, ``T0 ~ T**b``; ``b=None`` is clean data (:math:`n=0`),
    ``noisy=False`` is :math:`\sigma=0` (otherwise :math:`\sigma^2\asymp1`).  ``d_exponent``:
    :math:`d\asymp T^{g}` (default: :math:`\phi_0=d/T_0` fixed, :math:`g=b`; see the module
    docstring).  Regime: :math:`0\le\ell<\beta` (:math:`\ell=\beta` allowed with ``noisy=False``)
    and, with collapse, :math:`\ell<\beta g` (:math:`d\gg T^{\ell/\beta}`); ``ValueError`` otherwise.

    >>> error_exponent(2, sp.Rational(3, 8), sp.Rational(4, 5))  # ell_crit: the rate c
    3/5
    """
    args = _setup(beta, r, ell, a=a, b=b, d_exponent=d_exponent, need_ell=True)
    collapsed = b is not None
    _check_regime(args, noisy=noisy, collapsed=collapsed)
    t = template(bool(noisy), collapsed)
    return _finish(_subs(t["e"], args, collapsed=collapsed), args)


def collapse_exponent(beta, r, ell, *, a=0, b, d_exponent=None):
    r"""Decay rate of the collapse term alone, :math:`n\sigma_0^2\rho\asymp T^{-e_c}`:
    :math:`e_c=\min(b,1+b-g)-a-\ell/\beta` (:math:`=b-a-\ell/\beta` for :math:`d\lesssim T`, and
    :math:`\min(b,1)-a-\ell/\beta` for fixed :math:`\phi_0`).  The collapse term vanishes iff
    :math:`e_c>0`, i.e. :math:`\ell<\beta(b-a)` when :math:`b\le1` (App. G states the stronger
    :math:`\ell\le\ell_\star`)."""
    args = _setup(beta, r, ell, a=a, b=b, d_exponent=d_exponent, need_ell=True)
    _check_regime(args, noisy=False, collapsed=True)
    expr = template(False, True)["rates"]["collapse"]
    return _finish(_subs(expr, args, collapsed=True), args)


def ell_star(beta, r, *, a=0, b=None, noisy=True, d_exponent=None):
    r"""The optimal ridge exponent :math:`\ell_\star=\arg\max_{\ell}e(\ell)`.

    Derived by maximising the piecewise-linear :math:`e(\ell)` of :func:`error_exponent`:

    * clean, noisy: :math:`\ell_{crit}`; clean, noiseless: :math:`\beta` (fast rate);
    * collapsed, noiseless (Corollary 5.2, eq. 28): :math:`\min((b-a)\ell_{crit},\beta)` for
      :math:`d\lesssim T` (``d_exponent <= 1``; the same for :math:`b\le1` at fixed :math:`\phi_0`),
      and :math:`(\min(b,1)-a)\ell_{crit}` with fixed :math:`\phi_0` (the default);
    * collapsed, noisy (Appendix G): :math:`\min(\ell_\star,\ell_{crit})`.

    :math:`\ell_\star=0` when the collapse term grows for every :math:`\ell` (:math:`a\ge\min(b,1)`).
    ``ValueError`` if the optimum leaves the regime :math:`\ell<\beta g` of (27).
    """
    args = _setup(beta, r, a=a, b=b, d_exponent=d_exponent)
    collapsed = b is not None
    t = template(bool(noisy), collapsed)
    out = _subs(t["ell_star"], args, collapsed=collapsed)
    if not out.free_symbols:
        check = _Args(
            beta=args.values["beta"],
            r=args.values["r"],
            ell=out,
            a=args.values.get("a"),
            b=args.values.get("b"),
            d_exponent=args.values.get("d_exponent"),
        )
        try:
            _check_regime(check, noisy=bool(noisy), collapsed=collapsed)
        except ValueError as exc:
            raise ValueError(
                f"the optimum ell_star = {out} lies outside the regime of eq. (27): {exc}"
            ) from None
    return _finish(out, args)


def optimal_exponent(beta, r, *, a=0, b=None, noisy=True, d_exponent=None):
    r"""The best exponent :math:`\sup_\ell e(\ell)=e(\ell_\star)`: :math:`c` (clean, noisy),
    :math:`2\beta\underline r` (clean, noiseless), :math:`(b-a)c` (Corollary 5.2, :math:`d\lesssim T`),
    :math:`c\min(1,b-a)` (Appendix G, :math:`b\le1`); with fixed :math:`\phi_0`,
    :math:`(\min(b,1)-a)c` with or without noise.  ``ValueError`` as in :func:`ell_star`."""
    ell_star(beta, r, a=a, b=b, noisy=noisy, d_exponent=d_exponent)  # validation and regime
    args = _setup(beta, r, a=a, b=b, d_exponent=d_exponent)
    collapsed = b is not None
    return _finish(_subs(template(bool(noisy), collapsed)["e_star"], args, collapsed=collapsed), args)


class Crossover(NamedTuple):
    """Fast clean rate against the collapsed optimum (noiseless case, Corollary 5.2)."""

    #: :math:`2\beta\underline r`, the clean noiseless rate at :math:`\ell=\beta`
    clean_rate: Any
    #: :math:`\sup_\ell e(\ell)` with collapse (:math:`(b-a)c` when :math:`\ell_\star<\beta`)
    collapsed_rate: Any
    #: whether fake data degrades the rate (``collapsed_rate < clean_rate``)
    degraded: Any
    #: the b above which the rate is not degraded (``oo``: never); it ignores the regime
    #: d >> T**(ell/beta) of (27), which fails at ell = beta unless d >> T
    b_threshold: Any


def crossover(beta, r, *, a=0, b, d_exponent=None) -> Crossover:
    r"""Whether (and from which :math:`b`) the fast clean noiseless rate :math:`2\beta\underline r`
    degrades to the slow collapsed rate (Corollary 5.2: :math:`(b-a)c` when :math:`(b-a)c<2\beta\underline r`,
    i.e. :math:`b<a+2\beta\underline r+1`).  With fixed :math:`\phi_0` (the default) the collapsed
    optimum is :math:`(\min(b,1)-a)c<2\beta\underline r`: always degraded (``b_threshold = oo``).
    The optimum is computed without the regime check of :func:`ell_star` (the printed statement's
    boundary case :math:`\ell_\star=\beta` needs :math:`d\gg T`)."""
    args = _setup(beta, r, a=a, b=b, d_exponent=d_exponent)
    clean, t = template(False, False), template(False, True)
    g = args.values.get("d_exponent", S.b)
    fast = clean["e_star"]
    slow = t["e_star"].xreplace({DIMENSION_EXPONENT: g})
    # no degradation iff every crossing ell_j(b) reaches beta: solve ell_j(b) = beta for b
    thresholds = []
    for ell_j in t["crossings"].values():
        ell_j = ell_j.xreplace({DIMENSION_EXPONENT: g})
        if ell_j.has(sp.Min(1, S.b)):
            # phi0 fixed: for b >= 1 the crossing stops growing, at (1 - a) ell_crit < beta
            assert dominated(ell_j.xreplace({sp.Min(1, S.b): 1}), S.beta, False)
            thresholds.append(sp.oo)
            continue
        sol = sp.solve(sp.Eq(ell_j, S.beta), S.b) if ell_j.has(S.b) else []
        thresholds.append(sol[0] if len(sol) == 1 else sp.oo)
    fast_v, slow_v = (_subs(x, args, collapsed=False) for x in (fast, slow))
    thr_v = _subs(sp.Max(*thresholds), args, collapsed=False)
    if fast_v.free_symbols or slow_v.free_symbols:
        degraded = sp.Lt(prune(slow_v), prune(fast_v))
    else:
        degraded = bool(slow_v < fast_v)
    return Crossover(_finish(fast_v, args), _finish(slow_v, args), degraded, _finish(thr_v, args))


def diverges_with_classical_ell(beta, r, *, a=0, b, d_exponent=None):
    r"""Eq. (29): with the classical ridge :math:`\lambda\asymp T^{-\ell_{crit}}`, the collapse term
    :math:`\asymp T^{-(c+b-a-1)}` grows without bound iff its rate is negative.

    Derived from :func:`collapse_exponent` at :math:`\ell_{crit}` (:math:`\ell_{crit}/\beta=1-c`):
    **diverges iff** :math:`b<a+1-c` (the paper prints :math:`b\ge a+1-c`; its own example, fixed
    :math:`T_0`, diverges); with fixed
    :math:`\phi_0` and :math:`b>1` the condition is :math:`1<a+1-c`, i.e. :math:`\min(b,1)<a+1-c`.
    Returns a ``bool`` for numbers and a SymPy relation for symbols.

    Caveat (checked numerically in the tests): the regime of (27) needs
    :math:`d\gg T^{\ell_{crit}/\beta}=T^{1-c}` with :math:`d\le T_0\asymp T^b`, i.e. :math:`b>1-c`.
    For :math:`a=0` the divergent range :math:`b<1-c` lies outside it: at fixed :math:`\phi_0` the
    collapse term saturates at :math:`O(n\sigma_0^2)` instead.  Divergence inside the regime needs
    :math:`a>0`.
    """
    args = _setup(beta, r, a=a, b=b, d_exponent=d_exponent)
    rate = template(False, True)["rates"]["collapse"].xreplace(
        {
            S.ell: template(True, False)["crossings"]["variance"],
            DIMENSION_EXPONENT: args.values.get("d_exponent", S.b),
        }
    )
    rate = _subs(rate, args, collapsed=True)
    if not rate.free_symbols:
        return bool(rate < 0)
    # rate = x - rest with x = b or min(1, b): diverges iff x < rest
    for x in (sp.Min(1, args.values["b"]), args.values["b"]):
        if (
            rate.has(x)
            and sp.simplify(sp.diff(rate.xreplace({x: DIMENSION_EXPONENT}), DIMENSION_EXPONENT) - 1) == 0
        ):
            rest = sp.expand(x - rate)
            return sp.Lt(
                x,
                sp.apart(rest, args.values["a"])
                if rest.has(args.values["a"]) and isinstance(args.values["a"], sp.Symbol)
                else rest,
            )
    return sp.Lt(rate, 0)


def cui_rate(beta, r, ell, *, noisy=True):
    r"""Cui et al.'s excess-error exponent in the effectively noiseless (``noisy=False``) or noisy
    region, for any :math:`\ell\ge0` and :math:`n=0`: :math:`\kappa\asymp T^{-\min(\ell,\beta)}`, so
    the noiseless rate is :math:`2\min(\ell,\beta)\underline r` and the noisy one
    :math:`1-\min(\ell,\beta)/\beta` (0 for :math:`\ell\ge\beta`, an :math:`O(\sigma^2)` plateau).
    Symbolic input gives a ``Piecewise`` in :math:`\ell` (the phase diagram)."""
    args = _setup(beta, r, ell, need_ell=True)
    expr = _subs(cui_rates()["noisy" if noisy else "noiseless"], args, collapsed=False)
    if expr.free_symbols:
        m = sp.Min(args.values["ell"], args.values["beta"])
        return (
            sp.piecewise_fold(expr.xreplace({m: m.rewrite(sp.Piecewise)})) if isinstance(m, sp.Min) else expr
        )
    return args.out(expr)


class CuiRegion(NamedTuple):
    """One of Cui et al.'s four regions and its excess-error exponent."""

    name: str
    rate: Any


def cui_region(beta, r, ell, *, noisy=True) -> CuiRegion:
    r"""The region of Cui, Loureiro, Krzakala & Zdeborova (2021, "Generalization error rates in kernel
    regression: the crossover from the noiseless to noisy regime"): ``"noiseless, ell > beta"`` (rate
    :math:`2\beta\underline r`), ``"noiseless, ell < beta"`` (:math:`2\ell\underline r`),
    ``"noisy, ell < beta"`` (:math:`1-\ell/\beta`), ``"noisy, ell > beta"`` (0).  ``noisy`` means
    *effectively* noisy: a noisy learning curve reaches that region only if :math:`\ell>\ell_{crit}`
    (see :func:`cui_crossover`).  :math:`\ell=\beta` (log corrections) is grouped with
    :math:`\ell>\beta`.  Numeric ``beta`` and ``ell`` only."""
    args = _setup(beta, r, ell, need_ell=True)
    b_, e_ = args.num("beta"), args.num("ell")
    if b_ is None or e_ is None:
        raise TypeError("cui_region needs numeric beta and ell; use cui_rate for the symbolic phase diagram")
    side = "ell > beta" if _truth(e_ >= b_) else "ell < beta"
    return CuiRegion(f"{'noisy' if noisy else 'noiseless'}, {side}", cui_rate(beta, r, ell, noisy=noisy))


class CuiCrossover(NamedTuple):
    r"""A noisy learning curve (:math:`\sigma>0`, :math:`n=0`) in Cui et al.'s phase diagram."""

    #: whether it crosses from the noiseless to the noisy region (:math:`\ell>\ell_{crit}`)
    crosses: Any
    #: rate before the crossover (the noiseless rate)
    early_rate: Any
    #: rate as T -> oo: min(noiseless, noisy), equal to :func:`error_exponent` for ell < beta
    late_rate: Any
    #: T* ~ sigma**sigma_exponent, sigma_exponent = -2/(A - B) (meaningful when ``crosses``)
    sigma_exponent: Any


def cui_crossover(beta, r, ell) -> CuiCrossover:
    r"""The noise-induced crossover: the noiseless excess error :math:`T^{-A}` meets the noise term
    :math:`\sigma^2T^{-B}` at :math:`T^*\asymp\sigma^{-2/(A-B)}` (solved in SymPy), which exists iff
    :math:`A>B`, i.e. :math:`\ell>\ell_{crit}=\beta/(1+2\beta\underline r)`."""
    args = _setup(beta, r, ell, need_ell=True)
    rates = cui_rates()
    A, B = rates["noiseless"], rates["noisy"]
    x, s = sp.symbols("x sigma_", positive=True)
    # T = exp(x): -A x = 2 log(sigma) - B x
    sol = sp.solve(sp.Eq(-A * x, 2 * sp.log(s) - B * x), x)[0]
    sigma_exp = sp.simplify(sol / sp.log(s))
    vals = [_subs(v, args, collapsed=False) for v in (A, B, sigma_exp)]
    A_v, B_v, se_v = vals
    crosses = sp.Gt(A_v, B_v)
    crosses = bool(crosses) if not (A_v.free_symbols or B_v.free_symbols) else crosses
    late = sp.Min(A_v, B_v)
    if crosses is False:
        se_out = None
    else:
        se_out = _finish(se_v, args)
    return CuiCrossover(crosses, _finish(A_v, args), _finish(late, args), se_out)
