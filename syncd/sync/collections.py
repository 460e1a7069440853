"""The collections a watched folder asks for, found or created exactly once.

A path (``Imports/Scopus``) is resolved against the library's collections, listed
once per sync: a collection the user deleted or trashed since syncd made it is made
again, not written to (the server would refuse every item). A collection to create
is written ahead as the items are (:mod:`syncd.sync.engine`): its write token is
stored in ``sync_collections`` before the request, so a resend after a crash or a
lost answer carries the same token and the server recognises it.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from typing import Any, Protocol

from syncd.errors import SyncdError
from syncd.state import StateDB
from syncd.sync import store

log = logging.getLogger(__name__)

Json = dict[str, Any]


class CollectionsClient(Protocol):
    """The part of the API client collections need."""

    def collections(self) -> list[Json]: ...

    def create_collection(
        self, name: str, parent_key: str | None = None, *, write_token: str
    ) -> Json: ...


def resolve_collections(
    client: CollectionsClient,
    db: StateDB,
    library: str,
    paths: Sequence[str],
    *,
    create: bool,
) -> dict[str, str]:
    """Collection keys for each path (``A/B/C``), creating what is missing once.

    Without ``create`` (planning), a missing collection maps to a placeholder that
    names it, so the plan can show it.
    """
    found: dict[str, str] = {}
    if not paths:
        return found
    listing = client.collections()
    alive = {str(c["key"]) for c in listing if not c["data"].get("deleted")}
    for path in dict.fromkeys(paths):
        known = store.collection_key(db, library, path)
        if known and known[1] and known[0] in alive:
            found[path] = known[0]
            continue
        found[path] = _collection_path(client, db, library, path, listing, create=create)
    return found


def _collection_path(
    client: CollectionsClient,
    db: StateDB,
    library: str,
    path: str,
    listing: list[Json],
    *,
    create: bool,
) -> str:
    parent: str | None = None
    so_far = ""
    for name in [p.strip() for p in path.split("/") if p.strip()]:
        so_far = f"{so_far}/{name}" if so_far else name
        match = [
            c
            for c in listing
            if c["data"].get("name") == name
            and (c["data"].get("parentCollection") or None) == parent
            and not c["data"].get("deleted")
        ]
        if match:
            parent = str(sorted(m["key"] for m in match)[0])
            continue
        if not create:
            return f"(new collection {path})"
        # The write token is stored first: a resend after a crash is recognised.
        known = store.collection_key(db, library, so_far)
        token = known[0] if known and not known[1] else "syncd" + secrets.token_hex(12)
        store.record_collection(db, library, so_far, token, confirmed=False)
        created = client.create_collection(name, parent, write_token=token)
        listing.append(created)
        parent = str(created["key"])
        store.record_collection(db, library, so_far, parent, confirmed=True)
        log.info("created collection %s (%s)", so_far, parent)
    if parent is None:
        raise SyncdError(f"the collection path {path!r} names no collection")
    store.record_collection(db, library, path, parent, confirmed=True)
    return parent
