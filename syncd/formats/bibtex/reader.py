"""Streaming BibTeX reader: bytes in, :class:`BibEntry`/``ReadProblem`` out, in file order.

Why this is written by hand rather than taken from bibtexparser (measured on 20,000
generated Scopus-like entries, 10 MB, benchmarks/bench_bibtex.py):

* bibtexparser 2.1.0 splits a file fast (2.9 s for the 20,000 entries) but cannot
  be installed: pyzotero 1.16.0, which syncd pins, requires ``bibtexparser<2``, and
  both majors install as the same ``bibtexparser`` package. Its LaTeX decoding
  middleware (pylatexenc) took 59 s for the same file, and decoding before name
  splitting broke braced corporate names (``{Corporate Body 5}`` became first
  "Corporate Body", last "5"). It also reads a whole string at a time.
* bibtexparser 1.4.4 (the one pyzotero brings) took 80 s to parse the file and its
  ``latex_to_unicode`` leaves commands in the text (``\\textit{study}`` became
  ``\\textitstudy``). Its name splitter is right and fast (5 us a name): the mapping
  uses it (``bibtexparser.customization.splitname``).

So this module splits the file into entries itself, which is also what keeps memory
independent of file size: lines come from the RIS reader's decoding layer (same
encodings, BOMs, cp1252 fallback per line, control characters, size caps), an entry
is gathered until its braces balance, parsed, and handed on; only ``@string``
definitions are carried from one entry to the next.

Recovery: an entry whose braces never balance is cut at the next line that starts
a new entry (``@type{``) and reported with its first line, so one broken entry
costs that entry alone; so is an entry over ``MAX_ENTRY_CHARS``. Text between
entries is a comment, as for BibTeX itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO, Final

from syncd.formats.dates import MONTH_NAMES
from syncd.formats.records import ReadProblem
from syncd.formats.ris.reader_lines import LineBlock, LineSource, Tally

MAX_ENTRY_CHARS: Final = 8 << 20
# A line that starts an entry: where a broken (unbalanced) entry is cut.
_ENTRY_START_RE: Final = re.compile(r"^[ \t]*@[ \t]*[A-Za-z][\w-]*[ \t]*[{(]")
_IDENT_RE: Final = re.compile(r"[A-Za-z][\w-]*")
_SPACE_RE: Final = re.compile(r"(?:\s+|%[^\n]*)+")
_BRACES_RE: Final = re.compile(r"\\.|[{}]", re.DOTALL)
_PARENS_RE: Final = re.compile(r'\\.|[{}()"]', re.DOTALL)
_KEY_RE: Final = re.compile(r"[^,\s{}()]*")
_NAME_RE: Final = re.compile(r"[^\s=,{}\"#%()]+")
_NUMBER_RE: Final = re.compile(r"\d+")
_MACRO_RE: Final = re.compile(r"[^\s=,{}\"#%()]+")

MONTH_MACROS: Final = {m[:3].lower(): m for m in MONTH_NAMES}


class BibEntry:
    """One entry: its type (lowercase), citation key and fields (names lowercase, values
    as raw LaTeX with ``@string`` macros expanded), with the lines it spans."""

    __slots__ = ("end_line", "entry_type", "fields", "index", "key", "line")

    def __init__(
        self,
        entry_type: str,
        key: str,
        fields: dict[str, tuple[str, int]],
        line: int,
        end_line: int,
        index: int,
    ) -> None:
        self.entry_type = entry_type
        self.key = key
        self.fields = fields  # name -> (raw value, line)
        self.line = line
        self.end_line = end_line
        self.index = index

    def value(self, name: str) -> str | None:
        found = self.fields.get(name)
        return None if found is None else found[0]

    def __repr__(self) -> str:
        return f"BibEntry({self.entry_type!r}, {self.key!r}, line={self.line}, {self.fields!r})"


class _SyntaxProblem(Exception):
    """An entry that cannot be parsed (internal; becomes a ReadProblem)."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


def read_entries(stream: BinaryIO, source: str) -> Iterator[BibEntry | ReadProblem]:
    """Entries and problems of a BibTeX stream, lazily. Raises ``InputError`` only when
    the stream cannot be read."""
    lines = LineSource(stream, source, ris_only=False)
    splitter = _Splitter(source)
    for chunk in lines.chunks():
        if isinstance(chunk, ReadProblem):
            yield chunk
            continue
        yield from splitter.feed(chunk)
    yield from splitter.finish()
    yield from lines.problems()


