"""Web of Science tagged: the plain-text export (``savedrecs.txt``, FN/VR/PT/ER/EF)."""

from __future__ import annotations

import pathlib
from collections.abc import Iterator

from syncd.formats.emit import emit
from syncd.formats.records import ConvertedRecord, RawRecord, ReadProblem
from syncd.formats.wos.mapping import map_wos
from syncd.formats.wos.reader import read_file, sniff
from syncd.schema import Schema

__all__ = ["convert", "sniff"]


def convert(path: pathlib.Path, schema: Schema) -> Iterator[ConvertedRecord | ReadProblem]:
    """The file's records as Zotero items, with the problems met (streaming)."""
    for entry in read_file(path):
        if isinstance(entry, RawRecord):
            yield from emit(map_wos(entry, schema))
        else:
            yield entry
