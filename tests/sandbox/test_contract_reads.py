"""Contract, API docs "reading": envelopes, paging, formats, since, search, trash, deleted."""

from __future__ import annotations

import uuid
from typing import Any

import httpx2
from conftest import ApiTarget


def _tag() -> str:
    return f"contract-{uuid.uuid4().hex[:10]}"


def _create_many(api: ApiTarget, n: int, tag: str, **fields: Any) -> list[str]:
    items = [
        {"itemType": "book", "title": f"Paged {i:03d}", "tags": [{"tag": tag}], **fields}
        for i in range(n)
    ]
    keys: list[str] = []
    for start in range(0, n, 50):
        body = api.post_items(items[start : start + 50])
        assert not body["failed"]
        keys.extend(body["success"][str(i)] for i in range(len(items[start : start + 50])))
    return keys


def test_item_envelope_shape(zotero_api: ApiTarget) -> None:
    created = zotero_api.create(
        creators=[{"creatorType": "author", "firstName": "Ada", "lastName": "Lovelace"}],
        date="2021-03-04",
    )
    item = zotero_api.lib("GET", f"/items/{created['key']}").json()
    assert {"key", "version", "library", "links", "meta", "data"} <= set(item)
    assert item["library"]["type"] == zotero_api.library.split("/")[0].rstrip("s")
    assert item["links"]["self"]["href"].endswith(f"/items/{created['key']}")
    assert item["meta"]["creatorSummary"] == "Lovelace"
    assert item["meta"]["parsedDate"] == "2021-03-04"
    data = item["data"]
    assert data["key"] == created["key"] and data["version"] == item["version"]
    assert data["dateAdded"].endswith("Z") and data["dateModified"].endswith("Z")
    assert data["abstractNote"] == ""  # every field of the type is present


def test_paging_with_link_headers_visits_every_item_once(zotero_api: ApiTarget) -> None:
    tag = _tag()
    keys = _create_many(zotero_api, 7, tag)
    response = zotero_api.lib("GET", "/items", params={"tag": tag, "limit": 3})
    assert response.status_code == 200
    assert response.headers["Total-Results"] == "7"
    seen = [i["key"] for i in response.json()]
    assert len(seen) == 3
    links = response.links
    assert links["next"]["url"].startswith("http")
    assert "last" in links and "first" not in links
    while "next" in response.links:
        response = zotero_api.client.get(
            response.links["next"]["url"],
            headers={"Zotero-API-Key": zotero_api.key, "Zotero-API-Version": "3"},
        )
        assert response.status_code == 200
        seen.extend(i["key"] for i in response.json())
    assert sorted(seen) == sorted(keys)
    assert "prev" in response.links and "first" in response.links


def test_default_page_size_is_25(zotero_api: ApiTarget) -> None:
    tag = _tag()
    _create_many(zotero_api, 30, tag)
    response = zotero_api.lib("GET", "/items", params={"tag": tag})
    assert len(response.json()) == 25
    assert response.headers["Total-Results"] == "30"


def test_limit_is_capped_at_100(zotero_api: ApiTarget) -> None:
    sb = zotero_api.require_sandbox()
    for i in range(105):
        sb.user_create("users/1", {"itemType": "book", "title": f"Bulk {i}"})
    response = zotero_api.lib("GET", "/items", params={"limit": 500})
    assert len(response.json()) == 100


def test_format_versions_and_keys_are_unpaginated(zotero_api: ApiTarget) -> None:
    before = zotero_api.version()
    tag = _tag()
    keys = _create_many(zotero_api, 30, tag)
    versions = zotero_api.lib(
        "GET", "/items", params={"since": before, "format": "versions", "includeTrashed": 1}
    )
    assert versions.status_code == 200
    body = versions.json()
    assert set(keys) <= set(body)
    assert all(body[k] > before for k in keys)
    listing = zotero_api.lib("GET", "/items", params={"tag": tag, "format": "keys"})
    assert sorted(listing.text.split()) == sorted(keys)


def test_since_returns_only_newer_objects(zotero_api: ApiTarget) -> None:
    old = zotero_api.create()
    middle = zotero_api.version()
    new = zotero_api.create()
    response = zotero_api.lib("GET", "/items", params={"since": middle, "format": "versions"})
    assert new["key"] in response.json() and old["key"] not in response.json()


