"""What ``syncd status`` shows, and the values the daemon keeps for it.

The daemon writes its own status (``started_at``, ``heartbeat``, ``last_error``...)
into ``daemon_status``; the files come from the inbox (syncd/inbox.py), the mirror
from the state database, whether a daemon runs from its lock (syncd/lock.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from syncd.clock import midnight
from syncd.documents import WaitingDocuments
from syncd.inbox import ACTIVE, FileStatus, Inbox
from syncd.lock import Role, holder
from syncd.state import StateDB


def set_status(db: StateDB, **values: str) -> None:
    with db.transaction() as conn:
        conn.executemany(
            "INSERT INTO daemon_status (name, value) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            list(values.items()),
        )


def daemon_state(state_path: Path) -> dict[str, Any]:
    """Whether a daemon runs on this state database: its lock (lock.py) says."""
    who = holder(state_path)
    if who is None:
        return {"daemon_running": False, "daemon_pid": None}
    if who.role is Role.COMMAND:
        return {"daemon_running": False, "daemon_pid": None, "command_pid": who.pid}
    return {"daemon_running": True, "daemon_pid": who.pid or None}


def pending(counts: dict[str, int]) -> int:
    """Files taken and not finished, from ``Inbox.counts_since``."""
    return sum(counts.get(s, 0) for s in ACTIVE)


def status_of(
    db: StateDB,
    library: str,
    state_path: Path | None = None,
    *,
    inbox_library: str | None = None,
) -> dict[str, Any]:
    """What ``syncd status`` shows; ``library`` keys the mirror, ``inbox_library``
    (default: the same) the files (they differ for a desktop library)."""
    values = dict(db.conn.execute("SELECT name, value FROM daemon_status").fetchall())
    mirror = db.mirror_status(library)
    since = midnight()
    inbox = Inbox(db, inbox_library or library)
    counts = inbox.counts_since(since)
    (items,) = db.conn.execute(
        # What a user counts as items: not notes or attachments, not in the trash.
        "SELECT COUNT(*) FROM mirror_item WHERE library = ? AND parent_key IS NULL "
        "AND trashed = 0 AND item_type NOT IN ('note', 'attachment', 'annotation')",
        (library,),
    ).fetchone()
    return {
        "library": library,
        **(daemon_state(state_path) if state_path is not None else {}),
        "mirror_version": mirror.version if mirror else None,
        # Every sync refreshes the mirror, not only the daemon's timer.
        "last_mirror_refresh": mirror.refreshed_at.isoformat(timespec="seconds")
        if mirror
        else values.get("last_refresh"),
        "mirror_items": int(items) if mirror else None,
        "daemon_started_at": values.get("started_at"),
        "daemon_heartbeat": values.get("heartbeat"),
        "files_pending": pending(counts),
        "files_processed_today": counts.get(FileStatus.PROCESSED, 0),
        "files_failed_today": counts.get(FileStatus.FAILED, 0),
        "failed_files_today": [{"file": f, "why": why} for f, why in inbox.failed_since(since)],
        "refused_records_today": [
            {
                "file": r["file"],
                "line": r["line"],
                "title": r.get("title", ""),
                "message": r.get("message", ""),
            }
            for r in inbox.refused_since(since)
        ],
        # Documents dropped for an export that names them (syncd/documents.py);
        # ``unnamed_at``: the wait ended and no export named it.
        "documents_waiting": [
            {"file": str(d.path), "since": d.since, "unnamed_at": d.unnamed_at}
            for d in WaitingDocuments(db, inbox_library or library).waiting()
        ],
        "last_error": values.get("last_error") or None,
    }
