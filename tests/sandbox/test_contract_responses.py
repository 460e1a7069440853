"""Contract, issue 16 point 11: the shape and wording of the server's answers.

The 413 `data` shapes for fields, creators, tags and notes are in
test_contract_limits.py (Zotero_Errors::parseException). Each test names the dataserver
code (github.com/zotero/dataserver) it mirrors.
"""

from __future__ import annotations

from typing import Any

from conftest import ApiTarget
from test_contract_values import new_key


def _failed(zotero_api: ApiTarget, obj: dict[str, Any]) -> dict[str, Any]:
    body = zotero_api.post_items([obj])
    assert "0" in body["failed"], body
    failed: dict[str, Any] = body["failed"]["0"]
    return failed


def test_a_missing_collection_is_409_collection_not_found(zotero_api: ApiTarget) -> None:
    # model/Errors.inc.php, parseException, Z_ERROR_COLLECTION_NOT_FOUND:
    # "Collection <key> not found", data {collection}.
    missing = new_key()
    failed = _failed(zotero_api, {"itemType": "book", "collections": [missing]})
    assert failed["code"] == 409
    assert failed["message"] == f"Collection {missing} not found"
    assert failed["data"] == {"collection": missing}


def test_a_missing_parent_collection_is_409(zotero_api: ApiTarget) -> None:
    missing = new_key()
    body = zotero_api.lib(
        "POST", "/collections", json=[{"name": "Orphan", "parentCollection": missing}]
    ).json()
    assert body["failed"]["0"]["code"] == 409
    assert body["failed"]["0"]["message"] == f"Parent collection {missing} not found"


def test_a_missing_parent_item_is_409_parent_item_not_found(zotero_api: ApiTarget) -> None:
    # parseException, Z_ERROR_ITEM_NOT_FOUND: "Parent item <key> not found", data {parentItem}.
    missing = new_key()
    failed = _failed(zotero_api, {"itemType": "note", "note": "n", "parentItem": missing})
    assert failed["code"] == 409
    assert failed["message"] == f"Parent item {missing} not found"
    assert failed["data"] == {"parentItem": missing}


def test_a_note_as_parent_is_409(zotero_api: ApiTarget) -> None:
    # parseException, Z_ERROR_INVALID_ITEM_PARENT: "Parent item cannot be a note or attachment".
    note = zotero_api.create(itemType="note", note="<p>top</p>")
    failed = _failed(zotero_api, {"itemType": "note", "note": "n", "parentItem": note["key"]})
    assert failed["code"] == 409
    assert failed["message"] == "Parent item cannot be a note or attachment"


def test_a_body_key_that_differs_from_the_url_is_409(zotero_api: ApiTarget) -> None:
    # model/API.inc.php, Zotero_API::processJSONObjectKey: HTTPException(..., 409)
    # "'key' property in JSON does not match item key of request".
    item = zotero_api.create()
    response = zotero_api.lib(
        "PATCH",
        f"/items/{item['key']}",
        json={"key": new_key(), "volume": "1"},
        headers={"If-Unmodified-Since-Version": str(item["version"])},
    )
    assert response.status_code == 409


def test_an_unknown_group_is_404_and_a_non_numeric_user_400(zotero_api: ApiTarget) -> None:
    # controllers/ApiController.php, __construct: the group is looked up (e404) before
    # the key's access is checked; a user id that is no number is e400("Invalid user ID").
    assert zotero_api.request("GET", "/groups/999999999/items").status_code == 404
    assert zotero_api.request("GET", "/users/abc/items").status_code == 400


def test_a_trashed_item_reads_deleted_1(zotero_api: ApiTarget) -> None:
    # model/Item.inc.php, Item::toJSON: `$arr['deleted'] = 1;` ("TODO: Use true/false in
    # APIv4"), whatever was sent.
    item = zotero_api.create(deleted=True)
    data = zotero_api.lib("GET", f"/items/{item['key']}").json()["data"]
    assert data["deleted"] == 1 and data["deleted"] is not True


def test_a_child_note_has_no_collections_property(zotero_api: ApiTarget) -> None:
    # Item::toJSON: `if ($this->isTopLevelItem()) $arr['collections'] = ...`.
    parent = zotero_api.create()
    note = zotero_api.create(itemType="note", note="<p>child</p>", parentItem=parent["key"])
    data = zotero_api.lib("GET", f"/items/{note['key']}").json()["data"]
    assert "collections" not in data
    assert zotero_api.lib("GET", f"/items/{parent['key']}").json()["data"]["collections"] == []


def test_parsed_date_keeps_the_day(zotero_api: ApiTarget) -> None:
    # Item::toResponseJSON meta.parsedDate from Zotero_Date::strToDate (multipart date).
    item = zotero_api.create(date="Sept 18, 2012")
    meta = zotero_api.lib("GET", f"/items/{item['key']}").json()["meta"]
    assert meta["parsedDate"] == "2012-09-18"


def test_item_types_leave_out_attachment_and_annotation(zotero_api: ApiTarget) -> None:
    # model/ItemTypes.inc.php, ItemTypes::getAll: `itemTypeName NOT IN ('attachment',
    # 'annotation')`, sorted by localized name.
    types = zotero_api.request("GET", "/itemTypes").json()
    names = [t["itemType"] for t in types]
    assert "attachment" not in names and "annotation" not in names
    labels = [t["localized"] for t in types]
    assert labels == sorted(labels)


def test_an_attachment_template_needs_and_carries_its_link_mode(zotero_api: ApiTarget) -> None:
    # controllers/MappingsController.php, newItem: "linkMode required for
    # itemType=attachment"; the template starts with linkMode and has file properties.
    missing = zotero_api.request("GET", "/items/new", params={"itemType": "attachment"})
    assert missing.status_code == 400
    bad = zotero_api.request(
        "GET", "/items/new", params={"itemType": "attachment", "linkMode": "nope"}
    )
    assert bad.status_code == 400
    template = zotero_api.request(
        "GET", "/items/new", params={"itemType": "attachment", "linkMode": "imported_file"}
    ).json()
    assert template["linkMode"] == "imported_file"
    assert {"filename", "md5", "mtime", "contentType", "charset", "note"} <= set(template)
    assert "url" not in template  # only for *_url link modes
    linked_url = zotero_api.request(
        "GET", "/items/new", params={"itemType": "attachment", "linkMode": "linked_url"}
    ).json()
    assert "url" in linked_url and "filename" not in linked_url
