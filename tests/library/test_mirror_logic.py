"""Mirror refresh logic against an in-memory fake client (no HTTP)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from syncd.library.mirror import mirror_item, refresh_items, refresh_mirror, remember_items
from syncd.state import StateDB
from syncd.zotero.client import ItemsSnapshot

LIB = "users/1"


class FakeLibrary:
    def __init__(self) -> None:
        self.version = 0
        self.items: dict[str, dict[str, Any]] = {}
        self.deleted_at: dict[str, int] = {}
        self.n = 0

    def _bump(self) -> int:
        self.version += 1
        return self.version

    def create(self, **data: Any) -> str:
        self.n += 1
        key = f"K{self.n:07d}"
        v = self._bump()
        body = {"key": key, "version": v, "itemType": "journalArticle", "title": key, **data}
        self.items[key] = {"key": key, "version": v, "data": body}
        return key

    def edit(self, key: str, **changes: Any) -> None:
        v = self._bump()
        self.items[key]["version"] = v
        self.items[key]["data"].update(changes, version=v)

    def delete(self, key: str) -> None:
        del self.items[key]
        self.deleted_at[key] = self._bump()

    def snapshot(self) -> dict[str, dict[str, Any]]:
        return {k: o["data"] for k, o in self.items.items()}


class FakeClient:
    library = LIB

    def __init__(self, lib: FakeLibrary) -> None:
        self.lib = lib
        self.responses_received = 0
        self.calls: list[str] = []
        self.before_deleted: Callable[[], None] | None = None
        self.hide_on_full: set[str] = set()

    def _count(self, name: str, n: int = 1) -> None:
        self.calls.extend([name] * n)
        self.responses_received += n

    def fetch_all_items(
        self,
        *,
        concurrency: int = 4,
        each_page: Callable[[list[dict[str, Any]]], None] | None = None,
    ) -> ItemsSnapshot:
        self._count("page", max(1, -(-len(self.lib.items) // 100)))
        shown = [copy.deepcopy(o) for k, o in sorted(self.lib.items.items())]
        consistent = True
        if self.hide_on_full:
            # A page shift made these invisible, and a write bumped the version.
            shown = [o for o in shown if o["key"] not in self.hide_on_full]
            self.hide_on_full = set()
            consistent = False
        for start in range(0, len(shown), 100):
            if each_page:
                each_page(shown[start : start + 100])
        return ItemsSnapshot(shown, self.lib.version, consistent=consistent)

    def item_versions(self, since: int | None = None) -> tuple[dict[str, int], int]:
        self._count("versions")
        return {
            k: o["version"]
            for k, o in self.lib.items.items()
            if since is None or o["version"] > since
        }, self.lib.version

    def items_by_keys(self, keys: Iterable[str], *, concurrency: int = 4) -> list[dict[str, Any]]:
        keys = list(keys)
        self._count("itemKey", -(-len(keys) // 50))
        return [copy.deepcopy(self.lib.items[k]) for k in keys if k in self.lib.items]

    def deleted_with_version(self, since: int) -> tuple[dict[str, list[str]], int]:
        if self.before_deleted:
            hook, self.before_deleted = self.before_deleted, None
            hook()
        self._count("deleted")
        gone = [k for k, v in self.lib.deleted_at.items() if v > since]
        return {"items": gone, "collections": [], "searches": [], "tags": []}, self.lib.version


@pytest.fixture
def db(tmp_path: Path) -> StateDB:
    return StateDB.open(tmp_path / "s.db")


def mirrored(db: StateDB) -> dict[str, dict[str, Any]]:
    return {i.key: dict(i.data) for i in db.mirror_items(LIB)}


def test_full_then_incremental_is_exact(db: StateDB) -> None:
    lib = FakeLibrary()
    keys = [lib.create(DOI=f"10.1000/{i}") for i in range(250)]
    client = FakeClient(lib)
    stats = refresh_mirror(client, db)  # type: ignore[arg-type]
    assert stats.mode == "full" and stats.requests == 3 and stats.items == 250
    assert mirrored(db) == lib.snapshot()
    assert db.lookup(LIB, "doi", "10.1000/7") == [keys[7]]

    lib.edit(keys[7], DOI="10.1000/seven")
    lib.delete(keys[8])
    lib.edit(keys[9], deleted=1)
    new = lib.create(DOI="10.1000/new")
    client.calls.clear()
    stats = refresh_mirror(client, db)  # type: ignore[arg-type]
    assert client.calls == ["versions", "itemKey", "deleted"]
    assert (stats.mode, stats.changed, stats.deleted, stats.passes) == ("incremental", 3, 1, 1)
    assert mirrored(db) == lib.snapshot()
    assert db.lookup(LIB, "doi", "10.1000/7") == []
    assert db.lookup(LIB, "doi", "10.1000/seven") == [keys[7]]
    assert db.lookup(LIB, "doi", "10.1000/new") == [new]
    trashed = db.mirror_item(LIB, keys[9])
    assert trashed is not None and trashed.trashed
    assert db.mirror_library_version(LIB) == lib.version


def test_unchanged_library_costs_one_request(db: StateDB) -> None:
    lib = FakeLibrary()
    lib.create()
    client = FakeClient(lib)
    refresh_mirror(client, db)  # type: ignore[arg-type]
    client.calls.clear()
    stats = refresh_mirror(client, db)  # type: ignore[arg-type]
    assert client.calls == ["versions"]
    assert stats.requests == 1 and stats.changed == 0


def test_items_already_held_at_their_version_are_not_fetched(db: StateDB) -> None:
    lib = FakeLibrary()
    key = lib.create()
    client = FakeClient(lib)
    refresh_mirror(client, db)  # type: ignore[arg-type]
    lib.edit(key, title="written by syncd")
    remember_items(db, LIB, [lib.items[key]])  # the engine stored its own write
    client.calls.clear()
    refresh_mirror(client, db)  # type: ignore[arg-type]
    assert "itemKey" not in client.calls
    assert mirrored(db) == lib.snapshot()


def test_change_during_a_pass_triggers_another_pass(db: StateDB) -> None:
    lib = FakeLibrary()
    a, b = lib.create(), lib.create()
    client = FakeClient(lib)
    refresh_mirror(client, db)  # type: ignore[arg-type]
    lib.edit(a, title="first")
    client.before_deleted = lambda: lib.edit(b, title="meanwhile")
    stats = refresh_mirror(client, db)  # type: ignore[arg-type]
    assert stats.passes == 2
    assert mirrored(db) == lib.snapshot()
    assert db.mirror_library_version(LIB) == lib.version


def test_passes_are_bounded_and_the_stored_version_stays_safe(db: StateDB) -> None:
    lib = FakeLibrary()
    a = lib.create()
    client = FakeClient(lib)
    refresh_mirror(client, db)  # type: ignore[arg-type]
    lib.edit(a, title="x")
    original = client.deleted_with_version

    def always_moving(since: int) -> tuple[dict[str, list[str]], int]:
        lib.edit(a, title=f"v{lib.version}")
        return original(since)

    client.deleted_with_version = always_moving  # type: ignore[method-assign]
    stats = refresh_mirror(client, db, max_passes=2)  # type: ignore[arg-type]
    assert stats.passes == 2
    # The stored version predates the last edit, so the next refresh picks it up.
    assert (db.mirror_library_version(LIB) or 0) < lib.version
    client.deleted_with_version = original  # type: ignore[method-assign]
    refresh_mirror(client, db)  # type: ignore[arg-type]
    assert mirrored(db) == lib.snapshot()


def test_inconsistent_full_load_is_reconciled(db: StateDB) -> None:
    lib = FakeLibrary()
    keys = [lib.create() for _ in range(5)]
    client = FakeClient(lib)
    client.hide_on_full = {keys[2]}
    stats = refresh_mirror(client, db)  # type: ignore[arg-type]
    assert stats.mode == "full"
    assert "versions" in client.calls
    assert mirrored(db) == lib.snapshot()


def test_library_version_going_back_reloads_in_full(db: StateDB) -> None:
    lib = FakeLibrary()
    for _ in range(3):
        lib.create()
    client = FakeClient(lib)
    refresh_mirror(client, db)  # type: ignore[arg-type]
    other = FakeLibrary()
    other.create(title="another library")
    stats = refresh_mirror(FakeClient(other), db)  # type: ignore[arg-type]
    assert stats.mode == "full"
    assert stats.deleted == 2  # K0000001 exists in both
    assert mirrored(db) == other.snapshot()


def test_refresh_items_reads_back_and_forgets_vanished_keys(db: StateDB) -> None:
    lib = FakeLibrary()
    a, b = lib.create(), lib.create()
    client = FakeClient(lib)
    refresh_mirror(client, db)  # type: ignore[arg-type]
    version = db.mirror_library_version(LIB)
    lib.edit(a, title="changed elsewhere")
    lib.delete(b)
    got = refresh_items(client, db, LIB, [a, b])  # type: ignore[arg-type]
    assert [o["key"] for o in got] == [a]
    assert mirrored(db) == lib.snapshot()
    assert db.mirror_library_version(LIB) == version


def test_mirror_item_indexes_regular_items_only() -> None:
    article = mirror_item(
        {
            "key": "AAAA2222",
            "version": 3,
            "data": {
                "key": "AAAA2222",
                "version": 3,
                "itemType": "journalArticle",
                "DOI": "https://doi.org/10.1000/ABC",
                "extra": "PMID: 12345",
            },
        }
    )
    assert ("doi", "10.1000/abc") in (article.identifiers or ())
    assert ("pmid", "12345") in (article.identifiers or ())
    note = mirror_item(
        {
            "key": "NOTE2222",
            "version": 4,
            "itemType": "note",
            "note": "DOI: 10.1000/x",
            "parentItem": "AAAA2222",
        }
    )
    assert note.identifiers == ()
    assert note.parent_key == "AAAA2222"
    assert not note.trashed


def test_a_full_load_cut_off_mid_way_keeps_the_mirror_it_had(db: StateDB) -> None:
    lib = FakeLibrary()
    for i in range(250):
        lib.create(DOI=f"10.1000/{i}")
    client = FakeClient(lib)
    refresh_mirror(client, db)  # type: ignore[arg-type]
    before = mirrored(db)
    lib.create(DOI="10.1000/late")
    pages = 0

    def cut(page: list[dict[str, Any]]) -> None:
        nonlocal pages
        pages += 1
        if pages == 2:
            raise ConnectionError("the network went away")

    real = client.fetch_all_items
    client.fetch_all_items = lambda **kw: real(**{**kw, "each_page": cut_after(kw, cut)})  # type: ignore[method-assign]
    with pytest.raises(ConnectionError):
        refresh_mirror(client, db, full=True)  # type: ignore[arg-type]
    assert mirrored(db) == before


def cut_after(
    kw: dict[str, Any], cut: Callable[[list[dict[str, Any]]], None]
) -> Callable[[list[dict[str, Any]]], None]:
    """The mirror's own page hook, then ``cut`` (which may raise)."""
    inner = kw["each_page"]

    def both(page: list[dict[str, Any]]) -> None:
        inner(page)
        cut(page)

    return both


def test_a_full_load_hands_over_exactly_the_items_it_stored(db: StateDB) -> None:
    lib = FakeLibrary()
    for i in range(130):
        lib.create(DOI=f"10.1000/{i}", ISSN="0028-0836")
    given: list[Any] = []
    refresh_mirror(FakeClient(lib), db, loaded=given.extend)  # type: ignore[arg-type]
    stored = {i.key: i for i in db.mirror_items(LIB)}
    assert {i.key: i.data for i in given} == {k: i.data for k, i in stored.items()}
    assert {i.key: sorted(i.identifiers or ()) for i in given} == {
        k: sorted(i.identifiers or ()) for k, i in stored.items()
    }


def test_an_incremental_refresh_hands_over_nothing(db: StateDB) -> None:
    lib = FakeLibrary()
    key = lib.create()
    client = FakeClient(lib)
    refresh_mirror(client, db)  # type: ignore[arg-type]
    lib.edit(key, title="changed")
    given: list[Any] = []
    stats = refresh_mirror(client, db, loaded=given.extend)  # type: ignore[arg-type]
    assert stats.mode == "incremental" and given == []
