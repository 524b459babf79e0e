r"""The paper's printed statements that symcollapse corrects, with the evidence for each.

Every entry names the test that shows the printed form disagreeing (with the derivation or with
the Monte-Carlo simulation) and the corrected form agreeing.  ``label`` is the label of the
erratum in our list (B3, B4, ...; ``F.8`` names the lemma).  The labels are stable; the list keeps
only the corrections that change a formula the toolkit computes, so it skips numbers; the list is
in the order of the labels' numbers (``B8`` before ``F.8``).
``docs/errata.md`` is generated from :func:`errata`, the report's errata table is built from it,
and the derivation scripts (``derivations/``) print the statements of the errata they
demonstrate from it (``derivations/_narrate.erratum``); ``tests/test_errata.py`` keeps the three
in step.

``printed`` and ``corrected`` are statements: words with maths between dollar signs, the maths in
SymPy's syntax (``**`` for powers, ``*`` for products), so that the one string is both readable
as plain text and typeset by SymPy's LaTeX printer.  A maths piece is a chain of expressions
joined by the relations ``>>``, ``>=``, ``<=``, ``->``, ``~`` (asymptotic equivalence), ``=``,
``<``, ``>``.  ``x'`` is the transpose of ``x``; ``...`` is an ellipsis; ``Sigma``, ``Q``, ``M``,
``u``, ``v``, ``w0`` are matrices or vectors (their products keep their order); ``tr``, ``df2``,
``E`` (expectation), ``prod(A_m, m)`` (a product over ``m``) and ``Phi(m, M)`` (the peeling
map of generator ``m``) are functions.  The other names are the toolkit's symbols (``T0``,
``sigma0``, ``lam``, ``kappa``, ``phi0``, ``SNR0``, ``beta``, ``r``, ``ell``, ``a``, ``b``, ...)
or plain symbols, some with their own LaTeX (``E_clean``, ``E_test``, ``Delta_Bias``,
``lambda_i``, ``ell_star``, ``ell_crit``; ``gamma`` and ``delta`` are letters, not functions).
The printer keeps the expression as written (no reordering, no simplification, a quotient stays
where it was written): an erratum must show the paper's form, not an equivalent one.

>>> from symcollapse.symbolic.errata import statement_latex
>>> statement_latex("$n >> SNR0*(1/phi0 - 1)$")
'$n \\gg \\mathrm{SNR}_0 \\left(\\frac{1}{\\phi_0} - 1\\right)$'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from tokenize import TokenError

import sympy as sp
from sympy.parsing.sympy_parser import parse_expr
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE

from symcollapse.symbolic import symbols as S
from symcollapse.symbolic.functionals import DF2, DisplayFunction

__all__ = ["Erratum", "errata", "statement_pieces", "statement_latex", "statement_text"]


@dataclass(frozen=True)
class Erratum:
    """One correction: where, as printed, as corrected, and the evidence (with its test).

    ``printed`` and ``corrected`` are statements (words, with maths between dollar signs in
    SymPy's syntax; see the module docstring): :func:`statement_text` reads them as plain text,
    :func:`statement_latex` typesets them.
    """

    label: str
    where: str
    printed: str
    corrected: str
    evidence: str
    test: str

    def pieces(self, field: str) -> list[tuple[str, str | None]]:
        """``field`` (``"printed"`` or ``"corrected"``) as :func:`statement_pieces`."""
        return statement_pieces(getattr(self, field))


# ---------------------------------------------------------------------------------- statements
class _Trace(DisplayFunction):
    _tex = r"\operatorname{{tr}}\left({0}\right)"


class _Expectation(DisplayFunction):
    _tex = r"\mathbb{{E}}\left[{0}\right]"


class _Peel(DisplayFunction):
    nargs = 2
    _tex = r"\Phi_{{{0}}}\left({1}\right)"


class _Product(DisplayFunction):
    nargs = 2
    _tex = r"\prod_{{{1}}} {0}"


def _nc(name: str) -> sp.Symbol:
    return sp.Symbol(name, commutative=False)


_MATRICES = ("Sigma", "Q", "M", "u", "v", "w0")
_LOCALS: dict = {
    name: S.by_name(name)
    for name in (
        "d",
        "T",
        "T0",
        "n",
        "sigma",
        "sigma0",
        "lam",
        "kappa",
        "kappa0",
        "phi",
        "phi0",
        "SNR0",
        "rho",
        "beta",
        "r",
        "ell",
        "a",
        "b",
    )
}
_LOCALS.update({name: _nc(name) for name in _MATRICES})
_LOCALS.update({f"{name}__T": _nc(f"{name}__T") for name in _MATRICES})
_LOCALS.update(
    m=S.m,
    tr=_Trace,
    df2=DF2,
    E=_Expectation,
    Phi=_Peel,
    prod=_Product,
    dots=sp.Symbol("dots"),
    A_m=_nc("A_m"),
)
_LOCALS.update(
    {
        name: sp.Symbol(name)
        for name in (
            "gamma",
            "delta",
            "c",
            "lambda_i",
            "ell_star",
            "ell_crit",
            "E_test",
            "E_clean",
            "Delta_Bias",
        )
    }
)
_NAMES: dict = {
    **S.LATEX_NAMES,
    **{_LOCALS[name]: tex for name, tex in (("Sigma", r"\Sigma"), ("w0", "w_0"), ("dots", r"\dots"))},
    **{
        _LOCALS[f"{name}__T"]: ("w_0" if name == "w0" else "\\" + name if name == "Sigma" else name)
        + r"^\top"
        for name in _MATRICES
    },
    sp.Symbol("dkappa"): r"\partial\kappa",
    sp.Symbol("dlam"): r"\partial\lambda",
    sp.Symbol("Bias"): r"\mathrm{Bias}",
    sp.Symbol("E_clean"): r"E_{\mathrm{clean}}",
    sp.Symbol("E_test"): r"E_{\mathrm{test}}",
    sp.Symbol("Delta_Bias"): r"\Delta\mathrm{Bias}",
    sp.Symbol("lambda_i"): r"\lambda_i",
    sp.Symbol("ell_star"): r"\ell_\star",
    sp.Symbol("ell_crit"): r"\ell_{\mathrm{crit}}",
}

_RELATIONS = {
    ">>": r"\gg",
    ">=": r"\geq",
    "<=": r"\leq",
    "->": r"\to",
    "~": r"\simeq",
    "=": "=",
    "<": "<",
    ">": ">",
}
_RELATION = re.compile("|".join(re.escape(r) for r in _RELATIONS))
_MATHS = re.compile(r"\$([^$]*)\$")


class _AsWritten(LatexPrinter):
    """SymPy's LaTeX printer on an unevaluated expression, keeping it as written: a product
    prints its factors in order, and a quotient ``a/b`` as its own fraction (SymPy's parser
    flattens ``a*b/c*d`` into the factors ``a, b, 1/c, d``: each reciprocal divides the factor
    just before it), not as one fraction of everything."""

    def _print_Mul(self, expr):
        if len(expr.args) == 2 and expr.args[0] == -1:
            return "- " + self.parenthesize(expr.args[1], PRECEDENCE["Mul"])  # "-x"
        out: list[str] = []
        for a in expr.args:
            if _is_reciprocal(a):
                top = out.pop() if out else "1"
                out.append(rf"\frac{{{top}}}{{{self._print(a.base)}}}")
            elif a == 1:
                out.append("1")
            elif isinstance(a, sp.Add):
                out.append(rf"\left({self._print(a)}\right)")
            else:
                out.append(self._print(a))
        return " ".join(out)


def _is_reciprocal(a) -> bool:
    return isinstance(a, sp.Pow) and a.exp == -1 and a.base.is_commutative is not False


def _side(src: str):
    src = re.sub(r"\b([A-Za-z]\w*)'", r"\1__T", src.replace("...", " dots "))
    return parse_expr(src, local_dict=dict(_LOCALS), evaluate=False)


@cache
def _maths_latex(src: str) -> str:
    """One maths piece: expressions joined by relations, each parsed and printed as written."""
    parts = _split_relations(src)
    printer = _AsWritten({"symbol_names": _NAMES, "order": "none"})
    out = []
    for i, part in enumerate(parts):
        out.append(_RELATIONS[part] if i % 2 else printer.doprint(_side(part)))
    return " ".join(out)


def _split_relations(src: str) -> list[str]:
    """``src`` cut at its relations outside brackets: ``[expr, rel, expr, rel, expr, ...]``."""
    out, depth, start, i = [], 0, 0, 0
    while i < len(src):
        c = src[i]
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif depth == 0:
            m = _RELATION.match(src, i)
            if m and not (m.group() == "-" or src[i - 1 : i] == "*"):
                out += [src[start:i].strip(), m.group()]
                i = start = m.end()
                continue
        i += 1
    out.append(src[start:].strip())
    if any(not p for p in out[::2]):
        raise ValueError(f"a relation without an operand in {src!r}")
    return out


def statement_pieces(statement: str) -> list[tuple[str, str | None]]:
    """``statement`` as ``(text, latex)`` pieces, in order: words have ``latex`` ``None``; a
    maths piece has its plain text (the source between the dollar signs) and its LaTeX (without
    dollar signs).  Raises ``ValueError`` if a maths piece does not parse."""
    out: list[tuple[str, str | None]] = []
    pos = 0
    for m in _MATHS.finditer(statement):
        if m.start() > pos:
            out.append((statement[pos : m.start()], None))
        try:
            out.append((m.group(1), _maths_latex(m.group(1))))
        except (SyntaxError, TypeError, ValueError, TokenError, sp.SympifyError) as exc:
            raise ValueError(f"cannot typeset ${m.group(1)}$: {exc}") from exc
        pos = m.end()
    if pos < len(statement):
        out.append((statement[pos:], None))
    if "$" in "".join(t for t, tex in out if tex is None):
        raise ValueError(f"unbalanced dollar sign in {statement!r}")
    return out


def statement_text(statement: str) -> str:
    """``statement`` as plain text: the dollar signs dropped."""
    return "".join(text for text, _ in statement_pieces(statement))


def statement_latex(statement: str) -> str:
    """``statement`` as LaTeX: the maths typeset (``$...$``), the words as they are (not
    escaped; :mod:`symcollapse.presentation.export` escapes them)."""
    return "".join(text if tex is None else f"${tex}$" for text, tex in statement_pieces(statement))


_ERRATA = (
    Erratum(
        "B2",
        "introduction, eq. (1) (the collapse term)",
        "$E_test = E_clean + Delta_Bias + n*sigma0*rho$",
        "$E_test = E_clean + Delta_Bias + n*sigma0**2*rho$ (the generators' noise variance, "
        "not its standard deviation)",
        "symbolic: Corollary 4.4's test error minus Proposition 4.2's bias and variance is "
        "n sigma0^2 rho (T0 >= d, so Delta Bias = 0), not n sigma0 rho",
        "tests/test_symbolic.py::test_intro_eq_1_collapse_term_is_n_sigma0_squared_rho_B2",
    ),
    Erratum(
        "B3",
        "remark after Theorem 4.1 (null predictor)",
        "$n >> SNR0/(1/phi0 - 1)$",
        "$n >> SNR0*(1/phi0 - 1)$",
        "symbolic: solving n sigma0^2 phi0/(1 - phi0) = ||w0||^2 for n",
        "tests/test_overparameterized.py::test_null_predictor_threshold_formula_and_erratum_B3",
    ),
    Erratum(
        "B4",
        "Corollary 4.4 (special case)",
        "Theorem 4.1 is the case $lam = 0$, $phi >= 1$",
        "$lam -> 0$ with $phi < 1$ ($kappa -> 0$)",
        "symbolic: kappa(0+, phi) = max(phi - 1, 0); the limit reproduces Theorem 4.1 only for phi < 1",
        "tests/test_symbolic.py::test_ridgeless_limit_of_ridge_reproduces_theorem_4_1_isotropic",
    ),
    Erratum(
        "B5",
        "Appendix F.5, the display for the isotropic rho of Corollary 4.4",
        "$(1 - 1/phi0)*rho ~ 1/(1 + kappa)**2 + phi*kappa**2/((1 + kappa)**2*((1 + kappa)**2 - phi))$",
        "$(1/phi0 - 1)*rho ~ 1/(1 + kappa)**2 + phi*kappa**2/((1 + kappa)**2*((1 + kappa)**2 - phi))$",
        "symbolic: the derived isotropic rho (eq. 19 with Sigma = I) times 1/phi0 - 1 is the "
        "bracket; the printed factor 1 - 1/phi0 < 0 would make rho negative",
        "tests/test_symbolic.py::test_F5_display_isotropic_rho_factor_B5",
    ),
    Erratum(
        "B6",
        "Proposition F.6, 'in particular, if T0 >= d'",
        "$df2(kappa)/(T - df2(kappa))*(1 + kappa**2*tr((Sigma + kappa)**-2)/(T0 - df2(kappa0)))$",
        "eq. (19): $df2(kappa)/(T0 - d)*(1 + kappa**2*tr((Sigma + kappa)**-2)/(T - df2(kappa)))$",
        "numeric: d=100, T0=200, T=300, lam=0.1, Sigma=I gives 0.773 (eq. 19) against 0.349 "
        "(printed); Monte-Carlo agrees with eq. (19)",
        "tests/test_symbolic.py::test_printed_F6_special_case_contradicts_19",
    ),
    Erratum(
        "B7",
        "eq. (64), omniscient-risk form of the bias",
        "$Bias = w0'*Sigma*(Sigma + kappa)**-2*w0*dkappa/dlam$",
        "$Bias = kappa**2*w0'*Sigma*(Sigma + kappa)**-2*w0*dkappa/dlam$",
        "symbolic: the derived Proposition 4.2 bias equals the corrected form, not the printed",
        "tests/test_symbolic.py::test_omniscient_risk_form_eq_64_with_kappa_squared",
    ),
    Erratum(
        "B8",
        "Corollary 5.2, the hypothesis of eq. (28)",
        "hypothesis $n ~ T**b$",
        "hypothesis $n*sigma0**2 ~ T**a$ with $T0 ~ T**b$, $0 <= a < b$; then eq. (28), "
        "$ell_star = Min(beta, (b - a)*ell_crit)$, holds (for $b <= 1$)",
        "symbolic: read literally (sigma0 fixed, so n sigma0^2 ~ T^b and a = b) the derived "
        "ell_star is 0 and the error does not decay, where (28) promises min(beta, b ell_crit) "
        "> 0; with n sigma0^2 ~ T^a the derivation gives (28) exactly (rational points)",
        "tests/test_scaling.py::test_B8_hypothesis_of_corollary_5_2_is_n_sigma0_squared_T_a",
    ),
    Erratum(
        "F.8",
        "Lemma F.8 (anisotropic bias increase, independent designs, n >= 2)",
        "$u'*Q'*Sigma*Q*v ~ u'*Sigma**n*prod(A_m, m)*v$",
        "the peeling recursion $E(Q'*M*Q) = Phi(0, ...*Phi(n - 1, M))$, one deterministic "
        "equivalent per generator (docs/theory.md)",
        "Monte-Carlo: d=160, T0=80, n=3, beta=2, r=0.5: printed F.8 gives a negative Delta "
        "bias (z ~ -3e4); with its power of Sigma fixed it still misses by +84 % at beta=3, "
        "r=0.1 (z ~ +80); predict is within 1 standard error",
        "tests/test_chain_vs_simulation.py::test_lemma_f8_as_printed_disagrees_with_simulation",
    ),
    Erratum(
        "B9",
        "Corollary 5.2, eq. (29) (the classical ridge lam ~ T^-ell_crit on collapsed data)",
        "the error diverges if $b >= a + 1 - c$",
        "the error diverges if and only if $b < a + 1 - c$ (the collapse term is of order "
        "$T**(1 + a - b - c)$)",
        "symbolic: at ell = ell_crit the derived collapse term decays at rate c + b - a - 1, "
        "so it grows exactly when b < a + 1 - c (checked at rational points)",
        "tests/test_scaling.py::test_eq_29_classical_ell_and_the_corrected_sign_B9",
    ),
    Erratum(
        "B13",
        "Appendix H.2 (the bias step of the proof of Theorem 5.1)",
        "$Bias ~ kappa**(-gamma)$, with the summand "
        "$lambda_i**(1 + delta/beta)/(lambda_i + lambda_i/kappa)**2$",
        "$Bias ~ kappa**gamma$, $gamma = 2*Min(1, r)$, with the summand "
        "$lambda_i**(1 + delta/beta)/(1 + lambda_i/kappa)**2$",
        "symbolic: Lemma I.1 gives kappa^2 w0' Sigma (Sigma + kappa)^-2 w0 ~ kappa^(2 min(1, r)) "
        "(the bias vanishes as kappa -> 0); kappa^2 c_i^2 lambda_i/(lambda_i + kappa)^2 with "
        "c_i^2 = lambda_i^(delta/beta) is the corrected summand, not the printed one",
        "tests/test_power_law_asymptotics.py::test_H2_bias_is_kappa_to_the_gamma_B13",
    ),
    Erratum(
        "B16",
        "Appendix G, the condition for consistency (sigma^2 fixed, test error -> 0)",
        "consistent only if $ell <= ell_star$",
        "consistent if and only if $ell < beta*(b - a)$, a weaker condition ($ell_star < beta*(b - a)$)",
        "symbolic: the derived error exponent (Theorem 5.1, sigma^2 fixed) is positive exactly "
        "when ell < beta (b - a); e.g. beta = 2, r = 3/8, a = 1/5, b = 9/10: an ell between "
        "ell_star and beta (b - a) is consistent",
        "tests/test_scaling.py::test_B16_collapse_vanishes_iff_ell_below_beta_times_b_minus_a",
    ),
    Erratum(
        "B20",
        "remark after Theorem 4.1 (more data per generation)",
        "$(1 + 1/(2*log(2)**2) + 1/(3*log(3)**2) + ...)*E_clean$",
        "a constant factor $1 + Sum(1/(m*log(m)**2), (m, 2, oo)) = 3.1097428*...$, in the "
        "low-dimensional limit with $T = T0$ and $sigma = sigma0$; the $m = 1$ term is "
        "undefined",
        "numeric: Euler-Maclaurin tail (SymPy's evalf gives 3.1082 and mpmath's default nsum "
        "2.94 for this slowly converging series); predict with the schedule reproduces the "
        "partial sums",
        "tests/test_overparameterized.py::test_more_data_remark_with_a_schedule",
    ),
)


def errata() -> list[Erratum]:
    """The corrections, in the order of their labels.

    >>> import symcollapse as sc
    >>> [e.label for e in sc.errata()][:3]
    ['B2', 'B3', 'B4']
    """
    return list(_ERRATA)
