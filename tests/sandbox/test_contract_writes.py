"""Contract, API docs section "writing": batches, versions and preconditions, write tokens."""

from __future__ import annotations

import uuid
from typing import Any

from conftest import ApiTarget

NEW_KEY_CHARS = "23456789ABCDEFGHIJKLMNPQRSTUVWXYZ"


def _client_key() -> str:
    raw = uuid.uuid4().int
    out = []
    for _ in range(8):
        raw, index = divmod(raw, len(NEW_KEY_CHARS))
        out.append(NEW_KEY_CHARS[index])
    return "".join(out)


def _book(**fields: Any) -> dict[str, Any]:
    return {"itemType": "book", "title": f"Write {uuid.uuid4().hex[:8]}", **fields}


def test_batch_response_maps_are_keyed_by_index(zotero_api: ApiTarget) -> None:
    before = zotero_api.version()
    response = zotero_api.lib("POST", "/items", json=[_book(), {"itemType": "nope"}, _book()])
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"successful", "success", "unchanged", "failed"}
    assert set(body["successful"]) == {"0", "2"} == set(body["success"])
    assert body["failed"]["1"]["code"] == 400
    new_version = int(response.headers["Last-Modified-Version"])
    assert new_version > before
    for index in ("0", "2"):
        obj = body["successful"][index]
        assert obj["key"] == body["success"][index]
        assert obj["version"] == obj["data"]["version"]
        assert {"key", "version", "library", "links", "meta", "data"} <= set(obj)
    assert body["successful"]["2"]["version"] == new_version  # the last object's bump


def test_identical_object_is_unchanged_and_keeps_its_version(zotero_api: ApiTarget) -> None:
    # DataObjects::updateMultipleFromJSON bumps the library inside each object's
    # transaction and commits it for an unchanged object too: the object keeps its
    # version, the library moves on (remote test collection.test.js "should update
    # multiple collections": "each item bumps the version, even if unchanged").
    item = zotero_api.create()
    version = zotero_api.version()
    response = zotero_api.lib("POST", "/items", json=[item["data"]])
    body = response.json()
    assert body["unchanged"] == {"0": item["key"]}
    assert body["successful"] == {}
    assert int(response.headers["Last-Modified-Version"]) == version + 1
    assert zotero_api.version() == version + 1
    assert zotero_api.lib("GET", f"/items/{item['key']}").json()["version"] == item["version"]


def test_post_is_a_partial_update(zotero_api: ApiTarget) -> None:
    item = zotero_api.create(publisher="Old Press", place="Paris")
    update = {"key": item["key"], "version": item["version"], "publisher": "New Press"}
    body = zotero_api.post_items([update])
    saved = body["successful"]["0"]["data"]
    assert saved["publisher"] == "New Press"
    assert saved["place"] == "Paris"
    assert saved["title"] == item["data"]["title"]


def test_stale_object_version_fails_that_object_with_412(zotero_api: ApiTarget) -> None:
    item = zotero_api.create()
    zotero_api.post_items([{"key": item["key"], "version": item["version"], "volume": "2"}])
    stale = {"key": item["key"], "version": item["version"], "volume": "3"}
    body = zotero_api.post_items([stale, _book()])
    failed = body["failed"]["0"]
    assert failed["code"] == 412
    assert failed["key"] == item["key"]
    assert "has been modified since specified version" in failed["message"]
    assert "1" in body["successful"]


def test_keyed_object_without_any_version_is_428(zotero_api: ApiTarget) -> None:
    item = zotero_api.create()
    body = zotero_api.post_items([{"key": item["key"], "volume": "9"}])
    assert body["failed"]["0"]["code"] == 428


def test_library_header_stands_in_for_object_versions(zotero_api: ApiTarget) -> None:
    item = zotero_api.create()
    headers = {"If-Unmodified-Since-Version": str(zotero_api.version())}
    body = zotero_api.post_items([{"key": item["key"], "volume": "9"}], headers=headers)
    assert "0" in body["successful"]


