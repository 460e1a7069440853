"""One CSV row -> Zotero item, per export (Zotero has no CSV import to follow).

Each export's columns are mapped to what the same export's RIS (Scopus) or tagged
(Web of Science) records give, so a work read from the CSV and from the other
export is one item with the same fields:

* identifiers: DOI, PubMed ID/PMID, PMCID to their fields (Extra lines where the
  type lacks them), Scopus ``EID`` -> ``Scopus EID: 2-s2.0-...``, WoS ``UT`` ->
  ``Web of Science ID: WOS:...``, ISSNs and ISBNs read by content;
* citation counts -> one Extra line per database (``12 citations (Scopus)``),
  through :func:`syncd.formats.ris.dialects.citation_line`, dated only by a date the export
  itself carries (Dimensions' "Exported on" line): Scopus' ``Cited by``, WoS ``TC``
  (``Z9``, its all-databases total, only when ``TC`` is absent, as the RIS dialect
  keeps the Core Collection count), Lens' ``Citing Works Count``, Dimensions'
  ``Times cited``;
* the platform's own record id, which no other export carries, as an Extra line
  (``Lens ID: ...``, ``Dimensions ID: pub....``) for the user to find the record;
* keywords (Scopus author and index keywords, WoS DE/ID, Lens keywords and MeSH,
  Dimensions MeSH) -> tags;
* affiliations, addresses, funding, references, usage counts, open-access flags and
  subject categories are dropped, as the RIS mapping drops them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

from syncd.formats.build import build_record
from syncd.formats.csv.reader import CsvRow
from syncd.formats.csv.shapes import Shape
from syncd.formats.markup import unescape_html
from syncd.formats.names import capitalize_title, creator, initials_first_name, surname_initials
from syncd.formats.records import ConvertedRecord, ReadProblem, SourceRef
from syncd.formats.ris.dialects import citation_line
from syncd.identifiers import (
    all_isbns,
    all_issns,
    clean_doi,
    normalize_pmcid,
    normalize_pmid,
    normalize_scopus_eid,
    normalize_wos,
)
from syncd.schema import Schema

_AUTHOR_ID_RE: Final = re.compile(r"\s*\(\d+\)\s*$")
_OLD_SCOPUS_NAME_RE: Final = re.compile(r"[^,;]+?\s(?:[A-Z]\.-?)+(?:,|$)")
_NO_ABSTRACT: Final = "[No abstract available]"

_SCOPUS_TYPES: Final = {
    "Conference Paper": "conferencePaper",
    "Conference Review": "conferencePaper",
    "Book Chapter": "bookSection",
    "Book": "book",
}
_WOS_TYPES: Final = {"J": "journalArticle", "S": "bookSection", "P": "patent", "B": "book"}
_LENS_TYPES: Final = {
    "journal article": "journalArticle",
    "book chapter": "bookSection",
    "book": "book",
    "conference proceedings article": "conferencePaper",
    "conference proceedings": "conferencePaper",
    "dissertation": "thesis",
    "preprint": "preprint",
    "report": "report",
    "dataset": "dataset",
}
_DIMENSIONS_TYPES: Final = {
    "article": "journalArticle",
    "chapter": "bookSection",
    "proceeding": "conferencePaper",
    "preprint": "preprint",
    "monograph": "book",
    "edited_book": "book",
}


class _Draft:
    """A row's fields, gathered before the item is built (see build_record)."""

    def __init__(self, row: CsvRow, item_type: str, schema: Schema) -> None:
        self.row = row
        self.item_type = item_type if schema.has_type(item_type) else "journalArticle"
        self.fields: dict[str, str] = {}
        self.creators: list[dict[str, Any]] = []
        self.tags: list[str] = []
        self.issns: list[str] = []
        self.isbns: list[str] = []
        self.found: dict[str, str] = {}
        self.extra: list[str] = []
        self.citations: list[str] = []

    def set(self, name: str, column: str, value: str | None = None) -> None:
        value = self.row.get(column) if value is None else value.strip()
        if value and not self.fields.get(name):
            if "<" in value or "&" in value:
                value = unescape_html(value)
            self.fields[name] = value

    def names(self, value: str, creator_type: str, *, inverted: bool = True) -> None:
        for part in value.split(";"):
            name = _AUTHOR_ID_RE.sub("", part).strip()
            if not inverted:
                name = initials_first_name(name)
            c = creator(name, creator_type) if name else None
            if c is not None:
                self.creators.append(c)

    def keywords(self, *columns: str) -> None:
        for column in columns:
            self.tags += [t.strip() for t in self.row.get(column).split(";") if t.strip()]

    def doi(self, column: str) -> None:
        value = self.row.get(column)
        doi = clean_doi(value) if value else None
        if doi:
            self.fields["DOI"] = doi

    def ident(self, kind: str, value: str | None) -> None:
        if value:
            self.found.setdefault(kind, value)

    def cited(self, column: str, database: str) -> bool:
        count = self.row.get(column)
        if count.isdigit():
            self.citations.append(citation_line(count, database, self.row.export_date or None))
            return True
        return False

    def pages(self, start: str, end: str, article: str = "") -> None:
        first, last = self.row.get(start), self.row.get(end)
        if first and last and first != last:
            self.fields["pages"] = f"{first}-{last}"
        elif first:
            self.fields["pages"] = first
        elif article := self.row.get(article) if article else "":
            self.fields["pages"] = article


