"""Conformance with Zotero's own PubMed XML import tests (11 cases, 13 expected items).

Each input goes through the real reader and mapping (``syncd.formats.pubmed_xml``)
and is scored as the RIS cases are (``tests/conformance_helpers.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conformance_helpers import THRESHOLD, XML, Row, Score, load_cases, score_cases

from syncd.formats import pubmed_xml
from syncd.formats.records import ConvertedRecord
from syncd.schema import bundled_schema

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


def _convert(tmp: Path) -> Callable[[str, int], list[ConvertedRecord]]:
    def convert(text: str, case: int) -> list[ConvertedRecord]:
        path = tmp / f"case{case}.xml"
        path.write_text(text, encoding="utf-8")
        return [
            e for e in pubmed_xml.convert(path, bundled_schema()) if isinstance(e, ConvertedRecord)
        ]

    return convert


@pytest.fixture(scope="module")
def score(tmp_path_factory: pytest.TempPathFactory) -> Score:
    return score_cases(
        load_cases(FIXTURE), _convert(tmp_path_factory.mktemp("pubmed")), DELIBERATE, XML
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
    assert sum(len(c["items"]) for c in load_cases(FIXTURE)) == 13
