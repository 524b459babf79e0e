"""LaTeX that fits the page, and the errata typeset as maths from their one source.

The compiled report itself is checked in tests/test_cli.py (``test_report_fits_the_page`` reads
the log of the quick report that file already writes); these are the fast pieces behind it.
"""

from __future__ import annotations

import pytest

import symcollapse as sc
from symcollapse.presentation import export, report
from symcollapse.symbolic.errata import statement_latex, statement_pieces, statement_text


@pytest.mark.parametrize("e", sc.errata(), ids=lambda e: e.label)
def test_every_erratum_typesets(e):
    for field in ("printed", "corrected"):
        pieces = e.pieces(field)
        assert any(tex for _, tex in pieces), f"{e.label} {field}: no maths"
        assert statement_text(getattr(e, field)) == "".join(t for t, _ in pieces)
        assert "$" not in statement_text(getattr(e, field))
        for text, tex in pieces:
            if tex is not None:
                assert tex.count("{") == tex.count("}") and "$" not in tex, (text, tex)


def test_statements_are_printed_as_written():
    """The paper's form, not an equivalent one: factors keep their order, a quotient stays."""
    assert statement_latex("$n >> SNR0/(1/phi0 - 1)$") == (
        r"$n \gg \frac{\mathrm{SNR}_0}{\frac{1}{\phi_0} - 1}$"
    )
    assert statement_latex("$n >> SNR0*(1/phi0 - 1)$") == (
        r"$n \gg \mathrm{SNR}_0 \left(\frac{1}{\phi_0} - 1\right)$"
    )
    assert statement_latex("$w0'*Sigma*(Sigma + kappa)**-2*w0$") == (
        r"$w_0^\top \Sigma \left(\Sigma + \kappa\right)^{-2} w_0$"
    )
    assert statement_latex("with $lam -> 0$ and $x ~ y$") == (r"with $\lambda \to 0$ and $x \simeq y$")
    assert statement_pieces("words only") == [("words only", None)]


@pytest.mark.parametrize("bad", ["$n >> $", "$(a$", "one $dollar"])
def test_a_statement_that_does_not_parse_is_an_error(bad):
    with pytest.raises(ValueError):
        statement_pieces(bad)


def test_errata_table_is_typeset_maths():
    tex = export.render(report._errata_blocks(), "latex", standalone=False)
    for e in sc.errata():
        for field in ("printed", "corrected"):
            for _, maths in e.pieces(field):
                if maths is not None:
                    assert f"${maths}$" in tex
    assert r"\texttt" not in tex
    assert r"\multicolumn{4}" in tex and r"\emph{Evidence:}" in tex  # evidence under the row
    md = export.render(report._errata_blocks(), "markdown")
    assert "| Evidence |" in md.replace("  ", " ")  # a column in Markdown


def test_long_tokens_may_break_short_ones_do_not():
    tex = export.render([export.Paragraph(("use sc.null_predictor_generations, e.g. T0=200",))], "latex")
    assert r"sc.\hskip0pt" in tex and r"null\_\hskip0pt" in tex
    assert "e.g. T0=200" in tex
    assert r"\texttt{ab\_c}" in export.render([export.Paragraph((export.Code("ab_c"),))], "latex")


def test_display_maths_is_not_broken_inside_brackets():
    tex = "E = " + " + ".join(rf"a_{{{i}}} w^\top\Sigma(\Sigma+\kappa_0 I)^{{-2}}w" for i in range(9))
    out = export.display_latex(tex)
    assert out.startswith(r"\begin{multline*}")
    for line in out.split("\\\\\n"):
        assert line.count("(") == line.count(")"), line


def test_scaled_multline_lines_leave_the_multline_gap():
    f = sc.formula("ridge_generator_chain_isotropic")
    out = export.display_latex(f.latex(), "eq:x")
    assert r"\resizebox{\dimexpr\linewidth-\multlinegap\relax}" in out
