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
# file does not look hard-wrapped (see records()), to a _LINE_LIST_TAGS value always
# with a newline, and to any other value with a space.
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
    """State of one read: record assembly over a LineSource."""

    def __init__(self, stream: BinaryIO, source: str) -> None:
        self.source = source
        self.lines = LineSource(stream, source)
        self.almost = Tally(
            "{n} line(s) look like tag lines but are indented or lowercase (first at line "
            "{first}); they were read as continuation text"
        )

    def records(self) -> Iterator[RawRecord | ReadProblem]:
        # The hot path. Runs of ordinary tag lines inside a record (the bulk of any
        # export) are recognised and turned into Fields by C-level map() calls over
        # the block's line list; only boundaries (TY/ER), continuation lines, text
        # outside records and unusual tag forms go through the per-line Python code.
        source = self.source
        tag_match = _TAG
        two_space = _TWO_SPACE.get
        one_space = _ONE_SPACE.get
        run_tag = _RUN_TAG.get
        strip = str.strip
        # The open record's fields, as RawRecord holds them: three parallel lists.
        ftags: list[str] = []
        fvalues: list[str] = []
        flines: list[int] = []
        in_record = False
        any_record = False
        has_ty = False
        start = 0
        last_line = 0  # last non-blank continuation line of the open record
        index = 0
        parts: list[str] | None = None  # continuation pieces of the last field
        seen_tag = False  # a tag line (of any kind) has been seen
        long_seen = False  # a line over 85 characters has been seen since then
        scan_from = 0  # lines[scan_from:] not yet checked for long_seen
        prev_chunk_last = ""  # the last line of the previous chunk
        tail_space = False  # the continued value so far ends with a space
        gap_first = 0  # first non-blank non-RIS line after a record closed
        gap_last = 0
        er_only = False
        consumed = 0  # characters in chunks before the current one
        record_from = 0  # ``consumed`` when the open record started
        oversize = False
        closed_record = True  # the last close() gave a record (not a trailer)
        # True while a record is open and its last field has no pending continuation: then
        # an ordinary tag line only needs appending, and runs of them can go in bulk.
        plain = False

        def finish_parts() -> None:
            nonlocal parts
            if parts is not None:
                fvalues[-1] = "".join(parts).strip()
                parts = None

        def close(end: int) -> Iterator[RawRecord | ReadProblem]:
            nonlocal index, ftags, fvalues, flines, oversize, closed_record
            finish_parts()
            closed_record = has_ty or oversize or _names_a_work(ftags, fvalues)
            if not closed_record:
                yield ReadProblem(
                    source,
                    start,
                    f"lines {start}-{end} are no record (no TY, no title, no identifier: "
                    f"{' '.join(dict.fromkeys(ftags))}); skipped",
                    "warning",
                )
            elif oversize:
                yield ReadProblem(
                    source,
                    start,
                    f"the record at lines {start}-{end} is larger than "
                    f"{MAX_RECORD_CHARS // (1 << 20)} MiB and was skipped",
                    "error",
                )
            else:
                if not has_ty:
                    yield ReadProblem(
                        source,
                        start,
                        f"record without TY at line {start}; it gets the default item type",
                        "warning",
                    )
                yield RawRecord(
                    tuple(ftags), tuple(fvalues), tuple(flines), source, start, end, index
                )
                index += 1
            ftags, fvalues, flines = [], [], []
            oversize = False

        def open_end() -> int:
            return max(last_line, flines[-1]) if flines else last_line

        def gap_problem(at_end: bool) -> ReadProblem:
            span = f"line {gap_first}" if gap_first == gap_last else f"lines {gap_first}-{gap_last}"
            where = "after the last record" if at_end else "between records"
            return ReadProblem(
                source, gap_first, f"skipped text that is not RIS {where} ({span})", "warning"
            )

        for item in self.lines.chunks():
            if isinstance(item, ReadProblem):
                prev_chunk_last = ""  # a skipped over-long line came in between
                yield item
                continue
            lines = item.lines
            first = item.first
            n = len(lines)
            scan_from = 0
            run_tags = list(map(run_tag, map(_HEAD, lines)))
            run_tags.append(None)  # sentinel for index()
            i = 0
            while i < n:
                if plain:
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
                    tag = one_space(text[:4])
                    if tag is not None:
                        value = text[4:]
                    elif not any_record and not in_record:
                        # Exporters may put a BOM or indentation before the very first TY.
                        stripped = text.lstrip(" \t\ufeff")
                        if stripped.startswith("TY"):
                            m = tag_match(stripped)
                            if m is not None:
                                tag, value = m.groups()
                if tag is not None:
                    if not seen_tag:
                        # Like RIS.js, line lengths count from the first tag line on.
                        seen_tag = True
                        scan_from = i - 1
                    finish_parts()
                    if tag == "ER":
                        if in_record:
                            yield from close(lineno)
                            in_record = False
                        elif not any_record:
                            er_only = True
                        plain = False
                        continue
                    plain = True
                    if in_record and tag != "TY":
                        ftags.append(tag)
                        fvalues.append(value.strip())
                        flines.append(lineno)
                        continue
                    if in_record:
                        # A TY inside an open record: the ER before it is missing.
                        end = open_end()
                        yield from close(end)
                        if closed_record:
                            yield ReadProblem(
                                source,
                                lineno,
                                f"missing ER before line {lineno}; the record before it "
                                f"ends at line {end}",
                                "warning",
                            )
                    else:
                        if gap_first:
                            yield gap_problem(False)
                            gap_first = 0
                        any_record = True
                        in_record = True
                    has_ty = tag == "TY"
                    start = last_line = lineno
                    record_from = consumed
                    ftags.append(tag)
                    fvalues.append(value.strip())
                    flines.append(lineno)
                elif in_record:
                    piece = text.strip()
                    if piece:
                        last_line = lineno
                        if _ALMOST_TAG(text) is not None:
                            self.almost.add(lineno)
                    if not ftags:
                        continue
                    if parts is None:
                        # The line before the first continuation is the field's tag line.
                        # RIS.js keeps that value untrimmed until the end, so its trailing
                        # spaces survive a joining newline (and suppress a joining space).
                        prev = lines[i - 2] if i >= 2 else prev_chunk_last
                        if prev.lstrip(" \t\ufeff").startswith(ftags[-1]):
                            raw = _raw_value(prev)
                        else:  # the line before was skipped as too long
                            raw = fvalues[-1]
                        parts = [raw]
                        tail_space = raw.endswith(" ")
                        plain = False
                    tag = ftags[-1]
                    if tag in _PARAGRAPH_TAGS:
                        if piece and not long_seen:
                            long_seen = max(map(len, lines[scan_from:i])) > 85
                            scan_from = i
                        prev_len = len(lines[i - 2]) if i >= 2 else len(prev_chunk_last)
                        newline = long_seen or prev_len < 65 or not piece
                    else:
                        newline = tag in _LINE_LIST_TAGS
                    if newline:
                        parts.append("\n")
                        tail_space = False
                    else:
                        if not tail_space:
                            parts.append(" ")
                        tail_space = not piece
                    parts.append(piece)
                elif any_record and text and not text.isspace():
                    if not gap_first:
                        gap_first = lineno
                    gap_last = lineno
            if lines:
                prev_chunk_last = lines[-1]
                if seen_tag and not long_seen and scan_from < n:
                    long_seen = max(map(len, lines[scan_from:])) > 85
            consumed += item.chars
            if in_record and consumed - record_from > MAX_RECORD_CHARS:
                # Checked per chunk, not per line: the overshoot is at most one chunk.
                oversize = True
                ftags.clear()
                fvalues.clear()
                flines.clear()
                parts = None
                plain = True
        if in_record:
            end = open_end()
            yield from close(end)
            if closed_record:
                yield ReadProblem(source, end, "missing ER at the end of the file", "warning")
        if gap_first:
            yield gap_problem(True)
        if not any_record:
            raise not_ris_error(source, self.lines.head, er_only=er_only)
        yield from self.lines.problems()
        if self.almost.count:
            yield self.almost.problem(source)


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
