r"""Derive a pipeline's deterministic-equivalent test error in SymPy, from its declaration.

The engine (:mod:`.engine`) runs on the SymPy backend below: vectors are expressions in the
eigenvalue :math:`\lambda_j` and the target's coefficient :math:`c_j`, traces are spectral sums
:math:`\sum_{j=1}^d(\cdot)`, and each fit :math:`f` has its own symbols (rows :math:`T_f`, noise
:math:`\sigma_f`, ridge :math:`\lambda_f`, effective regularisation :math:`\kappa_f`, defined by
:math:`\lambda_f=\kappa_f(1-\mathrm{df}_1(\kappa_f)/N_f)`).  The result keeps bias, variance
and collapse apart, records each fit's step, and exports LaTeX.

>>> import symcollapse as sc
>>> der = sc.workflows.replace(n=1, T0=600, T=1000, lam=1e-3).derive()
>>> sorted(s.name for s in der.test_error.free_symbols if s.name.startswith("kappa"))
['kappa_downstream', 'kappa_gen1']
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from symcollapse import _hooks
from symcollapse.pipeline.declaration import Pipeline, ResolvedFit
from symcollapse.pipeline.engine import fit_kinds, last_fit_error, last_fit_vectors, propagate
from symcollapse.symbolic import pipeline_rules as rules
from symcollapse.symbolic.functionals import display_form, isotropic, spectral_sum
from symcollapse.symbolic.symbols import coef, d, eig, j

__all__ = ["Derivation", "derive"]


@dataclass
class _SymIngredients:
    kappa: sp.Expr
    p: sp.Expr
    q: sp.Expr
    g: sp.Expr
    df2: sp.Expr
    gc2: sp.Expr
    D: sp.Expr
    w: sp.Expr
    Cscale: sp.Expr

    @property
    def C(self):
        return self.Cscale * self.g


def _tag(name: str) -> str:
    return name.replace("_", r"\_")


def _terms(e: sp.Expr) -> list[sp.Expr]:
    """``e`` as a list of products (distributing products over sums, never inside denominators),
    so that every scalar factor of a term can be pulled out of the spectral sum."""
    if e.is_Add:
        return [t for a in e.args for t in _terms(a)]
    if e.is_Mul:
        out = [sp.S.One]
        for f in e.args:
            fs = _terms(f) if (f.is_Add or f.is_Mul) else [f]
            out = [a * b for a in out for b in fs]
        return out
    return [e]


class SymbolicBackend:
    """The engine's SymPy backend."""

    def __init__(self, pipeline: Pipeline, regimes: dict[str, str]):
        self.ell = eig[j]
        self.coef = coef[j]
        self.c2 = coef[j] ** 2
        self.regimes = regimes
        self.symbols: dict[str, sp.Symbol] = {}
        self.definitions: list[tuple[sp.Expr, sp.Expr]] = []
        self.values: dict[sp.Symbol, object] = {}
        self._latex: dict[sp.Symbol, str] = {}
        self._ing: dict[str, _SymIngredients] = {}
        self.pipeline = pipeline

    def _sym(self, key: str, latex: str, value, **assumptions) -> sp.Symbol:
        if key not in self.symbols:
            s = sp.Symbol(key, **assumptions)
            self.symbols[key] = s
            self.values[s] = value
            self._latex[s] = latex
        return self.symbols[key]

    def zero(self):
        return sp.S.Zero

    def fixed_teacher(self, name: str):
        r""":math:`\Delta_j`: the fixed teacher's coefficient minus the target's."""
        return sp.IndexedBase(f"Delta_{name}", real=True)[j]

    def exact(self, fraction):
        return sp.Rational(fraction.numerator, fraction.denominator)

    def require_full_rank(self, fit, N, what: str) -> None:
        if self.regimes[fit.name] != "under":  # pragma: no cover - set by _regimes
            raise ValueError(f"fit {fit.name!r}: {what} needs N >= d + 2 rows")

    def tr(self, v):
        """``sum_j v``: sums already inside ``v`` are scalars (held as dummies while summing)."""
        v = sp.sympify(v)
        inner = {s: sp.Dummy("S") for s in v.atoms(sp.Sum)}
        out = spectral_sum(sp.Add(*_terms(v.xreplace(inner))))
        return out.xreplace({dummy: s for s, dummy in inner.items()})

    def _block_sym(
        self, base: str, tex_base: str, fit: ResolvedFit, k: int, value, **assumptions
    ) -> sp.Symbol:
        """``base_fit`` for a fit's only block, ``base_fit_k`` for block ``k`` of several."""
        one = len(fit.blocks) == 1
        key = f"{base}_{fit.name}" if one else f"{base}_{fit.name}_{k}"
        sub = rf"\mathrm{{{_tag(fit.name)}}}" + ("" if one else f",{k}")
        return self._sym(key, rf"{tex_base}_{{{sub}}}", value, **assumptions)

    def rows(self, fit: ResolvedFit, k: int):
        return self._block_sym("T", "T", fit, k, fit.blocks[k].rows, positive=True)

    def total_rows(self, fit: ResolvedFit):
        return sp.Add(*[self.rows(fit, k) for k in range(len(fit.blocks))])

    def noise(self, fit: ResolvedFit, k: int):
        return self._block_sym("sigma", r"\sigma", fit, k, fit.blocks[k].noise, nonnegative=True)

    def ingredients(self, fit: ResolvedFit) -> _SymIngredients:
        if fit.name in self._ing:
            return self._ing[fit.name]
        regime = self.regimes[fit.name]
        N = self.total_rows(fit)
        tag = rf"\mathrm{{{_tag(fit.name)}}}"
        if regime == "under":
            kappa = sp.S.Zero
        else:
            kappa = self._sym(f"kappa_{fit.name}", rf"\kappa_{{{tag}}}", None, positive=True)
        sub = {rules.ell: self.ell, rules.kap: kappa}
        p, q, g = (rules.RULES[n].subs(sub) for n in ("p", "q", "g"))
        df2 = self.tr(rules.DF2.subs(sub))
        gc2 = self.tr(self.c2 * g)
        D = N - df2
        w = kappa**2 / D
        if regime == "ridge":
            lam = self._sym(f"lambda_{fit.name}", rf"\lambda_{{{tag}}}", fit.lam, positive=True)
            Cscale = 1 / D
            self.definitions.append((lam, kappa * (1 - self.tr(rules.DF1.subs(sub)) / N)))
        elif regime == "over":
            Cscale = (d - N) / ((d - N - 1) * D)
            self.definitions.append((N, self.tr(rules.DF1.subs(sub))))
        else:
            Cscale = 1 / (N - d - 1)
        ing = _SymIngredients(kappa, p, q, g, df2, gc2, D, w, Cscale)
        self._ing[fit.name] = ing
        return ing

    def df2(self, ing):
        return ing.df2

    def gc2(self, ing):
        return ing.gc2

    def last_vectors(self, ing):
        return last_fit_vectors(self.ell, ing.p, ing.q, ing.g)

    def noise_vector(self, fit, ing, noise):
        return sp.S.Zero if noise is None else ing.C * noise

    def check_noise(self, fit, value, noise):
        return value


