"""Conformance with Zotero's own BibTeX import tests (24 cases, 34 expected items).

Each input goes through :func:`syncd.formats.bibtex.convert` (reader and mapping, as
the frame calls it) and is scored by ``tests/conformance_helpers.py`` the way the RIS
cases are: >= 97% of expected values equal, every difference explained by a row of
``DELIBERATE``, every row still needed.

Differences left as misses (scored against us, below the threshold's 3%): case 9's
and case 18's escape oddities (``\\\\i``, ``D\\\\'ecoret``, ``TEL`` turned into ℡ by
Zotero's symbol table), case 19's
``KC`` (Zotero adds dots to initials) and case 21's ``D\\textquotesingle aspremont``
(Zotero keeps the space LaTeX drops after a control word).
"""

from __future__ import annotations

import pytest
from conformance_helpers import BIB, ConformanceChecks, Row, Score, load_cases, score_package

from syncd.formats import bibtex

CASES = "bibtex.json"

_DASH = (
    "page ranges are written with '-' as RIS's SP-EP gives them, not Zotero's en dash,"
    " so the same work from BibTeX and RIS is one item and a re-sync writes nothing"
)
_PAGES = "# of Pages: fields the type lacks are kept in Extra as 'Label: value' (as for RIS)"
DELIBERATE: list[Row] = [
    (0, 0, "pages", _DASH),
    (2, 0, "pages", _DASH + " (an em dash too)"),
    (10, 0, "pages", _DASH),
    (14, 0, "pages", _DASH),
    (15, None, "pages", _DASH),
    (16, 0, "pages", _DASH),
    (
        6,
        0,
        "title",
        "font commands give plain text, not Zotero's <i>/<b>/<span> markup: syncd strips"
        " markup from every format, so titles agree across formats",
    ),
    (6, 0, "publicationTitle", "superscript as plain text, not <sup> (as the title)"),
    (14, 0, "extra", _PAGES),
    (20, 0, "extra", _PAGES),
    (
        15,
        0,
        "publisher",
        "stale expectation: the schema gives journalArticle publisher and place now"
        " (the schema wins, translator-tests/README)",
    ),
    (15, 0, "place", "stale expectation: the schema gives journalArticle a place field now"),
]


@pytest.fixture(scope="module")
def score() -> Score:
    return score_package(load_cases(CASES), bibtex.convert, ".bib", DELIBERATE, BIB)


class TestConformance(ConformanceChecks):
    pass


def test_the_cases_hold_34_items() -> None:
    assert sum(len(c["items"]) for c in load_cases(CASES)) == 34
