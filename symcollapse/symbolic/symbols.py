"""Canonical SymPy symbols of symcollapse, declared once with their assumptions.

Every formula in the catalogue is written in these symbols, and every evaluator is
called by keyword with their names (``d``, ``T``, ``T0``, ``n``, ``sigma``, ``sigma0``,
``lam``, ``kappa``, ``kappa0``, ``phi``, ``phi0``, ``rho``, ``beta``, ``r``, ``ell``,
``a``, ``b``).  Spectral sums run over the eigenpairs of :math:`\\Sigma`: the index
``j`` runs from 1 to ``d``, ``eig[j]`` is :math:`\\lambda_j` and ``coef[j]`` is
:math:`c_j = w_0^\\top v_j`.
"""

from __future__ import annotations

import sympy as sp

__all__ = [
    "d",
    "T",
    "T0",
    "n",
    "sigma",
    "sigma0",
    "lam",
    "kappa",
    "kappa0",
    "phi",
    "phi0",
    "phibar",
    "rho",
    "beta",
    "r",
    "ell",
    "a",
    "b",
    "w0_sq",
    "SNR0",
    "j",
    "eig",
    "coef",
    "m",
    "T0_m",
    "sigma0_m",
    "SCHEDULES",
    "LATEX_NAMES",
    "by_name",
]

d = sp.Symbol("d", positive=True, integer=True)
T = sp.Symbol("T", positive=True)
T0 = sp.Symbol("T0", positive=True)
n = sp.Symbol("n", nonnegative=True, integer=True)
sigma = sp.Symbol("sigma", nonnegative=True)
sigma0 = sp.Symbol("sigma0", nonnegative=True)
lam = sp.Symbol("lam", nonnegative=True)
kappa = sp.Symbol("kappa", nonnegative=True)
kappa0 = sp.Symbol("kappa0", nonnegative=True)
phi = sp.Symbol("phi", positive=True)
phi0 = sp.Symbol("phi0", positive=True)
#: ``phi - 1``; its sign is the regime (under- or over-parameterised downstream).
phibar = sp.Symbol("phibar", real=True)
rho = sp.Symbol("rho")
beta = sp.Symbol("beta", positive=True)
r = sp.Symbol("r", positive=True)
ell = sp.Symbol("ell", nonnegative=True)
a = sp.Symbol("a", nonnegative=True)
b = sp.Symbol("b", positive=True)
#: squared Euclidean norm of the target, used by the isotropic specialisations.
w0_sq = sp.Symbol("w0_sq", nonnegative=True)
#: signal-to-noise ratio of the generators, ||w0||_Sigma^2 / sigma0^2.
SNR0 = sp.Symbol("SNR0", positive=True)

#: per-generation schedules (generator m = 0..n-1): sample sizes and noise levels.
m = sp.Symbol("m", integer=True, nonnegative=True)
T0_m = sp.IndexedBase("T0", positive=True)
sigma0_m = sp.IndexedBase("sigma0", nonnegative=True)
#: the schedule bases, by the keyword that feeds them in ``Formula.evaluate``
SCHEDULES = {"T0": T0_m, "sigma0": sigma0_m}

#: summation index over the eigenpairs of Sigma.
j = sp.Symbol("j", integer=True, positive=True)
#: eigenvalues ``eig[j]`` of Sigma.
eig = sp.IndexedBase("lambda", positive=True)
#: coefficients ``coef[j]`` of w0 in the eigenbasis of Sigma.
coef = sp.IndexedBase("c", real=True)

LATEX_NAMES: dict[sp.Symbol, str] = {
    T0: "T_0",
    sigma0: r"\sigma_0",
    lam: r"\lambda",
    kappa0: r"\kappa_0",
    phi0: r"\phi_0",
    phibar: r"\bar\phi",
    ell: r"\ell",
    w0_sq: r"\|w_0\|_2^2",
    SNR0: r"\mathrm{SNR}_0",
}

_BY_NAME = {
    s.name: s
    for s in (
        d,
        T,
        T0,
        n,
        sigma,
        sigma0,
        lam,
        kappa,
        kappa0,
        phi,
        phi0,
        phibar,
        rho,
        beta,
        r,
        ell,
        a,
        b,
        w0_sq,
        SNR0,
    )
}


def by_name(name: str) -> sp.Symbol:
    """Return the canonical symbol called ``name`` (``KeyError`` if there is none)."""
    return _BY_NAME[name]
