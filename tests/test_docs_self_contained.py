"""The repository's text cites only what a user has: the paper's own numbering, files in the
repository, or content written out here.  No references to documents outside the repository
(a specification, an extensions note, a ``shared/`` directory) or to issue numbers."""

from __future__ import annotations

import pathlib
import re
import runpy

ROOT = pathlib.Path(__file__).resolve().parents[1]
THIS = pathlib.Path(__file__).resolve()

# Whole words, so _LATEX_SPECIAL, _MD_SPECIAL and SPECTRA pass; SPEC and EXTENSIONS case-sensitively
# (``spec`` and ``extensions`` are ordinary words), ``shared/`` and issue numbers in any case.
_CASED = re.compile(r"\bSPEC\b|\bEXTENSIONS\b")
_UNCASED = re.compile(r"shared/|\bissues?\s*#?\s*\d+", re.IGNORECASE)


def _offences(text: str) -> list[tuple[int, str]]:
    return [
        (i, line.strip())
        for i, line in enumerate(text.splitlines(), 1)
        if _CASED.search(line) or _UNCASED.search(line)
    ]


def test_the_pattern_spares_identifiers_and_catches_references():
    spared = [
        "_LATEX_SPECIAL = 1",
        "_MD_SPECIAL",
        "SPECTRA = {}",
        "spec_params",
        "file extensions",
        "the issue is",
    ]
    caught = [
        "(SPEC 3.8)",
        "SPEC.md section 6 B",
        "SPEC's form",
        "EXTENSIONS section 4",
        "../shared/SPEC.md",
        "issue 6",
        "Issue 12's",
        "issue #14",
    ]
    assert [s for s in spared if _offences(s)] == []
    assert [s for s in caught if not _offences(s)] == []


def test_no_references_to_documents_outside_the_repository(tracked_texts):
    found = []
    for name, text in tracked_texts.items():
        if (ROOT / name).resolve() == THIS:
            continue
        found += [f"{name}:{i}: {line}" for i, line in _offences(text)]
    assert not found, "references a user cannot follow:\n" + "\n".join(found)


def test_docs_errata_is_generated_from_the_errata_list():
    render = runpy.run_path(str(ROOT / "docs" / "make_errata.py"))["render"]
    current = (ROOT / "docs" / "errata.md").read_text(encoding="utf-8")
    assert current == render(), "docs/errata.md is stale: run PYTHONPATH=. python docs/make_errata.py"