def test_stale_library_header_is_412_for_the_whole_request(zotero_api: ApiTarget) -> None:
    zotero_api.create()
    stale = zotero_api.version() - 1
    response = zotero_api.lib(
        "POST",
        "/items",
        json=[_book()],
        headers={"If-Unmodified-Since-Version": str(stale)},
    )
    assert response.status_code == 412
    assert "Library has been modified since specified version" in response.text
    assert response.headers["Last-Modified-Version"] == str(stale + 1)
    assert zotero_api.version() == stale + 1  # nothing written


def test_client_key_with_version_zero_creates_once(zotero_api: ApiTarget) -> None:
    key = _client_key()
    first = zotero_api.post_items([_book(key=key, version=0)])
    assert first["success"] == {"0": key}
    again = zotero_api.post_items([_book(key=key, version=0)])
    assert again["failed"]["0"]["code"] == 412
    assert again["failed"]["0"]["key"] == key


def test_positive_version_for_a_missing_key_is_404(zotero_api: ApiTarget) -> None:
    body = zotero_api.post_items([_book(key=_client_key(), version=5)])
    assert body["failed"]["0"]["code"] == 404
    assert "use 0 instead" in body["failed"]["0"]["message"]


def test_more_than_50_objects_is_413(zotero_api: ApiTarget) -> None:
    before = zotero_api.version()
    response = zotero_api.lib("POST", "/items", json=[_book() for _ in range(51)])
    assert response.status_code == 413
    assert "Cannot add more than 50 items at a time" in response.text
    assert zotero_api.version() == before


