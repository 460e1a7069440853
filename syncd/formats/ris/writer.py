"""Zotero item -> RIS text: the inverse of :mod:`syncd.formats.ris.mapping`.

Used to check the mapping by round trip and to generate exports for tests and
benchmarks; syncd never writes RIS for users. Each field goes to the tag that
the import maps back to the same field for the item type (found through the
import tables, so the two directions cannot drift apart). Dates are written in
RIS's ``YYYY/MM/DD/`` form, access dates with their time. Fields no RIS tag
carries (PMID, citationKey...) and identifiers without a field are written as
``M2 - Label: value`` lines, which the import appends to Extra, so nothing is
lost. Values other than abstracts and notes are HTML-escaped, because the
import unescapes values holding ``<`` or ``&``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Any

from syncd.formats.records import ConvertedRecord
from syncd.formats.ris.mapping_cleaners import reverse_tag
from syncd.formats.ris.mapping_tables import EXPORT_TYPE
from syncd.identifiers import Identifiers, extra_lines
from syncd.schema import Schema, bundled_schema

_ISO_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_ISO_TIME_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}):(\d{2})Z?)?$")
_SKIP = frozenset({"itemType", "creators", "tags", "collections", "relations", "key", "version"})
_VERBATIM_TAGS = frozenset({"AB", "N1", "RN"})
# Fields that must not be written with the tag the reverse lookup finds, because
# that tag has special handling on import (pages backups, access-date backups).
_FIXED_TAGS = {"extra": "M2", "accessDate": "Y2", "pages": "SP"}
_DATE_FIELDS = frozenset({"date", "issueDate", "dateDecided", "dateEnacted", "filingDate"})


def _line(tag: str, value: str) -> list[str]:
    lines = value.split("\n")
    return [f"{tag}  - {lines[0]}", *lines[1:]]


def _escape(tag: str, value: str) -> str:
    if tag in _VERBATIM_TAGS or ("<" not in value and "&" not in value and ">" not in value):
        return value
    return html.escape(value, quote=False)


def _ris_date(value: str) -> str:
    m = _ISO_DATE_RE.match(value)
    if m is None:
        return value
    year, month, day = m.group(1), m.group(2) or "", m.group(3) or ""
    return f"{year}/{month}/{day}/"


def _ris_access_date(value: str) -> str:
    m = _ISO_TIME_RE.match(value)
    if m is None:
        return value
    out = f"{m.group(1)}/{m.group(2)}/{m.group(3)}/"
    if m.group(4):
        out += f"{m.group(4)}:{m.group(5)}:{m.group(6)}"
    return out


def _creator_line(creator: Mapping[str, Any]) -> str:
    if "name" in creator:
        return str(creator["name"])
    last = str(creator.get("lastName", ""))
    first = str(creator.get("firstName", ""))
    return f"{last}, {first}" if first else last


def item_to_ris(
    record: ConvertedRecord | Mapping[str, Any],
    notes: Iterable[str] = (),
    identifiers: Identifiers | None = None,
    schema: Schema | None = None,
) -> str:
    """One RIS record (ending with ``ER``) for a converted record or an item's data."""
    schema = schema or bundled_schema()
    if isinstance(record, ConvertedRecord):
        item: Mapping[str, Any] = record.item
        notes = record.notes
        identifiers = record.identifiers
    else:
        item = record
    item_type = str(item["itemType"])
    out = [f"TY  - {EXPORT_TYPE.get(item_type, 'GEN')}"]
    for creator in item.get("creators", []):
        tag = reverse_tag(item_type, f"creators/{creator['creatorType']}")
        if tag is not None:
            out += _line(tag, _escape(tag, _creator_line(creator)))
    unmapped: list[str] = []
    for name, value in item.items():
        if name in _SKIP or not isinstance(value, str) or not value:
            continue
        tag = _FIXED_TAGS.get(name) or reverse_tag(item_type, name)
        if tag is None:
            unmapped.append(f"{schema.field_label(name)}: {value}")
            continue
        if name == "extra":
            out += [f"M2  - {_escape('M2', x)}" for x in value.split("\n") if x.strip()]
            continue
        if name in _DATE_FIELDS:
            value = _ris_date(value)
        elif name == "accessDate":
            value = _ris_access_date(value)
        out += _line(tag, _escape(tag, value))
    extra = str(item.get("extra", ""))
    if identifiers is not None:
        unmapped += [x for x in extra_lines(identifiers, item_type, schema) if x not in extra]
    out += [f"M2  - {_escape('M2', x)}" for x in unmapped]
    out += [f"KW  - {_escape('KW', str(t['tag']))}" for t in item.get("tags", [])]
    for note in notes:
        out += _line("N1", note)
    out.append("ER  - ")
    return "\n".join(out) + "\n\n"


def items_to_ris(records: Iterable[ConvertedRecord | Mapping[str, Any]]) -> str:
    """Several records as one RIS file."""
    return "".join(item_to_ris(r) for r in records)
