r"""The kernel-chain figure: real kernel-ridge chains on the digits against ``predict(..., lam0=...)``.

:func:`kernel_chain_figure` runs the measurements, draws a six-panel PNG and returns the measured
rows (every number in the figure), so that a report can print them:

* (a, b) RBF and normalised polynomial kernels: test error against :math:`T` for several
  :math:`n`, a near-interpolating (:math:`\lambda_0=10^{-6}`) and a regularised
  (:math:`\lambda_0=10^{-2}`) generator; real chains (points, :math:`\pm` one standard error)
  against the prediction (lines); open squares: the Gaussian-feature simulation with the same
  spectrum (separates a non-Gaussian effect from a formula error);
* (c) the three effects of ridge generators: the signal shrink (noise-free generators, error
  growing with :math:`n`), the sub-linear collapse in :math:`n` against the paper's linear-in-:math:`n`
  formula, and (d) the saturation of the collapse term in :math:`T` at the generator's own error;
* (e) Corollary 5.2's larger ridge :math:`\lambda_\star=(n\sigma_0^2/T_0)^{\ell_{crit}}` against the
  classical :math:`T^{-\ell_{crit}}` when the generator is a kernel ridge;
* (f) theory/measured ratio of every cell.

matplotlib is imported here only (the plot layer sits on top of the theory).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any

import numpy as np

from symcollapse.numeric.optimal import ridge_recipe
from symcollapse.simulation.kernels import fit_exponents, kernel_chain_grid, load_digits_problem
from symcollapse.simulation.monte_carlo import simulate
from symcollapse.simulation.testing import z_score
from symcollapse.symbolic import scaling
from symcollapse.symbolic.catalogue import formula

__all__ = ["kernel_chain_figure"]

T0, SIGMA, SIGMA0, LAM = 400, 0.5, 0.5, 1e-3
LAM0S = {"near-interpolating": 1e-6, "regularised": 1e-2}
#: repetitions behind every z-score of the quick report (see :data:`symcollapse.presentation.figures.QUICK_REPS`).
QUICK_REPS = 24


class _Inline(Executor):
    """Runs each submitted call at once, in this process (no executor given)."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        fut: Future = Future()
        fut.set_result(fn(*args, **kwargs))
        return fut


def _config(quick: bool) -> dict:
    if quick:
        return dict(
            reps=QUICK_REPS,
            ns=[0, 2, 8],
            Ts=[50, 200, 800],
            gauss=[("rbf", 1e-6, 8, 800)],
            gauss_reps=4,
            kernels=("rbf", "polynomial"),
        )
    return dict(
        reps=24,
        ns=[0, 1, 2, 4, 8],
        Ts=[50, 100, 200, 400, 800],
        gauss=[(k, l0, 8, T) for k in ("rbf", "polynomial") for l0 in (1e-6, 1e-2) for T in (200, 800)],
        gauss_reps=16,
        kernels=("rbf", "polynomial"),
    )


