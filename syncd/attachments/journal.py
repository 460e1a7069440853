"""The ``sync_attachments`` rows: each attachment syncd makes, from before its first
request to its file registered.

Stages: ``intent`` (key and md5/URL chosen, nothing sent yet, or the create's answer
lost), ``created`` (the attachment item exists), ``done`` (the file is registered, or
the link made). A row is keyed by parent and fingerprint, so the same file for the
same item always resumes the same attachment key. Rows are never deleted: an
attachment the user removed later is not made again. Table: migration 6 in
:mod:`syncd.state`; every write commits before the request it guards.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from syncd.state import StateDB


class Stage(StrEnum):
    INTENT = "intent"
    CREATED = "created"
    DONE = "done"


class LinkMode(StrEnum):
    IMPORTED_FILE = "imported_file"
    LINKED_URL = "linked_url"


@dataclass(frozen=True, slots=True)
class Entry:
    key: str
    parent_key: str
    link_mode: LinkMode
    fingerprint: str
    name: str
    size: int | None
    stage: Stage


def find(db: StateDB, library: str, parent_key: str, fingerprint: str) -> Entry | None:
    row = db.conn.execute(
        "SELECT key, parent_key, link_mode, fingerprint, name, size, stage "
        "FROM sync_attachments WHERE library = ? AND parent_key = ? AND fingerprint = ?",
        (library, parent_key, fingerprint),
    ).fetchone()
    if row is None:
        return None
    return Entry(row[0], row[1], LinkMode(row[2]), row[3], row[4], row[5], Stage(row[6]))


def begin(db: StateDB, library: str, entry: Entry) -> None:
    """Write-ahead: the key is durable before any request carries it."""
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO sync_attachments "
            "(library, key, parent_key, link_mode, fingerprint, name, size, stage) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                library,
                entry.key,
                entry.parent_key,
                entry.link_mode.value,
                entry.fingerprint,
                entry.name,
                entry.size,
                entry.stage.value,
            ),
        )


def advance(db: StateDB, library: str, key: str, stage: Stage) -> None:
    with db.transaction() as conn:
        conn.execute(
            "UPDATE sync_attachments SET stage = ?, "
            "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE library = ? AND key = ?",
            (stage.value, library, key),
        )
