"""Mapping a tagged format's record through the RIS mapping, the way Zotero does.

Zotero's RefWorks translator rewrites its tags into RIS's and runs RIS's rules;
the MEDLINE and Web of Science translators fill the same fields by hand. Here each
format turns its record into the RIS tags that mean the same thing and hands them
to :func:`syncd.formats.ris.mapping.map_record`, so that item building, the schema check,
Extra for values without a field, identifiers (``PMID:``/``PMCID:``/``Web of
Science ID:``), ISSN/ISBN by content, the API's limits and the citation-count
lines are the RIS record's, written once. What a format has that RIS has not (a
library catalog from a file header, a chosen item type) is set on the item after.
"""

from __future__ import annotations

from typing import Any

from syncd.formats.records import ConvertedRecord, RawRecord, SourceRef
from syncd.formats.ris.mapping import map_record
from syncd.formats.ris.mapping_tables import EXPORT_TYPE, target_for
from syncd.identifiers import Identifiers
from syncd.schema import Schema

__all__ = ["RisFields", "editor_tag", "map_as_ris", "ris_type"]


class RisFields:
    """The RIS tag lines one record becomes, in order."""

    __slots__ = ("lines", "tags", "values")

    def __init__(self) -> None:
        self.tags: list[str] = []
        self.values: list[str] = []
        self.lines: list[int] = []

    def add(self, tag: str, value: str, line: int) -> None:
        if value:
            self.tags.append(tag)
            self.values.append(value)
            self.lines.append(line)


def ris_type(item_type: str) -> str:
    """The TY that RIS maps to ``item_type`` (JOUR when RIS has none)."""
    return EXPORT_TYPE.get(item_type, "JOUR")


def editor_tag(item_type: str) -> str:
    """The RIS tag that gives ``item_type`` an editor in the mapping's first pass
    (ED would too, but in the second pass, after every author)."""
    for tag in ("A2", "A3"):
        if target_for(item_type, tag) == "creators/editor":
            return tag
    return "ED"


def map_as_ris(
    fields: RisFields,
    record: RawRecord,
    schema: Schema,
    dialect: str,
    *,
    set_fields: dict[str, str] | None = None,
    issns: tuple[str, ...] | None = None,
    lone_tag_whole: bool = False,
) -> ConvertedRecord:
    """``fields`` mapped by the RIS mapping; the source is ``record``'s, as ``dialect``.

    ``set_fields`` are Zotero fields set afterwards where the item type has them and
    the mapping left them empty. ``issns``, when the format tells ISSNs from ISBNs
    by their tags, are the record's ISSNs: RIS reads every SN line by content, and
    the digits of an ISBN can spell a valid ISSN (``978-0-8243-2732-3``).
    ``lone_tag_whole`` keeps a record's only KW as one tag: RIS splits a lone
    keyword on commas, a translator that is not RIS's does not (a MeSH heading
    ``Influenza, Human`` is one tag).
    """
    raw = RawRecord(
        tuple(fields.tags),
        tuple(fields.values),
        tuple(fields.lines),
        record.file,
        record.start_line,
        record.end_line,
        record.index,
    )
    converted = map_record(raw, schema)
    item: dict[str, Any] = converted.item
    if lone_tag_whole:
        _rejoin_lone_tag(fields, item)
    if set_fields:
        item_type = item["itemType"]
        for name, value in set_fields.items():
            target = schema.resolve_field(item_type, name)
            if value and target is not None and not item.get(target):
                item[target] = value
    ids = converted.identifiers
    if issns is not None and tuple(ids.issn) != issns:
        if item.get("ISSN"):
            if issns:
                item["ISSN"] = ", ".join(issns)
            else:
                del item["ISSN"]
        ids = Identifiers(ids.doi, ids.scopus_eid, ids.pmid, ids.pmcid, ids.wos, ids.isbn, issns)
    source = SourceRef(record.file, record.start_line, record.end_line, record.index, dialect)
    return ConvertedRecord(
        item,
        converted.notes,
        converted.attachments,
        ids,
        source,
        converted.problems,
    )


def _rejoin_lone_tag(fields: RisFields, item: dict[str, Any]) -> None:
    keywords = [v for t, v in zip(fields.tags, fields.values, strict=True) if t == "KW"]
    tags = item.get("tags") or []
    if len(keywords) == 1 and ";" not in keywords[0] and len(tags) > 1:
        item["tags"] = [{"tag": ", ".join(t["tag"] for t in tags)}]
