"""Run files of an old revision of symcollapse in this process, against the current package.

``bench_engine.py`` and ``bench_simulate.py`` time the code that the current code replaced.  They
read the old files with ``git show`` and execute them as modules of a stand-in package (named by
the caller, e.g. ``_old_symcollapse_predict``).  Every import of the old files is rewritten:

* an import of another file loaded in the same call goes to that (old) module;
* an import of any other module of the old package goes to a *shim*, a small module of the
  stand-in package that forwards attribute look-ups to the module that holds that code now
  (``OLD_TO_NEW``), except for the names that moved to yet another module (``MOVED``), which it
  takes from there.  The current package is not modified.

The mappings name the old modules relative to the package (``"kappa"`` is the old
``symcollapse/kappa.py``).  An old import of a module missing from ``OLD_TO_NEW`` stops the
benchmark with a message naming it (add the module to the table).
"""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# old module (relative to the package; "" is the package) -> the current module holding its code
OLD_TO_NEW: dict[str, str] = {
    "": "symcollapse",
    "_validation": "symcollapse._validation",
    "_progress": "symcollapse._progress",
    "_cli_values": "symcollapse.presentation._cli_values",
    # symbolic
    "symbols": "symcollapse.symbolic.symbols",
    "functionals": "symcollapse.symbolic.functionals",
    "formula": "symcollapse.symbolic.formula",
    "catalogue": "symcollapse.symbolic.catalogue",
    "errata": "symcollapse.symbolic.errata",
    "scaling": "symcollapse.symbolic.scaling",
    "theory": "symcollapse.symbolic.theory",
    "theory._derive": "symcollapse.symbolic.theory._derive",
    "theory._leading": "symcollapse.symbolic.theory._leading",
    "theory.clean_ridge": "symcollapse.symbolic.theory.clean_ridge",
    "theory.collapse": "symcollapse.symbolic.theory.collapse",
    "theory.effective_regularization": "symcollapse.symbolic.theory.effective_regularization",
    "theory.ols": "symcollapse.symbolic.theory.ols",
    "theory.overparameterized": "symcollapse.symbolic.theory.overparameterized",
    "theory.power_law_asymptotics": "symcollapse.symbolic.theory.power_law_asymptotics",
    "theory.ridge_generators": "symcollapse.symbolic.theory.ridge_generators",
    "pipeline.rules": "symcollapse.symbolic.pipeline_rules",
    "pipeline.derive": "symcollapse.symbolic.pipeline_derivation",
    # numeric
    "kappa": "symcollapse.numeric.kappa",
    "spectral_numerics": "symcollapse.numeric.spectral",
    "power_law": "symcollapse.numeric.power_law",
    "spectrum": "symcollapse.numeric.spectra",
    "predict": "symcollapse.numeric.prediction",
    "optimal": "symcollapse.numeric.optimal",
    "thresholds": "symcollapse.numeric.thresholds",
    "numeric": "symcollapse.numeric",
    "numeric.measure": "symcollapse.numeric.measure",
    "pipeline.evaluate": "symcollapse.numeric.pipeline_evaluation",
    # pipeline (unmoved)
    "pipeline": "symcollapse.pipeline",
    "pipeline.declaration": "symcollapse.pipeline.declaration",
    "pipeline.schedule": "symcollapse.pipeline.schedule",
    "pipeline.workflows": "symcollapse.pipeline.workflows",
    "pipeline.engine": "symcollapse.pipeline.engine",
    # simulation
    "simulate": "symcollapse.simulation.monte_carlo",
    "pipeline.simulate": "symcollapse.simulation.pipeline_simulation",
    "kernels": "symcollapse.simulation.kernels",
    "sweep": "symcollapse.simulation.sweep",
    "testing": "symcollapse.simulation.testing",
    # presentation
    "export": "symcollapse.presentation.export",
    "cli": "symcollapse.presentation.cli",
    "figures": "symcollapse.presentation.figures",
    "figures_kernel": "symcollapse.presentation.figures_kernel",
    "figures_workflows": "symcollapse.presentation.figures_workflows",
    "report": "symcollapse.presentation.report",
    "report_kernel": "symcollapse.presentation.report_kernel",
    "report_workflows": "symcollapse.presentation.report_workflows",
}

