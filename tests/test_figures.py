"""The figure builders behind the report and the examples: seeded, complete, honest z-scores."""

import numpy as np
import pytest

from symcollapse.presentation import figures
from symcollapse.simulation.testing import z_score


def test_figure_points_are_seeded_and_consistent(tmp_path):
    a = figures.figure_2(None, quick=True, reps=3, seed=5, progress=False)
    b = figures.figure_2(None, quick=True, reps=3, seed=5, progress=False)
    c = figures.figure_2(None, quick=True, reps=3, seed=6, progress=False)
    assert a.points == b.points
    assert [p.mean for p in a.points] != [p.mean for p in c.points]
    assert a.path is None
    assert {p.design for p in a.points} == {"same", "independent"}
    assert {p.n for p in a.points} == set(range(6))
    for p in a.points:
        assert p.reps == 3 and p.stderr > 0
        assert p.z == pytest.approx(z_score(p.theory, p), rel=1e-12)
    assert a.max_abs_z == max(abs(p.z) for p in a.points)
    assert a.beyond(0) == len(a.points)


def test_figure_1a_draws_a_png(tmp_path):
    fig = figures.figure_1a(tmp_path / "sub" / "f.png", quick=True, reps=2, seed=0, progress=False)
    assert fig.path == tmp_path / "sub" / "f.png"
    assert fig.path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(fig.points) == 9 and np.all([p.theory > 0 for p in fig.points])


@pytest.mark.parametrize(
    "kw, words",
    [(dict(reps=1), "reps"), (dict(reps=2.5), "reps"), (dict(seed=-1), "seed"), (dict(seed=True), "seed")],
)
def test_figure_bad_input(kw, words):
    with pytest.raises(ValueError, match=words):
        figures.figure_1b(None, **kw)


def test_kernel_section_without_scikit_learn(monkeypatch, tmp_path):
    """Without scikit-learn the report's kernel section says how to get it and draws nothing."""
    from symcollapse.presentation import report_kernel

    monkeypatch.setattr(report_kernel.importlib.util, "find_spec", lambda name: None)
    blocks, fig = report_kernel.kernel_section(tmp_path, quick=True, seed=0, progress=False)
    assert fig is None and not list(tmp_path.iterdir())
    text = " ".join(str(p) for b in blocks for p in getattr(b, "parts", ()))
    assert "scikit-learn" in text and "symcollapse[kernels]" in text