def _scopus(row: CsvRow, schema: Schema) -> _Draft:
    d = _Draft(row, _SCOPUS_TYPES.get(row.get("Document Type"), "journalArticle"), schema)
    full = row.get("Author full names")
    authors = row.get("Authors")
    if full:
        d.names(full, "author")
    elif ";" not in authors and _OLD_SCOPUS_NAME_RE.match(authors):
        # Exports before 2023 write "Smith J., Doe J.-P." (surname, initials; commas).
        for name in authors.split(".,"):
            d.names(surname_initials(name.strip() + ("." if name[-1:] != "." else "")), "author")
    else:
        d.names(authors, "author")
    d.names(row.get("Editors"), "editor")
    d.set("title", "Title")
    d.set("date", "Year")
    d.set("publicationTitle", "Source title")
    d.set("journalAbbreviation", "Abbreviated Source Title")
    d.set("volume", "Volume")
    d.set("issue", "Issue")
    d.pages("Page start", "Page end", "Art. No.")
    d.doi("DOI")
    d.set("url", "Link")
    d.set("archive", "Source")  # "Scopus", as Scopus RIS's DB line gives it
    if row.get("Abstract") != _NO_ABSTRACT:
        d.set("abstractNote", "Abstract")
    d.keywords("Author Keywords", "Index Keywords")
    d.set("publisher", "Publisher")
    d.set("language", "Language of Original Document")
    if d.item_type == "conferencePaper":
        d.set("conferenceName", "Conference name")
        d.set("place", "Conference location")
    d.issns.append(row.get("ISSN"))
    d.isbns.append(row.get("ISBN"))
    d.ident("pmid", normalize_pmid(row.get("PubMed ID")))
    d.ident("scopus_eid", normalize_scopus_eid(row.get("EID")))
    d.cited("Cited by", "Scopus")
    return d


def _wos_title(value: str) -> str:
    # WoS writes source titles (and old records' titles) in capitals, as Zotero's
    # WoS import title-cases them.
    return capitalize_title(value) if value and value.upper() == value else value


def _wos(row: CsvRow, schema: Schema) -> _Draft:
    doc_type = row.get("DT").lower()
    item_type = _WOS_TYPES.get(row.get("PT"), "journalArticle")
    if "proceedings paper" in doc_type:
        item_type = "conferencePaper"
    elif "data set" in doc_type:
        item_type = "dataset"
    d = _Draft(row, item_type, schema)
    d.names(row.get("AF") or row.get("AU"), "inventor" if item_type == "patent" else "author")
    for group in (row.get("CA"), row.get("GP")):
        for name in (n.strip() for n in group.split(";")):
            if name:
                d.creators.append({"creatorType": "author", "name": name})
    d.names(row.get("BE"), "editor")
    d.set("title", "TI", _wos_title(row.get("TI")))
    d.set("publicationTitle", "SO", _wos_title(row.get("SO")))
    d.set("series", "SE", _wos_title(row.get("SE")))
    d.set("journalAbbreviation", "JI")
    d.set("language", "LA")
    d.set("abstractNote", "AB")
    d.set("publisher", "PU", _wos_title(row.get("PU")))
    d.set("place", "PI", _wos_title(row.get("PI")))
    d.set("volume", "VL")
    d.set("issue", "IS")
    d.pages("BP", "EP", "AR")
    d.doi("DI")
    month, year = row.get("PD"), row.get("PY")
    d.set("date", "PY", f"{month} {year}" if month and year and year not in month else year)
    if d.item_type == "conferencePaper":
        d.set("conferenceName", "CT")
        d.set("place", "CL")
    d.keywords("DE", "ID")
    d.issns += [row.get("SN"), row.get("EI")]
    d.isbns.append(row.get("BN"))
    d.ident("wos", normalize_wos(row.get("UT")) or normalize_wos("WOS:" + row.get("UT")))
    d.ident("pmid", normalize_pmid(row.get("PM")))
    if not d.cited("TC", "Web of Science"):
        d.cited("Z9", "Web of Science")
    return d


