"""Streaming RIS reader: bytes in, ``RawRecord``/``ReadProblem`` out, in file order.

The reader owns everything between a byte stream and a list of tag/value fields:
encoding detection, line splitting, tag-line recognition, continuation joining,
record boundaries and the "is this RIS at all?" verdict. It does not judge tags or
values; the mapping does that.

Why hand-written instead of rispy 0.10 (measured on this project's inputs):

* ``tests/fixtures/seed_scopus_pure.ris`` (the example Scopus/Pure export) uses the
  one-space form ``TY - JOUR``. ``rispy.loads`` finds 0 records in it: its tag test
  is ``line[2:5] == "  -"``, so every line of the file is treated as continuation.
* On the 12 inputs of ``tests/fixtures/zotero-ris-testcases.json`` (98 expected
  Zotero items) rispy finds 97 records; it misses the one-space case (case 3). A
  record with no ``ER`` before the end of the file would be lost too: rispy only
  keeps a record when it sees ``ER`` (checked: ``TY/TI/ER`` then ``TY/TI`` gives 1).
* Continuation lines: rispy joins them with a space for single-value tags and turns
  them into *extra list items* for list tags (AU, KW, N1, UR...), so it cannot
  follow Zotero's newline rule for AB/N1/N2/RN paragraphs or KW/L1-L3 lines.
* It takes ``str``, so decoding (BOM, UTF-16, a per-line cp1252 fallback, NUL
  bytes) is left to the caller; it returns all records as one list rather than a
  stream; records carry no line numbers and nothing reports problems.

Layers: ``reader_lines`` turns bytes into decoded, numbered lines (encodings, line
ends, size caps); ``reader_sniff`` recognises what a file is from its first bytes;
this module assembles lines into records and owns the public API.

Decisions worth knowing:

* Tag lines follow Zotero's RIS.js (two characters ``[A-Z][A-Z0-9]`` at line start,
  1-2 spaces, ``-``) and, unlike it, also accept a value right after the hyphen
  (``TY  -JOUR``). Continuation lines join exactly as RIS.js's reader joins them,
  down to its untrimmed first value and its longest-line rule; a line-by-line
  transcription of that reader run on 60,000 random RIS-like inputs gave the same
  fields, apart from the deliberate differences (no-space tags, BOMs inside the
  file, control characters stripped, MEDLINE refused).
* Speed: runs of ordinary tag lines inside a record, the bulk of any export, are
  recognised and split into tags, values and line numbers by C-level ``map()``
  calls over a block's line list, straight into the record's parallel lists (no
  object per field); boundaries, continuations and odd forms take the per-line
  path. Figures: README, PERFORMANCE (benchmarks/bench_read_map.py).
* A record whose values exceed ``MAX_RECORD_CHARS`` is dropped and reported (the
  check runs per block, so the overshoot is at most one block).
* Per-line oddities are reported once per file, after the last record, with the
  first line and a count.
"""

from __future__ import annotations

import operator
import os
import re
import string
from collections.abc import Iterator
from typing import BinaryIO, cast

from syncd.errors import InputError
from syncd.formats.records import RawRecord, ReadProblem
from syncd.formats.ris.reader_lines import LineSource, Tally
from syncd.formats.ris.reader_sniff import looks_like_ris, not_ris_error

__all__ = ["looks_like_ris", "read_file", "read_records"]

MAX_RECORD_CHARS = 64 << 20

# Tag line: two characters at line start, 1-2 spaces, a hyphen, then the value.
_TAG = re.compile(r"([A-Z][A-Z0-9]) {1,2}-(.*)").match
# A line that would be a tag line if it were not indented or lowercase.
_ALMOST_TAG = re.compile(r"[ \t]*[A-Za-z][A-Za-z0-9] {1,2}-").match
# The same test as _TAG as dict lookups on a line's first 5 and 4 characters, which
# is much cheaper per line than a regex call; values are sliced off after the prefix.
_TAG_NAMES = [a + b for a in string.ascii_uppercase for b in string.ascii_uppercase + "0123456789"]
_TWO_SPACE = {t + "  -": t for t in _TAG_NAMES}
_ONE_SPACE = {t + " -": t for t in _TAG_NAMES}
# Tag lines a run of plain fields may contain: 5-character heads with a value from
# offset 5 on (two-space form, or one-space form followed by a space). TY and ER
# always end a run, as does anything else (continuations, "TY -JOUR").
_RUN_TAG = {head: t for t in _TAG_NAMES if t not in ("TY", "ER") for head in (t + "  -", t + " - ")}
_HEAD = operator.itemgetter(slice(0, 5))
_TAIL = operator.itemgetter(slice(5, None))

