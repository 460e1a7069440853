"""Contract, issue 16 points 1, 2, 3, 9 and 10: what the server stores and refuses in an item.

Each test names the dataserver code (github.com/zotero/dataserver) it mirrors.
"""

from __future__ import annotations

import uuid
from typing import Any

from conftest import ApiTarget


def new_key() -> str:
    """A fresh key in the server's alphabet (Zotero_ID::isValidKey)."""
    alphabet = "23456789ABCDEFGHIJKLMNPQRSTUVWXYZ"
    raw = uuid.uuid4().int
    return "".join(alphabet[(raw >> (5 * i)) % len(alphabet)] for i in range(8))


def _title() -> str:
    return f"Values {uuid.uuid4().hex[:8]}"


def _stored(zotero_api: ApiTarget, key: str) -> dict[str, Any]:
    data: dict[str, Any] = zotero_api.lib("GET", f"/items/{key}").json()["data"]
    return data


def _refusal(zotero_api: ApiTarget, item: dict[str, Any]) -> dict[str, Any]:
    body = zotero_api.post_items([item])
    assert "0" in body["failed"], body
    failed: dict[str, Any] = body["failed"]["0"]
    return failed


# -- 1. values and tags trimmed, blank tags dropped ---------------------------------------


def test_field_values_are_stored_trimmed(zotero_api: ApiTarget) -> None:
    # model/Item.inc.php, Item::setField: `if (is_string($value)) $value = trim($value);`
    title = _title()
    created = zotero_api.create(title=f"  {title}\t\n", volume=" 7 ", extra="line\n")
    stored = _stored(zotero_api, created["key"])
    assert (stored["title"], stored["volume"], stored["extra"]) == (title, "7", "line")
    assert created["data"]["title"] == title  # the write answer shows the stored form


def test_tags_are_trimmed_and_blank_tags_dropped(zotero_api: ApiTarget) -> None:
    # model/Item.inc.php, Item::setTags: blank names filtered out, `trim($newTag->tag)`;
    # Items::validateJSONItem lets an empty name through (only `is_scalar` is checked).
    tags = [{"tag": "  spaced  "}, {"tag": "   "}, {"tag": ""}, {"tag": " auto ", "type": 1}]
    created = zotero_api.create(tags=tags)
    stored = _stored(zotero_api, created["key"])
    by_name = sorted(stored["tags"], key=lambda t: t["tag"])
    assert by_name == [{"tag": "auto", "type": 1}, {"tag": "spaced"}]


def test_creator_names_are_trimmed_of_unicode_spaces_and_format_characters(
    zotero_api: ApiTarget,
) -> None:
    # model/Creator.inc.php, Creator::__set: firstName/lastName through
    # Zotero_Utilities::unicodeTrim (`^[\pZ\pC]+|[\pZ\pC]+$`), which also takes U+200B,
    # U+FEFF and U+00A0, unlike PHP's trim() on fields.
    creators = [
        {"creatorType": "author", "firstName": " Jane\u200b", "lastName": "\ufeffDoe\u00a0"},
        {"creatorType": "author", "name": "\u200bOrg Name "},
    ]
    created = zotero_api.create(creators=creators)
    assert _stored(zotero_api, created["key"])["creators"] == [
        {"creatorType": "author", "firstName": "Jane", "lastName": "Doe"},
        {"creatorType": "author", "name": "Org Name"},
    ]


def test_sending_back_a_padded_copy_of_the_stored_values_changes_nothing(
    zotero_api: ApiTarget,
) -> None:
    # DataObjects::updateMultipleFromJSON reports `unchanged` when Item::save finds no
    # change: the padded values trim to what is stored.
    title = _title()
    created = zotero_api.create(title=title, volume="3")
    padded = {
        "key": created["key"],
        "version": created["version"],
        "title": f" {title} ",
        "volume": "3\n",
        "tags": [{"tag": " "}],  # blank only: nothing to set (Item::setTags returns early)
    }
    body = zotero_api.post_items([padded])
    assert body["unchanged"] == {"0": created["key"]}


