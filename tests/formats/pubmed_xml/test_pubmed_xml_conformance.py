"""Conformance with Zotero's own PubMed XML import tests (11 cases, 13 expected items).

Each input goes through the real reader and mapping (``syncd.formats.pubmed_xml``)
and is scored as the RIS cases are (``tests/conformance_helpers.py``).
"""

from __future__ import annotations

import pytest
from conformance_helpers import XML, ConformanceChecks, Row, Score, load_cases, score_package

from syncd.formats import pubmed_xml

FIXTURE = "pubmed-xml.json"
_NO_LINKS = (
    "no 'PubMed entry' link attachment: syncd writes no attachments, and the PMID "
    "(in its field or Extra) identifies the entry"
)
_PMID_EXTRA = (
    "a preprint has no PMID field: the PMID is kept as an Extra line 'PMID: ...' "
    "(Zotero's harness drops the invalid field), as for every format"
)
DELIBERATE: list[Row] = [(case, None, "attachments", _NO_LINKS) for case in range(11)]
DELIBERATE += [(case, 0, "extra", _PMID_EXTRA) for case in (8, 9, 10)]


@pytest.fixture(scope="module")
def score() -> Score:
    return score_package(load_cases(FIXTURE), pubmed_xml.convert, ".xml", DELIBERATE, XML)


class TestConformance(ConformanceChecks):
    pass


def test_item_count() -> None:
    assert sum(len(c["items"]) for c in load_cases(FIXTURE)) == 13
