"""Fuzz the public entry points against the input contract.

Every call either returns finite, sensible numbers (test error >= 0, parts summing to the total,
float64 within 1e-9 of a high-precision mpmath reference where one is computed) or raises a
``ValueError`` / ``TypeError`` whose message names the offending parameter; no other exception.
A fast profile runs by default; the long one is marked ``slow`` (``pytest -m slow
tests/test_fuzz.py``).  Set ``FUZZ_REPORT=path.json`` to write the outcome counts.
"""

import atexit
import json
import os
from collections import Counter

import mpmath
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_robust_kappa import kappa_reference as robust_kappa_reference

import symcollapse as sc
from symcollapse.numeric.kappa import solve_kappa
from symcollapse.numeric.spectral import SpectralFunctionals
from symcollapse.presentation.cli import main as cli_main

FAST = settings(max_examples=6, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
LONG = settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))

COUNTS: Counter = Counter()


def _dump():
    path = os.environ.get("FUZZ_REPORT")
    if path and COUNTS:
        with open(path, "w") as fh:
            json.dump({f"{k[0]}:{k[1]}": v for k, v in sorted(COUNTS.items())}, fh, indent=1)


atexit.register(_dump)


def contract(entry, fn, names):
    """Run ``fn``; a ValueError/TypeError must name one of ``names``; return the value or None."""
    try:
        out = fn()
    except (ValueError, TypeError) as e:
        msg = str(e)
        assert any(n in msg for n in names), f"{entry}: {type(e).__name__} names none of {names}: {msg}"
        COUNTS[(entry, "refused")] += 1
        return None
    COUNTS[(entry, "value")] += 1
    return out


# ----------------------------------------------------------------------------- strategies
def spectra(max_decades=140.0, max_d=5):
    logs = st.lists(st.floats(-max_decades, max_decades), min_size=1, max_size=max_d)
    return logs.map(lambda xs: 10.0 ** np.array(sorted(xs)))


junk = st.one_of(
    st.none(),
    st.booleans(),
    st.text(max_size=3),
    st.binary(max_size=3),
    st.complex_numbers(allow_nan=False, allow_infinity=False, min_magnitude=1e-3),
    st.just(np.datetime64("2020-01-01")),
    st.just([]),
    st.just(float("nan")),
    st.just(float("inf")),
    st.floats(-1e6, -1e-6),
    st.just([[1.0, 2.0]]),
)


# ----------------------------------------------------------------------------- references
def kappa_reference(eigs, lam, T, dps):
    """The root at ``dps`` digits (the bisection of tests/test_robust_kappa.py), as an mpf."""
    return robust_kappa_reference(eigs, lam, T, dps=dps, as_float=False)


def error_reference(eigs, w0, lam, T, sigma, dps):
    """Prop. 4.2 at the root, with T - df2 = T lam/kappa + sum p q (no cancellation)."""
    k = kappa_reference(eigs, lam, T, dps)
    with mpmath.workdps(dps):
        ls = [mpmath.mpf(float(x)) for x in eigs]
        cs = [mpmath.mpf(float(x)) for x in w0]
        T, lam, sigma = mpmath.mpf(float(T)), mpmath.mpf(float(lam)), mpmath.mpf(float(sigma))
        df2 = mpmath.fsum((x / (x + k)) ** 2 for x in ls)
        D = T * lam / k + mpmath.fsum(x * k / (x + k) ** 2 for x in ls)
        bias = k**2 * mpmath.fsum(c**2 * x / (x + k) ** 2 for x, c in zip(ls, cs, strict=True))
        return float(k), float((bias * T + sigma**2 * df2) / D)


# ----------------------------------------------------------------------------- kappa
def _kappa_case(eigs, lam, T):
    fun = SpectralFunctionals(eigs, np.zeros_like(eigs))
    k = contract("solve_kappa", lambda: float(solve_kappa(fun, lam, T)), ["kappa"])
    if k is None or (lam == 0 and T >= eigs.size):
        return
    ref = float(kappa_reference(eigs, lam, T, dps=650))
    assert k == pytest.approx(ref, rel=1e-12)


