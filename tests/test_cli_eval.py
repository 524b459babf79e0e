"""``symcollapse eval``, ``predict`` and ``simulate`` in a subprocess; the value parser."""

from __future__ import annotations

import csv
import io
import json
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_cli import ROOT, assert_one_line_error, run

import symcollapse as sc
from symcollapse.presentation import _cli_values as CV


def _csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


# ---------------------------------------------------------------------------------- eval
def test_eval_grid_csv_matches_the_formula():
    proc = run(
        "eval",
        "theorem_4_1_exact",
        "d=100",
        "T=200:10000:5log",
        "T0=400",
        "n=0,1,5",
        "sigma=1",
        "sigma0=0.5",
        "--format",
        "csv",
    )
    assert proc.returncode == 0, proc.stderr
    rows = _csv(proc.stdout)
    assert len(rows) == 5 * 3
    Ts = sorted({float(r["T"]) for r in rows})
    np.testing.assert_allclose(Ts, np.logspace(np.log10(200), 4, 5), rtol=1e-9)
    for r in rows:
        T, n = float(r["T"]), float(r["n"])
        # Theorem 4.1 (exact), typed here independently
        expected = 100 * 0.25 * n / (400 - 100 - 1) + 100 * 1.0 / (T - 100 - 1)
        assert float(r["theorem_4_1_exact"]) == pytest.approx(expected, rel=1e-9)


