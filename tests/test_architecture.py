"""The package's layout keeps the promises of ARCHITECTURE.md.

The import graph of ``symcollapse`` is computed from the source (every ``import`` statement, at
module level or inside a function), and checked: no cycle, no import of an upper layer, no
import of a symcollapse module hidden inside a function, no public name shadowing a submodule,
and the layers in ARCHITECTURE.md in the order this test enforces.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import symcollapse

ROOT = Path(symcollapse.__file__).parent
REPO = ROOT.parent

#: the layers, bottom to top; a module may import its own layer and the ones below
LAYERS = ("base", "pipeline", "symbolic", "numeric", "simulation", "presentation", "package")
BASE = ("symcollapse._validation", "symcollapse._progress", "symcollapse._hooks", "symcollapse._version")


def _modules() -> dict[str, Path]:
    out = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


MODULES = _modules()


def layer(module: str) -> str:
    if module in BASE:
        return "base"
    if module in ("symcollapse", "symcollapse.__main__"):
        return "package"
    sub = module.split(".")[1]
    if sub not in LAYERS:
        raise AssertionError(
            f"{module} belongs to no layer: put it in a layer's subpackage "
            f"(or, for a private helper of every layer, in BASE)"
        )
    return sub


def _targets(module: str, node: ast.AST) -> list[str]:
    """The symcollapse modules an import statement loads (the deepest module of each name)."""
    is_package = MODULES[module].name == "__init__.py"
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    else:
        assert isinstance(node, ast.ImportFrom)
        if node.level:
            base = module if is_package else module.rsplit(".", 1)[0]
            for _ in range(node.level - 1):
                base = base.rsplit(".", 1)[0]
            base = f"{base}.{node.module}" if node.module else base
        else:
            base = node.module or ""
        names = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
    out = []
    for name in names:
        while name and name not in MODULES:
            name = name.rpartition(".")[0]
        if name.startswith("symcollapse"):
            out.append(name)
    return out


def _graph() -> tuple[dict[str, set[str]], list[tuple[str, int, str]]]:
    """Edges of the import graph, and the imports of symcollapse modules inside functions."""
    edges: dict[str, set[str]] = {m: set() for m in MODULES}
    hidden = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(), str(path))
        top = {id(n) for n in tree.body}
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            targets = [t for t in _targets(module, node) if t != module]
            edges[module].update(targets)
            if targets and id(node) not in top:
                hidden.append((module, node.lineno, ", ".join(targets)))
    return edges, hidden


EDGES, HIDDEN = _graph()


def test_the_graph_is_the_real_one():
    """A control: the graph holds edges the package is known to have (so a broken parser that
    found no edge at all would fail here rather than pass the checks below)."""
    assert "symcollapse.pipeline.declaration" in EDGES["symcollapse.pipeline.workflows"]
    assert "symcollapse.symbolic.formula" in EDGES["symcollapse.symbolic.catalogue"]
    assert "symcollapse.numeric.kappa" in EDGES["symcollapse.numeric.pipeline_evaluation"]
    assert len(MODULES) > 40 and sum(map(len, EDGES.values())) > 100


def test_no_import_cycle():
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for t in sorted(EDGES[m]):
            if state.get(t) == 1:
                cycle = stack[stack.index(t) :] + [t]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if t not in state:
                visit(t)
        stack.pop()
        state[m] = 2

    for m in sorted(MODULES):
        if m not in state:
            visit(m)


def test_each_layer_imports_only_downward():
    bad = [
        f"{m} ({layer(m)}) imports {t} ({layer(t)})"
        for m, targets in EDGES.items()
        for t in sorted(targets)
        if LAYERS.index(layer(t)) > LAYERS.index(layer(m))
    ]
    assert not bad, "upward imports:\n" + "\n".join(bad)


#: modules allowed to import symcollapse modules inside functions, and why (the imports still
#: count in the graph above: they must go downward and close no cycle)
DEFERRED = {
    "symcollapse.presentation.cli": "each command imports the symbolic layer (SymPy) only when it "
    "runs, so list, predict and simulate start fast",
}


def test_no_symcollapse_import_inside_a_function():
    """Function-level imports are for optional third-party packages, and for the command line's
    deferred commands; anywhere else one would hide a dependency (and possibly a cycle) from the
    module's header."""
    hidden = [h for h in HIDDEN if h[0] not in DEFERRED]
    assert not hidden, "\n".join(f"{m}:{line} imports {t} inside a function" for m, line, t in hidden)
    assert {m for m, _, _ in HIDDEN} == set(DEFERRED), "DEFERRED lists a module that defers nothing"


def test_no_public_name_shadows_a_module():
    """``import symcollapse.<package>.<name> as m`` always gives the module, never a function of that name."""
    bad = []
    for module in sorted(MODULES):
        if MODULES[module].name != "__init__.py":
            continue
        package = importlib.import_module(module)
        for info in pkgutil.iter_modules(package.__path__):
            value = getattr(package, info.name, None)
            full = f"{module}.{info.name}"
            if value is not None and value is not importlib.import_module(full):
                bad.append(f"{module}.{info.name} is {type(value).__name__}, not the module")
    assert not bad, "\n".join(bad)


def test_every_public_name_exists():
    missing = [name for name in symcollapse.__all__ if not hasattr(symcollapse, name)]
    assert not missing


@pytest.mark.parametrize("name", sorted(symcollapse._hooks.BACKENDS))
def test_every_backend_is_registered_by_the_module_it_names(name):
    function = symcollapse._hooks.backend(name)
    assert function.__module__ == symcollapse._hooks.BACKENDS[name]
    assert name in MODULES[function.__module__].read_text()


def test_architecture_md_lists_the_layers_in_order():
    text = (REPO / "ARCHITECTURE.md").read_text()
    listed = re.findall(r"^\d\. \*\*(\w+)\*\*", text, flags=re.MULTILINE)
    assert tuple(listed) == LAYERS[:-1], listed
    for sub in LAYERS[1:-1]:
        assert f"`symcollapse/{sub}/`" in text


def _resolves(reference: str) -> bool:
    parts = reference.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        try:
            for attribute in parts[i:]:
                obj = getattr(obj, attribute)
        except AttributeError:
            return False
        return True
    return False


def test_every_dotted_reference_in_the_repository_resolves(tracked_texts):
    """Docs, docstrings, examples and derivations name dotted symcollapse paths that exist (a
    module moved without its references updated fails here)."""
    pattern = re.compile(r"symcollapse(?:\.[A-Za-z_]\w*)+")
    skip_suffix = (".py", ".toml", ".json", ".md", ".tex", ".csv", ".log", ".pdf", ".zarr")
    bad = {}
    for name, text in tracked_texts.items():
        for match in pattern.finditer(text):
            ref = match.group(0)
            if ref.endswith(skip_suffix):
                continue
            if not _resolves(ref):
                bad.setdefault(ref, name)
    assert not bad, "\n".join(f"{ref} (in {name})" for ref, name in sorted(bad.items()))


def test_every_file_path_in_the_repository_exists(tracked_texts):
    """``symcollapse/.../x.py`` paths named in docs and code exist, except in the benchmarks,
    which name the files of old revisions they load from git on purpose."""
    pattern = re.compile(r"symcollapse/[\w/]+\.(?:py|json)")
    missing = {
        path: name
        for name, text in tracked_texts.items()
        if not name.startswith("benchmarks/")
        for path in pattern.findall(text)
        if not (REPO / path).exists()
    }
    assert not missing, "\n".join(f"{path} (in {name})" for path, name in sorted(missing.items()))
