"""The paper's printed statements that symcollapse corrects, with the evidence for each.

Every entry names the test that shows the printed form disagreeing (with the derivation or with
the Monte-Carlo simulation) and the corrected form agreeing.  ``label`` is the label of the
erratum in our list (B3, B4, ...; ``F.8`` names the lemma).  The labels are stable; the list keeps
only the corrections that change a formula the toolkit computes, so it skips numbers.
``docs/errata.md`` is generated from :func:`errata`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Erratum", "errata"]


@dataclass(frozen=True)
class Erratum:
    """One correction: where, as printed, as corrected, and the evidence (with its test)."""

    label: str
    where: str
    printed: str
    corrected: str
    evidence: str
    test: str


_ERRATA = (
    Erratum("B3", "remark after Theorem 4.1 (null predictor)", "n >> SNR0/(1/phi0 - 1)",
            "n >> SNR0 (1/phi0 - 1)",
            "symbolic: solving n sigma0^2 phi0/(1 - phi0) = ||w0||^2 for n",
            "tests/test_overparameterized.py::test_null_predictor_threshold_formula_and_erratum_B3"),
    Erratum("B4", "Corollary 4.4 (special case)", "Theorem 4.1 is the case lam = 0, phi >= 1",
            "lam -> 0 with phi < 1 (kappa -> 0)",
            "symbolic: kappa(0+, phi) = max(phi - 1, 0); the limit reproduces Theorem 4.1 only "
            "for phi < 1",
            "tests/test_symbolic.py::test_ridgeless_limit_of_ridge_reproduces_theorem_4_1_isotropic"),
    Erratum("B6", "Proposition F.6, 'in particular, if T0 >= d'",
            "df2/(T - df2) (1 + kappa^2 tr(Sigma+kappa)^-2/(T0 - df2(kappa0)))",
            "eq. (19): df2/(T0 - d) (1 + kappa^2 tr(Sigma+kappa)^-2/(T - df2))",
            "numeric: d=100, T0=200, T=300, lam=0.1, Sigma=I gives 0.773 (eq. 19) against 0.349 "
            "(printed); Monte-Carlo agrees with eq. (19)",
            "tests/test_symbolic.py::test_printed_F6_special_case_contradicts_19"),
    Erratum("B7", "eq. (64), omniscient-risk form of the bias",
            "Bias = w0' Sigma (Sigma+kappa)^-2 w0 dkappa/dlam",
            "Bias = kappa^2 w0' Sigma (Sigma+kappa)^-2 w0 dkappa/dlam",
            "symbolic: the derived Proposition 4.2 bias equals the corrected form, not the printed",
            "tests/test_symbolic.py::test_omniscient_risk_form_eq_64_with_kappa_squared"),
    Erratum("F.8", "Lemma F.8 (anisotropic bias increase, independent designs, n >= 2)",
            "u'Q'Sigma Q v ~ u' Sigma^n prod_m A_m v",
            "the peeling recursion E[Q'MQ] = Phi_0(...Phi_{n-1}(M)), one deterministic "
            "equivalent per generator (docs/theory.md)",
            "Monte-Carlo: d=160, T0=80, n=3, beta=2, r=0.5: printed F.8 gives a negative Delta "
            "bias (z ~ -3e4); with its power of Sigma fixed it still misses by +84 % at beta=3, "
            "r=0.1 (z ~ +80); predict is within 1 standard error",
            "tests/test_chain_vs_simulation.py"),
    Erratum("B20", "remark after Theorem 4.1 (more data per generation)",
            "(1 + 1/(2 log^2 2) + 1/(3 log^2 3) + ...) E_clean",
            "a constant factor 1 + sum_{m>=2} 1/(m ln^2 m) = 3.1097428..., in the low-dimensional "
            "limit with T = T0 and sigma = sigma0; the m = 1 term is undefined",
            "numeric: Euler-Maclaurin tail (SymPy's evalf gives 3.1082 and mpmath's default nsum "
            "2.94 for this slowly converging series); predict with the schedule reproduces the "
            "partial sums",
            "tests/test_overparameterized.py::test_more_data_remark_with_a_schedule"),
)


def errata() -> list[Erratum]:
    """The corrections, in the order of their labels.

    >>> import symcollapse as sc
    >>> [e.label for e in sc.errata()][:2]
    ['B3', 'B4']
    """
    return list(_ERRATA)
