"""Citation-count Extra lines of every database are updated in place by the merge,
as Scopus' always were: a new export's count replaces the old line, never adds one."""

from __future__ import annotations

from typing import Any

import pytest

from syncd.core.merge import SyncPolicy, base_of, merge_item
from syncd.schema import bundled_schema

SCHEMA = bundled_schema()


def art(**fields: Any) -> dict[str, Any]:
    return {"itemType": "journalArticle", **fields}


@pytest.mark.parametrize("database", ["Web of Science", "PubMed Central", "Scopus"])
def test_a_new_count_replaces_the_old_line_of_its_database(database: str) -> None:
    old = art(extra=f"Web of Science ID: WOS:000307286400001\n12 citations ({database})")
    new = art(extra=f"Web of Science ID: WOS:000307286400001\n13 citations ({database})")
    result = merge_item(new, old, base_of(old), policy=SyncPolicy.MERGE, schema=SCHEMA)
    assert result.changes == {"extra": new["extra"]}


def test_counts_of_two_databases_are_updated_each_on_its_own_line() -> None:
    old = art(extra="12 citations (Web of Science)\n7 citations (Scopus) [2026-11-01]")
    new = art(extra="13 citations (Web of Science)\n7 citations (Scopus) [2026-11-15]")
    result = merge_item(new, old, base_of(old), policy=SyncPolicy.MERGE, schema=SCHEMA)
    lines = result.changes["extra"].splitlines()
    assert "13 citations (Web of Science)" in lines
    assert [x for x in lines if "Web of Science" in x] == ["13 citations (Web of Science)"]
    assert len([x for x in lines if "(Scopus)" in x]) == 1
