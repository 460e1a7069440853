"""A MEDLINE/nbib record as a Zotero item, as Zotero's MEDLINE/nbib translator makes it.

Zotero's rules (translator "MEDLINE/nbib", 2025): FAU/FED full names, AU/ED only
when a record has no full ones; PT to the item type (Journal Article, Book, Book
Chapter, Dissertation, a Report only as a fallback and not for ERIC's journal
articles); DP the date as written; PG with shortened ranges written out
(``475-82`` -> ``475-482``), else the LID ``[pii]`` as pages; the AID/LID
``[doi]`` the DOI; IS (and ERIC's ISSN) by content to ISSN or ISBN; MH, OT and
KoreaMed's KW as tags, MeSH headings kept as written (``Caregivers/*education``);
CI the rights; JT the journal (a book's publisher, a thesis's archive, a report's
institution); an LID link as a "Catalog Link" attachment; ERIC's OID as
``ERIC Number:`` in Extra.

Where syncd differs, as for RIS records: PMID and PMCID go to the item's own
fields where its type has them (else to Extra as ``PMID:``/``PMCID:``), ISSNs are
canonical and comma-separated, AD (affiliations) is dropped as RIS's AD is, and
the administrative tags (OWN, STAT, dates of indexing...) are dropped as Zotero
drops them.
"""

from __future__ import annotations

import re

from syncd.formats.names import person
from syncd.formats.pages import expand_pages
from syncd.formats.records import ConvertedRecord, RawRecord
from syncd.formats.via_ris import RisFields, editor_tag, map_as_ris, ris_type
from syncd.schema import Schema

_TYPES = {
    "Book": "book",
    "Books": "book",
    "Book Chapter": "bookSection",
    "Case Reports": "journalArticle",
    "Case Report": "journalArticle",
    "Journal Article": "journalArticle",
    "Newspaper Article": "newspaperArticle",
    "Video-Audio Media": "videoRecording",
    "Technical Report": "report",
    "Legal Case": "case",
    "Preprint": "preprint",
    "Legislation": "statute",
}
# Tags copied to the RIS tag of the same meaning.
_DIRECT = {
    "TI": "TI",
    "VI": "VL",
    "IP": "IS",
    "PB": "PB",
    "TA": "J2",
    "CI": "CR",
    "LA": "LA",
    "EN": "ET",
    "AB": "AB",
    "AD": "AD",
}
_TAGS = frozenset({"MH", "OT", "KW"})
_ERIC_ID = re.compile(r"E[JD]\d+")
_UNIVERSITY = re.compile(r",\s*([^,]+ University)")
_ISBN = re.compile(r"^(?:97[89]-?)?(?:\d-?){9}[\dXx]$")
_LABEL = re.compile(r"^E?ISSN-|^ISBN-")


def _text(value: str) -> str:
    """A value with its continuation lines joined by spaces."""
    return value.replace("\n", " ") if "\n" in value else value


def _item_type(pts: list[str], eric_journal: bool) -> str:
    backup = None
    for pt in pts:
        if pt in _TYPES:
            return _TYPES[pt]
        if "Dissertation" in pt:
            return "thesis"
        if "Report" in pt:
            backup = "report"
    if backup and not eric_journal:
        return backup
    return "journalArticle"


def map_medline(record: RawRecord, schema: Schema) -> ConvertedRecord:
    """One MEDLINE record -> a Zotero item (pure): its lines rewritten as the RIS lines
    Zotero's MEDLINE translator would give, mapped as RIS."""
    tags, values = record.tags, record.values
    oid = next(
        (v for t, v in zip(tags, values, strict=True) if t == "OID" and _ERIC_ID.search(v)), ""
    )
    item_type = _item_type(
        [v for t, v in zip(tags, values, strict=True) if t == "PT"], oid.startswith("EJ")
    )
    out = RisFields()
    out.add("TY", ris_type(item_type), record.start_line)
    seen = _ris_lines(record, item_type, out)
    for ris_tag, name, line in seen.full or seen.short:
        out.add(ris_tag, person(name), line)
    if not seen.pages and seen.pii:
        out.add("SP", seen.pii, record.start_line)
    _journal_lines(out, item_type, seen.journal, seen.source, record.start_line)
    converted = map_as_ris(out, record, schema, "medline", lone_tag_whole=True)
    if seen.link:
        attachment = {"title": "Catalog Link", "path": seen.link, "mimeType": "text/html"}
        converted = ConvertedRecord(
            converted.item,
            converted.notes,
            (*converted.attachments, attachment),
            converted.identifiers,
            converted.source,
            converted.problems,
        )
    return converted