class _SymJoin:
    def __init__(self, be: SymbolicBackend):
        self.be = be

    def cross(self, x, v):
        return self.be.tr(x * v)

    def trace_ell(self, v):
        return self.be.tr(self.be.ell * v)


@dataclass
class Derivation:
    r"""A pipeline's derived test error: ``test_error = bias + variance + collapse``.

    ``definitions`` lists the implicit equations of the effective regularisations
    (:math:`\lambda_f=\kappa_f(1-\mathrm{df}_1(\kappa_f)/N_f)`, or :math:`N_f=\mathrm{df}_1(\kappa_f)`
    for a minimum-norm fit with :math:`N_f<d`); ``steps`` records each fit's contribution; and
    ``values`` maps every symbol to the declared value.
    """

    pipeline: Pipeline
    bias: sp.Expr
    variance: sp.Expr
    collapse: sp.Expr
    definitions: list
    steps: list
    values: dict
    latex_names: dict = field(repr=False, default_factory=dict)

    @property
    def test_error(self) -> sp.Expr:
        return self.bias + self.variance + self.collapse

    def latex(self) -> str:
        """The result and the definitions of the kappas, as a LaTeX ``aligned`` block."""
        names = self.latex_names

        def tex(e):
            return sp.latex(display_form(e), symbol_names=names)

        lines = [
            rf"\mathrm{{Bias}} &= {tex(self.bias)}",
            rf"\mathrm{{Var}} &= {tex(self.variance)}",
            rf"\mathrm{{Collapse}} &= {tex(self.collapse)}",
        ]
        lines += [rf"{tex(lhs)} &= {tex(rhs)}" for lhs, rhs in self.definitions]
        return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"

    def _repr_latex_(self) -> str:
        return "$$" + self.latex() + "$$"

    def isotropic(self) -> dict[str, sp.Expr]:
        r"""Bias, variance and collapse specialised to :math:`\Sigma=I_d` (sums become closed forms)."""
        return {
            "bias": sp.simplify(isotropic(self.bias)),
            "variance": sp.simplify(isotropic(self.variance)),
            "collapse": sp.simplify(isotropic(self.collapse)),
        }

    def __repr__(self) -> str:
        return (
            f"Derivation({len(self.pipeline)} fits; test_error with "
            f"{len(self.test_error.atoms(sp.Sum))} spectral sums, "
            f"{len(self.definitions)} kappa definitions)"
        )