kappa_args = (
    spectra(300.0, 4),
    st.one_of(st.just(0.0), st.floats(-300, 300).map(lambda x: 10.0**x)),
    st.integers(1, 6).map(float),
)


@FAST
@given(*kappa_args)
def test_fuzz_kappa(eigs, lam, T):
    _kappa_case(eigs, lam, T)


@pytest.mark.slow
@LONG
@given(*kappa_args)
def test_fuzz_kappa_long(eigs, lam, T):
    _kappa_case(eigs, lam, T)


# ----------------------------------------------------------------------------- predict, n = 0
def _predict_case(eigs, w0, lam, T, sigma):
    w0 = np.resize(np.asarray(w0), eigs.size)
    p = contract(
        "predict",
        lambda: sc.predict(eigs, w0, T=T, lam=lam, sigma=sigma),
        ["lam", "T", "eigenvalues", "w0", "sigma", "N - df2", "float64"],
    )
    if p is None:
        return
    parts = [float(p.bias), float(p.variance), float(p.collapse)]
    assert np.all(np.isfinite(parts)) and float(p.test_error) >= 0
    assert float(p.test_error) == pytest.approx(sum(parts), rel=1e-12, abs=1e-300)
    k, ref = error_reference(eigs, w0, lam, T, sigma, dps=350)
    assert float(p.kappa) == pytest.approx(k, rel=1e-12)
    assert float(p.test_error) == pytest.approx(ref, rel=1e-9, abs=1e-300)


predict_args = (
    spectra(60.0, 5),
    st.lists(st.floats(-10, 10), min_size=1, max_size=5),
    st.floats(-12, 6).map(lambda x: 10.0**x),
    st.integers(1, 8).map(float),
    st.floats(0, 5),
)


@FAST
@given(*predict_args)
def test_fuzz_predict(eigs, w0, lam, T, sigma):
    _predict_case(eigs, w0, lam, T, sigma)


@pytest.mark.slow
@LONG
@given(*predict_args)
def test_fuzz_predict_long(eigs, w0, lam, T, sigma):
    _predict_case(eigs, w0, lam, T, sigma)


# ----------------------------------------------------------------------------- chains, bad input
def _chain_case(d, T, lam, n, T0, lam0, sigma0, bad_name, bad_value):
    kw = dict(T=T, lam=lam, n=n, T0=T0, lam0=lam0, sigma0=sigma0, sigma=0.3)
    if bad_name is not None:
        kw[bad_name] = bad_value
    eigs, w0 = sc.power_law(d, 1.5, 0.8)
    names = list(kw) + ["eigenvalues", "N - df2", "float64"]
    p = contract("predict_chain", lambda: sc.predict(eigs, w0, **kw), names)
    if p is None:
        return
    assert bad_name is None or bad_value is not None
    total = np.asarray(p.test_error)
    assert np.all(np.isfinite(total)) and np.all(total >= 0)
    np.testing.assert_allclose(total, p.bias + p.variance + p.collapse, rtol=1e-9, atol=1e-300)


chain_args = (
    st.integers(2, 40),
    st.integers(1, 80).map(float),
    st.one_of(st.just(0.0), st.floats(-8, 2).map(lambda x: 10.0**x)),
    st.integers(0, 5),
    st.integers(1, 80).map(float),
    st.one_of(st.just(0.0), st.floats(-6, 1).map(lambda x: 10.0**x)),
    st.floats(0, 2),
    st.one_of(st.none(), st.sampled_from(["T", "lam", "n", "T0", "lam0", "sigma0", "sigma"])),
    junk,
)


@FAST
@given(*chain_args)
def test_fuzz_predict_chain(d, T, lam, n, T0, lam0, sigma0, bad_name, bad_value):
    _chain_case(d, T, lam, n, T0, lam0, sigma0, bad_name, bad_value)


