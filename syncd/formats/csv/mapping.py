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
from enum import Enum
from typing import Any, Final, NamedTuple

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


class _Take(Enum):
    """How a column's value becomes a field's."""

    TEXT = "text"  # stripped, HTML entities decoded; a field's first non-empty value wins
    CAPITALS = "capitals"  # TEXT, title-cased when the exporter wrote it in capitals
    FIRST = "first"  # TEXT of the first of a ";"-separated list
    MONTH_YEAR = "month year"  # WoS' PD and PY columns: "JUL 2020", or the year alone
    PAGES = "pages"  # first page, last page (and article number) columns: "12-15"
    DOI = "doi"  # a DOI read from the value, if there is one


class _Column(NamedTuple):
    """Where one Zotero field of an item comes from in an export's row."""

    field: str
    columns: tuple[str, ...]
    take: _Take = _Take.TEXT
    only_for: str = ""  # the item type this column is read for ("": every type)
    unless: str = ""  # the exporter's words for "none", read as an empty value


def _col(
    field: str, *columns: str, take: _Take = _Take.TEXT, only_for: str = "", unless: str = ""
) -> _Column:
    return _Column(field, columns, take, only_for, unless)


class _Export(NamedTuple):
    """One export's columns: fields in the order they are set (which value wins a
    field two columns give is decided by that order), then everything else a row
    carries besides its type and creators."""

    fields: tuple[_Column, ...]
    keywords: tuple[str, ...]
    issns: tuple[str, ...]
    isbns: tuple[str, ...]
    ids: tuple[tuple[str, str, Callable[[str], str | None]], ...]  # kind, column, reader
    cited: tuple[tuple[str, ...], str]  # count columns (the first with a count wins), database
    record_id: tuple[str, str] | None = None  # column, Extra label of the platform's own id


def _wos_ut(value: str) -> str | None:
    return normalize_wos(value) or normalize_wos("WOS:" + value)


