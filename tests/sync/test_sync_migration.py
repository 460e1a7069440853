"""A state database written before provenance (one export-wide base per item, notes
without slots) keeps working: its links and bases carry over."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from conftest import TEST_KEY
from sync_helpers import LIBRARY, make_records, regular_items, session_for, sync_file, write_export

from syncd.convert import convert_file
from syncd.core.merge import base_of
from syncd.core.plan import Incoming, export_item
from syncd.formats.records import ConvertedRecord
from syncd.schema import bundled_schema
from syncd.state import MIGRATIONS, StateDB

# The migration that brought provenance (note slots): a database from before it.
PROVENANCE = next(i for i, m in enumerate(MIGRATIONS) if "ADD COLUMN slot" in m)
# What a syncd before provenance kept of its writes, column by column.
SYNC_TABLES = {
    "sync_items": ("library", "key", "base", "confirmed", "created_by_syncd", "updated_at"),
    "sync_links": ("library", "identity", "key"),
    "sync_notes": ("library", "note_key", "parent_key", "digest", "confirmed"),
    "sync_collections": ("library", "path", "key", "confirmed"),
}


def downgrade_to_before_provenance(state: Path, export: Path) -> None:
    """Replace ``state`` by the database a syncd before provenance would have left.

    Built from the migrations up to provenance (which never change) and filled with
    what this syncd stored, rewritten as that syncd stored it: whatever migrations
    come after provenance, the old shape stays the old shape.
    """
    records = {r.item["DOI"]: r for r in _convert(export)}
    old = state.with_name("old.sqlite")
    db = sqlite3.connect(old)
    db.executescript("".join(MIGRATIONS[:PROVENANCE]))
    with db:
        db.execute(f"PRAGMA user_version = {PROVENANCE}")
        db.execute("ATTACH DATABASE ? AS new", (str(state),))
        for table, columns in SYNC_TABLES.items():
            names = ", ".join(columns)
            db.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM new.{table}")
        for key, base in db.execute("SELECT key, base FROM sync_items").fetchall():
            doi = next(d for d in records if d in json.dumps(json.loads(base)))
            legacy = {
                **base_of(export_item(Incoming(records[doi]))),
                "_notes": json.loads(base)["notes"],
            }
            db.execute("UPDATE sync_items SET base = ? WHERE key = ?", (json.dumps(legacy), key))
    db.execute("DETACH DATABASE new")
    db.close()
    for suffix in ("-wal", "-shm"):
        state.with_name(state.name + suffix).unlink(missing_ok=True)
    old.replace(state)
    state.chmod(0o600)


def _convert(path: Path) -> list[ConvertedRecord]:
    return [r for r in convert_file(path, bundled_schema()) if isinstance(r, ConvertedRecord)]


def test_an_old_state_database_migrates_and_its_links_keep_working(
    sandbox: Any, tmp_path: Path
) -> None:
    state = tmp_path / "state.sqlite"
    records = make_records(3, notes=("Status: under review",))
    v1 = write_export(tmp_path / "v1.ris", records)
    with session_for(sandbox, state, TEST_KEY) as session:
        sync_file(session, v1)
    downgrade_to_before_provenance(state, v1)
    items = {i["DOI"]: i for i in regular_items(sandbox)}
    sandbox.user_edit(LIBRARY, items["10.5555/r0"]["key"], {"pages": ""})
    corrected = [dict(r) for r in records]
    corrected[1]["pages"] = "e1"
    with StateDB.open(state) as db:
        assert db.schema_version == len(MIGRATIONS)
    with session_for(sandbox, state, TEST_KEY) as session:
        sandbox.clear_log()
        same = sync_file(session, v1)
        assert sandbox.count(kind="write") == 0
        assert same.counts()["unchanged"] == 3
        report = sync_file(session, write_export(tmp_path / "v2.ris", corrected))
    assert report.counts()["updated"] == 1
    after = {i["DOI"]: i for i in regular_items(sandbox)}
    assert after["10.5555/r1"]["pages"] == "e1"
    assert after["10.5555/r0"]["pages"] == ""
    assert len(regular_items(sandbox)) == 3
    notes = [i for i in sandbox.all_items(LIBRARY) if i.get("itemType") == "note"]
    assert len(notes) == 3