def test_eval_json_and_table():
    proc = run("eval", "kappa_isotropic", "lam=1e-3", "phi=0.5,2", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    records = json.loads(proc.stdout)
    assert [r["phi"] for r in records] == [0.5, 2.0]
    f = sc.formula("kappa_isotropic")
    for r in records:
        assert r["kappa_isotropic"] == pytest.approx(float(f.evaluate(lam=1e-3, phi=r["phi"])), rel=1e-12)
    table = run("eval", "more_data_constant")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.strip().splitlines()
    assert lines[0].strip() == "more_data_constant" and lines[1].strip().startswith("3.1097428")


def test_eval_spectral_formula_uses_the_spectrum():
    proc = run(
        "eval",
        "rho_general",
        "lam=0.01",
        "T=500",
        "T0=400",
        "--spectrum",
        "power_law",
        "--d",
        "200",
        "--format",
        "json",
    )
    assert proc.returncode == 0, proc.stderr
    eigs, w0 = sc.power_law(200, 2.0, 0.375)
    expected = sc.formula("rho_general").evaluate(eigenvalues=eigs, w0=w0, lam=0.01, T=500, T0=400)
    assert json.loads(proc.stdout)[0]["rho_general"] == pytest.approx(float(expected), rel=1e-12)


def test_eval_regime_refused_unless_unchecked():
    args = ("eval", "theorem_4_1_exact", "d=100", "T=50", "T0=400", "n=1", "sigma=1", "sigma0=1")
    proc = run(*args)
    assert_one_line_error(proc)
    assert "T >= d + 2" in proc.stderr and "--unchecked" in proc.stderr
    proc = run(*args, "--unchecked", "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    assert float(_csv(proc.stdout)[0]["theorem_4_1_exact"]) == pytest.approx(100 / 299 + 100 / (50 - 101))


# ---------------------------------------------------------------------------------- predict
def test_predict_family_matches_the_library():
    proc = run(
        "predict",
        "T=100:10000:4log",
        "lam=1e-3",
        "n=0,5",
        "T0=600",
        "sigma=0.1",
        "sigma0=0.2",
        "--d",
        "300",
        "--format",
        "csv",
    )
    assert proc.returncode == 0, proc.stderr
    rows = _csv(proc.stdout)
    assert len(rows) == 8
    eigs, w0 = sc.isotropic(300)
    for r in rows:
        p = sc.predict(eigs, w0, T=float(r["T"]), lam=1e-3, n=int(r["n"]), T0=600, sigma=0.1, sigma0=0.2)
        for part in ("test_error", "bias", "variance", "collapse", "kappa"):
            assert float(r[part]) == pytest.approx(float(getattr(p, part)), rel=1e-9, abs=1e-300)
        assert float(r["test_error"]) == pytest.approx(
            float(r["bias"]) + float(r["variance"]) + float(r["collapse"]), rel=1e-9
        )


@pytest.mark.parametrize("suffix", [".npy", ".csv"])
def test_predict_eigenvalues_from_a_file(tmp_path, suffix):
    eigs, w0 = sc.power_law(50, 1.5, 0.5)
    if suffix == ".npy":
        np.save(tmp_path / "e.npy", eigs)
        np.save(tmp_path / "w.npy", w0)
    else:
        np.savetxt(tmp_path / "e.csv", eigs[None, :], delimiter=",", fmt="%.17g")
        np.savetxt(tmp_path / "w.csv", w0, fmt="%.17g")
    proc = run(
        "predict",
        "T=80",
        "lam=0.01",
        "n=2",
        "T0=30",
        "sigma=0.5",
        "sigma0=0.5",
        "--eigenvalues",
        str(tmp_path / f"e{suffix}"),
        "--w0",
        str(tmp_path / f"w{suffix}"),
        "--design",
        "same",
        "--format",
        "json",
    )
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)[0]["test_error"]
    expected = sc.predict(eigs, w0, T=80, lam=0.01, n=2, T0=30, sigma=0.5, sigma0=0.5, design="same")
    assert got == pytest.approx(float(expected.test_error), rel=1e-12)


# ---------------------------------------------------------------------------------- simulate
def test_simulate_compare_is_seeded_and_agrees():
    args = (
        "simulate",
        "T=400",
        "lam=1e-2",
        "n=0,2",
        "T0=200",
        "sigma=0.3",
        "sigma0=0.3",
        "--d",
        "50",
        "--reps",
        "60",
        "--seed",
        "7",
        "--compare",
        "--format",
        "csv",
    )
    proc = run(*args)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # no progress bar off a terminal
    rows = _csv(proc.stdout)
    assert [int(r["n"]) for r in rows] == [0, 2]
    for r in rows:
        assert int(r["reps"]) == 60 and float(r["stderr"]) > 0
        z = (float(r["theory"]) - float(r["mean"])) / float(r["stderr"])
        assert z == pytest.approx(float(r["z"]), abs=1e-6)
        assert abs(z) < 4  # T0 = 4d: the under-parameterised chain
    assert run(*args).stdout == proc.stdout  # reproducible
    bar = run(*args[:-2], "--progress", "on")
    assert bar.returncode == 0 and "simulate" in bar.stderr  # the tqdm bar, forced on


def test_simulate_method_is_the_simulator_of_the_python_api():
    """--method picks the simulator: each choice prints what simulate(..., method=...) gives with
    the point's own stream, and the two simulators are different code (different draws)."""
    base = ("simulate", "T=60", "n=1", "T0=40", "sigma0=0.5", "--d", "10", "--reps", "20")
    eigs, w0 = sc.isotropic(10)
    stream = np.random.SeedSequence(0).spawn(1)[0]
    means = {}
    for method in ("fast", "faithful"):
        proc = run(*base, "--method", method, "--format", "json")
        assert proc.returncode == 0, proc.stderr
        means[method] = json.loads(proc.stdout)[0]["mean"]
        sim = sc.simulate(
            eigs, w0, T=60, n=1, T0=40, sigma0=0.5, reps=20, seed=np.random.default_rng(stream), method=method
        )
        assert means[method] == pytest.approx(sim.mean, rel=1e-12)
    assert means["fast"] != means["faithful"]
    bad = run(*base, "--method", "exact")
    assert bad.returncode == 2 and "invalid choice: 'exact'" in bad.stderr


def test_simulate_rounds_ranges_of_integers():
    proc = run("simulate", "T=20:40:3", "lam=0.1", "--d", "5", "--reps", "5", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert [r["T"] for r in json.loads(proc.stdout)] == [20, 30, 40]


# ---------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "args, words",
    [
        (("eval", "nosuch", "T=1"), "unknown formula 'nosuch'"),
        (("eval", "theorem_4_1_exact", "T=1:2"), "malformed range"),
        (("eval", "theorem_4_1_exact", "T=1:2:xlog"), "malformed range"),
        (("eval", "theorem_4_1_exact", "T=-1:2:3log"), "log range needs start > 0"),
        (("eval", "theorem_4_1_exact", "T=1,,2"), "malformed list"),
        (("eval", "theorem_4_1_exact", "T=abc"), "not a number"),
        (("eval", "theorem_4_1_exact", "T=nan"), "not a number"),
        (("eval", "theorem_4_1_exact", "T=__import__('os')"), "not a number"),
        (("eval", "theorem_4_1_exact", "T=1e400"), "floating-point range"),
        (("eval", "theorem_4_1_exact", "foo=1"), "unknown parameter 'foo'"),
        (("eval", "theorem_4_1_exact", "T=1", "T=2"), "given twice"),
        (("eval", "theorem_4_1_exact", "T"), "expected key=value"),
        (("predict", "lam=1"), "needs T="),
        (("predict", "T=100", "n=1", "--d", "10"), "T0 is required"),
        (("predict", "T=100", "lam=-1"), "lam"),
        (("predict", "T=100", "--eigenvalues", "/no/such/file.npy"), "no such eigenvalues file"),
        (("predict", "T=100", "--w0", "w.npy"), "--w0 needs --eigenvalues"),
        (("simulate", "T=10.5", "--d", "5"), "T must be an integer"),
        (("simulate", "T=10", "--reps", "0"), "--reps"),
        (("predict", "T=100", "--d", "0"), "--d"),
    ],
)
def test_bad_input_one_line(args, words):
    proc = run(*args)
    assert_one_line_error(proc)
    assert words in proc.stderr, proc.stderr
    assert proc.stdout == ""


def test_bad_eigenvalue_files(tmp_path):
    (tmp_path / "text.csv").write_text("1, 2, x\n")
    np.save(tmp_path / "neg.npy", np.array([1.0, -1.0]))
    np.save(tmp_path / "e.npy", np.ones(3))
    np.save(tmp_path / "w.npy", np.ones(4))
    for args, words in [
        (("--eigenvalues", str(tmp_path / "text.csv")), "does not hold numbers"),
        (("--eigenvalues", str(tmp_path / "neg.npy")), "must all be > 0"),
        (("--eigenvalues", str(tmp_path / "e.npy"), "--w0", str(tmp_path / "w.npy")), "w0 has 4 entries"),
    ]:
        proc = run("predict", "T=10", *args)
        assert_one_line_error(proc)
        assert words in proc.stderr


# ---------------------------------------------------------------------------------- README
def _readme_cli_examples() -> list[str]:
    text = (ROOT / "README.md").read_text()
    block = re.search(r"<!-- cli-examples -->\s*```bash\n(.*?)```", text, re.S)
    assert block, "README.md must have a bash block after <!-- cli-examples -->"
    return [ln for ln in block.group(1).splitlines() if ln.startswith("symcollapse ")]


def test_readme_cli_examples_run_as_written(tmp_path):
    import shlex

    examples = _readme_cli_examples()
    assert {"eval", "predict", "simulate", "list", "show"} <= {e.split()[1] for e in examples}
    for line in examples:
        argv = shlex.split(line)[1:]
        if argv[0] == "report":
            continue  # run by test_cli's quick_report
        proc = run(*argv)
        assert proc.returncode == 0, (line, proc.stderr)
        assert proc.stdout.strip(), line


# ---------------------------------------------------------------------------------- parser
@given(st.floats(1e-12, 1e12), st.floats(1e-12, 1e12), st.integers(1, 50), st.booleans())
def test_parse_range_roundtrip(a, b, count, log):
    text = f"{a!r}:{b!r}:{count}{'log' if log else ''}"
    v = CV.parse_value(text, "x")
    assert v.is_range and v.values.size == count
    expected = np.logspace(np.log10(a), np.log10(b), count) if log else np.linspace(a, b, count)
    np.testing.assert_allclose(v.values, expected, rtol=1e-12)


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False, width=64), min_size=1, max_size=6))
def test_parse_list_roundtrip(xs):
    v = CV.parse_value(",".join(repr(x) for x in xs), "x")
    assert not v.is_range and v.values.tolist() == xs


