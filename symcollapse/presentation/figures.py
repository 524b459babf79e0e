r"""The paper's figures, reproduced: theory curves with Monte-Carlo points and error bars.

Each function computes the theory curves with :func:`~symcollapse.predict`, simulates the actual
fake-data chain at a set of points with :func:`~symcollapse.simulate` (seeded, one independent
stream per point), draws both (points with :math:`\pm 2` standard errors) and returns a
:class:`FigureResult` holding every simulated point with its z-score
:math:`z = (\text{theory} - \bar x)/\mathrm{se}(\bar x)`.  The report and the ``examples/``
scripts call these; matplotlib is needed only to draw (``path=None`` skips the drawing).

* :func:`figure_1a`: isotropic :math:`\Sigma = I_d`, :math:`d = 300`, :math:`T_0 = 600`,
  :math:`\sigma = 0.1`, :math:`\sigma_0 = 0.2` (Section 5.2 of the paper): error against
  :math:`\lambda` (:math:`T = 1000`) and against :math:`T` (:math:`\lambda = 10^{-3}`).
* :func:`figure_1b`: power law :math:`\lambda_k = k^{-2}`, :math:`r = 0.375`, :math:`d = 300`,
  :math:`T_0 = 600`, :math:`\sigma = \sigma_0 = 1` (Section 5.3): error against :math:`\lambda` and,
  with :math:`\lambda = T^{-\ell_{crit}}`, against :math:`T` with Theorem 5.1's slopes.
* :func:`figure_2`: noiseless over-parameterised generators, :math:`T_0 = 150 < d = 300`
  (Section 5.4): the same design (Theorem 4.5) and independent designs (Theorem 4.6).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from symcollapse import _validation as V
from symcollapse._progress import progress_bar
from symcollapse.numeric.prediction import predict
from symcollapse.numeric.spectra import isotropic, power_law
from symcollapse.simulation.monte_carlo import simulate
from symcollapse.simulation.testing import z_score
from symcollapse.symbolic import scaling
from symcollapse.symbolic.catalogue import formula

__all__ = ["SimulatedPoint", "FigureResult", "figure_1a", "figure_1b", "figure_2", "FIGURES"]


@dataclass(frozen=True)
class SimulatedPoint:
    """One Monte-Carlo point of a figure and the theory at the same parameters."""

    figure: str
    panel: str
    n: int
    T: int
    lam: float
    design: str
    theory: float
    mean: float
    stderr: float
    reps: int

    @property
    def z(self) -> float:
        """``(theory - mean) / stderr``."""
        return z_score(self.theory, self)

    @property
    def label(self) -> str:
        design = "" if self.design == "independent" else f", {self.design} design"
        return f"n={self.n}, T={self.T}, lam={self.lam:.3g}{design}"


@dataclass(frozen=True)
class FigureResult:
    """A reproduced figure: its setting, caption, simulated points and (if drawn) the PNG."""

    name: str
    title: str
    caption: str
    setting: dict
    points: tuple[SimulatedPoint, ...]
    path: Path | None
    seconds: float
    reps: int
    extra: dict = field(default_factory=dict)

    @property
    def max_abs_z(self) -> float:
        return max(abs(p.z) for p in self.points)

    def beyond(self, k: float) -> int:
        """How many points lie more than ``k`` standard errors from the theory."""
        return sum(abs(p.z) > k for p in self.points)


@dataclass(frozen=True)
class _Spec:
    panel: str
    eigs: np.ndarray
    w0: np.ndarray
    T: int
    lam: float
    n: int
    kwargs: dict


#: repetitions per simulated point in quick mode (and the least in full mode).  A z-score divides
#: by a standard error estimated from the same ``reps`` samples, so under exact theory it is
#: Student-t with ``reps - 1`` degrees of freedom, not normal: P(|z| > 4) is 1.0e-2 at 6
#: repetitions (one spurious "disagreement" in every 100 points), 7.7e-4 at 20 and 5.6e-4 at
#: 24, against 6.3e-5 for a normal z.  At 24 the ~100 points of the quick report expect 0.06
#: such points, the standard errors are themselves within about 15 % (1/sqrt(2 (reps - 1))),
#: and the report still fits in a minute on 2 cores (the fast simulator makes reps cheap).
QUICK_REPS = 24


def _check(reps, seed, quick: bool, full_reps: int, quick_reps: int = QUICK_REPS) -> tuple[int, int]:
    if reps is None:
        reps = quick_reps if quick else full_reps
    return (
        V.integer(reps, "reps", minimum=2, meaning=" (repetitions per point)"),
        V.integer(seed, "seed", minimum=0),
    )


def _simulate_points(
    name: str, specs: Sequence[_Spec], reps: int, seed: int, progress: bool | None
) -> list[SimulatedPoint]:
    streams = np.random.SeedSequence(seed).spawn(len(specs))
    out = []
    with progress_bar(len(specs), name.replace("_", " "), progress) as bar:
        for spec, stream in zip(specs, streams, strict=True):
            kw = dict(T=spec.T, lam=spec.lam, n=spec.n, **spec.kwargs)
            theory = float(predict(spec.eigs, spec.w0, **kw).test_error)
            sim = simulate(spec.eigs, spec.w0, reps=reps, seed=np.random.default_rng(stream), **kw)
            out.append(
                SimulatedPoint(
                    name,
                    spec.panel,
                    spec.n,
                    spec.T,
                    spec.lam,
                    spec.kwargs.get("design", "independent"),
                    theory,
                    float(sim.mean),
                    float(sim.stderr),
                    reps,
                )
            )
            bar.update(1)
    return out


def _new_figure(figsize):
    from matplotlib.figure import Figure

    return Figure(figsize=figsize)


def _errorbars(ax, points, x: Callable[[SimulatedPoint], float], color, ms=4.0) -> None:
    for p in points:
        ax.errorbar(x(p), p.mean, yerr=2 * p.stderr, color=color, fmt="o", ms=ms, capsize=2)


# ----------------------------------------------------------------------------- Figure 1a
FIGURE_1A: dict[str, Any] = dict(d=300, T0=600, sigma=0.1, sigma0=0.2)


def figure_1a(
    path=None, *, reps: int | None = None, seed: int = 0, quick: bool = False, progress: bool | None = None
) -> FigureResult:
    r"""Figure 1a: isotropic features, :math:`d=300`, :math:`T_0=600`, :math:`\sigma=0.1`, :math:`\sigma_0=0.2`.

    Left: error against :math:`\lambda` at :math:`T=1000` for :math:`n = 0, 1, 2, 5, 10`;
    right: against :math:`T` at :math:`\lambda=10^{-3}`, with Theorem 4.1 (exact, ridgeless) as
    broken lines for :math:`T \ge d+2`.  Points: ``reps`` repetitions each (default 40; 24 and
    fewer points, for n = 0, 2, 10 only, with ``quick``).  ``path``: where to save the PNG (``None``: do not draw).
    """
    reps, seed = _check(reps, seed, quick, 40)
    start = time.perf_counter()
    d, T0, sigma, sigma0 = (FIGURE_1A[k] for k in ("d", "T0", "sigma", "sigma0"))
    common: dict[str, Any] = dict(T0=T0, sigma=sigma, sigma0=sigma0)
    eigs, w0 = isotropic(d)
    ns = (0, 1, 2, 5, 10)
    lam_points = (1e-3, 1e-1) if quick else (1e-3, 1e-1, 1.0)
    T_points = (100,) if quick else (100, 3000)
    sim_ns = (0, 2, 10) if quick else ns
    specs = [_Spec("lam", eigs, w0, 1000, lam, n, common) for n in sim_ns for lam in lam_points]
    specs += [_Spec("T", eigs, w0, T, 1e-3, n, common) for n in sim_ns for T in T_points]
    points = _simulate_points("figure_1a", specs, reps, seed, progress)
    if path is not None:
        lams = np.logspace(-4, 1, 80)
        Ts = np.unique(np.logspace(1, 4, 80).astype(int))
        Ts = Ts[(Ts < d) | (Ts >= d + 2)]
        col = np.array(ns)[:, None]
        pred_lam = predict(eigs, w0, T=1000, lam=lams, n=col, **common).test_error
        pred_T = predict(eigs, w0, T=Ts, lam=1e-3, n=col, **common).test_error
        thm = formula("theorem_4_1_exact")
        fig = _new_figure((11, 4.2))
        left, right = fig.subplots(1, 2)
        for i, n in enumerate(ns):
            color = f"C{i}"
            left.plot(lams, pred_lam[i], color=color, label=f"n = {n}")
            right.plot(Ts, pred_T[i], color=color, label=f"n = {n}")
            big = Ts[Ts >= d + 2]
            right.plot(big, thm.evaluate(d=d, T=big, n=n, lam=0, **common), color=color, ls="--", lw=1)
            mine = [p for p in points if p.n == n]
            _errorbars(left, [p for p in mine if p.panel == "lam"], lambda p: p.lam, color)
            _errorbars(right, [p for p in mine if p.panel == "T" or p.lam == 1e-3], lambda p: p.T, color)
        left.set(xscale="log", yscale="log", xlabel=r"$\lambda$", ylabel="test error", title=r"$T = 1000$")
        right.set(
            xscale="log",
            yscale="log",
            xlabel="$T$",
            title=r"$\lambda = 10^{-3}$ (broken: Theorem 4.1, exact)",
        )
        left.legend(fontsize=8)
        fig.suptitle(
            rf"Figure 1a: isotropic, $d = {d}$, $T_0 = {T0}$, $\sigma = {sigma}$, "
            rf"$\sigma_0 = {sigma0}$; points: simulation $\pm 2$ s.e. ({reps} reps)"
        )
        fig.tight_layout()
        path = _save(fig, path)
    caption = (
        f"Figure 1a of the paper (isotropic features, d = {d}, T0 = {T0}, sigma = {sigma}, "
        f"sigma0 = {sigma0}, unit-norm w0). Curves: predict; broken lines: Theorem 4.1 "
        f"(ridgeless, exact); points: simulate, {reps} repetitions, 2 standard errors."
    )
    return FigureResult(
        "figure_1a",
        "Figure 1a: isotropic features",
        caption,
        dict(FIGURE_1A),
        tuple(points),
        path,
        time.perf_counter() - start,
        reps,
    )


# ----------------------------------------------------------------------------- Figure 1b
FIGURE_1B: dict[str, Any] = dict(d=300, beta=2, r=0.375, T0=600, sigma=1.0, sigma0=1.0)


def _leading_exponent(beta, r, n: int):
    """Theorem 5.1's exponent e at Figure 1b's setting (lam = T^-ell_crit, T0 and d fixed)."""
    import sympy as sp

    ell = scaling.ell_crit(beta, r)
    if n == 0:
        return scaling.error_exponent(beta, r, ell)
    b, g = sp.symbols("b g", positive=True)
    return scaling.error_exponent(beta, r, ell, a=0, b=b, d_exponent=g).subs({b: 0, g: 0})


def figure_1b(
    path=None, *, reps: int | None = None, seed: int = 0, quick: bool = False, progress: bool | None = None
) -> FigureResult:
    r"""Figure 1b: power law :math:`\lambda_k=k^{-2}`, :math:`r=0.375`, :math:`d=300`, :math:`T_0=600`, :math:`\sigma=\sigma_0=1`.

    Left: error against :math:`\lambda` at :math:`T=10^4`; right: the adaptive
    :math:`\lambda=T^{-\ell_{crit}}` (:math:`\ell_{crit}=\beta/(2\beta\bar r+1)=0.8`) against
    :math:`T`, with the leading order :math:`T^{-e}` of Theorem 5.1 (exponent from
    :func:`symcollapse.scaling.error_exponent`, constant anchored at :math:`T=10^5`) as broken
    lines: :math:`e = 3/5` without fake data, :math:`e = -2/5` (growth) with it.  Default 24
    repetitions per point (24 and fewer points, for n = 0, 2, 10 only, with ``quick``).
    """
    import sympy as sp

    reps, seed = _check(reps, seed, quick, 24)
    start = time.perf_counter()
    p = FIGURE_1B
    beta, r = p["beta"], sp.Rational(3, 8)
    ell = float(scaling.ell_crit(beta, r))
    common: dict[str, Any] = dict(T0=p["T0"], sigma=p["sigma"], sigma0=p["sigma0"])
    eigs, w0 = power_law(p["d"], beta, p["r"])
    ns = (0, 1, 2, 5, 10)
    lam_points = (1e-3,) if quick else (1e-5, 1e-3, 1e-1)
    T_points = (30, 3000) if quick else (30, 300, 3000, 10_000)
    sim_ns = (0, 2, 10) if quick else ns
    specs = [_Spec("lam", eigs, w0, 10_000, lam, n, common) for n in sim_ns for lam in lam_points]
    specs += [_Spec("T", eigs, w0, T, T**-ell, n, common) for n in sim_ns for T in T_points]
    points = _simulate_points("figure_1b", specs, reps, seed, progress)
    exponents = {n: _leading_exponent(beta, r, n) for n in (0, 1)}
    if path is not None:
        from matplotlib.lines import Line2D

        lams = np.logspace(-6, 1, 120)
        Ts = np.unique(np.logspace(1, 5, 120).astype(int))
        col = np.array(ns)[:, None]
        pred_lam = predict(eigs, w0, T=10_000, lam=lams, n=col, **common).test_error
        pred_T = predict(eigs, w0, T=Ts, lam=Ts**-ell, n=col, **common).test_error
        fig = _new_figure((12, 4.8))
        left, right = fig.subplots(1, 2)
        for i, n in enumerate(ns):
            color, ms = f"C{i}", 3 + 0.5 * (len(ns) - i)
            left.plot(lams, pred_lam[i], color=color, label=f"n = {n}")
            right.plot(Ts, pred_T[i], color=color, label=f"n = {n}")
            mine = [q for q in points if q.n == n]
            _errorbars(left, [q for q in mine if q.panel == "lam"], lambda q: q.lam, color, ms)
            _errorbars(right, [q for q in mine if q.panel == "T"], lambda q: q.T, color, ms)
            e = float(exponents[min(n, 1)])
            guide = Ts[Ts >= 100]
            right.plot(guide, pred_T[i][-1] * (guide / Ts[-1]) ** (-e), color=color, ls="--", lw=1)
        left.axvline(10_000**-ell, color="0.6", lw=0.8, ls=":")
        left.set(
            xscale="log",
            yscale="log",
            xlabel=r"$\lambda$",
            ylabel="test error",
            title=r"$T = 10^4$ (dotted: $T^{-\ell_{crit}}$)",
        )
        right.set(
            xscale="log",
            yscale="log",
            xlabel="$T$",
            title=rf"$\lambda = T^{{-\ell_{{crit}}}}$, $\ell_{{crit}} = {ell:g}$",
        )
        left.legend(fontsize=8)
        guides = [
            Line2D([], [], color="0.3", ls="--", lw=1, label=rf"$n = 0$: $\propto T^{{-({exponents[0]})}}$"),
            Line2D(
                [], [], color="0.3", ls="--", lw=1, label=rf"$n \geq 1$: $\propto T^{{-({exponents[1]})}}$"
            ),
        ]
        right.legend(
            handles=guides, fontsize=8, loc="lower left", title="Theorem 5.1 leading order", title_fontsize=8
        )
        fig.suptitle(
            rf"Figure 1b: $\lambda_k = k^{{-2}}$, $r = 0.375$, $d = {p['d']}$, "
            rf"$T_0 = {p['T0']}$, $\sigma = \sigma_0 = 1$; points: simulation "
            rf"$\pm 2$ s.e. ({reps} reps)",
            fontsize=11,
        )
        fig.tight_layout()
        path = _save(fig, path)
    caption = (
        f"Figure 1b of the paper (power-law spectrum k^-2, r = 0.375, d = {p['d']}, "
        f"T0 = {p['T0']}, sigma = sigma0 = 1). Right panel: lam = T^-ell_crit, "
        f"ell_crit = {ell:g}; broken lines: Theorem 5.1's leading order with exponent "
        f"{exponents[0]} (n = 0) and {exponents[1]} (n >= 1, T0 and d fixed), constant "
        f"anchored at T = 1e5. Points: simulate, {reps} repetitions, 2 standard errors."
    )
    return FigureResult(
        "figure_1b",
        "Figure 1b: power-law spectrum",
        caption,
        dict(p),
        tuple(points),
        path,
        time.perf_counter() - start,
        reps,
        extra={"exponents": {k: str(v) for k, v in exponents.items()}},
    )


# ----------------------------------------------------------------------------- Figure 2
FIGURE_2: dict[str, Any] = dict(d=300, T0=150, sigma=0.1, sigma0=0.0, lam=1e-3)


def figure_2(
    path=None, *, reps: int | None = None, seed: int = 0, quick: bool = False, progress: bool | None = None
) -> FigureResult:
    r"""Figure 2: noiseless over-parameterised generators, :math:`d=300`, :math:`T_0=150`.

    :math:`\sigma_0=0`, :math:`\sigma=0.1`, :math:`\lambda=10^{-3}`, :math:`\Sigma=I`; error
    against :math:`T` for :math:`n=0..5`, (a) the same design (Theorem 4.5: bias increase
    :math:`(1-1/\phi_0)\lVert w_0\rVert^2` for every :math:`n\ge1`), (b) independent designs
    (Theorem 4.6: :math:`(1-\phi_0^{-n})\lVert w_0\rVert^2`), the levels dotted.  Default 24
    repetitions per point (24 and fewer points with ``quick``).
    """
    reps, seed = _check(reps, seed, quick, 24)
    start = time.perf_counter()
    p = FIGURE_2
    d, T0 = p["d"], p["T0"]
    eigs, w0 = isotropic(d)
    norm2 = float(w0 @ w0)
    ns = tuple(range(6))
    T_points = (20, 300, 1000) if quick else (20, 100, 300, 1000, 3000)
    designs = ("same", "independent")
    specs = [
        _Spec(
            design, eigs, w0, T, p["lam"], n, dict(T0=T0, sigma=p["sigma"], sigma0=p["sigma0"], design=design)
        )
        for design in designs
        for n in ns
        for T in T_points
    ]
    points = _simulate_points("figure_2", specs, reps, seed, progress)
    if path is not None:
        Ts = np.unique(np.logspace(1, 4, 120).astype(int))
        fig = _new_figure((11.5, 4.6))
        axes = fig.subplots(1, 2, sharey=True)
        titles = {
            "same": "(a) same design (Theorem 4.5)",
            "independent": "(b) independent designs (Theorem 4.6)",
        }
        for ax, design in zip(axes, designs, strict=True):
            pred = predict(
                eigs,
                w0,
                T=Ts,
                lam=p["lam"],
                n=np.array(ns)[:, None],
                T0=T0,
                sigma=p["sigma"],
                sigma0=p["sigma0"],
                design=design,
            ).test_error
            for n in ns:
                color = f"C{n}"
                ax.plot(Ts, pred[n], color=color, label=f"n = {n}")
                _errorbars(
                    ax,
                    [q for q in points if q.panel == design and q.n == n],
                    lambda q: q.T,
                    color,
                    ms=2.5 + 0.9 * (5 - n),
                )
                if n >= 1 and (design == "independent" or n == 1):
                    level = (1 - T0 / d) * norm2 if design == "same" else (1 - (T0 / d) ** n) * norm2
                    ax.axhline(level, color="0.3" if design == "same" else color, ls=":", lw=1)
            ax.axvline(d, color="0.6", lw=0.8, ls="--")
            ax.set(xscale="log", yscale="log", xlabel="$T$", title=titles[design])
        axes[0].set_ylabel("test error")
        axes[0].legend(fontsize=8, loc="lower left")
        fig.suptitle(
            rf"Figure 2: $d = {d}$, $T_0 = {T0}$ ($\phi_0 = 2$), $\sigma_0 = 0$, "
            rf"$\sigma = {p['sigma']}$, $\lambda = 10^{{-3}}$; points: simulation "
            rf"$\pm 2$ s.e. ({reps} reps); dotted: Theorems 4.5/4.6",
            fontsize=10,
        )
        fig.tight_layout()
        path = _save(fig, path)
    caption = (
        f"Figure 2 of the paper (noiseless generators fitted by minimum-norm least squares "
        f"on T0 = {T0} < d = {d} samples, sigma = {p['sigma']}, lam = 1e-3). Dotted: the "
        f"bias levels of Theorem 4.5 (same design) and 4.6 (independent designs). "
        f"Points: simulate, {reps} repetitions, 2 standard errors."
    )
    return FigureResult(
        "figure_2",
        "Figure 2: over-parameterised generators",
        caption,
        dict(p),
        tuple(points),
        path,
        time.perf_counter() - start,
        reps,
    )


def _save(fig, path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    return path


#: name -> function, in the order of the paper
FIGURES: dict[str, Callable[..., FigureResult]] = {
    "figure_1a": figure_1a,
    "figure_1b": figure_1b,
    "figure_2": figure_2,
}
