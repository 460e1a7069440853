"""Conformance with Zotero's MEDLINE/nbib import tests (9 cases, 14 items).

Each input is written to a file and read through ``convert_file`` with format
detection, as the daemon reads it; scoring and the DELIBERATE rules are those of
tests/conformance_helpers.py (the RIS suite's).
"""

from __future__ import annotations

import pytest
from conformance_helpers import THRESHOLD, Row, Score, convert_text, load_cases, score_cases

from syncd.formats.records import ConvertedRecord

CASES = "medline-nbib.json"

_PMID_FIELD = (
    "PMID and PMCID go to the journal article's own PMID/PMCID fields (schema v41 has "
    "them), as syncd does for RIS records; Zotero's translator writes Extra lines"
)
_ISSN = "ISSNs canonical and comma-separated, as for RIS records (Zotero: space-separated)"
DELIBERATE: list[Row] = [
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


def _convert(text: str, case: int) -> list[ConvertedRecord]:
    return convert_text(text, None, f"{case}.nbib")


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


def test_every_case_is_read_as_medline() -> None:
    for case, entry in enumerate(load_cases(CASES)):
        for conv in _convert(entry["input"], case):
            assert conv.source.dialect == "medline"
