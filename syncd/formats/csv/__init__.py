"""CSV and tab-delimited exports of Scopus, Web of Science, Lens and Dimensions,
recognised by their header rows. Reader: :mod:`.reader` (the standard ``csv``
module); shapes: :mod:`.shapes`; mapping: :mod:`.mapping`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from syncd.formats.csv.mapping import map_row
from syncd.formats.csv.reader import read_rows
from syncd.formats.csv.shapes import LABELS, REQUIRED, nearest, recognise, split_header
from syncd.formats.emit import emit
from syncd.formats.records import ConvertedRecord, ReadProblem
from syncd.schema import Schema

__all__ = ["convert", "sniff"]


def sniff(head: str) -> str | None:
    """Evidence that ``head`` is one of the known CSV exports, else None (pure)."""
    lines = head.lstrip("\ufeff").split("\n", 2)[:2]
    near: str | None = None
    for number, line in enumerate(lines, 1):
        names = split_header(line.rstrip("\r"))[0]
        shape = recognise(names)
        if shape is not None:
            return f"{LABELS[shape]} header row on line {number}"
        best, missing = nearest(names)
        if near is None and len(names) >= 3 and len(REQUIRED[best]) - len(missing) >= 2:
            # Close to a known export but short of columns: claimed, so that convert
            # says which columns are missing rather than the frame "unknown format".
            lacks = ", ".join(missing)
            near = f"header row on line {number} close to {LABELS[best]} (lacks {lacks})"
    return near


def convert(path: Path, schema: Schema) -> Iterator[ConvertedRecord | ReadProblem]:
    """The file's rows as Zotero items, with the problems met (see FORMATS.md)."""
    file = str(path)
    for entry in read_rows(Path(path)):
        if isinstance(entry, ReadProblem):
            yield entry
        else:
            yield from emit(map_row(entry, schema, file))