class _Splitter:
    """Cuts lines into entry texts at top-level ``@`` and parses each one."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.macros: dict[str, str] = dict(MONTH_MACROS)
        self.parts: list[str] = []  # the entry being gathered
        self.size = 0
        self.start = 0  # its first line
        self.depth = 0
        self.paren = False  # delimited by ( ) rather than { }
        self.in_quote = False
        self.head = False  # between "@" and the opening delimiter
        self.have_type = False  # the head has its entry type
        self.oversized = False
        self.index = 0
        # Text outside entries is a comment to BibTeX; it is counted, so a file that
        # mixes BibTeX with another format says so.
        self.stray = Tally(
            "{lines} line(s) of text outside BibTeX entries ignored (first at line {first})"
        )

    def feed(self, block: LineBlock) -> Iterator[BibEntry | ReadProblem]:
        lineno = block.first
        for line in block.lines:
            yield from self._line(line, lineno)
            lineno += 1

    def _line(self, line: str, lineno: int) -> Iterator[BibEntry | ReadProblem]:
        if (self.parts or self.oversized) and _ENTRY_START_RE.match(line):
            yield self._broken(lineno - 1)
        if self.oversized:
            return
        pos = 0
        while True:
            scan_from = pos
            if not self.parts:
                at = line.find("@", pos)
                stray = line[pos:] if at < 0 else line[pos:at]
                if stray.strip() and not stray.lstrip().startswith("%"):
                    self.stray.add(lineno)
                if at < 0:
                    return
                self.parts, self.size, self.start = [], 0, lineno
                self.head, self.have_type, self.depth, self.in_quote = True, False, 0, False
                pos, scan_from = at, at + 1
            if self.head:
                end = self._scan_head(line, scan_from)
                if end is None:  # the head goes on to the next line
                    self._keep(line[pos:] + "\n")
                    return
                if end < 0:  # "@" in running text: no entry here
                    self.parts = []
                    pos = scan_from
                    continue
                self._keep(line[pos : end + 1])
                pos = end + 1
                self.head = False
            close = self._scan_body(line, pos)
            if close < 0:
                self._keep(line[pos:] + "\n")
                if self.size > MAX_ENTRY_CHARS:
                    self.oversized = True
                    self.parts = []
                return
            self._keep(line[pos : close + 1])
            pos = close + 1
            text = "".join(self.parts)
            self.parts = []
            entry = self._parse(text, self.start, lineno)
            if entry is not None:
                yield entry

    def _keep(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)

    def _scan_head(self, line: str, i: int) -> int | None:
        """Offset of the opening delimiter after ``@``; None: not on this line; -1: none."""
        while i < len(line):
            ch = line[i]
            if ch in " \t":
                i += 1
            elif ch == "%":
                return None
            elif ch in "{(":
                if not self.have_type:
                    return -1
                self.paren = ch == "("
                self.depth = 1 if ch == "{" else 0
                return i
            elif not self.have_type and (m := _IDENT_RE.match(line, i)):
                self.have_type = True
                i = m.end()
            else:
                return -1
        return None

    def _scan_body(self, line: str, pos: int) -> int:
        """Offset of the closing delimiter, or -1 when the entry goes on."""
        if not self.paren:
            for m in _BRACES_RE.finditer(line, pos):
                ch = m.group()
                if ch == "{":
                    self.depth += 1
                elif ch == "}":
                    self.depth -= 1
                    if self.depth == 0:
                        return m.start()
            return -1
        for m in _PARENS_RE.finditer(line, pos):
            ch = m.group()
            if ch == "{":
                self.depth += 1
            elif ch == "}":
                self.depth = max(0, self.depth - 1)
            elif ch == '"' and self.depth == 0:
                self.in_quote = not self.in_quote
            elif ch == ")" and self.depth == 0 and not self.in_quote:
                return m.start()
        return -1

    def _broken(self, last_line: int) -> ReadProblem:
        what = (
            f"an entry over {MAX_ENTRY_CHARS // (1 << 20)} MiB"
            if self.oversized
            else "unbalanced braces: the entry never closes"
        )
        self.parts, self.size, self.oversized, self.head = [], 0, False, False
        return ReadProblem(
            self.source,
            self.start,
            f"entry at lines {self.start}-{last_line} skipped: {what}",
            "error",
        )

    def finish(self) -> Iterator[ReadProblem]:
        if self.stray.count:
            yield self.stray.problem(self.source)
        if self.parts and self.head:
            self.parts = []
        elif self.parts or self.oversized:
            if not self.oversized:
                self.parts = []
                yield ReadProblem(
                    self.source,
                    self.start,
                    f"entry at line {self.start} skipped: the file ends inside it "
                    "(truncated, or unbalanced braces)",
                    "error",
                )
            else:
                yield self._broken(self.start)

    def _parse(self, text: str, first: int, last: int) -> BibEntry | ReadProblem | None:
        try:
            return self._parse_entry(text, first, last)
        except _SyntaxProblem as exc:
            line = first + text.count("\n", 0, exc.offset)
            return ReadProblem(self.source, line, f"entry skipped: {exc.message}", "error")

    def _parse_entry(self, text: str, first: int, last: int) -> BibEntry | None:
        p = _Parser(text, self.macros)
        p.skip()
        p.expect("@")
        p.skip()
        entry_type = p.match(_IDENT_RE, "an entry type").lower()
        p.skip()
        close = "}" if p.take() == "{" else ")"
        if entry_type in ("comment", "preamble"):
            return None
        if entry_type == "string":
            for name, value, _ in p.assignments(close):
                self.macros[name.lower()] = value
            return None
        p.skip()
        key = p.match(_KEY_RE, "a citation key")
        fields: dict[str, tuple[str, int]] = {}
        p.skip()
        if p.peek() == ",":
            for name, value, offset in p.assignments(close):
                name = name.lower()
                if name not in fields:
                    fields[name] = (value, first + text.count("\n", 0, offset))
        elif p.peek() != close:
            raise _SyntaxProblem(f"expected ',' after the key {key!r}", p.pos)
        self.index += 1
        return BibEntry(entry_type, key, fields, first, last, self.index - 1)


class _Parser:
    """A cursor over one entry's text."""

    def __init__(self, text: str, macros: dict[str, str]) -> None:
        self.text = text
        self.pos = 0
        self.macros = macros

    def skip(self) -> None:
        m = _SPACE_RE.match(self.text, self.pos)
        if m:
            self.pos = m.end()

    def peek(self) -> str:
        return self.text[self.pos : self.pos + 1]

    def take(self) -> str:
        ch = self.peek()
        self.pos += 1
        return ch

    def expect(self, ch: str) -> None:
        if self.take() != ch:
            raise _SyntaxProblem(f"expected {ch!r}", self.pos - 1)

    def match(self, pattern: re.Pattern[str], what: str) -> str:
        m = pattern.match(self.text, self.pos)
        if m is None:
            raise _SyntaxProblem(f"expected {what}", self.pos)
        self.pos = m.end()
        return m.group()

    def assignments(self, close: str) -> Iterator[tuple[str, str, int]]:
        """``name = value`` pairs up to the closing delimiter (a missing comma between
        two pairs is forgiven, as Zotero forgives it)."""
        while True:
            self.skip()
            ch = self.peek()
            if ch == ",":
                self.pos += 1
                continue
            if ch == close or not ch:
                return
            offset = self.pos
            name = self.match(_NAME_RE, "a field name")
            self.skip()
            self.expect("=")
            yield name, self.value(), offset

    def value(self) -> str:
        parts: list[str] = []
        while True:
            self.skip()
            ch = self.peek()
            if ch == "{":
                parts.append(self._braced())
            elif ch == '"':
                parts.append(self._quoted())
            elif ch.isdigit():
                parts.append(self.match(_NUMBER_RE, "a number"))
            else:
                name = self.match(_MACRO_RE, "a value")
                parts.append(self.macros.get(name.lower(), name))
            self.skip()
            if self.peek() != "#":
                return "".join(parts)
            self.pos += 1

    def _braced(self) -> str:
        start = self.pos + 1
        close = self.text.find("}", start)
        if close > 0:
            flat = self.text[start:close]
            if "{" not in flat and "\\" not in flat:  # no nesting: the common case
                self.pos = close + 1
                return flat
        depth = 0
        for m in _BRACES_RE.finditer(self.text, self.pos):
            ch = m.group()
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    self.pos = m.end()
                    return self.text[start : m.start()]
        raise _SyntaxProblem("unbalanced braces in a value", start - 1)

    def _quoted(self) -> str:
        start = self.pos + 1
        depth = 0
        for m in _PARENS_RE.finditer(self.text, start):
            ch = m.group()
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            elif ch == '"' and depth <= 0:
                self.pos = m.end()
                return self.text[start : m.start()]
        raise _SyntaxProblem("a quoted value never ends", start - 1)
