"""Files in, converted records out: detection, the format's reader and its mapping.

This is the pipeline ``syncd convert`` prints and the sync planner consumes. It
stays lazy so a large export flows through in constant memory. The format is
detected from the file's content (:mod:`syncd.formats.detect`) unless the caller
names it; RIS goes through :mod:`syncd.ris` exactly as before, every other format
through its package. Items leave it in the form Zotero's server stores them
(``syncd.zotero.stored``), so what syncd sends and keeps as its merge base is what
the library then holds.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from syncd.errors import NotRisError
from syncd.formats import Format, package
from syncd.formats.detect import Detection, read_head, unknown_format_error
from syncd.formats.detect import detect as detect_head
from syncd.ris.mapping import ConvertedRecord, map_record
from syncd.ris.reader import read_file
from syncd.ris.records import RawRecord, ReadProblem
from syncd.schema import Schema
from syncd.zotero.stored import stored_form


def convert_file(
    path: str | os.PathLike[str], schema: Schema, fmt: Format | None = None
) -> Iterator[ConvertedRecord | ReadProblem]:
    """Records of one file as Zotero items, with the problems met on the way.

    ``fmt`` overrides detection (``syncd convert --from``). A file in another
    format than RIS starts with an info problem saying how it was read. Raises
    :class:`syncd.errors.InputError` (``UnknownFormatError`` among them) when the
    file as a whole cannot be read.
    """
    if fmt is None:
        detection = detect_head(read_head(path))
    else:
        detection = Detection(fmt, "named on the command line")
    if detection is None or detection.format is Format.RIS:
        yield from _convert_ris(path, schema, guessed=detection is None)
        return
    yield ReadProblem(str(path), None, detection.describe(), "info")
    for entry in package(detection.format).convert(Path(path), schema):
        if isinstance(entry, ConvertedRecord):
            stored = stored_form(entry.item)
            if stored is not entry.item:
                entry = entry.with_changes(item=stored)
        yield entry


def _convert_ris(
    path: str | os.PathLike[str], schema: Schema, *, guessed: bool
) -> Iterator[ConvertedRecord | ReadProblem]:
    try:
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
    except NotRisError as exc:
        if not guessed:
            raise
        # No format recognised the file and the RIS reader found no record either.
        raise unknown_format_error(str(path), read_head(path)) from exc
