"""PubMed XML (``PubmedArticleSet`` of ``PubmedArticle``/``PubmedBookArticle``): what
PubMed's "Save as XML" and E-utilities' efetch give. Reader:
:mod:`syncd.formats.xml_records` (defusedxml, streaming); mapping: :mod:`.mapping`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from syncd.formats.emit import emit
from syncd.formats.pubmed_xml.mapping import map_article, map_book
from syncd.formats.records import ConvertedRecord, ReadProblem
from syncd.formats.xml_records import read_xml_records
from syncd.schema import Schema

__all__ = ["convert", "sniff"]

_SET_RE: Final = re.compile(r"<PubmedArticleSet[\s>]|<!DOCTYPE\s+PubmedArticleSet\b")
_RECORD_TAGS: Final = frozenset({"PubmedArticle", "PubmedBookArticle"})


def sniff(head: str) -> str | None:
    """Evidence that ``head`` is PubMed XML, else None (pure, never raises)."""
    m = _SET_RE.search(head)
    if m is None:
        return None
    line = head.count("\n", 0, m.start()) + 1
    return f"PubMed XML {m.group().strip().rstrip('>').split()[-1]} on line {line}"


def convert(path: Path, schema: Schema) -> Iterator[ConvertedRecord | ReadProblem]:
    """The file's records as Zotero items, with the problems met (see FORMATS.md)."""
    file = str(path)
    records = read_xml_records(
        Path(path), _RECORD_TAGS, frozenset({"PubmedArticleSet"}), "PubMed XML"
    )
    for entry in records:
        if isinstance(entry, ReadProblem):
            yield entry
        elif entry.element.tag == "PubmedBookArticle":
            yield from emit(map_book(entry, schema, file))
        else:
            yield from emit(map_article(entry, schema, file))
