"""The report's sections on the workflows beyond the paper's chain (accumulate, fresh real data
each generation, strong collapse): one figure each, with what the theory says and how it was
checked.  Each section function has the signature of ``report.EXTRA_SECTIONS`` entries:
``(out_dir, *, quick, seed, progress) -> (blocks, FigureResult)``."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from symcollapse.presentation.export import Figure, Heading, Paragraph
from symcollapse.presentation.figures import FigureResult
from symcollapse.presentation.figures_workflows import (
    ACCUMULATE,
    accumulate_figure,
    fresh_real_mix_figure,
    strong_collapse_figure,
)

__all__ = ["WORKFLOW_SECTIONS", "accumulate_section", "fresh_real_mix_section", "strong_collapse_section"]


def _summary(f: FigureResult) -> Paragraph:
    return Paragraph(
        (
            f"{len(f.points)} simulated points, {f.reps} repetitions each: largest "
            f"|z| = {f.max_abs_z:.2f}, {f.beyond(2)} beyond 2 standard errors, "
            f"{f.beyond(4)} beyond 4. Simulation and drawing took {f.seconds:.1f} s.",
        )
    )


def _blocks(f: FigureResult, title: str, text: tuple[str, ...]) -> list:
    assert f.path is not None
    return [
        Heading(2, (title,)),
        Paragraph(text),
        Figure(f.path.name, f.caption, label=f"fig:{f.name}"),
        _summary(f),
    ]


def accumulate_section(out: Path, *, quick: bool, seed: int, progress: bool | None = None):
    fig = accumulate_figure(Path(out) / "accumulate.png", quick=quick, seed=seed)
    c = ACCUMULATE
    unit = c["d"] * c["sigma0"] ** 2 / (c["T0"] - c["d"] - 1)
    text = (
        "Every generation keeps the rows and labels of all earlier ones (Gerstgrasser et al., "
        "2024). With least squares the engine derives this exactly. On one design X0 every "
        "fit is the projection plus X0^+ applied to a weighted sum of the label noises, the "
        "i-th with weight 1/i, so the error is d/(T0 - d - 1) times the sum of "
        "sigma_i^2/i^2, below pi^2/6 times one fit's error "
        f"({np.pi**2 / 6 * unit:.4f} here). With fresh designs the normal equations give "
        "e_m = e_(m-1) + S_m^-1 X_m' eps_m, and exchangeability of the rows gives the sum of "
        "sigma_i^2 (T_i/N_i) d/(N_i - d - 1), lower still. Replacing the data instead grows "
        "linearly in n. derivations/workflow_accumulate.py checks both sums symbolically.",
    )
    return [
        Heading(1, ("Workflows beyond the paper's chain",)),
        *_blocks(fig, "Accumulating data", text),
    ], fig


def fresh_real_mix_section(out: Path, *, quick: bool, seed: int, progress: bool | None = None):
    fig = fresh_real_mix_figure(Path(out) / "fresh_real_mix.png", quick=quick, seed=seed)
    text = (
        "Each generation trains on a fraction alpha of fresh real rows and the rest labelled "
        "by the previous fit. The teachers' disagreement on a fit's rows acts as extra label "
        "noise alpha (1 - alpha) tr(Sigma H). For least-squares generators on T0 >= d + 2 "
        "rows the generators' error follows E_m = a E_(m-1) + s sigma0^2, with "
        "a = (1 - alpha)((1 - alpha) + alpha s) and s = d/(T0 - d - 1), so the limit is "
        "s sigma0^2/(1 - a). It is finite for every alpha > 0 when s <= 2, and decreases "
        "in alpha, so the best alpha is 1. Near interpolation (s > 2) a small real fraction, "
        "alpha < (s - 2)/(s - 1), makes the chain diverge faster than the replace chain; "
        "simulation confirms this (tests/test_workflows.py). "
        "See derivations/workflow_fresh_real_mix.py.",
    )
    return _blocks(fig, "Fresh real data every generation", text), fig


def strong_collapse_section(out: Path, *, quick: bool, seed: int, progress: bool | None = None):
    fig = strong_collapse_figure(Path(out) / "strong_collapse.png", quick=quick, seed=seed)
    text = (
        "The downstream model trains on a fraction alpha of real rows and the rest labelled "
        "by a fixed synthetic teacher w2 = w0 + Delta (Dohmatob, Feng, Subramonian & Kempe, "
        "2025). The pooled fit behaves like clean ridge on the target w0 + (1 - alpha) Delta, "
        "with extra label noise alpha (1 - alpha) ||Delta||_Sigma^2, but is measured "
        "against w0. As T grows at fixed alpha the error tends to a floor: "
        "(1 - alpha)^2 ||Delta||_Sigma^2 for lam -> 0. The ridge that minimises the floor "
        "lowers it but never removes it. A fixed number of synthetic rows, a fraction that "
        "shrinks like 1/T, washes out. derivations/workflow_downstream_mix.py derives the "
        "floor and its optimal ridge, and shows that with the chain's output as the "
        "synthetic teacher the engine reproduces the worked example of derivations/README.md.",
    )
    return _blocks(fig, "Strong collapse: real and synthetic rows mixed downstream", text), fig


#: report.EXTRA_SECTIONS entries, in order
WORKFLOW_SECTIONS = {
    "accumulate": accumulate_section,
    "fresh_real_mix": fresh_real_mix_section,
    "strong_collapse": strong_collapse_section,
}
