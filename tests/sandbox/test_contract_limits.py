"""Contract, API docs "limits and validation": per-object 400 and 413 answers."""

from __future__ import annotations

from typing import Any

from conftest import ApiTarget


def _fail(api: ApiTarget, obj: Any) -> dict[str, Any]:
    body = api.post_items([obj])
    assert "0" in body["failed"], body
    failed: dict[str, Any] = body["failed"]["0"]
    return failed


def test_unknown_item_type(zotero_api: ApiTarget) -> None:
    failed = _fail(zotero_api, {"itemType": "spaceship", "title": "x"})
    assert failed["code"] == 400
    assert failed["message"] == "'spaceship' is not a valid itemType"


def test_field_not_valid_for_the_type(zotero_api: ApiTarget) -> None:
    failed = _fail(zotero_api, {"itemType": "book", "caseName": "x"})
    assert failed["code"] == 400
    assert failed["message"] == "'caseName' is not a valid field for type 'book'"


def test_unknown_property(zotero_api: ApiTarget) -> None:
    failed = _fail(zotero_api, {"itemType": "book", "fooBar": "x"})
    assert failed["code"] == 400
    assert "fooBar" in failed["message"]


def test_creator_type_not_valid_for_the_type(zotero_api: ApiTarget) -> None:
    creator = {"creatorType": "sponsor", "firstName": "A", "lastName": "B"}
    failed = _fail(zotero_api, {"itemType": "book", "creators": [creator]})
    assert failed["code"] == 400
    assert "sponsor" in failed["message"]


def test_bad_key_format(zotero_api: ApiTarget) -> None:
    for key in ("abcdefgh", "ABCDEFG", "ABCDEFG0", "ABCDEFGO"):  # lower case, short, 0 and O
        failed = _fail(zotero_api, {"itemType": "book", "key": key, "version": 0})
        assert failed["code"] == 400, key


def test_messages_are_html_escaped(zotero_api: ApiTarget) -> None:
    failed = _fail(zotero_api, {"itemType": 'a"b&c<d>'})
    assert failed["code"] == 400
    assert "&quot;" in failed["message"] and "&amp;" in failed["message"]
    assert "&lt;" in failed["message"]
    assert '"' not in failed["message"]


def test_field_value_over_65535_bytes_is_413_with_data(zotero_api: ApiTarget) -> None:
    fits = "é" * 32_767  # 65,534 bytes
    body = zotero_api.post_items([{"itemType": "book", "abstractNote": fits}])
    assert "0" in body["successful"]
    failed = _fail(zotero_api, {"itemType": "book", "abstractNote": fits + "é"})
    # Zotero_Errors::parseException, Z_ERROR_FIELD_TOO_LONG: the field's label and the
    # first 50 characters (with an ellipsis), as matched in Item::save's message.
    assert failed["code"] == 413
    assert failed["data"] == {"field": "Abstract", "value": "é" * 50 + "…"}
    assert failed["message"].startswith(f"Abstract field value '{'é' * 50}…' too long")


def test_creator_name_over_255_is_413(zotero_api: ApiTarget) -> None:
    creator = {"creatorType": "author", "firstName": "A", "lastName": "x" * 256}
    failed = _fail(zotero_api, {"itemType": "book", "creators": [creator]})
    # parseException, Z_ERROR_CREATOR_TOO_LONG: data {field: "creator", value}.
    assert failed["code"] == 413
    assert failed["data"] == {"field": "creator", "value": "x" * 50 + "…"}
    assert failed["message"].startswith(f"The creator name \u2018{'x' * 50}…")
    single = {"creatorType": "author", "name": "y" * 256}
    assert _fail(zotero_api, {"itemType": "book", "creators": [single]})["code"] == 413


def test_tag_over_255_is_413(zotero_api: ApiTarget) -> None:
    ok = zotero_api.post_items([{"itemType": "book", "tags": [{"tag": "t" * 255}]}])
    assert "0" in ok["successful"]
    failed = _fail(zotero_api, {"itemType": "book", "tags": [{"tag": "t" * 256}]})
    # parseException, Z_ERROR_TAG_TOO_LONG: data {tag: the whole tag} (remote test
    # tag.test.js "should reject tag too long").
    assert failed["code"] == 413
    assert failed["data"] == {"tag": "t" * 256}
    assert failed["message"] == f"Tag '{'t' * 50}…' too long"


def test_note_over_500000_characters_is_413(zotero_api: ApiTarget) -> None:
    failed = _fail(zotero_api, {"itemType": "note", "note": "<p>" + "n" * 500_000 + "</p>"})
    # Item::setNote, Z_ERROR_NOTE_TOO_LONG: "Note '<title>...' too long", no data
    # (remote test note.test.js "should reject note that is too long").
    assert failed["code"] == 413
    assert failed["message"].startswith("Note '" + "n" * 79 + "...' too long")
    assert "data" not in failed


def test_collection_name_over_255_is_413(zotero_api: ApiTarget) -> None:
    body = zotero_api.lib("POST", "/collections", json=[{"name": "c" * 256}]).json()
    assert body["failed"]["0"]["code"] == 413


def test_non_object_entry_fails_only_its_index(zotero_api: ApiTarget) -> None:
    body = zotero_api.post_items(["not an object", {"itemType": "book", "title": "fine"}])
    assert body["failed"]["0"]["code"] == 400
    assert "1" in body["successful"]


def test_missing_item_type_on_create(zotero_api: ApiTarget) -> None:
    failed = _fail(zotero_api, {"title": "typeless"})
    assert failed["code"] == 400
    assert "itemType" in failed["message"]


def test_regular_item_cannot_have_a_parent(zotero_api: ApiTarget) -> None:
    parent = zotero_api.create()
    failed = _fail(zotero_api, {"itemType": "book", "parentItem": parent["key"]})
    assert failed["code"] == 400
