"""Group metadata: ``GET /groups/<id>`` and ``GET /users/<id>/groups``.

The sandbox has no users or memberships beyond its API keys, so a group is what a
key may reach: a key's groups are its user's groups, and the group's owner is that
user. The JSON follows ``Zotero_Group::toResponseJSON`` (model/Group.inc.php) with
fixed settings (a private group, members edit the library and its files).
"""

from __future__ import annotations

from typing import Any

from syncd.sandbox.store import ApiKey, Library

_EPOCH = "2026-01-01T00:00:00Z"


def group_json(lib: Library, key: ApiKey, base_url: str) -> dict[str, Any]:
    group_id = lib.id
    return {
        "id": group_id,
        "version": 1,  # group metadata never changes here
        "links": {
            "self": {"href": f"{base_url}/groups/{group_id}", "type": "application/json"},
            "alternate": {"href": f"{base_url}/groups/{group_id}", "type": "text/html"},
        },
        "meta": {
            "created": _EPOCH,
            "lastModified": _EPOCH,
            "numItems": sum(1 for i in lib.items.values() if not i.get("deleted")),
            "isAdmin": True,
        },
        "data": {
            "id": group_id,
            "version": 1,
            "name": f"sandbox group {group_id}",
            "owner": key.user_id,
            "type": "Private",
            "description": "",
            "url": "",
            "libraryEditing": "members",
            "libraryReading": "members",
            "fileEditing": "members",
        },
    }