def kernel_chain_figure(
    path,
    *,
    quick: bool = True,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
    executor: Executor | None = None,
) -> dict:
    """Measure, draw the figure to ``path`` (PNG) and return ``{"rows": [...], "findings": {...}, "reps": int,
    "exponents": {...}, "seconds": float}``.  ``quick`` runs in well under a minute (24
    repetitions, n in {0, 2, 8}, T in {50, 200, 800}, one Gaussian cell); the full run (24
    repetitions, n in {0, 1, 2, 4, 8}, T from 50 to 800, eight Gaussian cells) takes a few minutes.
    ``executor``: where the chains run (each an independent job with its own seed, so the
    numbers do not depend on it); ``None`` runs them here, one after the other.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)  # before the measurements, not after
    say = progress or (lambda msg: None)
    start = time.perf_counter()
    cfg = _config(quick)
    ns, Ts = cfg["ns"], cfg["Ts"]
    pool = _Inline() if executor is None else executor
    rows: list[dict] = []
    problems, exponents = {}, {}
    for kernel in cfg["kernels"]:
        P = load_digits_problem(kernel)
        problems[kernel] = P
        beta, r = fit_exponents(P)
        exponents[kernel] = dict(beta=beta, r=r, ell_crit=float(scaling.ell_crit(beta, r)))
        say(f"{kernel}: fitted beta = {beta:.3f}, r = {r:.3f}")
    # every measurement is an independent job (own seed), submitted before any is awaited
    grids = {
        (kernel, lam0): pool.submit(
            kernel_chain_grid,
            problems[kernel],
            ns=ns,
            Ts=Ts,
            T0=T0,
            lam=LAM,
            lam0=lam0,
            sigma=SIGMA,
            sigma0=SIGMA0,
            reps=cfg["reps"],
            seed=seed,
        )
        for kernel in cfg["kernels"]
        for lam0 in LAM0S.values()
    }
    gauss: dict[tuple, Future] = {
        (kernel, lam0, n, T): pool.submit(
            simulate,
            problems[kernel].eigenvalues,
            problems[kernel].w0,
            T=T,
            lam=LAM,
            n=n,
            T0=T0,
            sigma=SIGMA,
            sigma0=SIGMA0,
            lam0=lam0,
            reps=cfg["gauss_reps"],
            seed=seed + 1,
        )
        for kernel, lam0, n, T in cfg["gauss"]
    }
    effect_jobs = _submit_effects(pool, problems["rbf"], exponents["rbf"], cfg, seed)
    for (kernel, lam0), job in grids.items():
        P = problems[kernel]
        res = job.result()
        pred = P.predict(
            T=np.array(Ts, float),
            lam=LAM,
            n=np.array(ns)[:, None],
            T0=T0,
            sigma=SIGMA,
            sigma0=SIGMA0,
            lam0=lam0,
        ).test_error
        label = next(k for k, v in LAM0S.items() if v == lam0)
        for i, n in enumerate(ns):
            for k, T in enumerate(Ts):
                sim = res[(n, T)]
                rows.append(
                    dict(
                        kernel=kernel,
                        generator=label,
                        lam0=lam0,
                        n=n,
                        T=T,
                        predict=float(pred[i, k]),
                        mean=sim.mean,
                        stderr=sim.stderr,
                        gap=float(pred[i, k] / sim.mean - 1),
                        z=float(z_score(pred[i, k], sim)),
                    )
                )
        say(f"{kernel}, lam0 = {lam0:g}: {len(ns) * len(Ts)} cells measured")
    for (kernel, lam0, n, T), gauss_job in gauss.items():
        P = problems[kernel]
        g = gauss_job.result()
        for row in rows:
            if (row["kernel"], row["lam0"], row["n"], row["T"]) == (kernel, lam0, n, T):
                row["gaussian_mean"] = g.mean + P.residual
                row["gaussian_stderr"] = g.stderr
        say(f"Gaussian features, {kernel}, lam0 = {lam0:g}, n = {n}, T = {T}: {g.mean:.4f}")

    findings = _effects(problems["rbf"], exponents["rbf"], cfg, rows, say, effect_jobs)
    _draw(plt, path, rows, findings, cfg)
    return dict(
        rows=rows,
        findings=findings,
        exponents=exponents,
        reps=cfg["reps"],
        seconds=time.perf_counter() - start,
    )


def _ridge_rules(expo: dict, n: int, T: int) -> tuple[tuple[str, float], ...]:
    """The classical ridge T^-ell_crit and Corollary 5.2's recipe (capped below by T^-beta)."""
    recipe = ridge_recipe(expo["beta"], expo["r"], n=n, sigma0=SIGMA0, T0=T0, T=T)
    return (("classical", float(T) ** (-expo["ell_crit"])), ("corollary_5_2", float(recipe)))


def _submit_effects(pool: Executor, P, expo, cfg, seed) -> dict:
    """Submit the chains behind the effects and Corollary 5.2 (see :func:`_effects`)."""
    lam0, ns, n_top = LAM0S["regularised"], cfg["ns"], max(cfg["ns"])
    jobs: dict[Any, Any] = {
        "clean": pool.submit(
            kernel_chain_grid,
            P,
            ns=ns,
            Ts=[800],
            T0=T0,
            lam=LAM,
            lam0=lam0,
            sigma=SIGMA,
            sigma0=0.0,
            reps=cfg["reps"],
            seed=seed,
        )
    }
    for T in cfg["Ts"]:
        for name, lam in _ridge_rules(expo, n_top, T):
            jobs[(name, T)] = (
                lam,
                pool.submit(
                    kernel_chain_grid,
                    P,
                    ns=[n_top],
                    Ts=[T],
                    T0=T0,
                    lam=lam,
                    lam0=lam0,
                    sigma=SIGMA,
                    sigma0=SIGMA0,
                    reps=cfg["reps"],
                    seed=seed,
                ),
            )
    return jobs