def test_body_that_is_not_an_array_is_400(zotero_api: ApiTarget) -> None:
    assert zotero_api.lib("POST", "/items", json=_book()).status_code == 400
    garbage = zotero_api.lib(
        "POST", "/items", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert garbage.status_code == 400


def test_write_token_blocks_a_replayed_request(zotero_api: ApiTarget) -> None:
    token = uuid.uuid4().hex
    headers = {"Zotero-Write-Token": token}
    first = zotero_api.lib("POST", "/items", json=[_book()], headers=headers)
    assert first.status_code == 200
    version = zotero_api.version()
    replay = zotero_api.lib("POST", "/items", json=[_book()], headers=headers)
    assert replay.status_code == 412
    assert "Write token already used" in replay.text
    assert zotero_api.version() == version


def test_write_token_is_not_spent_by_a_failed_request(zotero_api: ApiTarget) -> None:
    headers = {"Zotero-Write-Token": uuid.uuid4().hex}
    too_big = zotero_api.lib("POST", "/items", json=[_book() for _ in range(51)], headers=headers)
    assert too_big.status_code == 413
    retry = zotero_api.lib("POST", "/items", json=[_book()], headers=headers)
    assert retry.status_code == 200


def test_write_token_is_spent_even_when_objects_fail(zotero_api: ApiTarget) -> None:
    headers = {"Zotero-Write-Token": uuid.uuid4().hex}
    partial = zotero_api.lib("POST", "/items", json=[{"itemType": "nope"}], headers=headers)
    assert partial.status_code == 200 and partial.json()["failed"]
    again = zotero_api.lib("POST", "/items", json=[_book()], headers=headers)
    assert again.status_code == 412


def test_write_token_length_is_checked(zotero_api: ApiTarget) -> None:
    for token in ("abcd", "x" * 33):
        response = zotero_api.lib(
            "POST", "/items", json=[_book()], headers={"Zotero-Write-Token": token}
        )
        assert response.status_code == 400


def test_write_tokens_are_scoped_per_key(zotero_api: ApiTarget) -> None:
    sb = zotero_api.require_sandbox()
    sb.add_key("second-key-000000000000000", user_id=1)
    headers = {"Zotero-Write-Token": "shared-token-1"}
    assert zotero_api.lib("POST", "/items", json=[_book()], headers=headers).status_code == 200
    other = zotero_api.lib(
        "POST", "/items", json=[_book()], headers=headers, key="second-key-000000000000000"
    )
    assert other.status_code == 200


def test_patch_updates_and_returns_204(zotero_api: ApiTarget) -> None:
    item = zotero_api.create(place="Lyon")
    response = zotero_api.lib(
        "PATCH",
        f"/items/{item['key']}",
        json={"volume": "4"},
        headers={"If-Unmodified-Since-Version": str(item["version"])},
    )
    assert response.status_code == 204
    new_version = int(response.headers["Last-Modified-Version"])
    data = zotero_api.lib("GET", f"/items/{item['key']}").json()["data"]
    assert data["volume"] == "4" and data["place"] == "Lyon"
    assert data["version"] == new_version


def test_patch_preconditions(zotero_api: ApiTarget) -> None:
    item = zotero_api.create()
    path = f"/items/{item['key']}"
    missing = zotero_api.lib("PATCH", path, json={"volume": "1"})
    assert missing.status_code == 428
    zotero_api.lib(
        "PATCH", path, json={"volume": "2"}, headers={"If-Unmodified-Since-Version": "0"}
    )
    stale = zotero_api.lib(
        "PATCH", path, json={"volume": "3"}, headers={"If-Unmodified-Since-Version": "0"}
    )
    assert stale.status_code == 412
    unknown = zotero_api.lib("PATCH", f"/items/{_client_key()}", json={"volume": "1"})
    assert unknown.status_code == 404


def test_put_replaces_the_item(zotero_api: ApiTarget) -> None:
    item = zotero_api.create(place="Lyon", volume="7")
    replacement = {
        "itemType": "journalArticle",
        "title": "Replaced",
        "volume": "8",
        "tags": [],
        "collections": [],
        "relations": {},
    }
    response = zotero_api.lib(
        "PUT",
        f"/items/{item['key']}",
        json=replacement,
        headers={"If-Unmodified-Since-Version": str(item["version"])},
    )
    assert response.status_code == 204
    data = zotero_api.lib("GET", f"/items/{item['key']}").json()["data"]
    assert data["title"] == "Replaced" and data["volume"] == "8"
    assert data["place"] == ""
    assert data["dateAdded"] == item["data"]["dateAdded"]


def test_delete_single_item_needs_its_version(zotero_api: ApiTarget) -> None:
    item = zotero_api.create()
    path = f"/items/{item['key']}"
    assert zotero_api.lib("DELETE", path).status_code == 428
    zotero_api.post_items([{"key": item["key"], "version": item["version"], "volume": "1"}])
    stale = zotero_api.lib(
        "DELETE", path, headers={"If-Unmodified-Since-Version": str(item["version"])}
    )
    assert stale.status_code == 412
    current = zotero_api.lib("GET", path).json()["version"]
    ok = zotero_api.lib("DELETE", path, headers={"If-Unmodified-Since-Version": str(current)})
    assert ok.status_code == 204
    assert zotero_api.lib("GET", path).status_code == 404


def test_delete_several_items_needs_the_library_version(zotero_api: ApiTarget) -> None:
    a, b = zotero_api.create(), zotero_api.create()
    keys = f"{a['key']},{b['key']}"
    stale = zotero_api.lib(
        "DELETE",
        "/items",
        params={"itemKey": keys},
        headers={"If-Unmodified-Since-Version": str(a["version"])},
    )
    assert stale.status_code == 412
    assert zotero_api.lib("DELETE", "/items", params={"itemKey": keys}).status_code == 428
    ok = zotero_api.lib(
        "DELETE",
        "/items",
        params={"itemKey": keys},
        headers={"If-Unmodified-Since-Version": str(zotero_api.version())},
    )
    assert ok.status_code == 204
    left = zotero_api.lib("GET", "/items", params={"itemKey": keys}).json()
    assert left == []


def test_date_added_cannot_change(zotero_api: ApiTarget) -> None:
    item = zotero_api.create()
    body = zotero_api.post_items(
        [{"key": item["key"], "version": item["version"], "dateAdded": "2001-01-01T00:00:00Z"}]
    )
    assert body["failed"]["0"]["code"] == 400


def test_child_note_rules(zotero_api: ApiTarget) -> None:
    parent_key = _client_key()
    parent = _book(key=parent_key, version=0)
    child = {"itemType": "note", "note": "<p>hi</p>", "parentItem": parent_key}
    same_batch = zotero_api.post_items([parent, child])
    assert set(same_batch["successful"]) == {"0", "1"}
    note_key = same_batch["success"]["1"]
    orphan = {"itemType": "note", "note": "<p>lost</p>", "parentItem": _client_key()}
    under_note = {"itemType": "note", "note": "<p>x</p>", "parentItem": note_key}
    body = zotero_api.post_items([orphan, under_note])
    assert body["failed"]["0"]["code"] == 409
    assert body["failed"]["0"]["data"]["parentItem"] == orphan["parentItem"]
    assert body["failed"]["1"]["code"] == 409


def test_collections_create_nest_join_rename_delete(zotero_api: ApiTarget) -> None:
    name = f"Contract {uuid.uuid4().hex[:8]}"
    made = zotero_api.lib("POST", "/collections", json=[{"name": name}]).json()
    coll = made["successful"]["0"]
    nested = zotero_api.lib(
        "POST", "/collections", json=[{"name": "Inner", "parentCollection": coll["key"]}]
    ).json()
    assert nested["successful"]["0"]["data"]["parentCollection"] == coll["key"]
    missing_parent = zotero_api.lib(
        "POST", "/collections", json=[{"name": "X", "parentCollection": _client_key()}]
    ).json()
    assert missing_parent["failed"]["0"]["code"] == 409
    item = zotero_api.create(collections=[coll["key"]])
    bad = zotero_api.post_items([_book(collections=[_client_key()])])
    assert bad["failed"]["0"]["code"] == 409
    renamed = zotero_api.lib(
        "PUT",
        f"/collections/{coll['key']}",
        json={**coll["data"], "name": name + " (renamed)"},
        headers={"If-Unmodified-Since-Version": str(coll["version"])},
    )
    assert renamed.status_code == 204
    current = zotero_api.lib("GET", f"/collections/{coll['key']}").json()
    assert current["data"]["name"] == name + " (renamed)"
    gone = zotero_api.lib(
        "DELETE",
        f"/collections/{coll['key']}",
        headers={"If-Unmodified-Since-Version": str(current["version"])},
    )
    assert gone.status_code == 204
    assert zotero_api.lib("GET", f"/collections/{coll['key']}").status_code == 404
    left = zotero_api.lib("GET", f"/items/{item['key']}").json()["data"]
    assert coll["key"] not in left["collections"]


def test_trash_and_restore_through_deleted_property(zotero_api: ApiTarget) -> None:
    item = zotero_api.create()
    trashed = zotero_api.post_items(
        [{"key": item["key"], "version": item["version"], "deleted": 1}]
    )
    version = trashed["successful"]["0"]["version"]
    assert trashed["successful"]["0"]["data"]["deleted"] in (1, True)
    restored = zotero_api.post_items([{"key": item["key"], "version": version, "deleted": 0}])
    assert (
        "deleted" not in restored["successful"]["0"]["data"]
        or not restored["successful"]["0"]["data"]["deleted"]
    )


def test_changing_item_type_moves_base_fields(zotero_api: ApiTarget) -> None:
    zotero_api.require_sandbox()
    item = zotero_api.create(itemType="book", title="A ruling", date="2020")
    body = zotero_api.post_items(
        [{"key": item["key"], "version": item["version"], "itemType": "case"}]
    )
    data = body["successful"]["0"]["data"]
    assert data["caseName"] == "A ruling" and data["dateDecided"] == "2020"
    assert "title" not in data


def test_header_and_body_versions_must_agree_on_single_object_writes(
    zotero_api: ApiTarget,
) -> None:
    item = zotero_api.create()
    response = zotero_api.lib(
        "PATCH",
        f"/items/{item['key']}",
        json={"version": item["version"], "volume": "5"},
        headers={"If-Unmodified-Since-Version": str(item["version"] + 1)},
    )
    assert response.status_code == 400


def test_patch_with_version_zero_creates_by_key(zotero_api: ApiTarget) -> None:
    key = _client_key()
    response = zotero_api.lib(
        "PATCH",
        f"/items/{key}",
        json={"itemType": "book", "title": "Made by PATCH"},
        headers={"If-Unmodified-Since-Version": "0"},
    )
    assert response.status_code == 204
    assert zotero_api.lib("GET", f"/items/{key}").json()["data"]["title"] == "Made by PATCH"
