"""The reader shared by the line-tagged formats: MEDLINE/nbib, Web of Science, RefWorks.

All three are RIS's cousins: a tag at the start of a line, its value after it,
continuation lines after that, records separated by a blank line or closed by
an end tag. No maintained Python library reads them the way Zotero does (PyPI has
``nbib`` 0.3.2 of 2021, ``metaknowledge`` 3.4.1 and ``wostools`` 3.0.2 of 2020,
each holding the whole file in memory and none following Zotero's continuation and
record rules; nothing for RefWorks), so, like the RIS reader, this one is written
by hand, on top of the RIS reader's lower layer (:class:`LineSource`: blocks,
encodings per line, over-long lines), which keeps memory bounded by one block and
one record whatever the file's size.

A :class:`Syntax` says what differs between the formats: what a tag line is,
which tags open and close a record, which are file headers repeated into every
record (Web of Science's ``FN``), and whether a blank line ends a record. Values
keep their continuation lines as ``\\n``-separated pieces, trimmed; the mapping
decides whether they are one text (joined with spaces) or a list (authors).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from syncd.errors import InputError, UnknownFormatError
from syncd.formats.records import RawRecord, ReadProblem
from syncd.formats.ris.reader import MAX_RECORD_CHARS
from syncd.formats.ris.reader_lines import LineSource
from syncd.formats.ris.reader_sniff import describe_non_ris

__all__ = ["Syntax", "first_line_matching", "read_tagged"]


@dataclass(frozen=True)
class Syntax:
    """What makes a line a tag line and a run of them a record, in one format."""

    name: str  # for messages: "MEDLINE"
    tag_line: Callable[[str], tuple[str, str] | None]
    starts: frozenset[str]  # tags that open a record (and close an open one)
    ends: frozenset[str] = frozenset()  # tags that close a record (not kept)
    headers: frozenset[str] = frozenset()  # outside records: repeated into each record
    file_end: frozenset[str] = frozenset()  # tags that only mark the file's end (EF)
    any_tag_starts: bool = False  # outside a record, any tag line opens one
    blank_ends: bool = False  # a blank line closes the open record
    title_tags: frozenset[str] = field(default_factory=frozenset)  # a record names a work


def first_line_matching(pattern: re.Pattern[str], text: str, within: int) -> int | None:
    """1-based number of the first line ``pattern`` matches at its start, looking at
    the first ``within`` non-blank lines only (as Zotero's translators detect: a file
    is what it starts as, not what it holds somewhere)."""
    seen = 0
    for number, line in enumerate(text.split("\n", 20 * within), 1):
        if not line.strip():
            continue
        if pattern.match(line.lstrip(" \t\ufeff")):
            return number
        seen += 1
        if seen >= within:
            return None
    return None


class _Record:
    __slots__ = ("chars", "lines", "oversize", "parts", "start", "tags", "values")

    def __init__(self, start: int) -> None:
        self.start = start
        self.tags: list[str] = []
        self.values: list[str] = []
        self.lines: list[int] = []
        self.parts: list[str] | None = None  # continuation pieces of the last field
        self.chars = 0
        self.oversize = False

    def add(self, tag: str, value: str, line: int) -> None:
        self.finish()
        self.tags.append(tag)
        self.values.append(value.strip())
        self.lines.append(line)

    def continue_last(self, piece: str) -> None:
        if self.parts is None:
            self.parts = [self.values[-1]]
        self.parts.append(piece)

    def finish(self) -> None:
        if self.parts is not None:
            self.values[-1] = "\n".join(p for p in self.parts if p)
            self.parts = None


def _grow(record: _Record, text: str) -> bool:
    """Count a line into the record; False once it is over the size limit (its fields
    are then dropped, so memory stays bounded, and the record is reported)."""
    record.chars += len(text)
    if record.chars > MAX_RECORD_CHARS and not record.oversize:
        record.oversize = True
        record.tags.clear()
        record.values.clear()
        record.lines.clear()
        record.parts = None
    return not record.oversize


class _Records:
    """What reading a file keeps besides the open record: the records' numbering, the
    file's header lines (repeated into each record) and a run of skipped text."""

    def __init__(self, source: str, syntax: Syntax) -> None:
        self.source = source
        self.syntax = syntax
        self.headers: list[tuple[str, str, int]] = []
        self.index = 0
        self.gap_first = 0
        self.gap_last = 0

    def header(self, tag: str, value: str, line: int) -> None:
        self.headers = [h for h in self.headers if h[0] != tag] + [(tag, value.strip(), line)]

    def skipped(self, line: int) -> None:
        self.gap_first = self.gap_first or line
        self.gap_last = line

    def gap(self) -> Iterator[ReadProblem]:
        """The warning for the text skipped since the last record, if there was any."""
        first, last = self.gap_first, self.gap_last
        if first:
            self.gap_first = 0
            span = f"line {first}" if first == last else f"lines {first}-{last}"
            yield ReadProblem(
                self.source,
                first,
                f"skipped text that is not {self.syntax.name} ({span})",
                "warning",
            )

    def close(self, rec: _Record, end: int, missing_end: bool) -> Iterator[RawRecord | ReadProblem]:
        """The record that ends at line ``end``, or why it is none."""
        source, syntax = self.source, self.syntax
        rec.finish()
        if rec.oversize:
            yield ReadProblem(
                source,
                rec.start,
                f"the record at lines {rec.start}-{end} is larger than "
                f"{MAX_RECORD_CHARS >> 20} MiB and was skipped",
            )
            return
        if syntax.title_tags and not any(
            t in syntax.title_tags and v for t, v in zip(rec.tags, rec.values, strict=True)
        ):
            yield ReadProblem(
                source,
                rec.start,
                f"lines {rec.start}-{end} hold no title or identifier; skipped as no record",
                "warning",
            )
            return
        if missing_end:
            yield ReadProblem(
                source,
                rec.start,
                f"the record at line {rec.start} has no {'/'.join(sorted(syntax.ends))} line; "
                f"it was read up to line {end}",
                "warning",
            )
        head = [(t, v, n) for t, v, n in self.headers if t not in rec.tags]
        yield RawRecord(
            tuple(t for t, _, _ in head) + tuple(rec.tags),
            tuple(v for _, v, _ in head) + tuple(rec.values),
            tuple(n for _, _, n in head) + tuple(rec.lines),
            source,
            rec.start,
            end,
            self.index,
        )
        self.index += 1


