"""``sc.sweep``: identical numbers on every executor, store and resume after SIGINT, bad input
refused before any work with no store left behind, theory against Monte-Carlo per cell."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import symcollapse as sc

xr = pytest.importorskip("xarray")
zarr = pytest.importorskip("zarr")

ROOT = Path(__file__).resolve().parents[1]
GRID = {"T": [40, 80], "lam": [1e-3, 1e-1]}
FIXED = dict(d=20, n=2, T0=60, sigma=0.2, sigma0=0.3)


def _same(a, b):
    for name in ("theory", "mc_mean", "mc_stderr", "z"):
        np.testing.assert_array_equal(a[name].values, b[name].values, err_msg=name)
    assert list(a.dims) == list(b.dims)


def test_sweep_cells_are_theory_and_simulation_side_by_side():
    ds = sc.sweep(GRID, fixed=FIXED, reps=300, seed=1)
    assert ds.mc_mean.dims == ("T", "lam") and ds.mc_mean.shape == (2, 2)
    e, w = sc.power_law(20, 2.0, 0.375)
    for i, T in enumerate(GRID["T"]):
        for j, lam in enumerate(GRID["lam"]):
            pipe = sc.workflows.replace(T=T, lam=lam, n=2, T0=60, sigma=0.2, sigma0=0.3)
            assert ds.theory.values[i, j] == pytest.approx(float(pipe.predict(e, w).test_error))
            seed = np.random.SeedSequence(1, spawn_key=(2 * i + j,))
            sim = pipe.simulate(e, w, reps=300, seed=seed)
            assert ds.mc_mean.values[i, j] == sim.mean and ds.mc_stderr.values[i, j] == sim.stderr
    np.testing.assert_allclose(ds.z, (ds.theory - ds.mc_mean) / ds.mc_stderr)
    # the theory is a deterministic equivalent (O(1/d) off at d = 20): judged by the simulation's
    # own standard error at this seed
    assert np.all(np.abs(ds.z.values) < 4)
    assert ds.attrs["reps"] == 300 and ds.attrs["fixed_T0"] == 60


def test_serial_process_pool_and_dask_give_identical_numbers(tmp_path):
    serial = sc.sweep(GRID, fixed=FIXED, reps=200, seed=3)
    pooled = sc.sweep(GRID, fixed=FIXED, reps=200, seed=3, workers=2, store=tmp_path / "s.zarr")
    _same(serial, pooled)
    _same(serial, xr.open_zarr(tmp_path / "s.zarr", consolidated=False).load())
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        dask = sc.sweep(GRID, fixed=FIXED, reps=200, seed=3, executor=client.get_executor())
    _same(serial, dask)
    other = sc.sweep(GRID, fixed=FIXED, reps=200, seed=4)
    assert not np.array_equal(other.mc_mean.values, serial.mc_mean.values)


_SCRIPT = """
import symcollapse as sc
sc.sweep({grid!r}, fixed={fixed!r}, reps={reps}, seed=5, store={store!r})
"""
SLOW_GRID = {"T": [40, 60, 80, 100], "lam": [1e-3, 1e-1]}
SLOW_FIXED = dict(d=30, n=2, T0=60, sigma=0.2, sigma0=0.3)


def test_sigint_half_way_then_resume_equals_an_uninterrupted_run(tmp_path):
    store = tmp_path / "run.zarr"
    script = _SCRIPT.format(grid=SLOW_GRID, fixed=SLOW_FIXED, reps=3000, store=str(store))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script)],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    done = 0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if (store / "done").exists():
            try:
                done = int(np.sum(zarr.open_group(str(store), mode="r")["done"][...]))
            except Exception:  # the template is being moved into place
                done = 0
            if done >= 2:
                break
        time.sleep(0.02)
    assert proc.poll() is None, "the sweep finished before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0 and b"KeyboardInterrupt" in err
    finished = np.asarray(zarr.open_group(str(store), mode="r")["done"][...], dtype=bool)
    assert 0 < finished.sum() < finished.size  # interrupted half-way
    stored = xr.open_zarr(store, consolidated=False).load()
    before = stored.mc_mean.values[finished]

    resumed = sc.sweep(SLOW_GRID, fixed=SLOW_FIXED, reps=3000, seed=5, store=store)
    assert resumed.attrs["cells_computed"] == finished.size - finished.sum()  # no recomputation
    np.testing.assert_array_equal(resumed.mc_mean.values[finished], before)
    uninterrupted = sc.sweep(SLOW_GRID, fixed=SLOW_FIXED, reps=3000, seed=5)
    _same(resumed, uninterrupted)
    again = sc.sweep(SLOW_GRID, fixed=SLOW_FIXED, reps=3000, seed=5, store=store)
    assert again.attrs["cells_computed"] == 0
    _same(again, uninterrupted)


# --- bad input: a clear error, no store left behind ------------------------------------------------
@pytest.mark.parametrize(
    ("grid", "fixed", "error", "match"),
    [
        ({"Tt": [10, 20]}, FIXED, ValueError, r"unknown sweep parameter 'Tt'; the parameters are .*'T'"),
        ({"T": [10]}, dict(FIXED, sigma00=1), ValueError, r"unknown sweep parameter 'sigma00'"),
        ({"T": []}, FIXED, ValueError, r"grid parameter 'T' has an empty range"),
        ({}, FIXED, ValueError, r"grid must be a non-empty mapping"),
        ({"T": [10, 10]}, FIXED, ValueError, r"grid parameter 'T' repeats a value"),
        ({"T": [40], "n": [1]}, FIXED, ValueError, r"\['n'\] are both swept"),
        ({"T": [40, -5]}, FIXED, ValueError, r"cell T=-5: .*rows must be a number >= 1"),
        ({"T": [40, None]}, FIXED, TypeError, r"grid parameter 'T': a number or a string"),
        ({"d": [20, 0]}, dict(T=40), ValueError, r"d must be an integer >= 1.*cell d=0"),
        ({"T": [40]}, dict(n=0), ValueError, r"spectrum 'power_law' needs \['d'\]"),
    ],
)
def test_bad_input_is_refused_before_any_store(tmp_path, grid, fixed, error, match):
    store = tmp_path / "never.zarr"
    with pytest.raises(error, match=match):
        sc.sweep(grid, fixed=fixed, reps=10, store=store)
    assert not store.exists() and list(tmp_path.iterdir()) == []


def test_memory_beyond_the_machine_is_refused_with_the_estimate(tmp_path):
    store = tmp_path / "big.zarr"
    with pytest.raises(
        ValueError,
        match=r"cell d=200000: one repetition needs about 894 GiB "
        r"\(fit 'downstream': rows = 400000, d = 200000\).*"
        r"80% of this machine's",
    ):
        sc.sweep({"d": [10, 200_000]}, fixed=dict(T=400_000), reps=10, store=store)
    with pytest.raises(ValueError, match=r"cell T=100000000: .*more than max_bytes"):
        sc.sweep({"T": [10**8]}, fixed=dict(d=2000), reps=10, store=store, method="faithful")
    assert not store.exists()


def test_a_store_holding_another_sweep_is_never_overwritten(tmp_path):
    store = tmp_path / "s.zarr"
    first = sc.sweep(GRID, fixed=FIXED, reps=50, seed=1, store=store)
    files = {p: p.read_bytes() for p in store.rglob("*") if p.is_file()}
    for change in (
        dict(seed=2),
        dict(reps=60),
        dict(fixed=dict(FIXED, sigma=0.5)),
        dict(grid={"T": [40, 80, 120], "lam": [1e-3, 1e-1]}),
        dict(method="faithful"),
    ):
        kw = dict(grid=GRID, fixed=FIXED, reps=50, seed=1, store=store) | change
        with pytest.raises(ValueError, match="holds a different sweep .* refusing to overwrite"):
            sc.sweep(**kw)
    assert {p: p.read_bytes() for p in store.rglob("*") if p.is_file()} == files
    _same(first, sc.sweep(GRID, fixed=FIXED, reps=50, seed=1, store=store))
    not_a_store = tmp_path / "notes"
    not_a_store.mkdir()
    (not_a_store / "a.txt").write_text("keep me")
    with pytest.raises(ValueError, match="is not a symcollapse sweep store: refusing"):
        sc.sweep(GRID, fixed=FIXED, reps=50, store=not_a_store)
    assert (not_a_store / "a.txt").read_text() == "keep me"


def test_bad_arguments():
    with pytest.raises(ValueError, match="reps must be an integer >= 2"):
        sc.sweep(GRID, fixed=FIXED, reps=1)
    with pytest.raises(ValueError, match="workers must be an integer >= 1"):
        sc.sweep(GRID, fixed=FIXED, workers=0)
    with pytest.raises(ValueError, match="spectrum must be one of"):
        sc.sweep(GRID, fixed=FIXED, spectrum="flat")
    with pytest.raises(TypeError, match="executor must be a concurrent.futures.Executor"):
        sc.sweep(GRID, fixed=FIXED, executor="dask")
    with pytest.raises(ValueError, match="method must be one of"):
        sc.sweep(GRID, fixed=FIXED, method="exact")


# --- symcollapse sweep FILE.toml -----------------------------------------------------------------
TOML = """
reps = 40
seed = 2
[grid]
T = [40, 80]
lam = { start = 1e-3, stop = 1e-1, num = 2, log = true }
[fixed]
d = 20
n = 2
T0 = 60
sigma = 0.2
sigma0 = 0.3
"""


def test_cli_sweep_runs_the_toml_grid(tmp_path, capsys):
    from symcollapse.presentation.cli import main

    path = tmp_path / "s.toml"
    path.write_text(TOML)
    assert main(["sweep", str(path), "--store", str(tmp_path / "s.zarr"), "--format", "csv"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "T,lam,theory,mc_mean,mc_stderr,z" and len(lines) == 5
    ds = sc.sweep({"T": [40, 80], "lam": [1e-3, 1e-1]}, fixed=FIXED, reps=40, seed=2)
    assert float(lines[1].split(",")[3]) == pytest.approx(float(ds.mc_mean.values[0, 0]), rel=1e-9)
    _same(ds, xr.open_zarr(tmp_path / "s.zarr", consolidated=False).load())


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (TOML.replace("T = [40, 80]", "Tt = [40, 80]"), r"unknown sweep parameter 'Tt'"),
        (TOML.replace("T = [40, 80]", "T = []"), r"grid parameter 'T' has an empty range"),
        (TOML.replace("reps = 40", "repetitions = 40"), r"unknown key\(s\) \['repetitions'\]"),
        (TOML.replace("num = 2,", "num = 0,"), r"grid parameter 'lam': num must be an integer >= 1"),
        ("reps = [", r"not valid TOML"),
    ],
)
def test_cli_sweep_bad_files(tmp_path, capsys, text, match):
    import re

    from symcollapse.presentation.cli import main

    path = tmp_path / "bad.toml"
    path.write_text(text)
    assert main(["sweep", str(path), "--store", str(tmp_path / "x.zarr")]) == 2
    assert re.search(match, capsys.readouterr().err)
    assert not (tmp_path / "x.zarr").exists()
