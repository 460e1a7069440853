"""MEDLINE/nbib: PubMed's "Send to: Citation manager" export (``.nbib``), and ERIC's."""

from __future__ import annotations

import pathlib
from collections.abc import Iterator

from syncd.formats.emit import emit
from syncd.formats.medline.mapping import map_medline
from syncd.formats.medline.reader import read_file, sniff
from syncd.formats.records import ConvertedRecord, RawRecord, ReadProblem
from syncd.schema import Schema

__all__ = ["convert", "sniff"]


def convert(path: pathlib.Path, schema: Schema) -> Iterator[ConvertedRecord | ReadProblem]:
    """The file's records as Zotero items, with the problems met (streaming)."""
    for entry in read_file(path):
        if isinstance(entry, RawRecord):
            yield from emit(map_medline(entry, schema))
        else:
            yield entry
