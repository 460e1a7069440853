"""Every file in tests/corpus/encodings/ reads to the same fields."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from syncd.formats.records import RawRecord, ReadProblem
from syncd.formats.ris.reader import looks_like_ris, read_file

CORPUS = Path(__file__).parents[2] / "corpus"


def _load_make_corpus() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_corpus = _load_make_corpus()
NAMES = sorted(make_corpus.files())


def test_committed_files_match_the_generator() -> None:
    on_disk = {p.name for p in (CORPUS / "encodings").iterdir()}
    assert on_disk == set(NAMES)
    for name, data in make_corpus.files().items():
        assert (CORPUS / "encodings" / name).read_bytes() == data, name


@pytest.mark.parametrize("name", NAMES)
def test_reads_to_the_same_fields(name: str) -> None:
    path = CORPUS / "encodings" / name
    out = list(read_file(path))
    records = [o for o in out if isinstance(o, RawRecord)]
    problems = [o for o in out if isinstance(o, ReadProblem)]
    got = [[(f.tag, f.value) for f in r.fields] for r in records]
    assert got == make_corpus.expected_records(name)
    assert [r.start_line for r in records] == [4, 16, 23]
    assert all(r.file == str(path) for r in records)
    if name.startswith("cp1252"):
        # One warning for the whole file, naming the encoding and the first line.
        assert [(p.severity, p.line) for p in problems] == [("warning", 5)]
        assert "Windows-1252" in problems[0].message
    elif name.startswith("mixed"):
        assert [(p.severity, p.line) for p in problems] == [("warning", 13)]
        assert "1 line(s)" in problems[0].message
    else:
        assert problems == []
    assert looks_like_ris(path.read_bytes()[:4096])
