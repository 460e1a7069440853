"""The mirror and the client against the sandbox: request counts, exactness, faults."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from syncd.errors import CredentialError
from syncd.library.mirror import refresh_items, refresh_mirror
from syncd.sandbox import FaultPlan, Sandbox
from syncd.state import StateDB
from syncd.zotero.client import WriteTokenUsedError, ZoteroClient
from syncd.zotero.retry import RetryPolicy

KEY = "sandbox-test-key-0000000000"  # the conftest sandbox's key
LIB = "users/1"
ALPHABET = "23456789ABCDEFGHIJKLMNPQRSTUVWXYZ"
FAST = RetryPolicy(max_elapsed=120, base_delay=0.01, max_delay=0.05)


def client_for(sb: Sandbox, key: str = KEY) -> ZoteroClient:
    return ZoteroClient(sb.url, "user", 1, key, policy=FAST)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[StateDB]:
    opened = StateDB.open(tmp_path / "state.db")
    yield opened
    opened.close()


def seed(sb: Sandbox, n: int) -> list[str]:
    return [
        sb.user_create(
            LIB,
            {
                "itemType": "journalArticle",
                "title": f"Article {i}",
                "DOI": f"10.1000/seed.{i}",
                "extra": f"PMID: {100000 + i}",
            },
        )
        for i in range(n)
    ]


def assert_exact(sb: Sandbox, db: StateDB) -> None:
    server = {d["key"]: d for d in sb.all_items(LIB)}
    mirror = {i.key: i.data for i in db.mirror_items(LIB)}
    assert mirror.keys() == server.keys()
    for key, data in server.items():
        assert mirror[key] == data, key
    assert db.mirror_library_version(LIB) == sb.library_version(LIB)


def load_and_update(sb: Sandbox, db: StateDB, n: int) -> None:
    keys = seed(sb, n)
    sb.clear_log()
    with client_for(sb) as client:
        stats = refresh_mirror(client, db)
        assert stats.mode == "full" and stats.items == n
        assert sb.count() <= math.ceil(n / 100) + 1
        assert sb.count() == stats.requests
        assert_exact(sb, db)
        assert db.lookup(LIB, "doi", "10.1000/seed.7") == [keys[7]]

        sb.user_edit(LIB, keys[7], {"DOI": "10.1000/edited"})
        sb.user_delete(LIB, keys[8])
        sb.clear_log()
        stats = refresh_mirror(client, db)
        assert stats.mode == "incremental"
        assert sb.count() <= 4
        assert (stats.changed, stats.deleted) == (1, 1)
        assert_exact(sb, db)
        assert db.lookup(LIB, "doi", "10.1000/seed.7") == []
        assert db.lookup(LIB, "doi", "10.1000/edited") == [keys[7]]
        assert db.lookup(LIB, "pmid", "100008") == []

        sb.clear_log()
        refresh_mirror(client, db)
        assert sb.count() == 1  # nothing changed: one versions request


def test_2000_items_load_and_update_within_request_budget(sandbox: Sandbox, db: StateDB) -> None:
    load_and_update(sandbox, db, 2000)


def test_20000_items_load_and_update_within_request_budget(sandbox: Sandbox, db: StateDB) -> None:
    load_and_update(sandbox, db, 20000)


def test_trash_notes_and_creations_are_mirrored(sandbox: Sandbox, db: StateDB) -> None:
    keys = seed(sandbox, 3)
    with client_for(sandbox) as client:
        refresh_mirror(client, db)
        sandbox.user_trash(LIB, keys[0])
        note = sandbox.user_create(
            LIB, {"itemType": "note", "note": "<p>DOI: 10.1000/x</p>", "parentItem": keys[1]}
        )
        refresh_mirror(client, db)
    assert_exact(sandbox, db)
    trashed = db.mirror_item(LIB, keys[0])
    assert trashed is not None and trashed.trashed
    child = db.mirror_item(LIB, note)
    assert child is not None and child.parent_key == keys[1] and child.identifiers == ()


def test_mirror_stays_exact_under_injected_faults(sandbox: Sandbox, db: StateDB) -> None:
    keys = seed(sandbox, 450)
    sandbox.faults = FaultPlan(seed=7, rate_429=0.1, rate_500=0.05, rate_503=0.05, retry_after=0)
    with client_for(sandbox) as client:
        refresh_mirror(client, db)
        assert_exact(sandbox, db)
        for k in keys[:120:3]:
            sandbox.user_edit(LIB, k, {"title": "changed"})
        for k in keys[1:60:7]:
            sandbox.user_delete(LIB, k)
        sandbox.user_trash(LIB, keys[200])
        refresh_mirror(client, db)
        assert_exact(sandbox, db)
    faults = [r for r in sandbox.log if r.fault]
    assert len(faults) >= 3  # the plan did bite, so retries were exercised


def test_writes_survive_resets_and_stay_idempotent(sandbox: Sandbox, db: StateDB) -> None:
    sandbox.faults = FaultPlan(
        seed=3, rate_429=0.2, rate_reset_before=0.2, rate_reset_after_commit=0.2, retry_after=0
    )
    with client_for(sandbox) as client:
        for n in range(6):
            objects = [
                {
                    "key": f"NEWK{ALPHABET[n]}{ALPHABET[i]}XY",
                    "version": 0,
                    "itemType": "book",
                    "title": f"B{i}",
                }
                for i in range(5)
            ]
            result = client.post_items(objects)
            # Each object is either created now, or found to exist because an
            # earlier attempt of this very request landed before a reset.
            for i in range(5):
                assert i in result.successful or result.failed[i].code == 412
        refresh_mirror(client, db)
    assert len(sandbox.all_items(LIB)) == 30
    assert_exact(sandbox, db)


def test_write_token_reuse_is_reported(sandbox: Sandbox) -> None:
    with client_for(sandbox) as client:
        first = client.post_items([{"itemType": "book", "title": "once"}], write_token="tok-12345")
        assert 0 in first.successful
        with pytest.raises(WriteTokenUsedError):
            client.post_items([{"itemType": "book", "title": "once"}], write_token="tok-12345")
    assert len(sandbox.all_items(LIB)) == 1


def test_create_collection_is_idempotent_by_token(sandbox: Sandbox) -> None:
    # With this seed the first POST lands and then loses its response; the retry
    # finds the token used and looks the collection up instead of creating another.
    sandbox.faults = FaultPlan(seed=1, rate_reset_after_commit=0.5, apply_to=("POST",))
    with client_for(sandbox) as client:
        created = client.create_collection("RIS imports", write_token="coll-tok-1")
        sandbox.faults = FaultPlan()
        again = client.create_collection("RIS imports", write_token="coll-tok-1")
        assert again["key"] == created["key"]
        child = client.create_collection("2026", created["key"], write_token="coll-tok-2")
        assert child["data"]["parentCollection"] == created["key"]
    assert sorted(c["name"] for c in sandbox.all_collections(LIB)) == ["2026", "RIS imports"]
    assert sandbox.count(method="POST", status=0) == 1


def test_refresh_items_after_a_conflict(sandbox: Sandbox, db: StateDB) -> None:
    keys = seed(sandbox, 3)
    with client_for(sandbox) as client:
        refresh_mirror(client, db)
        version = db.mirror_library_version(LIB)
        sandbox.user_edit(LIB, keys[0], {"title": "changed in Zotero"})
        stale = db.mirror_item(LIB, keys[0])
        assert stale is not None
        result = client.post_items([{"key": keys[0], "version": stale.version, "title": "ours"}])
        assert result.failed[0].code == 412
        sandbox.user_delete(LIB, keys[1])
        refresh_items(client, db, LIB, [keys[0], keys[1]])
    fresh = db.mirror_item(LIB, keys[0])
    assert fresh is not None and fresh.data["title"] == "changed in Zotero"
    assert db.mirror_item(LIB, keys[1]) is None
    assert db.mirror_library_version(LIB) == version


def test_key_checks(sandbox: Sandbox) -> None:
    sandbox.add_key("read-only-key-000000000000", user_id=1, user_write=False)
    with client_for(sandbox) as client:
        client.check_write_access()
        assert client.key_info()["userID"] == 1
    with client_for(sandbox, "read-only-key-000000000000") as client:
        with pytest.raises(CredentialError, match="no write access to users/1"):
            client.check_write_access()
        with pytest.raises(CredentialError, match="users/1") as err:
            client.post_items([{"itemType": "book", "title": "x"}])
        assert "read-only-key" not in str(err.value)
    with (
        client_for(sandbox, "unknown-key-00000000000000") as client,
        pytest.raises(CredentialError),
    ):
        client.library_version()


def _gaps_after(records: list[Any], predicate: Any) -> list[float]:
    return [b.time - a.time for a, b in itertools.pairwise(records) if predicate(a)]


def test_retry_after_is_honoured_between_requests(sandbox: Sandbox, db: StateDB) -> None:
    seed(sandbox, 450)
    sandbox.faults = FaultPlan(seed=11, rate_429=0.35, rate_503=0.1, retry_after=1)
    sandbox.clear_log()
    with client_for(sandbox) as client:
        refresh_mirror(client, db, concurrency=1)
    assert_exact(sandbox, db)
    log = sandbox.log
    gaps = _gaps_after(log, lambda r: r.status in (429, 503))
    assert gaps, "the plan injected no 429/503; pick another seed"
    assert all(gap >= 1.0 for gap in gaps), gaps


def test_backoff_header_delays_the_next_request(sandbox: Sandbox, db: StateDB) -> None:
    seed(sandbox, 450)
    sandbox.faults = FaultPlan(seed=2, backoff_rate=0.4, backoff_seconds=1)
    sandbox.clear_log()
    with client_for(sandbox) as client:
        refresh_mirror(client, db, concurrency=1)
    assert_exact(sandbox, db)
    gaps = _gaps_after(sandbox.log, lambda r: r.fault == "backoff")
    assert gaps, "the plan sent no Backoff header; pick another seed"
    assert all(gap >= 1.0 for gap in gaps), gaps
