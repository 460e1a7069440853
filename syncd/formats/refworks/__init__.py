"""RefWorks tagged: the export of RefWorks (RT, A1, T1... tags)."""

from __future__ import annotations

import pathlib
from collections.abc import Iterator

from syncd.formats.emit import emit
from syncd.formats.records import ConvertedRecord, RawRecord, ReadProblem
from syncd.formats.refworks.mapping import map_refworks
from syncd.formats.refworks.reader import read_file, sniff
from syncd.schema import Schema

__all__ = ["convert", "sniff"]


def convert(path: pathlib.Path, schema: Schema) -> Iterator[ConvertedRecord | ReadProblem]:
    """The file's records as Zotero items, with the problems met (streaming)."""
    for entry in read_file(path):
        if isinstance(entry, RawRecord):
            yield from emit(map_refworks(entry, schema))
        else:
            yield entry
