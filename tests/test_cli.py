"""The command line (run as ``python -m symcollapse`` in a subprocess) and the exporters."""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sympy as sp

import symcollapse as sc
from symcollapse.presentation import export
from symcollapse.symbolic.formula import Condition, Formula

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env.pop("SYMCOLLAPSE_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "symcollapse", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def assert_one_line_error(proc: subprocess.CompletedProcess) -> None:
    assert proc.returncode == 2, proc
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("symcollapse: error: ")


# ---------------------------------------------------------------------------------- commands
def test_list():
    proc = run("list")
    assert proc.returncode == 0, proc.stderr
    for name in sc.formulas():
        assert name in proc.stdout
    assert "theorem_4_1_exact" in proc.stdout
    assert "regime:" in proc.stdout


def test_show_latex():
    proc = run("show", "theorem_4_1_exact", "--latex")
    assert proc.returncode == 0, proc.stderr
    assert "T_0 - d - 1" in proc.stdout
    assert r"\label{eq:theorem_4_1_exact}" in proc.stdout
    assert r"\documentclass" not in proc.stdout  # a fragment


def test_show_markdown_and_text():
    md = run("show", "theorem_4_1", "--markdown")
    assert md.returncode == 0, md.stderr
    assert "$$" in md.stdout and "`theorem_4_1`" in md.stdout
    txt = run("show", "theorem_4_1_exact")
    assert txt.returncode == 0, txt.stderr
    assert "d*n*sigma0**2/(T0 - d - 1)" in txt.stdout
    assert "T >= d + 2" in txt.stdout


def test_show_unknown_name():
    proc = run("show", "nosuch")
    assert_one_line_error(proc)
    assert "nosuch" in proc.stderr
    assert proc.stdout == ""


@pytest.mark.parametrize(
    "args",
    [
        ("report", "--seed", "abc"),
        ("report", "--seed", "-1"),
        ("show", "theorem_4_1", "--latex", "--markdown"),
        ("nosuchcommand",),
        (),
    ],
)
def test_bad_arguments(args):
    assert_one_line_error(run(*args))


@pytest.mark.parametrize("command", ["report", "list", "show", "eval", "predict", "simulate"])
def test_help_has_example(command):
    proc = run(command, "--help")
    assert proc.returncode == 0, proc.stderr
    assert "example:" in proc.stdout
    assert f"symcollapse {command}" in proc.stdout


def test_top_level_help_and_version():
    proc = run("--help")
    assert proc.returncode == 0 and "example:" in proc.stdout
    proc = run("--version")
    assert proc.returncode == 0 and sc.__version__ in proc.stdout


@pytest.fixture(scope="module")
def quick_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    proc = run("report", "--quick", "--out", str(out), "--seed", "3")
    return out, proc


def test_report_quick(quick_report):
    out, proc = quick_report
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # not a terminal: no progress bar
    names = [
        "report.tex",
        "report.md",
        "agreement.csv",
        "figure_1a.png",
        "figure_1b.png",
        "figure_2.png",
        "kernel_chain.png",  # scikit-learn: the test extra
        "accumulate.png",
        "fresh_real_mix.png",
        "strong_collapse.png",
    ]
    if shutil.which("pdflatex"):
        names.append("report.pdf")
    for name in names:
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
        assert str(out / name) in proc.stdout
    assert "max |z|" in proc.stdout
    md = (out / "report.md").read_text()
    tex = (out / "report.tex").read_text()
    for name in sc.formulas():
        assert name in md
    for fig in (
        "figure_1a",
        "figure_1b",
        "figure_2",
        "kernel_chain",
        "accumulate",
        "fresh_real_mix",
        "strong_collapse",
    ):
        assert f"]({fig}.png)" in md  # embedded
        assert f"\\includegraphics[width=\\textwidth]{{{fig}.png}}" in tex
    for e in sc.errata():  # the errata table
        assert e.label in md
    assert "seed 3" in md and "seed 3" in tex
    assert "Derivation" in md  # derivation summaries
    with (out / "agreement.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 30
    assert {r["figure"] for r in rows} == {
        "figure_1a",
        "figure_1b",
        "figure_2",
        "kernel_chain",
        "accumulate",
        "fresh_real_mix",
        "strong_collapse",
    }
    assert "three effects the least-squares theory lacks" in md  # the kernel-chain findings
    assert "Corollary 5.2" in md and "Gaussian-feature simulation" in md
    for row in rows:
        assert float(row["mc_stderr"]) > 0
        z = (float(row["theory"]) - float(row["mc_mean"])) / float(row["mc_stderr"])
        assert z == pytest.approx(float(row["z"]), abs=1e-3)


def test_write_report_api(tmp_path):
    from symcollapse.presentation.report import write_report

    with pytest.raises(ValueError, match="seed"):
        write_report(tmp_path / "x", seed=-1)
    assert not (tmp_path / "x").exists()


# ---------------------------------------------------------------------------------- exporters
def _awkward_formula() -> Formula:
    x = sc.symbols
    return Formula(
        name="my_formula_2",
        title="Odd_title with 50% & #1 $5 ~ ^ {braces} <a|b> \\ ≥ κ",
        lhs=r"E_{test}",
        expr=x.d * x.sigma**2 / (x.T - x.d - 1),
        reference="my_notes.pdf, eq. (1_a)",
        regime=(
            Condition(sp.Ge(x.T, x.d + 2), "T >= d + 2 (finite mean)"),
            Condition(sp.true, "always_true"),
        ),
        exact=True,
        notes="under_scores & 100% ^_^",
    )


def test_export_accepts_names_and_objects():
    by_name = export.latex(["theorem_4_1_exact"], standalone=False)
    by_object = export.latex([sc.formula("theorem_4_1_exact")], standalone=False)
    assert by_name == by_object
    assert export.latex("theorem_4_1", standalone=False) == export.latex(
        [sc.formula("theorem_4_1")], standalone=False
    )
    with pytest.raises(KeyError, match="nosuch"):
        export.markdown(["nosuch"])


def test_export_structure():
    doc = export.latex(sc.formulas())
    assert doc.startswith(r"\documentclass")
    assert r"\usepackage{amsmath}" in doc and r"\usepackage{amssymb}" in doc
    assert doc.rstrip().endswith(r"\end{document}")
    assert doc.count(r"\begin{equation}") + doc.count(r"\begin{multline}") >= len(sc.formulas())
    flat = doc.replace(export._BREAK, "")  # long names may break after "_"
    for name in sc.formulas():
        assert f"\\label{{eq:{name}}}" in doc
        assert f"\\texttt{{{name.replace('_', chr(92) + '_')}}}" in flat
        assert export.display_latex(sc.formula(name).latex(), f"eq:{name}") in doc
    for code in ("T0", "sigma0", "kappa0", "phi0", "df\\_m", "rho"):  # the notation table
        assert f"\\texttt{{{code}}}" in doc
    md = export.markdown(sc.formulas())
    assert md.count("$$") >= 2 * len(sc.formulas())
    assert "\\documentclass" not in md
    txt = export.text(sc.formulas())
    assert "theorem_4_1_exact" in txt and "\\frac" not in txt and "$$" not in txt


def test_export_escapes_text_mode():
    doc = export.latex([_awkward_formula()], standalone=False)
    assert r"Odd\_title with 50\% \& \#1 \$5" in doc
    assert r"\texttt{my\_formula\_2}" in doc
    assert r"under\_scores \& 100\% \textasciicircum{}\_\textasciicircum{}" in doc
    assert r"\label{eq:my_formula_2}" in doc
    assert "(finite mean)" in doc and "always\\_true" in doc
    md = export.markdown([_awkward_formula()])
    assert r"under\_scores" in md and "`my_formula_2`" in md


def test_repr_latex_and_markdown():
    f = sc.formula("theorem_4_1_exact")
    out = f._repr_latex_()
    assert isinstance(out, str) and out.startswith("$$") and out.rstrip().endswith("$$")
    assert f.latex() in out
    md = f._repr_markdown_()
    assert f.latex() in md and "`theorem_4_1_exact`" in md and "T \\geq d + 2" in md
    assert md == export.jupyter(f, "markdown")  # one formatter for every display
    with pytest.raises(ValueError, match="style"):
        export.jupyter(f, "html")


def test_export_figure_and_long_table_blocks():
    blocks = [
        export.Figure("fig_a.png", "A caption_with 50%", label="fig:a"),
        export.Table(header=("a", "b"), rows=((("1",), ("2",)),), long=True, caption="T"),
    ]
    tex = export.render(blocks, "latex", standalone=False)
    assert r"\includegraphics[width=\textwidth]{fig_a.png}" in tex
    assert r"A caption\_with 50\%" in tex and r"\label{fig:a}" in tex
    assert r"\begin{longtable}{ll}" in tex and r"\endhead" in tex
    md = export.render(blocks, "markdown")
    assert "![A caption\\_with 50%](fig_a.png)" in md
    assert "[figure: fig_a.png]" in export.render(blocks, "text")


def _pdflatex(tex: str, directory: Path, name: str = "doc") -> None:
    engine = shutil.which("pdflatex")
    if engine is None:
        pytest.skip("no TeX engine: pdflatex not found")
    (directory / f"{name}.tex").write_text(tex, encoding="utf-8")
    proc = subprocess.run(
        [engine, "-interaction=nonstopmode", "-halt-on-error", f"{name}.tex"],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=180,
    )
    log = (
        (directory / f"{name}.log").read_text(errors="replace")
        if (directory / f"{name}.log").exists()
        else proc.stdout
    )
    assert proc.returncode == 0, log[-3000:]
    assert (directory / f"{name}.pdf").stat().st_size > 0


def test_latex_compiles(tmp_path):
    formulas = [sc.formula(n) for n in sc.formulas()] + [_awkward_formula()]
    _pdflatex(export.latex(formulas, title="symcollapse_catalogue & 100%"), tmp_path)


def test_report_pdf(quick_report):
    """The report's own PDF: written by `symcollapse report` when pdflatex is installed."""
    if shutil.which("pdflatex") is None:
        pytest.skip(
            "no TeX engine: pdflatex not found (.ci/run installs texlive-latex-base; "
            "without it the report has the .tex and .md only)"
        )
    out, proc = quick_report
    assert proc.returncode == 0, proc.stderr
    pdf = (out / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 100_000
    log = (out / "report.log").read_text(errors="replace")
    assert "figure_1a.png" in log and "figure_2.png" in log  # the figures went in


#: an overfull \hbox up to this wide (points) is invisible in print; anything wider sticks out
MAX_OVERFULL_PT = 5.0
_OVERFULL = re.compile(r"^Overfull \\([hv])box \((\d+(?:\.\d+)?)pt too (?:wide|high)\)(.*)$", re.MULTILINE)


def overfull_boxes(log: str, limit: float = MAX_OVERFULL_PT) -> list[str]:
    """Every ``Overfull \\hbox`` wider than ``limit`` points and every ``Overfull \\vbox`` of a
    TeX log, each with where it is and the next line of the log (the material that sticks out)."""
    out = []
    lines = log.splitlines()
    for i, line in enumerate(lines):
        m = _OVERFULL.match(line)
        if m and (m.group(1) == "v" or float(m.group(2)) > limit):
            after = lines[i + 1].strip() if i + 1 < len(lines) else ""
            out.append(f"{line.strip()}: {after[:120]}")
    return out


def test_overfull_boxes_reads_a_tex_log():
    log = (
        "Overfull \\hbox (36.0651pt too wide) in alignment at lines 72--77\n [] [] []\n"
        "Overfull \\hbox (4.9pt too wide) in paragraph at lines 9--9\n\\T1/cmr a\n"
        "Overfull \\hbox (98.70981pt too wide) in paragraph at lines 798--799\n"
        "[]\\T1/cmr/m/n/10.95 The paper prints\n"
        "Overfull \\vbox (1.5pt too high) has occurred while \\output is active\n"
        "Underfull \\hbox (badness 10000) in paragraph at lines 1--1\n"
    )
    found = overfull_boxes(log)
    assert len(found) == 3
    assert "36.0651pt" in found[0] and "lines 72--77" in found[0]
    assert "The paper prints" in found[1] and "vbox" in found[2]


def test_report_fits_the_page(quick_report):
    """No line of the compiled report sticks out of the page: no overfull \\hbox wider than
    MAX_OVERFULL_PT, no overfull \\vbox (read from the report's own pdflatex log)."""
    if shutil.which("pdflatex") is None:
        pytest.skip("no TeX engine: pdflatex not found, so there is no report.log to read")
    out, proc = quick_report
    assert proc.returncode == 0, proc.stderr
    bad = overfull_boxes((out / "report.log").read_text(errors="replace"))
    assert not bad, f"{len(bad)} overfull boxes in {out / 'report.log'} (source: report.tex):\n" + "\n".join(
        bad
    )


def test_latex_fragment_compiles_when_input(tmp_path):
    """A fragment (standalone=False) goes into a user's paper with \\input; it needs amsmath (and
    graphicx for a display line too wide to break)."""
    frag = export.latex(["theorem_4_1_exact", "rho_general", "corollary_4_4_isotropic"], standalone=False)
    assert r"\documentclass" not in frag and r"\begin{document}" not in frag
    (tmp_path / "frag.tex").write_text(frag, encoding="utf-8")
    main = (
        "\\documentclass{article}\n\\usepackage{amsmath}\n\\usepackage{amssymb}\n"
        "\\usepackage{graphicx}\n"
        "\\begin{document}\nAs in (\\ref{eq:theorem_4_1_exact}):\n\\input{frag}\n"
        "\\end{document}\n"
    )
    _pdflatex(main, tmp_path, "paper")


def test_long_display_maths_is_broken_to_fit_the_page():
    """Long equations become a multline broken at top-level + and - (a lone fraction is unfolded
    as 1/D (N) first); a line that still cannot be broken is scaled to the text width."""
    short = export.display_latex(r"E = a + b", "eq:s")
    assert short.startswith("\\begin{equation}") and "\\label{eq:s}" in short
    f = sc.formula("ridge_generator_one")  # 3000 characters of LaTeX: one fraction
    long = export.display_latex(f.latex(), "eq:r")
    assert long.startswith("\\begin{multline}") and long.count("\\\\\n") >= 5
    assert "\\frac{1}{" in long and "\\Bigl(" in long and "\\Bigr)" in long
    for line in long.split("\\\\\n"):
        assert line.count("\\left") == line.count("\\right")  # delimiters stay balanced
        assert line.count("{") == line.count("}")
    wide = export.display_latex("x = " + r"\frac{a}{b}" * 200)  # nothing to break at
    assert "\\resizebox{\\linewidth}{!}" in wide
