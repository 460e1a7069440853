"""Wiring: from a configuration to an open client, state database and sync session."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from syncd.attachments.step import AttachmentPolicy
from syncd.config import Config
from syncd.core.plan import Options
from syncd.credentials import KeyRedactionFilter, find_api_key
from syncd.lock import Role, StateLock
from syncd.schema import bundled_schema
from syncd.state import StateDB
from syncd.sync.session import SyncSession
from syncd.zotero.client import ZoteroClient
from syncd.zotero.retry import RetryPolicy


def options_from(config: Config) -> Options:
    return Options(
        policy=config.policy,
        recreate_deleted=config.recreate_deleted,
        match_by_title=config.match_by_title,
    )


def attachment_policy(config: Config) -> AttachmentPolicy | None:
    """Where attachment files may come from: ``[attachments] roots`` and the watched
    folders (each export's own folder is added per file); None when disabled."""
    section = config.attachments
    if not section.enabled:
        return None
    roots = [*section.roots, *(w.path for w in config.watches)]
    return AttachmentPolicy.of(roots, section.max_mb)


def protect_key(api_key: str) -> None:
    """Make sure no log handler can ever print the key."""
    redactor = KeyRedactionFilter(api_key)
    root = logging.getLogger()
    for handler in root.handlers:
        handler.addFilter(redactor)
    root.addFilter(redactor)


def make_client(
    config: Config,
    *,
    api_key: str | None = None,
    policy: RetryPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> ZoteroClient:
    """A client for the configured library; the key is looked up if not given.

    ``sleep`` is what the client waits with between retries (the daemon passes one
    that keeps the systemd watchdog fed).
    """
    key = api_key if api_key is not None else find_api_key()
    protect_key(key)
    return ZoteroClient(
        config.base_url,
        "user" if config.library_type == "user" else "group",
        config.library_id,
        key,
        policy=policy or RetryPolicy(max_elapsed=config.retry_budget),
        sleep=sleep,
    )


@contextmanager
def open_session(
    config: Config, *, api_key: str | None = None, policy: RetryPolicy | None = None
) -> Iterator[SyncSession]:
    # Never beside the daemon or another sync: both would create the same items.
    with StateLock(config.state_path, Role.COMMAND):
        client = make_client(config, api_key=api_key, policy=policy)
        try:
            with StateDB.open(config.state_path) as db:
                session = SyncSession(client, db, bundled_schema(), options_from(config))
                session.attachments = attachment_policy(config)
                yield session
        finally:
            client.close()