def test_if_modified_since_version_gives_304_until_a_write(zotero_api: ApiTarget) -> None:
    zotero_api.create()
    version = zotero_api.version()
    cond = {"If-Modified-Since-Version": str(version)}
    unchanged = zotero_api.lib("GET", "/items", headers=cond)
    assert unchanged.status_code == 304
    assert unchanged.headers["Last-Modified-Version"] == str(version)
    zotero_api.create()
    assert zotero_api.lib("GET", "/items", headers=cond).status_code == 200


def test_item_key_filter_and_its_limit(zotero_api: ApiTarget) -> None:
    a, b = zotero_api.create(), zotero_api.create()
    wanted = f"{a['key']},{b['key']}"
    response = zotero_api.lib("GET", "/items", params={"itemKey": wanted})
    assert sorted(i["key"] for i in response.json()) == sorted([a["key"], b["key"]])
    # parseQueryParams: no cap on the number of keys, invalid ones are dropped, and
    # the page size is forced to MAX_OBJECT_KEYS (100).
    many = ",".join([a["key"], *["ABCD2345"] * 120, "not-a-key", b["key"]]) + ","
    response = zotero_api.lib("GET", "/items", params={"itemKey": many, "limit": 1})
    assert response.status_code == 200
    assert sorted(i["key"] for i in response.json()) == sorted([a["key"], b["key"]])


def test_trashed_items_are_hidden_unless_asked_for(zotero_api: ApiTarget) -> None:
    tag = _tag()
    item = zotero_api.create(tags=[{"tag": tag}], deleted=1)
    key = item["key"]
    listed = zotero_api.lib("GET", "/items", params={"tag": tag}).json()
    assert listed == []
    with_trash = zotero_api.lib("GET", "/items", params={"tag": tag, "includeTrashed": 1})
    assert [i["key"] for i in with_trash.json()] == [key]
    # Items::search: itemKey does not bring trashed items back without includeTrashed.
    by_key = zotero_api.lib("GET", "/items", params={"itemKey": key}).json()
    assert by_key == []
    by_key = zotero_api.lib("GET", "/items", params={"itemKey": key, "includeTrashed": 1})
    assert [i["key"] for i in by_key.json()] == [key]
    single = zotero_api.lib("GET", f"/items/{key}").json()
    assert single["data"]["deleted"] in (1, True)
    trash = zotero_api.lib("GET", "/items/trash", params={"tag": tag}).json()
    assert [i["key"] for i in trash] == [key]


def test_q_searches_title_creator_and_year_only(zotero_api: ApiTarget) -> None:
    marker = uuid.uuid4().hex[:10]
    item = zotero_api.create(
        title=f"Quokka {marker} habitats",
        creators=[{"creatorType": "author", "firstName": "Zed", "lastName": f"Zy{marker}"}],
        date="1987-06-01",
        DOI=f"10.9999/doi{marker}",
        extra=f"PMID: x{marker}x",
        url=f"https://example.org/u{marker}",
    )
    key = item["key"]

    def hits(q: str, **extra: str) -> list[str]:
        params = {"q": q, "itemKey": key, **extra}
        return [i["key"] for i in zotero_api.lib("GET", "/items", params=params).json()]

    assert hits(f"quokka {marker}") == [key]
    assert hits(f"zy{marker}") == [key]
    assert hits("1987") == [key]
    assert hits(f"doi{marker}") == []
    assert hits(f"doi{marker}", qmode="everything") == []
    assert hits(f"x{marker}x") == []
    assert hits(f"u{marker}") == []


def test_item_type_filter_supports_or_and_not(zotero_api: ApiTarget) -> None:
    tag = _tag()
    book = zotero_api.create(itemType="book", tags=[{"tag": tag}])
    article = zotero_api.create(itemType="journalArticle", tags=[{"tag": tag}])
    report = zotero_api.create(itemType="report", tags=[{"tag": tag}])

    def keys(item_type: str) -> set[str]:
        params = {"tag": tag, "itemType": item_type}
        return {i["key"] for i in zotero_api.lib("GET", "/items", params=params).json()}

    assert keys("book") == {book["key"]}
    assert keys("-book") == {article["key"], report["key"]}
    assert keys("book || report") == {book["key"], report["key"]}


