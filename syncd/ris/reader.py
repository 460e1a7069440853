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

Decisions worth knowing:

* Blocks of ``BLOCK_SIZE`` bytes are cut at the last line break, so a multi-byte
  character is never split, and decoded as UTF-8 in one call. Only a block that
  fails falls back to per-line decoding (UTF-8, else Windows-1252 with Latin-1 for
  the five bytes cp1252 leaves undefined), so one bad byte affects one line.
* UTF-16/32 input is decoded incrementally and re-encoded to UTF-8, so the rest of
  the pipeline sees one byte format.
* Per-line conditions that can repeat on every line (encoding fallback, control
  characters, undecodable UTF-16, indented or lowercase tag lines) are reported once
  per file, after the last record, naming the first line and the count, so a whole
  file in cp1252 gives one warning rather than thousands.
* A line longer than ``MAX_LINE_BYTES`` is skipped (reported as an error) without
  ever being held whole; a record whose values exceed ``MAX_RECORD_CHARS`` is
  dropped and reported. Memory therefore stays bounded by those caps and one
  block, whatever the file size.
"""

from __future__ import annotations

import codecs
import dataclasses
import operator
import os
import re
import string
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import repeat
from typing import BinaryIO, cast

from syncd.errors import InputError, NotRisError
from syncd.ris.records import Field, RawRecord, ReadProblem

__all__ = ["looks_like_ris", "read_file", "read_records"]

BLOCK_SIZE = 1 << 20
MAX_LINE_BYTES = 64 << 20
MAX_RECORD_CHARS = 64 << 20
# How much of the start of the file is kept to explain why it is not RIS.
_HEAD_BYTES = 64 << 10

# Tag line: two characters at line start, 1-2 spaces, a hyphen, then the value.
_TAG = re.compile(r"([A-Z][A-Z0-9]) {1,2}-(.*)").match
# A line that would be a tag line if it were not indented or lowercase.
_ALMOST_TAG = re.compile(r"[ \t]*[A-Za-z][A-Za-z0-9] {1,2}-").match
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
# The same test as _TAG as two dict lookups on a line's first 5 and 4 characters, which
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
_SEPARATORS = re.compile("[\u2028\u2029]")
_LINE_BOM = re.compile("^\ufeff+", re.MULTILINE)

_PARAGRAPH_TAGS = frozenset({"AB", "N1", "N2", "RN"})
_LINE_LIST_TAGS = frozenset({"KW", "L1", "L2", "L3"})

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _latin1_for_undefined(err: UnicodeError) -> tuple[str, int]:
    # cp1252 leaves 0x81, 0x8D, 0x8F, 0x90 and 0x9D undefined; Latin-1 maps every byte.
    assert isinstance(err, UnicodeDecodeError)
    return err.object[err.start : err.end].decode("latin-1"), err.end


codecs.register_error("syncd-latin1", _latin1_for_undefined)


def _init_fields(tags: list[str], values: list[str], lines: range) -> list[Field]:
    return list(map(Field, tags, values, lines))


def _set_fields(tags: list[str], values: list[str], lines: range) -> list[Field]:
    # Field is a frozen slots dataclass whose generated __init__ (three
    # object.__setattr__ calls in Python) was ~45% of the reader's time. Creating the
    # instances and filling their slots through the slot descriptors, all inside C-level
    # map() calls, builds identical objects in about half the time.
    objs = list(map(_new_object, repeat(Field, len(tags))))
    deque(map(_SET_TAG, objs, tags), 0)
    deque(map(_SET_VALUE, objs, values), 0)
    deque(map(_SET_LINE, objs, lines), 0)
    return objs


_new_object = object.__new__
_SET_TAG = vars(Field)["tag"].__set__
_SET_VALUE = vars(Field)["value"].__set__
_SET_LINE = vars(Field)["line"].__set__
# Only take the shortcut while Field is exactly (tag, value, line) with nothing run at
# construction; if records.py changes shape, fall back to the ordinary constructor.
BULK_SHORTCUT = (
    tuple(f.name for f in dataclasses.fields(Field)) == ("tag", "value", "line")
    and not hasattr(Field, "__post_init__")
    and getattr(Field, "__slots__", None) == ("tag", "value", "line")
)
_bulk_fields = _set_fields if BULK_SHORTCUT else _init_fields


@dataclass
class _Tally:
    """A per-line condition reported once per file: first line and count."""

    message: str  # str.format template: {n} count, {lines} lines, {first} first line
    first: int = 0
    count: int = 0
    lines: int = 0

    def add(self, line: int, n: int = 1) -> None:
        if not self.count:
            self.first = line
        self.count += n
        self.lines += 1

    def problem(self, source: str, **extra: str) -> ReadProblem:
        text = self.message.format(n=self.count, lines=self.lines, first=self.first, **extra)
        return ReadProblem(source, self.first, text, "warning")


@dataclass
class _Lines:
    """Decoded lines of one block; ``first`` is the 1-based number of ``lines[0]``."""

    first: int
    lines: list[str]
    chars: int


def _sniff_encoding(head: bytes) -> tuple[str | None, int]:
    """Return (codec for a wide encoding or None for the byte path, BOM length)."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return (None if name == "utf-8" else name), len(bom)
    sample = head[:4096]
    pairs = len(sample) // 2
    if pairs >= 2:
        even_nul = sample[0::2].count(0)
        odd_nul = sample[1::2].count(0)
        # ASCII text in UTF-16 without a BOM has a NUL in every other byte.
        if odd_nul > 0.3 * pairs and even_nul < 0.05 * pairs:
            return "utf-16-le", 0
        if even_nul > 0.3 * pairs and odd_nul < 0.05 * pairs:
            return "utf-16-be", 0
    return None, 0