def _lens(row: CsvRow, schema: Schema) -> _Draft:
    d = _Draft(row, _LENS_TYPES.get(row.get("Publication Type").lower(), "journalArticle"), schema)
    d.names(row.get("Author/s"), "author", inverted=False)
    d.set("title", "Title")
    d.set("date", "Date Published")
    d.set("date", "Publication Year")
    d.set("publicationTitle", "Source Title")
    d.set("publisher", "Publisher")
    d.set("abstractNote", "Abstract")
    d.set("volume", "Volume")
    d.set("issue", "Issue Number")
    d.pages("Start Page", "End Page")
    d.doi("DOI")
    d.set("url", "External URL", row.get("External URL").split(";")[0])
    d.keywords("Keywords", "MeSH Terms")
    d.issns.append(row.get("ISSNs"))
    d.ident("pmid", normalize_pmid(row.get("PMID")))
    d.ident("pmcid", normalize_pmcid(row.get("PMCID")))
    if row.get("Lens ID"):
        d.extra.append(f"Lens ID: {row.get('Lens ID')}")
    d.cited("Citing Works Count", "Lens")
    return d


def _dimensions(row: CsvRow, schema: Schema) -> _Draft:
    kind = row.get("Publication Type").lower()
    d = _Draft(row, _DIMENSIONS_TYPES.get(kind, "journalArticle"), schema)
    d.names(row.get("Authors"), "author")
    d.set("title", "Title")
    d.set("date", "Publication date")
    d.set("date", "Publication Date")
    d.set("date", "PubYear")
    if d.item_type == "bookSection":
        d.set("publicationTitle", "Anthology title")
    d.set("publicationTitle", "Source title")
    d.set("publisher", "Publisher")
    d.set("abstractNote", "Abstract")
    d.set("volume", "Volume")
    d.set("issue", "Issue")
    d.set("pages", "Pagination")
    d.doi("DOI")
    d.set("url", "Source Linkout")
    d.keywords("MeSH terms")
    d.issns.append(row.get("ISSN"))
    d.isbns.append(row.get("ISBN"))
    d.ident("pmid", normalize_pmid(row.get("PMID")))
    d.ident("pmcid", normalize_pmcid(row.get("PMCID")))
    if row.get("Publication ID"):
        d.extra.append(f"Dimensions ID: {row.get('Publication ID')}")
    d.cited("Times cited", "Dimensions")
    return d


_MAPPERS: Final[dict[Shape, Callable[[CsvRow, Schema], _Draft]]] = {
    Shape.SCOPUS: _scopus,
    Shape.WOS: _wos,
    Shape.LENS: _lens,
    Shape.DIMENSIONS: _dimensions,
}


def map_row(row: CsvRow, schema: Schema, file: str) -> ConvertedRecord:
    """Convert one row of a recognised export (pure; see the module docstring)."""
    d = _MAPPERS[row.shape](row, schema)
    has = schema.fields_for(d.item_type)
    issns = all_issns(" ".join(d.issns))
    isbns = all_isbns(" ".join(d.isbns))
    if issns and "ISSN" in has:
        d.fields["ISSN"] = ", ".join(issns)
    if isbns and "ISBN" in has:
        d.fields["ISBN"] = ", ".join(isbns)
    problems: list[ReadProblem] = []
    if not d.fields.get("title"):
        problems.append(ReadProblem(file, row.line, "record has no title", "warning"))
    source = SourceRef(file, row.line, row.end_line, row.index, f"csv/{row.shape.value}")
    return build_record(
        d.item_type,
        d.fields,
        d.creators,
        source,
        schema,
        tags=d.tags,
        extra=d.extra,
        standard_numbers=[n for n in (*d.issns, *d.isbns) if n],
        found=d.found,
        citation_lines=d.citations,
        problems=problems,
    )
