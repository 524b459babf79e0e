"""The pipeline engine's one source of truth: the SymPy derivation and the NumPy evaluator run the
same recursion; checked equal on explicit spectra.  Also: the schedule convention in
``optimal_lambda`` (dense scan) and the declaration's error messages."""

import numpy as np
import pytest
import sympy as sp

import symcollapse as sc
from symcollapse.numeric.kappa import solve_kappa
from symcollapse.numeric.spectral import SpectralFunctionals
from symcollapse.pipeline import Block, Fit, Pipeline, Reuse
from symcollapse.symbolic.pipeline_derivation import derive
from symcollapse.symbolic.symbols import coef, d, eig, j

EIGS = np.array([2.0, 1.0, 0.5, 0.25, 0.1])
W0 = np.array([1.0, -0.5, 0.8, 0.3, -1.2])


def _numeric_value(der, eigs, w0):
    """Evaluate a derivation on an explicit spectrum: each spectral sum summed explicitly (its
    summand lambdified), the kappas solved independently of the engine's evaluator."""
    fun = SpectralFunctionals(eigs, w0)
    subs = {s: float(v) for s, v in der.values.items() if v is not None}
    for fit in der.pipeline.resolved:
        syms = [s for s in der.values if s.name == f"kappa_{fit.name}"]
        if syms:
            N = sum(float(b.rows) for b in fit.blocks)
            subs[syms[0]] = float(solve_kappa(fun, float(fit.lam), N))
    subs[d] = eigs.size
    L, C = sp.symbols("L C")
    sums = {}
    for s in der.test_error.atoms(sp.Sum):
        summand = s.function.subs(subs).xreplace({eig[j]: L, coef[j]: C})
        f = sp.lambdify((L, C), summand, "numpy")
        sums[s] = sp.Float(float(np.sum(np.broadcast_to(f(eigs, w0), eigs.shape))), 30)
    return float(der.test_error.xreplace(sums).subs(subs))


PIPELINES = [
    sc.workflows.replace(n=2, T0=3, sigma0=0.3, T=4, sigma=0.2, lam=0.1),
    sc.workflows.replace(n=2, T0=3, sigma0=0.3, T=8, sigma=0.2, lam=0.1, lam0=0.05),
    sc.workflows.replace(n=3, T0=2, sigma0=0.3, T=4, sigma=0.2, lam=0.01, design="same"),
    Pipeline(
        [
            Fit("g1", [Block(3, "truth", noise=0.4)]),
            Fit("g2", [Block(4, "truth", noise=0.1)], lam=0.2),
            Fit("mix", [Block(2, "truth", noise=0.3), Block(3, "g1", noise=0.1), Block(1, "g2")], lam=0.05),
        ]
    ),
]


@pytest.mark.parametrize("pipe", PIPELINES)
def test_derivation_equals_evaluator(pipe):
    der = derive(pipe)
    sym = _numeric_value(der, EIGS, W0)
    num = float(pipe.predict(EIGS, W0).test_error)
    assert sym == pytest.approx(num, rel=1e-11)


def test_derivation_of_clean_ridge_is_proposition_4_2():
    der = derive(sc.workflows.replace(n=0, T=100, sigma=0.5, lam=0.1))
    assert der.collapse == 0
    iso = der.isotropic()
    k, T, s = sp.symbols("kappa_downstream T_downstream sigma_downstream", positive=True)
    iso_var = iso["variance"].subs({sp.Symbol("kappa_downstream", positive=True): k})
    # isotropic Prop. 4.2: df2 = d/(1+kappa)^2, Var = sigma^2 df2/(T - df2), typed independently
    df2 = d / (1 + k) ** 2
    printed = s**2 * df2 / (T - df2)
    assert (
        sp.simplify(
            iso_var.subs(
                {
                    sp.Symbol("T_downstream", positive=True): T,
                    sp.Symbol("sigma_downstream", nonnegative=True): s,
                }
            )
            - printed
        )
        == 0
    )
    assert "\\mathrm{df}_2" in der.latex()


