"""Streaming CSL-JSON reader: bytes in, one ``(item dict, line)`` or ``ReadProblem`` at a time.

A CSL-JSON file is an array of items, one item alone, or JSON lines (one item a
line). Each item is found by scanning the text line by line for the braces that open
and close it (a JSON string never spans a line, so one regex per line tokenizes it),
then decoded on its own with the standard ``json`` module; only the item being read
is held, so memory does not grow with the file. The lines come from the RIS reader's
decoding layer (BOMs, UTF-16, per-line cp1252 fallback, size caps).

Why not ijson (measured, benchmarks/bench_bibtex.py ``csljson`` figures): the
streaming parser would be one more dependency, its pure-Python backend is slower
than this scan plus ``json.loads`` per item, and it stops at the first syntax error,
whereas here a broken item is reported with its line and the next one is read.

Recovery: an item that does not decode is reported with its first line and skipped;
in JSON lines an item that never closes is cut at the next line that starts a new
one; an item over ``MAX_ITEM_CHARS`` is skipped; a value in the array that is not an
object (a number, a string, a nested array) is reported as a record of the wrong
shape.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, BinaryIO, Final

from syncd.ris.reader_lines import LineSource
from syncd.ris.records import ReadProblem

MAX_ITEM_CHARS: Final = 16 << 20
_TOKEN_RE: Final = re.compile(r'"(?:[^"\\]|\\.)*"|"|[{}\[\],]|[^\s"{}\[\],]+')


class CslItem:
    """One decoded item with where it was found."""

    __slots__ = ("data", "end_line", "index", "line")

    def __init__(self, data: dict[str, Any], line: int, end_line: int, index: int) -> None:
        self.data = data
        self.line = line
        self.end_line = end_line
        self.index = index


def read_items(stream: BinaryIO, source: str) -> Iterator[CslItem | ReadProblem]:
    """Items and problems of a CSL-JSON stream, lazily. Raises ``InputError`` only when
    the stream cannot be read."""
    lines = LineSource(stream, source, refuse_non_ris=False)
    scanner = _Scanner(source)
    for chunk in lines.chunks():
        if isinstance(chunk, ReadProblem):
            yield chunk
            continue
        lineno = chunk.first
        for line in chunk.lines:
            yield from scanner.line(line, lineno)
            lineno += 1
    yield from scanner.finish()
    yield from lines.problems()


class _Scanner:
    def __init__(self, source: str) -> None:
        self.source = source
        self.depth = 0
        self.in_array = False
        self.array_done = False
        self.parts: list[str] = []
        self.size = 0
        self.start = 0
        self.capturing = False
        self.skipping = False  # inside a value of the wrong shape, or an oversized item
        self.jsonl = False  # items so far each began and ended on one line
        self.index = 0
        self.wrong_reported = 0

    @property
    def record_depth(self) -> int:
        return 1 if self.in_array else 0

    def line(self, line: str, lineno: int) -> Iterator[CslItem | ReadProblem]:
        if self.capturing and self.jsonl and line.lstrip().startswith("{"):
            yield self._problem(self.start, "item never closes (unbalanced braces)")
            self._reset()
        start = 0  # where the captured part of this line begins
        for m in _TOKEN_RE.finditer(line):
            tok = m.group()
            if self.capturing or self.skipping:
                if tok in ("{", "["):
                    self.depth += 1
                elif tok in ("}", "]"):
                    self.depth -= 1
                    if self.depth == self.record_depth:
                        if self.capturing:
                            self.parts.append(line[start : m.end()])
                            yield self._finish(lineno)
                        self._reset()
                continue
            if tok == "{" and self.depth == self.record_depth and not self.array_done:
                self.capturing, self.start, start = True, lineno, m.start()
                self.parts, self.size = [], 0
                self.depth += 1
            elif tok == "[" and self.depth == 0 and not self.in_array and not self.array_done:
                self.in_array, self.depth = True, 1
            elif tok == "]" and self.in_array and self.depth == 1:
                self.in_array, self.depth, self.array_done = False, 0, True
            elif tok == ",":
                continue
            else:
                yield self._wrong(tok, lineno)
                if tok in ("{", "["):
                    self.skipping = True
                    self.depth += 1
        if self.capturing:
            piece = line[start:] + "\n"
            self.parts.append(piece)
            self.size += len(piece)
            if self.size > MAX_ITEM_CHARS:
                yield self._problem(self.start, f"item over {MAX_ITEM_CHARS >> 20} MiB skipped")
                self.capturing, self.skipping, self.parts = False, True, []

    def _reset(self) -> None:
        self.capturing = self.skipping = False
        self.parts = []
        self.size = 0
        self.depth = self.record_depth

    def _finish(self, lineno: int) -> CslItem | ReadProblem:
        if self.index == 0 and not self.in_array and lineno == self.start:
            self.jsonl = True
        text = "".join(self.parts)
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as exc:
            message = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
            return self._problem(self.start, f"item is not valid JSON ({message}); skipped")
        if not isinstance(data, dict):
            return self._problem(self.start, "item is not a JSON object; skipped")
        self.index += 1
        return CslItem(data, self.start, lineno, self.index - 1)

    def _wrong(self, tok: str, lineno: int) -> ReadProblem:
        shown = tok if len(tok) <= 40 else tok[:39] + "\u2026"
        where = "after the end of the array" if self.array_done else "where an item was expected"
        return self._problem(lineno, f"{shown} {where}: not a CSL-JSON item (an object); skipped")

    def _problem(self, line: int, message: str) -> ReadProblem:
        return ReadProblem(self.source, line, message, "error")

    def finish(self) -> Iterator[ReadProblem]:
        if self.capturing:
            yield self._problem(
                self.start, "the file ends inside this item (truncated, or unbalanced braces)"
            )
        elif self.in_array:
            yield ReadProblem(self.source, None, "the array never closes (truncated?)", "warning")
