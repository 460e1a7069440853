"""Conformance with Zotero's MEDLINE/nbib (9 cases, 14 items), Web of Science tagged
(9 cases, 17 items) and RefWorks tagged (4 cases, 4 items) import tests.

Each input is written to a file and read through ``convert_file`` with format
detection, as the daemon reads it; scoring and the DELIBERATE rules are those of
tests/conformance_helpers.py (the RIS suite's). Each format's rows are its own list.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from conformance_helpers import ConformanceChecks, Row, Score, convert_text, load_cases, score_cases

from syncd.formats.records import ConvertedRecord

# MEDLINE/nbib

_PMID_FIELD = (
    "PMID and PMCID go to the journal article's own PMID/PMCID fields (schema v41 has "
    "them), as syncd does for RIS records; Zotero's translator writes Extra lines"
)
_ISSN = "ISSNs canonical and comma-separated, as for RIS records (Zotero: space-separated)"
MEDLINE: list[Row] = [
    *[(case, 0, "PMID", _PMID_FIELD) for case in (1, 2, 3, 5, 8)],
    *[(case, 0, "PMCID", _PMID_FIELD) for case in (1, 5)],
    (3, 0, "ISSN", _ISSN),
    (8, 0, "ISSN", _ISSN),
    (
        7,
        0,
        "ISBN",
        "ERIC's ISBN 979-8-2098-8762-1 is a valid ISBN-13: kept (Zotero's cleanISBN of "
        "the time refused the 979 prefix)",
    ),
    (
        7,
        1,
        "title",
        "a Book without BTI keeps its TI as the title (Zotero replaces the title with the "
        "missing book title and leaves the book untitled)",
    ),
]

# Web of Science tagged

_CITATIONS = (
    "TC (the Core Collection count) becomes one Extra line 'N citations (Web of "
    "Science)', as WoS RIS's Times Cited note does; Zotero drops it"
)
_CATALOG = (
    "the FN header is the library catalog of every record of the file; Zotero's "
    "translator gives it to the first record only"
)
_TO_EXTRA = "a value with no field of its item type goes to Extra as 'Label: value'"
WOS: list[Row] = [
    *[(case, None, "extra", _CITATIONS) for case in (0, 2, 6, 7, 8)],
    (3, 0, "extra", _CITATIONS + "; " + _TO_EXTRA + " (JI on a chapter, as for WoS RIS)"),
    (5, None, "extra", _CITATIONS + "; " + _TO_EXTRA + " (SO on a book)"),
    (4, 0, "extra", _TO_EXTRA + " (SO on a patent)"),
    *[(0, item, "libraryCatalog", _CATALOG) for item in (1, 2, 3, 4)],
    *[(5, item, "libraryCatalog", _CATALOG) for item in (1, 2, 3)],
    (3, 0, "DOI", "schema v41 gives book sections a DOI field; Zotero's expectation predates it"),
    (
        3,
        0,
        "ISSN",
        "schema v41 gives book sections an ISSN field; Zotero's expectation predates it",
    ),
]

# RefWorks tagged

_RW_NOTE = (
    "no '_RW import' child note: RefWorks tags without a Zotero field (SR, ID, AN, AD, "
    "CL, SF, OL) are dropped and reported as info, as unknown RIS tags are"
)
REFWORKS: list[Row] = [
    *[(case, 0, "notes", _RW_NOTE) for case in range(4)],
    (0, 0, "extra", "IS on a book section (no issue field) kept in Extra as 'Issue: 3'"),
    (
        0,
        0,
        "ISBN",
        "an ISBN field holding more than ISBNs ('0727912771 (paperback)') is reduced to its "
        "ISBNs, as for RIS records",
    ),
    (1, 0, "ISBN", "schema v41 gives theses an ISBN field; Zotero's expectation predates it"),
    (
        2,
        0,
        "publisher",
        "schema v41 gives journal articles a publisher field; Zotero's expectation predates it",
    ),
]


@dataclass(frozen=True)
class Suite:
    """One format's cases: the fixture, the file name they are read as, the dialect
    detection must find, and the deliberate differences."""

    cases: str
    suffix: str
    dialect: str
    deliberate: list[Row]

    def convert(self, text: str, case: int) -> list[ConvertedRecord]:
        return convert_text(text, None, f"{case}{self.suffix}")


SUITES = {
    "medline": Suite("medline-nbib.json", ".nbib", "medline", MEDLINE),
    "wos": Suite("wos-tagged.json", ".txt", "wos", WOS),
    "refworks": Suite("refworks-tagged.json", ".txt", "refworks", REFWORKS),
}


@pytest.fixture(scope="module", params=list(SUITES))
def suite(request: pytest.FixtureRequest) -> Suite:
    return SUITES[request.param]


@pytest.fixture(scope="module")
def score(suite: Suite) -> Score:
    return score_cases(load_cases(suite.cases), suite.convert, suite.deliberate)


class TestConformance(ConformanceChecks):
    pass


def test_every_case_is_read_in_its_own_format(suite: Suite) -> None:
    for case, entry in enumerate(load_cases(suite.cases)):
        for conv in suite.convert(entry["input"], case):
            assert conv.source.dialect == suite.dialect
