"""Records of an XML export, one element at a time, from a parser that expands no entity.

EndNote XML and PubMed XML files are user input, so they are parsed by defusedxml's
expat parser: an entity declaration (the billion-laughs bomb, an external entity
naming a local file) or a reference to an external entity refuses the whole file
with an :class:`InputError` before anything of it is read, and nothing is ever
fetched. A DOCTYPE alone is allowed: PubMed's exports name their DTD in one, which
expat never loads. Measured on 20,000 EndNote records (35 MB): stdlib iterparse
0.87 s, lxml 0.78 s, defusedxml 1.83 s; defusedxml is kept because its refusals are
explicit errors rather than settings to get right, and the mapping costs more.

Memory does not grow with the file: the text is fed to the parser a block at a
time, and the parser's target builds only the record in hand (an
``ElementTree.Element``), handed out with its first line as soon as it closes;
elements outside records are never built. A parse error (a truncated file, a
stray ``&``) ends the file there: the records before it are kept and the error is
reported with its line; a file that breaks before its first record is an
InputError. Text is decoded as the RIS reader decodes it
(:mod:`syncd.formats.text`: BOMs, UTF-16, a stray Windows-1252 line in UTF-8) and
handed to expat as text; only a file whose XML declaration names a single-byte
encoding (ISO-8859-1, windows-1252) goes to expat as bytes, decoded as declared.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, Final
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden
from defusedxml.ElementTree import DefusedXMLParser

from syncd.errors import InputError
from syncd.formats.records import ReadProblem
from syncd.formats.ris.reader_lines import LineBlock, LineSource
from syncd.formats.text import open_export, text_blocks

_SINGLE_BYTE_RE: Final = re.compile(
    r"^(?:latin[-_]1|iso8859[-_]\d+|cp12\d\d|cp437|cp8\d\d|mac[-_]\w+|koi8[-_]\w)$"
)
_DECLARED_RE: Final = re.compile(rb"^<\?xml[^>]*?\bencoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")


class XmlRecord:
    """One record element with the lines of its start and end tags (1-based)."""

    __slots__ = ("element", "end_line", "index", "line")

    def __init__(self, element: Element, line: int, end_line: int, index: int) -> None:
        self.element = element
        self.line = line
        self.end_line = end_line
        self.index = index


class _Target:
    """Parser target that builds the elements of ``record_tags`` and nothing else."""

    def __init__(self, record_tags: frozenset[str], line: Callable[[], int]) -> None:
        self.record_tags = record_tags
        self.line = line
        self.depth = 0
        self.root: str | None = None
        self.builder: TreeBuilder | None = None
        self.record_depth = 0
        self.record_line = 0
        self.done: list[tuple[Element, int, int]] = []

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.depth += 1
        if self.root is None:
            self.root = tag
        if self.builder is None:
            if tag not in self.record_tags:
                return
            self.builder = TreeBuilder()
            self.record_depth = self.depth
            self.record_line = self.line()
        self.builder.start(tag, attrib)

    def end(self, tag: str) -> None:
        if self.builder is not None:
            element = self.builder.end(tag)
            if self.depth == self.record_depth:
                self.done.append((element, self.record_line, self.line()))
                self.builder = None
        self.depth -= 1

    def data(self, text: str) -> None:
        if self.builder is not None:
            self.builder.data(text)

    def close(self) -> None:
        return None


def read_xml_records(
    path: Path, record_tags: frozenset[str], roots: frozenset[str], what: str
) -> Iterator[XmlRecord | ReadProblem]:
    """The ``record_tags`` elements of the file, in order, and the problems met.

    ``roots`` are the root elements a file of this format has; ``what`` names the
    format in messages. Raises :class:`InputError` when the file cannot be read at
    all: empty or binary, entities declared, not well-formed before any record, or
    a root element of another format.
    """
    source = str(path)
    with open_export(path) as stream:
        declared = _declared_encoding(stream.peek(256)[:256])
        lines: LineSource | None = None
        chunks: Iterator[str | bytes | ReadProblem]
        if declared is None:
            lines, blocks = text_blocks(stream, source, what)
            chunks = _texts(blocks)
        else:
            chunks = _raw(stream, source)
        # The target asks the parser for the line of each record's start tag, and the
        # parser binds the target's methods when it is made: hence the holder.
        holder: list[Any] = []
        target = _Target(record_tags, lambda: int(holder[0].parser.CurrentLineNumber))
        parser: Any = DefusedXMLParser(
            target=target, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
        holder.append(parser)
        count = 0
        try:
            for chunk in chunks:
                if isinstance(chunk, ReadProblem):
                    yield chunk
                    continue
                parser.feed(chunk)
                for element, line, end in target.done:
                    yield XmlRecord(element, line, end, count)
                    count += 1
                target.done.clear()
                _check_root(target, roots, source, what)
            parser.close()
        except ParseError as exc:
            for element, line, end in target.done:
                yield XmlRecord(element, line, end, count)
                count += 1
            yield _broken(exc, target, source, what, count)
            return
        except DefusedXmlException as exc:
            raise _refused(exc, source) from None
        _check_root(target, roots, source, what)
        if target.root is None:
            raise InputError(f"not {what}: no XML element in the file", file=source)
        if lines is not None:
            yield from lines.problems()


def _declared_encoding(head: bytes) -> str | None:
    """The single-byte encoding the XML declaration names (ISO-8859-1, windows-1252...),
    which expat then decodes as declared; None for UTF-8/16/32 or no declaration, read
    as the RIS reader reads text (a stray Windows-1252 line in UTF-8 survives)."""
    m = _DECLARED_RE.match(head)
    if m is None:
        return None
    name = m.group(1).decode("ascii").lower()
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    # Only the single-byte charsets expat decodes through Python's codecs: multi-byte
    # ones (Shift JIS, Big5) and non-text codecs (rot13, zlib) it cannot take.
    return codec if _SINGLE_BYTE_RE.match(codec) else None


def _texts(blocks: Iterator[LineBlock | ReadProblem]) -> Iterator[str | ReadProblem]:
    for block in blocks:
        yield block if isinstance(block, ReadProblem) else "\n".join(block.lines) + "\n"


def _raw(stream: BinaryIO, source: str) -> Iterator[bytes]:
    try:
        while block := stream.read(1 << 20):
            yield block
    except OSError as exc:
        raise InputError(f"could not read the file: {exc.strerror or exc}", file=source) from exc


def _check_root(target: _Target, roots: frozenset[str], source: str, what: str) -> None:
    if target.root is not None and target.root not in roots:
        raise InputError(
            f"not {what}: the root element is <{target.root}>",
            file=source,
            line=1,
            hint=f"export the file as {what}",
        )


def _broken(exc: ParseError, target: _Target, source: str, what: str, count: int) -> ReadProblem:
    line, column = exc.position
    reason = str(exc).split(":")[0]
    if count == 0:
        raise InputError(
            f"not well-formed {what} at line {line}, column {column} ({reason}); no record read",
            file=source,
            line=line,
            hint="a truncated or damaged file: export it again",
        ) from None
    cut = (
        f"; the record starting at line {target.record_line} is incomplete"
        if target.builder is not None
        else ""
    )
    return ReadProblem(
        source,
        line,
        f"not well-formed XML at line {line}, column {column} ({reason}): the file was read "
        f"up to there ({count} records){cut}",
        "error",
    )


def _refused(exc: DefusedXmlException, source: str) -> InputError:
    if isinstance(exc, EntitiesForbidden):
        name = getattr(exc, "name", "?")
        system = getattr(exc, "sysid", None)
        kind = f"an external entity '{name}' ({system})" if system else f"an entity '{name}'"
        message = f"refused: the file declares {kind}; syncd expands no XML entity"
    elif isinstance(exc, DTDForbidden):
        message = "refused: the file has a DTD, which syncd does not read"
    else:
        message = f"refused: the file refers to an external resource ({exc})"
    return InputError(
        message,
        file=source,
        hint="an export from EndNote or PubMed declares no entities; export the file again",
    )
