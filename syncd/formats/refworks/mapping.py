"""A RefWorks tagged record as a Zotero item, as Zotero's RefWorks translator makes it.

Zotero's translator ("RefWorks Tagged", 2016) is its RIS translator with
RefWorks' tags; here each tag becomes the RIS tag of the same meaning and the RIS
mapping does the rest. RefWorks' own rules kept: RT names the item type; FD, the
free-form date, often lacks the year, which YR then adds (``Feb`` + ``2002``,
``01/01`` + ``2003`` is ``January 01 2003``); OP is the end page; LK links are
"<domain> Link" attachments; K1 lines are tags.

Where syncd differs: tags RefWorks has and Zotero has no field for (SR, ID, AN,
AD, CL, SF, OL...) are dropped and reported (info), as unknown RIS tags are,
rather than gathered into an "_RW import" child note; a value whose field the
item type lacks goes to Extra as ``Label: value``.
"""

from __future__ import annotations

import re

from syncd.formats.dates import MONTH_NAMES
from syncd.formats.records import ConvertedRecord, RawRecord, ReadProblem
from syncd.formats.ris.mapping_tables import target_for
from syncd.formats.via_ris import RisFields, map_as_ris, ris_type
from syncd.schema import Schema

_TYPES = {
    "Artwork": "artwork",
    "Sound Recording": "audioRecording",
    "Bills": "bill",
    "Web Page": "webpage",
    "Book, Whole": "book",
    "Book, Section": "bookSection",
    "Case": "case",
    "Computer Program": "computerProgram",
    "Conference Proceedings": "conferencePaper",
    "Personal Communication": "letter",
    "Motion Picture": "film",
    "Online Discussion Forum": "forumPost",
    "Hearing": "hearing",
    "Journal Article": "journalArticle",
    "Magazine Article": "magazineArticle",
    "Unpublished Material": "manuscript",
    "Map": "map",
    "Newspaper Article": "newspaperArticle",
    "Patent": "patent",
    "Report": "report",
    "Statutes": "statute",
    "Dissertation": "thesis",
    "Video": "videoRecording",
    "Abstract": "journalArticle",
    "Book, Edited": "book",
    "Court Decisions": "case",
    "DVD": "videoRecording",
    "Grant": "report",
    "Journal, Electronic": "journalArticle",
    "Laws": "statute",
    "Monograph": "book",
    "Music Score": "audioRecording",
    "Resolutions": "bill",
    "Thesis, Unpublished": "thesis",
    "Thesis": "thesis",
}
# RefWorks tag -> the RIS tag of the same meaning.
_RIS = {
    "A1": "AU",
    "A2": "A2",
    "A3": "A3",
    "A4": "A4",
    "T1": "TI",
    "T2": "T2",
    "T3": "T3",
    "JF": "JF",
    "JO": "JO",
    "VO": "VL",
    "SP": "SP",
    "OP": "EP",
    "ED": "ET",
    "PB": "PB",
    "PP": "CY",
    "SN": "SN",
    "AB": "AB",
    "NO": "N1",
    "K1": "KW",
    "LA": "LA",
    "DO": "DO",
    "UL": "UR",
    "CN": "CN",
    "ST": "ST",
    "RD": "Y2",
    "SL": "DB",
    "LL": "AV",
}
_MONTH_DAY = re.compile(r"^(\d{1,2})\s*/\s*(\d{1,2})$")
_YEAR = re.compile(r"\d{4}")
_DOMAIN = re.compile(r"^https?://([^/]+)", re.IGNORECASE)


def _date(fd: str, yr: str) -> str:
    """FD completed with YR's year when FD has none, as RefWorks' translator does."""
    m = _MONTH_DAY.match(fd)
    if m and 1 <= int(m.group(1)) <= 12:
        fd = f"{MONTH_NAMES[int(m.group(1)) - 1]} {m.group(2).zfill(2)}"
    if not fd:
        return yr
    if yr and not _YEAR.search(fd):
        return f"{fd} {yr}"
    return fd


def map_refworks(record: RawRecord, schema: Schema) -> ConvertedRecord:
    """One RefWorks record -> a Zotero item (pure)."""
    rt = record.first("RT") or ""
    item_type = _TYPES.get(rt.strip(), "journalArticle")
    out = RisFields()
    out.add("TY", ris_type(item_type), record.start_line)
    problems: list[ReadProblem] = []
    links: list[dict[str, str]] = []
    fd = yr = ""
    for tag, value, line in zip(record.tags, record.values, record.lines, strict=True):
        text = " ".join(value.split("\n")) if tag not in ("AB", "NO", "K1") else value
        if tag == "RT" or not text.strip():
            continue
        if tag in _RIS:
            out.add(_RIS[tag], text, line)
        elif tag == "IS":
            # RefWorks' IS is always the issue (RIS's IS is the volumes of a chapter).
            if target_for(item_type, "IS") == "issue":
                out.add("IS", text, line)
            else:
                out.add("M2", f"Issue: {text}", line)
        elif tag == "FD":
            fd = fd or text.strip()
        elif tag == "YR":
            yr = yr or text.strip()
        elif tag == "LK":
            m = _DOMAIN.match(text.strip())
            title = f"{m.group(1)} Link" if m else "Link"
            links.append({"title": title, "path": text.strip(), "mimeType": "text/html"})
        else:
            short = text if len(text) <= 60 else text[:59] + "\u2026"
            problems.append(
                ReadProblem(record.file, line, f"RefWorks tag {tag} dropped: {short}", "info")
            )
    date = _date(fd, yr)
    if date:
        out.add("DA", date, record.start_line)
    converted = map_as_ris(out, record, schema, "refworks")
    return ConvertedRecord(
        converted.item,
        converted.notes,
        (*converted.attachments, *links),
        converted.identifiers,
        converted.source,
        (*problems, *converted.problems),
    )
