r"""``predict``: the theory's test error of the chain, vectorized over parameter grids.

.. math:: E_{test}(\hat w_n^{pred}) \simeq \underbrace{Bias+Var}_{\text{clean, Prop. 4.2}}
          + \underbrace{n\sigma_0^2\rho}_{\text{collapse, eq. (19)}}

with the exact inverse-Wishart generator factor :math:`1/(T_0-d-1)` (SPEC decision 2), and the
exact Theorem 4.1 when the downstream model is ridgeless with :math:`T\ge d+2`.  With
over-parameterised generators (:math:`T_0<d`) or per-generation schedules, the collapse term also
carries the bias increase, from the peeling recursion of :mod:`symcollapse.chain` (NumPy, tested
against its SymPy derivation and eq. (18)).  The clean part and eq. (19) are lambdified catalogue
formulas; only the spectral functionals
(:math:`\mathrm{df}_1,\mathrm{df}_2`, the bias functional, :math:`\operatorname{tr}(\Sigma+\kappa)^{-2}`)
are computed numerically, by direct sums or by a Chebyshev table (:mod:`.spectral_numerics`).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from functools import cache

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike

from . import _validation as V
from . import symbols as S
from .catalogue import formula
from .chain import chain_collapse, generator_chain
from .kappa import solve_kappa
from .power_law import PowerLaw
from .spectral_numerics import PowerLawFunctionals, SpectralFunctionals

__all__ = ["predict", "Prediction", "PerGeneration", "per_generation"]

#: above this many (grid points x eigenvalues), ``method="auto"`` uses the Chebyshev table.
_EXACT_BUDGET = 2_000_000
_CACHE: OrderedDict[bytes, SpectralFunctionals] = OrderedDict()


@dataclass(frozen=True)
class Prediction:
    """Theory's prediction; arrays broadcast over the inputs (floats for scalar inputs).

    ``test_error == bias + variance + collapse``; ``kappa`` is kappa(lam, T).
    """

    test_error: np.ndarray
    bias: np.ndarray
    variance: np.ndarray
    collapse: np.ndarray
    kappa: np.ndarray

    def __float__(self) -> float:
        return float(self.test_error)


def _functionals(eigenvalues, w0) -> SpectralFunctionals:
    """The (cached) functionals of a spectrum given as arrays or as a ``PowerLaw``."""
    if isinstance(eigenvalues, PowerLaw):
        if w0 is not None:
            raise TypeError("pass either a PowerLaw or the pair (eigenvalues, w0), not both")
        key = repr(eigenvalues).encode()
        make = lambda: PowerLawFunctionals(eigenvalues)  # noqa: E731
    else:
        eigs, coefs = V.as_spectrum(eigenvalues, w0)
        key = eigs.tobytes() + b"|" + coefs.tobytes()
        make = lambda: SpectralFunctionals(eigs, coefs)  # noqa: E731
    fun = _CACHE.get(key)
    if fun is None:
        fun = make()
        _CACHE[key] = fun
        while len(_CACHE) > 8:
            _CACHE.popitem(last=False)
    else:
        _CACHE.move_to_end(key)
    return fun


@cache
def _ols_parts():
    """Downstream variance and collapse coefficient of Theorem 4.1 (exact), lambdified."""
    expr = formula("theorem_4_1_exact").expr
    variance = expr.subs(S.n, 0)
    rho = sp.simplify(sp.diff(expr, S.n) / S.sigma0**2)
    return (sp.lambdify((S.sigma, S.d, S.T), variance, "numpy"),
            sp.lambdify((S.d, S.T0), rho, "numpy"))


class PerGeneration(tuple):
    """A per-generation schedule (one value per generator, m = 0..n-1) for ``T0`` or ``sigma0``.

    ``sc.predict(..., n=3, T0=sc.per_generation([600, 900, 1200]))``; a plain array is a grid.
    """


def per_generation(values) -> PerGeneration:
    """Wrap ``values`` as a per-generation schedule (see :class:`PerGeneration`)."""
    arr = V.as_float_array(values, "schedule")
    if arr.ndim != 1:
        raise ValueError("a per-generation schedule must be a 1-D sequence, one value per generator")
    return PerGeneration(float(x) for x in arr)


def _check_generator(T0: np.ndarray, sigma0: np.ndarray, used: np.ndarray, d: int,
                     lam0: np.ndarray | float = 0.0) -> None:
    """The generator sizes for which the expected error is finite (least-squares generators)."""
    bad = used & (sigma0 > 0) & (T0 > d - 2) & (T0 < d + 2) & (np.asarray(lam0) == 0)
    if np.any(bad):
        raise ValueError(f"T0 must be <= d - 2 = {d - 2} or >= d + 2 = {d + 2} when sigma0 > 0: "
                         f"for T0 in [d - 1, d + 1] the generator's noise has an infinite "
                         "(inverse-Wishart) mean error (or give the generators a ridge lam0 > 0)")


def _check_ridge_design(lam0: np.ndarray, n: np.ndarray, design: str) -> None:
    if design == "same" and np.any((np.asarray(lam0) > 0) & (np.asarray(n) > 0)):
        raise ValueError("lam0 > 0 (ridge generators) needs design='independent': the theory of "
                         "a ridge generator reusing one design X0 is not implemented")


def _schedules(n, T0, sigma0, d: int, design: str, lam0=0.0):
    """Validate per-generation schedules; return (T0s, sigma0s, lam0s) or None."""
    if not any(isinstance(x, PerGeneration) for x in (T0, sigma0, lam0)):
        return None
    if n.ndim != 0:
        raise ValueError("with a per-generation schedule, n must be a single integer")
    count_n = int(n)
    for name, value in (("T0", T0), ("sigma0", sigma0), ("lam0", lam0)):
        if np.ndim(value) and not isinstance(value, PerGeneration):
            raise ValueError(f"with a per-generation schedule, {name} must be a number or "
                             "per_generation([...]), not a grid")
    if T0 is None:
        if count_n > 0:
            raise ValueError("T0 is required when n > 0 (the sample size of each generator)")
        T0s: tuple[float, ...] = ()
    else:
        T0s = V.per_generation(T0, "T0", count_n, V.sample_size)
    s0s = V.per_generation(sigma0, "sigma0", count_n, V.nonnegative)
    l0s = V.per_generation(lam0, "lam0", count_n, V.nonnegative)
    _check_generator(np.array(T0s), np.array(s0s), np.ones(count_n, bool), d, np.array(l0s))
    _check_ridge_design(np.array(l0s), np.ones(count_n), design)
    V.one_design(T0s, design)
    return T0s, s0s, l0s


def predict(eigenvalues: ArrayLike | PowerLaw, w0: ArrayLike | None = None, *, T: ArrayLike,
            lam: ArrayLike = 0.0,
            n: ArrayLike = 0, T0: ArrayLike | None = None, sigma: ArrayLike = 0.0,
            sigma0: ArrayLike = 0.0, design: str = "independent",
            method: str = "auto", lam0: ArrayLike = 0.0) -> Prediction:
    r"""Theory's test error of ridge trained on the ``n``-th generation of fake data.

    Parameters
    ----------
    eigenvalues, w0 : 1-D arrays of equal length ``d``, or a :class:`~symcollapse.PowerLaw`
        Eigenvalues of :math:`\Sigma` (positive) and the target's coefficients in its eigenbasis;
        a ``PowerLaw`` (``w0`` omitted) is evaluated at a cost independent of its ``d``
        (``d=None``: infinitely many modes).
    T, lam, n, T0, sigma, sigma0 : numbers or arrays (broadcast together)
        Downstream sample size (``>= 1``) and ridge (``>= 0``, per-sample normalised), number
        of generations (integer ``>= 0``), generator sample size (``>= 1``; required when
        ``n > 0``; a noisy generator needs ``T0 <= d - 2`` or ``T0 >= d + 2``), downstream and
        generator label-noise levels (``>= 0``).  ``T0`` and ``sigma0`` may instead be
        per-generation schedules, :func:`per_generation` (then ``n`` is one integer).
    lam0 : number, array or :func:`per_generation` schedule
        The generators' ridge :math:`\lambda_0\ge0` (per-sample normalised, like ``lam``):
        generator :math:`m+1` is :math:`\hat w_{m+1}=\arg\min_w\frac1{T_0}\|X_mw-\bar Y_m\|^2
        +\lambda_0\|w\|^2`.  ``0`` (default) gives least-squares (minimum-norm) generators, the
        paper's setting.  With ``lam0 > 0`` the chain is the recursion of
        :mod:`symcollapse.theory.ridge_generators` (one deterministic equivalent per generator,
        :math:`\kappa_0=\kappa(\lambda_0,T_0)`), for independent designs only.
    design : ``"independent"`` or ``"same"``
        Fresh designs per generator, or the same ``X0`` reused (condition (17)); the two agree
        for ``T0 >= d``.  Over-parameterised generators (``T0 < d``) use the peeling recursion
        (:mod:`symcollapse.chain`), under-parameterised ones eq. (19) with the exact factor.
    method : ``"auto"``, ``"exact"`` or ``"table"``
        How the spectral functionals are evaluated: direct sums, or the Chebyshev table
        (``O(1)`` per grid point after ``O(d)`` work per panel; relative error ~1e-13).

    Regime: Prop. 4.2 and eq. (19) are deterministic equivalents (error ``O(1/d)``); the
    ridgeless case with ``T >= d + 2`` uses the exact Theorem 4.1.  ``lam = 0`` with ``T`` in
    ``[d, d + 1]`` is refused (infinite inverse-Wishart mean).
    """
    fun = _functionals(eigenvalues, w0)
    d = fun.d
    T = V.sample_size(T, "T")
    lam = V.nonnegative(lam, "lam")
    n = V.count(n, "n")
    sigma = V.nonnegative(sigma, "sigma")
    V.design(design)
    if method not in ("auto", "exact", "table"):
        raise ValueError(f"method must be 'auto', 'exact' or 'table', got {method!r}")
    schedule = _schedules(n, T0, sigma0, d, design, lam0)
    if schedule is None:
        sigma0 = V.nonnegative(sigma0, "sigma0")
        lam0 = V.nonnegative(lam0, "lam0")
        _check_ridge_design(*np.broadcast_arrays(lam0, n), design)
        if T0 is None and np.any(n > 0):
            raise ValueError("T0 is required when n > 0 (the sample size of each generator)")
        if T0 is not None:
            T0 = V.sample_size(T0, "T0")
            T0b, s0b, nb_, l0b = np.broadcast_arrays(T0, sigma0, n, lam0)
            _check_generator(T0b, s0b, nb_ > 0, d, l0b)
    else:
        T0, sigma0, lam0 = None, np.asarray(0.0), np.asarray(0.0)
    Tb, lb = np.broadcast_arrays(T, lam)
    if np.any((lb == 0) & (Tb >= d) & (Tb < d + 2)):
        raise ValueError(f"with lam = 0, T must be < d = {d} or >= d + 2 = {d + 2}: the "
                         "ridgeless error is infinite for T in [d, d + 1]")

    if method == "auto":
        per_point = 10_000 if isinstance(fun, PowerLawFunctionals) else d   # cost of one sum
        method = "exact" if Tb.size * per_point <= _EXACT_BUDGET else "table"
    kappa = solve_kappa(fun, lb, Tb, method=method)
    ridge = kappa > 0
    # spectral functionals at kappa (where kappa > 0), on the (lam, T) grid only
    vals = {name: np.zeros(kappa.shape) for name in ("df1", "df2", "bq", "rt")}
    if np.any(ridge):
        k = kappa[ridge]
        f = fun.evaluate(k, method)
        vals["df1"][ridge], vals["df2"][ridge] = f["df1"], f["df2"]
        vals["bq"][ridge] = f["bias_scaled"] / k**2
        vals["rt"][ridge] = f["resolvent_scaled"] / k**2
    functionals = {("df1", S.kappa): vals["df1"], ("df2", S.kappa): vals["df2"],
                   ("bias_quadratic", S.kappa): vals["bq"],
                   ("resolvent_trace2", S.kappa): vals["rt"]}

    arrays = [kappa, Tb, lb, n, sigma, np.asarray(sigma0)] + ([] if T0 is None else [T0, lam0])
    shape = np.broadcast_shapes(*(np.shape(x) for x in arrays))
    bc = {key: np.broadcast_to(v, shape) for key, v in functionals.items()}
    values = {"kappa": np.broadcast_to(kappa, shape), "T": np.broadcast_to(Tb, shape),
              "sigma": np.broadcast_to(sigma, shape), "d": float(d)}
    ridge_b = np.broadcast_to(ridge, shape)
    ols_var, ols_rho = _ols_parts()
    with np.errstate(divide="ignore", invalid="ignore"):
        bias = np.where(ridge_b, formula("proposition_4_2_bias").kernel(values, bc), 0.0)
        variance = np.where(ridge_b, formula("proposition_4_2_variance").kernel(values, bc),
                            ols_var(values["sigma"], d, values["T"]))
        nb = np.broadcast_to(n, shape)
        collapse = np.zeros(shape)
        df2_b = np.broadcast_to(vals["df2"], shape)
        if schedule is not None:
            T0s, s0s, l0s = schedule
            chain = generator_chain(fun, T0s, s0s, design, l0s)
            collapse = chain_collapse(fun, chain, values["kappa"], values["T"], df2_b)
        elif T0 is not None:
            T0_b = np.broadcast_to(T0, shape)
            s0_b = np.broadcast_to(sigma0, shape)
            l0_b = np.broadcast_to(lam0, shape)
            # over-parameterised or ridge generators: the peeling recursion
            over = (nb > 0) & ((T0_b < d) | (l0_b > 0))
            under = (nb > 0) & ~over & (s0_b > 0)
            if np.any(under):   # eq. (19) with the exact generator factor (or Theorem 4.1)
                values["T0"] = T0_b
                rho = np.where(ridge_b, formula("rho_underparameterized").kernel(values, bc),
                               ols_rho(d, T0_b))
                collapse = np.where(under, nb * s0_b**2 * rho, 0.0)
            if np.any(over):    # the peeling recursion, one generator configuration at a time
                configs = np.unique(np.stack([nb[over], T0_b[over], s0_b[over], l0_b[over]], axis=1),
                                    axis=0)
                for cn, ct, cs, cl in configs:
                    mask = over & (nb == cn) & (T0_b == ct) & (s0_b == cs) & (l0_b == cl)
                    chain = generator_chain(fun, [ct] * int(cn), [cs] * int(cn), design,
                                            [cl] * int(cn))
                    collapse[mask] = chain_collapse(fun, chain, values["kappa"][mask],
                                                    values["T"][mask], df2_b[mask])
    test_error = bias + variance + collapse
    for name, arr in (("test_error", test_error), ("bias", bias), ("variance", variance)):
        if not np.all(np.isfinite(arr)):  # pragma: no cover - guarded by validation above
            raise ValueError(f"{name} is not finite for some inputs; please report this")

    def out(x):
        x = np.asarray(x, dtype=float)
        return x[()] if x.ndim == 0 else x

    return Prediction(test_error=out(test_error), bias=out(bias), variance=out(variance),
                      collapse=out(collapse), kappa=out(np.broadcast_to(kappa, shape)))