def test_grid_limit():
    with pytest.raises(ValueError, match="at most"):
        CV.grid({"a": np.arange(2000.0), "b": np.arange(1000.0)})


def test_predict_with_ridge_generators():
    proc = run(
        "predict",
        "T=200,800",
        "lam=1e-3",
        "n=3",
        "T0=150",
        "sigma=0.5",
        "sigma0=0.5",
        "lam0=0.01",
        "--spectrum",
        "power_law",
        "--d",
        "120",
        "--format",
        "json",
    )
    assert proc.returncode == 0, proc.stderr
    eigs, w0 = sc.power_law(120, 2.0, 0.375)
    expected = sc.predict(
        eigs, w0, T=np.array([200.0, 800.0]), lam=1e-3, n=3, T0=150, sigma=0.5, sigma0=0.5, lam0=0.01
    ).test_error
    np.testing.assert_allclose([r["test_error"] for r in json.loads(proc.stdout)], expected, rtol=1e-12)


# ---------------------------------------------------------------------------------- schedules
def test_per_generation_schedules_in_brackets(capsys):
    """T0=[...] is one value per generator in eval, predict and simulate (per_generation in
    Python); a comma list stays a grid."""
    from symcollapse.presentation.cli import main

    assert (
        main(
            [
                "predict",
                "T=1000,2000",
                "lam=1e-3",
                "T0=[600,900,1200]",
                "sigma0=0.2",
                "--d",
                "300",
                "--format",
                "csv",
            ]
        )
        == 0
    )
    rows = _csv(capsys.readouterr().out)
    assert [r["T0"] for r in rows] == ["[600,900,1200]"] * 2
    eigs, w0 = sc.isotropic(300)
    expected = sc.predict(
        eigs, w0, T=np.array([1000, 2000]), lam=1e-3, n=3, sigma0=0.2, T0=sc.per_generation([600, 900, 1200])
    ).test_error
    np.testing.assert_allclose([float(r["test_error"]) for r in rows], expected, rtol=1e-9)

    assert (
        main(
            [
                "eval",
                "theorem_4_1_schedule",
                "d=30",
                "T=50",
                "T0=[40,60,90]",
                "sigma0=0.5",
                "sigma=0.3",
                "lam=0",
                "--format",
                "json",
            ]
        )
        == 0
    )
    (row,) = json.loads(capsys.readouterr().out)
    f = sc.formula("theorem_4_1_schedule")
    assert row["theorem_4_1_schedule"] == pytest.approx(
        f.evaluate(d=30, T=50, T0=sc.per_generation([40, 60, 90]), sigma0=0.5, sigma=0.3, lam=0), rel=1e-9
    )

    assert (
        main(
            [
                "simulate",
                "T=200",
                "lam=0.01",
                "T0=[50,80]",
                "sigma0=0.3",
                "--d",
                "20",
                "--reps",
                "5",
                "--seed",
                "2",
                "--format",
                "csv",
                "--progress",
                "off",
            ]
        )
        == 0
    )
    (row,) = _csv(capsys.readouterr().out)
    sim = sc.simulate(
        *sc.isotropic(20),
        T=200,
        lam=0.01,
        n=2,
        T0=sc.per_generation([50, 80]),
        sigma0=0.3,
        reps=5,
        seed=np.random.default_rng(np.random.SeedSequence(2).spawn(1)[0]),
    )
    assert float(row["mean"]) == pytest.approx(sim.mean, rel=1e-9)

    for bad, message in (
        (["n=[1,2]"], "only T0, sigma0, lam0"),
        (["T0=[600,"], "malformed"),
        (["T0=[600,900]", "sigma0=0.1,0.2"], "one number"),
    ):
        assert main(["predict", "T=100", *bad, "--d", "30"]) == 2
        assert message in capsys.readouterr().err