def _effects(P, expo, cfg, rows, say, jobs) -> dict:
    """The three effects and Corollary 5.2, measured on the RBF digits problem (lam0 = 1e-2)."""
    lam0, ns = LAM0S["regularised"], cfg["ns"]
    out: dict = {}
    # 1. signal shrink: noise-free generators
    clean_gen = jobs["clean"].result()
    pred = P.predict(T=800, lam=LAM, n=np.array(ns), T0=T0, sigma=SIGMA, lam0=lam0).test_error
    out["signal_shrink"] = [
        dict(n=n, predict=float(pred[i]), mean=clean_gen[(n, 800)].mean, stderr=clean_gen[(n, 800)].stderr)
        for i, n in enumerate(ns)
    ]
    # 2. sub-linear collapse: per-generation increments at T = 800, and the linear-in-n formula
    cell = {(r_["n"], r_["T"]): r_ for r_ in rows if r_["kernel"] == "rbf" and r_["lam0"] == lam0}
    rho_ls = (
        P.predict(T=800, lam=LAM, n=1, T0=T0, sigma=SIGMA, sigma0=SIGMA0).test_error
        - P.predict(T=800, lam=LAM, n=1, T0=T0, sigma=SIGMA).test_error
    ) / SIGMA0**2

    def increase(n, T):
        """E_n - E_0, measured (with its standard error) and predicted."""
        a, b = cell[(n, T)], cell[(0, T)]
        return a["mean"] - b["mean"], float(np.hypot(a["stderr"], b["stderr"])), a["predict"] - b["predict"]

    out["sublinear"] = []
    for n in ns:
        mean, se, pred_inc = increase(n, 800)
        out["sublinear"].append(
            dict(
                n=n,
                mean_increase=mean,
                stderr=se,
                predict_increase=pred_inc,
                linear_in_n=n * SIGMA0**2 * float(rho_ls),
            )
        )
    # 3. saturation in T: the collapse term (predict) against the generator's own error
    Tgrid = np.geomspace(50, 1e6, 30)
    n_top = max(ns)
    coll = P.predict(T=Tgrid, lam=1e-7, n=n_top, T0=T0, sigma=SIGMA, sigma0=SIGMA0, lam0=lam0).collapse
    own = P.predict(T=T0, lam=lam0, n=n_top - 1, T0=T0, sigma=SIGMA0, sigma0=SIGMA0, lam0=lam0)
    measured = [dict(T=T, collapse=increase(n_top, T)[0], predict=increase(n_top, T)[2]) for T in cfg["Ts"]]

    rho18 = formula("rho_general").evaluate(eigenvalues=P.eigenvalues, T=Tgrid, lam=1e-7, T0=T0)
    out["saturation"] = dict(
        n=n_top,
        T=Tgrid.tolist(),
        collapse=coll.tolist(),
        least_squares_theory=(n_top * SIGMA0**2 * rho18).tolist(),
        generator_own_error=float(own.test_error),
        measured=measured,
    )
    # Corollary 5.2: classical ridge T^-ell_crit against lam_star = (n sigma0^2 / T0)^ell_crit
    ell = expo["ell_crit"]
    lam_star = float(ridge_recipe(expo["beta"], expo["r"], n=n_top, sigma0=SIGMA0, T0=T0))
    cor = []
    for T in cfg["Ts"]:
        for name, lam in _ridge_rules(expo, n_top, T):
            lam_job, job = jobs[(name, T)]
            assert lam_job == lam
            sim = job.result()[(n_top, T)]
            p = P.predict(T=T, lam=lam, n=n_top, T0=T0, sigma=SIGMA, sigma0=SIGMA0, lam0=lam0)
            cor.append(
                dict(rule=name, T=T, lam=lam, mean=sim.mean, stderr=sim.stderr, predict=float(p.test_error))
            )
    out["corollary_5_2"] = dict(ell_crit=ell, lam_star=lam_star, n=n_top, rows=cor)
    say("effects measured")
    return out


