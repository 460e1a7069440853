"""Contract, issue 16 point 13: groups, key access, searches and settings.

The sandbox answers what a sync client might ask of these (controllers/GroupsController.php,
controllers/KeysController.php with model/Key.inc.php ``toJSON``, SearchesController and
SettingsController listings); what it leaves out is 501 and listed in its docstring.
"""

from __future__ import annotations

from conftest import ApiTarget


def test_a_group_the_key_can_read_is_described(zotero_api: ApiTarget) -> None:
    # Zotero_Group::toResponseJSON: {id, version, links, meta, data{id, name, owner, type,
    # libraryEditing, libraryReading, fileEditing...}}.
    if zotero_api.library.startswith("groups/"):
        group_id = int(zotero_api.library.split("/")[1])
        key = zotero_api.key
    else:
        sb = zotero_api.require_sandbox()
        group_id, key = 77, "groupReaderKey0000000001"
        sb.add_group_library(group_id)
        sb.add_key(key, user_id=1, groups={group_id: False})
    response = zotero_api.request("GET", f"/groups/{group_id}", key=key)
    assert response.status_code == 200
    group = response.json()
    assert group["id"] == group["data"]["id"] == group_id
    assert {"name", "owner", "type", "libraryEditing", "libraryReading", "fileEditing"} <= set(
        group["data"]
    )
    assert {"created", "lastModified", "numItems"} <= set(group["meta"])


def test_the_users_groups_are_listed(zotero_api: ApiTarget) -> None:
    sb = zotero_api.require_sandbox()
    sb.add_group_library(78)
    sb.add_key("groupListKey000000000001", user_id=1, groups={78: True})
    response = zotero_api.request("GET", "/users/1/groups", key="groupListKey000000000001")
    assert response.status_code == 200
    assert [g["id"] for g in response.json()] == [78]
    assert response.headers["Total-Results"] == "1"


def test_key_access_names_each_group_and_leaves_groups_out_when_there_are_none(
    zotero_api: ApiTarget,
) -> None:
    # Zotero_Key::toJSON: access.groups[<groupID>] = {library: true, write}; "groups" is
    # unset when the key has no group access.
    sb = zotero_api.require_sandbox()
    sb.add_key("accessKey000000000000001", user_id=1)
    sb.add_key("accessKey000000000000002", user_id=1, groups={5: True, 6: False})
    plain = zotero_api.request("GET", "/keys/current", key="accessKey000000000000001").json()
    assert "groups" not in plain["access"]
    both = zotero_api.request("GET", "/keys/current", key="accessKey000000000000002").json()
    assert both["access"]["groups"] == {
        "5": {"library": True, "write": True},
        "6": {"library": True, "write": False},
    }


def test_searches_and_settings_read_as_empty(zotero_api: ApiTarget) -> None:
    zotero_api.require_sandbox()  # a real library may have saved searches and settings
    searches = zotero_api.lib("GET", "/searches")
    assert searches.status_code == 200 and searches.json() == []
    assert searches.headers["Total-Results"] == "0"
    assert zotero_api.lib("GET", "/searches", params={"format": "versions"}).json() == {}
    assert zotero_api.lib("GET", "/settings").json() == {}
    assert zotero_api.lib("GET", "/searches/ABCD2345").status_code == 404


def test_what_the_sandbox_does_not_emulate_is_501_or_named_in_a_400(
    zotero_api: ApiTarget,
) -> None:
    zotero_api.require_sandbox()
    headers = {"If-Unmodified-Since-Version": str(zotero_api.version())}
    delete_tags = zotero_api.lib("DELETE", "/tags", params={"tag": "x"}, headers=headers)
    assert delete_tags.status_code == 501
    post_search = zotero_api.lib("POST", "/searches", json=[{"name": "s", "conditions": []}])
    assert post_search.status_code == 501
    atom = zotero_api.lib("GET", "/items", params={"format": "atom"})
    assert atom.status_code == 400 and "not emulated" in atom.text
