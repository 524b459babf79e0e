"""A cold start stays cheap: ``import symcollapse`` and a first ``predict`` load no SymPy.

Structural checks only (which modules a fresh interpreter has loaded), never a wall-clock
assertion; ``benchmarks/bench_cold_start.py`` measures the times.  The public names of the
symbolic and presentation layers are imported on first access, and the backends of
``symcollapse._hooks`` on first use, whatever the route to the object that needs them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import symcollapse as sc

REPO = Path(sc.__file__).resolve().parents[1]

#: heavy or optional packages a cold numeric start must not load
HEAVY = ("sympy", "mpmath", "matplotlib", "xarray", "zarr", "dask", "sklearn", "pandas")


def _run(*pieces: str) -> dict:
    """Run the code ``pieces`` (each dedented) in a fresh interpreter, then print the JSON object
    of LOADED (the heavy packages loaded, and the dict ``extra`` the code may set)."""
    code = "\n".join(textwrap.dedent(piece) for piece in (*pieces, LOADED))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [env.get("PYTHONPATH")])])
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=REPO, timeout=300
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


LOADED = f"""
import json, sys
print(json.dumps({{"loaded": sorted(m for m in {HEAVY!r} if m in sys.modules),
                  "file": sys.modules["symcollapse"].__file__, **globals().get("extra", {{}})}}))
"""


def test_import_and_first_predict_load_no_sympy():
    out = _run("""
    import numpy as np
    import symcollapse as sc
    p = sc.predict(np.ones(100), np.ones(100) / 10, T=200, n=2, T0=300, lam=0.1)
    q = sc.predict(sc.PowerLaw(beta=2.0, r=0.375, d=10**6), T=200, n=2, T0=300, lam=1e-3,
                   sigma=1.0, sigma0=1.0)
    extra = {"finite": bool(np.isfinite(p.test_error) and np.isfinite(q.test_error))}
    """)
    assert out["file"].startswith(str(REPO))
    assert out["finite"]
    assert out["loaded"] == [], f"a cold predict loaded {out['loaded']}"


def test_the_numeric_and_simulation_paths_load_no_sympy():
    out = _run("""
    import numpy as np
    import symcollapse as sc
    sc.optimal_lambda(np.ones(20), np.ones(20) / 5, T=50, n=1, T0=80, sigma=0.5, sigma0=0.5)
    sc.ridge_recipe(2.0, 0.375, n=5, sigma0=1.0, T0=600)
    sc.null_predictor_generations(np.ones(20), np.ones(20) / 5, T=50, T0=80, sigma0=0.5)
    sc.simulate(np.ones(10), np.ones(10) / 3, T=30, n=1, T0=40, lam=0.1, reps=4, seed=0)
    pipe = sc.workflows.replace(n=1, T0=40, T=30, lam=0.1)
    pipe.predict(np.ones(10), np.ones(10) / 3)
    pipe.simulate(np.ones(10), np.ones(10) / 3, reps=4, seed=0)
    sc.ridge_alpha(0.1, 30)
    """)
    assert out["loaded"] == [], f"the numeric path loaded {out['loaded']}"


def test_sympy_is_loaded_on_first_use_of_a_symbolic_name():
    out = _run("""
    import sys
    import symcollapse as sc
    before = "sympy" in sys.modules
    f = sc.formula("theorem_4_1_exact")
    extra = {"before": before, "after": "sympy" in sys.modules, "name": f.name}
    """)
    assert not out["before"] and out["after"] and out["name"] == "theorem_4_1_exact"


ROUTES = {
    "the package's formula": """
        import symcollapse as sc
        f = sc.formula("theorem_4_1_exact")
    """,
    "the catalogue module": """
        from symcollapse.symbolic.catalogue import formula
        f = formula("theorem_4_1_exact")
    """,
    "the formula module's class": """
        import symcollapse.symbolic.formula as F
        from symcollapse.symbolic.catalogue import formula
        f = formula("theorem_4_1_exact")
        assert isinstance(f, F.Formula)
    """,
}


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_a_formula_finds_its_backends_by_any_route(route):
    out = _run(
        ROUTES[route],
        """
    value = f.evaluate(T=200, T0=300, d=50, n=2, sigma=1.0, sigma0=1.0)
    unchecked = f.evaluate(T=200, T0=300, d=50, n=2, sigma=1.0, sigma0=1.0, check=False)
    latex = f._repr_latex_()
    extra = {"value": float(value), "unchecked": float(unchecked), "latex": bool(latex)}
    """,
    )
    expected = 50 * 2 / (300 - 50 - 1) + 50 / (200 - 50 - 1)
    assert out["value"] == pytest.approx(expected) and out["unchecked"] == pytest.approx(expected)
    assert out["latex"]


def test_a_pipeline_derives_before_anything_symbolic_is_touched():
    out = _run("""
    import symcollapse as sc
    pipe = sc.workflows.replace(n=1, T0=40, T=30, lam=0.1)
    expr = pipe.derive()
    extra = {"derived": bool(str(expr))}
    """)
    assert out["derived"] and "sympy" in out["loaded"]


def test_every_public_name_resolves_in_a_fresh_interpreter():
    out = _run("""
    import symcollapse as sc
    missing = [name for name in sc.__all__ if getattr(sc, name, None) is None]
    absent_from_dir = sorted(set(sc.__all__) - set(dir(sc)))
    extra = {"missing": missing, "absent_from_dir": absent_from_dir}
    """)
    assert out["missing"] == [] and out["absent_from_dir"] == []


def test_every_public_name_is_listed_and_resolves():
    assert set(sc.__all__) <= set(dir(sc))
    for name in sc.__all__:
        assert getattr(sc, name) is not None, name
    assert sc.scaling is sys.modules["symcollapse.symbolic.scaling"]
    assert sc.symbols is sys.modules["symcollapse.symbolic.symbols"]
    assert sc.export is sys.modules["symcollapse.presentation.export"]
    assert sc.Formula is sys.modules["symcollapse.symbolic.formula"].Formula


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        sc.no_such_name  # noqa: B018
    assert not hasattr(sc, "no_such_name")


def test_every_backend_is_declared_by_the_composition_root():
    assert set(sc._hooks.BACKENDS) == set(sc._hooks.NAMES)
    for name, module in sc._hooks.BACKENDS.items():
        assert sc._hooks.backend(name).__module__ == module


def test_an_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="unknown backend"):
        sc._hooks.backend("formula.nothing")
    with pytest.raises(ValueError, match="unknown backend"):
        sc._hooks.declare("formula.nothing", "symcollapse")
