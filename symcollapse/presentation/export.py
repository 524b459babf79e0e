r"""Export the catalogue as LaTeX, Markdown or plain text, from one formatter.

Every display of a formula goes through :func:`render`: the formulas are first turned into a
small list of *blocks* (headings, paragraphs, display equations, tables, field lists,
derivation steps), and :func:`render` writes those blocks in one ``style`` (``"latex"``,
``"markdown"`` or ``"text"``).  :func:`latex`, :func:`markdown` and :func:`text` are thin
wrappers, so the three displays always carry the same content.  The maths itself always
comes from :meth:`Formula.latex <symcollapse.symbolic.formula.Formula.latex>` and
:meth:`Condition.latex <symcollapse.symbolic.formula.Condition.latex>`: nothing here re-typesets an
expression.

>>> import symcollapse as sc
>>> from symcollapse import export
>>> doc = export.latex(["theorem_4_1_exact"])
>>> r"\label{eq:theorem_4_1_exact}" in doc and doc.startswith(r"\documentclass")
True
>>> "$$" in export.markdown([sc.formula("theorem_4_1")])
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sympy as sp

from symcollapse import _hooks
from symcollapse.symbolic.catalogue import formula as _lookup
from symcollapse.symbolic.formula import Formula, Step, print_order
from symcollapse.symbolic.functionals import display_form

__all__ = [
    "latex",
    "markdown",
    "text",
    "render",
    "jupyter",
    "blocks",
    "escape_latex",
    "escape_markdown",
    "Heading",
    "Paragraph",
    "Math",
    "Code",
    "DisplayMath",
    "Table",
    "Fields",
    "Steps",
    "Figure",
    "STYLES",
]

STYLES = ("latex", "markdown", "text")

# ---------------------------------------------------------------------------------- blocks
# Inline parts: ``str`` (plain text, escaped on output), :class:`Math`, :class:`Code`.


@dataclass(frozen=True)
class Math:
    """Inline maths: ``latex`` for LaTeX/Markdown, ``text`` for plain text.

    ``gloss`` (plain text) is appended in parentheses after the maths in LaTeX and Markdown
    (plain text shows ``text`` only, which should already say it).
    """

    latex: str
    text: str
    gloss: str | None = None


@dataclass(frozen=True)
class Code:
    """An identifier (a formula or parameter name), shown in monospace."""

    text: str


Part = str | Math | Code


@dataclass(frozen=True)
class Heading:
    level: int  # 1 = section, 2 = subsection
    parts: tuple[Part, ...]
    label: str | None = None


@dataclass(frozen=True)
class Paragraph:
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class DisplayMath:
    latex: str
    text: str
    label: str | None = None


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[tuple[Part, ...], ...], ...]
    align: str = ""  # LaTeX column spec (e.g. "lrr" or "llp{8cm}"); "l" by default
    caption: str | None = None
    long: bool = False  # LaTeX: a longtable that breaks across pages, not a float
    #: LaTeX: set in ``\small`` with narrower column gaps (a wide table of numbers)
    small: bool = False
    #: LaTeX: the index of a column of long text whose cells go on a row of their own under each
    #: row, across the whole table and led by the column's header, so that the other columns get
    #: the width (``align`` then has no entry for it); Markdown and text keep it a column
    below: int | None = None


@dataclass(frozen=True)
class Figure:
    """An image (``path`` relative to the document) with a caption."""

    path: str
    caption: str
    label: str | None = None
    width: str = r"\textwidth"  # LaTeX width of the image


@dataclass(frozen=True)
class Fields:
    """A list of ``(label, parts)`` pairs (a LaTeX ``description``)."""

    items: tuple[tuple[str, tuple[Part, ...]], ...]


@dataclass(frozen=True)
class Steps:
    """Numbered derivation steps: ``(parts, DisplayMath or None)``."""

    title: str
    items: tuple[tuple[tuple[Part, ...], DisplayMath | None], ...]


Block = Heading | Paragraph | DisplayMath | Table | Fields | Steps | Figure


def _parts(*items: Part) -> tuple[Part, ...]:
    return tuple(items)


# ---------------------------------------------------------------------------------- escaping
_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "^": r"\textasciicircum{}",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "%": r"\%",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}
# characters pdflatex cannot typeset in text mode without extra packages
_LATEX_UNICODE = {
    "≥": r"$\geq$",
    "≤": r"$\leq$",
    "≈": r"$\approx$",
    "≃": r"$\simeq$",
    "→": r"$\to$",
    "∞": r"$\infty$",
    "×": r"$\times$",
    "·": r"$\cdot$",
    "−": "-",
    "–": "--",
    "—": "---",
    "’": "'",
    "‘": "`",
    "“": "``",
    "”": "''",
    "…": r"\ldots{}",
    "±": r"$\pm$",
    "√": r"$\surd$",
    "∑": r"$\sum$",
    "‖": r"$\|$",
    "⁻": "-",
    "¹": "1",
    "²": "2",
    "½": "1/2",
    "∈": r"$\in$",
}
_GREEK = "αβγδεζηθικλμνξπρστυφχψωΓΔΘΛΞΠΣΦΨΩ"
_GREEK_NAMES = (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho "
    "sigma tau upsilon phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Phi Psi "
    "Omega"
).split()
_LATEX_UNICODE.update({g: f"$\\{name}$" for g, name in zip(_GREEK, _GREEK_NAMES, strict=True)})


def escape_latex(s: str) -> str:
    """Escape plain text for LaTeX text mode (``_ % & $ # ^ ~ \\ { } < > |`` and common Unicode).

    Characters outside Latin-1 that pdflatex cannot typeset are replaced by ``?``.
    """
    out = []
    for ch in str(s):
        if ch in _LATEX_SPECIAL:
            out.append(_LATEX_SPECIAL[ch])
        elif ch in _LATEX_UNICODE:
            out.append(_LATEX_UNICODE[ch])
        elif ch == "\n":
            out.append(" ")
        elif ord(ch) > 0xFF:
            out.append("?")
        else:
            out.append(ch)
    return "".join(out)


#: Long tokens (identifiers such as ``sc.null_predictor_generations``, ASCII maths such as
#: ``lambda_k**nu/(1``) have no hyphenation point, so TeX cannot break them and they stick out of
#: the right margin.  In text longer than ``_BREAK_CHARS`` characters without a space, a line may
#: break after these characters; shorter words are left alone, so ``e.g.`` or ``T0=200`` never
#: break.  The break point is a glue of no width that can stretch a little (as the url package
#: does): no hyphen is added, as fits an identifier, and a line that ends inside a long token
#: can still be justified, where a bare ``\allowbreak`` often leaves no feasible break.
_BREAK_CHARS = 12
_BREAK_AFTER = "_./=([,*^+"
_BREAK = r"\hskip0pt plus0.15em\relax{}"
_TOKEN = re.compile(r"\S+")


def _breakable_latex(s: str) -> str:
    """:func:`escape_latex` of ``s``, with break points inside its long tokens."""

    def token(m: re.Match) -> str:
        t = m.group()
        if len(t) <= _BREAK_CHARS:
            return escape_latex(t)
        out = []
        for i, ch in enumerate(t):
            out.append(escape_latex(ch))
            nxt = t[i + 1 : i + 2]
            if (
                ch in _BREAK_AFTER
                and nxt
                and nxt not in _BREAK_AFTER + ")]"
                and not (ch in ".," and nxt.isdigit())
                and not (i == 0 and ch in "([")
            ):
                out.append(_BREAK)
        return "".join(out)

    return _TOKEN.sub(token, str(s).replace("\n", " "))


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|$#])")


def escape_markdown(s: str) -> str:
    """Escape plain text for Markdown (emphasis, code, links, HTML, tables, maths)."""
    return _MD_SPECIAL.sub(r"\\\1", str(s).replace("\n", " "))


def _label(s: str) -> str:
    return re.sub(r"[^A-Za-z0-9_:.\-]", "-", s)


def _one_line(s: str) -> str:
    return " ".join(s.split())


# ---------------------------------------------------------------------------------- styles
def _inline(parts: Iterable[Part], style: str) -> str:
    out = []
    for p in parts:
        if isinstance(p, Math):
            if style == "text":
                out.append(p.text)
                continue
            body = _one_line(p.latex)
            gloss = "" if p.gloss is None else f" ({_esc(p.gloss, style)})"
            out.append(f"${body}$" + gloss)
        elif isinstance(p, Code):
            if style == "latex":
                out.append(rf"\texttt{{{_breakable_latex(p.text)}}}")
            elif style == "markdown":
                tick = "``" if "`" in p.text else "`"
                out.append(f"{tick}{p.text}{tick}")
            else:
                out.append(p.text)
        else:
            out.append(_esc(p, style))
    return "".join(out)


def _esc(s: str, style: str) -> str:
    if style == "latex":
        return _breakable_latex(s)
    if style == "markdown":
        return escape_markdown(s)
    return s.replace("\n", " ")


#: display maths longer than this (characters of LaTeX source) is broken into lines
_LINE_CHARS = 110
#: a single unbreakable line longer than this is scaled to the text width
_SCALE_CHARS = 170


def _visible_length(tex: str) -> int:
    """A rough width of LaTeX source: commands count as one character, braces as none."""
    return len(
        re.sub(r"\\(left|right|mathrm|operatorname|frac|cdot)\b|[{}]", "", re.sub(r"\\[a-zA-Z]+", "x", tex))
    )


def _top_level_breaks(tex: str) -> list[int]:
    """Indices of ``+`` and ``-`` at brace depth 0 outside ``\\left...\\right`` and outside plain
    brackets such as ``(\\Sigma+\\kappa_0 I)`` (places where a display equation may be broken),
    never at the start or right after ``=``.  Inside ``\\Bigl(...\\Bigr)`` (see
    :func:`_unfold_fraction`) a break is allowed: that is what the fixed-size bracket is for."""
    out, depth, lr, i = [], 0, 0, 0
    while i < len(tex):
        c = tex[i]
        if c == "\\":
            m = re.match(r"\\([A-Za-z]+|.)", tex[i:])
            name = m.group(1) if m else ""
            i += m.end() if m else 1
            if name in ("left", "right"):
                lr += 1 if name == "left" else -1
            if name in _SIZED and tex[i : i + 1] in "()[]":
                i += 1  # the delimiter of \left( or \Bigl(
            continue
        if c in "{([":
            depth += 1
        elif c in "})]":
            depth -= 1
        elif c in "+-" and depth == 0 and lr == 0 and tex[:i].strip() and tex[:i].rstrip()[-1] not in "=({[,":
            out.append(i)
        i += 1
    return out


_SIZED = ("left", "right", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr", "Biggl", "Biggr")


def _scaled(line: str, width: str = r"\linewidth") -> str:
    if _visible_length(line) <= _SCALE_CHARS:
        return line
    return f"\\resizebox{{{width}}}{{!}}{{$\\displaystyle {line}$}}"


def _group(tex: str, start: int) -> int:
    """Index just past the brace group opening at ``tex[start] == "{"``."""
    depth = 0
    for i in range(start, len(tex)):
        if tex[i] == "\\":
            continue
        if tex[i] == "{" and (i == 0 or tex[i - 1] != "\\"):
            depth += 1
        elif tex[i] == "}" and (i == 0 or tex[i - 1] != "\\"):
            depth -= 1
            if depth == 0:
                return i + 1
    return -1


def _unfold_fraction(tex: str) -> str:
    r"""``lhs \simeq \frac{N}{D}`` (one fraction after the relation) as
    ``lhs \simeq \frac{1}{D}\Bigl(N\Bigr)``, so that the numerator's terms can be broken."""
    m = re.search(r"(=|\\simeq|\\approx)\s*\\frac\{", tex) or re.match(r"\s*\\frac\{", tex)
    if not m:
        return tex
    num_start = m.end() - 1
    num_end = _group(tex, num_start)
    if num_end < 0 or num_end >= len(tex) or tex[num_end] != "{":
        return tex
    den_end = _group(tex, num_end)
    if den_end != len(tex.rstrip()):
        return tex
    num, den = tex[num_start + 1 : num_end - 1], tex[num_end + 1 : den_end - 1]
    return f"{tex[: m.end() - len('frac{') - 1]}\\frac{{1}}{{{den}}}\\Bigl({num}\\Bigr)"


def display_latex(tex: str, label: str | None = None) -> str:
    r"""A display equation that fits the page: short ones in ``equation``; long ones broken at
    their top-level ``+``/``-`` into a ``multline`` of lines of about ``_LINE_CHARS`` characters;
    a line that cannot be broken and is still far too wide is scaled to the text width."""
    tex = tex.strip()
    lab = f"\\label{{{label}}}\n" if label else ""
    star = "" if label else "*"
    if _visible_length(tex) <= _LINE_CHARS:
        return f"\\begin{{equation{star}}}\n{lab}{tex}\n\\end{{equation{star}}}\n"
    tex = _unfold_fraction(tex)
    lines, start, last = [], 0, 0
    for cut in _top_level_breaks(tex) + [len(tex)]:
        if _visible_length(tex[start:cut]) > _LINE_CHARS and last > start:
            lines.append(tex[start:last].strip())
            start = last
        last = cut
    lines.append(tex[start:].strip())
    if len(lines) == 1:
        return f"\\begin{{equation{star}}}\n{lab}{_scaled(tex)}\n\\end{{equation{star}}}\n"
    # multline indents its first and last lines by \multlinegap: a scaled line must leave it
    body = " \\\\\n".join(_scaled(x, r"\dimexpr\linewidth-\multlinegap\relax") for x in lines)
    return f"\\begin{{multline{star}}}\n{lab}{body}\n\\end{{multline{star}}}\n"


def _latex_block(b: Block) -> str:
    if isinstance(b, Heading):
        cmd = {1: "section", 2: "subsection"}.get(b.level, "subsubsection")
        lab = f"\\label{{{_label(b.label)}}}" if b.label else ""
        return f"\\{cmd}{{{_inline(b.parts, 'latex')}}}{lab}\n"
    if isinstance(b, Paragraph):
        return _inline(b.parts, "latex") + "\n"
    if isinstance(b, DisplayMath):
        return display_latex(b.latex, _label(b.label) if b.label else None)
    if isinstance(b, Table) and b.long:
        spec = b.align or "l" * (len(b.header) - (b.below is not None))
        lines = [rf"\begin{{longtable}}{{{spec}}}"]
        if b.caption:
            lines.append(rf"\caption{{{escape_latex(b.caption)}}} \\")
        lines += [r"\hline", _latex_header(b), r"\hline", r"\endhead", r"\hline", r"\endfoot"]
        lines += _latex_rows(b)
        lines.append(r"\end{longtable}")
        return _latex_small(b, "\n".join(lines))
    if isinstance(b, Figure):
        lab = f"\\label{{{_label(b.label)}}}" if b.label else ""
        return (
            f"\\begin{{figure}}[ht]\n\\centering\n"
            f"\\includegraphics[width={b.width}]{{{b.path}}}\n"
            f"\\caption{{{escape_latex(b.caption)}}}{lab}\n\\end{{figure}}\n"
        )
    if isinstance(b, Table):
        spec = b.align or "l" * (len(b.header) - (b.below is not None))
        lines = [
            r"\begin{table}[ht]",
            r"\centering",
            rf"\begin{{tabular}}{{{spec}}}",
            r"\hline",
            _latex_header(b),
            r"\hline",
        ]
        lines += _latex_rows(b)
        lines.append(r"\hline")
        lines.append(r"\end{tabular}")
        if b.caption:
            lines.append(rf"\caption{{{escape_latex(b.caption)}}}")
        lines.append(r"\end{table}")
        return _latex_small(b, "\n".join(lines))
    if isinstance(b, Fields):
        items = [rf"\item[{escape_latex(k)}] {_inline(v, 'latex')}" for k, v in b.items]
        return "\\begin{description}\n" + "\n".join(items) + "\n\\end{description}\n"
    if isinstance(b, Steps):
        if not b.items:
            return ""
        lines = [rf"\paragraph{{{escape_latex(b.title)}}}", r"\begin{enumerate}"]
        for parts, math in b.items:
            lines.append(rf"\item {_inline(parts, 'latex')}")
            if math is not None:
                lines.append(display_latex(_one_line(math.latex)).rstrip("\n"))
        lines.append(r"\end{enumerate}")
        return "\n".join(lines) + "\n"
    raise TypeError(f"unknown block {b!r}")


def _latex_header(b: Table) -> str:
    return " & ".join(escape_latex(h) for i, h in enumerate(b.header) if i != b.below) + r" \\"


def _latex_rows(b: Table) -> list[str]:
    if b.below is None:
        return [" & ".join(_inline(c, "latex") for c in row) + r" \\" for row in b.rows]
    span = len(b.header) - 1
    width = r"\dimexpr\linewidth-2\tabcolsep\relax"
    out = []
    for i, row in enumerate(b.rows):
        cells = [_inline(c, "latex") for j, c in enumerate(row) if j != b.below]
        note = rf"\emph{{{escape_latex(b.header[b.below])}:}} {_inline(row[b.below], 'latex')}"
        out += [" & ".join(cells) + r" \\*", rf"\multicolumn{{{span}}}{{p{{{width}}}}}{{{note}}} \\"]
        if i + 1 < len(b.rows):
            out.append(r"\hline")
    return out


def _latex_small(b: Table, tex: str) -> str:
    if not b.small:
        return tex + "\n"
    return f"\\begingroup\\small\\setlength{{\\tabcolsep}}{{4pt}}\n{tex}\n\\endgroup\n"


def _markdown_block(b: Block) -> str:
    if isinstance(b, Heading):
        anchor = f'<a id="{_label(b.label)}"></a>\n' if b.label else ""
        return f"{anchor}{'#' * (b.level + 1)} {_inline(b.parts, 'markdown')}\n"
    if isinstance(b, Paragraph):
        return _inline(b.parts, "markdown") + "\n"
    if isinstance(b, DisplayMath):
        return f"$$\n{b.latex.strip()}\n$$\n"
    if isinstance(b, Table):
        aligns = _column_aligns(b)
        rule = ["---:" if a == "r" else ":---:" if a == "c" else "---" for a in aligns]
        lines = [
            "| " + " | ".join(escape_markdown(h) for h in b.header) + " |",
            "| " + " | ".join(rule) + " |",
        ]
        lines += ["| " + " | ".join(_inline(c, "markdown") for c in row) + " |" for row in b.rows]
        if b.caption:
            lines += ["", f"*{escape_markdown(b.caption)}*"]
        return "\n".join(lines) + "\n"
    if isinstance(b, Figure):
        return f"![{escape_markdown(b.caption)}]({b.path})\n\n*{escape_markdown(b.caption)}*\n"
    if isinstance(b, Fields):
        return "\n".join(f"- **{escape_markdown(k)}:** {_inline(v, 'markdown')}" for k, v in b.items) + "\n"
    if isinstance(b, Steps):
        if not b.items:
            return ""
        lines = [f"**{escape_markdown(b.title)}**", ""]
        for i, (parts, math) in enumerate(b.items, 1):
            tail = f": ${_one_line(math.latex)}$" if math is not None else ""
            lines.append(f"{i}. {_inline(parts, 'markdown')}{tail}")
        return "\n".join(lines) + "\n"
    raise TypeError(f"unknown block {b!r}")


def _text_block(b: Block) -> str:
    if isinstance(b, Heading):
        title = _inline(b.parts, "text")
        return f"{title}\n{('=' if b.level == 1 else '-') * len(title)}\n"
    if isinstance(b, Paragraph):
        return _inline(b.parts, "text") + "\n"
    if isinstance(b, DisplayMath):
        return f"    {b.text}\n"
    if isinstance(b, Table):
        cells = [list(b.header)] + [[_inline(c, "text") for c in row] for row in b.rows]
        widths = [max(len(r[i]) for r in cells) for i in range(len(b.header))]
        aligns = _column_aligns(b)

        def fmt(row):
            out = [
                c.rjust(w) if a == "r" else c.ljust(w) for c, w, a in zip(row, widths, aligns, strict=True)
            ]
            return "  ".join(out).rstrip()

        lines = [fmt(cells[0]), "  ".join("-" * w for w in widths)]
        lines += [fmt(r) for r in cells[1:]]
        if b.caption:
            lines += [b.caption]
        return "\n".join(lines) + "\n"
    if isinstance(b, Figure):
        return f"[figure: {b.path}] {b.caption}\n"
    if isinstance(b, Fields):
        width = max(len(k) for k, _ in b.items) + 1
        return "\n".join(f"  {(k + ':').ljust(width)} {_inline(v, 'text')}" for k, v in b.items) + "\n"
    if isinstance(b, Steps):
        if not b.items:
            return ""
        lines = [f"  {b.title}:"]
        for i, (parts, math) in enumerate(b.items, 1):
            lines.append(f"    {i}. {_inline(parts, 'text')}")
            if math is not None:
                lines.append(f"         {math.text}")
        return "\n".join(lines) + "\n"
    raise TypeError(f"unknown block {b!r}")


def _column_aligns(t: Table) -> list[str]:
    spec = list(re.sub(r"\{[^}]*\}", "", t.align).replace("|", "").replace("p", "l"))
    if t.below is not None:
        spec.insert(t.below, "l")
    return [spec[i] if i < len(spec) else "l" for i in range(len(t.header))]


_LATEX_PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[T1]{fontenc}
\usepackage{amsmath}
\usepackage{amssymb}
\usepackage{graphicx}
\usepackage{longtable}
\addtolength{\textwidth}{3cm}
\addtolength{\oddsidemargin}{-1.5cm}
\addtolength{\evensidemargin}{-1.5cm}
\allowdisplaybreaks
"""


def render(blocks: Sequence[Block], style: str, *, standalone: bool = True, title: str | None = None) -> str:
    """Write ``blocks`` in ``style`` (``"latex"``, ``"markdown"`` or ``"text"``).

    This is the one formatter behind every display.  ``standalone`` (LaTeX only) wraps the
    body in a compilable ``article`` (amsmath, amssymb, graphicx, longtable); otherwise the result is a fragment for
    ``\\input``.  ``title`` heads the document.
    """
    if style not in STYLES:
        raise ValueError(f"style must be one of {', '.join(STYLES)}, got {style!r}")
    writer = {"latex": _latex_block, "markdown": _markdown_block, "text": _text_block}[style]
    body = "\n".join(s for s in (writer(b) for b in blocks) if s)
    if style == "latex":
        if not standalone:
            return body
        head = _LATEX_PREAMBLE
        if title:
            head += f"\\title{{{escape_latex(title)}}}\n\\date{{}}\n"
        begin = "\\begin{document}\n" + ("\\maketitle\n" if title else "")
        return f"{head}{begin}\n{body}\n\\end{{document}}\n"
    if title:
        if style == "markdown":
            return f"# {escape_markdown(title)}\n\n{body}"
        return f"{title}\n{'#' * len(title)}\n\n{body}"
    return body


# ---------------------------------------------------------------------------------- formulas
#: (LaTeX symbol, name in code, meaning as parts) for the notation table.
_SYMBOLS: tuple[tuple[str, str, tuple[Part, ...]], ...] = (
    ("d", "d", ("dimension (number of features)",)),
    ("T", "T", ("downstream sample size (fake data of the last generation)",)),
    ("T_0", "T0", ("sample size of each generator in the fake-data chain",)),
    ("n", "n", ("number of generations of fake data (", Math("n=0", "n=0"), ": clean data)")),
    (r"\sigma", "sigma", ("label-noise level of the downstream data",)),
    (r"\sigma_0", "sigma0", ("label-noise level of each generator",)),
    (r"\lambda", "lam", ("ridge penalty, per-sample normalised",)),
    (
        r"\kappa",
        "kappa",
        ("effective regularisation ", Math(r"\kappa(\lambda,T)", "kappa(lam, T)"), ", eq. (9)"),
    ),
    (
        r"\kappa_0",
        "kappa0",
        ("effective regularisation of a generator, ", Math(r"\kappa(0,T_0)", "kappa(0, T0)")),
    ),
    (r"\phi", "phi", ("aspect ratio ", Math("d/T", "d/T"))),
    (r"\phi_0", "phi0", ("aspect ratio of a generator ", Math("d/T_0", "d/T0"))),
    (
        r"\mathrm{df}_m(\kappa)",
        "df_m",
        (
            "degrees of freedom ",
            Math(r"\sum_j \lambda_j^m/(\lambda_j+\kappa)^m", "sum_j lambda_j^m/(lambda_j+kappa)^m"),
        ),
    ),
    (
        r"\rho",
        "rho",
        ("collapse coefficient: extra test error per generation per unit ", Math(r"\sigma_0^2", "sigma0^2")),
    ),
    (
        r"\lambda_j,\ c_j",
        "eigenvalues, w0",
        (
            "eigenvalues of ",
            Math(r"\Sigma", "Sigma"),
            " and coefficients of the target ",
            Math("w_0", "w0"),
            " in its eigenbasis",
        ),
    ),
    (
        r"E_{test}",
        "test_error",
        (
            "test error ",
            Math(r"\lVert \hat w_n^{pred}-w_0\rVert_\Sigma^2", "||w_pred - w0||_Sigma^2"),
            " of the downstream ridge",
        ),
    ),
)


def _symbol_table() -> Table:
    rows = tuple((_parts(Math(sym, code)), _parts(Code(code)), parts) for sym, code, parts in _SYMBOLS)
    return Table(
        header=("Symbol", "Name", "Meaning"),
        rows=rows,
        align="llp{10cm}",
        caption="Notation: symbols and their keyword names in symcollapse.",
    )


_LHS_TEXT = [
    (re.compile(r"\\frac\{\\partial\\kappa\}\{\\partial\\lambda\}"), "dkappa/dlam"),
    (re.compile(r"\\mathrm\{(\w+)\}"), r"\1"),
    (re.compile(r"\\operatorname\{(\w+)\}"), r"\1"),
    (re.compile(r"_\{(\w+)\}"), r"_\1"),
    (re.compile(r"\\(lambda)\b"), "lam"),
    (re.compile(r"\\([A-Za-z]+)"), r"\1"),
    (re.compile(r"[{}]"), ""),
]


def _lhs_text(lhs: str) -> str:
    s = lhs
    for pat, rep in _LHS_TEXT:
        s = pat.sub(rep, s)
    return s.strip()


def _expr_text(expr) -> str:
    if isinstance(expr, sp.Expr):
        return sp.sstr(display_form(expr), order=print_order(expr))
    return sp.sstr(expr, order=print_order(expr)) if isinstance(expr, sp.Basic) else str(expr)


def _step_math(step: Step) -> DisplayMath | None:
    expr = step.expr
    if expr is None:
        return None
    if isinstance(expr, sp.Basic):
        return DisplayMath(step.latex(), _expr_text(expr))
    if isinstance(expr, (list, tuple)) and all(isinstance(e, sp.Basic) for e in expr):
        tex = r",\quad ".join(Step(step.text, e).latex() for e in expr)
        return DisplayMath(tex, "; ".join(_expr_text(e) for e in expr))
    return None  # not maths: the step's text says it


def _gloss(text: str, relation) -> str | None:
    """What a condition's wording adds to its maths: a trailing remark, or the whole wording."""
    if text.replace(" ", "") == sp.sstr(relation).replace(" ", ""):
        return None
    remark = re.fullmatch(r"(.*?)\s*\(([^()]*)\)", text)
    return remark.group(2) if remark else text


def _condition_parts(f: Formula) -> tuple[Part, ...]:
    if not f.regime:
        return ("no condition",)
    out: list[Part] = []
    for i, cond in enumerate(f.regime):
        if i:
            out.append("; ")
        rel = cond.relation
        if rel == sp.true:
            out.append(cond.text)
            continue
        out.append(Math(cond.latex(), cond.text, _gloss(cond.text, rel)))
    return tuple(out)


def _formula_blocks(f: Formula, *, derivation: bool) -> list[Block]:
    kind = (
        _parts("exact identity (", Math("=", "="), ")")
        if f.exact
        else _parts("asymptotic equivalence (", Math(r"\simeq", "~"), ")")
    )
    fields: list[tuple[str, tuple[Part, ...]]] = [
        ("Name", _parts(Code(f.name))),
        ("Reference", _parts(f.reference)),
        ("Kind", kind),
        ("Regime", _condition_parts(f)),
    ]
    if f.notes:
        fields.append(("Notes", _parts(f.notes)))
    relation = "=" if f.exact else "~"
    blocks: list[Block] = [
        Heading(2, _parts(f.title), label=f"sec:{f.name}"),
        DisplayMath(f.latex(), f"{_lhs_text(f.lhs)} {relation} {_expr_text(f.expr)}", label=f"eq:{f.name}"),
        Fields(tuple(fields)),
    ]
    if derivation and f.derivation:
        blocks.append(Steps("Derivation", tuple((_parts(s.text), _step_math(s)) for s in f.derivation)))
    return blocks


def jupyter(f: Formula, style: str = "latex") -> str:
    """What Jupyter shows for ``f``: ``"latex"`` the equation alone (``$$...$$``), ``"markdown"``
    its section (title, equation, name, reference, kind, regime); both through :func:`render`.
    """
    if style == "latex":
        return render(_formula_blocks(f, derivation=False)[1:2], "markdown")
    if style == "markdown":
        return render(_formula_blocks(f, derivation=False), "markdown")
    raise ValueError(f"style must be 'latex' or 'markdown', got {style!r}")


def _resolve(formulas) -> list[Formula]:
    if isinstance(formulas, (str, Formula)):
        formulas = [formulas]
    out = []
    for f in formulas:
        if isinstance(f, Formula):
            out.append(f)
        elif isinstance(f, str):
            out.append(_lookup(f))  # KeyError naming the known formulas
        else:
            raise TypeError(f"expected a Formula or a formula name, got {type(f).__name__}")
    return out


def blocks(
    formulas, *, symbols: bool = True, derivation: bool = True, preface: Sequence[Block] = ()
) -> list[Block]:
    """The blocks of a catalogue document: ``preface``, the notation table, one section each."""
    fs = _resolve(formulas)
    out: list[Block] = list(preface)
    if symbols:
        out += [Heading(1, _parts("Notation")), _symbol_table()]
    if fs:
        out.append(Heading(1, _parts("Formulas")))
        for f in fs:
            out += _formula_blocks(f, derivation=derivation)
    return out


def latex(
    formulas,
    *,
    standalone: bool = True,
    title: str | None = None,
    symbols: bool = True,
    derivation: bool = True,
    preface: Sequence[Block] = (),
) -> str:
    """LaTeX of ``formulas`` (Formula objects or catalogue names).

    Each formula gets a ``\\subsection`` with its title, an ``equation`` labelled
    ``eq:<name>``, its name, reference, kind (exact or asymptotic), regime and notes, and (with
    ``derivation``) its derivation steps; a notation table comes first (``symbols``).
    ``standalone`` gives a compilable document, otherwise a fragment for ``\\input`` into a
    preamble with amsmath, amssymb and graphicx (graphicx scales the rare display line that
    cannot be broken to fit the page; long equations are broken into ``multline``).
    """
    return render(
        blocks(formulas, symbols=symbols, derivation=derivation, preface=preface),
        "latex",
        standalone=standalone,
        title=title,
    )


def markdown(
    formulas,
    *,
    title: str | None = None,
    symbols: bool = True,
    derivation: bool = True,
    preface: Sequence[Block] = (),
) -> str:
    """Markdown with the same content as :func:`latex` (display maths in ``$$...$$``)."""
    return render(
        blocks(formulas, symbols=symbols, derivation=derivation, preface=preface), "markdown", title=title
    )


def text(
    formulas,
    *,
    title: str | None = None,
    symbols: bool = True,
    derivation: bool = True,
    preface: Sequence[Block] = (),
) -> str:
    """Plain text with the same content as :func:`latex` (expressions in SymPy's syntax)."""
    return render(
        blocks(formulas, symbols=symbols, derivation=derivation, preface=preface), "text", title=title
    )


_hooks.register("formula.display", jupyter)