@pytest.mark.slow
@LONG
@given(*chain_args)
def test_fuzz_predict_chain_long(d, T, lam, n, T0, lam0, sigma0, bad_name, bad_value):
    _chain_case(d, T, lam, n, T0, lam0, sigma0, bad_name, bad_value)


# ----------------------------------------------------------------------------- formulas
def _formula_case(name, bad_name, bad_value):
    from test_catalogue_eval import valid_inputs

    f, kw = valid_inputs(name)
    params = list(f.parameters) + list(f.vectors)
    if bad_name is not None and params:
        key = params[bad_name % len(params)]
        kw[key] = bad_value
    out = contract("formula.evaluate", lambda: f.evaluate(**kw), params + ["eigenvalues", name])
    if out is not None:
        assert np.all(np.isfinite(np.asarray(out, dtype=float)))


formula_args = (st.sampled_from(sc.formulas()), st.one_of(st.none(), st.integers(0, 20)), junk)


@FAST
@given(*formula_args)
def test_fuzz_formulas(name, bad_name, bad_value):
    _formula_case(name, bad_name, bad_value)


@pytest.mark.slow
@LONG
@given(*formula_args)
def test_fuzz_formulas_long(name, bad_name, bad_value):
    _formula_case(name, bad_name, bad_value)


# ----------------------------------------------------------------------------- helpers
def _helper_case(which, a, b):
    calls = {
        "isotropic": (lambda: sc.isotropic(a, b), ["d", "w0_norm"]),
        "power_law": (lambda: sc.power_law(5, a, b), ["beta", "r"]),
        "ridge_alpha": (lambda: sc.ridge_alpha(a, b), ["lam", "T"]),
        "optimal_lambda": (
            lambda: sc.optimal_lambda(*sc.isotropic(6), T=10, scan=a, rtol=b),
            ["scan", "rtol"],
        ),
    }
    fn, names = calls[which]
    out = contract(which, fn, names)
    if out is not None and which != "optimal_lambda":
        assert np.all(np.isfinite(np.asarray(out if which == "ridge_alpha" else out[1])))


numbers = st.one_of(junk, st.integers(-3, 50), st.floats(-5, 50))
helper_args = (st.sampled_from(["isotropic", "power_law", "ridge_alpha", "optimal_lambda"]), numbers, numbers)


@FAST
@given(*helper_args)
def test_fuzz_helpers(which, a, b):
    _helper_case(which, a, b)


@pytest.mark.slow
@LONG
@given(*helper_args)
def test_fuzz_helpers_long(which, a, b):
    _helper_case(which, a, b)


# ----------------------------------------------------------------------------- CLI
token = st.one_of(
    st.sampled_from(
        [
            "T=10",
            "lam=1e-3",
            "n=2",
            "T0=20",
            "sigma=0.5",
            "T=1:1e999:3",
            "lam=-1",
            "T=1e-3:1:1000000000log",
            "n=1.5",
            "T0=[5,6]",
            "lam=abc",
            "T=",
            "=",
            "d=5",
        ]
    ),
    st.text(alphabet="Tlamn0=:,.[]e-19og", max_size=12),
)
cli_args = (
    st.sampled_from(
        [
            ["predict", "--spectrum", "isotropic", "--d", "8"],
            ["eval", "theorem_4_1_exact"],
            ["eval", "nope"],
            ["show"],
            ["list"],
        ]
    ),
    st.lists(token, max_size=4),
)


def _cli_case(head, tokens, capsys):
    rc = cli_main(head + tokens)
    err = capsys.readouterr().err
    COUNTS[("cli", f"exit {rc}")] += 1
    assert rc in (0, 2), err
    if rc == 2:
        assert err.count("\n") == 1 and err.startswith("symcollapse: error:"), err


@FAST
@given(*cli_args)
def test_fuzz_cli(capsys, head, tokens):
    _cli_case(head, tokens, capsys)


@pytest.mark.slow
@LONG
@given(*cli_args)
def test_fuzz_cli_long(capsys, head, tokens):
    _cli_case(head, tokens, capsys)
