"""Contract, API docs "file upload": attachment items and the three-step upload protocol
(dataserver ItemsController::itemFile, Zotero_Storage; reference C1)."""

from __future__ import annotations

import hashlib
import os
from typing import Any

import httpx2
from conftest import TEST_KEY, ApiTarget

PDF = b"%PDF-1.4\n" + os.urandom(2000) + b"\n%%EOF\n"


def _attachment(api: ApiTarget, parent: str, **fields: Any) -> dict[str, Any]:
    body = {
        "itemType": "attachment",
        "linkMode": "imported_file",
        "parentItem": parent,
        "title": "Full text",
        "filename": "paper.pdf",
        "contentType": "application/pdf",
        **fields,
    }
    result = api.post_items([body])
    assert not result["failed"], result["failed"]
    created: dict[str, Any] = result["successful"]["0"]
    return created


def _authorize(
    api: ApiTarget, key: str, data: bytes, header: dict[str, str] | None = None, **form: Any
) -> httpx2.Response:
    fields = {
        "md5": hashlib.md5(data).hexdigest(),
        "filename": "paper.pdf",
        "filesize": str(len(data)),
        "mtime": "1700000000000",
        **form,
    }
    return api.lib(
        "POST",
        f"/items/{key}/file",
        data=fields,
        headers=header if header is not None else {"If-None-Match": "*"},
    )


def _upload(api: ApiTarget, auth: dict[str, Any], data: bytes) -> httpx2.Response:
    body = auth["prefix"].encode("latin-1") + data + auth["suffix"].encode("latin-1")
    return api.client.post(auth["url"], content=body, headers={"Content-Type": auth["contentType"]})


def _register(
    api: ApiTarget, key: str, upload_key: str, header: dict[str, str] | None = None
) -> httpx2.Response:
    return api.lib(
        "POST",
        f"/items/{key}/file",
        data={"upload": upload_key},
        headers=header if header is not None else {"If-None-Match": "*"},
    )


def _stored(api: ApiTarget, data: bytes) -> tuple[str, dict[str, Any]]:
    parent = api.create()
    att = _attachment(api, parent["key"])
    auth = _authorize(api, att["key"], data).json()
    assert _upload(api, auth, data).status_code == 201
    assert _register(api, att["key"], auth["uploadKey"]).status_code == 204
    return att["key"], api.lib("GET", f"/items/{att['key']}").json()["data"]


def test_a_new_file_attachment_has_no_file_yet(zotero_api: ApiTarget) -> None:
    parent = zotero_api.create()
    data = _attachment(zotero_api, parent["key"])["data"]
    assert data["linkMode"] == "imported_file"
    assert data["parentItem"] == parent["key"]
    assert data["filename"] == "paper.pdf"
    assert data["md5"] is None and data["mtime"] is None


def test_authorizing_an_upload_needs_a_precondition_header(zotero_api: ApiTarget) -> None:
    # ItemsController::itemFile: neither If-Match nor If-None-Match -> 428.
    parent = zotero_api.create()
    att = _attachment(zotero_api, parent["key"])
    assert _authorize(zotero_api, att["key"], PDF, header={}).status_code == 428


def test_an_upload_registered_gives_the_item_its_file(zotero_api: ApiTarget) -> None:
    data = PDF + os.urandom(16)
    key, item = _stored(zotero_api, data)
    assert item["md5"] == hashlib.md5(data).hexdigest()
    assert item["mtime"] == 1700000000000
    assert item["filename"] == "paper.pdf"
    sandbox = zotero_api.require_sandbox()
    assert sandbox.file_bytes(zotero_api.library, key) == data


def test_registering_moves_the_item_version(zotero_api: ApiTarget) -> None:
    parent = zotero_api.create()
    att = _attachment(zotero_api, parent["key"])
    data = PDF + os.urandom(16)
    auth = _authorize(zotero_api, att["key"], data).json()
    _upload(zotero_api, auth, data)
    response = _register(zotero_api, att["key"], auth["uploadKey"])
    version = int(response.headers["Last-Modified-Version"])
    assert version > att["version"]
    assert zotero_api.lib("GET", f"/items/{att['key']}").json()["version"] == version


def test_a_file_the_server_already_stores_exists_at_once(zotero_api: ApiTarget) -> None:
    # Zotero_Storage dedup: a stored file with that md5 -> {"exists": 1}, item updated.
    data = PDF + os.urandom(16)
    _stored(zotero_api, data)
    parent = zotero_api.create()
    att = _attachment(zotero_api, parent["key"])
    response = _authorize(zotero_api, att["key"], data)
    assert response.status_code == 200
    assert response.json() == {"exists": 1}
    assert "Last-Modified-Version" in response.headers
    item = zotero_api.lib("GET", f"/items/{att['key']}").json()["data"]
    assert item["md5"] == hashlib.md5(data).hexdigest()


def test_if_none_match_on_an_item_with_a_file_is_412(zotero_api: ApiTarget) -> None:
    key, _ = _stored(zotero_api, PDF + os.urandom(16))
    assert _authorize(zotero_api, key, PDF + b"other").status_code == 412


def test_if_match_with_another_md5_is_412(zotero_api: ApiTarget) -> None:
    key, _ = _stored(zotero_api, PDF + os.urandom(16))
    wrong = {"If-Match": "0" * 32}
    assert _authorize(zotero_api, key, PDF + b"x", header=wrong).status_code == 412


