"""Conformance with Zotero's RefWorks tagged import tests (4 cases, 4 items).

Each input is written to a file and read through ``convert_file`` with format
detection, as the daemon reads it; scoring and the DELIBERATE rules are those of
tests/conformance_helpers.py (the RIS suite's).
"""

from __future__ import annotations

import pytest
from conformance_helpers import THRESHOLD, Row, Score, convert_text, load_cases, score_cases

from syncd.formats.records import ConvertedRecord

CASES = "refworks-tagged.json"

_RW_NOTE = (
    "no '_RW import' child note: RefWorks tags without a Zotero field (SR, ID, AN, AD, "
    "CL, SF, OL) are dropped and reported as info, as unknown RIS tags are"
)
DELIBERATE: list[Row] = [
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


def test_every_case_is_read_as_refworks() -> None:
    for case, entry in enumerate(load_cases(CASES)):
        for conv in _convert(entry["input"], case):
            assert conv.source.dialect == "refworks"
