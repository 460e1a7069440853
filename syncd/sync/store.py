"""What syncd remembers of its own writes, in the state database.

- ``sync_links``: record identity (``doi:…``, ``scopus_eid:…``, ``fp:…``) -> item key.
- ``sync_items``: per item syncd wrote or linked, its provenance (``base``: what
  syncd wrote to each field and from which source, see syncd/core/provenance.py)
  and whether its create is confirmed. A row with ``confirmed = 0`` is written
  *before* the create is sent, so a crash or a lost response leaves the chosen key
  behind and the next run resends the same key instead of creating a duplicate.
  ``settled`` marks the item version and input of the last merge that found
  nothing to do (syncd/core/plan.py ``settled_mark``); writing ``base`` clears it.
- ``sync_notes``: child notes syncd created, by parent, content digest and slot
  (which note of its record it is), with the same write-ahead confirmation.
- ``sync_collections``: collection paths resolved or created, with their keys.
- ``sync_refused``: writes the server refused for their content (400, 413), by a
  fingerprint of what was sent, with the server's reason: the same content is not
  sent again (it would be refused again, on every run), a changed record is.

The tables are created by migrations 2, 5 and 10 in :mod:`syncd.state`. Every writing
function commits its own transaction (synchronous=FULL), so the row
is durable before the caller sends the request it guards.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from syncd import jsonio
from syncd.core.plan import Link
from syncd.core.provenance import WrittenNote
from syncd.state import StateDB


@dataclass(frozen=True, slots=True)
class PendingNote:
    note_key: str
    parent_key: str
    digest: str
    slot: str | None = None


def _written_notes(db: StateDB, library: str) -> dict[str, tuple[WrittenNote, ...]]:
    notes: dict[str, list[WrittenNote]] = {}
    rows = db.conn.execute(
        "SELECT parent_key, note_key, digest, slot, confirmed FROM sync_notes "
        "WHERE library = ? ORDER BY parent_key, note_key",
        (library,),
    )
    for parent, key, digest, slot, confirmed in rows:
        notes.setdefault(parent, []).append(WrittenNote(key, digest, slot, bool(confirmed)))
    return {parent: tuple(found) for parent, found in notes.items()}


class StoredBase(Mapping[str, Any]):
    """An item's provenance as the database holds it, decoded on first use.

    An unchanged re-sync follows thousands of links whose merge it skips
    (``Link.settled``); decoding every base up front was a third of its time.
    """

    __slots__ = ("_text", "_value")

    def __init__(self, text: str) -> None:
        self._text = text
        self._value: dict[str, Any] | None = None

    def decoded(self) -> dict[str, Any]:
        if self._value is None:
            self._value = dict(jsonio.loads(self._text))
        return self._value

    def __getitem__(self, name: str) -> Any:
        return self.decoded()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.decoded())

    def __len__(self) -> int:
        return len(self.decoded())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, StoredBase):
            return self._text == other._text or self.decoded() == other.decoded()
        return self.decoded() == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"StoredBase({self._text!r})"


def load_links(db: StateDB, library: str) -> dict[str, Link]:
    notes = _written_notes(db, library)
    # Two queries, not one join: a record has several identities (DOI, EID, PMID...)
    # linked to one item, and the join carried each item's base (kilobytes of JSON)
    # once per identity; each item's Link is made once and shared.
    by_key = {
        key: Link(
            key, StoredBase(base), bool(confirmed), bool(created), notes.get(key, ()), settled
        )
        for key, base, confirmed, created, settled in db.conn.execute(
            "SELECT key, base, confirmed, created_by_syncd, settled FROM sync_items "
            "WHERE library = ?",
            (library,),
        )
    }
    links: dict[str, Link] = {}
    for identity, key in db.conn.execute(
        "SELECT identity, key FROM sync_links WHERE library = ?", (library,)
    ):
        link = by_key.get(key)
        if link is not None:
            links[identity] = link
    return links


def record_intent(
    db: StateDB,
    library: str,
    key: str,
    identities: Iterable[str],
    base: Mapping[str, Any],
    *,
    confirmed: bool,
    created_by_syncd: bool,
) -> None:
    """Remember that ``key`` stands for these identities, with this base."""
    with db.transaction() as conn:
        _upsert_item(conn, library, key, base, confirmed, created_by_syncd)
        conn.executemany(
            "INSERT INTO sync_links (library, identity, key) VALUES (?, ?, ?) "
            "ON CONFLICT (library, identity) DO UPDATE SET key = excluded.key",
            [(library, identity, key) for identity in identities],
        )


def record_intents(
    db: StateDB,
    library: str,
    entries: Iterable[tuple[str, Iterable[str], Mapping[str, Any]]],
    notes: Iterable[PendingNote] = (),
    *,
    confirmed: bool,
    created_by_syncd: bool,
) -> None:
    """Many :func:`record_intent` calls (and pending notes) in one transaction."""
    with db.transaction() as conn:
        for key, identities, base in entries:
            _upsert_item(conn, library, key, base, confirmed, created_by_syncd)
            conn.executemany(
                "INSERT INTO sync_links (library, identity, key) VALUES (?, ?, ?) "
                "ON CONFLICT (library, identity) DO UPDATE SET key = excluded.key",
                [(library, identity, key) for identity in identities],
            )
        conn.executemany(
            "INSERT OR IGNORE INTO sync_notes "
            "(library, note_key, parent_key, digest, slot, confirmed) VALUES (?, ?, ?, ?, ?, 0)",
            [(library, n.note_key, n.parent_key, n.digest, n.slot) for n in notes],
        )


def _upsert_item(
    conn: sqlite3.Connection,
    library: str,
    key: str,
    base: Mapping[str, Any],
    confirmed: bool,
    created_by_syncd: bool,
) -> None:
    # A new base clears the item's settled mark: the mark holds for the base it was
    # computed with (settle_items sets it again after this, where it still holds).
    stored = base.decoded() if isinstance(base, StoredBase) else base
    conn.execute(
        "INSERT INTO sync_items (library, key, base, confirmed, created_by_syncd) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (library, key) DO UPDATE SET base = excluded.base, "
        "confirmed = MAX(sync_items.confirmed, excluded.confirmed), settled = NULL, "
        "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
        (
            library,
            key,
            jsonio.dumps_str(stored, sort_keys=True),
            int(confirmed),
            int(created_by_syncd),
        ),
    )


def settle_items(db: StateDB, library: str, marks: Iterable[tuple[str, str]]) -> None:
    """Mark items (key, mark) whose merge found nothing to do (``Link.settled``)."""
    with db.transaction() as conn:
        conn.executemany(
            "UPDATE sync_items SET settled = ? WHERE library = ? AND key = ?",
            [(mark, library, key) for key, mark in marks],
        )


def replace_notes(db: StateDB, library: str, replaced: Iterable[tuple[str, str]]) -> None:
    """Notes replaced in place landed: (note key, digest of the new text)."""
    with db.transaction() as conn:
        conn.executemany(
            "UPDATE sync_notes SET digest = ?, confirmed = 1 WHERE library = ? AND note_key = ?",
            [(digest, library, key) for key, digest in replaced],
        )


def confirm_items(db: StateDB, library: str, keys: Iterable[str]) -> None:
    with db.transaction() as conn:
        conn.executemany(
            "UPDATE sync_items SET confirmed = 1 WHERE library = ? AND key = ?",
            [(library, k) for k in keys],
        )
        conn.executemany(
            "UPDATE sync_notes SET confirmed = 1 WHERE library = ? AND note_key = ?",
            [(library, k) for k in keys],
        )


def forget_items(db: StateDB, library: str, keys: Iterable[str]) -> None:
    """Drop links of creates the server refused, so the next run plans them afresh."""
    keys = list(keys)
    with db.transaction() as conn:
        for table, column in (("sync_links", "key"), ("sync_items", "key")):
            conn.executemany(
                f"DELETE FROM {table} WHERE library = ? AND {column} = ?",
                [(library, k) for k in keys],
            )
        conn.executemany(
            "DELETE FROM sync_notes WHERE library = ? AND (note_key = ? OR parent_key = ?)",
            [(library, k, k) for k in keys],
        )


def notes_of(db: StateDB, library: str, parent_key: str) -> dict[str, tuple[str, bool]]:
    """Child notes syncd sent for ``parent_key``: content digest -> (note key, confirmed).

    A confirmed note is in Zotero; an unconfirmed one may be, so a resend must reuse
    its key.
    """
    rows = db.conn.execute(
        "SELECT digest, note_key, confirmed FROM sync_notes WHERE library = ? AND parent_key = ?",
        (library, parent_key),
    )
    return {digest: (key, bool(confirmed)) for digest, key, confirmed in rows}


def collection_key(db: StateDB, library: str, path: str) -> tuple[str, bool] | None:
    row = db.conn.execute(
        "SELECT key, confirmed FROM sync_collections WHERE library = ? AND path = ?",
        (library, path),
    ).fetchone()
    return (row[0], bool(row[1])) if row else None


def record_collection(db: StateDB, library: str, path: str, key: str, *, confirmed: bool) -> None:
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO sync_collections (library, path, key, confirmed) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (library, path) DO UPDATE SET key = excluded.key, "
            "confirmed = excluded.confirmed",
            (library, path, key, int(confirmed)),
        )


@dataclass(frozen=True, slots=True)
class Refusal:
    fingerprint: str
    title: str
    source: str  # file:line
    reason: str


def any_refusals(db: StateDB, library: str) -> bool:
    """Whether any write was refused for its content (mostly not: then no write is
    fingerprinted at all)."""
    row = db.conn.execute("SELECT 1 FROM sync_refused WHERE library = ? LIMIT 1", (library,))
    return row.fetchone() is not None


def refusals(db: StateDB, library: str, fingerprints: Iterable[str]) -> dict[str, str]:
    """Of ``fingerprints``, those refused before: fingerprint -> the server's reason."""
    wanted = list(dict.fromkeys(fingerprints))
    found: dict[str, str] = {}
    for i in range(0, len(wanted), 500):  # below SQLite's bound-parameter limit
        chunk = wanted[i : i + 500]
        marks = ",".join("?" * len(chunk))
        rows = db.conn.execute(
            f"SELECT fingerprint, reason FROM sync_refused WHERE library = ? "
            f"AND fingerprint IN ({marks})",
            (library, *chunk),
        )
        found.update(dict(rows.fetchall()))
    return found


def record_refusals(db: StateDB, library: str, refused: Iterable[Refusal]) -> None:
    with db.transaction() as conn:
        conn.executemany(
            "INSERT INTO sync_refused (library, fingerprint, title, source, reason) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (library, fingerprint) DO UPDATE SET "
            "reason = excluded.reason",
            [(library, r.fingerprint, r.title, r.source, r.reason) for r in refused],
        )