def test_sending_the_same_tags_again_writes_a_new_version(zotero_api: ApiTarget) -> None:
    # model/Item.inc.php, Item::setTags returns early only when there are no tags before
    # or after; otherwise it sets changed['tags'] without comparing, and Item::save
    # writes the item (new version) although the tags are the same.
    created = zotero_api.create(tags=[{"tag": "kw"}])
    same = {"key": created["key"], "version": created["version"], "tags": [{"tag": "kw "}]}
    body = zotero_api.post_items([same])
    assert body["successful"]["0"]["version"] > created["version"]
    assert body["successful"]["0"]["data"]["tags"] == [{"tag": "kw"}]


# -- 2. a creator needs both firstName and lastName, or name ------------------------------


def test_a_creator_with_only_a_last_name_is_refused(zotero_api: ApiTarget) -> None:
    # model/Items.inc.php, Items::validateJSONItem, case 'creators' / 'lastName':
    # "'firstName' creator field must be set if 'lastName' is set".
    failed = _refusal(
        zotero_api,
        {
            "itemType": "book",
            "title": _title(),
            "creators": [{"creatorType": "author", "lastName": "Doe"}],
        },
    )
    assert failed["code"] == 400
    assert "'firstName' creator field must be set if 'lastName' is set" in failed["message"]


def test_a_creator_with_only_a_first_name_is_refused(zotero_api: ApiTarget) -> None:
    # Items::validateJSONItem, case 'firstName'.
    failed = _refusal(
        zotero_api,
        {
            "itemType": "book",
            "title": _title(),
            "creators": [{"creatorType": "author", "firstName": "Jane"}],
        },
    )
    assert failed["code"] == 400
    assert "'lastName' creator field must be set if 'firstName' is set" in failed["message"]


def test_an_empty_first_name_with_a_last_name_is_accepted(zotero_api: ApiTarget) -> None:
    creators = [{"creatorType": "author", "firstName": "", "lastName": "Doe"}]
    created = zotero_api.create(itemType="book", creators=creators)
    assert _stored(zotero_api, created["key"])["creators"] == creators


def test_the_templates_single_nameless_creator_is_ignored_but_not_a_second_one(
    zotero_api: ApiTarget,
) -> None:
    # Items::validateJSONItem: "On item creation, ignore single nameless creator,
    # because that's in the item template that the API returns".
    nameless = {"creatorType": "author", "firstName": "", "lastName": ""}
    created = zotero_api.create(itemType="book", creators=[nameless])
    assert _stored(zotero_api, created["key"])["creators"] == []
    named = {"creatorType": "author", "firstName": "A", "lastName": "B"}
    failed = _refusal(
        zotero_api, {"itemType": "book", "title": _title(), "creators": [named, nameless]}
    )
    assert failed["code"] == 400
    assert "must contain 'firstName'/'lastName' or 'name'" in failed["message"]


# -- 3. PUT of an existing item must carry tags, collections and relations ----------------


def _put(zotero_api: ApiTarget, key: str, version: int, body: dict[str, Any]) -> Any:
    return zotero_api.lib(
        "PUT", f"/items/{key}", json=body, headers={"If-Unmodified-Since-Version": str(version)}
    )


def test_put_of_an_existing_item_without_tags_collections_or_relations_is_400(
    zotero_api: ApiTarget,
) -> None:
    # model/Items.inc.php, Items::validateJSONItem: for a full (non-partial) update of an
    # existing item, requiredProps = itemType, tags, relations and, for a top-level
    # item, collections: "'<prop>' property not provided".
    item = zotero_api.create()
    full = {
        "itemType": "journalArticle",
        "title": _title(),
        "tags": [],
        "collections": [],
        "relations": {},
    }
    for prop in ("tags", "collections", "relations", "itemType"):
        partial = {k: v for k, v in full.items() if k != prop}
        response = _put(zotero_api, item["key"], item["version"], partial)
        assert response.status_code == 400, prop
        assert f"'{prop}' property not provided" in response.text
    assert _put(zotero_api, item["key"], item["version"], full).status_code == 204


