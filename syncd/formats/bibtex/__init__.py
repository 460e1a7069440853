"""BibTeX: the reader (:mod:`.reader`, :mod:`.latex`) and the mapping (:mod:`.mapping`)."""

from __future__ import annotations

import pathlib
import re
from collections.abc import Iterator
from typing import BinaryIO, Final

from syncd.errors import InputError
from syncd.formats.bibtex.mapping import map_entry
from syncd.formats.bibtex.reader import read_entries
from syncd.formats.emit import emit_each
from syncd.formats.records import ConvertedRecord, ReadProblem
from syncd.formats.text import open_export
from syncd.schema import Schema

__all__ = ["convert", "sniff"]

_ENTRY_RE: Final = re.compile(r"(?m)^[ \t\ufeff]*@[ \t]*([A-Za-z]+)[ \t]*[{(]")
_NOT_ENTRIES: Final = frozenset({"comment", "preamble", "string"})


def sniff(head: str) -> str | None:
    """Evidence that ``head`` is BibTeX: an ``@type{`` line that is an entry (only
    ``@string``/``@comment``/``@preamble`` blocks in the head count too)."""
    blocks = list(_ENTRY_RE.finditer(head))
    for m in blocks:
        if m.group(1).lower() not in _NOT_ENTRIES:
            line = head.count("\n", 0, m.start()) + 1
            return f"@{m.group(1)}{{ entry on line {line}"
    if blocks:
        first = blocks[0]
        return f"@{first.group(1)} block on line {head.count(chr(10), 0, first.start()) + 1}"
    return None


def convert(path: pathlib.Path, schema: Schema) -> Iterator[ConvertedRecord | ReadProblem]:
    """The file's entries as Zotero items, with the problems met (FORMATS.md)."""
    return _convert(open_export(path), str(path), schema)


def _convert(
    stream: BinaryIO, source: str, schema: Schema
) -> Iterator[ConvertedRecord | ReadProblem]:
    none_found = InputError(
        "no BibTeX entry found",
        file=source,
        hint="a BibTeX file holds entries such as @article{key, title = {...}}",
    )
    with stream:
        entries = read_entries(stream, source)
        yield from emit_each(entries, lambda e: map_entry(e, source, schema), none_found)