def _regimes(pipeline: Pipeline, d_value, kinds) -> dict[str, str]:
    out = {}
    for fit in pipeline.resolved:
        if kinds[fit.name].kind == "incremental":  # exact only with an invertible Gram matrix
            N = sum(np.asarray(b.rows, dtype=float) for b in fit.blocks)
            if d_value is not None and np.any(N < d_value + 2):
                raise ValueError(
                    f"fit {fit.name!r}: accumulating least squares is derived for "
                    f"N >= d + 2 rows, got N = {np.min(N):g} with d = {d_value}"
                )
            out[fit.name] = "under"
            continue
        if not np.all(np.asarray(fit.lam) == 0):
            if np.any(np.asarray(fit.lam) == 0):
                raise ValueError(
                    f"fit {fit.name!r}: derive() needs lam either > 0 everywhere or "
                    "0 everywhere (derive the two cases separately)"
                )
            out[fit.name] = "ridge"
            continue
        N = sum(np.asarray(b.rows, dtype=float) for b in fit.blocks)
        if d_value is not None and np.all(N >= d_value + 2):
            out[fit.name] = "under"
        else:
            out[fit.name] = "over"
    return out


def derive(pipeline: Pipeline, *, d_value: int | None = None) -> Derivation:
    r"""The symbolic test error of ``pipeline`` (see :class:`Derivation`).

    A least-squares fit (``lam = 0``) is over-parameterised (:math:`\kappa_f` from
    :math:`\mathrm{df}_1(\kappa_f)=N_f`) unless ``d_value`` is given and its rows are at least
    ``d_value + 2`` (then :math:`\kappa_f=0` and the exact inverse-Wishart factor).
    """
    kinds = fit_kinds(pipeline)
    be = SymbolicBackend(pipeline, _regimes(pipeline, d_value, kinds))
    state = propagate(be, pipeline, kinds)
    steps = []
    for fit in pipeline.resolved[:-1]:
        steps.append((f"fit {fit.name!r}: mean error K (diag E[e w0'])", state.k(fit.name)))
        steps.append((f"fit {fit.name!r}: second moment H (diag E[e e'])", state.h(fit.name, fit.name)))
    parts = last_fit_error(state, be, _SymJoin(be))
    steps.append(("last fit: clean bias", parts["clean_bias"]))
    steps.append(("last fit: variance", parts["variance"]))
    steps.append(("last fit: what the teachers add (collapse)", parts["collapse"]))
    return Derivation(
        pipeline=pipeline,
        bias=parts["clean_bias"],
        variance=parts["variance"],
        collapse=parts["collapse"],
        definitions=be.definitions,
        steps=steps,
        values=dict(be.values),
        latex_names=dict(be._latex),
    )


_hooks.register("pipeline.derive", derive)
