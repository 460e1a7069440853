"""Contract, API docs "rate limiting and back-off", plus the sandbox's other injected faults.

All of these need the sandbox's fault plan, so they skip on the live target.
"""

from __future__ import annotations

import json
import socket
from typing import Any

import httpx2
import pytest
from conftest import ApiTarget

from syncd.errors import UsageError
from syncd.sandbox import FaultPlan


def _book(title: str = "Fault") -> dict[str, Any]:
    return {"itemType": "book", "title": title}


def test_429_with_retry_after(zotero_api: ApiTarget) -> None:
    sb = zotero_api.require_sandbox()
    sb.faults = FaultPlan(rate_429=1.0, retry_after=3)
    response = zotero_api.lib("GET", "/items")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "3"
    (record,) = sb.log
    assert record.fault == "429" and record.status == 429


def test_500(zotero_api: ApiTarget) -> None:
    sb = zotero_api.require_sandbox()
    sb.faults = FaultPlan(rate_500=1.0)
    assert zotero_api.lib("POST", "/items", json=[_book()]).status_code == 500
    sb.faults = FaultPlan()
    assert sb.library_version("users/1") == 0  # the faulted write was never applied


def test_503_with_retry_after(zotero_api: ApiTarget) -> None:
    sb = zotero_api.require_sandbox()
    sb.faults = FaultPlan(rate_503=1.0, retry_after=0)
    response = zotero_api.lib("GET", "/items")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "0"


def test_backoff_header_on_a_normal_response(zotero_api: ApiTarget) -> None:
    sb = zotero_api.require_sandbox()
    sb.faults = FaultPlan(backoff_rate=1.0, backoff_seconds=7)
    response = zotero_api.lib("POST", "/items", json=[_book()])
    assert response.status_code == 200
    assert response.headers["Backoff"] == "7"
    assert response.json()["success"]
    assert sb.log[-1].fault == "backoff"


def test_reset_before_a_write_applies_nothing(zotero_api: ApiTarget) -> None:
    sb = zotero_api.require_sandbox()
    sb.faults = FaultPlan(rate_reset_before=1.0)
    with pytest.raises(httpx2.TransportError):
        zotero_api.lib("POST", "/items", json=[_book()])
    assert sb.all_items("users/1") == []
    assert sb.log[-1].fault == "reset_before" and sb.log[-1].status == 0


def test_reset_after_commit_applies_the_write(zotero_api: ApiTarget) -> None:
    sb = zotero_api.require_sandbox()
    sb.faults = FaultPlan(rate_reset_after_commit=1.0)
    with pytest.raises(httpx2.TransportError):
        zotero_api.lib("POST", "/items", json=[_book("landed")])
    assert [i["title"] for i in sb.all_items("users/1")] == ["landed"]
    assert sb.library_version("users/1") == 1
    record = sb.log[-1]
    assert record.fault == "reset_after_commit" and record.n_objects == 1


def test_reset_is_a_tcp_reset(zotero_api: ApiTarget) -> None:
    sb = zotero_api.require_sandbox()
    sb.faults = FaultPlan(rate_reset_before=1.0)
    body = json.dumps([_book()]).encode()
    head = (
        f"POST /users/1/items HTTP/1.1\r\nHost: 127.0.0.1\r\nZotero-API-Key: {zotero_api.key}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", sb.port), timeout=5) as sock:
        sock.sendall(head + body)
        with pytest.raises(ConnectionResetError):
            sock.recv(1024)


def test_resets_only_hit_writes(zotero_api: ApiTarget) -> None:
    sb = zotero_api.require_sandbox()
    sb.faults = FaultPlan(rate_reset_before=0.5, rate_reset_after_commit=0.5)
    for _ in range(5):
        assert zotero_api.lib("GET", "/items").status_code == 200


def test_apply_to_limits_faults_to_some_methods(zotero_api: ApiTarget) -> None:
    sb = zotero_api.require_sandbox()
    sb.faults = FaultPlan(rate_429=1.0, retry_after=0, apply_to=("POST",))
    assert zotero_api.lib("GET", "/items").status_code == 200
    assert zotero_api.lib("POST", "/items", json=[_book()]).status_code == 429


def _statuses(api: ApiTarget, n: int) -> list[int]:
    return [api.lib("GET", "/items", params={"limit": 1}).status_code for _ in range(n)]


def test_same_seed_replays_the_same_faults(zotero_api: ApiTarget) -> None:
    sb = zotero_api.require_sandbox()
    plan = FaultPlan(seed=42, rate_429=0.3, rate_500=0.2, rate_503=0.1, retry_after=0)
    sb.faults = plan
    first = _statuses(zotero_api, 40)
    sb.faults = plan
    second = _statuses(zotero_api, 40)
    assert first == second
    assert {200, 429, 500, 503} <= set(first)
    sb.faults = FaultPlan(seed=7, rate_429=0.3, rate_500=0.2, rate_503=0.1, retry_after=0)
    assert _statuses(zotero_api, 40) != first


def test_fault_rates_are_roughly_honoured(zotero_api: ApiTarget) -> None:
    sb = zotero_api.require_sandbox()
    sb.faults = FaultPlan(seed=1, rate_429=0.25, retry_after=0)
    statuses = _statuses(zotero_api, 200)
    assert 25 <= statuses.count(429) <= 75


def test_fault_plan_rejects_impossible_rates() -> None:
    with pytest.raises(UsageError):
        FaultPlan(rate_429=1.5)
    with pytest.raises(UsageError):
        FaultPlan(rate_429=0.6, rate_500=0.6)
    with pytest.raises(UsageError):
        FaultPlan(retry_after=-1)


def test_write_token_makes_a_retry_after_a_lost_answer_safe(zotero_api: ApiTarget) -> None:
    sb = zotero_api.require_sandbox()
    headers = {"Zotero-Write-Token": "retry-token-0001"}
    sb.faults = FaultPlan(rate_reset_after_commit=1.0)
    with pytest.raises(httpx2.TransportError):
        zotero_api.lib("POST", "/items", json=[_book("once")], headers=headers)
    sb.faults = FaultPlan()
    retry = zotero_api.lib("POST", "/items", json=[_book("once")], headers=headers)
    assert retry.status_code == 412
    assert [i["title"] for i in sb.all_items("users/1")] == ["once"]


def test_write_token_survives_a_reset_before_processing(zotero_api: ApiTarget) -> None:
    sb = zotero_api.require_sandbox()
    headers = {"Zotero-Write-Token": "retry-token-0002"}
    sb.faults = FaultPlan(rate_reset_before=1.0)
    with pytest.raises(httpx2.TransportError):
        zotero_api.lib("POST", "/items", json=[_book("later")], headers=headers)
    sb.faults = FaultPlan()
    retry = zotero_api.lib("POST", "/items", json=[_book("later")], headers=headers)
    assert retry.status_code == 200
    assert [i["title"] for i in sb.all_items("users/1")] == ["later"]