# old module -> {old name: (current module, current name)} for the names that left the module
# OLD_TO_NEW maps it to
MOVED: dict[str, dict[str, tuple[str, str]]] = {
    "_validation": {"spectrum_arrays": ("symcollapse.numeric.spectra", "spectrum_arrays")},
    "kappa": {"kappa_for": ("symcollapse.numeric.formula_evaluation", "kappa_for")},
    "predict": {
        "_CACHE": ("symcollapse.numeric.spectral", "_CACHE"),
        "_functionals": ("symcollapse.numeric.spectral", "functionals_of"),
    },
}

_IMPORT = re.compile(r"^(?P<indent>[ \t]*)from (?P<module>\.+[\w.]*|symcollapse(?:\.[\w.]+)?) import ", re.M)


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True).stdout


def git_show(rev: str, path: str) -> str:
    try:
        return git("show", f"{rev}:{path}")
    except subprocess.CalledProcessError as exc:
        raise SystemExit(f"git show {rev}:{path} failed: {exc.stderr.strip()}") from None


def _shim(package: str, old: str) -> types.ModuleType:
    """The module ``package.old`` standing in for the old module ``old`` (created on first use)."""
    name = f"{package}.{old}" if old else package
    if name in sys.modules:
        return sys.modules[name]
    if old not in OLD_TO_NEW:
        raise SystemExit(
            f"the old code imports the module {old!r} of the package, which benchmarks/_old_code.py "
            "does not map to a current module: add it to OLD_TO_NEW (and its moved names to MOVED)"
        )
    current = importlib.import_module(OLD_TO_NEW[old])
    moved = MOVED.get(old, {})

    def __getattr__(attr: str):
        if attr in moved:
            module, new_name = moved[attr]
            return getattr(importlib.import_module(module), new_name)
        submodule = f"{old}.{attr}" if old else attr
        if submodule in OLD_TO_NEW:  # ``from . import symbols``: the shim of the submodule
            return _shim(package, submodule)
        return getattr(current, attr)  # AttributeError -> ImportError naming the shim

    shim = types.ModuleType(name, f"the old module {old or '(package)'!r}, now {current.__name__}")
    shim.__getattr__ = __getattr__  # module __getattr__: called for the names the shim lacks
    shim.__path__ = []  # a package, so that shims and old files can sit below it
    sys.modules[name] = shim
    if old:
        parent, _, last = old.rpartition(".")
        setattr(_shim(package, parent), last, shim)
    return shim


def _rewrite(src: str, path: str, package: str, loaded: set[str]) -> str:
    """``src`` (the old file ``path``) with every import of the old package pointed at ``package``."""
    here = path.removesuffix(".py").split("/")[1:-1]  # the old file's subpackage, under the package

    def target(match: re.Match) -> str:
        module = match["module"]
        if module.startswith("."):
            dots = len(module) - len(module.lstrip("."))
            if dots - 1 > len(here):
                raise SystemExit(f"{path}: {module!r} reaches above the package")
            base = here[: len(here) - (dots - 1)]
            parts = base + [p for p in module[dots:].split(".") if p]
        else:
            parts = module.split(".")[1:]
        old = ".".join(parts)
        if old not in loaded:
            _shim(package, old)
        return f"{match['indent']}from {package}{'.' + old if old else ''} import "

    src = _IMPORT.sub(target, src)
    left = re.search(r"^\s*(from \.|import symcollapse\b)", src, flags=re.M)
    if left:
        raise SystemExit(f"{path}: an import this loader does not rewrite: {left.group(0).strip()!r}")
    return src


def load(rev: str, paths: list[str], package: str) -> dict[str, types.ModuleType]:
    """Execute the files ``paths`` (e.g. ``"symcollapse/predict.py"``) of git revision ``rev`` in
    order, as modules of the stand-in package ``package``; return them by path."""
    olds = {path: ".".join(path.removesuffix(".py").split("/")[1:]) for path in paths}
    loaded = set(olds.values())
    _shim(package, "")
    modules = {}
    for path, old in olds.items():
        src = _rewrite(git_show(rev, path), path, package, loaded)
        mod = types.ModuleType(f"{package}.{old}")
        mod.__file__ = f"<git {rev}:{path}>"
        mod.__package__ = mod.__name__.rpartition(".")[0]
        sys.modules[mod.__name__] = mod  # dataclasses look the module up while executing
        parent, _, last = old.rpartition(".")
        setattr(_shim(package, parent), last, mod)
        exec(compile(src, mod.__file__, "exec"), mod.__dict__)
        modules[path] = mod
    return modules