def test_if_match_on_an_item_without_a_file_is_412(zotero_api: ApiTarget) -> None:
    parent = zotero_api.create()
    att = _attachment(zotero_api, parent["key"])
    header = {"If-Match": hashlib.md5(PDF).hexdigest()}
    assert _authorize(zotero_api, att["key"], PDF, header=header).status_code == 412


def test_a_file_changed_meanwhile_fails_registration_with_412(zotero_api: ApiTarget) -> None:
    # Two clients authorized against "no file"; the first registers: the second's
    # registration re-checks If-None-Match: * and is refused.
    parent = zotero_api.create()
    att = _attachment(zotero_api, parent["key"])
    first, second = PDF + os.urandom(8), PDF + os.urandom(8)
    auth1 = _authorize(zotero_api, att["key"], first).json()
    auth2 = _authorize(zotero_api, att["key"], second).json()
    _upload(zotero_api, auth1, first)
    _upload(zotero_api, auth2, second)
    assert _register(zotero_api, att["key"], auth1["uploadKey"]).status_code == 204
    assert _register(zotero_api, att["key"], auth2["uploadKey"]).status_code == 412


def test_an_unknown_upload_key_is_400(zotero_api: ApiTarget) -> None:
    parent = zotero_api.create()
    att = _attachment(zotero_api, parent["key"])
    response = _register(zotero_api, att["key"], "0" * 32)
    assert response.status_code == 400
    assert "Upload key not found" in response.text


def test_registering_before_the_upload_is_400(zotero_api: ApiTarget) -> None:
    parent = zotero_api.create()
    att = _attachment(zotero_api, parent["key"])
    auth = _authorize(zotero_api, att["key"], PDF + b"1").json()
    response = _register(zotero_api, att["key"], auth["uploadKey"])
    assert response.status_code == 400
    assert "Remote file not found" in response.text


def test_a_registered_upload_key_is_spent(zotero_api: ApiTarget) -> None:
    parent = zotero_api.create()
    att = _attachment(zotero_api, parent["key"])
    data = PDF + os.urandom(8)
    auth = _authorize(zotero_api, att["key"], data).json()
    _upload(zotero_api, auth, data)
    assert _register(zotero_api, att["key"], auth["uploadKey"]).status_code == 204
    header = {"If-Match": hashlib.md5(data).hexdigest()}
    again = _register(zotero_api, att["key"], auth["uploadKey"], header=header)
    assert again.status_code == 400


def test_bytes_that_are_not_the_authorized_file_are_refused(zotero_api: ApiTarget) -> None:
    zotero_api.require_sandbox()  # S3 answers in its own XML; the sandbox in text
    parent = zotero_api.create()
    att = _attachment(zotero_api, parent["key"])
    data = PDF + os.urandom(8)
    auth = _authorize(zotero_api, att["key"], data).json()
    assert _upload(zotero_api, auth, data[:-1] + b"!").status_code == 400
    assert _register(zotero_api, att["key"], auth["uploadKey"]).status_code == 400


def test_mtime_zero_is_400(zotero_api: ApiTarget) -> None:
    parent = zotero_api.create()
    att = _attachment(zotero_api, parent["key"])
    assert _authorize(zotero_api, att["key"], PDF, mtime="0").status_code == 400


def test_a_file_over_the_quota_is_413_with_the_storage_headers(zotero_api: ApiTarget) -> None:
    sandbox = zotero_api.require_sandbox()
    sandbox.files.quota_mb = 1
    parent = zotero_api.create()
    att = _attachment(zotero_api, parent["key"])
    response = _authorize(zotero_api, att["key"], PDF, filesize=str(2_000_000))
    assert response.status_code == 413
    assert response.headers["Zotero-Storage-Quota"] == "1"
    assert "Zotero-Storage-Usage" in response.headers


def test_too_many_unfinished_uploads_are_429(zotero_api: ApiTarget) -> None:
    zotero_api.require_sandbox()  # the server answers 429, 400 or 503 at random
    parent = zotero_api.create()
    att = _attachment(zotero_api, parent["key"])
    answers = [_authorize(zotero_api, att["key"], PDF + bytes([i])) for i in range(11)]
    assert [r.status_code for r in answers[:10]] == [200] * 10
    assert answers[10].status_code == 429
    assert answers[10].headers["Retry-After"] == "300"
    assert "Too many queued uploads" in answers[10].text


def test_a_linked_url_attachment_keeps_its_url(zotero_api: ApiTarget) -> None:
    parent = zotero_api.create()
    result = zotero_api.post_items(
        [
            {
                "itemType": "attachment",
                "linkMode": "linked_url",
                "parentItem": parent["key"],
                "title": "Full Text (HTML)",
                "url": "https://example.org/paper.html",
            }
        ]
    )
    data = result["successful"]["0"]["data"]
    assert data["url"] == "https://example.org/paper.html"
    assert "md5" not in data and "filename" not in data


def test_a_group_library_refuses_linked_files(zotero_api: ApiTarget) -> None:
    sandbox = zotero_api.require_sandbox()
    sandbox.add_group_library(77)
    sandbox.add_key(TEST_KEY, user_id=1, groups={77: True})
    parent = zotero_api.request(
        "POST", "/groups/77/items", json=[{"itemType": "book", "title": "G"}]
    ).json()["successful"]["0"]
    body = {
        "itemType": "attachment",
        "linkMode": "linked_file",
        "parentItem": parent["key"],
        "path": "/home/me/paper.pdf",
    }
    failed = zotero_api.request("POST", "/groups/77/items", json=[body]).json()["failed"]["0"]
    assert failed["code"] == 400
    assert "Linked files can only be added to user libraries" in failed["message"]
