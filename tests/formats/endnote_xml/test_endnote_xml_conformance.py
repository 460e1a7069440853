"""Conformance with Zotero's own EndNote XML import tests (3 cases, 12 expected items).

Each input goes through the real reader and mapping (``syncd.formats.endnote_xml``)
and is scored as the RIS cases are (``tests/conformance_helpers.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conformance_helpers import THRESHOLD, XML, Row, Score, load_cases, score_cases

from syncd.formats import endnote_xml
from syncd.formats.records import ConvertedRecord
from syncd.schema import bundled_schema

FIXTURE = "endnote-xml.json"
_NO_FIELD_NOTE = (
    "values with no Zotero field: Zotero makes a note 'The following values have no "
    "corresponding Zotero field'; we keep them as fields where the schema now has one "
    "(place on an article) or drop a periodical name that repeats the mapped title"
)
DELIBERATE: list[Row] = [
    (0, 2, "notes", _NO_FIELD_NOTE),
    (0, 2, "place", "schema: journalArticle has a place field now; Zotero's note held it"),
    (0, 5, "notes", _NO_FIELD_NOTE),
    (0, 8, "notes", _NO_FIELD_NOTE),
    (
        1,
        0,
        "title",
        "EndNote's style runs are flattened to plain text (Zotero writes <b>, <i>, <sup>, "
        "<sub>), as the RIS mapping removes markup: one title for the work from any format",
    ),
    (
        2,
        0,
        "citationKey",
        "label -> the citationKey field (Zotero writes an Extra line 'Citation Key: ...', "
        "which stays a scored miss; the schema has the field, and RIS's citation keys go there)",
    ),
]


def _convert(tmp: Path) -> Callable[[str, int], list[ConvertedRecord]]:
    def convert(text: str, case: int) -> list[ConvertedRecord]:
        path = tmp / f"case{case}.xml"
        path.write_text(text, encoding="utf-8")
        return [
            e for e in endnote_xml.convert(path, bundled_schema()) if isinstance(e, ConvertedRecord)
        ]

    return convert


@pytest.fixture(scope="module")
def score(tmp_path_factory: pytest.TempPathFactory) -> Score:
    tmp = tmp_path_factory.mktemp("endnote")
    return score_cases(load_cases(FIXTURE), _convert(tmp), DELIBERATE, XML)


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
    assert sum(len(c["items"]) for c in load_cases(FIXTURE)) == 12
