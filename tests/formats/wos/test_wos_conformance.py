"""Conformance with Zotero's Web of Science tagged import tests (9 cases, 17 items).

Each input is written to a file and read through ``convert_file`` with format
detection, as the daemon reads it; scoring and the DELIBERATE rules are those of
tests/conformance_helpers.py (the RIS suite's).
"""

from __future__ import annotations

import pytest
from conformance_helpers import THRESHOLD, Row, Score, convert_text, load_cases, score_cases

from syncd.formats.records import ConvertedRecord

CASES = "wos-tagged.json"

_CITATIONS = (
    "TC (the Core Collection count) becomes one Extra line 'N citations (Web of "
    "Science)', as WoS RIS's Times Cited note does; Zotero drops it"
)
_CATALOG = (
    "the FN header is the library catalog of every record of the file; Zotero's "
    "translator gives it to the first record only"
)
_TO_EXTRA = "a value with no field of its item type goes to Extra as 'Label: value'"
DELIBERATE: list[Row] = [
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


def _convert(text: str, case: int) -> list[ConvertedRecord]:
    return convert_text(text, None, f"{case}.txt")


@pytest.fixture(scope="module")
def score() -> Score:
    return score_cases(load_cases(CASES), _convert, DELIBERATE)


def test_share_of_expected_fields(score: Score) -> None:
    print(score.summary())
    for miss in score.misses:
        print("  miss:", miss)
    assert score.share >= THRESHOLD, score.summary() + "\n" + "\n".join(score.misses)


def test_every_difference_is_deliberate(score: Score) -> None:
    assert score.unexplained == []


def test_every_deliberate_row_is_needed(score: Score) -> None:
    assert score.unused_rows() == []


def test_every_case_is_read_as_wos() -> None:
    for case, entry in enumerate(load_cases(CASES)):
        for conv in _convert(entry["input"], case):
            assert conv.source.dialect == "wos"
