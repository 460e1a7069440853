"""Contract, API docs "basics": versions, keys, permissions, schema endpoints, templates."""

from __future__ import annotations

from conftest import ApiTarget


def test_api_version_is_echoed(zotero_api: ApiTarget) -> None:
    response = zotero_api.lib("GET", "/items", params={"limit": 1})
    assert response.status_code == 200
    assert response.headers["Zotero-API-Version"] == "3"


def test_keys_current_describes_the_key(zotero_api: ApiTarget) -> None:
    response = zotero_api.request("GET", "/keys/current")
    assert response.status_code == 200
    info = response.json()
    assert info["key"] == zotero_api.key
    if zotero_api.library.startswith("users/"):
        assert info["userID"] == int(zotero_api.library.split("/")[1])
        assert info["access"]["user"]["library"] is True
        assert "write" in info["access"]["user"]


def test_keys_by_value_is_the_same_document(zotero_api: ApiTarget) -> None:
    current = zotero_api.request("GET", "/keys/current").json()
    by_value = zotero_api.request("GET", f"/keys/{zotero_api.key}", key=False)
    assert by_value.status_code == 200
    assert by_value.json()["access"] == current["access"]


def test_keys_current_without_a_key_is_403(zotero_api: ApiTarget) -> None:
    assert zotero_api.request("GET", "/keys/current", key=False).status_code == 403


def test_wrong_key_is_403(zotero_api: ApiTarget) -> None:
    response = zotero_api.lib("GET", "/items", key="NotAKeyAtAll0000000000xx")
    assert response.status_code == 403


def test_private_library_without_a_key_is_403(zotero_api: ApiTarget) -> None:
    assert zotero_api.lib("GET", "/items", key=False).status_code == 403


def test_bearer_header_and_query_key_are_accepted(zotero_api: ApiTarget) -> None:
    key = zotero_api.key
    if not key.isalnum():  # a sandbox test key; real keys are letters and digits
        key = "bearerKey000000000000001"
        zotero_api.require_sandbox().add_key(key, user_id=1)
    bearer = zotero_api.lib("GET", "/items", key=False, headers={"Authorization": f"Bearer {key}"})
    assert bearer.status_code == 200
    query = zotero_api.lib("GET", "/items", key=False, params={"key": zotero_api.key})
    assert query.status_code == 200


def test_key_without_write_access_gets_403_on_write(zotero_api: ApiTarget) -> None:
    sb = zotero_api.require_sandbox()
    sb.add_key("read-only-key-000000000000", user_id=1, user_write=False)
    item = {"itemType": "book", "title": "Nope"}
    read = zotero_api.lib("GET", "/items", key="read-only-key-000000000000")
    write = zotero_api.lib("POST", "/items", key="read-only-key-000000000000", json=[item])
    assert read.status_code == 200
    assert write.status_code == 403
    assert sb.library_version("users/1") == 0


def test_other_users_library_is_403(zotero_api: ApiTarget) -> None:
    sb = zotero_api.require_sandbox()
    sb.add_user_library(2)
    assert zotero_api.request("GET", "/users/2/items").status_code == 403


def test_group_access_follows_the_key(zotero_api: ApiTarget) -> None:
    sb = zotero_api.require_sandbox()
    sb.add_group_library(5)
    sb.add_group_library(6)
    sb.add_key("group-key-0000000000000000", user_id=1, groups={5: False})
    assert (
        zotero_api.request("GET", "/groups/5/items", key="group-key-0000000000000000").status_code
        == 200
    )
    assert (
        zotero_api.request("GET", "/groups/6/items", key="group-key-0000000000000000").status_code
        == 403
    )
    write = zotero_api.request(
        "POST", "/groups/5/items", key="group-key-0000000000000000", json=[{"itemType": "book"}]
    )
    assert write.status_code == 403


def test_missing_item_is_404(zotero_api: ApiTarget) -> None:
    assert zotero_api.lib("GET", "/items/ZZZZZZZZ").status_code == 404


def test_unknown_endpoint_is_404(zotero_api: ApiTarget) -> None:
    assert zotero_api.lib("GET", "/nothing-here").status_code == 404


def test_item_template_has_every_field_of_the_type(zotero_api: ApiTarget) -> None:
    response = zotero_api.request("GET", "/items/new", key=False, params={"itemType": "book"})
    assert response.status_code == 200
    template = response.json()
    fields = zotero_api.request(
        "GET", "/itemTypeFields", key=False, params={"itemType": "book"}
    ).json()
    for entry in fields:
        assert template[entry["field"]] == ""
    assert template["itemType"] == "book"
    assert template["creators"] == [{"creatorType": "author", "firstName": "", "lastName": ""}]
    assert template["tags"] == [] and template["collections"] == [] and template["relations"] == {}


def test_note_template(zotero_api: ApiTarget) -> None:
    template = zotero_api.request("GET", "/items/new", params={"itemType": "note"}).json()
    assert set(template) == {"itemType", "note", "tags", "collections", "relations"}


def test_template_for_an_unknown_type_is_400(zotero_api: ApiTarget) -> None:
    response = zotero_api.request("GET", "/items/new", params={"itemType": "notAType"})
    assert response.status_code == 400


def test_template_revalidation_gets_304(zotero_api: ApiTarget) -> None:
    response = zotero_api.request(
        "GET",
        "/items/new",
        params={"itemType": "book"},
        headers={"If-Modified-Since": "Wed, 25 Nov 2099 10:00:00 GMT"},
    )
    assert response.status_code == 304


def test_type_and_field_lists(zotero_api: ApiTarget) -> None:
    types = zotero_api.request("GET", "/itemTypes").json()
    assert {"itemType": "journalArticle", "localized": "Journal Article"} in types
    fields = {f["field"] for f in zotero_api.request("GET", "/itemFields").json()}
    assert {"title", "DOI", "publicationTitle"} <= fields
    creators = zotero_api.request(
        "GET", "/itemTypeCreatorTypes", params={"itemType": "book"}
    ).json()
    assert creators[0]["creatorType"] == "author"  # the primary type comes first
    assert {c["creatorType"] for c in creators} >= {"author", "editor"}
    creator_fields = zotero_api.request("GET", "/creatorFields").json()
    assert [f["field"] for f in creator_fields] == ["firstName", "lastName", "name"]


def test_schema_has_an_etag_and_revalidates(zotero_api: ApiTarget) -> None:
    response = zotero_api.request("GET", "/schema")
    assert response.status_code == 200
    assert "itemTypes" in response.json()
    etag = response.headers["ETag"]
    again = zotero_api.request("GET", "/schema", headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_single_object_read_carries_the_object_version(zotero_api: ApiTarget) -> None:
    first = zotero_api.create()
    zotero_api.create()  # moves the library version past the first item's
    response = zotero_api.lib("GET", f"/items/{first['key']}")
    assert response.status_code == 200
    assert int(response.headers["Last-Modified-Version"]) == first["version"]
    assert int(response.headers["Last-Modified-Version"]) < zotero_api.version()


def test_library_responses_carry_the_library_version(zotero_api: ApiTarget) -> None:
    zotero_api.create()
    version = str(zotero_api.version())
    for response in (
        zotero_api.lib("GET", "/items"),
        zotero_api.lib("GET", "/collections"),
        zotero_api.lib("GET", "/items", params={"format": "keys"}),
        zotero_api.lib("GET", "/deleted", params={"since": 0}),
    ):
        assert response.status_code == 200
        assert response.headers["Last-Modified-Version"] == version