def read_tagged(stream: BinaryIO, source: str, syntax: Syntax) -> Iterator[RawRecord | ReadProblem]:
    """Records of one tagged file in file order, with the problems met, lazily.

    Raises :class:`UnknownFormatError` when the file holds no record of the
    format at all, :class:`InputError` when it cannot be read; nothing else.

    The loop over lines stays whole in this function, with no call or generator per
    line, because it runs for every line of the file; what closes a record and what
    a record then is are :class:`_Records`' (once per record).
    """
    lines = LineSource(stream, source, ris_only=False)
    records = _Records(source, syntax)
    record: _Record | None = None
    any_record = False
    last_text_line = 0
    ends = bool(syntax.ends)  # a record closed otherwise than by its end tag lacks it
    for chunk in lines.chunks():
        if isinstance(chunk, ReadProblem):
            yield chunk
            continue
        for offset, text in enumerate(chunk.lines):
            lineno = chunk.first + offset
            parsed = syntax.tag_line(text)
            if parsed is None:
                if not text.strip():
                    if record is not None and syntax.blank_ends:
                        yield from records.close(record, last_text_line, False)
                        record = None
                    continue
                if record is not None:
                    last_text_line = lineno
                    if _grow(record, text) and record.tags:
                        record.continue_last(text.strip())
                elif any_record:
                    records.skipped(lineno)
                continue
            tag, value = parsed
            if tag in syntax.file_end:
                if record is not None:
                    yield from records.close(record, last_text_line, ends)
                    record = None
                continue
            if tag in syntax.ends:
                if record is not None:
                    yield from records.close(record, lineno, False)
                    record = None
                continue
            if record is None:
                if tag in syntax.headers:
                    records.header(tag, value, lineno)
                    continue
                if tag not in syntax.starts and not syntax.any_tag_starts:
                    if any_record:
                        records.skipped(lineno)
                    continue
            elif tag in syntax.starts and record.tags:
                yield from records.close(record, last_text_line, ends)
                record = None
            if record is None:
                yield from records.gap()
                record = _Record(lineno)
                any_record = True
            last_text_line = lineno
            if _grow(record, text):
                record.add(tag, value, lineno)
    if record is not None:
        yield from records.close(record, last_text_line, ends)
    yield from records.gap()
    if not any_record:
        what, line = describe_non_ris(lines.head)
        raise UnknownFormatError(
            f"no {syntax.name} records found: {what}",
            file=source,
            line=line,
            hint="check the file's format, or leave out --from to detect it",
        )
    yield from lines.problems()


def read_tagged_file(path: Path, syntax: Syntax) -> Iterator[RawRecord | ReadProblem]:
    """Open ``path`` and read it with :func:`read_tagged`."""
    source = str(path)
    try:
        stream = open(path, "rb")  # noqa: SIM115 - closed by the generator below
    except OSError as exc:
        raise InputError(
            f"cannot open the file: {exc.strerror or exc}",
            file=source,
            hint="check the path and its permissions",
        ) from exc
    return _read_and_close(stream, source, syntax)


def _read_and_close(
    stream: BinaryIO, source: str, syntax: Syntax
) -> Iterator[RawRecord | ReadProblem]:
    with stream:
        yield from read_tagged(stream, source, syntax)
