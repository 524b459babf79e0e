"""Every catalogue entry evaluates with the NumPy and mpmath backends, and both agree; every
symbol's domain is checked; regimes are real conditions."""

import numpy as np
import pytest
import sympy as sp

import symcollapse as sc
from symcollapse.symbolic.formula import DOMAINS

EIGS = np.array([2.0, 1.0, 0.5, 0.25])
W0 = np.array([1.0, -0.5, 0.3, 0.2])
BASE = dict(
    d=4,
    T=10.0,
    T0=12.0,
    n=2,
    sigma=0.5,
    sigma0=0.3,
    lam=0.1,
    kappa=0.3,
    kappa0=0.2,
    phi=0.5,
    phi0=0.4,
    phibar=-0.5,
    rho=0.5,
    beta=2.0,
    r=0.5,
    ell=1.0,
    a=0.5,
    b=2.0,
    w0_sq=1.0,
    SNR0=2.0,
    m=1,
    D=100.0,
    m_I=1.0,
    n_I=1.0,
)
#: entries whose regime needs other values than BASE
OVERRIDE = {
    "isotropic_chain_independent": dict(d=20),
    "isotropic_chain_same": dict(d=20),
    "theorem_4_5": dict(d=20),
    "theorem_4_6": dict(d=20),
    "power_law_bias_saturated": dict(r=1.5),
}


def valid_inputs(name):
    f = sc.formula(name)
    values = {**BASE, **OVERRIDE.get(name, {})}
    kw = {p: values[p] for p in f.parameters}
    kw.update({v: np.abs(W0) for v in f.vectors})
    if f.spectral:
        kw.pop("d", None)
        kw["eigenvalues"] = EIGS
        if f.needs_w0:
            kw["w0"] = W0
    return f, kw


@pytest.mark.parametrize("name", sc.formulas())
def test_every_entry_evaluates_with_both_backends(name):
    f, kw = valid_inputs(name)
    num = np.asarray(f.evaluate(**kw), dtype=float)
    ref = f.evaluate(**kw, backend="mpmath", dps=40)
    ref = np.asarray(np.vectorize(float, otypes=[float])(ref)) if np.ndim(ref) else float(ref)
    assert np.all(np.isfinite(num))
    np.testing.assert_allclose(num, ref, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("name", sc.formulas())
def test_regimes_are_real_conditions(name):
    for cond in sc.formula(name).regime:
        assert cond.relation not in (sp.true, sp.false, True, False), cond.text
        assert cond.relation.free_symbols, cond.text


def test_ridge_generator_vectors():
    f = sc.formula("ridge_generator_mean")
    mu = np.array([1.0, 2.0, 3.0, 4.0])
    out = f.evaluate(eigenvalues=EIGS, mu=mu, kappa0=0.5)
    np.testing.assert_allclose(out, EIGS / (EIGS + 0.5) * mu, rtol=1e-15)
    with pytest.raises(ValueError, match="mu must be a 1-D array"):
        f.evaluate(eigenvalues=EIGS, mu=mu[:2], kappa0=0.5)
    with pytest.raises(TypeError, match="mu"):
        f.evaluate(eigenvalues=EIGS, kappa0=0.5)


DOMAIN_CASES = [
    ("theorem_4_1_exact", dict(n=-3), "n must be an integer >= 0"),
    ("theorem_4_1_exact", dict(n=1.5), "n must be an integer"),
    ("theorem_4_1_exact", dict(d=-5), "d must be an integer >= 1"),
    ("proposition_4_2_variance_isotropic", dict(kappa=-0.5), "kappa must be a number >= 0"),
    ("kappa_equation", dict(lam=-1.0), "lam must be a number >= 0"),
    ("theorem_4_1_exact", dict(T="5"), "T must be a number"),
    ("theorem_4_1_exact", dict(T=True), "T must be a number"),
    ("theorem_4_1_exact", dict(sigma=1 + 1j), "sigma must be a number"),
]


@pytest.mark.parametrize(("name", "change", "message"), DOMAIN_CASES)
def test_domains_checked(name, change, message):
    f, kw = valid_inputs(name)
    kw.update(change)
    with pytest.raises((ValueError, TypeError), match=message):
        f.evaluate(**kw)


@pytest.mark.parametrize("dps", [-5, 0, 2, 10**6, 1.5, True])
def test_mpmath_dps_validated(dps):
    f, kw = valid_inputs("theorem_4_1_exact")
    with pytest.raises(ValueError, match="dps must be an integer"):
        f.evaluate(**kw, backend="mpmath", dps=dps)


def test_every_parameter_has_a_domain():
    for name in sc.formulas():
        f = sc.formula(name)
        assert set(f.parameters) | set(f.vectors) <= set(DOMAINS), name


def test_unknown_formula():
    with pytest.raises(ValueError, match="unknown formula 'nope'"):
        sc.formula("nope")
    with pytest.raises(KeyError):
        sc.formula("nope")
    with pytest.raises(TypeError, match="name must be"):
        sc.formula(3)


def test_explicit_kappa_must_be_an_effective_regularisation():
    f = sc.formula("proposition_4_2_variance")
    with pytest.raises(ValueError, match=r"kappa = .* is below kappa\(0, T\)"):
        f.evaluate(eigenvalues=np.ones(10), kappa=0.01, T=5, sigma=1)
    assert f.evaluate(eigenvalues=np.ones(10), kappa=2.0, T=5, sigma=1) == pytest.approx(2 / 7)
    iso = sc.formula("proposition_4_2_variance_isotropic")
    with pytest.raises(ValueError, match="below kappa"):
        iso.evaluate(kappa=0.1, phi=2.0, sigma=1.0)
    with pytest.raises(ValueError, match="is not kappa"):
        f.evaluate(eigenvalues=np.ones(10), lam=0.5, T=5, kappa=3.0, sigma=1)
    k = sc.formula("kappa_isotropic").evaluate(lam=0.5, phi=2.0)
    assert f.evaluate(eigenvalues=np.ones(10), lam=0.5, T=5, kappa=float(k), sigma=1) > 0