def _blocks(stream: BinaryIO, source: str) -> Iterator[bytes]:
    try:
        while block := stream.read(BLOCK_SIZE):
            yield block
    except OSError as exc:
        raise InputError(
            f"could not read the file: {exc.strerror or exc}",
            file=source,
            hint="check that it is readable and not being written to",
        ) from exc


def _wide_to_utf8(blocks: Iterator[bytes], first: bytes, codec: str, bom: int) -> Iterator[bytes]:
    """Decode UTF-16/32 incrementally and hand the byte path UTF-8."""
    decoder = codecs.getincrementaldecoder(codec)(errors="replace")
    text = decoder.decode(first[bom:])
    while True:
        yield text.encode("utf-8")
        block = next(blocks, None)
        if block is None:
            break
        text = decoder.decode(block)
    tail = decoder.decode(b"", final=True)
    if tail:
        yield tail.encode("utf-8")


class _Reader:
    """State of one read: line splitting, decoding, record assembly."""

    def __init__(self, stream: BinaryIO, source: str) -> None:
        self.stream = stream
        self.source = source
        self.head = b""
        self.lineno = 0
        self.cp1252 = _Tally(
            "{n} line(s) are not valid UTF-8 and were read as Windows-1252 (first at line {first})"
        )
        self.control = _Tally(
            "removed {n} {what}control character(s) from {lines} line(s) (first at line {first})"
        )
        self.nul = 0
        self.wide_bad = _Tally(
            "{n} undecodable UTF-16/32 code unit(s) (a truncated or damaged file?) were "
            "replaced with U+FFFD (first at line {first})"
        )
        self.almost = _Tally(
            "{n} line(s) look like tag lines but are indented or lowercase (first at line "
            "{first}); they were read as continuation text"
        )
        self.wide = False  # the file is UTF-16/32, re-encoded to UTF-8 before splitting

    # -- bytes to lines -------------------------------------------------------

    def chunks(self) -> Iterator[_Lines | ReadProblem]:
        blocks = _blocks(self.stream, self.source)
        first = next(blocks, b"")
        self.head = first[:_HEAD_BYTES]
        if not first or first.startswith(_MAGIC_PREFIXES):
            raise self.not_ris()
        codec, bom = _sniff_encoding(first)
        head_text = _head_text(first)
        if _TY_TEXT.search(head_text) is None and _MEDLINE.search(head_text) is not None:
            # MEDLINE tags like "TI  - " are RIS-shaped; without any TY it is not RIS.
            raise self.not_ris()
        source_blocks: Iterator[bytes]
        if codec is None:
            if b"\x00" in first[bom:] and not _has_ty_line(first[bom:].replace(b"\x00", b"")):
                raise self.not_ris()
            source_blocks = _chain(first[bom:], blocks)
        else:
            self.wide = True
            source_blocks = _wide_to_utf8(blocks, first, codec, bom)
        yield from self._split(source_blocks)

    def _split(self, blocks: Iterator[bytes]) -> Iterator[_Lines | ReadProblem]:
        pending: list[bytes] = []  # the start of a line whose end is not read yet
        pending_size = 0
        skipping = False  # inside a line over MAX_LINE_BYTES, dropping bytes until its end
        skip_start = 0
        drop_lf = False  # the skipped line ended with a CR that was a block's last byte
        for block in blocks:
            if drop_lf:
                drop_lf = False
                if block.startswith(b"\n"):
                    block = block[1:]
            if skipping:
                end = _first_line_end(block)
                if end < 0:
                    continue
                skipping = False
                self.lineno += 1
                yield self._too_long(skip_start)
                drop_lf = end == len(block) and block.endswith(b"\r")
                block = block[end:]
                if not block:
                    continue
            if pending and pending[-1].endswith(b"\r"):
                # The CR held back from the last block ends a line, with or without LF.
                if block.startswith(b"\n"):
                    pending.append(b"\n")
                    block = block[1:]
                yield self._decode(b"".join(pending))
                pending.clear()
                pending_size = 0
                if not block:
                    continue
            cut = _line_end(block)
            if cut < 0:
                pending.append(block)
                pending_size += len(block)
                if pending_size > MAX_LINE_BYTES:
                    pending.clear()
                    pending_size = 0
                    skipping = True
                    skip_start = self.lineno + 1
                continue
            if pending:
                pending.append(block[:cut])
                chunk = b"".join(pending)
                pending.clear()
            else:
                chunk = block[:cut]
            rest = block[cut:]
            yield self._decode(chunk)
            pending_size = len(rest)
            if rest:
                pending.append(rest)
        if skipping:
            self.lineno += 1
            yield self._too_long(skip_start)
        elif pending:
            yield self._decode(b"".join(pending))

    def _too_long(self, line: int) -> ReadProblem:
        return ReadProblem(
            self.source,
            line,
            f"line {line} is longer than {MAX_LINE_BYTES // (1 << 20)} MiB and was skipped",
            "error",
        )

    def _decode(self, chunk: bytes) -> _Lines:
        first = self.lineno + 1
        try:
            text = chunk.decode("utf-8")
        except UnicodeDecodeError:
            lines = self._decode_per_line(chunk, first)
            text = "\n".join(lines)
        else:
            if "\r" in text:
                text = text.replace("\r\n", "\n").replace("\r", "\n")
            if "\u2028" in text or "\u2029" in text:
                text = _SEPARATORS.sub(" ", text)
            if "\ufeff" in text:
                # Concatenated exports carry a BOM at the start of each part.
                text = _LINE_BOM.sub("", text)
            lines = text.split("\n")
            # Control bytes are ASCII, so they can be looked for before decoding;
            # translate() is much faster than a regex search over the block.
            if len(chunk.translate(None, _CONTROL_BYTES)) != len(chunk):
                self._strip_controls(lines, first)
                text = "\n".join(lines)
        if lines[-1] == "":
            lines.pop()
        if self.wide and "\ufffd" in text:
            # The wide decoder replaced undecodable code units (a truncated file, say).
            for i, line in enumerate(lines):
                if "\ufffd" in line:
                    self.wide_bad.add(first + i, line.count("\ufffd"))
        self.lineno += len(lines)
        return _Lines(first, lines, len(chunk))

    def _decode_per_line(self, chunk: bytes, first: int) -> list[str]:
        raw = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
        lines: list[str] = []
        for i, bline in enumerate(raw):
            try:
                line = bline.decode("utf-8")
            except UnicodeDecodeError:
                line = bline.decode("cp1252", "syncd-latin1")
                self.cp1252.add(first + i)
            lines.append(line)
        lines = [_SEPARATORS.sub(" ", line).lstrip("\ufeff") for line in lines]
        self._strip_controls(lines, first)
        return lines

    def _strip_controls(self, lines: list[str], first: int) -> None:
        for i, line in enumerate(lines):
            if _CONTROL.search(line) is not None:
                cleaned, n = _CONTROL.subn("", line)
                self.nul += line.count("\x00")
                self.control.add(first + i, n)
                lines[i] = cleaned

    # -- lines to records -----------------------------------------------------

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
        fields: list[Field] = []
        in_record = False
        any_record = False
        has_ty = False
        start = 0
        last_line = 0  # last non-blank continuation line of the open record
        index = 0
        parts: list[str] | None = None  # continuation pieces of fields[-1]
        long_seen = False  # a line over 85 characters has been seen
        scan_from = 0  # lines[scan_from:] not yet checked for long_seen
        prev_chunk_len = 0  # length of the last line of the previous chunk
        gap_first = 0  # first non-blank non-RIS line after a record closed
        gap_last = 0
        er_only = False
        consumed = 0  # characters in chunks before the current one
        record_from = 0  # ``consumed`` when the open record started
        oversize = False
        # True while a record is open and fields[-1] has no pending continuation: then
        # an ordinary tag line only needs appending, and runs of them can go in bulk.
        plain = False

        def finish_parts() -> None:
            nonlocal parts
            if parts is not None:
                last = fields[-1]
                fields[-1] = Field(last.tag, "".join(parts).strip(), last.line)
                parts = None

        def close(end: int) -> Iterator[RawRecord | ReadProblem]:
            nonlocal index, fields, oversize
            finish_parts()
            if oversize:
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
                yield RawRecord(tuple(fields), source, start, end, index)
                index += 1
            fields = []
            oversize = False

        def open_end() -> int:
            return max(last_line, fields[-1].line) if fields else last_line

        def gap_problem(at_end: bool) -> ReadProblem:
            span = f"line {gap_first}" if gap_first == gap_last else f"lines {gap_first}-{gap_last}"
            where = "after the last record" if at_end else "between records"
            return ReadProblem(
                source, gap_first, f"skipped text that is not RIS {where} ({span})", "warning"
            )

        for item in self.chunks():
            if isinstance(item, ReadProblem):
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
                        values = list(map(strip, map(_TAIL, lines[i:k])))
                        tags = cast(list[str], run_tags[i:k])
                        fields += _bulk_fields(tags, values, range(first + i, first + k))
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
                        fields.append(Field(tag, value.strip(), lineno))
                        continue
                    if in_record:
                        # A TY inside an open record: the ER before it is missing.
                        end = open_end()
                        yield from close(end)
                        yield ReadProblem(
                            source,
                            lineno,
                            f"missing ER before line {lineno}; the record before it ends "
                            f"at line {end}",
                            "warning",
                        )
                    else:
                        if gap_first:
                            yield gap_problem(False)
                            gap_first = 0
                        in_record = True
                        any_record = True
                    has_ty = tag == "TY"
                    start = last_line = lineno
                    record_from = consumed
                    fields.append(Field(tag, value.strip(), lineno))
                elif in_record:
                    piece = text.strip()
                    if piece:
                        last_line = lineno
                        if _ALMOST_TAG(text) is not None:
                            self.almost.add(lineno)
                    if not fields:
                        continue
                    tag = fields[-1].tag
                    if tag in _PARAGRAPH_TAGS:
                        if piece and not long_seen:
                            long_seen = max(map(len, lines[scan_from:i])) > 85
                            scan_from = i
                        prev_len = len(lines[i - 2]) if i >= 2 else prev_chunk_len
                        sep = "\n" if (long_seen or prev_len < 65 or not piece) else " "
                    elif tag in _LINE_LIST_TAGS:
                        sep = "\n"
                    elif piece:
                        sep = " "
                    else:
                        continue
                    if parts is None:
                        parts = [fields[-1].value]
                        plain = False
                    parts.append(sep)
                    parts.append(piece)
                elif any_record and text and not text.isspace():
                    if not gap_first:
                        gap_first = lineno
                    gap_last = lineno
            if lines:
                prev_chunk_len = len(lines[-1])
                if not long_seen and scan_from < n:
                    long_seen = max(map(len, lines[scan_from:])) > 85
            consumed += item.chars
            if in_record and consumed - record_from > MAX_RECORD_CHARS:
                # Checked per chunk, not per line: the overshoot is at most one chunk.
                oversize = True
                fields.clear()
                parts = None
                plain = True
        if in_record:
            end = open_end()
            yield from close(end)
            yield ReadProblem(source, end, "missing ER at the end of the file", "warning")
        if gap_first:
            yield gap_problem(True)
        if not any_record:
            raise self.not_ris(er_only=er_only)
        yield from self._tallies()

    def _tallies(self) -> Iterator[ReadProblem]:
        source = self.source
        if self.cp1252.count:
            yield self.cp1252.problem(source)
        if self.control.count:
            yield self.control.problem(source, what="NUL and other " if self.nul else "")
        if self.wide_bad.count:
            yield self.wide_bad.problem(source)
        if self.almost.count:
            yield self.almost.problem(source)

    def not_ris(self, *, er_only: bool = False) -> NotRisError:
        what, line = describe_non_ris(self.head)
        if er_only and what == "text with no RIS tag lines":
            what = "only ER (end of record) lines and no record"
        return NotRisError(
            f"no RIS records found: {what}",
            file=self.source,
            line=line,
            hint="export the references as RIS (.ris) and try again",
        )


