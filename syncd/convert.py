"""Files in, converted records out: the reader and the mapping joined for one file.

This is the pipeline ``syncd convert`` prints and the sync planner consumes. It
stays lazy so a large export flows through in constant memory. Items leave it in the
form Zotero's server stores them (``syncd.zotero.stored``), so what syncd sends and
keeps as its merge base is what the library then holds.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from syncd.ris.mapping import ConvertedRecord, map_record
from syncd.ris.reader import read_file
from syncd.ris.records import RawRecord, ReadProblem
from syncd.schema import Schema
from syncd.zotero.stored import stored_form


def convert_file(
    path: str | os.PathLike[str], schema: Schema
) -> Iterator[ConvertedRecord | ReadProblem]:
    """Records of one file as Zotero items, with the problems met on the way.

    Raises :class:`syncd.errors.InputError` (``NotRisError`` among them) when the
    file as a whole cannot be read.
    """
    for entry in read_file(path):
        if isinstance(entry, RawRecord):
            converted = map_record(entry, schema)
            stored = stored_form(converted.item)
            if stored is not converted.item:
                converted = converted.with_changes(item=stored)
            yield converted
            yield from converted.problems
        else:
            yield entry