def test_children_top_and_num_children(zotero_api: ApiTarget) -> None:
    tag = _tag()
    parent = zotero_api.create(tags=[{"tag": tag}])
    note = zotero_api.create(
        itemType="note", note="<p>child</p>", parentItem=parent["key"], tags=[{"tag": tag}]
    )
    children = zotero_api.lib("GET", f"/items/{parent['key']}/children").json()
    assert [c["key"] for c in children] == [note["key"]]
    top = zotero_api.lib("GET", "/items/top", params={"tag": tag}).json()
    assert [i["key"] for i in top] == [parent["key"]]
    assert top[0]["meta"]["numChildren"] == 1


def test_deleted_lists_keys_removed_since(zotero_api: ApiTarget) -> None:
    item = zotero_api.create()
    before = zotero_api.version()
    response = zotero_api.lib(
        "DELETE",
        f"/items/{item['key']}",
        headers={"If-Unmodified-Since-Version": str(item["version"])},
    )
    assert response.status_code == 204
    deleted = zotero_api.lib("GET", "/deleted", params={"since": before})
    assert deleted.status_code == 200
    assert item["key"] in deleted.json()["items"]
    assert set(deleted.json()) >= {"collections", "searches", "items", "tags", "settings"}
    later = zotero_api.lib("GET", "/deleted", params={"since": zotero_api.version()}).json()
    assert item["key"] not in later["items"]


def test_deleted_requires_since(zotero_api: ApiTarget) -> None:
    assert zotero_api.lib("GET", "/deleted").status_code == 400


def test_collection_reads(zotero_api: ApiTarget) -> None:
    name = _tag()
    body = zotero_api.lib("POST", "/collections", json=[{"name": name}]).json()
    parent = body["successful"]["0"]["key"]
    sub = zotero_api.lib(
        "POST", "/collections", json=[{"name": name + "-sub", "parentCollection": parent}]
    ).json()["successful"]["0"]["key"]
    item = zotero_api.create(collections=[sub])
    top_keys = {c["key"] for c in zotero_api.lib("GET", "/collections/top").json()}
    assert parent in top_keys and sub not in top_keys
    subs = zotero_api.lib("GET", f"/collections/{parent}/collections").json()
    assert [c["key"] for c in subs] == [sub]
    members = zotero_api.lib("GET", f"/collections/{sub}/items").json()
    assert [i["key"] for i in members] == [item["key"]]
    single = zotero_api.lib("GET", f"/collections/{sub}").json()
    assert single["data"]["parentCollection"] == parent
    assert single["meta"]["numItems"] == 1
    assert zotero_api.lib("GET", "/collections/ZZZZZZZZ").status_code == 404


def test_bad_parameters_are_400(zotero_api: ApiTarget) -> None:
    assert zotero_api.lib("GET", "/items", params={"sort": "shoeSize"}).status_code == 400


def _page_through(client: httpx2.Client, url: str, headers: dict[str, str]) -> list[str]:
    keys: list[str] = []
    next_url: str | None = url
    while next_url:
        response = client.get(next_url, headers=headers)
        keys.extend(i["key"] for i in response.json())
        next_url = response.links.get("next", {}).get("url")
    return keys


def test_paging_is_stable_when_sort_values_tie(zotero_api: ApiTarget) -> None:
    sb = zotero_api.require_sandbox()
    # Created in one second, so dateModified ties everywhere; key order must break them.
    keys = {sb.user_create("users/1", {"itemType": "book", "title": "Tie"}) for _ in range(23)}
    headers = {"Zotero-API-Key": zotero_api.key}
    for sort in ("dateModified", "title", "itemType"):
        url = f"{zotero_api.base_url}/users/1/items?limit=4&sort={sort}"
        seen = _page_through(zotero_api.client, url, headers)
        assert len(seen) == len(set(seen)) == 23
        assert set(seen) == keys


def test_single_object_conditional_read(zotero_api: ApiTarget) -> None:
    item = zotero_api.create()
    path = f"/items/{item['key']}"
    same = zotero_api.lib("GET", path, headers={"If-Modified-Since-Version": str(item["version"])})
    assert same.status_code == 304
    older = str(item["version"] - 1)
    assert (
        zotero_api.lib("GET", path, headers={"If-Modified-Since-Version": older}).status_code == 200
    )
