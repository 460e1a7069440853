"""A work from EndNote XML, PubMed XML or a CSV export and the same work as Scopus RIS
become one item in the sandbox, and syncing either file again writes nothing.

Each file goes through the real frame (the session's ``convert_file`` picks the
format by content), then the real sync: planner, merge, API client.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import TEST_KEY
from one_work import DOI, write
from sync_helpers import regular_items, session_for, sync_file


def writes(sandbox: Any) -> int:
    return int(sandbox.count(kind="write"))


@pytest.mark.parametrize(
    "name", ["endnote.xml", "pubmed.xml", "scopus.csv", "wos.txt", "lens.csv", "dimensions.csv"]
)
def test_the_work_from_this_format_and_from_scopus_ris_is_one_item(
    sandbox: Any, tmp_path: Path, name: str
) -> None:
    other = write(tmp_path, name)
    ris = write(tmp_path, "scopus.ris")
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        first = sync_file(session, other)
        assert first.counts()["created"] == 1
        sync_file(session, ris)
        items = regular_items(sandbox)
        assert [i["DOI"] for i in items] == [DOI]
        sandbox.clear_log()
        again = [sync_file(session, ris), sync_file(session, other)]
    assert writes(sandbox) == 0
    assert [r.counts()["unchanged"] for r in again] == [1, 1]
    assert len(regular_items(sandbox)) == 1


def test_ris_first_then_each_format_still_one_item_and_quiet(sandbox: Any, tmp_path: Path) -> None:
    ris = write(tmp_path, "scopus.ris")
    files = [write(tmp_path, n) for n in ("endnote.xml", "pubmed.xml", "scopus.csv", "wos.txt")]
    files += [write(tmp_path, n) for n in ("lens.csv", "dimensions.csv")]
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        sync_file(session, ris)
        for path in files:
            sync_file(session, path)
        sandbox.clear_log()
        for path in [ris, *files]:
            sync_file(session, path)
    assert writes(sandbox) == 0
    items = regular_items(sandbox)
    assert len(items) == 1
    extra = items[0]["extra"].split("\n")
    for line in (
        "Scopus EID: 2-s2.0-85080000001",
        "Web of Science ID: WOS:000510000000001",
        "42 citations (Scopus)",
        "17 citations (Web of Science)",
        "21 citations (Lens)",
        "25 citations (Dimensions) [2026-11-15]",
    ):
        assert line in extra
