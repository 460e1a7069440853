"""Files in, converted records out: detection, then the format's package.

This is the pipeline ``syncd convert`` prints and the sync planner consumes. It
stays lazy so a large export flows through in constant memory. The format is
detected from the file's content (:mod:`syncd.formats.detect`) unless the caller
names it, and every format is read by its package's ``convert``
(:mod:`syncd.formats`); a file no format recognises goes to the fallback (RIS).
Items leave the packages in the form Zotero's server stores them
(:mod:`syncd.formats.emit`), so what syncd sends and keeps as its merge base is
what the library then holds.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from syncd.errors import NotRisError
from syncd.formats import Format, package
from syncd.formats import ris as ris_format
from syncd.formats.detect import FALLBACK, Detection, read_head, unknown_format_error
from syncd.formats.detect import detect as detect_head
from syncd.formats.records import ConvertedRecord, ReadProblem, SourceRef
from syncd.formats.ris.reader_sniff import HEAD_BYTES
from syncd.schema import Schema


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
    read_as = _format(detection)
    return _framed(
        detection,
        lambda: package(read_as).convert(Path(path), schema),
        str(path),
        lambda: read_head(path),
    )


def convert_stream(
    stream: BinaryIO, source: str, schema: Schema
) -> Iterator[ConvertedRecord | ReadProblem]:
    """As :func:`convert_file`, for bytes already taken (``source`` names the file).

    The daemon reads a file once and syncs exactly those bytes, so a file that
    grows meanwhile is never synced half. RIS is read from the stream itself (the
    daemon's most common files, not copied); the other formats' packages take a
    path, so their bytes are spooled to a private temporary file and the records
    and problems are renamed back to ``source``.
    """
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    detection = _detection(head, None)
    fmt = _format(detection)
    if fmt is Format.RIS:
        return _framed(
            detection,
            lambda: ris_format.convert_stream(stream, source, schema),
            source,
            lambda: head,
        )
    return _framed(detection, lambda: _spooled(fmt, stream, source, schema), source, lambda: head)


def _detection(head: bytes, fmt: Format | None) -> Detection | None:
    if fmt is not None:
        return Detection(fmt, "named on the command line")
    return detect_head(head)


def _format(detection: Detection | None) -> Format:
    return FALLBACK if detection is None else detection.format


def _framed(
    detection: Detection | None,
    convert: Callable[[], Iterator[ConvertedRecord | ReadProblem]],
    source: str,
    head: Callable[[], bytes],
) -> Iterator[ConvertedRecord | ReadProblem]:
    """What ``convert`` yields, after a line saying how the file was read (none for
    the fallback format, which syncd has always read without saying so).

    ``convert`` is called once the line is out, so that what a package raises
    comes out of the iteration, after it.
    """
    if detection is not None and detection.format is not FALLBACK:
        yield ReadProblem(source, None, detection.describe(), "info")
    try:
        yield from convert()
    except NotRisError as exc:
        if detection is not None:
            raise
        # No format recognised the file and the fallback's reader found no record either.
        raise unknown_format_error(source, head()) from exc


def _spooled(
    fmt: Format, stream: BinaryIO, source: str, schema: Schema
) -> Iterator[ConvertedRecord | ReadProblem]:
    with tempfile.TemporaryDirectory(prefix="syncd-") as tmp:
        spool = Path(tmp) / Path(source).name
        with open(spool, "wb") as out:
            shutil.copyfileobj(stream, out)
        for entry in package(fmt).convert(spool, schema):
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
