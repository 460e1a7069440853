"""pyzotero 1.16, pointed at the sandbox, works and fails as it would against api.zotero.org."""

from __future__ import annotations

import json
from typing import Any, cast

import pytest
from pyzotero import errors as ze
from pyzotero import zotero

from syncd.sandbox import FaultPlan, Sandbox

# pyzotero sends "Authorization: Bearer <key>", which the server (and the sandbox)
# accepts for keys of letters and digits only, as real keys are.
PYZOTERO_KEY = "pyzoteroSandboxKey000001"


def _client(sb: Sandbox, key: str = PYZOTERO_KEY) -> zotero.Zotero:
    if key == PYZOTERO_KEY:
        sb.add_key(PYZOTERO_KEY, user_id=1)
    zot = zotero.Zotero(1, "user", key)
    zot.endpoint = sb.url
    return zot


def _articles(zot: zotero.Zotero, n: int) -> list[dict[str, object]]:
    template = zot.item_template("journalArticle")
    out = []
    for i in range(n):
        item = dict(template)
        item["title"] = f"Article {i}"
        item["creators"] = [{"creatorType": "author", "firstName": "A", "lastName": f"Name{i}"}]
        out.append(item)
    return out


def test_create_read_page_update_delete_items(sandbox: Sandbox) -> None:
    zot = _client(sandbox)
    created = zot.create_items(_articles(zot, 50))
    assert len(created["success"]) == 50 and not created["failed"]
    zot.create_items(_articles(zot, 20))
    everything = zot.everything(zot.items(limit=30))
    assert len(everything) == 70
    assert len({i["key"] for i in everything}) == 70
    assert zot.count_items() == 70

    item = zot.item(created["success"]["0"])
    item["data"]["title"] = "Changed"
    assert zot.update_item(item["data"]) is True
    assert zot.item(item["key"])["data"]["title"] == "Changed"

    versions = zot.item_versions(since=0, includeTrashed=1)
    assert len(versions) == 70
    current = zot.item(item["key"])
    assert zot.delete_item(current) is True
    assert item["key"] in zot.deleted(since=0)["items"]
    with pytest.raises(ze.ResourceNotFoundError):
        zot.item(item["key"])


def test_last_modified_version_and_templates(sandbox: Sandbox) -> None:
    zot = _client(sandbox)
    zot.create_items(_articles(zot, 2))
    assert zot.last_modified_version() == 2  # one version per object written
    assert "title" in zot.item_template("book")
    # pyzotero annotates its template calls as returning a dict; the API answers
    # these two with a JSON array of objects.
    fields = {f["field"] for f in cast(list[dict[str, Any]], zot.item_type_fields("book"))}
    assert "ISBN" in fields
    types = cast(list[dict[str, Any]], zot.item_types())
    assert any(t["itemType"] == "book" for t in types)


def test_collections_round_trip(sandbox: Sandbox) -> None:
    zot = _client(sandbox)
    made = zot.create_collections([{"name": "Reading"}])
    key = made["success"]["0"]
    sub = zot.create_collections([{"name": "Inner", "parentCollection": key}])
    assert sub["successful"]["0"]["data"]["parentCollection"] == key
    coll = zot.collection(key)
    coll["data"]["name"] = "Reading list"
    zot.update_collection(coll["data"])
    assert zot.collection(key)["data"]["name"] == "Reading list"
    item = zot.create_items(_articles(zot, 1))["successful"]["0"]
    assert zot.addto_collection(key, item) is True
    assert [i["key"] for i in zot.collection_items(key)] == [item["key"]]
    assert {c["data"]["name"] for c in zot.everything(zot.collections())} == {
        "Reading list",
        "Inner",
    }
    assert zot.delete_collection(zot.collection(key)) is True
    assert zot.collections() == []


def test_stale_update_raises_precondition_failed(sandbox: Sandbox) -> None:
    zot = _client(sandbox)
    key = zot.create_items(_articles(zot, 1))["success"]["0"]
    stale = zot.item(key)["data"]
    fresh = dict(stale, title="Someone else")
    zot.update_item(fresh)
    stale["title"] = "Me"
    with pytest.raises(ze.PreConditionFailedError):
        zot.update_item(stale)


def test_bad_key_raises_user_not_authorised(sandbox: Sandbox) -> None:
    zot = _client(sandbox, key="wrongKey0000000000000000")
    with pytest.raises(ze.UserNotAuthorisedError):
        zot.items()


def test_missing_item_raises_resource_not_found(sandbox: Sandbox) -> None:
    with pytest.raises(ze.ResourceNotFoundError):
        _client(sandbox).item("ABCD2345")


def test_invalid_field_for_type_fails_per_object_not_client_side(sandbox: Sandbox) -> None:
    zot = _client(sandbox)
    result = zot.create_items([{"itemType": "book", "caseName": "x"}])
    assert result["failed"]["0"]["code"] == 400


def test_429_on_reads_is_retried_then_gives_up(sandbox: Sandbox) -> None:
    zot = _client(sandbox)
    sandbox.faults = FaultPlan(rate_429=1.0, retry_after=0)
    with pytest.raises(ze.TooManyRetriesError):
        zot.items()
    assert sandbox.count(status=429) == 3


def test_429_on_create_items_surfaces_as_json_error(sandbox: Sandbox) -> None:
    # pyzotero parses the plain-text 429 body: syncd must be ready for this.
    zot = _client(sandbox)
    sandbox.faults = FaultPlan(rate_429=1.0, retry_after=0)
    with pytest.raises(json.JSONDecodeError):
        zot.create_items([{"itemType": "book", "title": "x"}])


def test_503_raises_http_error_with_retry_after(sandbox: Sandbox) -> None:
    zot = _client(sandbox)
    sandbox.faults = FaultPlan(rate_503=1.0, retry_after=0)
    with pytest.raises(ze.HTTPError) as info:
        zot.items()
    assert info.value.__cause__.response.headers["Retry-After"] == "0"  # type: ignore[union-attr]


def test_a_bad_parameter_raises_unsupported_params(sandbox: Sandbox) -> None:
    zot = _client(sandbox)
    with pytest.raises(ze.UnsupportedParamsError):
        zot.items(qmode="fuzzy")  # 400, as parseQueryParams answers
