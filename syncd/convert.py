"""Files in, converted records out: detection, the format's reader and its mapping.

This is the pipeline ``syncd convert`` prints and the sync planner consumes. It
stays lazy so a large export flows through in constant memory. The format is
detected from the file's content (:mod:`syncd.formats.detect`) unless the caller
names it; RIS goes through :mod:`syncd.formats.ris` exactly as before, every other format
through its package. Items leave it in the form Zotero's server stores them
(``syncd.zotero.stored``), so what syncd sends and keeps as its merge base is what
the library then holds.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from syncd.errors import NotRisError
from syncd.formats import Format, package
from syncd.formats.detect import Detection, read_head, unknown_format_error
from syncd.formats.detect import detect as detect_head
from syncd.formats.records import ConvertedRecord, RawRecord, ReadProblem, SourceRef
from syncd.formats.ris.mapping import map_record
from syncd.formats.ris.reader import read_file, read_records
from syncd.formats.ris.reader_sniff import HEAD_BYTES
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
    detection = _detection(read_head(path), fmt)
    if detection is None or detection.format is Format.RIS:
        return _ris(
            read_file(path), path, lambda: read_head(path), schema, guessed=detection is None
        )
    return _other(detection, Path(path), str(path), schema)


def convert_stream(
    stream: BinaryIO, source: str, schema: Schema
) -> Iterator[ConvertedRecord | ReadProblem]:
    """As :func:`convert_file`, for bytes already taken (``source`` names the file).

    The daemon reads a file once and syncs exactly those bytes, so a file that
    grows meanwhile is never synced half. RIS is read from the stream itself; the
    other formats' readers take a path, so their bytes are spooled to a private
    temporary file and the records and problems are renamed back to ``source``.
    """
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    detection = _detection(head, None)
    if detection is None or detection.format is Format.RIS:
        return _ris(
            read_records(stream, source), source, lambda: head, schema, guessed=detection is None
        )
    return _spooled(detection, stream, source, schema)


def _detection(head: bytes, fmt: Format | None) -> Detection | None:
    if fmt is not None:
        return Detection(fmt, "named on the command line")
    return detect_head(head)


def _ris(
    entries: Iterable[RawRecord | ReadProblem],
    path: str | os.PathLike[str],
    head: Callable[[], bytes],
    schema: Schema,
    *,
    guessed: bool,
) -> Iterator[ConvertedRecord | ReadProblem]:
    try:
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
    except NotRisError as exc:
        if not guessed:
            raise
        # No format recognised the file and the RIS reader found no record either.
        raise unknown_format_error(str(path), head()) from exc


def _other(
    detection: Detection, path: Path, name: str, schema: Schema
) -> Iterator[ConvertedRecord | ReadProblem]:
    yield ReadProblem(name, None, detection.describe(), "info")
    for entry in package(detection.format).convert(path, schema):
        if isinstance(entry, ConvertedRecord):
            stored = stored_form(entry.item)
            if stored is not entry.item:
                entry = entry.with_changes(item=stored)
        yield entry


def _spooled(
    detection: Detection, stream: BinaryIO, source: str, schema: Schema
) -> Iterator[ConvertedRecord | ReadProblem]:
    with tempfile.TemporaryDirectory(prefix="syncd-") as tmp:
        spool = Path(tmp) / Path(source).name
        with open(spool, "wb") as out:
            shutil.copyfileobj(stream, out)
        for entry in _other(detection, spool, source, schema):
            yield _renamed(entry, str(spool), source)


def _renamed(
    entry: ConvertedRecord | ReadProblem, spool: str, source: str
) -> ConvertedRecord | ReadProblem:
    if isinstance(entry, ReadProblem):
        return _renamed_problem(entry, spool, source)
    src = entry.source
    if src.file != spool:
        return entry
    return ConvertedRecord(
        entry.item,
        entry.notes,
        entry.attachments,
        entry.identifiers,
        SourceRef(source, src.line, src.end_line, src.index, src.dialect),
        tuple(_renamed_problem(p, spool, source) for p in entry.problems),
    )


def _renamed_problem(problem: ReadProblem, spool: str, source: str) -> ReadProblem:
    if problem.file != spool:
        return problem
    return ReadProblem(source, problem.line, problem.message, problem.severity)