# RIS.js joins a continuation line to a _PARAGRAPH_TAGS value with a newline when the
# file does not look hard-wrapped (see _Reader._continue), to a _LINE_LIST_TAGS value
# always with a newline, and to any other value with a space.
_PARAGRAPH_TAGS = frozenset({"AB", "N1", "N2", "RN"})
# What makes tag lines without a TY a record after all: a title or an identifier.
# Without any of them they are an exporter's trailer (Ovid writes ``NL  -``, "Link to
# the Ovid Full Text or citation:" and a counter after each ER), not a work.
_RECORD_TAGS = frozenset({"TI", "T1", "CT", "BT", "ST", "DO", "AN", "SN", "UR", "L3"})
_LINE_LIST_TAGS = frozenset({"KW", "L1", "L2", "L3"})


def _raw_value(tag_line: str) -> str:
    """A tag line's value as RIS.js holds it while joining: after "- ", untrimmed."""
    line = tag_line.lstrip(" \t\ufeff")
    raw = line[line.find("-", 2) + 1 :]
    return raw[1:] if raw.startswith(" ") else raw


class _Reader:
    """State of one read: record assembly over a LineSource.

    ``records`` hands each block of lines to ``_block``, which takes runs of ordinary
    tag lines in bulk and gives every other line to the step it needs: ``_open`` and
    ``_close`` a record's bounds, ``_continue`` a continuation line, ``_gap_line``
    text between records. The state they share lives on the reader, not in locals
    of one long loop: that costs under 1% of reading (callgrind, 10,000 records of
    benchmarks/bench_read_map.py: 0.4% more instructions read only, 0.3% with the
    mapping), and nothing on the bulk path.
    """

    def __init__(self, stream: BinaryIO, source: str) -> None:
        self.source = source
        self.lines = LineSource(stream, source)
        self.almost = Tally(
            "{n} line(s) look like tag lines but are indented or lowercase (first at line "
            "{first}); they were read as continuation text"
        )
        # The open record's fields, as RawRecord holds them: three parallel lists,
        # emptied (never replaced) when a record closes, so _block may hold them.
        self.ftags: list[str] = []
        self.fvalues: list[str] = []
        self.flines: list[int] = []
        self.in_record = False
        self.any_record = False
        self.has_ty = False
        self.start = 0  # first line of the open record
        self.last_line = 0  # last non-blank continuation line of the open record
        self.index = 0  # records yielded so far
        self.parts: list[str] | None = None  # continuation pieces of the last field
        self.tail_space = False  # the continued value so far ends with a space
        self.seen_tag = False  # a tag line (of any kind) has been seen
        self.long_seen = False  # a line over 85 characters has been seen since then
        self.scan_from = 0  # lines[scan_from:] of the block not yet checked for long_seen
        self.prev_block_last = ""  # the last line of the previous block
        self.gap_first = 0  # first non-blank non-RIS line after a record closed
        self.gap_last = 0
        self.er_only = False  # an ER line came before any record
        self.consumed = 0  # characters in blocks before the current one
        self.record_from = 0  # ``consumed`` when the open record started
        self.oversize = False
        self.closed_record = True  # the last _close gave a record (not a trailer)
        # True while a record is open and its last field has no pending continuation: then
        # an ordinary tag line only needs appending, and runs of them can go in bulk.
        self.plain = False

    def records(self) -> Iterator[RawRecord | ReadProblem]:
        for item in self.lines.chunks():
            if isinstance(item, ReadProblem):
                self.prev_block_last = ""  # a skipped over-long line came in between
                yield item
                continue
            yield from self._block(item.lines, item.first)
            self._block_read(item.lines, item.chars)
        yield from self._file_read()

    def _block(self, lines: list[str], first: int) -> Iterator[RawRecord | ReadProblem]:
        """The records and problems that end in one block of lines (``first`` is the
        first one's number).

        The hot path: runs of ordinary tag lines inside a record (the bulk of any
        export) are recognised and appended by C-level map() calls over the block's
        line list, with no object per field; only boundaries (TY/ER), continuation
        lines, text outside records and unusual tag forms go line by line.
        """
        ftags, fvalues, flines = self.ftags, self.fvalues, self.flines
        two_space = _TWO_SPACE.get
        strip = str.strip
        n = len(lines)
        self.scan_from = 0
        run_tags = list(map(_RUN_TAG.get, map(_HEAD, lines)))
        run_tags.append(None)  # sentinel for index()
        i = 0
        while i < n:
            if self.plain:
                k = run_tags.index(None, i)
                if k > i:
                    ftags += cast(list[str], run_tags[i:k])
                    fvalues += map(strip, map(_TAIL, lines[i:k]))
                    flines += range(first + i, first + k)
                    i = k
                    if i == n:
                        break
            text = lines[i]
            lineno = first + i
            i += 1
            tag = two_space(text[:5])
            if tag is not None:
                value = text[5:]
            else:
                tag, value = _other_tag_form(text, not (self.any_record or self.in_record))
            if tag is not None:
                if not self.seen_tag:
                    # Like RIS.js, line lengths count from the first tag line on.
                    self.seen_tag = True
                    self.scan_from = i - 1
                if self.parts is not None:
                    self._finish_parts()
                if tag == "ER":
                    if self.in_record:
                        yield from self._close(lineno)
                        self.in_record = False
                    elif not self.any_record:
                        self.er_only = True
                    self.plain = False
                    continue
                self.plain = True
                if self.in_record and tag != "TY":
                    ftags.append(tag)
                    fvalues.append(value.strip())
                    flines.append(lineno)
                    continue
                if self.in_record or self.gap_first:
                    yield from self._before_open(lineno)
                self._open(tag, value, lineno)
            elif self.in_record:
                self._continue(lines, i, lineno, text)
            elif self.any_record and text and not text.isspace():
                self._gap_line(lineno)

    def _open(self, tag: str, value: str, lineno: int) -> None:
        """A record starts at a TY line, or at any tag line outside a record."""
        self.any_record = self.in_record = True
        self.has_ty = tag == "TY"
        self.start = self.last_line = lineno
        self.record_from = self.consumed
        self.ftags.append(tag)
        self.fvalues.append(value.strip())
        self.flines.append(lineno)

    def _before_open(self, lineno: int) -> Iterator[RawRecord | ReadProblem]:
        """What a record starting at ``lineno`` ends: the open record, whose ER is
        missing, or the text skipped since the last record."""
        if self.in_record:
            end = self._open_end()
            yield from self._close(end)
            if self.closed_record:
                yield ReadProblem(
                    self.source,
                    lineno,
                    f"missing ER before line {lineno}; the record before it ends at line {end}",
                    "warning",
                )
        elif self.gap_first:
            yield self._gap_problem(at_end=False)
            self.gap_first = 0

    def _close(self, end: int) -> Iterator[RawRecord | ReadProblem]:
        """The open record, ending at line ``end``: a RawRecord, or the problem that
        it is no record (tag lines without TY that name no work) or too large."""
        source, start = self.source, self.start
        ftags, fvalues, flines = self.ftags, self.fvalues, self.flines
        self._finish_parts()
        self.closed_record = self.has_ty or self.oversize or _names_a_work(ftags, fvalues)
        if not self.closed_record:
            yield ReadProblem(
                source,
                start,
                f"lines {start}-{end} are no record (no TY, no title, no identifier: "
                f"{' '.join(dict.fromkeys(ftags))}); skipped",
                "warning",
            )
        elif self.oversize:
            yield ReadProblem(
                source,
                start,
                f"the record at lines {start}-{end} is larger than "
                f"{MAX_RECORD_CHARS // (1 << 20)} MiB and was skipped",
                "error",
            )
        else:
            if not self.has_ty:
                yield ReadProblem(
                    source,
                    start,
                    f"record without TY at line {start}; it gets the default item type",
                    "warning",
                )
            yield RawRecord(
                tuple(ftags), tuple(fvalues), tuple(flines), source, start, end, self.index
            )
            self.index += 1
        ftags.clear()
        fvalues.clear()
        flines.clear()
        self.oversize = False

    def _open_end(self) -> int:
        """The last line of the open record so far."""
        return max(self.last_line, self.flines[-1]) if self.flines else self.last_line

    def _finish_parts(self) -> None:
        """Join the last field's continuation pieces into its value."""
        if self.parts is not None:
            self.fvalues[-1] = "".join(self.parts).strip()
            self.parts = None

    def _continue(self, lines: list[str], i: int, lineno: int, text: str) -> None:
        """A line inside a record that is no tag line (``lines[i - 1]``): it continues
        the last field's value, joined as RIS.js joins it."""
        piece = text.strip()
        if piece:
            self.last_line = lineno
            if _ALMOST_TAG(text) is not None:
                self.almost.add(lineno)
        ftags = self.ftags
        if not ftags:
            return
        parts = self.parts
        if parts is None:
            # The line before the first continuation is the field's tag line.
            # RIS.js keeps that value untrimmed until the end, so its trailing
            # spaces survive a joining newline (and suppress a joining space).
            prev = lines[i - 2] if i >= 2 else self.prev_block_last
            if prev.lstrip(" \t\ufeff").startswith(ftags[-1]):
                raw = _raw_value(prev)
            else:  # the line before was skipped as too long
                raw = self.fvalues[-1]
            parts = self.parts = [raw]
            self.tail_space = raw.endswith(" ")
            self.plain = False
        tag = ftags[-1]
        if tag in _PARAGRAPH_TAGS:
            if piece and not self.long_seen:
                self.long_seen = max(map(len, lines[self.scan_from : i])) > 85
                self.scan_from = i
            prev_len = len(lines[i - 2]) if i >= 2 else len(self.prev_block_last)
            newline = self.long_seen or prev_len < 65 or not piece
        else:
            newline = tag in _LINE_LIST_TAGS
        if newline:
            parts.append("\n")
            self.tail_space = False
        else:
            if not self.tail_space:
                parts.append(" ")
            self.tail_space = not piece
        parts.append(piece)

    def _gap_line(self, lineno: int) -> None:
        """A non-blank line outside any record, after the first one."""
        if not self.gap_first:
            self.gap_first = lineno
        self.gap_last = lineno

    def _gap_problem(self, *, at_end: bool) -> ReadProblem:
        first, last = self.gap_first, self.gap_last
        span = f"line {first}" if first == last else f"lines {first}-{last}"
        where = "after the last record" if at_end else "between records"
        return ReadProblem(
            self.source, first, f"skipped text that is not RIS {where} ({span})", "warning"
        )

    def _block_read(self, lines: list[str], chars: int) -> None:
        """What carries over to the next block, and the open record's size check."""
        if lines:
            self.prev_block_last = lines[-1]
            if self.seen_tag and not self.long_seen and self.scan_from < len(lines):
                self.long_seen = max(map(len, lines[self.scan_from :])) > 85
        self.consumed += chars
        if self.in_record and self.consumed - self.record_from > MAX_RECORD_CHARS:
            # Checked per block, not per line: the overshoot is at most one block.
            self.oversize = True
            self.ftags.clear()
            self.fvalues.clear()
            self.flines.clear()
            self.parts = None
            self.plain = True

    def _file_read(self) -> Iterator[RawRecord | ReadProblem]:
        """The end of the file: the open record, skipped text, the verdict, and the
        per-line oddities counted along the way."""
        if self.in_record:
            end = self._open_end()
            yield from self._close(end)
            if self.closed_record:
                yield ReadProblem(self.source, end, "missing ER at the end of the file", "warning")
        if self.gap_first:
            yield self._gap_problem(at_end=True)
        if not self.any_record:
            raise not_ris_error(self.source, self.lines.head, er_only=self.er_only)
        yield from self.lines.problems()
        if self.almost.count:
            yield self.almost.problem(self.source)


