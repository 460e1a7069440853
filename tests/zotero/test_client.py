"""ZoteroClient against an httpx2.MockTransport: error mapping, retries, writes, paging."""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable

import httpx2
import pytest
from fake_clock import FakeClock

from syncd.errors import ApiError, ApiUnavailableError, ConfigError, CredentialError
from syncd.zotero.client import (
    PreconditionFailedError,
    WriteTokenUsedError,
    ZoteroClient,
    parse_write_response,
)
from syncd.zotero.retry import RetryPolicy

KEY = "secretkey-DO-NOT-LOG-0123456789"
Handler = Callable[[httpx2.Request], httpx2.Response]


def make_client(handler: Handler, clock: FakeClock | None = None) -> ZoteroClient:
    clock = clock or FakeClock()
    client = ZoteroClient(
        "http://127.0.0.1:9",
        "user",
        1,
        KEY,
        policy=RetryPolicy(max_elapsed=60, base_delay=0.01, max_delay=0.05),
        transport=httpx2.MockTransport(handler),
        clock=clock,
        sleep=clock.sleep,
    )
    client.retrier._rng = random.Random(0)
    return client


def item(key: str, version: int) -> dict[str, object]:
    return {
        "key": key,
        "version": version,
        "library": {"type": "user", "id": 1},
        "links": {},
        "meta": {},
        "data": {"key": key, "version": version, "itemType": "book", "title": key},
    }


def items_response(items: list[dict[str, object]], total: int, version: int) -> httpx2.Response:
    return httpx2.Response(
        200,
        json=items,
        headers={"Total-Results": str(total), "Last-Modified-Version": str(version)},
    )


def test_requests_carry_the_key_in_a_header_only(caplog: pytest.LogCaptureFixture) -> None:
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        if request.url.path == "/keys/current":
            return httpx2.Response(
                200,
                json={
                    "key": KEY,
                    "userID": 1,
                    "access": {"user": {"library": True, "write": True}},
                },
            )
        return items_response([], 0, 5)

    caplog.set_level(logging.DEBUG)
    client = make_client(handler)
    info = client.key_info()
    assert "key" not in info
    assert client.library_version() == 5
    client.check_write_access()
    for request in seen:
        assert KEY not in str(request.url)
        assert request.headers["Zotero-API-Key"] == KEY
        assert request.headers["Zotero-API-Version"] == "3"
    assert seen[0].url.path == "/keys/current"
    assert KEY not in caplog.text
    assert "/keys/current" in caplog.text
    assert KEY not in repr(client)


def test_no_write_access_is_a_credential_error() -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(
            200, json={"userID": 1, "access": {"user": {"library": True, "write": False}}}
        )

    with pytest.raises(CredentialError, match="no write access to users/1"):
        make_client(handler).check_write_access()


@pytest.mark.parametrize(
    ("status", "error", "text"),
    [
        (403, CredentialError, "no access to users/1"),
        (404, ApiError, "not found"),
        (400, ApiError, "Invalid &#39;since&#39;".replace("&#39;", "'")),
    ],
)
def test_non_retryable_statuses_map_to_typed_errors(
    status: int, error: type[Exception], text: str
) -> None:
    calls = 0

    def handler(request: httpx2.Request) -> httpx2.Response:
        nonlocal calls
        calls += 1
        return httpx2.Response(status, text="Invalid &#39;since&#39; value")

    with pytest.raises(error, match=text) as err:
        make_client(handler).item_versions(since=3)
    assert calls == 1
    assert KEY not in str(err.value)


def test_reads_retry_429_and_5xx_and_resets_honouring_retry_after() -> None:
    script: list[Callable[[], httpx2.Response]] = [
        lambda: httpx2.Response(429, text="slow down", headers={"Retry-After": "4"}),
        lambda: httpx2.Response(503, text="maintenance"),
        lambda: (_ for _ in ()).throw(httpx2.ConnectError("reset")),
        lambda: httpx2.Response(409, text="library locked"),
        lambda: httpx2.Response(200, json={"AAAA2222": 7}, headers={"Last-Modified-Version": "9"}),
    ]

    def handler(request: httpx2.Request) -> httpx2.Response:
        return script.pop(0)()

    clock = FakeClock()
    client = make_client(handler, clock)
    assert client.item_versions(since=3) == ({"AAAA2222": 7}, 9)
    assert script == []
    assert clock.sleeps[0] >= 4


