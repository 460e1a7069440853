"""Conformance with Zotero's own CSL JSON import test (1 case, 1 item), scored as the
RIS cases are (``tests/conformance_bib.py``); the mapping's other rules are in
``test_csljson_mapping.py``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conformance_bib import Deliberate, Score, compare

from syncd.formats import csljson
from syncd.ris.mapping import ConvertedRecord
from syncd.schema import bundled_schema

CASES = Path(__file__).parents[2] / "fixtures" / "translators" / "csl-json.json"
THRESHOLD = 0.97

DELIBERATE: Deliberate = [
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
    cases = json.loads(CASES.read_text(encoding="utf-8"))["cases"]
    s = Score(DELIBERATE)
    for case, entry in enumerate(cases):
        path = tmp / f"case{case}.json"
        path.write_text(entry["input"], encoding="utf-8")
        converted = [
            r for r in csljson.convert(path, bundled_schema()) if isinstance(r, ConvertedRecord)
        ]
        assert len(converted) == len(entry["items"]), f"case {case}: record count"
        for index, (exp, conv) in enumerate(zip(entry["items"], converted, strict=True)):
            compare(case, index, exp, conv, s)
    return s


def test_share_of_expected_fields_is_at_least_97_percent(score: Score) -> None:
    print(score.summary())
    assert score.share >= THRESHOLD, score.summary() + "\n" + "\n".join(score.misses)


def test_every_difference_is_deliberate(score: Score) -> None:
    assert score.unexplained == []


def test_every_deliberate_row_is_needed(score: Score) -> None:
    assert score.unused_rows() == []
