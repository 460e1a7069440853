"""Shared fixtures: a fresh Zotero Web API sandbox per test, and the contract-test target.

``sandbox`` is what most tests want: a started in-memory :class:`Sandbox` with user
library 1 and the key :data:`TEST_KEY`. ``zotero_api`` is the target of the API
contract suite in ``tests/sandbox/``: by default the sandbox, and, when
``SYNCD_LIVE_BASE_URL``, ``SYNCD_LIVE_API_KEY`` and ``SYNCD_LIVE_LIBRARY`` are set, also
a real Zotero library (tests marked ``live``). Tests that need fault injection or
direct store access call :meth:`ApiTarget.require_sandbox`, which skips on the live
target.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx2
import pytest

from syncd.native import build_kind, stale_modules
from syncd.sandbox import Sandbox
from syncd.schema import Schema

TEST_KEY = "sandbox-test-key-0000000000"
TEST_USER_ID = 1
TEST_LIBRARY = f"users/{TEST_USER_ID}"
LIVE_ENV = ("SYNCD_LIVE_BASE_URL", "SYNCD_LIVE_API_KEY", "SYNCD_LIVE_LIBRARY")


def make_sandbox(schema: Schema | None = None) -> Sandbox:
    """A sandbox (not started) with user library 1 and TEST_KEY; ``schema`` is the one
    it serves and validates against (the bundled one by default)."""
    sb = Sandbox(schema=schema)
    sb.add_user_library(TEST_USER_ID)
    sb.add_key(TEST_KEY, user_id=TEST_USER_ID)
    return sb


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """A started in-memory sandbox: user library 1, key TEST_KEY (write access)."""
    sb = make_sandbox()
    sb.start()
    try:
        yield sb
    finally:
        sb.stop()


@pytest.fixture(scope="session")
def sandbox_session() -> Iterator[Sandbox]:
    """One sandbox for the whole session; tests must not rely on its contents or faults."""
    sb = make_sandbox()
    sb.start()
    try:
        yield sb
    finally:
        sb.stop()


@dataclass
class ApiTarget:
    """Where the contract suite sends its requests, with small request helpers."""

    base_url: str
    key: str
    library: str  # "users/1"
    client: httpx2.Client
    sandbox: Sandbox | None

    def require_sandbox(self) -> Sandbox:
        if self.sandbox is None:
            pytest.skip("needs the sandbox (fault injection or direct store access)")
        return self.sandbox

    def request(
        self,
        method: str,
        path: str,
        *,
        key: str | bool | None = True,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx2.Response:
        sent = {"Zotero-API-Version": "3"}
        if key is True:
            sent["Zotero-API-Key"] = self.key
        elif isinstance(key, str):
            sent["Zotero-API-Key"] = key
        sent.update(headers or {})
        return self.client.request(method, self.base_url + path, headers=sent, **kwargs)

    def lib(self, method: str, suffix: str, **kwargs: Any) -> httpx2.Response:
        """A request under the library prefix, e.g. ``lib("GET", "/items")``."""
        return self.request(method, f"/{self.library}{suffix}", **kwargs)

    def version(self) -> int:
        response = self.lib("GET", "/items", params={"limit": 1, "format": "versions"})
        return int(response.headers["Last-Modified-Version"])

    def post_items(self, items: list[Any], **kwargs: Any) -> dict[str, Any]:
        response = self.lib("POST", "/items", json=items, **kwargs)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def create(self, **fields: Any) -> dict[str, Any]:
        """Create one item (journalArticle unless ``itemType`` says otherwise); return it."""
        item: dict[str, Any] = {"itemType": "journalArticle"}
        item.update(fields)
        if item["itemType"] != "note":
            item.setdefault("title", f"Contract {uuid.uuid4().hex[:8]}")
        body = self.post_items([item])
        assert not body["failed"], body["failed"]
        created: dict[str, Any] = body["successful"]["0"]
        return created


def _all_keys(target: ApiTarget, kind: str) -> set[str]:
    params = {"format": "keys", "includeTrashed": 1} if kind == "items" else {"format": "keys"}
    response = target.lib("GET", f"/{kind}", params=params)
    response.raise_for_status()
    return set(response.text.split())


def _remove_new_objects(target: ApiTarget, existing: dict[str, set[str]]) -> None:
    """Delete what a live test created; objects that were there before are left alone."""
    for kind, param in (("items", "itemKey"), ("collections", "collectionKey")):
        created = sorted(_all_keys(target, kind) - existing[kind])
        for start in range(0, len(created), 50):
            chunk = ",".join(created[start : start + 50])
            target.lib(
                "DELETE",
                f"/{kind}",
                params={param: chunk},
                headers={"If-Unmodified-Since-Version": str(target.version())},
            )


def _live_ready() -> bool:
    return all(os.environ.get(name) for name in LIVE_ENV)


def pytest_report_header(config: pytest.Config) -> str:
    return f"syncd mapping build: {build_kind()}"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Refuse to test compiled modules older than their source (an editable install)."""
    stale = stale_modules()
    if stale:
        pytest.exit(
            f"compiled modules are older than their source: {', '.join(stale)}; "
            "rebuild with `.venv/bin/pip install -e '.[test]'` (or set "
            "SYNCD_PURE_PYTHON=1 for that command to install plain Python)",
            returncode=2,
        )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without SYNCD_LIVE_* the live variants are deselected (one summary count, no noise)."""
    if _live_ready():
        return
    live = [item for item in items if item.get_closest_marker("live")]
    if live:
        config.hook.pytest_deselected(items=live)
        items[:] = [item for item in items if not item.get_closest_marker("live")]


@pytest.fixture(params=["sandbox", pytest.param("live", marks=pytest.mark.live)])
def zotero_api(request: pytest.FixtureRequest) -> Iterator[ApiTarget]:
    """The contract suite's target: the sandbox, or a real library when configured."""
    if request.param == "live":
        base = os.environ["SYNCD_LIVE_BASE_URL"].rstrip("/")
        with httpx2.Client(timeout=30) as client:
            target = ApiTarget(
                base,
                os.environ["SYNCD_LIVE_API_KEY"],
                os.environ["SYNCD_LIVE_LIBRARY"].strip("/"),
                client,
                None,
            )
            existing = {kind: _all_keys(target, kind) for kind in ("items", "collections")}
            try:
                yield target
            finally:
                _remove_new_objects(target, existing)
        return
    sb = make_sandbox()
    sb.start()
    try:
        with httpx2.Client(timeout=10) as client:
            yield ApiTarget(sb.url, TEST_KEY, TEST_LIBRARY, client, sb)
    finally:
        sb.stop()
