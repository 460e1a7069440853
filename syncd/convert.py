"""Files in, converted records out: the reader and the mapping joined for one file.

This is the pipeline ``syncd convert`` prints and the sync planner consumes. It
stays lazy so a large export flows through in constant memory.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from syncd.ris.mapping import ConvertedRecord, map_record
from syncd.ris.reader import read_file
from syncd.ris.records import RawRecord, ReadProblem
from syncd.schema import Schema


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
            yield converted
            yield from converted.problems
        else:
            yield entry