def test_optimal_lambda_schedule_matches_dense_scan():
    eigs, w0 = sc.power_law(300, beta=2, r=0.375)
    sched = sc.per_generation([33, 3000, 3000])
    opt = sc.optimal_lambda(eigs, w0, T=1000, n=3, T0=sched, sigma=0.5, sigma0=0.5)
    assert np.ndim(opt.lam) == 0  # one answer for one schedule, not one per generator
    lams = np.logspace(-4, 1, 2001)
    scan = sc.predict(eigs, w0, T=1000, lam=lams, n=3, T0=sched, sigma=0.5, sigma0=0.5).test_error
    assert opt.lam == pytest.approx(lams[np.argmin(scan)], rel=np.log(10) * 5 / 2000 * 1.01)
    # grids too: one optimum per T
    Ts = np.array([300.0, 3000.0])
    opt = sc.optimal_lambda(eigs, w0, T=Ts, n=2, T0=100, sigma=0.5, sigma0=0.5)
    for t, lam in zip(Ts, opt.lam, strict=True):
        scan = sc.predict(eigs, w0, T=t, lam=lams, n=2, T0=100, sigma=0.5, sigma0=0.5).test_error
        assert lam == pytest.approx(lams[np.argmin(scan)], rel=np.log(10) * 5 / 2000 * 1.01)


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: Pipeline([Fit("a", [Block(10, "b")])]), r"teacher must be 'truth' or an earlier fit"),
        (lambda: Pipeline([Fit("a", [Block(0, "truth")])]), r"block 0: rows must be a number >= 1"),
        (lambda: Pipeline([Fit("a", [Block(-5, "truth")])]), r"rows must be a number >= 1"),
        (
            lambda: Pipeline(
                [Fit("a", [Block(5, "truth", design="X")]), Fit("b", [Block(6, "a", design="X")])]
            ),
            r"design 'X' has 5 rows",
        ),
        (lambda: Pipeline([Fit("a", [Block(5, "truth", noise=-1)])]), r"noise must be a number >= 0"),
        (lambda: Pipeline([Fit("a", [Block(5, "truth")], lam=-1)]), r"lam must be a number >= 0"),
        (
            lambda: sc.workflows.replace(n=3, T0=sc.per_generation([5, 6]), T=10),
            r"T0 = per_generation\(\[5.0, 6.0\]\) has 2 values, one per generator, but n = 3",
        ),
        (lambda: Pipeline([Fit("a", [Reuse("nope")])]), r"Reuse\('nope'\) names no earlier block"),
    ],
)
def test_declaration_errors(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_engine_refuses_what_it_cannot_derive():
    e, w = sc.isotropic(20)
    reuse = Pipeline(
        [Fit("a", [Block(30, "truth", noise=0.1, name="b")]), Fit("b", [Reuse("b"), Block(10, "a")], lam=0.1)]
    )
    with pytest.raises(ValueError, match="simulate\\(\\) runs it"):
        reuse.predict(e, w)
    ridge_same = Pipeline(
        [Fit("a", [Block(10, "truth", design="X")]), Fit("b", [Block(10, "a", design="X")], lam=0.1)]
    )
    with pytest.raises(ValueError, match="design 'X' was already used"):
        ridge_same.predict(e, w)
    assert np.isfinite(ridge_same.simulate(e, w, reps=4, seed=0).mean)


@pytest.mark.parametrize(
    "kw",
    [
        dict(n=2, T0=3000, sigma0=0.5),
        dict(n=3, T0=100, sigma0=0.3),
        dict(n=2, T0=300, lam0=1e-2, sigma0=0.5),
        dict(n=2, T0=150, design="same", sigma0=0.2),
    ],
)
@pytest.mark.parametrize("spectrum", ["power_law_1000", "power_law_inf", "random"])
def test_tabled_join_equals_direct_sums(spectrum, kw):
    """On large grids the last fit's contractions are interpolated in log kappa (Chebyshev
    panels); they equal the direct sums to 1e-12 of the test error (measured: <= 1.5e-14)."""
    if spectrum == "power_law_1000":
        args = (sc.PowerLaw(2, 0.375, d=1000),)
    elif spectrum == "power_law_inf":
        args = (sc.PowerLaw(1.5, 1.0, d=None),)
    else:
        rng = np.random.default_rng(4)
        args = (np.exp(rng.uniform(-8, 1, 400)), rng.standard_normal(400) / 20)
    T = np.geomspace(10, 1e5, 120)[:, None]
    lam = np.geomspace(1e-6, 10, 120)[None]
    table = sc.predict(*args, T=T, lam=lam, sigma=0.5, method="table", **kw)
    rows, cols = slice(None, None, 17), slice(None, None, 13)
    exact = sc.predict(*args, T=T[rows], lam=lam[:, cols], sigma=0.5, method="exact", **kw)
    for name in ("test_error", "bias", "variance", "collapse"):
        gap = np.abs(getattr(table, name)[rows, cols] - getattr(exact, name)) / exact.test_error
        assert np.max(gap) < 1e-12, name
