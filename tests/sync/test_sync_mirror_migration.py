"""A state database whose mirror predates the index-fields column (migration 13):
a fresh session after the migration still finds items by accession number and
follows Zotero's ``dc:replaces`` merges, from fields it takes from each item's data."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from conftest import TEST_KEY
from sync_helpers import LIBRARY, regular_items, session_for, sync_file

from syncd.state import MIGRATIONS

INDEX_COLUMN = next(i for i, m in enumerate(MIGRATIONS) if "index_fields TEXT" in m)
TITLE = "Sleep restriction and reaction time"


def _record(*lines: str) -> str:
    head = ["TY  - JOUR", "AU  - Smith, John", "PY  - 2020", "T2  - Journal of Tests"]
    return "\n".join([*head, *lines, "ER  - "]) + "\n\n"


EMBASE = _record("TI  - Preface", "VL  - 9", "SP  - iii", "DB  - Embase", "AN  - 635000001")
PUBMED = _record(
    f"TI  - {TITLE}",
    "VL  - 3",
    "SP  - 1",
    "EP  - 9",
    "UR  - https://pubmed.ncbi.nlm.nih.gov/35000001",
    "DB  - PubMed",
    "AN  - 35000001",
)


def _to_the_mirror_before_the_column(state: Path) -> None:
    """The mirror as a syncd before migration 13 left it: no index_fields column."""
    with sqlite3.connect(state) as db:
        db.execute("ALTER TABLE mirror_item DROP COLUMN index_fields")
        db.execute(f"PRAGMA user_version = {INDEX_COLUMN}")
    db.close()


def test_after_the_migration_a_fresh_session_finds_items_by_accession_number_and_merges(
    sandbox: Any, tmp_path: Path
) -> None:
    state = tmp_path / "state.sqlite"
    (tmp_path / "pubmed.ris").write_text(PUBMED, encoding="utf-8")
    with session_for(sandbox, state, TEST_KEY) as session:
        sync_file(session, tmp_path / "pubmed.ris")
        (ours,) = regular_items(sandbox)
        # The user's own Embase import, which no link of syncd names.
        embase = sandbox.user_create(
            LIBRARY,
            {
                "itemType": "journalArticle",
                "title": "Preface",
                "creators": [{"creatorType": "author", "lastName": "Smith", "firstName": "John"}],
                "date": "2020",
                "publicationTitle": "Journal of Tests",
                "volume": "9",
                "archive": "Embase",
                "archiveLocation": "635000001",
            },
        )
        # Zotero's "Merge items": the master names the merged-away item, which goes
        # to the trash.
        master = sandbox.user_create(
            LIBRARY, {"itemType": "journalArticle", "title": TITLE, "DOI": "10.5555/sr.1"}
        )
        uri = f"http://zotero.org/users/1/items/{ours['key']}"
        sandbox.user_edit(LIBRARY, master, {"relations": {"dc:replaces": [uri]}})
        sandbox.user_trash(LIBRARY, ours["key"])
        session.refresh()
    _to_the_mirror_before_the_column(state)
    both = tmp_path / "both.ris"
    both.write_text(EMBASE + PUBMED, encoding="utf-8")
    with session_for(sandbox, state, TEST_KEY) as session:
        report = sync_file(session, both)
        taken = session.db.conn.execute(
            "SELECT count(*) FROM mirror_item WHERE index_fields IS NULL"
        ).fetchone()
    assert sorted((o.kind, o.key) for o in report.outcomes) == sorted(
        [("updated", embase), ("updated", master)]
    )
    items = {i["key"]: i for i in regular_items(sandbox)}
    assert len(items) == 3
    assert items[embase]["pages"] == "iii"
    assert taken == (0,)
