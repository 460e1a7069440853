"""Converting BibTeX text in tests."""

from __future__ import annotations

import itertools
from pathlib import Path

from syncd.formats import bibtex
from syncd.formats.records import ConvertedRecord, ReadProblem
from syncd.schema import bundled_schema

_counter = itertools.count()


def convert_text(
    tmp_path: Path, text: str | bytes
) -> tuple[list[ConvertedRecord], list[ReadProblem]]:
    path = tmp_path / f"export{next(_counter)}.bib"
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    out = list(bibtex.convert(path, bundled_schema()))
    records = [r for r in out if isinstance(r, ConvertedRecord)]
    problems = [r for r in out if isinstance(r, ReadProblem)]
    return records, problems


def one(tmp_path: Path, text: str) -> ConvertedRecord:
    records, _ = convert_text(tmp_path, text)
    assert len(records) == 1
    return records[0]
