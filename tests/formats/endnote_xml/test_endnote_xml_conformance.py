"""Conformance with Zotero's own EndNote XML import tests (3 cases, 12 expected items).

Each input goes through the real reader and mapping (``syncd.formats.endnote_xml``)
and is scored as the RIS cases are (``tests/conformance_helpers.py``).
"""

from __future__ import annotations

import pytest
from conformance_helpers import XML, ConformanceChecks, Row, Score, load_cases, score_package

from syncd.formats import endnote_xml

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


@pytest.fixture(scope="module")
def score() -> Score:
    return score_package(load_cases(FIXTURE), endnote_xml.convert, ".xml", DELIBERATE, XML)


class TestConformance(ConformanceChecks):
    pass


def test_item_count() -> None:
    assert sum(len(c["items"]) for c in load_cases(FIXTURE)) == 12
