"""Small helpers for tests that need converted records from RIS text."""

from __future__ import annotations

import io

from syncd.formats.records import ConvertedRecord, RawRecord
from syncd.formats.ris.mapping import map_record
from syncd.formats.ris.reader import read_records
from syncd.schema import bundled_schema


def convert_text(text: str, source: str = "test.ris") -> list[ConvertedRecord]:
    schema = bundled_schema()
    return [
        map_record(entry, schema)
        for entry in read_records(io.BytesIO(text.encode("utf-8")), source)
        if isinstance(entry, RawRecord)
    ]


def ris_record(
    title: str,
    *,
    doi: str | None = None,
    eid: str | None = None,
    pmid: str | None = None,
    pages: str | None = None,
    year: str = "2020",
    authors: tuple[str, ...] = ("Doe, Jane",),
    journal: str = "Journal of Tests",
    kind: str = "JOUR",
    extra_lines: tuple[str, ...] = (),
) -> str:
    lines = [f"TY  - {kind}", f"TI  - {title}"]
    lines += [f"AU  - {a}" for a in authors]
    lines += [f"PY  - {year}", f"JO  - {journal}"]
    if doi:
        lines.append(f"DO  - {doi}")
    if eid:
        lines.append(f"AN  - {eid}")
    if pmid:
        lines.append(f"C2  - {pmid}")
    if pages:
        lines.append(f"SP  - {pages}")
    lines += list(extra_lines)
    lines.append("ER  - ")
    return "\n".join(lines) + "\n"
