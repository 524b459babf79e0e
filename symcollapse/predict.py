r"""``predict``: the theory's test error of the chain, vectorized over parameter grids.

.. math:: E_{test}(\hat w_n^{pred}) \simeq \underbrace{Bias+Var}_{\text{clean, Prop. 4.2}}
          + \underbrace{n\sigma_0^2\rho}_{\text{collapse, eq. (19)}}

with the exact inverse-Wishart generator factor :math:`1/(T_0-d-1)` (SPEC decision 2), and the
exact Theorem 4.1 when the downstream model is ridgeless with :math:`T\ge d+2`.  Every
expression evaluated here is a lambdified catalogue formula; only the spectral functionals
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
from .kappa import solve_kappa
from .spectral_numerics import SpectralFunctionals

__all__ = ["predict", "Prediction"]

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


def _functionals(eigs: np.ndarray, coefs: np.ndarray) -> SpectralFunctionals:
    key = eigs.tobytes() + b"|" + coefs.tobytes()
    fun = _CACHE.get(key)
    if fun is None:
        fun = SpectralFunctionals(eigs, coefs)
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


def _validate_T0(T0, n, d: int):
    if T0 is None:
        if np.any(n > 0):
            raise ValueError("T0 is required when n > 0 (the sample size of each generator)")
        return None
    T0 = V.sample_size(T0, "T0")
    T0b, nb = np.broadcast_arrays(T0, n)
    used = nb > 0
    if np.any(used & (T0b >= d) & (T0b < d + 2)):
        raise ValueError(f"T0 must not lie in [d, d + 1] = [{d}, {d + 1}]: the inverse-Wishart "
                         f"mean is infinite there; use T0 >= d + 2 = {d + 2}")
    if np.any(used & (T0b < d)):
        raise ValueError(f"T0 < d = {d} (over-parameterised generators) is not supported yet: "
                         f"this version needs T0 >= d + 2 = {d + 2} for an under-parameterised "
                         "generator")
    return T0


def predict(eigenvalues: ArrayLike, w0: ArrayLike, *, T: ArrayLike, lam: ArrayLike = 0.0,
            n: ArrayLike = 0, T0: ArrayLike | None = None, sigma: ArrayLike = 0.0,
            sigma0: ArrayLike = 0.0, design: str = "independent",
            method: str = "auto") -> Prediction:
    r"""Theory's test error of ridge trained on the ``n``-th generation of fake data.

    Parameters
    ----------
    eigenvalues, w0 : 1-D arrays of equal length ``d``
        Eigenvalues of :math:`\Sigma` (positive) and the target's coefficients in its eigenbasis.
    T, lam, n, T0, sigma, sigma0 : numbers or arrays (broadcast together)
        Downstream sample size (``>= 1``) and ridge (``>= 0``, per-sample normalised), number
        of generations (integer ``>= 0``), generator sample size (``>= d + 2``; required when
        ``n > 0``), downstream and generator label-noise levels (``>= 0``).
    design : ``"independent"`` or ``"same"``
        Fresh designs per generator, or the same ``X0`` reused (condition (17)); the two agree
        for ``T0 >= d + 2``.
    method : ``"auto"``, ``"exact"`` or ``"table"``
        How the spectral functionals are evaluated: direct sums, or the Chebyshev table
        (``O(1)`` per grid point after ``O(d)`` work per panel; relative error ~1e-13).

    Regime: Prop. 4.2 and eq. (19) are deterministic equivalents (error ``O(1/d)``); the
    ridgeless case with ``T >= d + 2`` uses the exact Theorem 4.1.  ``lam = 0`` with ``T`` in
    ``[d, d + 1]`` is refused (infinite inverse-Wishart mean).
    """
    eigs, coefs = V.as_spectrum(eigenvalues, w0)
    d = eigs.size
    T = V.sample_size(T, "T")
    lam = V.nonnegative(lam, "lam")
    n = V.count(n, "n")
    sigma = V.nonnegative(sigma, "sigma")
    sigma0 = V.nonnegative(sigma0, "sigma0")
    V.design(design)
    if method not in ("auto", "exact", "table"):
        raise ValueError(f"method must be 'auto', 'exact' or 'table', got {method!r}")
    T0 = _validate_T0(T0, n, d)
    Tb, lb = np.broadcast_arrays(T, lam)
    if np.any((lb == 0) & (Tb >= d) & (Tb < d + 2)):
        raise ValueError(f"with lam = 0, T must be < d = {d} or >= d + 2 = {d + 2}: the "
                         "ridgeless error is infinite for T in [d, d + 1]")

    fun = _functionals(eigs, coefs)
    if method == "auto":
        method = "exact" if Tb.size * d <= _EXACT_BUDGET else "table"
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

    arrays = [kappa, Tb, lb, n, sigma, sigma0] + ([] if T0 is None else [T0])
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
        if T0 is not None:
            values["T0"] = np.broadcast_to(T0, shape)
            rho = np.where(ridge_b, formula("rho_underparameterized").kernel(values, bc),
                           ols_rho(d, values["T0"]))
            weight = nb * np.broadcast_to(sigma0, shape) ** 2
            collapse = np.where(weight > 0, weight * rho, 0.0)
    test_error = bias + variance + collapse
    for name, arr in (("test_error", test_error), ("bias", bias), ("variance", variance)):
        if not np.all(np.isfinite(arr)):  # pragma: no cover - guarded by validation above
            raise ValueError(f"{name} is not finite for some inputs; please report this")

    def out(x):
        x = np.asarray(x, dtype=float)
        return x[()] if x.ndim == 0 else x

    return Prediction(test_error=out(test_error), bias=out(bias), variance=out(variance),
                      collapse=out(collapse), kappa=out(np.broadcast_to(kappa, shape)))
