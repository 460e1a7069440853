"""Issue 18's acceptance: one work written as every export syncd reads (RIS, MEDLINE,
Web of Science tagged, BibTeX, CSL-JSON, EndNote XML, PubMed XML, RefWorks and the
four CSV shapes), synced one after another into one library, is one item, and
syncing any of them again writes nothing, whatever order they came in.

Every file goes through the real frame: the session's ``convert_file`` detects the
format from the content (a ``.txt`` is MEDLINE, WoS tagged, RefWorks or WoS
tab-delimited by what it holds), nothing is pointed at a reader by hand.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from conftest import TEST_KEY, make_sandbox
from hypothesis import given, settings
from hypothesis import strategies as st
from one_work import DOI, EID, PMID, WRITERS, write
from sync_helpers import regular_items, session_for, sync_file

from syncd.convert import convert_file
from syncd.formats.records import ConvertedRecord
from syncd.schema import bundled_schema

NAMES = ["scopus.ris", *WRITERS]
EXPECTED_DIALECTS = {
    "pubmed.nbib": "medline",
    "savedrecs.txt": "wos",
    "refworks.txt": "refworks",
    "scopus.bib": "bibtex",
    "items.json": "csljson",
}


def _converge(sandbox: Any, folder: Path, names: Sequence[str]) -> None:
    """Sync ``names`` in order, then each again; assert one item and no write."""
    paths = [write(folder, name) for name in names]
    with session_for(sandbox, folder / "state.sqlite", TEST_KEY) as session:
        for path in paths:
            report = sync_file(session, path)
            assert report.counts()["failed"] == 0, (path.name, report.problems)
        writes = sandbox.count(kind="write")
        again = {path.name: [o.kind for o in sync_file(session, path).outcomes] for path in paths}
        assert sandbox.count(kind="write") == writes
    assert again == {path.name: ["unchanged"] for path in paths}
    (item,) = regular_items(sandbox)
    assert item["DOI"] == DOI
    assert item["PMID"] == PMID
    extra = item["extra"].split("\n")
    assert f"Scopus EID: {EID}" in extra
    assert "Web of Science ID: WOS:000510000000001" in extra


def test_every_file_is_read_as_the_format_it_holds_not_by_its_name(tmp_path: Path) -> None:
    schema = bundled_schema()
    for name, dialect in EXPECTED_DIALECTS.items():
        (record,) = [
            r for r in convert_file(write(tmp_path, name), schema) if isinstance(r, ConvertedRecord)
        ]
        assert record.source.dialect.split("/")[0] == dialect, name


def test_the_work_from_every_format_in_turn_is_one_item_and_a_resync_writes_nothing(
    sandbox: Any, tmp_path: Path
) -> None:
    _converge(sandbox, tmp_path, NAMES)


def test_the_same_files_in_reverse_order_converge_the_same_way(
    sandbox: Any, tmp_path: Path
) -> None:
    _converge(sandbox, tmp_path, NAMES[::-1])


@settings(max_examples=3, deadline=None)
@given(order=st.permutations(NAMES))
def test_the_same_files_in_any_order_converge_the_same_way(order: list[str]) -> None:
    # A fresh library per example: a shuffled order must start from an empty one.
    sandbox = make_sandbox()
    sandbox.start()
    try:
        with tempfile.TemporaryDirectory(prefix="syncd-every-format-") as tmp:
            _converge(sandbox, Path(tmp), order)
    finally:
        sandbox.stop()
