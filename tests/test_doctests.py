"""The examples in the package's docstrings run and print what they show (doctest)."""

import doctest
import importlib
import pkgutil

import pytest

import symcollapse

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(symcollapse.__path__, "symcollapse.")
    if not m.name.endswith("__main__")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=FLAGS)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"


def test_some_examples_exist():
    attempted = sum(doctest.testmod(importlib.import_module(n), optionflags=FLAGS).attempted for n in MODULES)
    assert attempted >= 7
