"""A mirror written before the index fields had a column of their own (migration
13) keeps every item and identifier, and the index built from it is the one its
decoded items give; the fields taken from its rows are written back once."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from test_state_index import ITEMS, LIB, shape

from syncd import jsonio
from syncd.core.match import LibraryIndex, MirrorItem
from syncd.library.mirror import mirror_item
from syncd.state import MIGRATIONS, StateDB, StoredItem, index_fields

# The migration that gave the mirror its index_fields column.
INDEX_COLUMN = next(i for i, m in enumerate(MIGRATIONS) if "index_fields TEXT" in m)


def old_database(path: Path, items: list[MirrorItem]) -> None:
    """The state database a syncd before the column left, holding ``items``: built
    from the migrations before it (which never change) and filled as that syncd
    filled it."""
    db = sqlite3.connect(path)
    db.executescript("".join(MIGRATIONS[:INDEX_COLUMN]))
    with db:
        db.execute(f"PRAGMA user_version = {INDEX_COLUMN}")
        db.executemany(
            "INSERT INTO mirror_item (library, key, version, item_type, trashed, parent_key, data)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (LIB, i.key, i.version, i.item_type, int(i.trashed), i.parent_key,
                 jsonio.dumps_str(i.data))
                for i in items
            ],
        )  # fmt: skip
        db.executemany(
            "INSERT INTO mirror_identifier (library, kind, value, key) VALUES (?, ?, ?, ?)",
            [(LIB, kind, value, i.key) for i in items for kind, value in i.identifiers or ()],
        )
        db.execute(
            "INSERT INTO mirror_library (library, version, refreshed_at) VALUES (?, 10, ?)",
            (LIB, "2026-11-01T10:00:00+00:00"),
        )
    db.close()


@pytest.fixture
def migrated(tmp_path: Path) -> tuple[StateDB, list[MirrorItem]]:
    items = [mirror_item(obj) for obj in ITEMS]
    old_database(tmp_path / "state.sqlite", items)
    return StateDB.open(tmp_path / "state.sqlite"), items


def _stored_fields(db: StateDB) -> dict[str, Any]:
    return dict(db.conn.execute("SELECT key, index_fields FROM mirror_item").fetchall())


def test_the_migration_keeps_every_item_identifier_and_the_mirror_version(
    migrated: tuple[StateDB, list[MirrorItem]],
) -> None:
    db, items = migrated
    assert db.schema_version == len(MIGRATIONS)
    assert db.mirror_items(LIB) == sorted(items, key=lambda i: i.key)
    expected = sorted((k, v, i.key) for i in items for k, v in i.identifiers or ())
    assert db.mirror_identifiers(LIB) == expected != []
    assert db.mirror_library_version(LIB) == 10


def test_the_index_of_a_migrated_mirror_is_the_index_of_its_decoded_items(
    migrated: tuple[StateDB, list[MirrorItem]],
) -> None:
    db, items = migrated
    lazy = LibraryIndex.build(db.mirror_index_items(LIB))
    assert shape(lazy) == shape(LibraryIndex.build(items))
    assert lazy.by_id[("accession", "embase:365312987")] == {"EMBASE01"}
    assert lazy.by_id[("accession", "psycinfo:2001-12345-001")] == {"EBSCO001"}
    assert lazy.replacement("GONE0001") == "MASTER01"
    assert lazy.replacement("GONE0003") == "MASTER02"


def test_the_fields_taken_from_a_migrated_row_are_written_back_once(
    migrated: tuple[StateDB, list[MirrorItem]],
) -> None:
    db, items = migrated
    assert set(_stored_fields(db).values()) == {None}
    first = {row.key: dict(row.index_fields) for row in db.mirror_index_items(LIB)}
    stored = _stored_fields(db)
    assert {key: jsonio.loads(text) for key, text in stored.items()} == {
        i.key: index_fields(i.data) for i in items
    }
    again = db.mirror_index_items(LIB)
    assert {row.key: dict(row.index_fields) for row in again} == first
    assert [row.key for row in again if row._data is not None] == []


def test_a_row_written_again_before_the_write_back_keeps_its_own_fields(
    migrated: tuple[StateDB, list[MirrorItem]],
) -> None:
    db, _ = migrated
    row = db.conn.execute(
        "SELECT key, version, item_type, trashed, parent_key, data, index_fields "
        "FROM mirror_item WHERE key = 'EMBASE01'"
    ).fetchone()
    read = StoredItem(row, ())  # as a load read it, before the newer write landed
    newer = mirror_item({**ITEMS[0], "version": 2, "archiveLocation": "999999999"})
    db.apply_mirror_changes(LIB, [newer], [], None)
    db._keep_index_fields(LIB, [read])
    assert jsonio.loads(_stored_fields(db)["EMBASE01"])["archiveLocation"] == "999999999"


def test_after_the_migration_deleting_an_item_still_drops_its_identifiers(
    migrated: tuple[StateDB, list[MirrorItem]],
) -> None:
    db, _ = migrated
    assert db.lookup(LIB, "doi", "10.1234/gone") == ["GONE0001"]
    with db.transaction() as conn:
        conn.execute("DELETE FROM mirror_item WHERE key = 'GONE0001'")
    assert db.lookup(LIB, "doi", "10.1234/gone") == []
    assert db.conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_an_identifier_whose_item_is_missing_is_left_out_and_the_database_opens(
    tmp_path: Path,
) -> None:
    path = tmp_path / "state.sqlite"
    old_database(path, [mirror_item(obj) for obj in ITEMS])
    with sqlite3.connect(path) as db:  # foreign keys off, as sqlite3 opens by default
        db.execute("DELETE FROM mirror_item WHERE key = 'GONE0001'")
    opened = StateDB.open(path)
    assert opened.schema_version == len(MIGRATIONS)
    assert opened.lookup(LIB, "doi", "10.1234/gone") == []
    assert opened.lookup(LIB, "doi", "10.1234/a") == ["EMBASE01"]


def test_the_first_load_after_the_migration_keeps_no_item_decoded(
    migrated: tuple[StateDB, list[MirrorItem]],
) -> None:
    db, _ = migrated
    rows = db.mirror_index_items(LIB)
    # The daemon keeps these rows in its index: an item's data decoded for its index
    # fields would stay in memory until a restart.
    assert rows and all(row._data is None for row in rows)
