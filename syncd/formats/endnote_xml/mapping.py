"""One EndNote XML ``<record>`` -> Zotero item, as Zotero's EndNote XML import maps it.

Follows Zotero's translator (tables in :mod:`.tables`): ref-type name, then number,
for the type; ``contributors`` by role and type, names cleaned as Zotero's
``cleanAuthor`` does; ``dates`` from ``pub-dates/date`` and ``year``; ``urls``:
the first web URL is the item's URL, PDF/text/image links attachments in the
shape RIS's L1/L4 give; keywords tags; notes notes; a ``PMC...`` in custom2/3/7 the
PMCID. Values are the text of their ``<style>`` runs.

Deliberate differences: EndNote's style runs are flattened to plain text (Zotero
turns bold/italic/super/subscript into HTML), as the RIS mapping removes markup,
so that the same work read from RIS and from EndNote XML has one title; values
with no Zotero field go to Extra as ``name: value`` lines (Zotero makes a note
"The following values have no corresponding Zotero field") and a periodical name
that repeats a mapped title is dropped; ``accession-num`` is the archive location
(so WoS and Scopus accession numbers are identifiers, as RIS's AN) and ``label``
the citation key field (Zotero writes an Extra line); addresses and EndNote's
modification date are dropped as noise.
"""

from __future__ import annotations

import re
from typing import Any, Final
from xml.etree.ElementTree import Element

from syncd.formats.build import build_record
from syncd.formats.dates import access_date
from syncd.formats.endnote_xml.tables import (
    CREATOR_RULES,
    FIELD_RULES,
    NOISE,
    SKIPPED,
    TYPE_BY_NAME,
    TYPE_BY_NUMBER,
    target,
)
from syncd.formats.markup import note_html, unescape_html
from syncd.formats.names import clean_author
from syncd.formats.records import ConvertedRecord, ReadProblem, Severity, SourceRef
from syncd.formats.xml_records import XmlRecord
from syncd.identifiers import clean_doi, normalize_pmcid
from syncd.schema import Schema

_PMC_RE: Final = re.compile(r"PMC\d+", re.IGNORECASE)
_YEAR_RE: Final = re.compile(r"\d{4}")
_KNOWN_APPS: Final = frozenset({"endnote", "zotero", "mendeley", "papers", "citavi", "refworks"})
_MIME: Final = {
    "pdf-urls": "application/pdf",
    "text-urls": "text/html",
    "related-urls": "text/html",
    "image-urls": "",
}
# Scalar fields whose text is read as the RIS mapping reads TI or JO: markup dropped,
# entities decoded. Identifiers and abstracts are kept as they are.
_VERBATIM: Final = frozenset(
    {"DOI", "ISBN", "ISSN", "url", "archiveLocation", "callNumber", "abstractNote"}
)


def text_of(element: Element, keep_newlines: bool = False) -> str:
    """The text of an element and its ``<style>`` runs; whitespace collapsed unless kept."""
    text = "".join(element.itertext())
    if keep_newlines:
        return text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return " ".join(text.split())


def item_type_of(record: Element, schema: Schema) -> str:
    ref = record.find("ref-type")
    item_type = None
    if ref is not None:
        item_type = TYPE_BY_NAME.get(ref.get("name", "")) or TYPE_BY_NUMBER.get(
            (ref.text or "").strip()
        )
    if item_type is None or not schema.has_type(item_type):
        return "journalArticle"
    return item_type


class _Draft:
    """What one record's elements give, gathered before the item is built."""

    def __init__(self, item_type: str, file: str, line: int) -> None:
        self.item_type = item_type
        self.file = file
        self.line = line
        self.fields: dict[str, str] = {}
        self.creators: list[dict[str, Any]] = []
        self.tags: list[str] = []
        self.notes: list[str] = []
        self.attachments: list[dict[str, str]] = []
        self.extra: list[str] = []
        self.numbers: list[str] = []
        self.problems: list[ReadProblem] = []

    def problem(self, message: str, severity: Severity = "warning") -> None:
        self.problems.append(ReadProblem(self.file, self.line, message, severity))

    def set(self, name: str, value: str, element: str) -> None:
        if not value:
            return
        if name not in _VERBATIM and ("<" in value or "&" in value):
            value = unescape_html(value)
        current = self.fields.get(name)
        if not current:
            self.fields[name] = value
        elif current != value:
            self.problem(f"second value for {name} ({element}) dropped: {value[:80]}")