def test_budget_exhaustion_is_api_unavailable() -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(500, text="boom")

    with pytest.raises(ApiUnavailableError) as err:
        make_client(handler).library_version()
    assert err.value.exit_code == 75


def test_backoff_on_a_success_delays_the_next_request() -> None:
    clock = FakeClock()
    sent_at: list[float] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        sent_at.append(clock.now)
        return httpx2.Response(
            200, json={}, headers={"Last-Modified-Version": "1", "Backoff": "30"}
        )

    client = make_client(handler, clock)
    client.item_versions(since=0)
    client.item_versions(since=0)
    assert sent_at[1] - sent_at[0] >= 30


def test_failed_read_does_not_leak_parameters_into_the_next() -> None:
    queries: list[dict[str, str]] = []
    fail_once = [True]

    def handler(request: httpx2.Request) -> httpx2.Response:
        queries.append(dict(request.url.params))
        if "itemKey" in request.url.params and fail_once:
            fail_once.clear()
            raise httpx2.ReadTimeout("slow")
        if "itemKey" in request.url.params:
            return items_response([item("AAAA2222", 3)], 1, 4)
        return items_response([], 0, 4)

    client = make_client(handler)
    assert [i["key"] for i in client.items_by_keys(["AAAA2222"])] == ["AAAA2222"]
    assert client.library_version() == 4
    assert "itemKey" not in queries[-1]


def test_fetch_all_items_pages_with_total_results_and_reports_consistency() -> None:
    library = [item(f"K{i:07d}", i + 1) for i in range(250)]
    versions = iter([10, 10, 11])

    def handler(request: httpx2.Request) -> httpx2.Response:
        start = int(request.url.params.get("start", 0))
        limit = int(request.url.params["limit"])
        assert request.url.params["includeTrashed"] == "1"
        return items_response(library[start : start + limit], len(library), next(versions))

    progress: list[tuple[int, int]] = []
    snapshot = make_client(handler).fetch_all_items(
        concurrency=1, on_page=lambda n, t: progress.append((n, t))
    )
    assert [i["key"] for i in snapshot.items] == [i["key"] for i in library]
    assert snapshot.version == 10
    assert not snapshot.consistent
    assert progress == [(100, 250), (200, 250), (250, 250)]


def test_items_by_keys_asks_50_at_a_time() -> None:
    asked: list[list[str]] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        keys = request.url.params["itemKey"].split(",")
        asked.append(keys)
        return items_response([item(k, 1) for k in keys if k != "GONE0000"], len(keys), 3)

    keys = [f"K{i:07d}" for i in range(120)] + ["GONE0000"]
    got = make_client(handler).items_by_keys(keys)
    assert sorted(len(a) for a in asked) == [21, 50, 50]
    assert {i["key"] for i in got} == set(keys) - {"GONE0000"}


def test_post_items_resends_the_same_body_and_parses_per_object_outcomes() -> None:
    bodies: list[bytes] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        bodies.append(request.content)
        assert request.headers["Zotero-Write-Token"] == "token-12345"
        if len(bodies) == 1:
            raise httpx2.RemoteProtocolError("connection reset")
        saved = item("NEWKEY22", 12)
        return httpx2.Response(
            200,
            headers={"Last-Modified-Version": "12"},
            json={
                "successful": {"0": saved},
                "success": {"0": "NEWKEY22"},
                "unchanged": {"1": "SAMEKEY2"},
                "failed": {
                    "2": {
                        "key": "OLDKEY22",
                        "code": 412,
                        "message": "Item has been modified &quot;since&quot;",
                    }
                },
            },
        )

    objects = [
        {"key": "NEWKEY22", "version": 0, "itemType": "book", "title": "é"},
        {"key": "SAMEKEY2", "version": 5, "title": "same"},
        {"key": "OLDKEY22", "version": 2, "title": "stale"},
    ]
    result = make_client(handler).post_items(objects, write_token="token-12345")
    assert len(bodies) == 2 and bodies[0] == bodies[1]
    assert json.loads(bodies[0]) == objects
    assert result.successful[0]["key"] == "NEWKEY22"
    assert result.unchanged == {1: "SAMEKEY2"}
    assert result.failed[2].code == 412
    assert result.failed[2].message == 'Item has been modified "since"'
    assert result.library_version == 12


