"""Conformance with Zotero's own CSL JSON import test (1 case, 1 item), scored as the
RIS cases are (``tests/conformance_helpers.py``); the mapping's other rules are in
``test_csljson_mapping.py``."""

from __future__ import annotations

import pytest
from conformance_helpers import BIB, ConformanceChecks, Row, Score, load_cases, score_package

from syncd.formats import csljson

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
def score() -> Score:
    return score_package(load_cases(CASES), csljson.convert, ".json", DELIBERATE, BIB)


class TestConformance(ConformanceChecks):
    pass