def test_put_of_a_child_note_needs_no_collections(zotero_api: ApiTarget) -> None:
    parent = zotero_api.create()
    note = zotero_api.create(itemType="note", note="<p>n</p>", parentItem=parent["key"])
    body = {
        "itemType": "note",
        "note": "<p>changed</p>",
        "parentItem": parent["key"],
        "tags": [],
        "relations": {},
    }
    assert _put(zotero_api, note["key"], note["version"], body).status_code == 204


def test_put_creating_a_new_item_needs_only_its_type(zotero_api: ApiTarget) -> None:
    key = new_key()
    response = zotero_api.lib("PUT", f"/items/{key}", json={"itemType": "book", "title": "New"})
    assert response.status_code == 204


# -- 9. a type change turns creator types the new type lacks into contributor -------------


def test_changing_the_item_type_makes_unknown_creator_types_contributor(
    zotero_api: ApiTarget,
) -> None:
    # model/Item.inc.php, Item::setType: "Reset to contributor (creatorTypeID 2), which
    # exists in all" for each creator whose type is not valid for the new item type.
    item = zotero_api.create(
        itemType="book",
        creators=[
            {"creatorType": "editor", "firstName": "E", "lastName": "Ditor"},
            {"creatorType": "author", "firstName": "A", "lastName": "Uthor"},
        ],
    )
    body = zotero_api.post_items(
        [{"key": item["key"], "version": item["version"], "itemType": "patent"}]
    )
    assert "0" in body["successful"], body
    creators = _stored(zotero_api, item["key"])["creators"]
    assert [c["creatorType"] for c in creators] == ["contributor", "contributor"]


# -- 10. accepted by the server: numbers, empty foreign fields, author everywhere --------


def test_an_integer_field_value_is_stored_as_text(zotero_api: ApiTarget) -> None:
    # Items::validateJSONItem, default case: only arrays are refused ("Unexpected array
    # for property"); Item::setField stores the scalar.
    created = zotero_api.create(itemType="book", numPages=200)
    assert _stored(zotero_api, created["key"])["numPages"] == "200"
    failed = _refusal(zotero_api, {"itemType": "book", "title": _title(), "numPages": [1]})
    assert failed["code"] == 400
    assert "Unexpected array for property 'numPages'" in failed["message"]


def test_an_empty_value_for_a_field_the_type_lacks_is_accepted(zotero_api: ApiTarget) -> None:
    # Item::setField: "" becomes false before the isValidForType() check, so only a
    # non-empty value of a foreign field is refused.
    created = zotero_api.create(itemType="book", websiteTitle="")
    assert "websiteTitle" not in _stored(zotero_api, created["key"])
    failed = _refusal(zotero_api, {"itemType": "book", "title": _title(), "websiteTitle": "W"})
    assert failed["code"] == 400
    assert "'websiteTitle' is not a valid field for type 'book'" in failed["message"]


def test_author_is_accepted_on_every_item_type(zotero_api: ApiTarget) -> None:
    # Items::validateJSONItem, case 'creatorType': "Allow 'author' in all item types,
    # but reject other invalid creator types".
    author = {"creatorType": "author", "firstName": "A", "lastName": "Uthor"}
    created = zotero_api.create(itemType="patent", creators=[author])
    assert _stored(zotero_api, created["key"])["creators"] == [author]
    editor = {"creatorType": "editor", "firstName": "E", "lastName": "Ditor"}
    failed = _refusal(zotero_api, {"itemType": "patent", "title": _title(), "creators": [editor]})
    assert failed["code"] == 400
    assert "'editor' is not a valid creator type for item type 'patent'" in failed["message"]
