"""Conformance with Zotero's own CSL JSON import test (1 case, 1 item), scored as the
RIS cases are (``tests/conformance_helpers.py``); the mapping's other rules are in
``test_csljson_mapping.py``."""

from __future__ import annotations

import pytest
from conformance_helpers import BIB, THRESHOLD, Row, Score, load_cases, score_cases

from syncd.formats import csljson
from syncd.formats.records import ConvertedRecord
from syncd.schema import bundled_schema

CASES = "csl-json.json"

DELIBERATE: list[Row] = [
    (0, 0, "date", "dates are ISO (2013-01-01) as every other format gives them"),
    (
        0,
        0,
        "citationKey",
        "Zotero's harness reports the CSL id as itemID; a URI is no citation key",
    ),
    (
        0,
        0,
        "extra",
        "event-place has no field on a book: kept in Extra as 'Event Place: ...' (as for"
        " RIS) where Zotero drops it",
    ),
]


@pytest.fixture(scope="module")
def score(tmp_path_factory: pytest.TempPathFactory) -> Score:
    tmp = tmp_path_factory.mktemp("csl-cases")

    def convert(text: str, case: int) -> list[ConvertedRecord]:
        path = tmp / f"case{case}.json"
        path.write_text(text, encoding="utf-8")
        return [
            r for r in csljson.convert(path, bundled_schema()) if isinstance(r, ConvertedRecord)
        ]

    return score_cases(load_cases(CASES), convert, DELIBERATE, BIB)


def test_share_of_expected_fields_is_at_least_97_percent(score: Score) -> None:
    print(score.summary())
    assert score.share >= THRESHOLD, score.summary() + "\n" + "\n".join(score.misses)


def test_every_difference_is_deliberate(score: Score) -> None:
    assert score.unexplained == []


def test_every_deliberate_row_is_needed(score: Score) -> None:
    assert score.unused_rows() == []