def _other_tag_form(text: str, first_record: bool) -> tuple[str | None, str]:
    """The tag and value of a tag line not in the two-space form: the one-space form,
    or (before the first record) a TY behind a BOM or indentation; (None, "") else."""
    tag = _ONE_SPACE.get(text[:4])
    if tag is not None:
        return tag, text[4:]
    if first_record:
        # Exporters may put a BOM or indentation before the very first TY.
        stripped = text.lstrip(" \t\ufeff")
        if stripped.startswith("TY"):
            m = _TAG(stripped)
            if m is not None:
                return m.group(1), m.group(2)
    return None, ""


def _names_a_work(tags: list[str], values: list[str]) -> bool:
    """True when tag lines without a TY carry a title or an identifier."""
    return any(tag in _RECORD_TAGS and value for tag, value in zip(tags, values, strict=True))


def read_records(stream: BinaryIO, source: str) -> Iterator[RawRecord | ReadProblem]:
    """Read RIS records from a binary stream, lazily, in file order.

    Yields each record and each problem as soon as it is known. Raises
    ``NotRisError`` when the file holds no RIS record at all (possibly only once
    iteration reaches the end), ``InputError`` when the stream cannot be read; never
    anything else on any input bytes.
    """
    return _Reader(stream, source).records()


def read_file(path: str | os.PathLike[str]) -> Iterator[RawRecord | ReadProblem]:
    """Open ``path`` in binary mode and read it with ``read_records``."""
    source = str(path)
    try:
        stream = open(path, "rb")  # noqa: SIM115 - closed by the generator below
    except OSError as exc:
        raise InputError(
            f"cannot open the file: {exc.strerror or exc}",
            file=source,
            hint="check the path and its permissions",
        ) from exc
    return _read_and_close(stream, source)


def _read_and_close(stream: BinaryIO, source: str) -> Iterator[RawRecord | ReadProblem]:
    with stream:
        yield from read_records(stream, source)
