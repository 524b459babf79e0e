r"""The :class:`Formula`: a derived SymPy expression with its regime, reference and evaluators.

A formula knows

* ``expr``: the expression, in the canonical symbols of :mod:`symcollapse.symbols`; spectral
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

from . import symbols as S
from .functionals import display_form, known_functional, sum_atoms

__all__ = ["Formula", "Condition", "Step", "print_order"]


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
            return sp.latex(display_form(self.expr) if isinstance(self.expr, sp.Expr) else self.expr,
                            symbol_names=S.LATEX_NAMES, order=print_order(self.expr))
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
        body = _tex(self.expr) if display_functionals else sp.latex(
            self.expr, symbol_names=S.LATEX_NAMES, order=print_order(self.expr))
        return f"{self.lhs} {self.relation} {body}"

    def regime_text(self) -> str:
        return "; ".join(c.text for c in self.regime) if self.regime else "no condition"

    def regime_latex(self) -> str:
        return ",\\ ".join(c.latex() for c in self.regime)

    def _repr_latex_(self) -> str:
        from .export import jupyter

        return jupyter(self, "latex")

    def _repr_markdown_(self) -> str:
        from .export import jupyter

        return jupyter(self, "markdown")

    def __repr__(self) -> str:
        return f"Formula({self.name!r}: {self.lhs} {self.relation} {sp.sstr(self.expr)})"

    # ----------------------------------------------------------------- parameters
    @cached_property
    def parameters(self) -> tuple[str, ...]:
        """Names of the canonical symbols the expression depends on (sorted)."""
        free = set(self.expr.free_symbols) - {S.j, S.eig.label, S.coef.label}
        free = {s for s in free if isinstance(s, sp.Symbol)}
        return tuple(sorted(s.name for s in free))

    @cached_property
    def _symbols(self) -> dict[str, sp.Symbol]:
        """The expression's free symbols by name (canonical or local to the formula)."""
        return {s.name: s for s in self._eval_expr.free_symbols | self.expr.free_symbols
                if isinstance(s, sp.Symbol)}

    @cached_property
    def spectral(self) -> bool:
        """Whether the expression contains spectral sums (needs ``eigenvalues``)."""
        return bool(sum_atoms(self.expr))

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
        args = [self._symbols[p] for p in self.parameters] + dummies
        return sp.lambdify(args, body, modules=["scipy", "numpy"]), sums

    @cached_property
    def _kernel_keys(self) -> tuple[tuple[str, sp.Expr], ...]:
        return tuple(known_functional(s) for s in self._kernel[1])

    def kernel(self, values: dict[str, np.ndarray],
               functionals: dict[tuple[str, sp.Expr], np.ndarray]) -> np.ndarray:
        """Evaluate with precomputed named functionals (no validation; used by ``predict``)."""
        fn, _ = self._kernel
        args = [values[p] for p in self.parameters]
        args += [functionals[key] for key in self._kernel_keys]
        return np.asarray(fn(*args), dtype=float)

    # ----------------------------------------------------------------- evaluation
    def check_regime(self, values: dict[str, Any]) -> None:
        """Raise ``ValueError`` if some point of ``values`` lies outside the regime."""
        for cond in self.regime:
            syms = sorted(cond.relation.free_symbols, key=lambda s: s.name)
            missing = [s.name for s in syms if s.name not in values]
            if missing:
                continue
            fn = sp.lambdify(syms, cond.relation, modules="numpy")
            ok = np.asarray(fn(*[np.asarray(values[s.name], dtype=float) for s in syms]))
            if not np.all(ok):
                raise ValueError(
                    f"{self.name} holds only for {cond.text} ({sp.sstr(cond.relation)}); "
                    "pass check=False to evaluate outside its regime"
                )

    def evaluate(self, *, eigenvalues=None, w0=None, check: bool = True,
                 backend: str = "numpy", dps: int = 50, **values: Any):
        """Evaluate the formula, vectorized over array-valued arguments.

        Arguments are the canonical symbol names (``T=..., lam=...``).  Spectral formulas need
        ``eigenvalues`` (and ``w0`` when the target enters); ``d`` is then their length.  If the
        formula depends on ``kappa`` (``kappa0``) and it is not given, it is solved from ``lam``
        and ``T`` (from ``T0`` with zero ridge).  ``check=False`` skips the regime check.
        ``backend="mpmath"`` evaluates point by point at ``dps`` digits and returns an object array
        of ``mpf``.
        """
        from ._validation import as_float_array, spectrum_arrays
        from .pipeline.schedule import PerGeneration

        schedules = {k: base for k, base in S.SCHEDULES.items() if self.expr.has(base)}
        if schedules:
            options = dict(check=check, backend=backend, dps=dps, eigenvalues=eigenvalues, w0=w0)
            if any(isinstance(values.get(name), PerGeneration) for name in schedules):
                return self._evaluate_schedule(schedules, values, **options)
            # numbers and arrays: the same value for every generator (a grid, as in predict)
            return self._constant_schedule.evaluate(**options, **values)
        if backend not in ("numpy", "mpmath"):
            raise ValueError(f"backend must be 'numpy' or 'mpmath', got {backend!r}")
        unknown = set(values) - set(self.parameters) - {"lam", "T", "T0", "phi", "phi0"}
        if unknown:
            raise TypeError(f"{self.name}() got unexpected argument(s) {sorted(unknown)}; "
                            f"it takes {list(self.parameters)}")
        eigs = coefs = None
        if self.spectral:
            if eigenvalues is None:
                raise TypeError(f"{self.name} contains spectral sums: pass eigenvalues=")
            from .power_law import PowerLaw

            if isinstance(eigenvalues, PowerLaw):
                eigs, coefs = spectrum_arrays(eigenvalues, w0)
            else:
                if self.needs_w0 and w0 is None:
                    raise TypeError(f"{self.name} depends on the target: pass w0=")
                eigs, coefs = spectrum_arrays(
                    eigenvalues, w0 if w0 is not None else np.zeros(np.size(eigenvalues)))
            if "d" in values and np.any(np.asarray(values["d"]) != eigs.size):
                raise ValueError(f"d={values['d']} does not match len(eigenvalues)={eigs.size}")
            values["d"] = eigs.size
        vals = {k: as_float_array(v, k) for k, v in values.items()}
        self._fill_kappa(vals, eigs)
        missing = [p for p in self.parameters if p not in vals]
        if missing:
            raise TypeError(f"{self.name}() missing argument(s) {missing}")
        if check:
            self.check_regime(vals)
        if backend == "mpmath":
            return self._evaluate_mpmath(vals, eigs, coefs, dps)
        shape = np.broadcast_shapes(*(np.shape(vals[p]) for p in self.parameters))
        fn, sums = self._kernel
        args = [np.broadcast_to(vals[p], shape) for p in self.parameters]
        args += [self._sum_numpy(s, vals, eigs, coefs, shape) for s in sums]
        with np.errstate(all="ignore"):
            out = np.broadcast_to(np.asarray(fn(*args), dtype=float), shape).copy()
        if not np.all(np.isfinite(out)):
            bad = np.argwhere(~np.isfinite(out))[:3].tolist()
            raise ValueError(f"{self.name} is not finite at index {bad} of the inputs: "
                             "the parameters lie outside the formula's domain")
        return out[()] if out.ndim == 0 else out

    @cached_property
    def _constant_schedule(self) -> Formula:
        """This formula with every per-generation value equal (``T0[m] -> T0``), the sums and
        products over generations done by SymPy: a formula in ``n`` and the scalars."""
        import dataclasses

        to_scalar = {base: S.by_name(name) for name, base in S.SCHEDULES.items()}

        def flat(e):
            e = e.replace(lambda x: isinstance(x, sp.Indexed) and x.base in to_scalar,
                          lambda x: to_scalar[x.base])
            return e.doit() if isinstance(e, sp.Expr) else e

        regime = tuple(Condition(flat(c.relation), c.text.replace("[m]", "")) for c in self.regime)
        return dataclasses.replace(self, expr=sp.simplify(flat(self.expr)), regime=regime,
                                   numeric_expr=None)

    def _evaluate_schedule(self, schedules, values, **options):
        """Formulas over per-generation schedules: ``T0=per_generation([...])`` (n values); the
        other scheduled parameters per_generation too, or one number for every generator."""
        import dataclasses

        from ._validation import as_float_array
        from .pipeline.schedule import PerGeneration

        given = {}
        for name in schedules:
            if name not in values:
                raise TypeError(f"{self.name}() needs {name}=per_generation([...]) (one value "
                                "per generator) or one number for every generator")
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
                raise ValueError(f"{name}: with another parameter given per_generation, {name} "
                                 "must be one number or per_generation([...]), not a grid")
            seqs[name] = np.full(count, float(arr))
        if "n" in values and np.any(np.asarray(values["n"]) != count):
            raise ValueError(f"n = {values['n']} does not match the schedule length {count}")
        values.pop("n", None)
        subs = {schedules[name][k]: sp.Float(float(v)) for name, arr in seqs.items()
                for k, v in enumerate(arr)}
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

    def _fill_kappa(self, vals: dict[str, np.ndarray], eigs) -> None:
        from .kappa import kappa_for

        needs = set(self.parameters)
        size, size0 = ("T", "T0") if eigs is not None else ("phi", "phi0")
        if "kappa" in needs and "kappa" not in vals:
            if "lam" not in vals or size not in vals:
                raise TypeError(f"{self.name}() needs kappa, or lam and {size} to solve for it")
            vals["kappa"] = kappa_for(eigs, vals, generator=False)
        if "kappa0" in needs and "kappa0" not in vals:
            if size0 not in vals:
                raise TypeError(f"{self.name}() needs kappa0, or {size0} to solve for it")
            vals["kappa0"] = kappa_for(eigs, vals, generator=True)

    def _sum_numpy(self, s: sp.Sum, vals, eigs, coefs, shape) -> np.ndarray:
        lj, cj = sp.Dummy("l"), sp.Dummy("c")
        summand = s.function.xreplace({S.eig[S.j]: lj, S.coef[S.j]: cj})
        params = sorted((summand.free_symbols - {lj, cj}), key=lambda x: x.name)
        fn = sp.lambdify([lj, cj, *params], summand, modules=["scipy", "numpy"])
        args = [np.broadcast_to(vals[p.name], shape)[..., None] for p in params]
        with np.errstate(all="ignore"):
            terms = np.broadcast_to(fn(eigs, coefs, *args), shape + eigs.shape)
        return terms.sum(axis=-1)

    def _evaluate_mpmath(self, vals, eigs, coefs, dps):
        sums = sum_atoms(self._eval_expr)
        dummies = [sp.Dummy(f"s{i}") for i in range(len(sums))]
        body = self._eval_expr.xreplace(dict(zip(sums, dummies, strict=True)))
        syms = [self._symbols[p] for p in self.parameters]
        fn = sp.lambdify(syms + dummies, body, modules="mpmath")
        lj, cj = sp.Dummy("l"), sp.Dummy("c")
        sum_fns = []
        for s in sums:
            summand = s.function.xreplace({S.eig[S.j]: lj, S.coef[S.j]: cj})
            sum_fns.append(sp.lambdify([lj, cj, *syms], summand, modules="mpmath"))
        shape = np.broadcast_shapes(*(np.shape(vals[p]) for p in self.parameters))
        arrays = [np.broadcast_to(vals[p], shape) for p in self.parameters]
        out = np.empty(shape, dtype=object)
        with mpmath.workdps(dps):
            ml = [mpmath.mpf(float(x)) for x in eigs] if eigs is not None else []
            mc = [mpmath.mpf(float(x)) for x in coefs] if coefs is not None else []
            for idx in np.ndindex(shape):
                point = [mpmath.mpf(float(a[idx])) for a in arrays]
                svals = [mpmath.fsum(f(x, c, *point) for x, c in zip(ml, mc, strict=True))
                         for f in sum_fns]
                out[idx] = fn(*point, *svals)
        return out[()] if out.ndim == 0 else out