def map_endnote_record(rec: XmlRecord, schema: Schema, file: str, dialect: str) -> ConvertedRecord:
    """Convert one record element (pure; see the module docstring)."""
    record = rec.element
    item_type = item_type_of(record, schema)
    d = _Draft(item_type, file, rec.line)
    for child in record:
        name = child.tag
        if name in SKIPPED:
            continue
        if name in NOISE:
            if text_of(child):
                d.problem(f"dropped {name}: {text_of(child)[:60]}", "info")
        elif name == "contributors":
            _contributors(d, child)
        elif name in ("titles", "periodical", "alt-periodical"):
            for sub in child:
                _field(d, sub.tag, sub, name)
        elif name == "dates":
            _dates(d, child)
        elif name in ("notes", "research-notes"):
            note = text_of(child, keep_newlines=True)
            if note:
                d.notes.append(note)
        elif name == "keywords":
            d.tags += [text_of(k) for k in child if text_of(k)]
        elif name == "urls":
            _urls(d, child)
        elif name == "label":
            d.set("citationKey", text_of(child), name)
        elif name in ("custom2", "custom3", "custom7") and item_type in (
            "book",
            "bookSection",
            "journalArticle",
        ):
            m = _PMC_RE.search(text_of(child))
            if m is not None:
                d.extra.append("PMCID: " + (normalize_pmcid(m.group()) or m.group()))
            else:
                _field(d, name, child, None)
        else:
            _field(d, name, child, None)
    source = SourceRef(file, rec.line, rec.end_line, rec.index, dialect)
    return build_record(
        item_type,
        d.fields,
        d.creators,
        source,
        schema,
        tags=d.tags,
        notes=[note_html(n) for n in d.notes],
        attachments=d.attachments,
        extra=d.extra,
        standard_numbers=d.numbers,
        problems=d.problems,
    )


def _field(d: _Draft, name: str, element: Element, group: str | None) -> None:
    value = text_of(element, keep_newlines=name == "abstract")
    if not value:
        return
    zfield = target(FIELD_RULES, name, d.item_type)
    if zfield is None:
        label = f"{group}/{name}" if group else name
        if value not in d.fields.values():
            d.extra.append(f"{label}: {value}")
        return
    if zfield.startswith("creators/"):
        c = clean_author(value, zfield.partition("/")[2])
        if c is not None:
            d.creators.append(c)
        return
    if group == "periodical" and value in d.fields.values():
        return  # the journal or book title the secondary title already gave
    if zfield == "DOI":
        doi = clean_doi(value)
        if doi is None:
            d.extra.append(f"Electronic Resource Number: {value}")
            d.problem(f"electronic-resource-num is not a DOI, kept in Extra: {value[:80]}", "info")
            return
        value = doi
    elif zfield in ("ISBN", "ISSN"):
        d.numbers.append(value)
    elif zfield == "accessDate":
        iso = access_date(value)
        if iso is None:
            d.problem(f"unreadable access date dropped: {value[:80]}")
            return
        value = iso
    d.set(zfield, value, name)


def _contributors(d: _Draft, element: Element) -> None:
    for group in element:
        creator_type = target(CREATOR_RULES, group.tag, d.item_type)
        names = [text_of(a) for a in group.iter("author")]
        if creator_type is None:
            for name in names:
                d.extra.append(f"{group.tag}: {name}")
            continue
        for name in names:
            c = clean_author(name, creator_type)
            if c is not None:
                d.creators.append(c)


def _dates(d: _Draft, element: Element) -> None:
    pub = element.find("pub-dates")
    year_el = element.find("year")
    date_el = pub.find("date") if pub is not None else None
    date = text_of(date_el) if date_el is not None else (text_of(pub) if pub is not None else "")
    year = text_of(year_el) if year_el is not None else ""
    if date and year and not _YEAR_RE.search(date):
        date = f"{date} {year}"
    value = date or year
    if value:
        d.set("date", value, "dates")
    elif text_of(element):
        d.extra.append(f"copyright-dates: {text_of(element)}")


def _urls(d: _Draft, element: Element) -> None:
    for group in element:
        links = [text_of(u) for u in group if text_of(u)]
        if group.tag == "web-urls":
            if links:
                d.set("url", links[0], "web-urls")
            continue
        mime = _MIME.get(group.tag, "")
        for link in links:
            path = link
            if path.lower().startswith("internal-pdf://"):
                path = "PDF/" + path[len("internal-pdf://") :]
            title = path.rsplit("/", 1)[-1]
            if "." in title:
                title = title.rsplit(".", 1)[0]
            attachment = {"title": title, "path": path}
            if mime:
                attachment["mimeType"] = mime
            d.attachments.append(attachment)


def dialect_of(app: str | None) -> str:
    """``endnote_xml`` with the writing application when it is a known one."""
    name = (app or "").strip().lower()
    return f"endnote_xml/{name}" if name in _KNOWN_APPS else "endnote_xml"