def test_post_items_whole_request_412_raises() -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(
            412,
            text="Library has been modified since specified version (expected 3, found 5)",
            headers={"Last-Modified-Version": "5"},
        )

    with pytest.raises(PreconditionFailedError) as err:
        make_client(handler).post_items([{"itemType": "book"}])
    assert err.value.library_version == 5
    assert not isinstance(err.value, WriteTokenUsedError)


def test_post_items_refuses_more_than_50() -> None:
    with pytest.raises(ValueError, match="50"):
        make_client(lambda r: httpx2.Response(500)).post_items([{}] * 51)


def test_create_collection_finds_its_own_earlier_write_after_token_reuse() -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        if request.method == "POST":
            return httpx2.Response(412, text="Write token already used")
        collection = {"key": "COLL2222", "version": 4, "data": {"key": "COLL2222", "name": "RIS"}}
        other = {"key": "COLL3333", "version": 4, "data": {"key": "COLL3333", "name": "Other"}}
        return items_response([collection, other], 2, 4)

    got = make_client(handler).create_collection("RIS", write_token="coll-token-1")
    assert got["key"] == "COLL2222"


def test_create_collection_returns_the_saved_object() -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        assert body == [{"name": "RIS", "parentCollection": "PARENT22"}]
        saved = {"key": "COLL2222", "version": 4, "data": {"key": "COLL2222", "name": "RIS"}}
        return httpx2.Response(
            200, json={"successful": {"0": saved}}, headers={"Last-Modified-Version": "4"}
        )

    got = make_client(handler).create_collection("RIS", "PARENT22", write_token="coll-token-1")
    assert got["key"] == "COLL2222"


def test_parse_write_response_accepts_legacy_success_only() -> None:
    result = parse_write_response({"success": {"0": "ABCD2345"}}, None)
    assert result.successful == {0: {"key": "ABCD2345"}}


def test_overlapping_pages_at_one_version_are_flagged() -> None:
    library = [item(f"K{i:07d}", 1) for i in range(150)]

    def handler(request: httpx2.Request) -> httpx2.Response:
        assert request.url.params["sort"] == "dateAdded"
        assert request.url.params["direction"] == "asc"
        start = int(request.url.params.get("start", 0))
        # The second page repeats an item of the first (unstable tie-breaking).
        page = library[start : start + 100] if start == 0 else library[99:149]
        return items_response(page, len(library), 5)

    snapshot = make_client(handler).fetch_all_items()
    assert len(snapshot.items) == 149
    assert not snapshot.consistent


def test_key_of_another_user_is_refused() -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(
            200, json={"userID": 2, "access": {"user": {"library": True, "write": True}}}
        )

    with pytest.raises(CredentialError, match="belongs to users/2, not users/1"):
        make_client(handler).check_write_access()


def test_group_write_access_comes_from_the_group_grant() -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(
            200,
            json={"userID": 9, "access": {"groups": {"42": {"library": True, "write": True}}}},
        )

    client = ZoteroClient(
        "http://127.0.0.1:9", "group", 42, KEY, transport=httpx2.MockTransport(handler)
    )
    client.check_write_access()
    other = ZoteroClient(
        "http://127.0.0.1:9", "group", 43, KEY, transport=httpx2.MockTransport(handler)
    )
    with pytest.raises(CredentialError, match="groups/43"):
        other.check_write_access()


@pytest.mark.parametrize("call", ["read", "write"])
def test_a_non_json_answer_is_an_api_error(call: str) -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(
            200, text="<html>captive portal</html>", headers={"Last-Modified-Version": "1"}
        )

    client = make_client(handler)
    with pytest.raises(ApiError, match="not Zotero API JSON"):
        if call == "read":
            client.item_versions(since=1)
        else:
            client.post_items([{"itemType": "book"}])


def test_base_url_must_be_http() -> None:
    with pytest.raises(ConfigError, match="https://"):
        ZoteroClient("api.zotero.org", "user", 1, KEY)