_EXPORTS: Final[dict[Shape, _Export]] = {
    Shape.SCOPUS: _Export(
        fields=(
            _col("title", "Title"),
            _col("date", "Year"),
            _col("publicationTitle", "Source title"),
            _col("journalAbbreviation", "Abbreviated Source Title"),
            _col("volume", "Volume"),
            _col("issue", "Issue"),
            _col("pages", "Page start", "Page end", "Art. No.", take=_Take.PAGES),
            _col("DOI", "DOI", take=_Take.DOI),
            _col("url", "Link"),
            _col("archive", "Source"),  # "Scopus", as Scopus RIS's DB line gives it
            _col("abstractNote", "Abstract", unless="[No abstract available]"),
            _col("publisher", "Publisher"),
            _col("language", "Language of Original Document"),
            _col("conferenceName", "Conference name", only_for="conferencePaper"),
            _col("place", "Conference location", only_for="conferencePaper"),
        ),
        keywords=("Author Keywords", "Index Keywords"),
        issns=("ISSN",),
        isbns=("ISBN",),
        ids=(("pmid", "PubMed ID", normalize_pmid), ("scopus_eid", "EID", normalize_scopus_eid)),
        cited=(("Cited by",), "Scopus"),
    ),
    Shape.WOS: _Export(
        fields=(
            _col("title", "TI", take=_Take.CAPITALS),
            _col("publicationTitle", "SO", take=_Take.CAPITALS),
            _col("series", "SE", take=_Take.CAPITALS),
            _col("journalAbbreviation", "JI"),
            _col("language", "LA"),
            _col("abstractNote", "AB"),
            _col("publisher", "PU", take=_Take.CAPITALS),
            _col("place", "PI", take=_Take.CAPITALS),
            _col("volume", "VL"),
            _col("issue", "IS"),
            _col("pages", "BP", "EP", "AR", take=_Take.PAGES),
            _col("DOI", "DI", take=_Take.DOI),
            _col("date", "PD", "PY", take=_Take.MONTH_YEAR),
            _col("conferenceName", "CT", only_for="conferencePaper"),
            _col("place", "CL", only_for="conferencePaper"),
        ),
        keywords=("DE", "ID"),
        issns=("SN", "EI"),
        isbns=("BN",),
        ids=(("wos", "UT", _wos_ut), ("pmid", "PM", normalize_pmid)),
        # Z9, the all-databases total, only without TC, as the RIS dialect keeps the
        # Core Collection count.
        cited=(("TC", "Z9"), "Web of Science"),
    ),
    Shape.LENS: _Export(
        fields=(
            _col("title", "Title"),
            _col("date", "Date Published"),
            _col("date", "Publication Year"),
            _col("publicationTitle", "Source Title"),
            _col("publisher", "Publisher"),
            _col("abstractNote", "Abstract"),
            _col("volume", "Volume"),
            _col("issue", "Issue Number"),
            _col("pages", "Start Page", "End Page", take=_Take.PAGES),
            _col("DOI", "DOI", take=_Take.DOI),
            _col("url", "External URL", take=_Take.FIRST),
        ),
        keywords=("Keywords", "MeSH Terms"),
        issns=("ISSNs",),
        isbns=(),
        ids=(("pmid", "PMID", normalize_pmid), ("pmcid", "PMCID", normalize_pmcid)),
        cited=(("Citing Works Count",), "Lens"),
        record_id=("Lens ID", "Lens ID"),
    ),
    Shape.DIMENSIONS: _Export(
        fields=(
            _col("title", "Title"),
            _col("date", "Publication date"),
            _col("date", "Publication Date"),
            _col("date", "PubYear"),
            _col("publicationTitle", "Anthology title", only_for="bookSection"),
            _col("publicationTitle", "Source title"),
            _col("publisher", "Publisher"),
            _col("abstractNote", "Abstract"),
            _col("volume", "Volume"),
            _col("issue", "Issue"),
            _col("pages", "Pagination"),
            _col("DOI", "DOI", take=_Take.DOI),
            _col("url", "Source Linkout"),
        ),
        keywords=("MeSH terms",),
        issns=("ISSN",),
        isbns=("ISBN",),
        ids=(("pmid", "PMID", normalize_pmid), ("pmcid", "PMCID", normalize_pmcid)),
        cited=(("Times cited",), "Dimensions"),
        record_id=("Publication ID", "Dimensions ID"),
    ),
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

    def fill(self, export: _Export) -> None:
        """Everything but the type and the creators, from the export's column table."""
        row = self.row
        for column in export.fields:
            if not column.only_for or column.only_for == self.item_type:
                self.take(column)
        for keywords in export.keywords:
            self.tags += [t.strip() for t in row.get(keywords).split(";") if t.strip()]
        self.issns += [row.get(c) for c in export.issns]
        self.isbns += [row.get(c) for c in export.isbns]
        for kind, name, read in export.ids:
            value = read(row.get(name))
            if value:
                self.found.setdefault(kind, value)
        if export.record_id is not None:
            name, label = export.record_id
            if row.get(name):
                self.extra.append(f"{label}: {row.get(name)}")
        counts, database = export.cited
        for name in counts:
            count = row.get(name)
            if count.isdigit():
                date = row.export_date or None
                self.citations.append(citation_line(count, database, date))
                break

    def take(self, column: _Column) -> None:
        get = self.row.get
        take = column.take
        if take is _Take.PAGES:
            self.pages(*column.columns)
        elif take is _Take.DOI:
            value = get(column.columns[0])
            doi = clean_doi(value) if value else None
            if doi:
                self.fields["DOI"] = doi
        elif take is _Take.MONTH_YEAR:
            month, year = (get(name) for name in column.columns)
            self.set(
                column.field, f"{month} {year}" if month and year and year not in month else year
            )
        else:
            value = get(column.columns[0])
            if take is _Take.CAPITALS:
                value = _wos_title(value)
            elif take is _Take.FIRST:
                value = value.split(";")[0]
            if not column.unless or value != column.unless:
                self.set(column.field, value)

    def set(self, name: str, value: str) -> None:
        value = value.strip()
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

    def pages(self, start: str, end: str, article: str = "") -> None:
        first, last = self.row.get(start), self.row.get(end)
        if first and last and first != last:
            self.fields["pages"] = f"{first}-{last}"
        elif first:
            self.fields["pages"] = first
        elif article := self.row.get(article) if article else "":
            self.fields["pages"] = article


# Each export's own part: its item type and its creators; the rest is in _EXPORTS.


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
    return d


def _lens(row: CsvRow, schema: Schema) -> _Draft:
    d = _Draft(row, _LENS_TYPES.get(row.get("Publication Type").lower(), "journalArticle"), schema)
    d.names(row.get("Author/s"), "author", inverted=False)
    return d


def _dimensions(row: CsvRow, schema: Schema) -> _Draft:
    kind = row.get("Publication Type").lower()
    d = _Draft(row, _DIMENSIONS_TYPES.get(kind, "journalArticle"), schema)
    d.names(row.get("Authors"), "author")
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
    d.fill(_EXPORTS[row.shape])
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