def test_workflow_option(capsys, tmp_path):
    """--workflow runs the other workflows (one pipeline per grid point), equal to the API."""
    from symcollapse.presentation.cli import main

    assert (
        main(
            [
                "predict",
                "--workflow",
                "fresh_real_mix",
                "n=1,4",
                "T0=150",
                "alpha=0.3",
                "sigma0=0.3",
                "T=120",
                "sigma=0.2",
                "lam=1e-2",
                "--d",
                "100",
                "--format",
                "csv",
            ]
        )
        == 0
    )
    rows = _csv(capsys.readouterr().out)
    e, w = sc.isotropic(100)
    for row in rows:
        pipe = sc.workflows.fresh_real_mix(
            n=int(row["n"]), T0=150, alpha=0.3, sigma0=0.3, T=120, sigma=0.2, lam=1e-2
        )
        assert float(row["test_error"]) == pytest.approx(float(pipe.predict(e, w).test_error), rel=1e-9)
    assert (
        main(
            [
                "simulate",
                "--workflow",
                "accumulate",
                "n=2",
                "T0=30",
                "T=30",
                "sigma0=0.5",
                "sigma=0.5",
                "--design",
                "same",
                "--d",
                "10",
                "--reps",
                "50",
                "--seed",
                "4",
                "--compare",
                "--format",
                "json",
                "--progress",
                "off",
            ]
        )
        == 0
    )
    (row,) = json.loads(capsys.readouterr().out)
    assert abs(row["z"]) < 4
    w2 = tmp_path / "w2.npy"
    e30, w30 = sc.isotropic(30)
    np.save(w2, w30 + 0.05)
    assert (
        main(
            [
                "predict",
                "--workflow",
                "downstream_mix",
                "T=100",
                "alpha=0.9",
                "sigma=0.2",
                "sigma2=0.2",
                "lam=1e-3",
                "--w2",
                str(w2),
                "--d",
                "30",
                "--format",
                "csv",
            ]
        )
        == 0
    )
    (row,) = _csv(capsys.readouterr().out)
    pipe = sc.workflows.downstream_mix(T=100, alpha=0.9, sigma=0.2, sigma2=0.2, lam=1e-3, w2=w30 + 0.05)
    assert float(row["test_error"]) == pytest.approx(float(pipe.predict(e30, w30).test_error), rel=1e-9)
    for argv, message in (
        (["predict", "--workflow", "accumulate", "n=2", "T0=60", "T=60", "lam=0.1"], "reuses the labels"),
        (["predict", "--workflow", "fresh_real_mix", "T=60", "beta=2"], "unknown parameter"),
        (["predict", "--workflow", "fresh_real_mix", "T=60", "alpha=2"], "alpha must be in"),
        (["predict", "--workflow", "accumulate", "n=1", "T0=[60]", "T=60"], "no per-generation"),
        (["predict", "--w2", str(w2), "T=60", "alpha=0.5", "sigma2=0.1"], "applies to"),
    ):
        assert main(argv + ["--d", "20"]) == 2
        assert message in capsys.readouterr().err
