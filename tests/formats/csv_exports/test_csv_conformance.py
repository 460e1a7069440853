"""Scopus, Web of Science (tab-delimited), Lens and Dimensions CSV exports against the
items expected from them (4 cases, 8 items).

Zotero imports no CSV, so there are no Zotero cases: ``tests/fixtures/csv/make_cases.py``
builds each export from the columns its exporter documents and writes the expected
items by hand. Scored as Zotero's cases are for the other formats
(``tests/conformance_helpers.py``); every difference must be a DELIBERATE row.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conformance_helpers import THRESHOLD, XML, Row, Score, load_cases, score_cases

from syncd.formats import csv as csv_format
from syncd.formats.records import ConvertedRecord
from syncd.schema import bundled_schema

FOLDER = Path(__file__).parents[2] / "fixtures" / "csv"
FIXTURE = "csv-exports.json"
DELIBERATE: list[Row] = []


def _convert(tmp: Path) -> Callable[[str, int], list[ConvertedRecord]]:
    def convert(text: str, case: int) -> list[ConvertedRecord]:
        path = tmp / f"case{case}.csv"
        path.write_bytes(text.encode("utf-8"))
        return [
            e for e in csv_format.convert(path, bundled_schema()) if isinstance(e, ConvertedRecord)
        ]

    return convert


@pytest.fixture(scope="module")
def score(tmp_path_factory: pytest.TempPathFactory) -> Score:
    return score_cases(
        load_cases(FIXTURE, FOLDER), _convert(tmp_path_factory.mktemp("csv")), DELIBERATE, XML
    )


def test_share_of_expected_fields(score: Score) -> None:
    summary = f"conformance: {score.hits}/{score.total} = {score.share:.2%} of expected values"
    print(summary)
    for miss in score.misses:
        print("  miss:", miss)
    assert score.share >= THRESHOLD, summary + "\n" + "\n".join(score.misses)


def test_every_difference_is_deliberate(score: Score) -> None:
    assert score.unexplained == []


def test_every_deliberate_row_is_needed(score: Score) -> None:
    assert score.unused_rows() == []


def test_item_count() -> None:
    assert sum(len(c["items"]) for c in load_cases(FIXTURE, FOLDER)) == 8
