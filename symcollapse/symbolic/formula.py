r"""The :class:`Formula`: a derived SymPy expression with its regime, reference and evaluators.

A formula knows

* ``expr``: the expression, in the canonical symbols of :mod:`symcollapse.symbolic.symbols`; spectral
  traces appear as sums over the eigenpairs of :math:`\Sigma`;
* ``regime``: the conditions under which it holds, checked on evaluation;
* ``reference``: where the paper states it, and ``exact`` (an identity) or not (``\simeq``);
* ``derivation``: the SymPy steps that produced it (see ``derivations/``).

``evaluate(**values)`` is vectorized (NumPy broadcasting over every argument), validates its
inputs and the regime, and never returns NaN or inf silently.  ``backend="mpmath"`` gives a
high-precision reference evaluation of the same expression.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from symcollapse import _hooks
from symcollapse._validation import as_float_array
from symcollapse.pipeline.schedule import PerGeneration
from symcollapse.symbolic import symbols as S
from symcollapse.symbolic.functionals import display_form, known_functional, sum_atoms

__all__ = ["Formula", "Condition", "Step", "print_order", "DOMAINS", "check_domain", "UnknownFormula"]


#: the domain of every parameter a formula can take, declared once: (lower bound, strict?,
#: integer?).  Checked by :meth:`Formula.evaluate` (whatever the formula's regime says).
DOMAINS: dict[str, tuple[float | None, bool, bool]] = {
    "d": (1, False, True),
    "n": (0, False, True),
    "m": (0, False, True),
    "T": (1, False, False),
    "T0": (1, False, False),
    "sigma": (0, False, False),
    "sigma0": (0, False, False),
    "lam": (0, False, False),
    "lam0": (0, False, False),
    "kappa": (0, False, False),
    "kappa0": (0, False, False),
    "phi": (0, True, False),
    "phi0": (0, True, False),
    "beta": (0, True, False),
    "r": (0, True, False),
    "b": (0, True, False),
    "SNR0": (0, True, False),
    "ell": (0, False, False),
    "a": (0, False, False),
    "w0_sq": (0, False, False),
    "phibar": (None, False, False),
    "rho": (None, False, False),
    "D": (1, True, False),
    "m_I": (0, False, False),
    "n_I": (0, True, False),
    "mu": (None, False, False),
    "s": (0, False, False),
}


def check_domain(name: str, value: np.ndarray) -> None:
    """``ValueError`` naming ``name`` when ``value`` leaves the declared :data:`DOMAINS`."""
    lower, strict, integer = DOMAINS.get(name, (None, False, False))
    kind = "an integer" if integer else "a number"
    if lower is not None:
        bad = value <= lower if strict else value < lower
        if np.any(bad):
            op = ">" if strict else ">="
            raise ValueError(f"{name} must be {kind} {op} {lower:g}, got {value!r}")
    if integer and np.any(value != np.round(value)):
        raise ValueError(f"{name} must be an integer, got {value!r}")


class UnknownFormula(KeyError, ValueError):
    """``formula(name)`` with a name not in the catalogue (a ``ValueError`` and a ``KeyError``)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class Condition:
    """One condition of a regime: a SymPy relation and its wording."""

    relation: sp.Basic
    text: str

    def latex(self) -> str:
        return sp.latex(self.relation, symbol_names=S.LATEX_NAMES)


@dataclass(frozen=True)
class Step:
    """One step of a derivation: what was done, and the expression it produced."""

    text: str
    expr: Any

    def latex(self) -> str:
        if isinstance(self.expr, sp.Basic):
            return sp.latex(
                display_form(self.expr) if isinstance(self.expr, sp.Expr) else self.expr,
                symbol_names=S.LATEX_NAMES,
                order=print_order(self.expr),
            )
        return str(self.expr)


def print_order(expr: sp.Basic) -> str | None:
    """Term order for printing: the default, except for expressions holding an infinite series,
    which the default ordering would evaluate numerically (slowly) to sort the terms."""
    infinite = any(sp.oo in s.limits[0] for s in expr.atoms(sp.Sum))
    return "none" if infinite else None


def _tex(expr: sp.Basic) -> str:
    return sp.latex(display_form(expr), symbol_names=S.LATEX_NAMES, order=print_order(expr))


