"""The Sandbox facade: persistence, direct "user edits", the request log, and ``serve``."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2
import pytest
from conftest import TEST_KEY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncd.errors import StateError, UsageError
from syncd.sandbox import Sandbox

LIB = "users/1"
HEADERS = {"Zotero-API-Key": TEST_KEY}


def _get(sb: Sandbox, path: str, **params: object) -> httpx2.Response:
    return httpx2.get(f"{sb.url}{path}", headers=HEADERS, params=params)  # type: ignore[arg-type]


def test_on_disk_sandbox_survives_a_restart(tmp_path: Path) -> None:
    with Sandbox(tmp_path) as sb:
        sb.add_user_library(1)
        sb.add_key(TEST_KEY, user_id=1)
        response = httpx2.post(
            f"{sb.url}/users/1/items",
            headers={**HEADERS, "Zotero-Write-Token": "token-persist"},
            json=[{"itemType": "book", "title": "Kept"}],
        )
        key = response.json()["success"]["0"]
        coll = sb.user_create_collection(LIB, "Shelf")
        doomed = sb.user_create(LIB, {"itemType": "book", "title": "Gone"})
        sb.user_delete(LIB, doomed)
    assert (tmp_path / "sandbox.sqlite").exists()
    with Sandbox(tmp_path) as again:
        assert again.library_version(LIB) == 4
        assert again.get_item(LIB, key)["title"] == "Kept"  # type: ignore[index]
        assert [c["key"] for c in again.all_collections(LIB)] == [coll]
        assert doomed in _get(again, "/users/1/deleted", since=0).json()["items"]
        replay = httpx2.post(
            f"{again.url}/users/1/items",
            headers={**HEADERS, "Zotero-Write-Token": "token-persist"},
            json=[{"itemType": "book", "title": "Kept"}],
        )
        assert replay.status_code == 412


def test_user_edit_bumps_versions_like_an_api_write(sandbox: Sandbox) -> None:
    key = sandbox.user_create(LIB, {"itemType": "book", "title": "Mine"})
    assert sandbox.library_version(LIB) == 1
    version = sandbox.user_edit(LIB, key, {"title": "Mine, edited"})
    assert version == 2 == sandbox.library_version(LIB)
    item = sandbox.get_item(LIB, key)
    assert item is not None and item["version"] == 2 and item["title"] == "Mine, edited"
    listed = _get(sandbox, "/users/1/items", since=1, format="versions").json()
    assert listed == {key: 2}
    assert sandbox.user_edit(LIB, key, {"title": "Mine, edited"}) == 2  # no change, no bump


def test_user_trash_and_delete(sandbox: Sandbox) -> None:
    key = sandbox.user_create(LIB, {"itemType": "book", "title": "Trash me"})
    sandbox.user_trash(LIB, key)
    assert sandbox.all_items(LIB, include_trashed=False) == []
    assert sandbox.get_item(LIB, key)["deleted"] == 1  # type: ignore[index]
    sandbox.user_delete(LIB, key)
    assert sandbox.get_item(LIB, key) is None
    assert sandbox.library_version(LIB) == 3


def test_user_create_keeps_a_given_key_and_validates(sandbox: Sandbox) -> None:
    assert sandbox.user_create(LIB, {"itemType": "book", "key": "ABCD2345"}) == "ABCD2345"
    with pytest.raises(UsageError, match="400"):
        sandbox.user_create(LIB, {"itemType": "book", "caseName": "x"})
    with pytest.raises(UsageError):
        sandbox.user_edit(LIB, "ZZZZZZZZ", {"title": "x"})


def test_deleting_a_parent_deletes_its_notes(sandbox: Sandbox) -> None:
    parent = sandbox.user_create(LIB, {"itemType": "book", "title": "P"})
    note = sandbox.user_create(LIB, {"itemType": "note", "note": "n", "parentItem": parent})
    sandbox.user_delete(LIB, parent)
    assert sandbox.get_item(LIB, note) is None
    assert set(_get(sandbox, "/users/1/deleted", since=0).json()["items"]) == {parent, note}


def test_unknown_library_in_direct_access(sandbox: Sandbox) -> None:
    with pytest.raises(StateError):
        sandbox.library_version("users/99")
    with pytest.raises(StateError):
        sandbox.library_version("people/1")


def test_log_and_count(sandbox: Sandbox) -> None:
    _get(sandbox, "/users/1/items", limit=5)
    httpx2.get(f"{sandbox.url}/users/1/items", params={"key": TEST_KEY})
    httpx2.post(f"{sandbox.url}/users/1/items", headers=HEADERS, json=[{"itemType": "book"}])
    _get(sandbox, "/users/1/items/ZZZZZZZZ")
    log = sandbox.log
    assert [r.method for r in log] == ["GET", "GET", "POST", "GET"]
    assert all("key" not in r.query for r in log)  # never log the API key
    assert TEST_KEY not in repr(log)
    assert log[0].query == {"limit": "5"}
    assert log[2].kind == "write" and log[2].n_objects == 1
    assert sandbox.count(kind="read") == 3
    assert sandbox.count(method="POST", path_prefix="/users/1/items") == 1
    assert sandbox.count(status=404) == 1
    sandbox.clear_log()
    assert sandbox.log == []


def test_group_library_and_keys(sandbox: Sandbox) -> None:
    sandbox.add_group_library(9)
    sandbox.add_key("group-writer-00000000000000", user_id=1, groups={9: True})
    response = httpx2.post(
        f"{sandbox.url}/groups/9/items",
        headers={"Zotero-API-Key": "group-writer-00000000000000"},
        json=[{"itemType": "book", "title": "Shared"}],
    )
    assert response.status_code == 200
    assert response.json()["successful"]["0"]["library"]["type"] == "group"
    assert sandbox.library_version("groups/9") == 1
    assert sandbox.library_version(LIB) == 0


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(n=st.integers(0, 60), limit=st.integers(1, 30), trashed=st.integers(0, 5))
def test_paging_visits_every_visible_item_once(
    sandbox_session: Sandbox, n: int, limit: int, trashed: int
) -> None:
    sb = sandbox_session
    sb.add_user_library(77)
    sb.add_key("paging-key-0000000000000000", user_id=77)
    lib = "users/77"
    for item in sb.all_items(lib):
        sb.user_delete(lib, item["key"])
    keys = [sb.user_create(lib, {"itemType": "book", "title": f"P{i % 3}"}) for i in range(n)]
    for key in keys[:trashed]:
        sb.user_trash(lib, key)
    visible = set(keys[trashed:])
    seen: list[str] = []
    url: str | None = f"{sb.url}/users/77/items?limit={limit}&sort=title"
    headers = {"Zotero-API-Key": "paging-key-0000000000000000"}
    with httpx2.Client() as client:
        while url:
            response = client.get(url, headers=headers)
            assert response.headers["Total-Results"] == str(len(visible))
            seen.extend(i["key"] for i in response.json())
            url = response.links.get("next", {}).get("url")
    assert len(seen) == len(visible) and set(seen) == visible


def test_serve_prints_the_key_and_stops_on_sigterm(tmp_path: Path) -> None:
    code = (
        "import sys; from pathlib import Path; from syncd.sandbox import serve; "
        "serve(0, Path(sys.argv[1]), key=None, user_id=3)"
    )
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.search(r"listening on (http://127\.0\.0\.1:\d+)\s.*key (\w{24})\)", line)
        assert match, line
        url, key = match.groups()
        response = httpx2.get(f"{url}/users/3/items", headers={"Zotero-API-Key": key})
        assert response.status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    # A second start on the same data reuses the stored key.
    again = subprocess.Popen(
        [sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert again.stdout is not None
        assert f"key {key})" in again.stdout.readline()
    finally:
        again.send_signal(signal.SIGINT)
        assert again.wait(timeout=10) == 0


def test_concurrent_writes_each_get_their_own_version(sandbox: Sandbox) -> None:
    def post(n: int) -> int:
        with httpx2.Client() as client:
            for i in range(n):
                response = client.post(
                    f"{sandbox.url}/users/1/items",
                    headers=HEADERS,
                    json=[{"itemType": "book", "title": f"T{i}-{j}"} for j in range(3)],
                )
                assert response.status_code == 200
        return n

    with ThreadPoolExecutor(4) as pool:
        total = sum(pool.map(post, [10, 10, 10, 10]))
    items = sandbox.all_items(LIB)
    assert len(items) == 3 * total
    # One version per object (dataserver c97d2cfd), none shared even under concurrency.
    assert sandbox.library_version(LIB) == 3 * total
    per_version = Counter(i["version"] for i in items)
    assert set(per_version.values()) == {1}


def test_stop_ends_handler_threads_even_with_idle_keep_alive(sandbox: Sandbox) -> None:
    def sandbox_threads() -> set[threading.Thread]:
        return {
            t
            for t in threading.enumerate()
            if "process_request_thread" in t.name or t.name.startswith("sandbox-")
        }

    before = sandbox_threads()
    with Sandbox() as other, httpx2.Client() as client:
        other.add_user_library(1)
        other.add_key(TEST_KEY, user_id=1)
        assert client.get(f"{other.url}/users/1/items", headers=HEADERS).status_code == 200
        assert sandbox_threads() - before  # the loop and the keep-alive handler
        other.stop()  # the client still holds its idle connection open
        assert not sandbox_threads() - before


def test_port_in_use_is_a_usage_error(sandbox: Sandbox) -> None:
    with pytest.raises(UsageError, match="cannot listen"):
        Sandbox().start(sandbox.port)


def test_url_before_start_and_restart_after_stop() -> None:
    sb = Sandbox()
    sb.add_user_library(1)
    sb.add_key(TEST_KEY, user_id=1)
    with pytest.raises(UsageError, match="not running"):
        _ = sb.url
    sb.start()
    key = sb.user_create(LIB, {"itemType": "book", "title": "Across restarts"})
    sb.stop()
    sb.start()
    try:
        assert _get(sb, f"/users/1/items/{key}").status_code == 200
    finally:
        sb.stop()
