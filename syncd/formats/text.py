"""Decoded text of an export file, as the RIS reader decodes it, for the other readers.

XML and CSV exports come in the same encodings as RIS ones (UTF-8 with or without a
BOM, UTF-16 from older Windows exporters, a line of Windows-1252 pasted into UTF-8),
so they go through the RIS reader's line layer (:class:`LineSource`): per-line
fallback to Windows-1252 with one warning per file, BOMs, UTF-16/32, control
characters. Its "not RIS" verdict (empty, binary) is turned into this format's words.
"""

from __future__ import annotations

from collections.abc import Iterator
from io import BufferedReader
from pathlib import Path
from typing import BinaryIO

from syncd.errors import InputError, NotRisError
from syncd.formats.records import ReadProblem
from syncd.formats.ris.reader_lines import LineBlock, LineSource
from syncd.formats.ris.reader_sniff import describe_non_ris


def open_export(path: Path) -> BufferedReader:
    """The file opened for reading, or the InputError that says why it cannot be."""
    try:
        return path.open("rb")
    except OSError as exc:
        raise InputError(
            f"cannot open the file: {exc.strerror or exc}",
            file=str(path),
            hint="check that it exists and is readable",
        ) from exc


def text_blocks(
    stream: BinaryIO, source: str, what: str
) -> tuple[LineSource, Iterator[LineBlock | ReadProblem]]:
    """The stream's lines, block by block, and the source that tallies its problems.

    ``what`` names the format for the error raised when the file is empty or binary.
    """
    lines = LineSource(stream, source)

    def blocks() -> Iterator[LineBlock | ReadProblem]:
        try:
            yield from lines.chunks()
        except NotRisError as exc:
            looks, line = describe_non_ris(lines.head)
            raise InputError(
                f"not {what}: {looks}", file=source, line=line, hint=f"export the file as {what}"
            ) from exc

    return lines, blocks()
