"""Bytes to decoded, numbered lines, one block at a time: the reader's lower layer.

Owns block reading, encoding handling and line splitting. Decisions:

* Blocks of ``BLOCK_SIZE`` bytes are cut at the last line break, so a multi-byte
  character is never split, and decoded as UTF-8 in one call. The encoding is
  decided per line: a block that fails is decoded again with ``surrogateescape``,
  and only the lines that then hold escaped bytes are decoded from their original
  bytes as Windows-1252 (Latin-1 for the five bytes cp1252 leaves undefined), so
  one bad byte affects one line and a whole cp1252 file costs about 1.5x UTF-8.
* The file's head (64 KiB) is sniffed before anything else, whatever the block
  size: BOM, BOM-less UTF-16, and formats that are obviously not RIS.
* UTF-16/32 input (BOM, or UTF-16 recognised by its NUL pattern) is decoded
  incrementally and re-encoded to UTF-8, so the splitting code sees one format.
* LF, CRLF and bare CR all end a line (a CR that is a block's last byte is held
  back: it may be half of a CRLF). U+2028/U+2029 end a line where a tag follows
  (files that use them as line breaks) and become spaces elsewhere (Atypon, as in
  RIS.js); a BOM at a line start (concatenated exports) is dropped, control
  characters other than tab are stripped.
* A line longer than ``MAX_LINE_BYTES`` is skipped and reported without ever being
  held whole, so memory stays bounded by that cap and one block.
* Conditions that can repeat on every line (encoding fallback, control characters,
  damaged UTF-16) are counted and reported once per file by ``problems()``, naming
  the first line and the count, so a whole file in cp1252 gives one warning.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain
from typing import BinaryIO

from syncd.errors import InputError
from syncd.formats.records import ReadProblem
from syncd.formats.ris.reader_sniff import (
    HEAD_BYTES,
    not_ris_error,
    obviously_not_ris,
    sniff_encoding,
)

__all__ = ["BLOCK_SIZE", "MAX_LINE_BYTES", "LineBlock", "LineSource", "Tally"]

# 256 KiB, for every format's reader (they all read through this line layer).
# With 1 MiB blocks glibc raises its mmap threshold to the size of the first freed
# block, later blocks then come from the heap between the records' objects, and
# the heap only grows with the file: peak RSS of a read + map from 10,000 to
# 100,000 records rose 36 -> 47 MiB for Scopus CSV (a line is a whole record),
# 44 -> 60 MiB for MEDLINE (10k -> 40k), 45 -> 50 MiB for BibTeX, 35 MiB for RIS
# at 60,000; at 256 KiB every format stays flat (20-31 MiB), at the same speed or
# faster. Tests shrink it through this module, which LineSource reads per call.
BLOCK_SIZE = 256 << 10
MAX_LINE_BYTES = 64 << 20

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
# Atypon splits lines with U+2028/U+2029; like RIS.js, the separator and one
# whitespace character next to it become a single space (never eating a line break).
_SEPARATORS = re.compile("[^\\S\n]?[\u2028\u2029]|[\u2028\u2029][^\\S\n]?")
# Files that use U+2028/U+2029 as their only line break exist too, and RIS.js's
# space would fold such a file into its first value. They show as text with no
# other line break and a separator right before a tag: there every separator ends
# a line. Elsewhere a separator before a tag still ends the line.
_SEPARATOR_BREAK = re.compile("[^\\S\n]?[\u2028\u2029]+(?=[ \t]*[A-Z][A-Z0-9] {1,2}-)")
_LINE_BOM = re.compile("^\ufeff+", re.MULTILINE)
# What "surrogateescape" turns undecodable bytes into.
_ESCAPED = re.compile("[\udc80-\udcff]")


def _latin1_for_undefined(err: UnicodeError) -> tuple[str, int]:
    # cp1252 leaves 0x81, 0x8D, 0x8F, 0x90 and 0x9D undefined; Latin-1 maps every byte.
    assert isinstance(err, UnicodeDecodeError)
    return err.object[err.start : err.end].decode("latin-1"), err.end


codecs.register_error("syncd-latin1", _latin1_for_undefined)


@dataclass
class Tally:
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
class LineBlock:
    """Decoded lines of one block; ``first`` is the 1-based number of ``lines[0]``."""

    first: int
    lines: list[str]
    chars: int


def _blocks(stream: BinaryIO, source: str, size: int) -> Iterator[bytes]:
    try:
        while block := stream.read(size):
            yield block
    except OSError as exc:
        raise InputError(
            f"could not read the file: {exc.strerror or exc}",
            file=source,
            hint="check that it is readable and not being written to",
        ) from exc


def _wide_to_utf8(blocks: Iterator[bytes], codec: str) -> Iterator[bytes]:
    """Decode UTF-16/32 incrementally and hand the byte path UTF-8."""
    decoder = codecs.getincrementaldecoder(codec)(errors="replace")
    for block in blocks:
        text = decoder.decode(block)
        if text:
            yield text.encode("utf-8")
    tail = decoder.decode(b"", final=True)
    if tail:
        yield tail.encode("utf-8")


class LineSource:
    """Decoded lines of one stream, block by block, with per-file tallies."""

    def __init__(
        self, stream: BinaryIO, source: str, *, ris_only: bool = True, block_size: int = 0
    ) -> None:
        self.stream = stream
        self.source = source
        self.ris_only = ris_only  # False for the other tagged formats (syncd/formats)
        self.block_size = block_size  # 0: BLOCK_SIZE
        self.head = b""  # the first bytes, kept to explain a file that is not RIS
        self.lineno = 0
        self.cp1252 = Tally(
            "{n} line(s) are not valid UTF-8 and were read as Windows-1252 (first at line {first})"
        )
        self.control = Tally(
            "removed {n} {what}control character(s) from {lines} line(s) (first at line {first})"
        )
        self.nul = 0
        self.wide_bad = Tally(
            "{n} undecodable UTF-16/32 code unit(s) (a truncated or damaged file?) were "
            "replaced with U+FFFD (first at line {first})"
        )
        self.wide = False  # the file is UTF-16/32, re-encoded to UTF-8 before splitting

    def chunks(self) -> Iterator[LineBlock | ReadProblem]:
        """Blocks of lines in file order, and over-long-line errors where they occur.

        Raises NotRisError as soon as the first block shows the file is not RIS.
        """
        blocks = _blocks(self.stream, self.source, self.block_size or BLOCK_SIZE)
        # Sniff a fixed-size head, whatever the block size, so the verdict and the
        # encoding never depend on how the stream happens to be cut.
        head_parts: list[bytes] = []
        size = 0
        while size < HEAD_BYTES:
            block = next(blocks, None)
            if block is None:
                break
            head_parts.append(block)
            size += len(block)
        self.head = b"".join(head_parts)[:HEAD_BYTES]
        if self.ris_only and obviously_not_ris(self.head):
            raise not_ris_error(self.source, self.head)
        codec, bom = sniff_encoding(self.head)
        # The head goes on in its original blocks, so block-level limits still apply.
        source_blocks = _skip_bytes(chain(head_parts, blocks), bom)
        if codec is not None:
            self.wide = True
            source_blocks = _wide_to_utf8(source_blocks, codec)
        yield from self._split(source_blocks)

    def _split(self, blocks: Iterator[bytes]) -> Iterator[LineBlock | ReadProblem]:
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

    def _decode(self, chunk: bytes) -> LineBlock:
        first = self.lineno + 1
        try:
            text = chunk.decode("utf-8")
        except UnicodeDecodeError:
            # Undecodable bytes become lone surrogates; only the lines holding one are
            # decoded again, from their original bytes, as Windows-1252.
            text = chunk.decode("utf-8", "surrogateescape")
            bad = True
        else:
            bad = False
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        if bad:
            text = self._redecode_bad_lines(text, first)
        if "\u2028" in text or "\u2029" in text:
            text = self._separators(text)
        if "\ufeff" in text:
            # Concatenated exports carry a BOM at the start of each part.
            text = _LINE_BOM.sub("", text)
        lines = text.split("\n")
        # Control bytes are ASCII (and the same in cp1252), so they can be looked for
        # in the raw block; translate() is much faster than a regex over the text.
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
        return LineBlock(first, lines, len(chunk))

    @staticmethod
    def _separators(text: str) -> str:
        if "\n" not in text.rstrip("\n") and _SEPARATOR_BREAK.search(text):
            # One line that a separator before a tag splits: the file's line break.
            return text.replace("\u2028", "\n").replace("\u2029", "\n")
        return _SEPARATORS.sub(" ", _SEPARATOR_BREAK.sub("\n", text))

    def _redecode_bad_lines(self, text: str, first: int) -> str:
        out: list[str] = []
        done = 0  # text[:done] is already in out
        line_no = first
        counted = 0  # line_no is the number of the line holding text[counted]
        while (m := _ESCAPED.search(text, done)) is not None:
            start = text.rfind("\n", 0, m.start()) + 1
            end = text.find("\n", m.end())
            if end < 0:
                end = len(text)
            line_no += text.count("\n", counted, start)
            counted = start
            out.append(text[done:start])
            raw = text[start:end].encode("utf-8", "surrogateescape")
            out.append(raw.decode("cp1252", "syncd-latin1"))
            self.cp1252.add(line_no)
            done = end
        out.append(text[done:])
        return "".join(out)

    def _strip_controls(self, lines: list[str], first: int) -> None:
        for i, line in enumerate(lines):
            if _CONTROL.search(line) is not None:
                cleaned, n = _CONTROL.subn("", line)
                self.nul += line.count("\x00")
                self.control.add(first + i, n)
                lines[i] = cleaned

    def problems(self) -> Iterator[ReadProblem]:
        """The once-per-file warnings, to be reported after the last record."""
        if self.cp1252.count:
            yield self.cp1252.problem(self.source)
        if self.control.count:
            yield self.control.problem(self.source, what="NUL and other " if self.nul else "")
        if self.wide_bad.count:
            yield self.wide_bad.problem(self.source)


def _skip_bytes(blocks: Iterator[bytes], n: int) -> Iterator[bytes]:
    """The blocks without their first ``n`` bytes (a BOM, which may span tiny blocks)."""
    for block in blocks:
        if n:
            if len(block) <= n:
                n -= len(block)
                continue
            block = block[n:]
            n = 0
        yield block


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
