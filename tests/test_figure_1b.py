"""Figure 1b (paper Section 5.3): Monte-Carlo at the paper's power-law setting against ``predict``, and the
two examples (``examples/figure_1b.py``, ``examples/phase_diagram.py``) run end to end.

Setting: d = 300, lambda_k = k**-2 (beta = 2), r = 0.375, T0 = 600, sigma = sigma0 = 1, adaptive
lam = T**-ell_crit = T**-0.8.  Allowance: k = 4 standard errors plus rel = 1/min(d, T), the
finite-size (O(1/d), and O(1/T) for small T) error of the deterministic equivalents behind
``predict`` (Prop. 4.2, eq. 19), as measured in tests/test_theory_vs_simulation.py (module
docstring there: a bias of order 1/min(d, T), theory below simulation, visible once the standard
error is small).  Reps are chosen so that the whole module (fast tests) runs in about 20 s.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import symcollapse as sc
from symcollapse.simulation.testing import assert_matches_simulation
from symcollapse.symbolic.scaling import ell_crit

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
D, BETA, R, T0 = 300, 2, 0.375, 600


@pytest.fixture(scope="module")
def spectrum():
    return sc.power_law(D, BETA, R)


def test_ell_crit_is_0_8():
    assert ell_crit(BETA, R) == pytest.approx(0.8)


@pytest.mark.parametrize("n", [0, 1, 5])
@pytest.mark.parametrize("T, reps", [(100, 40), (1000, 24), (10_000, 12)])
def test_monte_carlo_matches_predict(spectrum, n, T, reps):
    eigs, w0 = spectrum
    kw = dict(T=T, lam=T**-0.8, n=n, T0=T0, sigma=1.0, sigma0=1.0)
    sim = sc.simulate(eigs, w0, **kw, reps=reps, seed=1000 * n + T)
    assert_matches_simulation(sc.predict(eigs, w0, **kw), sim, k=4, rel=1.0 / min(D, T))


def test_fake_data_makes_error_grow_with_T(spectrum):
    """The figure's message: at ell_crit the clean error falls, the collapsed one grows."""
    eigs, w0 = spectrum
    Ts = np.array([1000, 10_000])
    err = sc.predict(
        eigs, w0, T=Ts, lam=Ts**-0.8, n=np.array([[0], [1]]), T0=T0, sigma=1.0, sigma0=1.0
    ).test_error
    assert err[0, 1] < err[0, 0] and err[1, 1] > err[1, 0]


def _run(script: str, *args: str, cwd: Path) -> str:
    out = subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return out.stdout


@pytest.mark.slow
def test_figure_1b_example_writes_png(tmp_path):
    png = tmp_path / "figure_1b.png"
    stdout = _run("figure_1b.py", "--out", str(png), "--reps", "2", cwd=tmp_path)
    assert png.exists() and png.stat().st_size > 10_000
    assert "largest |z|" in stdout


@pytest.mark.slow
def test_phase_diagram_example_writes_png(tmp_path):
    png = tmp_path / "phase_diagram.png"
    stdout = _run("phase_diagram.py", "--out", str(png), "--grid", "41", cwd=tmp_path)
    assert png.exists() and png.stat().st_size > 10_000
    assert r"\min" in stdout
