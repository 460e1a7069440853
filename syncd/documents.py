"""Documents dropped into a watched folder, waiting for the export that names them.

With attachments on, a PDF (EPUB, HTML...) beside an export is an attachment of one
of its records (syncd/attachments/dropped.py), so the daemon leaves it in its folder
instead of failing it as an export. That wait is bounded by ``[daemon]
document_wait``: a document no synced export named within it is reported once (in
the log, and in ``syncd status`` until an export names it or it leaves the folder).

It stays in the folder even then. It is the researcher's file, not an export syncd
failed to read, and where it is an export that names it later still attaches it;
in ``failed/`` it would silently drop out of every later match.

Rows live in the state database (``inbox_document``), so the wait survives a
restart and ``syncd status``, another process, can list them.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from syncd import clock
from syncd.state import StateDB


@dataclass(frozen=True, slots=True)
class WaitingDocument:
    path: Path
    since: str  # when it was first seen (UTC, ISO 8601)
    unnamed_at: str | None  # when the wait ended with no export naming it


class WaitingDocuments:
    """The documents of one library's folders that no synced export has named yet."""

    def __init__(self, db: StateDB, library: str) -> None:
        self.db = db
        self.library = library

    def note(self, path: Path, folder: Path, at: float | None = None) -> bool:
        """Start the wait for ``path``; False when it already waits (or waited)."""
        with self.db.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO inbox_document (library, path, folder, seen_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (library, path) DO NOTHING",
                (self.library, str(path), str(folder), time.time() if at is None else at),
            )
            return cur.rowcount > 0

    def named(self, folder: Path, names: Iterable[str]) -> None:
        """An export synced from ``folder`` named these files (as it wrote them,
        relative to its folder or absolute): they wait no more."""
        paths = [str(folder / name) for name in names]
        if not paths:
            return
        with self.db.transaction() as conn:
            conn.executemany(
                "DELETE FROM inbox_document WHERE library = ? AND path = ?",
                [(self.library, p) for p in paths],
            )

    def expire(self, wait: float, at: float | None = None) -> list[Path]:
        """Documents that have waited ``wait`` seconds and are still in their folder:
        marked, and returned once. A document gone from its folder is forgotten."""
        cutoff = (time.time() if at is None else at) - wait
        rows = self.db.conn.execute(
            "SELECT path FROM inbox_document WHERE library = ? AND unnamed_at IS NULL "
            "AND seen_at <= ? ORDER BY seen_at",
            (self.library, cutoff),
        ).fetchall()
        if not rows:
            return []
        expired = [Path(p) for (p,) in rows]
        present = [p for p in expired if p.exists()]
        with self.db.transaction() as conn:
            conn.executemany(
                "DELETE FROM inbox_document WHERE library = ? AND path = ?",
                [(self.library, str(p)) for p in expired if p not in present],
            )
            conn.executemany(
                "UPDATE inbox_document SET unnamed_at = ? WHERE library = ? AND path = ?",
                [(clock.now(), self.library, str(p)) for p in present],
            )
        return present

    def forget_gone(self) -> None:
        """Documents no longer in their folder (moved, deleted) wait no more."""
        rows = self.db.conn.execute(
            "SELECT path FROM inbox_document WHERE library = ?", (self.library,)
        ).fetchall()
        gone = [(self.library, p) for (p,) in rows if not Path(p).exists()]
        if gone:
            with self.db.transaction() as conn:
                conn.executemany("DELETE FROM inbox_document WHERE library = ? AND path = ?", gone)

    def waiting(self) -> list[WaitingDocument]:
        rows = self.db.conn.execute(
            "SELECT path, seen_at, unnamed_at FROM inbox_document WHERE library = ? "
            "ORDER BY seen_at, path",
            (self.library,),
        ).fetchall()
        return [
            WaitingDocument(
                Path(p), datetime.fromtimestamp(seen, UTC).isoformat(timespec="seconds"), unnamed
            )
            for p, seen, unnamed in rows
        ]


def span(seconds: float) -> str:
    """A wait as a person says it: ``90 s``, ``15 min``, ``1 h``, ``2 days``."""
    if seconds < 120:
        return f"{seconds:g} s"
    if seconds < 7200:
        return f"{seconds / 60:g} min"
    if seconds < 172800:
        return f"{seconds / 3600:g} h"
    return f"{seconds / 86400:g} days"
