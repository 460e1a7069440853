"""Wiring: from a configuration to an open client, state database and sync session."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from syncd.attachments.step import AttachmentPolicy
from syncd.config import ApiKind, Config, LibraryConfig
from syncd.core.plan import Options
from syncd.credentials import KeyRedactionFilter, find_api_key
from syncd.desktop import checked_server
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
    """Make sure no log handler can ever print the key.

    Once per handler and key: the daemon makes a desktop library's client again each
    time Zotero comes back, and a filter per attempt would pile up while it runs.
    """
    redactor = KeyRedactionFilter(api_key)
    root = logging.getLogger()
    for holder in (*root.handlers, root):
        if not any(isinstance(f, KeyRedactionFilter) and f.key == api_key for f in holder.filters):
            holder.addFilter(redactor)


#: How long a desktop library waits for Zotero before its files are set to wait:
#: the loopback answers at once or not at all, and the daemon looks again soon.
LOCAL_RETRY_BUDGET = 2.0


def make_client(
    config: Config,
    *,
    library: LibraryConfig | None = None,
    api_key: str | None = None,
    policy: RetryPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
    server_id: str | None = None,
) -> ZoteroClient:
    """A client for ``library`` (default: the default one); the key is looked up if
    not given.

    ``sleep`` is what the client waits with between retries (the daemon passes one
    that keeps the systemd watchdog fed). A desktop library's client writes under
    ``server_id`` and keeps its state in that server's partition; without it, the
    client can only ask Zotero who it is (``bind``).
    """
    lib = library or config.library_named(None)
    key = api_key if api_key is not None else find_api_key(library=lib.name)
    protect_key(key)
    local = lib.api is ApiKind.LOCAL
    budget = min(config.retry_budget, LOCAL_RETRY_BUDGET) if local else config.retry_budget
    return ZoteroClient(
        lib.base_url,
        "user" if lib.library_type == "user" else "group",
        lib.library_id,
        key,
        policy=policy or RetryPolicy(max_elapsed=budget),
        sleep=sleep,
        local=local,
        server_id=server_id,
        partition=lib.local_partition(server_id) if local and server_id else lib.partition,
        name=lib.name,
    )


def bind(client: ZoteroClient, db: StateDB, library: LibraryConfig) -> ZoteroClient:
    """For a desktop library: ask Zotero its server ID, check it against the one the
    library is bound to, and point the client at that server's partition."""
    if library.api is not ApiKind.LOCAL:
        return client
    server_id = checked_server(db, library, client.server_identity())
    client.server_id = server_id
    client.library = library.local_partition(server_id)
    client.close_readers()
    return client


@contextmanager
def open_session(
    config: Config,
    *,
    library: str | None = None,
    api_key: str | None = None,
    policy: RetryPolicy | None = None,
) -> Iterator[SyncSession]:
    lib = config.library_named(library)
    # Never beside the daemon or another sync: both would create the same items.
    with StateLock(config.state_path, Role.COMMAND):
        client = make_client(config, library=lib, api_key=api_key, policy=policy)
        try:
            with StateDB.open(config.state_path) as db:
                bind(client, db, lib)
                session = SyncSession(client, db, bundled_schema(), options_from(config))
                session.attachments = attachment_policy(config)
                yield session
        finally:
            client.close()
