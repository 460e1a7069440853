"""EndNote XML (``<xml><records><record>``): EndNote's XML export, also written by
Zotero, Mendeley and other reference managers. Reader: :mod:`syncd.formats.xml_records`
(defusedxml, streaming); mapping: :mod:`.mapping`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from syncd.formats.emit import emit
from syncd.formats.endnote_xml.mapping import dialect_of, map_endnote_record
from syncd.formats.records import ConvertedRecord, ReadProblem
from syncd.formats.xml_records import read_xml_records
from syncd.schema import Schema

__all__ = ["convert", "sniff"]

_RECORDS_RE: Final = re.compile(r"<xml>\s*<records>\s*<record>|<record>\s*<database\b|<ref-type\b")
_XML_START_RE: Final = re.compile(r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<xml>", re.DOTALL)


def sniff(head: str) -> str | None:
    """Evidence that ``head`` is EndNote XML, else None (pure, never raises)."""
    if _XML_START_RE.match(head) is None and "<records>" not in head[:4096]:
        return None
    m = _RECORDS_RE.search(head)
    if m is None:
        return None
    line = head.count("\n", 0, m.start()) + 1
    return f"EndNote XML <{m.group().lstrip('<').split('>')[0].split()[0]}> on line {line}"


def convert(path: Path, schema: Schema) -> Iterator[ConvertedRecord | ReadProblem]:
    """The file's records as Zotero items, with the problems met (see FORMATS.md)."""
    file = str(path)
    records = read_xml_records(
        Path(path), frozenset({"record"}), frozenset({"xml", "records"}), "EndNote XML"
    )
    for entry in records:
        if isinstance(entry, ReadProblem):
            yield entry
            continue
        app = entry.element.find("source-app")
        dialect = dialect_of(app.get("name") if app is not None else None)
        yield from emit(map_endnote_record(entry, schema, file, dialect))
