"""Files in, converted records out: the reader and the mapping joined for one file.

This is the pipeline ``syncd convert`` prints and the sync planner consumes. It
stays lazy so a large export flows through in constant memory. Items leave it in the
form Zotero's server stores them (``syncd.zotero.stored``), so what syncd sends and
keeps as its merge base is what the library then holds.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from syncd.ris.mapping import ConvertedRecord, map_record
from syncd.ris.reader import read_file, read_records
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
    return _convert(read_file(path), schema)


def convert_stream(
    stream: BinaryIO, source: str, schema: Schema
) -> Iterator[ConvertedRecord | ReadProblem]:
    """As :func:`convert_file`, for bytes already taken (``source`` names the file)."""
    return _convert(read_records(stream, source), schema)


def _convert(
    entries: Iterable[RawRecord | ReadProblem], schema: Schema
) -> Iterator[ConvertedRecord | ReadProblem]:
    for entry in entries:
        if isinstance(entry, RawRecord):
            converted = map_record(entry, schema)
            stored = stored_form(converted.item)
            if stored is not converted.item:
                converted = converted.with_changes(item=stored)
            yield converted
            for problem in converted.problems:
                if problem.line is None:
                    # A note about the record as a whole (a field its type lacks):
                    # it is found by the record's first line.
                    problem = ReadProblem(
                        problem.file, converted.source.line, problem.message, problem.severity
                    )
                yield problem
        else:
            yield entry
