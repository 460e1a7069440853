"""Scopus, Web of Science (tab-delimited), Lens and Dimensions CSV exports against the
items expected from them (4 cases, 8 items).

Zotero imports no CSV, so there are no Zotero cases: ``tests/fixtures/csv/make_cases.py``
builds each export from the columns its exporter documents and writes the expected
items by hand. Scored as Zotero's cases are for the other formats
(``tests/conformance_helpers.py``); every difference must be a DELIBERATE row.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conformance_helpers import XML, ConformanceChecks, Row, Score, load_cases, score_package

from syncd.formats import csv as csv_format

FOLDER = Path(__file__).parents[2] / "fixtures" / "csv"
FIXTURE = "csv-exports.json"
DELIBERATE: list[Row] = []


@pytest.fixture(scope="module")
def score() -> Score:
    return score_package(load_cases(FIXTURE, FOLDER), csv_format.convert, ".csv", DELIBERATE, XML)


class TestConformance(ConformanceChecks):
    pass


def test_item_count() -> None:
    assert sum(len(c["items"]) for c in load_cases(FIXTURE, FOLDER)) == 8
