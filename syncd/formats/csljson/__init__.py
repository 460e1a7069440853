"""CSL-JSON: the reader (:mod:`.reader`) and the mapping (:mod:`.mapping`)."""

from __future__ import annotations

import pathlib
import re
from collections.abc import Iterator
from typing import BinaryIO, Final

from syncd.errors import InputError
from syncd.formats.csljson.mapping import map_item
from syncd.formats.csljson.reader import CslItem, read_items
from syncd.formats.emit import emit_each
from syncd.formats.records import ConvertedRecord, ReadProblem
from syncd.formats.text import open_export
from syncd.schema import Schema

__all__ = ["convert", "sniff"]

_START_RE: Final = re.compile(r"^[\s\ufeff]*([\[{])")
_CSL_KEY_RE: Final = re.compile(
    r'"(type|title|author|issued|container-title|DOI|citation-key)"\s*:', re.IGNORECASE
)


def sniff(head: str) -> str | None:
    """Evidence that ``head`` is CSL-JSON: JSON that opens with ``[`` or ``{`` and has
    a ``"type"`` key beside another CSL variable."""
    m = _START_RE.match(head)
    if m is None:
        return None
    keys = {k.group(1).lower() for k in _CSL_KEY_RE.finditer(head, m.end())}
    if "type" not in keys or len(keys) < 2:
        return None
    shape = "JSON array" if m.group(1) == "[" else "JSON object"
    listed = ", ".join(sorted(keys)[:4])
    return f"{shape} with CSL variables ({listed})"


def convert(path: pathlib.Path, schema: Schema) -> Iterator[ConvertedRecord | ReadProblem]:
    """The file's items as Zotero items, with the problems met (FORMATS.md)."""
    return _convert(open_export(path), str(path), schema)


def _convert(
    stream: BinaryIO, source: str, schema: Schema
) -> Iterator[ConvertedRecord | ReadProblem]:
    none_found = InputError(
        "no CSL-JSON item found",
        file=source,
        hint='CSL-JSON holds objects such as {"type": "article-journal", "title": ...}',
    )

    def convert_item(item: CslItem) -> ConvertedRecord:
        return map_item(item.data, source, item.line, item.end_line, item.index, schema)

    with stream:
        yield from emit_each(read_items(stream, source), convert_item, none_found)
