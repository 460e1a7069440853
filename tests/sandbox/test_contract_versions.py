"""Contract, issue 16 points 7 and 8: versions per object, and version preconditions.

Dataserver commit c97d2cfd (2026-03-08) moved the library version bump into each
object's transaction of a multi-object POST (model/DataObjects.inc.php,
``updateMultipleFromJSON``); e4f8b081 and d4550ba5 (2026-03) made the single-object
check refuse only a newer object and answer 412 for a missing one.
"""

from __future__ import annotations

import uuid
from typing import Any

from conftest import ApiTarget
from test_contract_values import new_key


def _book(**fields: Any) -> dict[str, Any]:
    return {"itemType": "book", "title": f"Versions {uuid.uuid4().hex[:8]}", **fields}


# -- 7. one version per object ------------------------------------------------------------


def test_each_object_of_a_post_gets_its_own_version(zotero_api: ApiTarget) -> None:
    # DataObjects::updateMultipleFromJSON: Zotero_Libraries::updateVersionAndTimestamp
    # inside each object's transaction, so three new objects take three versions.
    before = zotero_api.version()
    response = zotero_api.lib("POST", "/items", json=[_book(), _book(), _book()])
    body = response.json()
    versions = [body["successful"][str(i)]["version"] for i in range(3)]
    assert versions == [before + 1, before + 2, before + 3]
    assert int(response.headers["Last-Modified-Version"]) == before + 3
    assert zotero_api.version() == before + 3


def test_an_unchanged_object_raises_the_library_version_a_failed_one_does_not(
    zotero_api: ApiTarget,
) -> None:
    # updateMultipleFromJSON commits the bump after updateFromJSON whether or not the
    # object changed, and rolls it back (refreshUpdatedVersion) when the object fails.
    item = zotero_api.create()
    before = zotero_api.version()
    body = zotero_api.post_items([item["data"], {"itemType": "notAType"}, _book()])
    assert body["unchanged"] == {"0": item["key"]}
    assert body["failed"]["1"]["code"] == 400
    assert body["successful"]["2"]["version"] == before + 2
    assert zotero_api.version() == before + 2


def test_a_library_precondition_still_guards_the_whole_post(zotero_api: ApiTarget) -> None:
    # ItemsController::items: checkLibraryIfUnmodifiedSinceVersion before any object,
    # then the first object's bump re-checks it atomically.
    stale = zotero_api.version()
    zotero_api.create()
    response = zotero_api.lib(
        "POST", "/items", json=[_book()], headers={"If-Unmodified-Since-Version": str(stale)}
    )
    assert response.status_code == 412


def test_objects_written_earlier_in_a_post_may_be_updated_with_the_library_version(
    zotero_api: ApiTarget,
) -> None:
    # The pattern e4f8b081 restores: a client that read the library version may use
    # it as the version of any object, since no object is newer than its library.
    body = zotero_api.post_items([_book(), _book()])
    library = zotero_api.version()
    first = body["successful"]["0"]
    assert first["version"] < library
    update = {"key": first["key"], "version": library, "volume": "2"}
    assert "0" in zotero_api.post_items([update])["successful"]


# -- 8. preconditions refuse only a newer object; a missing object with a version ---------


def test_an_object_older_than_the_version_sent_is_written(zotero_api: ApiTarget) -> None:
    # model/API.inc.php, Zotero_API::checkJSONObjectVersion:
    # `if ($object->version > $json->version)` -> 412; an older object passes.
    item = zotero_api.create()
    zotero_api.create()  # moves the library on
    newer = {"key": item["key"], "version": item["version"] + 1, "volume": "9"}
    body = zotero_api.post_items([newer])
    assert "0" in body["successful"], body


def test_an_object_newer_than_the_version_sent_is_412(zotero_api: ApiTarget) -> None:
    item = zotero_api.create()
    zotero_api.post_items([{"key": item["key"], "version": item["version"], "volume": "1"}])
    body = zotero_api.post_items([{"key": item["key"], "version": item["version"], "volume": "2"}])
    assert body["failed"]["0"]["code"] == 412


def test_patch_with_a_header_newer_than_the_object_is_applied(zotero_api: ApiTarget) -> None:
    # controllers/ApiController.php, checkSingleObjectWriteVersion:
    # `if ($obj->version > $version)` -> 412 (was !== before e4f8b081).
    item = zotero_api.create()
    zotero_api.create()
    response = zotero_api.lib(
        "PATCH",
        f"/items/{item['key']}",
        json={"volume": "3"},
        headers={"If-Unmodified-Since-Version": str(zotero_api.version())},
    )
    assert response.status_code == 204


def test_put_to_a_missing_key_with_a_version_is_412(zotero_api: ApiTarget) -> None:
    # checkSingleObjectWriteVersion: "If object doesn't exist, version has to be 0 if
    # provided": e412("Item not found (expected version N)") since d4550ba5.
    response = zotero_api.lib(
        "PUT",
        f"/items/{new_key()}",
        json={"itemType": "book", "title": "x"},
        headers={"If-Unmodified-Since-Version": "5"},
    )
    assert response.status_code == 412
    assert "not found (expected version 5)" in response.text
    patch = zotero_api.lib("PATCH", f"/items/{new_key()}", json={"version": 3, "title": "x"})
    assert patch.status_code == 412


def test_put_to_a_missing_key_with_version_0_creates_it(zotero_api: ApiTarget) -> None:
    key = new_key()
    response = zotero_api.lib(
        "PUT",
        f"/items/{key}",
        json={"itemType": "book", "title": "x"},
        headers={"If-Unmodified-Since-Version": "0"},
    )
    assert response.status_code == 204
    assert zotero_api.lib("GET", f"/items/{key}").status_code == 200


def test_post_of_a_missing_key_with_a_version_fails_that_object_with_404(
    zotero_api: ApiTarget,
) -> None:
    # Zotero_API::checkJSONObjectVersion in a multi-object POST: "Item doesn't exist
    # (expected version N; use 0 instead)", HTTPException 404 -> per-object failure.
    body = zotero_api.post_items([{**_book(), "key": new_key(), "version": 4}])
    assert body["failed"]["0"]["code"] == 404
    assert "use 0 instead" in body["failed"]["0"]["message"]


def test_an_unchanged_patch_answers_the_old_version_yet_raises_the_library(
    zotero_api: ApiTarget,
) -> None:
    # ItemsController::items bumps the library version up front for a single-object
    # write and commits it; ApiController::handleObjectWrite then answers "If not
    # updated, return the original library version".
    item = zotero_api.create(volume="5")
    before = zotero_api.version()
    response = zotero_api.lib(
        "PATCH",
        f"/items/{item['key']}",
        json={"volume": "5"},
        headers={"If-Unmodified-Since-Version": str(item["version"])},
    )
    assert response.status_code == 204
    assert int(response.headers["Last-Modified-Version"]) == before
    assert zotero_api.version() == before + 1
    assert zotero_api.lib("GET", f"/items/{item['key']}").json()["version"] == item["version"]
