"""Property: whatever happens in the library between refreshes, the incrementally
refreshed mirror equals a fresh full load (and the library itself), with or without
injected 429/500/503 responses."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncd.library.mirror import refresh_mirror
from syncd.sandbox import FaultPlan, Sandbox
from syncd.state import StateDB
from syncd.zotero.client import ZoteroClient
from syncd.zotero.retry import RetryPolicy

KEY = "property-test-key-000000000"
LIB = "users/1"

Op = tuple[Any, ...]

operations = st.lists(
    st.one_of(
        st.tuples(st.just("create"), st.integers(0, 30)),
        st.tuples(st.just("edit"), st.integers(0, 1000), st.integers(0, 30)),
        st.tuples(st.just("delete"), st.integers(0, 1000)),
        st.tuples(st.just("trash"), st.integers(0, 1000)),
        st.tuples(st.just("note"), st.integers(0, 1000)),
        st.tuples(st.just("refresh")),
    ),
    max_size=25,
)


def apply(sb: Sandbox, op: Op, counter: list[int]) -> None:
    keys = sorted(d["key"] for d in sb.all_items(LIB))
    counter[0] += 1
    if op[0] == "create":
        sb.user_create(
            LIB,
            {"itemType": "journalArticle", "title": f"new {counter[0]}", "DOI": f"10.1000/{op[1]}"},
        )
        return
    if not keys:
        return
    key = keys[op[1] % len(keys)]
    item = sb.get_item(LIB, key) or {}
    if op[0] == "edit" and item.get("itemType") == "note":
        sb.user_edit(LIB, key, {"note": f"edit {counter[0]}"})
    elif op[0] == "edit":
        sb.user_edit(LIB, key, {"extra": f"PMID: {op[2] + 1}\nedit {counter[0]}"})
    elif op[0] == "delete":
        sb.user_delete(LIB, key)
    elif op[0] == "trash":
        sb.user_trash(LIB, key)
    elif op[0] == "note" and item.get("itemType") not in ("note", "attachment"):
        sb.user_create(LIB, {"itemType": "note", "note": f"n{counter[0]}", "parentItem": key})


def snapshot(db: StateDB) -> list[Any]:
    return [
        (i.key, i.version, i.item_type, i.trashed, i.parent_key, i.data, i.identifiers)
        for i in db.mirror_items(LIB)
    ]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    initial=st.integers(0, 8),
    ops=operations,
    fault_seed=st.none() | st.integers(0, 10_000),
)
def test_incremental_refresh_equals_a_full_load(
    initial: int, ops: list[Op], fault_seed: int | None
) -> None:
    sb = Sandbox()
    sb.add_user_library(1)
    sb.add_key(KEY, user_id=1)
    if fault_seed is not None:
        sb.faults = FaultPlan(
            seed=fault_seed, rate_429=0.1, rate_500=0.05, rate_503=0.05, retry_after=0
        )
    with sb, tempfile.TemporaryDirectory() as tmp:
        policy = RetryPolicy(max_elapsed=30, base_delay=0.01, max_delay=0.05)
        client = ZoteroClient(sb.url, "user", 1, KEY, policy=policy)
        incremental = StateDB.open(Path(tmp) / "incremental.db")
        fresh = StateDB.open(Path(tmp) / "fresh.db")
        try:
            counter = [0]
            for i in range(initial):
                apply(sb, ("create", i), counter)
            refresh_mirror(client, incremental)
            for op in ops:
                if op[0] == "refresh":
                    refresh_mirror(client, incremental)
                else:
                    apply(sb, op, counter)
            stats = refresh_mirror(client, incremental)
            assert stats.mode == "incremental"
            refresh_mirror(client, fresh)
            assert snapshot(incremental) == snapshot(fresh)
            assert incremental.mirror_library_version(LIB) == sb.library_version(LIB)
            assert {d["key"]: d for d in sb.all_items(LIB)} == {
                i.key: i.data for i in incremental.mirror_items(LIB)
            }
            for kind, value, key in fresh.mirror_identifiers(LIB):
                assert key in incremental.lookup(LIB, kind, value)
        finally:
            incremental.close()
            fresh.close()
            client.close()
