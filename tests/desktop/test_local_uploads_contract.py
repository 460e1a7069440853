"""The sandbox's local mode uploads files as Zotero 10's local API does (reference
``zotero-local-api-and-files.md`` section C2, and B1 for the link modes). Each test
names the row it mirrors."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

import httpx2
import pytest

from syncd.sandbox import Sandbox

SID = "SERVERID0001"
KEY = "lasting-local-key"
DATA = b"%PDF-1.5\n\x00\x7f\x80\xff binary body\n%%EOF\n"
MD5 = hashlib.md5(DATA).hexdigest()
MTIME = 1_764_000_000_000  # ms


@pytest.fixture
def desk() -> Iterator[Sandbox]:
    sb = Sandbox(local=True, server_id=SID)
    assert sb.local is not None
    sb.local.add_key(KEY)
    sb.start()
    try:
        yield sb
    finally:
        sb.stop()


def call(
    sb: Sandbox, method: str, path: str, *, headers: dict[str, str] | None = None, **kw: Any
) -> httpx2.Response:
    sent = {"Zotero-API-Version": "3", "Zotero-API-Key": KEY, "Zotero-Server-ID": SID}
    return httpx2.request(
        method, f"{sb.local_url}{path}", headers={**sent, **(headers or {})}, **kw
    )


def attachment(sb: Sandbox, link_mode: str = "imported_file") -> str:
    item: dict[str, Any] = {"itemType": "attachment", "linkMode": link_mode, "title": "PDF"}
    if link_mode == "linked_url":
        item["url"] = "https://example.org/a.pdf"
    elif link_mode == "linked_file":
        item["path"] = "/home/u/a.pdf"
    else:
        item["contentType"] = "application/pdf"
    answer = call(sb, "POST", "/users/0/items", json=[item]).json()
    return str(answer["successful"]["0"]["key"])


def file_post(
    sb: Sandbox, key: str, fields: dict[str, Any], precondition: dict[str, str] | None = None
) -> httpx2.Response:
    body = urlencode({k: str(v) for k, v in fields.items()}, quote_via=quote).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    headers.update(precondition if precondition is not None else {"If-None-Match": "*"})
    return call(sb, "POST", f"/users/0/items/{key}/file", content=body, headers=headers)


def authorize(sb: Sandbox, key: str, data: bytes = DATA, **extra: Any) -> httpx2.Response:
    fields = {
        "md5": hashlib.md5(data).hexdigest(),
        "filename": "paper.pdf",
        "filesize": len(data),
        "mtime": MTIME,
        "contentType": "application/pdf",
    }
    return file_post(sb, key, {**fields, **extra})


def send(
    url: str, body: bytes, content_type: str | None = "application/octet-stream", **headers: str
) -> httpx2.Response:
    if content_type:
        headers["Content-Type"] = content_type
    return httpx2.post(url, content=body, headers=headers)


def register(sb: Sandbox, key: str, upload_key: str, **precondition: str) -> httpx2.Response:
    pre = {k.replace("_", "-"): v for k, v in precondition.items()} or None
    return file_post(sb, key, {"upload": upload_key}, pre)


def item(sb: Sandbox, key: str) -> dict[str, Any]:
    return call(sb, "GET", f"/users/0/items/{key}").json()["data"]  # type: ignore[no-any-return]


# -- "Step 1 reply" ---------------------------------------------------------------------


def test_step_1_answers_a_receiver_url_on_the_local_api_with_no_framing(desk: Sandbox) -> None:
    key = attachment(desk)
    answer = authorize(desk, key)
    assert answer.status_code == 200
    auth = answer.json()
    host = desk.local_url.split("//", 1)[1].split("/", 1)[0]
    assert auth["url"] == f"http://{host}/api/local/uploads/{auth['uploadKey']}"
    assert (auth["prefix"], auth["suffix"]) == ("", "")
    assert auth["contentType"]


def test_step_1_with_params_answers_the_md5_as_the_only_param(desk: Sandbox) -> None:
    auth = authorize(desk, attachment(desk), params=1).json()
    assert auth["params"] == {"key": MD5} and auth["uploadKey"]


# -- "Checks" ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        {"md5": "abc"},
        {"filename": "../escape.pdf"},
        {"filename": "sub/escape.pdf"},
        {"filename": "..\\escape.pdf"},
        {"filename": ".."},
        {"filesize": 4 * 1024**3 + 1},
        {"mtime": 1_764_000_000},  # seconds, not ms
    ],
)
def test_step_1_refuses_bad_fields_with_400(desk: Sandbox, bad: dict[str, Any]) -> None:
    assert authorize(desk, attachment(desk), **bad).status_code == 400


def test_step_1_takes_an_mtime_of_zero(desk: Sandbox) -> None:
    assert authorize(desk, attachment(desk), mtime=0).status_code == 200


# -- B1: file upload only for stored files -----------------------------------------------


@pytest.mark.parametrize("mode", ["linked_url", "linked_file"])
def test_links_take_no_file_upload(desk: Sandbox, mode: str) -> None:
    assert authorize(desk, attachment(desk, mode)).status_code == 400


# -- "Step 2" / "Auth" ------------------------------------------------------------------


def test_the_whole_protocol_stores_the_bytes_and_the_synced_hash(desk: Sandbox) -> None:
    key = attachment(desk)
    auth = authorize(desk, key).json()
    assert send(auth["url"], DATA).status_code == 201
    done = register(desk, key, auth["uploadKey"])
    assert done.status_code == 204 and done.headers["Last-Modified-Version"]
    stored = item(desk, key)
    assert (stored["md5"], stored["filename"], stored["mtime"]) == (MD5, "paper.pdf", MTIME)
    assert desk.file_bytes(desk.local_library, key) == DATA


def test_the_receiver_needs_no_key_and_no_server_id(desk: Sandbox) -> None:
    auth = authorize(desk, attachment(desk)).json()
    assert send(auth["url"], DATA).status_code == 201


def test_the_receiver_refuses_another_server_id_with_412(desk: Sandbox) -> None:
    auth = authorize(desk, attachment(desk)).json()
    response = send(auth["url"], DATA, **{"Zotero-Server-ID": "OTHERSERVER1"})
    assert response.status_code == 412


def test_the_receiver_takes_a_multipart_file_part(desk: Sandbox) -> None:
    key = attachment(desk)
    auth = authorize(desk, key, params=1).json()
    response = httpx2.post(auth["url"], data=auth["params"], files={"file": ("x.pdf", DATA)})
    assert response.status_code == 201
    assert register(desk, key, auth["uploadKey"]).status_code == 204
    assert desk.file_bytes(desk.local_library, key) == DATA


def test_bytes_of_another_md5_are_refused_and_drop_the_key(desk: Sandbox) -> None:
    auth = authorize(desk, attachment(desk)).json()
    assert send(auth["url"], b"wrong content").status_code == 400
    assert send(auth["url"], DATA).status_code == 404


def test_an_upload_can_be_sent_again_until_the_register(desk: Sandbox) -> None:
    key = attachment(desk)
    auth = authorize(desk, key).json()
    assert [send(auth["url"], DATA).status_code for _ in range(2)] == [201, 201]
    assert register(desk, key, auth["uploadKey"]).status_code == 204


def test_an_unknown_upload_key_at_the_receiver_is_404(desk: Sandbox) -> None:
    assert send(f"{desk.local_url}/local/uploads/badkey999", DATA).status_code == 404


# -- "Step 2 Content-Type" --------------------------------------------------------------


def test_an_upload_without_a_content_type_is_400(desk: Sandbox) -> None:
    auth = authorize(desk, attachment(desk)).json()
    assert send(auth["url"], DATA, content_type=None).status_code == 400


def test_a_binary_file_sent_as_text_arrives_corrupted(desk: Sandbox) -> None:
    auth = authorize(desk, attachment(desk)).json()
    assert send(auth["url"], DATA, content_type="text/plain").status_code == 400


# -- "Upload key" -----------------------------------------------------------------------


def test_an_upload_key_expires_after_an_hour(desk: Sandbox) -> None:
    assert desk.local is not None
    now = [1000.0]
    desk.local.uploads.clock = lambda: now[0]
    auth = authorize(desk, attachment(desk)).json()
    now[0] += 3600
    assert send(auth["url"], DATA).status_code == 404


def test_a_restart_loses_the_upload_keys(desk: Sandbox) -> None:
    key = attachment(desk)
    auth = authorize(desk, key).json()
    assert send(auth["url"], DATA).status_code == 201
    desk.restart()
    assert send(auth["url"], DATA).status_code == 404
    assert register(desk, key, auth["uploadKey"]).status_code == 400


# -- "Step 3" / "Precondition basis" / "exists" -----------------------------------------


def test_a_register_before_the_upload_is_400(desk: Sandbox) -> None:
    key = attachment(desk)
    auth = authorize(desk, key).json()
    assert register(desk, key, auth["uploadKey"]).status_code == 400


def test_a_second_register_is_400(desk: Sandbox) -> None:
    key = attachment(desk)
    auth = authorize(desk, key).json()
    send(auth["url"], DATA)
    assert register(desk, key, auth["uploadKey"]).status_code == 204
    assert register(desk, key, auth["uploadKey"]).status_code == 400


def test_a_412_at_the_register_discards_the_staged_bytes(desk: Sandbox) -> None:
    key = attachment(desk)
    auth = authorize(desk, key).json()
    send(auth["url"], DATA)
    assert register(desk, key, auth["uploadKey"], If_Match=MD5).status_code == 412
    assert register(desk, key, auth["uploadKey"]).status_code == 400
    assert desk.file_bytes(desk.local_library, key) is None


def test_the_same_file_again_exists_without_a_library_version(desk: Sandbox) -> None:
    key = attachment(desk)
    auth = authorize(desk, key).json()
    send(auth["url"], DATA)
    register(desk, key, auth["uploadKey"])
    assert authorize(desk, key).status_code == 412  # If-None-Match: * with a synced hash
    fields = {"md5": MD5, "filename": "paper.pdf", "filesize": len(DATA), "mtime": MTIME}
    again = file_post(desk, key, fields, {"If-Match": MD5})
    assert again.json() == {"exists": 1}
    assert "Last-Modified-Version" not in again.headers


def test_the_same_bytes_on_another_item_are_uploaded_again(desk: Sandbox) -> None:
    first = attachment(desk)
    auth = authorize(desk, first).json()
    send(auth["url"], DATA)
    register(desk, first, auth["uploadKey"])
    assert "uploadKey" in authorize(desk, attachment(desk)).json()


def test_steps_1_and_3_are_writes_that_need_the_server_id(desk: Sandbox) -> None:
    key = attachment(desk)
    body = urlencode({"md5": MD5, "filename": "a.pdf", "filesize": 3, "mtime": MTIME}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "If-None-Match": "*"}
    response = httpx2.post(
        f"{desk.local_url}/users/0/items/{key}/file",
        content=body,
        headers={**headers, "Zotero-API-Key": KEY},
    )
    assert response.status_code == 428
