"""API key lookup order, keyring storage, and redaction in logs."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
import pytest

from syncd import credentials
from syncd.credentials import (
    KeyRedactionFilter,
    delete_api_key,
    find_api_key,
    redact,
    store_api_key,
)
from syncd.errors import CredentialError


class MemoryKeyring(keyring.backend.KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        # keyring ships types, but KeyringBackend.__init__ has no annotations.
        super().__init__()  # type: ignore[no-untyped-call]
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.store:
            raise keyring.errors.PasswordDeleteError("not there")
        del self.store[(service, username)]


class BrokenKeyring(keyring.backend.KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        # keyring ships types, but KeyringBackend.__init__ has no annotations.
        super().__init__()  # type: ignore[no-untyped-call]

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.NoKeyringError("no backend")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.NoKeyringError("no backend")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.NoKeyringError("no backend")


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def broken_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(BrokenKeyring())
    yield
    keyring.set_keyring(previous)


def creds_dir(tmp_path: Path, content: str) -> str:
    (tmp_path / "zotero-api-key").write_text(content)
    return str(tmp_path)


def test_order_systemd_then_env_then_keyring(tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    memory_keyring.set_password("syncd", "zotero-api-key", "from-keyring")
    env = {"CREDENTIALS_DIRECTORY": creds_dir(tmp_path, "from-systemd\n"), "ZOTERO_API_KEY": "e"}
    assert find_api_key(env) == "from-systemd"
    assert find_api_key({"ZOTERO_API_KEY": " from-env "}) == "from-env"
    assert find_api_key({}) == "from-keyring"


def test_credentials_dir_without_the_file_falls_through(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    env = {"CREDENTIALS_DIRECTORY": str(tmp_path), "ZOTERO_API_KEY": "from-env"}
    assert find_api_key(env) == "from-env"


def test_nothing_anywhere_names_all_three_places(memory_keyring: MemoryKeyring) -> None:
    with pytest.raises(CredentialError) as err:
        find_api_key({"ZOTERO_API_KEY": "  "})
    text = str(err.value)
    for where in ("CREDENTIALS_DIRECTORY", "ZOTERO_API_KEY", "keyring", "syncd key set"):
        assert where in text
    assert err.value.exit_code == 2


def test_unusable_keyring_is_reported_not_fatal(broken_keyring: None) -> None:
    assert find_api_key({"ZOTERO_API_KEY": "from-env"}) == "from-env"
    with pytest.raises(CredentialError, match="NoKeyringError"):
        find_api_key({})


def test_store_and_delete(memory_keyring: MemoryKeyring) -> None:
    store_api_key("  abcDEF123  ")
    assert memory_keyring.store[("syncd", "zotero-api-key")] == "abcDEF123"
    assert find_api_key({}) == "abcDEF123"
    assert delete_api_key() is True
    assert delete_api_key() is False
    with pytest.raises(CredentialError):
        find_api_key({})


@pytest.mark.parametrize("bad", ["", "   ", "two words"])
def test_store_refuses_malformed_keys(memory_keyring: MemoryKeyring, bad: str) -> None:
    with pytest.raises(CredentialError):
        store_api_key(bad)
    assert memory_keyring.store == {}


def test_keyring_failures_suggest_the_alternatives(broken_keyring: None) -> None:
    with pytest.raises(CredentialError) as err:
        store_api_key("abcDEF123")
    assert "ZOTERO_API_KEY" in str(err.value)
    assert "abcDEF123" not in str(err.value)
    with pytest.raises(CredentialError, match="ZOTERO_API_KEY"):
        delete_api_key()


def test_redact() -> None:
    assert redact("key=abc123 and abc123", "abc123") == f"key={credentials.REDACTED} and " + (
        credentials.REDACTED
    )
    assert redact("nothing", "") == "nothing"


def test_filter_redacts_messages_arguments_and_tracebacks() -> None:
    secret = "s3cr3t-key-value"
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler.addFilter(KeyRedactionFilter(secret))
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("url was /keys/%s", secret)
        logger.warning(f"inline {secret}")
        try:
            raise RuntimeError(f"failed with {secret}")
        except RuntimeError:
            logger.exception("boom")
        logger.warning("harmless %d", 3)
    finally:
        logger.removeHandler(handler)
    text = out.getvalue()
    assert secret not in text
    assert text.count(credentials.REDACTED) == 3
    assert "harmless 3" in text
    assert "RuntimeError" in text


def test_unreadable_systemd_credential_is_reported(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    (tmp_path / "zotero-api-key").mkdir()
    with pytest.raises(CredentialError, match="cannot read the systemd credential"):
        find_api_key({"CREDENTIALS_DIRECTORY": str(tmp_path), "ZOTERO_API_KEY": "from-env"})
