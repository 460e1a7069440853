"""State database: creation, permissions, migrations, transactions, mirror tables."""

from __future__ import annotations

import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from syncd import state
from syncd.core.match import MirrorItem
from syncd.errors import StateError
from syncd.state import StateDB

LIB = "users/1"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def book(key: str, version: int, title: str = "T", **extra: object) -> MirrorItem:
    ids = extra.pop("identifiers", ())
    trashed = bool(extra.pop("trashed", False))
    return MirrorItem(
        key=key,
        version=version,
        item_type="book",
        trashed=trashed,
        data={"key": key, "version": version, "itemType": "book", "title": title},
        identifiers=ids,  # type: ignore[arg-type]
        **extra,  # type: ignore[arg-type]
    )


@pytest.fixture
def db(tmp_path: Path) -> Iterator[StateDB]:
    opened = StateDB.open(tmp_path / "state" / "syncd.db")
    yield opened
    opened.close()


def test_open_creates_private_wal_database(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "state" / "syncd.db"
    with StateDB.open(path) as db:
        assert db.schema_version == len(state.MIGRATIONS)
        assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert db.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        db.replace_mirror(LIB, [book("AAAA2222", 1)], 1)
        for p in path.parent.iterdir():
            assert mode(p) & 0o077 == 0, p
    assert mode(path.parent) == 0o700
    assert mode(path) == 0o600


def test_reopen_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "syncd.db"
    with StateDB.open(path) as db:
        db.replace_mirror(LIB, [book("AAAA2222", 3)], 7)
    with StateDB.open(path) as db:
        assert db.mirror_library_version(LIB) == 7
        item = db.mirror_item(LIB, "AAAA2222")
        assert item is not None and item.version == 3


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "syncd.db"
    with StateDB.open(path) as db:
        db.conn.execute(f"PRAGMA user_version = {len(state.MIGRATIONS) + 1}")
    with pytest.raises(StateError, match="newer syncd"):
        StateDB.open(path)


def test_not_a_database_is_a_state_error(tmp_path: Path) -> None:
    path = tmp_path / "syncd.db"
    path.write_bytes(b"this is not sqlite at all, just some text" * 100)
    with pytest.raises(StateError, match="not a usable syncd state database"):
        StateDB.open(path)


def test_appended_migrations_run_in_order_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "syncd.db"
    StateDB.open(path).close()
    extra = [
        "CREATE TABLE later (x INTEGER); -- a comment; with a semicolon\n"
        "INSERT INTO later VALUES (1);",
        "CREATE TRIGGER later_t AFTER INSERT ON later BEGIN\n"
        "  UPDATE later SET x = x + 10 WHERE rowid = new.rowid;\nEND;\n"
        "INSERT INTO later VALUES (2);",
    ]
    monkeypatch.setattr(state, "MIGRATIONS", [*state.MIGRATIONS, *extra])
    with StateDB.open(path) as db:
        assert db.schema_version == len(state.MIGRATIONS)
        assert sorted(r[0] for r in db.conn.execute("SELECT x FROM later")) == [1, 12]
    with StateDB.open(path) as db:  # nothing re-applied
        assert db.conn.execute("SELECT count(*) FROM later").fetchone()[0] == 2


def test_failed_migration_leaves_the_old_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "syncd.db"
    StateDB.open(path).close()
    monkeypatch.setattr(
        state, "MIGRATIONS", [*state.MIGRATIONS, "CREATE TABLE ok (x);\nNOT SQL AT ALL;"]
    )
    with pytest.raises(StateError):
        StateDB.open(path)
    monkeypatch.undo()
    with StateDB.open(path) as db:
        assert db.schema_version == len(state.MIGRATIONS)
        assert db.conn.execute("SELECT name FROM sqlite_master WHERE name='ok'").fetchone() is None


def test_transaction_rolls_back_on_error(db: StateDB) -> None:
    db.replace_mirror(LIB, [book("AAAA2222", 1)], 1)
    with pytest.raises(RuntimeError), db.transaction() as conn:
        conn.execute("DELETE FROM mirror_item")
        raise RuntimeError("stop")
    assert db.mirror_item(LIB, "AAAA2222") is not None


def test_sqlite_errors_in_a_transaction_become_state_errors(db: StateDB) -> None:
    with pytest.raises(StateError, match="could not write"), db.transaction() as conn:
        conn.execute("INSERT INTO no_such_table VALUES (1)")


def test_replace_and_lookup(db: StateDB) -> None:
    assert db.mirror_library_version(LIB) is None
    items = [
        book("AAAA2222", 5, identifiers=(("doi", "10.1/x"), ("pmid", "123"))),
        book("BBBB2222", 6, identifiers=(("doi", "10.1/x"),)),
        book("CCCC2222", 7, trashed=True, identifiers=(("doi", "10.2/y"),)),
        MirrorItem(
            "NOTE2222", 8, "note", False, {"note": "n"}, parent_key="AAAA2222", identifiers=()
        ),
    ]
    db.replace_mirror(LIB, items, 9)
    db.replace_mirror("groups/5", [book("AAAA2222", 1, identifiers=(("doi", "10.1/x"),))], 1)
    assert db.mirror_library_version(LIB) == 9
    assert db.lookup(LIB, "doi", "10.1/x") == ["AAAA2222", "BBBB2222"]
    assert db.lookup(LIB, "pmid", "123") == ["AAAA2222"]
    assert db.lookup(LIB, "doi", "10.9/none") == []
    assert db.mirror_items(LIB) == sorted(items, key=lambda i: i.key)
    assert db.mirror_versions(LIB) == {"AAAA2222": 5, "BBBB2222": 6, "CCCC2222": 7, "NOTE2222": 8}
    status = db.mirror_status(LIB)
    assert status is not None and status.refreshed_at.tzinfo is not None
    # Replacing is total: what is not in the new list is gone, index included.
    db.replace_mirror(LIB, [book("DDDD2222", 10)], 10)
    assert [i.key for i in db.mirror_items(LIB)] == ["DDDD2222"]
    assert db.lookup(LIB, "doi", "10.1/x") == []
    assert db.lookup("groups/5", "doi", "10.1/x") == ["AAAA2222"]


def test_apply_changes_updates_index_and_ignores_stale_versions(db: StateDB) -> None:
    db.replace_mirror(
        LIB,
        [
            book("AAAA2222", 5, identifiers=(("doi", "10.1/old"),)),
            book("BBBB2222", 6, identifiers=(("doi", "10.1/b"),)),
        ],
        6,
    )
    written = db.apply_mirror_changes(
        LIB,
        [
            book("AAAA2222", 8, "new", identifiers=(("doi", "10.1/new"),)),
            book("EEEE2222", 8, identifiers=(("isbn", "9780000000002"),)),
        ],
        ["BBBB2222", "ZZZZ9999"],
        8,
    )
    assert written == 2
    assert db.mirror_library_version(LIB) == 8
    assert db.lookup(LIB, "doi", "10.1/old") == []
    assert db.lookup(LIB, "doi", "10.1/new") == ["AAAA2222"]
    assert db.lookup(LIB, "doi", "10.1/b") == []
    assert db.mirror_item(LIB, "BBBB2222") is None
    got = db.mirror_item(LIB, "AAAA2222")
    assert got is not None and got.data["title"] == "new"
    assert got.identifiers == (("doi", "10.1/new"),)
    # An older copy never replaces a newer one; version None leaves the library version.
    assert db.apply_mirror_changes(LIB, [book("AAAA2222", 7, "older")], [], None) == 0
    got = db.mirror_item(LIB, "AAAA2222")
    assert got is not None and got.data["title"] == "new"
    assert db.mirror_library_version(LIB) == 8


def test_many_keys_cross_the_parameter_limit(db: StateDB) -> None:
    items = [book(f"K{i:07d}", 1, identifiers=(("doi", f"10.1/{i}"),)) for i in range(1200)]
    db.replace_mirror(LIB, items, 1)
    changed = [book(f"K{i:07d}", 2, "v2") for i in range(0, 1200, 2)]
    gone = [f"K{i:07d}" for i in range(1, 1200, 2)]
    assert db.apply_mirror_changes(LIB, changed, gone, 2) == 600
    held = db.mirror_versions(LIB)
    assert len(held) == 600 and set(held.values()) == {2}
    assert db.mirror_identifiers(LIB) == []


def test_threads_can_share_one_database(db: StateDB) -> None:
    def writer(n: int) -> None:
        for j in range(20):
            db.apply_mirror_changes(LIB, [book(f"T{n}{j:06d}", 1)], [], None)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(db.mirror_versions(LIB)) == 80


def test_a_mirror_replaced_in_steps_holds_one_row_per_key(db: StateDB) -> None:
    db.replace_mirror(LIB, [book("OLD22222", 1)], 1)
    with db.replacing_mirror(LIB) as mirror:
        mirror.add([book("AAAA2222", 1, identifiers=(("doi", "10.1/a"),))])
        mirror.add([book("AAAA2222", 2, identifiers=(("doi", "10.1/b"),)), book("BBBB2222", 1)])
        mirror.set_version(5)
    assert {i.key: i.version for i in db.mirror_items(LIB)} == {"AAAA2222": 2, "BBBB2222": 1}
    assert db.lookup(LIB, "doi", "10.1/a") == []
    assert db.lookup(LIB, "doi", "10.1/b") == ["AAAA2222"]
    assert db.mirror_library_version(LIB) == 5
    assert db.mirror_count(LIB) == 2


def test_a_mirror_replacement_that_fails_keeps_the_old_mirror(db: StateDB) -> None:
    db.replace_mirror(LIB, [book("OLD22222", 1)], 1)
    with pytest.raises(RuntimeError), db.replacing_mirror(LIB) as mirror:
        mirror.add([book("AAAA2222", 1)])
        raise RuntimeError("the load broke off")
    assert [i.key for i in db.mirror_items(LIB)] == ["OLD22222"]
    assert db.mirror_library_version(LIB) == 1
