r"""Spectral functionals and deterministic equivalents, symbolically.

Every matrix in the theory of the chain is a function of :math:`\Sigma` (Gaussian designs are
sign-flip invariant in the eigenbasis), so a matrix is represented by its diagonal entry, an
expression in the eigenvalue ``eig[j]`` (:math:`\lambda_j`), and a trace by the finite sum

.. math:: \operatorname{tr} f(\Sigma) = \sum_{j=1}^{d} f(\lambda_j).

The named functionals of the paper are such sums:

.. math::
    \mathrm{df}_m(\kappa) = \sum_j \frac{\lambda_j^m}{(\lambda_j+\kappa)^m},\qquad
    w_0^\top\Sigma(\Sigma+\kappa)^{-2}w_0 = \sum_j \frac{c_j^2\lambda_j}{(\lambda_j+\kappa)^2},\qquad
    \operatorname{tr}(\Sigma+\kappa)^{-2} = \sum_j \frac{1}{(\lambda_j+\kappa)^2}.

The deterministic equivalents of Bach (2023, Props. 1-2) are provided as rules acting on
such diagonal expressions (:func:`one_point`, :func:`two_point`, :func:`two_point_companion`);
the theory modules derive the paper's results by applying them and simplifying.
"""

from __future__ import annotations

import sympy as sp

from symcollapse.symbolic.symbols import T0, T, coef, d, eig, j, w0_sq

__all__ = [
    "spectral_sum",
    "quadratic_form",
    "df",
    "bias_quadratic",
    "resolvent_trace2",
    "canonical",
    "spectral_simplify",
    "spectral_equal",
    "combine_sums",
    "isotropic",
    "one_point",
    "two_point",
    "two_point_matrix",
    "two_point_companion",
    "sum_atoms",
    "known_functional",
    "display_form",
    "DisplayFunction",
]

_l = eig[j]


def spectral_sum(summand: sp.Expr) -> sp.Expr:
    r"""Return :math:`\sum_{j=1}^d` ``summand``, linear: factors free of ``j`` are pulled out."""
    summand = sp.sympify(summand)
    out = sp.S.Zero
    for term in sp.Add.make_args(summand):
        coeff, dep = term.as_independent(j, as_Add=False)
        if dep == 1:
            out += coeff * d
            continue
        factors = sp.Mul.make_args(dep)
        inner = [f for f in factors if isinstance(f, sp.Add) and f.has(sp.Sum)]
        if inner:  # distribute over a sum whose terms carry scalar (bound) traces
            rest = sp.Mul(*[f for f in factors if f is not inner[0]])
            out += coeff * spectral_sum(sp.Add(*[rest * t for t in inner[0].args]))
        else:
            out += coeff * sp.Sum(dep, (j, 1, d))
    return out


def quadratic_form(diag: sp.Expr) -> sp.Expr:
    r""":math:`w_0^\top A w_0 = \sum_j c_j^2 A_j` for the diagonal matrix ``A``."""
    return spectral_sum(coef[j] ** 2 * diag)


def df(m: int, x: sp.Expr) -> sp.Expr:
    r""":math:`\mathrm{df}_m(x) = \operatorname{tr}\Sigma^m(\Sigma+x)^{-m}`."""
    return sp.Sum(_l**m / (_l + x) ** m, (j, 1, d))


def bias_quadratic(x: sp.Expr) -> sp.Expr:
    r""":math:`w_0^\top\Sigma(\Sigma+x)^{-2}w_0 = \sum_j c_j^2\lambda_j/(\lambda_j+x)^2`."""
    return sp.Sum(coef[j] ** 2 * _l / (_l + x) ** 2, (j, 1, d))


def resolvent_trace2(x: sp.Expr) -> sp.Expr:
    r""":math:`\operatorname{tr}(\Sigma+x)^{-2} = \sum_j 1/(\lambda_j+x)^2`."""
    return sp.Sum(1 / (_l + x) ** 2, (j, 1, d))


def _is_spectral(e: sp.Basic) -> bool:
    """Whether ``e`` is a sum over the eigenpairs, ``Sum(..., (j, 1, d))``."""
    return isinstance(e, sp.Sum) and e.limits == ((j, 1, d),)


def sum_atoms(expr: sp.Expr) -> list[sp.Sum]:
    """The spectral sums in ``expr``, in a deterministic order."""
    return sorted((s for s in expr.atoms(sp.Sum) if _is_spectral(s)), key=sp.default_sort_key)


def _canonical_summand(s: sp.Expr) -> sp.Expr:
    return sp.factor(sp.cancel(s))


def canonical(expr: sp.Expr) -> sp.Expr:
    """Put every spectral sum's summand in a canonical form (cancelled and factored).

    Sums whose summand reduces to a constant become ``constant * d``.
    """

    def _canon(s: sp.Sum) -> sp.Expr:
        return spectral_sum(_canonical_summand(s.function))

    return expr.replace(_is_spectral, _canon)


