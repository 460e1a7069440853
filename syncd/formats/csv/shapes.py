"""The CSV and tab-delimited exports syncd knows, recognised by their header rows.

Column names are the exporters' own (their documentation and export dialogs):

* **Scopus** "CSV export": ``Authors, Author full names, Author(s) ID, Title, Year,
  Source title, Volume, Issue, Art. No., Page start, Page end, Page count, Cited by,
  DOI, Link, Affiliations, Authors with affiliations, Abstract, Author Keywords, Index
  Keywords, ..., Editors, Publisher, ..., Conference name, ..., ISSN, ISBN, CODEN,
  PubMed ID, Language of Original Document, Abbreviated Source Title, Document
  Type, Publication Stage, Open Access, Source, EID``. The user picks the columns;
  the ones below are in every export that identifies its records.
* **Web of Science** "Tab-delimited file": one column per two-letter field tag (``PT
  AU BA BE GP AF BF CA TI SO SE BS LA DT ... TC Z9 U1 U2 PU PI PA SN EI BN J9 JI PD
  PY VL IS ... BP EP AR DI ... PG WC WE SC GA PM OA HC HP DA UT``), the tags of its
  plain-text export.
* **Lens** scholarly "CSV": ``Lens ID, Title, Date Published, Publication Year,
  Publication Type, Source Title, ISSNs, Publisher, Source Country, Author/s,
  Abstract, Volume, Issue Number, Start Page, End Page, Fields of Study, Keywords,
  MeSH Terms, Chemicals, Funding, Source URLs, External URL, PMID, DOI, Microsoft
  Academic ID, PMCID, Citing Patents Count, References, Citing Works Count``.
* **Dimensions** publications "CSV": a first line of export notes (``About the data:
  Exported on Sep 30, 2026 ...``), then ``Rank, Publication ID, DOI, PMID, PMCID,
  ISBN, Title, Abstract, ..., Source title, Anthology title, Publisher, ISSN, MeSH
  terms, Publication date, PubYear, ..., Volume, Issue, Pagination, ..., Publication
  Type, Document Type, Authors, ..., Times cited, ..., Source Linkout, Dimensions
  URL``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class Shape(StrEnum):
    SCOPUS = "scopus"
    WOS = "wos"
    LENS = "lens"
    DIMENSIONS = "dimensions"


LABELS: Final = {
    Shape.SCOPUS: "Scopus CSV",
    Shape.WOS: "Web of Science tab-delimited",
    Shape.LENS: "Lens CSV",
    Shape.DIMENSIONS: "Dimensions CSV",
}
# The columns that make a header row this export: without them its records cannot
# be told apart (no identifier) or named (no title).
REQUIRED: Final[dict[Shape, tuple[str, ...]]] = {
    Shape.SCOPUS: ("Authors", "Title", "Year", "Source title", "EID"),
    Shape.WOS: ("PT", "AU", "TI", "SO", "UT"),
    Shape.LENS: ("Lens ID", "Title", "Publication Year", "Source Title"),
    Shape.DIMENSIONS: ("Publication ID", "Title", "PubYear", "Source title"),
}
DELIMITERS: Final = {Shape.WOS: "\t"}


def recognise(header: list[str]) -> Shape | None:
    """The export whose required columns the header row has, if any."""
    names = {name.strip().lstrip("\ufeff") for name in header}
    for shape, required in REQUIRED.items():
        if all(column in names for column in required):
            return shape
    return None


def nearest(header: list[str]) -> tuple[Shape, list[str]]:
    """The known export the header is closest to, and the columns it lacks for it."""
    names = {name.strip().lstrip("\ufeff") for name in header}
    best = min(
        REQUIRED,
        key=lambda s: (sum(1 for c in REQUIRED[s] if c not in names), list(Shape).index(s)),
    )
    return best, [c for c in REQUIRED[best] if c not in names]


def split_header(line: str) -> tuple[list[str], str]:
    """A header line's column names and its delimiter (tab or comma)."""
    delimiter = "\t" if line.count("\t") > line.count(",") else ","
    names = [n.strip().strip('"').strip() for n in line.split(delimiter)]
    return names, delimiter
