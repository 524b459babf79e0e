#!/usr/bin/env python
r"""Benchmark the cold paths: what a fresh interpreter pays before its first result.

Each figure is CPU time (user + system, ``resource.getrusage``), measured in a fresh interpreter
and reported as a ratio to the import of NumPy and SciPy measured in the same process (the floor
any use of the package pays):

* ``import symcollapse`` (after NumPy and SciPy);
* the first ``sc.predict`` (100 eigenvalues, one grid point);
* the first ``sc.formula("theorem_4_1_exact").evaluate(...)``, checked and with ``check=False``
  (this loads SymPy, the catalogue and the evaluation backend);
* ``python -m symcollapse list`` as a whole process, against a process that only imports NumPy
  and SciPy.

Each cold figure is the minimum over ``--repeats`` fresh processes.  Then, warm, the time of one
checked and one unchecked ``Formula.evaluate`` call (the check should cost less than the
evaluation: the target is a checked call within 2x of an unchecked one).

Run:  python benchmarks/bench_cold_start.py   [--repeats N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import timeit
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1]

#: the import every use of the package pays anyway
BASE = "import numpy, scipy, scipy.special, scipy.fft, scipy.linalg"

_CHILD = """
import resource, json
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
t0 = cpu()
{base}
t1 = cpu()
import symcollapse as sc
t2 = cpu()
import numpy as np
{stage}
t3 = cpu()
import sys
print(json.dumps({{"base": t1 - t0, "import": t2 - t1, "stage": t3 - t2, "file": sc.__file__,
                  "sympy": "sympy" in sys.modules}}))
"""

STAGES = {
    "import symcollapse": "",
    "first predict": "sc.predict(np.ones(100), np.ones(100) / 10, T=200, n=2, T0=300, lam=0.1)",
    "first formula evaluate (checked)": "sc.formula('theorem_4_1_exact').evaluate(T=200, T0=300, d=50, n=2, sigma=1.0, sigma0=1.0)",
    "first formula evaluate (check=False)": "sc.formula('theorem_4_1_exact').evaluate(T=200, T0=300, d=50, n=2, sigma=1.0, sigma0=1.0, "
    "check=False)",
}


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(_ROOT), *filter(None, [env.get("PYTHONPATH")])])
    return env


def _child(stage: str) -> dict:
    code = _CHILD.format(base=BASE, stage=stage)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=_env(), cwd=_ROOT, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _process_cpu(args: list[str]) -> float:
    """CPU time of a whole child process (interpreter start included)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, *args], capture_output=True, env=_env(), cwd=_ROOT, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def _warm_evaluate() -> dict[str, float]:
    """Seconds per warm ``Formula.evaluate`` call, checked and unchecked (best of 5 runs)."""
    sys.path.insert(0, str(_ROOT))
    import symcollapse as sc

    f = sc.formula("theorem_4_1_exact")
    values = dict(T=200, T0=300, d=50, n=2, sigma=1.0, sigma0=1.0)
    out = {}
    for label, check in (("checked", True), ("check=False", False)):
        f.evaluate(check=check, **values)
        timer = timeit.Timer(lambda check=check: f.evaluate(check=check, **values))
        number, _ = timer.autorange()
        out[label] = min(timer.repeat(5, number)) / number
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="fresh processes per figure")
    args = parser.parse_args(argv)

    print(
        f"CPU seconds (user + sys), min over {args.repeats} fresh processes; "
        "ratio = figure / (numpy + scipy import) of the same process\n"
    )
    print(f"{'path':42s} {'CPU [s]':>9s} {'ratio':>7s}  notes")
    rows = []
    for label, stage in STAGES.items():
        runs = [_child(stage) for _ in range(args.repeats)]
        best = min(runs, key=lambda r: r["import"] + r["stage"])
        if not best["file"].startswith(str(_ROOT)):
            raise SystemExit(f"imported symcollapse from {best['file']}, not from {_ROOT}")
        if label == "import symcollapse":
            value, note = best["import"], f"numpy + scipy import: {best['base']:.3f} s"
            note += f"; sympy loaded: {best['sympy']}"
        else:
            value, note = best["stage"], f"after the import; sympy loaded: {best['sympy']}"
        rows.append((label, value, value / best["base"], note))
    predict_runs = [_child(STAGES["first predict"]) for _ in range(args.repeats)]
    both = min(predict_runs, key=lambda r: r["import"] + r["stage"])
    rows.append(
        (
            "import symcollapse + first predict",
            both["import"] + both["stage"],
            (both["import"] + both["stage"]) / both["base"],
            "the target: < 0.3 s",
        )
    )
    base_process = min(_process_cpu(["-c", BASE]) for _ in range(args.repeats))
    list_process = min(_process_cpu(["-m", "symcollapse", "list"]) for _ in range(args.repeats))
    rows.append(
        (
            "python -m symcollapse list (process)",
            list_process,
            list_process / base_process,
            f"a process importing numpy + scipy: {base_process:.3f} s",
        )
    )
    for label, value, ratio, note in rows:
        print(f"{label:42s} {value:9.3f} {ratio:7.2f}  {note}")

    warm = _warm_evaluate()
    print("\nwarm Formula.evaluate('theorem_4_1_exact'), one scalar point:")
    for label, seconds in warm.items():
        print(f"  {label:12s} {seconds * 1e3:8.3f} ms")
    ratio = warm["checked"] / warm["check=False"]
    print(f"  checked / unchecked = {ratio:.2f} (target: within 2x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