def _atomize(expr: sp.Expr) -> tuple[sp.Expr, dict[sp.Symbol, sp.Sum]]:
    expr = canonical(expr)
    mapping = {s: sp.Dummy(f"S{i}") for i, s in enumerate(sum_atoms(expr))}
    return expr.xreplace(mapping), {v: k for k, v in mapping.items()}


def spectral_simplify(expr: sp.Expr) -> sp.Expr:
    """Simplify treating each (canonicalised) spectral sum as an atom."""
    body, back = _atomize(sp.sympify(expr))
    return _tidy_signs(sp.factor(sp.simplify(body))).xreplace(back)


def _reads_negative(factor: sp.Add) -> bool:
    """Whether the sum's leading part (the T, T0 or constant term, in that order) is negative."""
    for lead in (T, T0):
        c = factor.coeff(lead)
        if c != 0 and c.is_number:
            return bool(c < 0)
    const = factor.as_coeff_Add()[0]
    if const != 0:
        return bool(const < 0)
    return False


def _tidy_signs(expr: sp.Expr) -> sp.Expr:
    """Flip factors such as ``(d + 1 - T0)`` to ``(T0 - d - 1)`` so that no factor reads negative."""
    num, den = sp.fraction(expr)
    sign = 1
    factors = []
    for part in (num, den):
        out = []
        for f in sp.Mul.make_args(part):
            base, exp = f.as_base_exp()
            if isinstance(base, sp.Add) and _reads_negative(base) and exp.is_integer:
                if exp % 2:
                    sign = -sign
                out.append((-base) ** exp)
            else:
                out.append(f)
        factors.append(sp.Mul(*out))
    return sign * factors[0] / factors[1]


def combine_sums(expr: sp.Expr) -> sp.Expr:
    """Merge the terms ``coefficient * Sum`` of an expression (linear in its sums) into one sum.

    Terms that are not linear in a single sum are kept as they are.
    """
    expr = sp.expand(sp.sympify(expr), deep=False)
    merged = sp.S.Zero
    rest = sp.S.Zero
    for term in sp.Add.make_args(expr):
        sums = [f for f in sp.Mul.make_args(term) if isinstance(f, sp.Sum)]
        if len(sums) == 1 and sums[0].limits == ((j, 1, d),):
            coeff = sp.Mul(*[f for f in sp.Mul.make_args(term) if f is not sums[0]])
            if not coeff.has(sp.Sum):
                merged += coeff * sums[0].function
                continue
        rest += term
    if merged == 0:
        return rest
    return spectral_sum(_canonical_summand(merged)) + rest


def spectral_equal(a: sp.Expr, b: sp.Expr) -> bool:
    """Whether two spectral expressions are identically equal (sums compared after canonicalising)."""
    diff = combine_sums(canonical(sp.sympify(a) - sp.sympify(b)))
    return spectral_simplify(diff) == 0


def isotropic(expr: sp.Expr) -> sp.Expr:
    r"""Specialise to :math:`\Sigma = I_d`: every :math:`\lambda_j = 1`, :math:`\sum_j c_j^2 = \|w_0\|^2`.

    Works on traces and on diagonal entries (expressions in ``eig[j]`` outside a sum) alike.
    """

    def _iso(s: sp.Sum) -> sp.Expr:
        summand = s.function.replace(
            lambda e: isinstance(e, sp.Indexed) and e.base == eig, lambda e: sp.S.One
        )
        coeff, dep = summand.as_independent(j, as_Add=False)
        if dep == 1:
            return coeff * d
        if dep == coef[j] ** 2:
            return coeff * w0_sq
        raise ValueError(f"cannot specialise the sum {s} to isotropic features")

    expr = expr.replace(_is_spectral, _iso)
    # diagonal entries (a matrix of Sigma outside a trace) become scalars
    return expr.replace(lambda e: isinstance(e, sp.Indexed) and e.base == eig, lambda e: sp.S.One)


# --- deterministic equivalents (Bach 2023), as rules on diagonal expressions ------------------


def one_point(x: sp.Expr) -> sp.Expr:
    r"""Diagonal of the one-point equivalent :math:`\hat\Sigma(\hat\Sigma+\lambda)^{-1}\asymp\Sigma(\Sigma+\kappa)^{-1}`."""
    return _l / (_l + x)


