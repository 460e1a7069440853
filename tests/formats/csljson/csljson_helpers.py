"""Converting CSL-JSON text in tests."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

from syncd.formats import csljson
from syncd.formats.records import ConvertedRecord, ReadProblem
from syncd.schema import bundled_schema

_counter = itertools.count()


def convert_text(
    tmp_path: Path, text: str | bytes
) -> tuple[list[ConvertedRecord], list[ReadProblem]]:
    path = tmp_path / f"items{next(_counter)}.json"
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    out = list(csljson.convert(path, bundled_schema()))
    records = [r for r in out if isinstance(r, ConvertedRecord)]
    problems = [r for r in out if isinstance(r, ReadProblem)]
    return records, problems


def one(tmp_path: Path, data: dict[str, Any]) -> ConvertedRecord:
    records, _ = convert_text(tmp_path, json.dumps([data]))
    assert len(records) == 1
    return records[0]
