"""RIS: the reader (:mod:`.reader`), exporter dialects (:mod:`.dialects`), the mapping
(:mod:`.mapping`) and writing RIS back (:mod:`.writer`).

A format package like the others (:mod:`syncd.formats`): ``sniff`` and ``convert``.
It also reads from a stream (:func:`convert_stream`), which the daemon uses so that
its most common files are read from the bytes it took without a copy to disk.

The mapping is imported on first use, not with the package: item building, which
every format shares (:mod:`syncd.formats.build`), reads RIS's import tables in this
package, and RIS's mapping builds on it.
"""

from __future__ import annotations

import pathlib
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from syncd.formats.emit import emit
from syncd.formats.records import ConvertedRecord, RawRecord, ReadProblem
from syncd.formats.ris.reader import read_file, read_records
from syncd.formats.ris.reader_sniff import sniff
from syncd.schema import Schema

__all__ = ["convert", "convert_stream", "sniff"]


def convert(path: pathlib.Path, schema: Schema) -> Iterator[ConvertedRecord | ReadProblem]:
    """The file's records as Zotero items, with the problems met (streaming).

    Raises :class:`syncd.errors.NotRisError` when the file holds no RIS record.
    """
    return _converted(read_file(path), schema)


def convert_stream(
    stream: BinaryIO, source: str, schema: Schema
) -> Iterator[ConvertedRecord | ReadProblem]:
    """As :func:`convert`, for the bytes of ``stream`` (``source`` names the file)."""
    return _converted(read_records(stream, source), schema)


def _converted(
    entries: Iterable[RawRecord | ReadProblem], schema: Schema
) -> Iterator[ConvertedRecord | ReadProblem]:
    from syncd.formats.ris.mapping import map_record  # see the module docstring

    for entry in entries:
        if not isinstance(entry, RawRecord):
            yield entry
            continue
        for out in emit(map_record(entry, schema)):
            if isinstance(out, ReadProblem) and out.line is None:
                # A note about the record as a whole (a field its type lacks):
                # it is found by the record's first line.
                out = ReadProblem(out.file, entry.start_line, out.message, out.severity)
            yield out