def two_point(A: sp.Expr, B: sp.Expr, x: sp.Expr, size: sp.Expr) -> sp.Expr:
    r"""Two-point equivalent of :math:`\mathbb E\operatorname{tr} A\hat\Sigma R B R\hat\Sigma` (Bach, Prop. 1).

    .. math::
        \operatorname{tr}A\Sigma(\Sigma+\kappa)^{-1}B\Sigma(\Sigma+\kappa)^{-1}
        + \kappa^2\operatorname{tr}[A\Sigma(\Sigma+\kappa)^{-2}]
          \frac{\operatorname{tr}[B\Sigma(\Sigma+\kappa)^{-2}]}{T-\mathrm{df}_2(\kappa)}

    with ``A``, ``B`` diagonal (expressions in ``eig[j]``), ``x`` the effective regularisation and
    ``size`` the sample size.
    """
    p = one_point(x)
    g = _l / (_l + x) ** 2
    return spectral_sum(A * p * B * p) + x**2 * spectral_sum(A * g) * spectral_sum(B * g) / (size - df(2, x))


def two_point_matrix(B: sp.Expr, x: sp.Expr, size: sp.Expr) -> sp.Expr:
    r"""Diagonal of the equivalent of :math:`\mathbb E\,\hat\Sigma R B R\hat\Sigma` (Bach, Prop. 1).

    .. math::
        \Sigma(\Sigma+\kappa)^{-1}B\Sigma(\Sigma+\kappa)^{-1}
        + \kappa^2\frac{\operatorname{tr}[B\Sigma(\Sigma+\kappa)^{-2}]}{T-\mathrm{df}_2(\kappa)}
          \Sigma(\Sigma+\kappa)^{-2};

    :func:`two_point` is its trace against ``A``.  With ``x = kappa0`` and ``size = T0`` it is
    the one-generator step :math:`\mathbb E[PBP]` of a minimum-norm generator (:math:`\lambda_0\to0^+`).
    """
    p = one_point(x)
    g = _l / (_l + x) ** 2
    return p * B * p + x**2 * spectral_sum(B * g) / (size - df(2, x)) * g


def two_point_companion(B: sp.Expr, x: sp.Expr, size: sp.Expr) -> sp.Expr:
    r"""Diagonal of the equivalent of :math:`\lambda^2 R B R` (companion of Bach's Prop. 1).

    .. math::
        \kappa^2(\Sigma+\kappa)^{-1}B(\Sigma+\kappa)^{-1}
        + \kappa^2\frac{\operatorname{tr}[B\Sigma(\Sigma+\kappa)^{-2}]}{T-\mathrm{df}_2(\kappa)}
          \Sigma(\Sigma+\kappa)^{-2}
    """
    g = _l / (_l + x) ** 2
    return x**2 * B / (_l + x) ** 2 + x**2 * spectral_sum(B * g) / (size - df(2, x)) * g


# --- recognising the named functionals ----------------------------------------------------------

_X = sp.Wild("X", exclude=[j, eig, coef])


def _templates():
    return (
        ("df1", _l / (_l + _X)),
        ("df2", _l**2 / (_l + _X) ** 2),
        ("bias_quadratic", coef[j] ** 2 * _l / (_l + _X) ** 2),
        ("resolvent_trace2", 1 / (_l + _X) ** 2),
    )


def known_functional(s: sp.Sum) -> tuple[str, sp.Expr] | None:
    """``(name, argument)`` when the sum is one of the named functionals, else ``None``."""
    if not isinstance(s, sp.Sum) or s.limits != ((j, 1, d),):
        return None
    summand = _canonical_summand(s.function)
    for name, tpl in _templates():
        m = summand.match(tpl)
        if m is not None and _X in m:
            x = m[_X]
            if sp.simplify(summand - tpl.xreplace({_X: x})) == 0:
                return name, x
    return None


class DisplayFunction(sp.Function):
    """A function for display only: ``latex`` fills the ``_tex`` template with its printed
    arguments (the paper's notation, not SymPy's).  One argument unless ``nargs`` says more."""

    nargs = 1
    _tex = ""

    def _latex(self, printer, exp=None):
        tex = self._tex.format(*(printer._print(a) for a in self.args))
        return tex if exp is None else rf"\left({tex}\right)^{{{exp}}}"


class DF1(DisplayFunction):
    _tex = r"\mathrm{{df}}_1({})"


class DF2(DisplayFunction):
    _tex = r"\mathrm{{df}}_2({})"


class BiasQuadratic(DisplayFunction):
    _tex = r"w_0^\top\Sigma(\Sigma+{} I)^{{-2}}w_0"


class ResolventTrace2(DisplayFunction):
    _tex = r"\operatorname{{tr}}(\Sigma+{} I)^{{-2}}"


_DISPLAY = {
    "df1": DF1,
    "df2": DF2,
    "bias_quadratic": BiasQuadratic,
    "resolvent_trace2": ResolventTrace2,
}


def display_form(expr: sp.Expr) -> sp.Expr:
    """Replace the recognised spectral sums by named functionals, for printing."""

    def _fold(s: sp.Sum) -> sp.Expr:
        hit = known_functional(s)
        return s if hit is None else _DISPLAY[hit[0]](hit[1])

    return canonical(expr).replace(_is_spectral, _fold)