@dataclass(frozen=True, eq=False)
class Formula:
    """A catalogued result of the theory (see the module docstring)."""

    name: str
    title: str
    lhs: str
    expr: sp.Expr
    reference: str
    regime: tuple[Condition, ...] = ()
    exact: bool = False
    derivation: tuple[Step, ...] = ()
    notes: str = ""
    numeric_expr: sp.Expr | None = field(default=None)

    # ----------------------------------------------------------------- display
    @property
    def relation(self) -> str:
        """``=`` for an exact identity, ``\\simeq`` for an asymptotic equivalence."""
        return "=" if self.exact else r"\simeq"

    def latex(self, *, display_functionals: bool = True) -> str:
        """LaTeX of ``lhs relation expr`` (named functionals folded when ``display_functionals``)."""
        body = (
            _tex(self.expr)
            if display_functionals
            else sp.latex(self.expr, symbol_names=S.LATEX_NAMES, order=print_order(self.expr))
        )
        return f"{self.lhs} {self.relation} {body}"

    def regime_text(self) -> str:
        return "; ".join(c.text for c in self.regime) if self.regime else "no condition"

    def regime_latex(self) -> str:
        return ",\\ ".join(c.latex() for c in self.regime)

    def _repr_latex_(self) -> str:
        return _hooks.backend("formula.display")(self, "latex")

    def _repr_markdown_(self) -> str:
        return _hooks.backend("formula.display")(self, "markdown")

    def __repr__(self) -> str:
        return f"Formula({self.name!r}: {self.lhs} {self.relation} {sp.sstr(self.expr)})"

    # ----------------------------------------------------------------- parameters
    @cached_property
    def parameters(self) -> tuple[str, ...]:
        """Names of the canonical symbols the expression depends on (sorted)."""
        free = set(self.expr.free_symbols) - {S.j, S.eig.label, S.coef.label}
        free -= {b.label for b in self.vectors.values()}
        free = {s for s in free if isinstance(s, sp.Symbol)}
        return tuple(sorted(s.name for s in free))

    @cached_property
    def vectors(self) -> dict[str, sp.IndexedBase]:
        """Per-eigenvalue inputs other than the spectrum (``mu[j]``, ``s[j]``): 1-D arrays of
        length d in :meth:`evaluate`."""
        out = {}
        for x in self.expr.atoms(sp.Indexed):
            if x.base not in (S.eig, S.coef) and x.indices == (S.j,):
                out[x.base.label.name] = x.base
        return dict(sorted(out.items()))

    @cached_property
    def per_eigenvalue(self) -> bool:
        """Whether the value is a vector over the eigenvalues (``j`` free outside the sums)."""
        return S.j in self.expr.free_symbols

    @cached_property
    def _symbols(self) -> dict[str, sp.Symbol]:
        """The expression's free symbols by name (canonical or local to the formula)."""
        return {
            s.name: s
            for s in self._eval_expr.free_symbols | self.expr.free_symbols
            if isinstance(s, sp.Symbol)
        }

    @cached_property
    def spectral(self) -> bool:
        """Whether the expression contains spectral sums or eigenvalues (needs ``eigenvalues``)."""
        return bool(sum_atoms(self.expr)) or self.expr.has(S.eig)

    @cached_property
    def needs_w0(self) -> bool:
        return self.expr.has(S.coef)

    @cached_property
    def functional_keys(self) -> tuple[tuple[str, sp.Expr], ...]:
        """The spectral sums as ``(functional name, argument)`` (``KeyError`` if unnamed)."""
        keys = []
        for s in sum_atoms(self._eval_expr):
            hit = known_functional(s)
            if hit is None:
                raise KeyError(f"{self.name}: sum {s} is not a named functional")
            keys.append(hit)
        return tuple(keys)

    @cached_property
    def _eval_expr(self) -> sp.Expr:
        return self.numeric_expr if self.numeric_expr is not None else self.expr

    @cached_property
    def _kernel(self):
        """NumPy kernel: arguments = parameters then one array per spectral sum."""
        sums = sum_atoms(self._eval_expr)
        dummies = [sp.Dummy(f"s{i}") for i in range(len(sums))]
        body = self._eval_expr.xreplace(dict(zip(sums, dummies, strict=True)))
        body, outer, odum = self._outer(body)
        args = [self._symbols[p] for p in self.parameters] + dummies + odum
        return sp.lambdify(args, body, modules=["scipy", "numpy"]), sums, outer

    @staticmethod
    def _outer(body):
        """Replace the per-eigenvalue entries ``x[j]`` left outside the sums by dummies."""
        outer = sorted(
            {x.base for x in body.atoms(sp.Indexed) if x.indices == (S.j,)}, key=lambda b: b.label.name
        )
        odum = [sp.Dummy(f"v_{b.label.name}") for b in outer]
        body = body.xreplace({b[S.j]: v for b, v in zip(outer, odum, strict=True)})
        return body, outer, odum

    def kernel(
        self, values: dict[str, np.ndarray], functionals: dict[tuple[str, sp.Expr], np.ndarray]
    ) -> np.ndarray:
        """Evaluate with precomputed named functionals (no validation; used by ``predict``)."""
        fn = self._kernel[0]
        args = [values[p] for p in self.parameters]
        args += [functionals[key] for key in self.functional_keys]
        return np.asarray(fn(*args), dtype=float)

    # ----------------------------------------------------------------- evaluation
    @cached_property
    def _regime_checks(self) -> tuple:
        """Each condition lambdified once: ``(condition, symbols, function)``."""
        out = []
        for cond in self.regime:
            syms = sorted(cond.relation.free_symbols, key=lambda s: s.name)
            out.append((cond, syms, sp.lambdify(syms, cond.relation, modules="numpy")))
        return tuple(out)

    def check_regime(self, values: dict[str, Any]) -> None:
        """Raise ``ValueError`` if some point of ``values`` lies outside the regime."""
        for cond, syms, fn in self._regime_checks:
            missing = [s.name for s in syms if s.name not in values]
            if missing:
                continue
            ok = np.asarray(fn(*[np.asarray(values[s.name], dtype=float) for s in syms]))
            if not np.all(ok):
                raise ValueError(
                    f"{self.name} holds only for {cond.text} ({sp.sstr(cond.relation)}); "
                    "pass check=False to evaluate outside its regime"
                )

    def evaluate(
        self,
        *,
        eigenvalues=None,
        w0=None,
        check: bool = True,
        backend: str = "numpy",
        dps: int = 50,
        **values: Any,
    ):
        """Evaluate the formula, vectorized over array-valued arguments.

        Arguments are the canonical symbol names (``T=..., lam=...``).  Spectral formulas need
        ``eigenvalues`` (and ``w0`` when the target enters); ``d`` is then their length.  If the
        formula depends on ``kappa`` (``kappa0``) and it is not given, it is solved from ``lam``
        and ``T`` (from ``T0`` with zero ridge).  ``check=False`` skips the regime check.
        ``backend="mpmath"`` evaluates point by point at ``dps`` digits and returns an object array
        of ``mpf``.  The work is done by the numeric layer
        (:func:`symcollapse.numeric.formula_evaluation.evaluate_formula`).
        """
        return _hooks.backend("formula.evaluate")(
            self, eigenvalues=eigenvalues, w0=w0, check=check, backend=backend, dps=dps, **values
        )

    @cached_property
    def _constant_schedule(self) -> Formula:
        """This formula with every per-generation value equal (``T0[m] -> T0``), the sums and
        products over generations done by SymPy: a formula in ``n`` and the scalars."""
        import dataclasses

        to_scalar = {base: S.by_name(name) for name, base in S.SCHEDULES.items()}

        def flat(e):
            e = e.replace(
                lambda x: isinstance(x, sp.Indexed) and x.base in to_scalar, lambda x: to_scalar[x.base]
            )
            return e.doit() if isinstance(e, sp.Expr) else e

        regime = tuple(Condition(flat(c.relation), c.text.replace("[m]", "")) for c in self.regime)
        return dataclasses.replace(self, expr=sp.simplify(flat(self.expr)), regime=regime, numeric_expr=None)

    def _evaluate_schedule(self, schedules, values, **options):
        """Formulas over per-generation schedules: ``T0=per_generation([...])`` (n values); the
        other scheduled parameters per_generation too, or one number for every generator."""
        import dataclasses

        given = {}
        for name in schedules:
            if name not in values:
                raise TypeError(
                    f"{self.name}() needs {name}=per_generation([...]) (one value "
                    "per generator) or one number for every generator"
                )
            given[name] = values.pop(name)
        lengths = {len(v) for v in given.values() if isinstance(v, PerGeneration)}
        if len(lengths) != 1:
            raise ValueError(f"the schedules {sorted(given)} must have the same length")
        count = lengths.pop()
        seqs = {}
        for name, value in given.items():
            if isinstance(value, PerGeneration):
                seqs[name] = np.asarray(value, dtype=float)
                continue
            arr = as_float_array(value, name)
            if arr.ndim:
                raise ValueError(
                    f"{name}: with another parameter given per_generation, {name} "
                    "must be one number or per_generation([...]), not a grid"
                )
            seqs[name] = np.full(count, float(arr))
        if "n" in values and np.any(np.asarray(values["n"]) != count):
            raise ValueError(f"n = {values['n']} does not match the schedule length {count}")
        values.pop("n", None)
        subs = {
            schedules[name][k]: sp.Float(float(v)) for name, arr in seqs.items() for k, v in enumerate(arr)
        }
        expr = self.expr.subs(S.n, count).doit().xreplace(subs)
        regime = []
        for cond in self.regime:
            if not any(cond.relation.has(base) for base in schedules.values()):
                regime.append(cond)
                continue
            for k in range(count):
                rel = cond.relation.subs(S.m, k).xreplace(subs)
                regime.append(Condition(rel, f"{cond.text} (generator {k})"))
        flat = dataclasses.replace(self, expr=expr, regime=tuple(regime), numeric_expr=None)
        return flat.evaluate(**options, **values)

    @staticmethod
    def _summand(s: sp.Sum, vecs):
        """The summand of ``s`` with every ``x[j]`` replaced by a dummy: (expr, bases, dummies)."""
        bases = sorted(
            {x.base for x in s.function.atoms(sp.Indexed) if x.indices == (S.j,)}, key=lambda b: b.label.name
        )
        missing = [b.label.name for b in bases if b not in vecs]
        if missing:
            raise TypeError(f"a spectral sum needs {missing} (pass eigenvalues= and w0=)")
        dums = [sp.Dummy(f"v_{b.label.name}") for b in bases]
        summand = s.function.xreplace({b[S.j]: v for b, v in zip(bases, dums, strict=True)})
        return summand, bases, dums

    def _sum_numpy(self, s: sp.Sum, vals, vecs, shape) -> np.ndarray:
        summand, bases, dums = self._summand(s, vecs)
        params = sorted((summand.free_symbols - set(dums)), key=lambda x: x.name)
        fn = sp.lambdify([*dums, *params], summand, modules=["scipy", "numpy"])
        args = [np.broadcast_to(vals[p.name], shape)[..., None] for p in params]
        d = vecs[S.eig].size
        with np.errstate(all="ignore"):
            terms = np.broadcast_to(fn(*[vecs[b] for b in bases], *args), shape + (d,))
        return terms.sum(axis=-1)

    def _evaluate_mpmath(self, vals, vecs, dps):
        sums = sum_atoms(self._eval_expr)
        dummies = [sp.Dummy(f"s{i}") for i in range(len(sums))]
        body = self._eval_expr.xreplace(dict(zip(sums, dummies, strict=True)))
        body, outer, odum = self._outer(body)
        syms = [self._symbols[p] for p in self.parameters]
        fn = sp.lambdify(syms + dummies + odum, body, modules="mpmath")
        sum_fns = []
        for s in sums:
            summand, bases, dums = self._summand(s, vecs)
            sum_fns.append((sp.lambdify([*dums, *syms], summand, modules="mpmath"), bases))
        shape = np.broadcast_shapes(*(np.shape(vals[p]) for p in self.parameters))
        arrays = [np.broadcast_to(vals[p], shape) for p in self.parameters]
        d = vecs[S.eig].size if S.eig in vecs else 0
        full = shape + ((d,) if self.per_eigenvalue else ())
        out = np.empty(full, dtype=object)
        with mpmath.workdps(dps):
            mv = {b: [mpmath.mpf(float(x)) for x in v] for b, v in vecs.items()}
            for idx in np.ndindex(shape):
                point = [mpmath.mpf(float(a[idx])) for a in arrays]
                svals = [
                    mpmath.fsum(f(*xs, *point) for xs in zip(*[mv[b] for b in bases], strict=True))
                    for f, bases in sum_fns
                ]
                if self.per_eigenvalue:
                    for k in range(d):
                        out[idx + (k,)] = fn(*point, *svals, *[mv[b][k] for b in outer])
                else:
                    out[idx] = fn(*point, *svals)
        return out[()] if out.ndim == 0 else out