class _Seen:
    """What a record's lines give besides the RIS lines written as they are read."""

    def __init__(
        self,
        full: list[tuple[str, str, int]],
        short: list[tuple[str, str, int]],
        journal: str,
        source: str,
        pages: str,
        pii: str,
        link: str,
    ) -> None:
        self.full = full  # full names (FAU/FED) as (RIS tag, name, line), in file order
        self.short = short  # AU/ED names, used only where there are no full ones
        self.journal = journal  # JT, written by item type once the type is known
        self.source = source  # SO, where a thesis names its university
        self.pages = pages
        self.pii = pii  # the publisher's item id, the pages of a record without PG
        self.link = link  # a catalog link (LID http...), an attachment


def _ris_lines(record: RawRecord, item_type: str, out: RisFields) -> _Seen:
    """Each line as the RIS line it stands for, in file order; names and the values
    that decide other lines once all are read are kept aside (:class:`_Seen`)."""
    author_tag, editor = "AU", editor_tag(item_type)
    full: list[tuple[str, str, int]] = []
    short: list[tuple[str, str, int]] = []
    journal = source = pages = pii = link = ""
    for tag, value, line in zip(record.tags, record.values, record.lines, strict=True):
        text = _text(value)
        if tag in _DIRECT:
            out.add(_DIRECT[tag], text, line)
        elif tag in ("FAU", "FED"):
            full.append((author_tag if tag == "FAU" else editor, text, line))
        elif tag in ("AU", "ED"):
            short.append((author_tag if tag == "AU" else editor, text, line))
        elif tag == "PL" and item_type != "journalArticle":
            # On an article PL is the journal's country, not a place of publication.
            out.add("CY", text, line)
        elif tag == "PMID":
            out.add("M2", f"PMID: {text}", line)
        elif tag == "PMC":
            out.add("M2", f"PMCID: {text}", line)
        elif tag == "OID" and _ERIC_ID.search(text):
            out.add("M2", f"ERIC Number: {text}", line)
        elif tag in ("IS", "ISSN", "ISBN"):
            number = _LABEL.sub("", text)
            out.add("SN", number.replace("-", "") if _ISBN.match(number) else number, line)
        elif tag in ("AID", "LID"):
            if "[doi]" in text:
                out.add("DO", text.replace("[doi]", "").strip(), line)
            elif tag == "LID" and text.startswith("http"):
                link = link or text
            elif tag == "LID" and "[pii]" in text:
                pii = pii or text.replace("[pii]", "").strip()
        elif tag == "DP":
            out.add("DA", text, line)
        elif tag == "PG":
            pages = pages or expand_pages(text)
            out.add("SP", pages, line)
        elif tag == "SO":
            source = source or text
        elif tag == "JT":
            journal = journal or text
        elif tag == "BTI":
            out.add("BT", text, line)
        elif tag in _TAGS:
            out.add("KW", text, line)
    return _Seen(full, short, journal, source, pages, pii, link)


def _journal_lines(out: RisFields, item_type: str, journal: str, source: str, line: int) -> None:
    """JT is the publisher of a book or report, the database of a thesis (whose
    university SO names), else the journal."""
    if journal:
        if item_type == "book":
            out.add("PB", journal, line)
        elif item_type == "thesis":
            out.add("DB", journal, line)
        elif item_type == "report":
            out.add("PB", journal, line)
        else:
            out.add("JF", journal, line)
    if item_type == "thesis" and (m := _UNIVERSITY.search(source)):
        out.add("PB", m.group(1), line)