def _chain(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    if first:
        yield first
    yield from rest


def _first_line_end(block: bytes) -> int:
    """Offset just past the first line break in ``block`` (CRLF counts as one), or -1."""
    lf = block.find(b"\n")
    cr = block.find(b"\r")
    if cr >= 0 and (lf < 0 or cr < lf):
        return cr + 2 if lf == cr + 1 else cr + 1
    return lf + 1 if lf >= 0 else -1


def _line_end(block: bytes) -> int:
    """Offset just past the last complete line break in ``block``, or -1.

    A CR as the very last byte is left for the next block: it may be half of a CRLF.
    """
    lf = block.rfind(b"\n")
    cr = block.rfind(b"\r", 0, len(block) - 1)
    cut = max(lf, cr)
    return cut + 1 if cut >= 0 else -1


_TY_LINE = re.compile(rb"(?m)^[ \t]*TY {1,2}-")
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "a PNG image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"SQLite format 3", "an SQLite database"),
)


_TY_TEXT = re.compile(r"(?m)^[ \t\ufeff]*TY {1,2}-")


_MAGIC_PREFIXES = tuple(magic for magic, _ in _MAGIC)


def _has_ty_line(data: bytes) -> bool:
    return _TY_LINE.search(data) is not None


def _head_text(head: bytes) -> str:
    """The start of a file as text with LF line ends, for sniffing only."""
    codec, bom = _sniff_encoding(head)
    text = head[bom:].decode(codec or "utf-8", "replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def looks_like_ris(head: bytes) -> bool:
    """Cheap sniff of a file's first bytes: is there a RIS ``TY`` line in them?

    Any extension, any of the encodings the reader handles. Meant for deciding which
    files to hand to the reader, not for validating them.
    """
    text = _head_text(head[:_HEAD_BYTES])
    if "\x00" in text:
        text = text.replace("\x00", "")
    return _TY_TEXT.search(text) is not None


_BIBTEX = re.compile(r"(?m)^[ \t]*(@[A-Za-z]+[ \t]*[{(])")
_MEDLINE = re.compile(r"(?m)^PMID- ")
_ENDNOTE = re.compile(r"(?m)^%0 ")
_WOS = re.compile(r"(?m)^(FN|PT) [A-Z]")
_ALMOST_TY = re.compile(r"(?m)^([ \t]*[Tt][Yy] {1,2}-|[ \t]*[a-z][a-z0-9] {1,2}- )")


def describe_non_ris(head: bytes) -> tuple[str, int | None]:
    """Say what a file that holds no RIS looks like, from its first bytes.

    Returns a short description and, when it helps, the line it is based on.
    """
    if not head:
        return "empty file", None
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return f"binary data ({name})", None
    codec, _ = _sniff_encoding(head)
    nul = head.find(b"\x00")
    if codec is None and nul >= 0:
        return f"binary data (NUL bytes at offset {nul})", None
    text = _head_text(head)
    if not text.strip(" \t\r\n\ufeff\x00"):
        return "only whitespace", None
    controls = len(_CONTROL.findall(text)) + text.count("\ufffd")
    if controls > 0.05 * len(text):
        return "binary data (mostly non-text bytes)", None

    def line_of(pos: int) -> int:
        return text.count("\n", 0, pos) + 1

    m = _BIBTEX.search(text)
    if m is not None:
        return f"looks like BibTeX ({m[1]} at line {line_of(m.start(1))})", line_of(m.start(1))
    if _MEDLINE.search(text) is not None:
        return "looks like PubMed MEDLINE/nbib format (PMID- tags)", None
    if _ENDNOTE.search(text) is not None:
        return "looks like EndNote/Refer tagged format (%0 tags)", None
    if _WOS.search(text) is not None:
        return "looks like Web of Science plain text (FN/PT tags, not RIS)", None
    stripped = text.lstrip(" \t\r\n\ufeff")
    if stripped[:1] in ("{", "["):
        return "looks like JSON", None
    if stripped[:1] == "<":
        return "looks like XML or HTML", None
    m = _ALMOST_TY.search(text)
    if m is not None:
        line = line_of(m.start())
        return (
            f"looks like RIS with lowercase or indented tags (line {line}); RIS tags are two "
            "uppercase characters at the very start of a line",
            line,
        )
    return "text with no RIS tag lines", None


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
