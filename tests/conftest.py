"""Shared fixtures: a fresh Zotero Web API sandbox per test (see syncd.sandbox)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from syncd.sandbox import Sandbox

TEST_KEY = "sandbox-test-key-0000000000"
TEST_USER_ID = 1
TEST_LIBRARY = f"users/{TEST_USER_ID}"


def _make_sandbox() -> Sandbox:
    sb = Sandbox()
    sb.add_user_library(TEST_USER_ID)
    sb.add_key(TEST_KEY, user_id=TEST_USER_ID)
    return sb


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """A started in-memory sandbox: user library 1, key TEST_KEY (write access)."""
    sb = _make_sandbox()
    sb.start()
    try:
        yield sb
    finally:
        sb.stop()


@pytest.fixture(scope="session")
def sandbox_session() -> Iterator[Sandbox]:
    """One sandbox for the whole session; tests must not rely on its contents or faults."""
    sb = _make_sandbox()
    sb.start()
    try:
        yield sb
    finally:
        sb.stop()
