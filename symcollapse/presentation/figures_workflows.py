r"""Figures of the workflows beyond the paper's chain: theory curves from the pipeline engine and
Monte-Carlo points (:math:`\pm2` standard errors) of the same declarations, next to the replace
chain.  Each function returns a :class:`~symcollapse.presentation.figures.FigureResult` with every simulated
point and its z-score; matplotlib is needed only to draw (``path=None`` skips the drawing).

* :func:`accumulate_figure`: error against the number of generations for ``replace`` and
  ``accumulate`` (one design and fresh designs), with the :math:`\pi^2/6` bound;
* :func:`fresh_real_mix_figure`: error against generations for fractions ``alpha`` of fresh real
  rows (``alpha = 0`` is the replace chain);
* :func:`strong_collapse_figure`: error against ``T`` for real/synthetic mixtures with a fixed
  synthetic teacher ``w2``, against clean ridge, with the floors
  :math:`(1-\alpha)^2\|w_2-w_0\|_\Sigma^2`.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from symcollapse import _validation as V
from symcollapse.numeric.prediction import predict
from symcollapse.numeric.spectra import power_law
from symcollapse.pipeline import workflows as W
from symcollapse.presentation.figures import FigureResult, SimulatedPoint, _errorbars, _new_figure, _save

__all__ = [
    "accumulate_figure",
    "fresh_real_mix_figure",
    "strong_collapse_figure",
    "WORKFLOW_FIGURES",
    "ACCUMULATE",
    "FRESH_REAL_MIX",
    "STRONG_COLLAPSE",
]

#: the settings of the three figures
ACCUMULATE: dict[str, Any] = dict(d=50, beta=1.5, r=0.5, T0=80, sigma0=0.5, sigma=0.5)
FRESH_REAL_MIX: dict[str, Any] = dict(d=50, beta=1.5, r=0.5, T0=100, sigma0=0.5, T=100, sigma=0.2, lam=1e-2)
STRONG_COLLAPSE: dict[str, Any] = dict(
    d=50, beta=1.5, r=0.5, sigma=0.2, sigma2=0.2, lam=1e-4, delta_scale=0.1
)


def _reps(reps, seed, quick: bool, full: int, fast: int) -> tuple[int, int]:
    if reps is None:
        reps = fast if quick else full
    return (
        V.integer(
            reps,
            "reps",
            minimum=20,
            meaning=" (repetitions per point; at least 20 so that a z-score means something)",
        ),
        V.integer(seed, "seed", minimum=0),
    )


def _point(
    figure: str, panel: str, pipe, eigs, w0, n: int, T: int, lam: float, design: str, reps: int, stream
) -> SimulatedPoint:
    theory = float(pipe.predict(eigs, w0).test_error)
    sim = pipe.simulate(eigs, w0, reps=reps, seed=np.random.default_rng(stream))
    return SimulatedPoint(figure, panel, n, T, lam, design, theory, sim.mean, sim.stderr, reps)


def _finish(fig, ax, xlabel: str, title: str, path) -> Path:
    ax.set_xlabel(xlabel)
    ax.set_ylabel("test error")
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return _save(fig, path)


def accumulate_figure(
    path=None, *, reps: int | None = None, seed: int = 0, quick: bool = False
) -> FigureResult:
    r"""Replace against accumulate (one design :math:`X_0` and fresh designs), power law
    :math:`d=50`, :math:`T=T_0=80`, :math:`\sigma=\sigma_0=0.5`, least squares: error against
    :math:`n`.  Replace grows linearly; accumulate stays below
    :math:`\frac{\pi^2}{6}\frac{d\sigma_0^2}{T_0-d-1}` (exact theory, no allowance)."""
    reps, seed = _reps(reps, seed, quick, 400, 100)
    start = time.perf_counter()
    c = ACCUMULATE
    eigs, w0 = power_law(c["d"], c["beta"], c["r"])
    kw = dict(T0=c["T0"], sigma0=c["sigma0"], T=c["T0"], sigma=c["sigma"])
    make = {
        "replace": lambda n: W.replace(n=n, design="same", **kw),
        "accumulate, one design": lambda n: W.accumulate(n=n, design="same", **kw),
        "accumulate, fresh designs": lambda n: W.accumulate(n=n, design="fresh", **kw),
    }
    sim_ns = (1, 4, 8) if quick else (1, 2, 4, 6, 8)
    specs = [(label, n) for label in make for n in sim_ns]
    streams = np.random.SeedSequence(seed).spawn(len(specs))
    points = tuple(
        _point(
            "accumulate",
            label,
            make[label](n),
            eigs,
            w0,
            n,
            c["T0"],
            0.0,
            "same" if "one" in label or label == "replace" else "fresh",
            reps,
            st,
        )
        for (label, n), st in zip(specs, streams, strict=True)
    )
    unit = c["d"] * c["sigma0"] ** 2 / (c["T0"] - c["d"] - 1)
    if path is not None:
        ns = np.arange(0, 11)
        fig = _new_figure((6.4, 4.2))
        ax = fig.subplots()
        for i, label in enumerate(make):
            curve = [float(make[label](int(n)).predict(eigs, w0).test_error) for n in ns]
            ax.plot(ns, curve, color=f"C{i}", label=label)
            _errorbars(ax, [p for p in points if p.panel == label], lambda p: p.n, f"C{i}")
        ax.axhline(
            np.pi**2 / 6 * unit, color="k", ls="--", lw=1, label=r"$\frac{\pi^2}{6}\,d\sigma_0^2/(T_0-d-1)$"
        )
        path = _finish(fig, ax, "generations n", "Replace grows, accumulate stays bounded", path)
    caption = (
        f"Accumulating data: power law d = {c['d']} (beta = {c['beta']}, r = {c['r']}), "
        f"T = T0 = {c['T0']}, sigma = sigma0 = {c['sigma0']}, least squares; curves from "
        f"the engine (exact identities), points: {reps} repetitions of the same "
        "declaration, +-2 standard errors."
    )
    return FigureResult(
        "accumulate", "Accumulating data", caption, dict(c), points, path, time.perf_counter() - start, reps
    )


def fresh_real_mix_figure(
    path=None, *, reps: int | None = None, seed: int = 0, quick: bool = False
) -> FigureResult:
    r"""Fresh real rows every generation: error against :math:`n` for :math:`\alpha = 0` (the
    replace chain), 0.2, 0.5, 0.8; power law :math:`d=50`, :math:`T_0=T=100`,
    :math:`\lambda=10^{-2}`, least-squares generators."""
    reps, seed = _reps(reps, seed, quick, 300, 100)
    start = time.perf_counter()
    c = FRESH_REAL_MIX
    eigs, w0 = power_law(c["d"], c["beta"], c["r"])
    kw = {k: c[k] for k in ("T0", "sigma0", "T", "sigma", "lam")}
    alphas = (0.0, 0.2, 0.5, 0.8)
    sim_ns = (2, 8) if quick else (1, 3, 6, 10)
    specs = [(a, n) for a in alphas for n in sim_ns]
    streams = np.random.SeedSequence(seed).spawn(len(specs))
    points = tuple(
        _point(
            "fresh_real_mix",
            f"alpha = {a}",
            W.fresh_real_mix(n=n, alpha=a, **kw),
            eigs,
            w0,
            n,
            c["T"],
            c["lam"],
            "independent",
            reps,
            st,
        )
        for (a, n), st in zip(specs, streams, strict=True)
    )
    if path is not None:
        ns = np.arange(0, 13)
        fig = _new_figure((6.4, 4.2))
        ax = fig.subplots()
        for i, a in enumerate(alphas):
            curve = [
                float(W.fresh_real_mix(n=int(n), alpha=a, **kw).predict(eigs, w0).test_error) for n in ns
            ]
            ax.plot(ns, curve, color=f"C{i}", label=f"alpha = {a}" + (" (replace)" if a == 0 else ""))
            _errorbars(ax, [p for p in points if p.panel == f"alpha = {a}"], lambda p: p.n, f"C{i}")
        path = _finish(fig, ax, "generations n", "A fraction alpha of fresh real rows per generation", path)
    caption = (
        f"Fresh real data each generation: power law d = {c['d']}, T0 = T = {c['T0']}, "
        f"sigma0 = {c['sigma0']}, sigma = {c['sigma']}, lam = {c['lam']:g}, least-squares "
        f"generators; points: {reps} repetitions, +-2 standard errors."
    )
    return FigureResult(
        "fresh_real_mix",
        "Fresh real data every generation",
        caption,
        dict(c),
        points,
        path,
        time.perf_counter() - start,
        reps,
    )


def strong_collapse_figure(
    path=None, *, reps: int | None = None, seed: int = 0, quick: bool = False
) -> FigureResult:
    r"""Strong collapse: real rows mixed with rows from a fixed teacher :math:`w_2=w_0+\Delta`;
    error against :math:`T` for :math:`\alpha = 0.5, 0.9, 0.99` and clean ridge; the floors
    :math:`(1-\alpha)^2\|\Delta\|_\Sigma^2` dashed."""
    reps, seed = _reps(reps, seed, quick, 200, 60)
    start = time.perf_counter()
    c = STRONG_COLLAPSE
    eigs, w0 = power_law(c["d"], c["beta"], c["r"])
    delta = np.random.default_rng(20250101).standard_normal(c["d"]) * c["delta_scale"]
    w2 = w0 + delta
    alphas = (0.5, 0.9, 0.99)
    kw = dict(sigma=c["sigma"], sigma2=c["sigma2"], lam=c["lam"], w2=w2)
    sim_T = (100, 1600) if quick else (100, 400, 1600, 6400)
    specs = [(a, T) for a in alphas for T in sim_T]
    streams = np.random.SeedSequence(seed).spawn(len(specs))
    points = tuple(
        _point(
            "strong_collapse",
            f"alpha = {a}",
            W.downstream_mix(T=T, alpha=a, **kw),
            eigs,
            w0,
            0,
            T,
            c["lam"],
            "independent",
            reps,
            st,
        )
        for (a, T), st in zip(specs, streams, strict=True)
    )
    if path is not None:
        Ts = np.unique(np.logspace(1.7, 5, 40).astype(int))
        fig = _new_figure((6.4, 4.2))
        ax = fig.subplots()
        clean = predict(eigs, w0, T=Ts, lam=c["lam"], sigma=c["sigma"]).test_error
        ax.loglog(Ts, clean, color="k", label="clean (alpha = 1)")
        for i, a in enumerate(alphas):
            curve = [
                float(W.downstream_mix(T=int(T), alpha=a, **kw).predict(eigs, w0).test_error) for T in Ts
            ]
            ax.loglog(Ts, curve, color=f"C{i}", label=f"alpha = {a}")
            floor = (1 - a) ** 2 * float(np.sum(eigs * delta**2))
            ax.axhline(floor, color=f"C{i}", ls="--", lw=1)
            _errorbars(ax, [p for p in points if p.panel == f"alpha = {a}"], lambda p: p.T, f"C{i}")
        path = _finish(
            fig, ax, "downstream rows T", "Strong collapse: a fixed synthetic fraction leaves a floor", path
        )
    caption = (
        f"Real and synthetic rows mixed downstream: power law d = {c['d']}, synthetic "
        f"teacher w2 = w0 + Delta (||Delta||_Sigma^2 = {float(np.sum(eigs * delta**2)):.4f}), "
        f"sigma = sigma2 = {c['sigma']}, lam = {c['lam']:g}; dashed: the floors "
        f"(1 - alpha)^2 ||Delta||_Sigma^2; points: {reps} repetitions, +-2 standard errors."
    )
    return FigureResult(
        "strong_collapse",
        "Strong collapse",
        caption,
        dict(c),
        points,
        path,
        time.perf_counter() - start,
        reps,
    )


#: name -> function
WORKFLOW_FIGURES = {
    "accumulate": accumulate_figure,
    "fresh_real_mix": fresh_real_mix_figure,
    "strong_collapse": strong_collapse_figure,
}
