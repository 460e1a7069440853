"""Keeps the state database's copy of a Zotero library current.

The Web API cannot search by DOI or other identifiers (``q`` covers title, creator
and year only), and a search per record would not scale, so syncd matches records
against this local mirror instead.

* First refresh: page through every item (100 a page, up to 4 requests in flight).
* Later refreshes: ``format=versions&since=V`` for what changed, those items by
  ``itemKey`` (50 a request, skipping any the mirror already holds at that version),
  and ``/deleted?since=V`` for deletions; when the library version has not moved at
  all, the first request says so and nothing else is asked.

Everything is mirrored, notes, attachments and trashed items included: the mirror is
then exactly the library, which is easy to check, and the sync engine needs the
children it wrote. Only regular items are put in the identifier index.

Zotero desktop's local API has no ``/deleted``: there each pass asks for the whole
key list with versions (one unpaginated request, cheap on the loopback) and takes the
keys it lacks as deleted.

Consistency: the library version stored is the one reported by the *first* request
of a pass, and only once the pass has been written. Anything that changed after it
is therefore seen again by the next ``since``, so an interrupted or overlapped pass
costs a redo, never a wrong mirror. If the library moved during a pass, another
incremental pass follows at once (bounded) so the mirror ends current. A full load
whose pages saw different library versions may have missed items that shifted
between pages; it is reconciled against the complete key/version list.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from syncd.core.match import NEVER_MATCHED_TYPES, MirrorItem, id_pairs
from syncd.identifiers import identifiers_from_item
from syncd.state import StateDB
from syncd.zotero.client import ZoteroClient

log = logging.getLogger(__name__)

Json = dict[str, Any]


@dataclass(frozen=True)
class RefreshStats:
    """What one ``refresh_mirror`` did."""

    library: str
    mode: Literal["full", "incremental"]
    requests: int  # HTTP responses, retried attempts included
    changed: int  # items written into the mirror
    deleted: int  # keys removed from the mirror
    passes: int
    version: int  # library version the mirror is now complete up to
    items: int  # items in the mirror afterwards


def mirror_item(obj: Mapping[str, Any]) -> MirrorItem:
    """A mirror row from an item as the API returns it (full object or bare ``data``)."""
    data = dict(obj.get("data", obj))
    item_type = str(data.get("itemType", ""))
    pairs: tuple[tuple[str, str], ...] = ()
    if item_type not in NEVER_MATCHED_TYPES:
        pairs = tuple(dict.fromkeys(id_pairs(identifiers_from_item(data), item_type)))
    return MirrorItem(
        key=str(obj.get("key") or data["key"]),
        version=int(obj.get("version", data.get("version", 0))),
        item_type=item_type,
        data=data,
        trashed=bool(data.get("deleted")),
        parent_key=data.get("parentItem") or None,
        identifiers=pairs,
    )


def refresh_mirror(
    client: ZoteroClient,
    state: StateDB,
    library: str | None = None,
    *,
    concurrency: int = 4,
    max_passes: int = 3,
    full: bool = False,
    loaded: Callable[[list[MirrorItem]], None] | None = None,
    each_page: Callable[[list[MirrorItem]], None] | None = None,
) -> RefreshStats:
    """Bring the mirror of ``library`` (default: the client's) up to date.

    ``full`` forces a complete reload. A library whose version went *down* (a
    different or restored library behind the same id) is reloaded in full too.
    After a full load, ``loaded`` is given every item now in the mirror (what
    ``StateDB.mirror_items`` would decode again); ``each_page`` is given each page's
    rows of a full load as they arrive, while the next pages are in flight (the
    rows of a load redone after reconciling are given only to ``loaded``).
    """
    library = library or client.library
    if library != client.library:
        raise ValueError(f"client is for {client.library}, not {library}")
    before = client.responses_received
    # Test doubles of the client lack the attribute; see ZoteroClient.versionless.
    full = full or getattr(client, "versionless", False)
    since = None if full else state.mirror_library_version(library)
    changed = deleted = passes = 0
    mode: Literal["full", "incremental"] = "incremental"

    if since is not None:
        passes, changed, deleted, version, reset = _incremental(
            client, state, library, since, concurrency, max_passes
        )
        if reset:
            log.warning(
                "%s: library version went back from %d to %d; reloading the mirror",
                library,
                since,
                version,
            )
            since = None
    if since is None:
        mode = "full"
        rows, deleted, version = _full(client, state, library, concurrency, each_page)
        changed = len(rows)
        passes += 1
        if loaded is not None:
            loaded(list(rows.values()))

    stats = RefreshStats(
        library=library,
        mode=mode,
        requests=client.responses_received - before,
        changed=changed,
        deleted=deleted,
        passes=passes,
        version=version,
        items=state.mirror_count(library),
    )
    log.info(
        "%s mirror: %s refresh to version %d, %d changed, %d deleted, %d requests",
        library,
        mode,
        stats.version,
        changed,
        deleted,
        stats.requests,
    )
    return stats


def _full(
    client: ZoteroClient,
    state: StateDB,
    library: str,
    concurrency: int,
    each_page: Callable[[list[MirrorItem]], None] | None = None,
) -> tuple[dict[str, MirrorItem], int, int]:
    """Load every item; the mirror rows are made and written page by page as the
    pages arrive, so that work waits on the network instead of following it."""
    held = set(state.mirror_versions(library))
    rows: dict[str, MirrorItem] = {}
    with state.replacing_mirror(library) as mirror:

        def take(page: list[Json]) -> None:
            made = [mirror_item(obj) for obj in page]
            mirror.add(made)
            rows.update((row.key, row) for row in made)
            if each_page is not None:
                each_page(made)

        snapshot = client.fetch_all_items(concurrency=concurrency, each_page=take)
        version = snapshot.version
        if not snapshot.consistent:
            log.info("%s changed while it was being read; reconciling", library)
            items, version = _reconcile(
                client, {str(obj["key"]): obj for obj in snapshot.items}, concurrency
            )
            rows = {key: mirror_item(obj) for key, obj in items.items()}
            mirror.clear()
            mirror.add(list(rows.values()))
        mirror.set_version(version)
    return rows, len(held - set(rows)), version


def _reconcile(
    client: ZoteroClient, items: dict[str, Json], concurrency: int
) -> tuple[dict[str, Json], int]:
    """Fix a full load that overlapped writes, using the complete key/version list."""
    versions, version = client.item_versions(None)
    stale = [k for k, v in versions.items() if k not in items or int(items[k]["version"]) != v]
    stale_set = set(stale)
    fixed = {k: items[k] for k in versions if k in items and k not in stale_set}
    # Keys asked for but not returned were deleted meanwhile; dropping them is right.
    fixed.update({str(o["key"]): o for o in client.items_by_keys(stale, concurrency=concurrency)})
    return fixed, version


def _incremental(
    client: ZoteroClient,
    state: StateDB,
    library: str,
    since: int,
    concurrency: int,
    max_passes: int,
) -> tuple[int, int, int, int, bool]:
    """Passes of since-based refresh; returns passes, changed, deleted, version, reset."""
    changed = deleted = passes = 0
    version = since
    while passes < max(1, max_passes):
        passes += 1
        # The desktop: the whole list, which shows deletions as keys it lacks.
        local = getattr(client, "local", False)  # test doubles of the client lack it
        versions, version = client.item_versions(None if local else since)
        if version < since:
            return passes, changed, deleted, version, True
        if version == since:
            # Every write, deletions included, raises the library version.
            break
        held = state.mirror_versions(library)
        wanted = [k for k, v in versions.items() if held.get(k) != v]
        fetched = client.items_by_keys(wanted, concurrency=concurrency)
        if local:
            gone_items, deleted_seen_at = [k for k in held if k not in versions], version
        else:
            gone, deleted_seen_at = client.deleted_with_version(since)
            gone_items = [k for k in gone.get("items", []) if k in held or k in versions]
        changed += state.apply_mirror_changes(
            library, (mirror_item(o) for o in fetched), gone_items, version
        )
        deleted += len(set(gone_items) & set(held))
        moved = deleted_seen_at != version or any(int(o["version"]) > version for o in fetched)
        if not moved:
            break
        log.info("%s changed during the refresh; running another pass", library)
        since = version
    return passes, changed, deleted, version, False


def refresh_items(
    client: ZoteroClient, state: StateDB, library: str, keys: Iterable[str]
) -> list[Json]:
    """Re-read these items (e.g. after a 412) into the mirror and return them.

    Keys the server no longer has are removed from the mirror. The library
    version is left alone: other items may still be behind.
    """
    wanted = list(dict.fromkeys(keys))
    fetched = client.items_by_keys(wanted)
    found = {str(o["key"]) for o in fetched}
    state.apply_mirror_changes(
        library, (mirror_item(o) for o in fetched), [k for k in wanted if k not in found], None
    )
    return fetched


def remember_items(state: StateDB, library: str, objects: Sequence[Mapping[str, Any]]) -> None:
    """Put items the API just returned (e.g. ``WriteResult.successful``) into the mirror."""
    state.apply_mirror_changes(library, (mirror_item(o) for o in objects), [], None)
