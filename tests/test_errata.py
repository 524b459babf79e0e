"""The errata of the paper live in one place, ``symcollapse/symbolic/errata.py``: the derivation
scripts read their statements from ``symcollapse.errata()`` (``derivations/_narrate.erratum``),
and every erratum names a test that exists.  (``docs/errata.md`` is checked to be generated from
the same list in tests/test_docs_self_contained.py; the report's table in tests/test_cli.py.)"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import symcollapse as sc

ROOT = Path(__file__).resolve().parents[1]
DERIVATIONS = ROOT / "derivations"

#: errata that no derivation script demonstrates, and why.
NOT_DERIVED = {"F.8": "Monte-Carlo evidence only (tests/test_chain_vs_simulation.py)"}

_ERRATUM_CALL = re.compile(r"""\berratum\(\s*["']([^"']+)["']\s*\)""")


def demonstrated() -> dict[str, list[str]]:
    """Erratum label -> the derivation scripts that print it with ``erratum(label)``."""
    out: dict[str, list[str]] = {}
    for path in sorted(DERIVATIONS.glob("*.py")):
        if path.name.startswith("_"):
            continue
        for label in _ERRATUM_CALL.findall(path.read_text(encoding="utf-8")):
            out.setdefault(label, []).append(path.name)
    return out


def _label_key(label: str) -> tuple[int, str]:
    return int(re.search(r"\d+", label).group()), label


def test_labels_are_unique_and_in_order():
    labels = [e.label for e in sc.errata()]
    assert len(labels) == len(set(labels))
    assert labels == sorted(labels, key=_label_key)  # by number; B8 before F.8


def test_every_erratum_a_derivation_demonstrates_is_in_the_list_and_vice_versa():
    used = demonstrated()
    labels = {e.label for e in sc.errata()}
    assert set(used) <= labels, f"derivations print errata not in errata.py: {set(used) - labels}"
    assert set(NOT_DERIVED) <= labels
    missing = labels - set(used) - set(NOT_DERIVED)
    assert not missing, f"errata no derivation script demonstrates: {sorted(missing)}"
    assert not set(used) & set(NOT_DERIVED)


def test_the_derivation_scripts_do_not_type_the_statements_again():
    """A script demonstrating an erratum prints it with erratum(label), not its own heading."""
    for label, scripts in demonstrated().items():
        for script in scripts:
            text = (DERIVATIONS / script).read_text(encoding="utf-8")
            assert not re.search(rf"""heading\(\s*f?["']{re.escape(label)}\b""", text), (label, script)


def _test_functions(path: Path) -> dict[str, str]:
    """Module-level test functions of ``path`` (and methods of its test classes) -> their source."""
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    out = {}
    for node in tree.body:
        nodes = node.body if isinstance(node, ast.ClassDef) else [node]
        for fn in nodes:
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) and fn.name.startswith("test"):
                out[fn.name] = ast.get_source_segment(text, fn) or ""
    return out


@pytest.mark.parametrize("e", sc.errata(), ids=lambda e: e.label)
def test_every_erratum_names_an_existing_test(e):
    path, sep, name = e.test.partition("::")
    assert sep and name, f"{e.label}: test {e.test!r} is not path::name"
    assert path.startswith("tests/") and (ROOT / path).is_file(), f"{e.label}: no file {path}"
    functions = _test_functions(ROOT / path)
    assert name in functions, f"{e.label}: no test function {name} in {path}"
    # the test is about this erratum: it names the label (in its name, docstring or comments)
    assert re.search(rf"(?<![A-Za-z0-9.]){re.escape(e.label)}(?![0-9])", functions[name]), (e.label, name)
