r"""Numeric evaluation of a :class:`~symcollapse.Formula`: :meth:`Formula.evaluate` lands here.

The symbolic layer owns the expression, its regime and its lambdified kernels; this module
validates the inputs, turns a spectrum (arrays or a :class:`~symcollapse.PowerLaw`) into arrays,
solves the effective regularisation :math:`\kappa` (:math:`\lambda=\kappa(1-\mathrm{df}_1(\kappa)/T)`)
when a formula needs it and is not given, and checks the regime.  Registered as the
``"formula.evaluate"`` backend (see :mod:`symcollapse._hooks`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from symcollapse import _hooks
from symcollapse._validation import as_float_array
from symcollapse.numeric.kappa import auto_method, kappa_residual, solve_kappa
from symcollapse.numeric.power_law import PowerLaw
from symcollapse.numeric.spectra import spectrum_arrays
from symcollapse.numeric.spectral import SpectralFunctionals
from symcollapse.pipeline.schedule import PerGeneration
from symcollapse.symbolic import symbols as S
from symcollapse.symbolic.catalogue import formula
from symcollapse.symbolic.formula import Formula, check_domain

__all__ = ["evaluate_formula", "kappa_for"]


def evaluate_formula(
    self: Formula,
    *,
    eigenvalues=None,
    w0=None,
    check: bool = True,
    backend: str = "numpy",
    dps: int = 50,
    **values: Any,
):
    """:meth:`Formula.evaluate` (its docstring says what it does): evaluate ``self``,
    vectorized over array-valued arguments.

    Arguments are the canonical symbol names (``T=..., lam=...``).  Spectral formulas need
    ``eigenvalues`` (and ``w0`` when the target enters); ``d`` is then their length.  If the
    formula depends on ``kappa`` (``kappa0``) and it is not given, it is solved from ``lam``
    and ``T`` (from ``T0`` with zero ridge).  ``check=False`` skips the regime check.
    ``backend="mpmath"`` evaluates point by point at ``dps`` digits and returns an object array
    of ``mpf``.
    """
    schedules = {k: base for k, base in S.SCHEDULES.items() if self.expr.has(base)}
    if schedules:
        options = dict(check=check, backend=backend, dps=dps, eigenvalues=eigenvalues, w0=w0)
        if any(isinstance(values.get(name), PerGeneration) for name in schedules):
            return self._evaluate_schedule(schedules, values, **options)
        # numbers and arrays: the same value for every generator (a grid, as in predict)
        return self._constant_schedule.evaluate(**options, **values)
    if backend not in ("numpy", "mpmath"):
        raise ValueError(f"backend must be 'numpy' or 'mpmath', got {backend!r}")
    if backend == "mpmath" and (
        isinstance(dps, bool) or not isinstance(dps, (int, np.integer)) or not 5 <= dps <= 10_000
    ):
        raise ValueError(f"dps must be an integer in [5, 10000] (decimal digits), got {dps!r}")
    if not isinstance(check, (bool, np.bool_)):
        raise TypeError(f"check must be True or False, got {check!r}")
    vectors = {name: values.pop(name) for name in list(values) if name in self.vectors}
    missing_vec = [name for name in self.vectors if name not in vectors]
    if missing_vec:
        raise TypeError(f"{self.name}() needs {missing_vec} (one value per eigenvalue)")
    unknown = set(values) - set(self.parameters) - {"lam", "T", "T0", "phi", "phi0"}
    if unknown:
        raise TypeError(
            f"{self.name}() got unexpected argument(s) {sorted(unknown)}; it takes {list(self.parameters)}"
        )
    eigs: np.ndarray | None = None
    coefs: np.ndarray | None = None
    if self.spectral:
        if eigenvalues is None:
            raise TypeError(f"{self.name} contains spectral sums: pass eigenvalues=")
        if isinstance(eigenvalues, PowerLaw):
            eigs, coefs = spectrum_arrays(eigenvalues, w0)
        else:
            if self.needs_w0 and w0 is None:
                raise TypeError(f"{self.name} depends on the target: pass w0=")
            eigs, coefs = spectrum_arrays(
                eigenvalues, w0 if w0 is not None else np.zeros(np.size(eigenvalues))
            )
        if "d" in values and np.any(np.asarray(values["d"]) != eigs.size):
            raise ValueError(f"d={values['d']} does not match len(eigenvalues)={eigs.size}")
        values["d"] = eigs.size
    vals = {k: as_float_array(v, k) for k, v in values.items()}
    for k, v in vals.items():
        check_domain(k, v)
    size = 0 if eigs is None else eigs.size  # vectors belong to spectral formulas only
    vecs = {}
    for k, v in vectors.items():
        arr = as_float_array(v, k)
        if arr.shape != (size,):
            raise ValueError(
                f"{k} must be a 1-D array with one value per eigenvalue "
                f"(length {size}), got shape {arr.shape}"
            )
        check_domain(k, arr)
        vecs[self.vectors[k]] = arr
    _fill_kappa(self, vals, eigs, check)
    missing = [p for p in self.parameters if p not in vals]
    if missing:
        raise TypeError(f"{self.name}() missing argument(s) {missing}")
    if check:
        self.check_regime(vals)
    if eigs is not None and coefs is not None:
        vecs[S.eig], vecs[S.coef] = eigs, coefs
    if backend == "mpmath":
        return self._evaluate_mpmath(vals, vecs, dps)
    shape = np.broadcast_shapes(*(np.shape(vals[p]) for p in self.parameters))
    fn, sums, outer = self._kernel
    args = [np.broadcast_to(vals[p], shape) for p in self.parameters]
    args += [self._sum_numpy(s, vals, vecs, shape) for s in sums]
    if self.per_eigenvalue:
        args = [a[..., None] for a in args] + [vecs[b] for b in outer]
        shape = shape + (size,)
    with np.errstate(all="ignore"):
        out = np.broadcast_to(np.asarray(fn(*args), dtype=float), shape).copy()
    if not np.all(np.isfinite(out)):
        bad = np.argwhere(~np.isfinite(out))[:3].tolist()
        raise ValueError(
            f"{self.name} is not finite at index {bad} of the inputs: "
            "the parameters lie outside the formula's domain"
        )
    return out[()] if out.ndim == 0 else out


def _fill_kappa(self: Formula, vals: dict[str, np.ndarray], eigs, check: bool = True) -> None:
    needs = set(self.parameters)
    size, size0 = ("T", "T0") if eigs is not None else ("phi", "phi0")
    for k_name, n_name in (("kappa", size), ("kappa0", size0)):
        if check and k_name in needs and k_name in vals and n_name in vals:
            _check_kappa(self, vals, eigs, k_name, n_name)
    if "kappa" in needs and "kappa" not in vals:
        if "lam" not in vals or size not in vals:
            raise TypeError(f"{self.name}() needs kappa, or lam and {size} to solve for it")
        vals["kappa"] = kappa_for(eigs, vals, generator=False)
    if "kappa0" in needs and "kappa0" not in vals:
        if size0 not in vals:
            raise TypeError(f"{self.name}() needs kappa0, or {size0} to solve for it")
        vals["kappa0"] = kappa_for(eigs, vals, generator=True)


def _check_kappa(self: Formula, vals, eigs, k_name: str, n_name: str) -> None:
    """An explicit kappa must be an effective regularisation at its sample size:
    ``T - df1(kappa) >= 0`` (``kappa >= phi - 1`` isotropic), and equal kappa(lam, T) when
    ``lam`` is given too (relative 1e-8).  Part of the regime: skipped with ``check=False``."""
    k = vals[k_name]
    if eigs is None:
        phi = vals[n_name]
        if np.any(k < phi - 1 - 1e-12 * np.maximum(phi, 1)):
            raise ValueError(
                f"{k_name} = {k!r} is below kappa(0, {n_name}) = {n_name} - 1 "
                f"for {n_name} = {phi!r}: not an effective regularisation"
            )
        return
    kk, NN = np.broadcast_arrays(k, vals[n_name])
    if np.any(kk == 0):
        return  # ridgeless, N >= d: checked by the regime
    G, Gu = kappa_residual(SpectralFunctionals(eigs, np.zeros_like(eigs)), kk, 0.0, NN)
    if np.any(G < -1e-12 * Gu):
        raise ValueError(
            f"{k_name} = {k!r} is below kappa(0, {n_name}): {n_name} - "
            f"df1({k_name}) < 0, so it is not an effective regularisation at "
            f"{n_name} = {vals[n_name]!r}"
        )
    if k_name == "kappa" and "lam" in vals and "lam" not in self.parameters:
        implied = kk.reshape(-1) * G / NN.reshape(-1)  # lam = kappa (T - df1)/T
        lam = np.broadcast_to(vals["lam"], kk.shape).reshape(-1)
        if not np.allclose(implied, lam, rtol=1e-8, atol=1e-300):
            raise ValueError(
                f"kappa = {k!r} is not kappa(lam, T) for lam = {vals['lam']!r}, "
                f"T = {vals[n_name]!r} (it solves lam = {implied!r}); omit "
                "kappa to have it solved"
            )


def kappa_for(eigs, vals: dict, *, generator: bool) -> np.ndarray:
    """kappa(lam, T) (or kappa0 = kappa(0, T0) when ``generator``) for ``Formula.evaluate``."""
    if eigs is None:
        if generator:
            if "phi0" not in vals:
                raise TypeError("kappa0 needs eigenvalues= (general Sigma) or phi0= (isotropic)")
            return formula("kappa_isotropic").evaluate(lam=0.0, phi=vals["phi0"])
        if "phi" not in vals or "lam" not in vals:
            raise TypeError("kappa needs eigenvalues= (general Sigma) or lam= and phi= (isotropic)")
        return formula("kappa_isotropic").evaluate(lam=vals["lam"], phi=vals["phi"])
    fun = SpectralFunctionals(eigs, np.zeros_like(eigs))
    lam, size = (0.0, vals["T0"]) if generator else (vals["lam"], vals["T"])
    points = int(np.broadcast(np.asarray(lam), np.asarray(size)).size)
    return solve_kappa(fun, lam, size, method=auto_method(fun, points))


_hooks.register("formula.evaluate", evaluate_formula)
