"""A Web of Science tagged record as a Zotero item, as Zotero's translator makes it.

Zotero's rules (translator "Web of Science Tagged", 2025): PT J/S/B/P to journal
article, book section, book, patent (DT "Proceedings Paper" makes a conference
paper); AF full names before AU short ones, one per line, an e-mail in
parentheses dropped; BE editors; PD and PY joined into the date without a
repeated year; BP/PS-EP the pages, AR (article number) when there are none; SO
the publication (a chapter's book, a paper's proceedings), JI the abbreviation;
SN/EI/BN by content to ISSN/ISBN; DE, ID, BD, OR, MC, MQ split on ``;`` into
tags, all-capital ones lowercased; CT the conference; the patent fields (PN, AE,
PC); UT the accession number in Extra (``Web of Science ID: WOS:...``, and other
databases' numbers such as ``CABI:...`` the same way); FN (the file's header)
the library catalog.

As for RIS records from Web of Science: TC (the Core Collection count, else Z9)
becomes one Extra line ``N citations (Web of Science)``, through the same rule
that reads WoS RIS's "Times Cited" note; J9, addresses, funding text and cited
references are dropped as Zotero drops them.
"""

from __future__ import annotations

import re

from syncd.formats.names import person
from syncd.formats.records import ConvertedRecord, RawRecord
from syncd.formats.via_ris import RisFields, editor_tag, map_as_ris, ris_type
from syncd.identifiers import all_issns, normalize_wos
from syncd.schema import Schema

_TYPES = {"J": "journalArticle", "S": "bookSection", "P": "patent", "B": "book"}
_DIRECT = {
    "TI": "TI",
    "JI": "J2",
    "VL": "VL",
    "IS": "IS",
    "AB": "AB",
    "DI": "DO",
    "LA": "LA",
}
_TAG_FIELDS = frozenset({"DE", "ID", "BD", "OR", "MC", "MQ"})
_EMAIL = re.compile(r"\s+\(.*")


def _text(value: str) -> str:
    return " ".join(value.split())


def _date(pd: str, py: str) -> str:
    """PD then PY, the year left out when PD has it (``FEB 2011`` + ``2011``)."""
    if py and py in pd:
        return pd
    return f"{pd} {py}".strip()


def map_wos(record: RawRecord, schema: Schema) -> ConvertedRecord:
    """One Web of Science record -> a Zotero item (pure)."""
    first: dict[str, tuple[str, int]] = {}
    for tag, value, line in zip(record.tags, record.values, record.lines, strict=True):
        first.setdefault(tag, (value, line))
    item_type = _TYPES.get(first.get("PT", ("J", 0))[0].strip(), "journalArticle")
    if first.get("DT", ("", 0))[0].strip().lower() == "proceedings paper":
        item_type = "conferencePaper"
    out = RisFields()
    out.add("TY", ris_type(item_type), record.start_line)
    editor = editor_tag(item_type)
    names = "AF" if "AF" in first else "AU"
    tags: list[tuple[str, int]] = []
    page_tag = "BP" if "BP" in first else "PS"
    set_fields: dict[str, str] = {}
    issns: list[str] = []
    if "FN" in first:
        set_fields["libraryCatalog"] = _text(first["FN"][0])
    if "BN" in first:  # first, so that a book's ISBN field holds the ISBN
        out.add("SN", _text(first["BN"][0]), first["BN"][1])
    for tag, value, line in zip(record.tags, record.values, record.lines, strict=True):
        if tag in _DIRECT:
            out.add(_DIRECT[tag], _text(value), line)
        elif tag == names or tag == "BE":
            for name in value.split("\n"):
                name = _EMAIL.sub("", name).strip()
                out.add("AU" if tag == names else editor, person(name), line)
        elif tag == "SO":
            out.add("JF", _text(value), line)
        elif tag in ("SN", "EI"):
            if item_type != "patent":  # the gazette's ISSN; RIS would make it the number
                out.add("SN", _text(value), line)
            issns += [x for x in all_issns(value) if x not in issns]
        elif tag == page_tag:
            out.add("SP", _text(value), line)
        elif tag == "EP" and page_tag == "BP":
            out.add("EP", _text(value), line)
        elif tag in ("PU", "PI") and item_type != "journalArticle":
            # A journal's publisher and its city are the journal's, not the article's.
            out.add("PB" if tag == "PU" else "CY", _title_case(_text(value)), line)
        elif tag == "AR":
            out.add("C7", _text(value), line)
        elif tag == "UT":
            ut = _text(value)
            if normalize_wos(ut):
                out.add("UT", ut, line)
            else:
                out.add("M2", f"Web of Science ID: {ut}", line)
        elif tag == "TC" or (tag == "Z9" and "TC" not in first):
            count = _text(value)
            if count.isdecimal():
                note = f"Times Cited in Web of Science Core Collection: {count}"
                out.add("N1", note, line)
        elif tag in _TAG_FIELDS:
            for kw in value.replace("\n", " ").split(";"):
                tags.append((" ".join(kw.split()), line))
        elif tag == "CT":
            set_fields["conferenceName"] = _text(value)
        elif tag == "PN":
            set_fields["patentNumber"] = _text(value)
        elif tag == "AE":
            set_fields["assignee"] = _title_case(_text(value))
        elif tag == "PC":
            set_fields["country"] = _text(value)
    date = _date(_text(first.get("PD", ("", 0))[0]), _text(first.get("PY", ("", 0))[0]))
    if date:
        out.add("DA", date, record.start_line)
    for kw, line in tags:
        out.add("KW", kw, line)
    return map_as_ris(out, record, schema, "wos", set_fields=set_fields, issns=tuple(issns))


def _title_case(value: str) -> str:
    """An all-capital name (``UNIV SICHUAN``) in title case, as Zotero writes publishers,
    places and assignees."""
    if value.upper() != value or " " not in value:
        return value  # mixed case, or one word (IEEE, an acronym)
    return value.title()
