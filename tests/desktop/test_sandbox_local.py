"""The sandbox's local mode behaves like Zotero 10's local API (the reference's rules)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from syncd.sandbox import Sandbox

ITEM = {"itemType": "journalArticle", "title": "Local"}


@pytest.fixture
def desk() -> Iterator[Sandbox]:
    sb = Sandbox(local=True, server_id="SERVERID0001")
    sb.start()
    try:
        yield sb
    finally:
        sb.stop()


def call(
    sb: Sandbox,
    method: str,
    path: str,
    *,
    key: str | None = None,
    sid: str | None = "SERVERID0001",
    headers: dict[str, str] | None = None,
    **kw: Any,
) -> httpx2.Response:
    headers = {"Zotero-API-Version": "3", **(headers or {})}
    if key:
        headers["Zotero-API-Key"] = key
    if sid:
        headers["Zotero-Server-ID"] = sid
    return httpx2.request(method, f"{sb.local_url}{path}", headers=headers, **kw)


def authorize(sb: Sandbox, answer: str) -> httpx2.Response:
    assert sb.local is not None
    sb.local.answer = answer  # type: ignore[assignment]
    return call(sb, "POST", "/local/authorize", json={"appName": "syncd"})


def test_always_allow_gives_a_key_that_keeps_working(desk: Sandbox) -> None:
    answer = authorize(desk, "always").json()
    assert answer["remember"] is True
    for _ in range(2):
        assert (
            call(desk, "POST", "/users/0/items", key=answer["key"], json=[ITEM]).status_code == 200
        )


def test_a_one_time_key_is_spent_by_the_first_write_even_a_failing_one(desk: Sandbox) -> None:
    answer = authorize(desk, "allow").json()
    assert answer["remember"] is False
    bad = call(desk, "POST", "/users/0/items", key=answer["key"], content=b"not json")
    assert bad.status_code == 400
    again = call(desk, "POST", "/users/0/items", key=answer["key"], json=[ITEM])
    assert again.status_code == 401


def test_deny_is_403_denied(desk: Sandbox) -> None:
    response = authorize(desk, "deny")
    assert (response.status_code, response.json()) == (403, {"denied": True})


def test_a_sixth_prompt_within_a_minute_is_429_with_retry_after(desk: Sandbox) -> None:
    for _ in range(5):
        assert authorize(desk, "deny").status_code == 403
    response = authorize(desk, "always")
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60


def test_authorize_needs_the_server_id_and_an_app_name(desk: Sandbox) -> None:
    assert (
        call(desk, "POST", "/local/authorize", sid=None, json={"appName": "x"}).status_code == 428
    )
    assert call(desk, "POST", "/local/authorize", json={"appName": " "}).status_code == 400


def test_writes_need_the_server_id_before_the_key(desk: Sandbox) -> None:
    key = authorize(desk, "allow").json()["key"]
    assert call(desk, "POST", "/users/0/items", key=key, sid=None, json=[ITEM]).status_code == 428
    wrong = call(desk, "POST", "/users/0/items", key=key, sid="OTHERSERVER1", json=[ITEM])
    assert wrong.status_code == 412
    # Neither spent the one-time key: both were refused before it was looked at.
    assert call(desk, "POST", "/users/0/items", key=key, json=[ITEM]).status_code == 200


def test_writes_without_a_key_are_401(desk: Sandbox) -> None:
    response = call(desk, "POST", "/users/0/items", json=[ITEM])
    assert response.status_code == 401
    assert "WWW-Authenticate" in response.headers


def test_reads_need_no_key_and_are_not_paginated(desk: Sandbox) -> None:
    for n in range(130):
        desk.user_create(desk.local_library, {**ITEM, "title": f"T{n}"})
    response = call(desk, "GET", "/users/0/items", sid=None)
    assert response.status_code == 200
    assert len(response.json()) == 130
    assert len(call(desk, "GET", "/users/0/items", params={"limit": 7}).json()) == 7


@pytest.mark.parametrize(
    "path", ["/users/0/deleted?since=0", "/keys/current", "/items/new?itemType=book"]
)
def test_endpoints_the_local_api_lacks_are_404(desk: Sandbox, path: str) -> None:
    assert call(desk, "GET", path).status_code == 404


def test_every_endpoint_answer_carries_the_server_id_errors_too(desk: Sandbox) -> None:
    for response in (
        call(desk, "GET", "/"),
        call(desk, "GET", "/users/0/items/ABCD2345"),
        call(desk, "POST", "/users/0/items", json=[ITEM]),
    ):
        assert response.headers["Zotero-Server-ID"] == "SERVERID0001"
    assert "Zotero-Server-ID" not in call(desk, "GET", "/keys/current").headers


def test_the_local_api_switched_off_answers_403(desk: Sandbox) -> None:
    assert desk.local is not None
    desk.local.enabled = False
    response = call(desk, "GET", "/users/0/items")
    assert (response.status_code, response.text) == (403, "Local API is not enabled")


def test_a_restart_forgets_one_time_keys_and_keeps_lasting_ones(desk: Sandbox) -> None:
    once = authorize(desk, "allow").json()["key"]
    always = authorize(desk, "always").json()["key"]
    desk.restart()
    assert call(desk, "POST", "/users/0/items", key=once, json=[ITEM]).status_code == 401
    assert call(desk, "POST", "/users/0/items", key=always, json=[ITEM]).status_code == 200


def test_another_profile_has_another_server_id(desk: Sandbox) -> None:
    desk.restart(server_id="SERVERID0002")
    assert call(desk, "GET", "/").headers["Zotero-Server-ID"] == "SERVERID0002"


def test_local_versions_rise_with_every_write(desk: Sandbox) -> None:
    key = authorize(desk, "always").json()["key"]
    first = call(desk, "POST", "/users/0/items", key=key, json=[ITEM])
    second = call(desk, "POST", "/users/0/items", key=key, json=[ITEM])
    assert int(second.headers["Last-Modified-Version"]) > int(
        first.headers["Last-Modified-Version"]
    )


def test_group_listings_carry_no_library_version_and_ignore_since(desk: Sandbox) -> None:
    desk.add_group_library(9)
    desk.user_create("groups/9", ITEM)
    listing = call(desk, "GET", "/groups/9/items", params={"since": 10**6})
    assert "Last-Modified-Version" not in listing.headers
    assert len(listing.json()) == 1


def test_a_restart_forgets_write_tokens(desk: Sandbox) -> None:
    key = authorize(desk, "always").json()["key"]
    token = {"Zotero-Write-Token": "token-0000000001"}

    def post() -> int:
        return call(desk, "POST", "/users/0/items", key=key, json=[ITEM], headers=token).status_code

    assert post() == 200
    assert post() == 412
    desk.restart()
    assert post() == 200