def _draw(plt, path, rows, findings, cfg) -> None:
    fig, axes = plt.subplots(2, 3, figsize=(16, 9.5))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, kernel in zip(axes[0, :2], cfg["kernels"], strict=True):
        for gi, (label, lam0) in enumerate(LAM0S.items()):
            for ci, n in enumerate(cfg["ns"]):
                sel = [r for r in rows if r["kernel"] == kernel and r["lam0"] == lam0 and r["n"] == n]
                T = [r["T"] for r in sel]
                c = colors[ci % len(colors)]
                ls = "-" if gi else "--"
                ax.plot(T, [r["predict"] for r in sel], ls, color=c, label=f"n={n}, {label}")
                ax.errorbar(
                    T,
                    [r["mean"] for r in sel],
                    yerr=[r["stderr"] for r in sel],
                    fmt="o" if gi else "^",
                    color=c,
                    ms=4,
                    capsize=2,
                )
                for r in sel:
                    if "gaussian_mean" in r:
                        ax.errorbar(
                            [r["T"] * 1.05],
                            [r["gaussian_mean"]],
                            yerr=[r["gaussian_stderr"]],
                            fmt="s",
                            mfc="none",
                            color=c,
                            ms=6,
                            capsize=2,
                        )
        ax.set_xscale("log")
        ax.set_xlabel("T (downstream samples)")
        ax.set_ylabel("test error (population)")
        ax.set_title(
            f"digits, {kernel}, T0={T0}: real chain (points), predict (lines)\n"
            "dashed/triangles lam0=1e-6, solid/circles lam0=1e-2, squares Gaussian",
            fontsize=9,
        )
        ax.legend(fontsize=6, ncol=2)
    ax = axes[0, 2]
    ss = findings["signal_shrink"]
    ax.errorbar(
        [r["n"] for r in ss],
        [r["mean"] for r in ss],
        yerr=[r["stderr"] for r in ss],
        fmt="o",
        label="measured, sigma0 = 0 (signal shrink)",
    )
    ax.plot([r["n"] for r in ss], [r["predict"] for r in ss], "-", label="predict, sigma0 = 0")
    sl = findings["sublinear"]
    ax.errorbar(
        [r["n"] for r in sl],
        [r["mean_increase"] for r in sl],
        yerr=[r["stderr"] for r in sl],
        fmt="s",
        label="measured increase over n = 0 (sigma0 = 0.5)",
    )
    ax.plot([r["n"] for r in sl], [r["predict_increase"] for r in sl], "-", label="predict increase")
    ax.plot(
        [r["n"] for r in sl],
        [r["linear_in_n"] for r in sl],
        ":",
        label="linear in n (least-squares generator theory)",
    )
    ax.set_xlabel("n (generations)")
    ax.set_title("RBF, lam0=1e-2, T=800: signal shrink, sub-linear collapse", fontsize=9)
    ax.legend(fontsize=7)
    ax = axes[1, 0]
    sat = findings["saturation"]
    ax.plot(sat["T"], sat["collapse"], "-", label=f"predict: collapse term, n = {sat['n']}")
    ax.axhline(sat["generator_own_error"], ls=":", color="k", label="generator's own test error")
    ax.plot(
        sat["T"], sat["least_squares_theory"], "--", label="paper: n sigma0^2 rho(18), kappa0 = kappa(0, T0)"
    )
    ax.plot(
        [m["T"] for m in sat["measured"]],
        [m["collapse"] for m in sat["measured"]],
        "o",
        label="measured E_n - E_0 (lam = 1e-3)",
    )
    ax.plot(
        [m["T"] for m in sat["measured"]],
        [m["predict"] for m in sat["measured"]],
        "x",
        label="predict E_n - E_0 (lam = 1e-3)",
    )
    ax.set_xscale("log")
    ax.set_xlabel("T")
    ax.set_title("saturation in T (curves: lam = 1e-7) at the generator's error", fontsize=9)
    ax.legend(fontsize=7)
    ax = axes[1, 1]
    cor = findings["corollary_5_2"]
    for rule, mk in (("classical", "o"), ("corollary_5_2", "s")):
        sel = [r for r in cor["rows"] if r["rule"] == rule]
        ax.errorbar(
            [r["T"] for r in sel],
            [r["mean"] for r in sel],
            yerr=[r["stderr"] for r in sel],
            fmt=mk,
            label=f"measured, {rule}",
        )
        ax.plot([r["T"] for r in sel], [r["predict"] for r in sel], "-", label=f"predict, {rule}")
    ax.set_xscale("log")
    ax.set_xlabel("T")
    ax.set_title(f"RBF, n = {cor['n']}: lam = T^-ell_crit vs lam_star = {cor['lam_star']:.3g}", fontsize=9)
    ax.legend(fontsize=7)
    ax = axes[1, 2]
    for gi, (label, lam0) in enumerate(LAM0S.items()):
        for kernel, mk in zip(cfg["kernels"], ("o", "s"), strict=True):
            sel = [r for r in rows if r["kernel"] == kernel and r["lam0"] == lam0]
            ax.errorbar(
                [r["n"] + 0.15 * gi for r in sel],
                [r["predict"] / r["mean"] for r in sel],
                yerr=[r["predict"] * r["stderr"] / r["mean"] ** 2 for r in sel],
                fmt=mk,
                color=colors[gi],
                ms=4,
                label=f"{kernel}, {label}",
                alpha=0.7,
            )
    ax.axhline(1.0, color="k", lw=0.8)
    ax.set_xlabel("n")
    ax.set_ylabel("predict / measured")
    ax.set_title("every cell: theory / real chain", fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
