"""The daemon's inbox: files taken from watched folders, from arrival to their end.

A file goes ``queued`` -> ``syncing`` (-> ``waiting`` -> ``queued`` when it changed
after it was taken) -> ``synced`` (report stored in the database)
-> ``reported`` (report files written beside the chosen name in ``processed/``)
-> ``processed`` (the file itself moved there). A file that cannot be synced at all
goes ``failing`` (why, stored in the database) -> ``failed`` (moved to ``failed/``
with an ``.error.txt`` saying why and what to do); a file that vanished before it
was synced is ``failed`` at once. Each step is recorded before the next begins, so
after a crash :meth:`Inbox.recover` finishes whatever was half done and nothing is
lost or imported twice: re-syncing a file whose sync was cut short is safe because
the sync engine is exactly-once.

Before a file is synced, :meth:`Inbox.admit` checks that it is still there, within
the size limit, still the content that was taken, and not the same content as a
file already synced.

Input files are never changed or deleted: they are renamed into ``processed/`` or
``failed/`` beside the watched folder's files. The same content dropped again is
recognised by its SHA-256 and reported as a duplicate instead of being re-imported.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from syncd import clock, jsonio
from syncd.errors import InputError
from syncd.files import atomic_write, ensure_private_dir, file_sha256, fsync_dir, move_into
from syncd.reports import FileError, FileReport, write_error_file, write_report_files
from syncd.state import StateDB
from syncd.sync.outcome import RecordJson

log = logging.getLogger(__name__)

PROCESSED = "processed"
FAILED = "failed"


class FileStatus(StrEnum):
    QUEUED = "queued"
    SYNCING = "syncing"
    #: The file changed after it was taken; the watcher offers it again once it is
    #: complete, and it is then synced again whole (see ``enqueue``).
    WAITING = "waiting"
    SYNCED = "synced"
    REPORTED = "reported"
    PROCESSED = "processed"
    FAILING = "failing"
    FAILED = "failed"


#: Taken and not finished.
ACTIVE = (
    FileStatus.QUEUED,
    FileStatus.SYNCING,
    FileStatus.WAITING,
    FileStatus.SYNCED,
    FileStatus.REPORTED,
    FileStatus.FAILING,
)
_COLUMNS = "id, path, folder, sha256, status, attempts, dest, report"


@dataclass(frozen=True, slots=True)
class InboxFile:
    id: int
    path: Path
    folder: Path
    sha256: str
    status: FileStatus
    attempts: int
    dest: str | None
    # What was stored before the file moves: why it fails (failing, failed) or its
    # report (synced and on); None before (and for a file that vanished).
    report: FileReport | FileError | None


class Verdict(StrEnum):
    """What :meth:`Inbox.admit` found."""

    READY = "ready"  # ``content`` is the file as it was taken
    GONE = "gone"
    TOO_LARGE = "too large"  # ``size``
    UNREADABLE = "unreadable"  # ``why``
    CHANGED = "changed"  # not the content that was taken
    DUPLICATE = "duplicate"  # ``why``: the earlier file with this content


@dataclass(frozen=True, slots=True)
class Admission:
    verdict: Verdict
    content: bytes = b""
    size: int = 0
    why: str = ""


class Inbox:
    def __init__(self, db: StateDB, library: str) -> None:
        self.db = db
        self.library = library

    # -- arrival --------------------------------------------------------------------

    def enqueue(self, path: Path, folder: Path) -> InboxFile | None:
        """Record a complete file; None when it is already queued with this content.

        A file of that name still queued or waiting with other content changed
        after it was taken: that entry is kept (with what its earlier runs did)
        and takes the new content, to be synced again whole.
        """
        try:
            size = path.stat().st_size
            sha = file_sha256(path)
        except (OSError, InputError) as exc:
            log.warning(
                "%s: cannot read it to queue it (%s); will retry on the next scan", path, exc
            )
            return None
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT id, sha256, status FROM inbox_file WHERE library = ? AND path = ? "
                "AND status IN ('queued', 'syncing', 'waiting') ORDER BY id LIMIT 1",
                (self.library, str(path)),
            ).fetchone()
            if row and row[1] == sha and row[2] != "waiting":
                return None
            if row:
                conn.execute(
                    "UPDATE inbox_file SET sha256 = ?, size = ?, status = 'queued', next_try = 0 "
                    "WHERE id = ?",
                    (sha, size, row[0]),
                )
                log.info("%s: queued again, whole (%d bytes)", path, size)
                return self.get(int(row[0]))
            row = conn.execute(
                "SELECT id FROM inbox_file WHERE library = ? AND path = ? AND sha256 = ? "
                f"AND status IN ({','.join('?' * len(ACTIVE))})",
                (self.library, str(path), sha, *ACTIVE),
            ).fetchone()
            if row:
                return None
            cur = conn.execute(
                "INSERT INTO inbox_file (library, path, folder, sha256, size, status, arrived_at)"
                " VALUES (?, ?, ?, ?, ?, 'queued', ?)",
                (self.library, str(path), str(folder), sha, size, clock.now()),
            )
            file_id = int(cur.lastrowid or 0)
        log.info("%s: queued (%d bytes)", path, size)
        return self.get(file_id)

    def get(self, file_id: int) -> InboxFile:
        row = self.db.conn.execute(
            f"SELECT {_COLUMNS} FROM inbox_file WHERE id = ?", (file_id,)
        ).fetchone()
        return _row(row)

    def due(self, when: float | None = None) -> list[InboxFile]:
        """Files waiting for a sync, oldest arrival first. A postponed file holds back
        the files that arrived after it: synced later, an older export would undo the
        fields a newer one set."""
        at = time.time() if when is None else when
        rows = self.db.conn.execute(
            f"SELECT {_COLUMNS} FROM inbox_file "
            "WHERE library = ? AND status IN ('queued', 'syncing') AND next_try <= ? "
            "AND id < COALESCE((SELECT MIN(id) FROM inbox_file WHERE library = ? "
            "AND status IN ('queued', 'syncing') AND next_try > ?), 1e18) ORDER BY id",
            (self.library, at, self.library, at),
        ).fetchall()
        return [_row(r) for r in rows]

    def duplicate_of(self, entry: InboxFile) -> str | None:
        row = self.db.conn.execute(
            # Only a sync that went through counts: after failed or ambiguous
            # records the same file dropped again is how a user retries them.
            "SELECT path, finished_at FROM inbox_file WHERE library = ? AND sha256 = ? "
            "AND status = 'processed' AND id != ? "
            "AND json_extract(report, '$.summary.failed') = 0 "
            "AND COALESCE(json_extract(report, '$.summary.ambiguous'), 0) = 0 "
            "ORDER BY id LIMIT 1",
            (self.library, entry.sha256, entry.id),
        ).fetchone()
        return f"{row[0]} (synced {row[1]})" if row else None

    # -- admission ------------------------------------------------------------------

    def admit(self, entry: InboxFile, max_bytes: int) -> Admission:
        """Whether ``entry`` can be synced now; if so, its bytes as they were taken.

        The file is read once into memory (it is at most ``max_bytes``), and those
        bytes are what is checked and synced: a file that changes while it is read
        can then never be synced half.
        """
        try:
            size = entry.path.stat().st_size
        except OSError:
            return Admission(Verdict.GONE)
        if size > max_bytes:
            return Admission(Verdict.TOO_LARGE, size=size)
        try:
            content = entry.path.read_bytes()
        except FileNotFoundError:
            return Admission(Verdict.GONE)
        except OSError as exc:
            return Admission(Verdict.UNREADABLE, why=f"cannot read the file ({exc.strerror})")
        if hashlib.sha256(content).hexdigest() != entry.sha256:
            return Admission(Verdict.CHANGED)
        duplicate = self.duplicate_of(entry)
        if duplicate:
            return Admission(Verdict.DUPLICATE, why=duplicate)
        return Admission(Verdict.READY, content=content, size=size)

    # -- steps ------------------------------------------------------------------------

    def _set(self, file_id: int, **values: Any) -> None:
        cols = ", ".join(f"{k} = ?" for k in values)
        with self.db.transaction() as conn:
            conn.execute(f"UPDATE inbox_file SET {cols} WHERE id = ?", (*values.values(), file_id))

    def start(self, entry: InboxFile) -> None:
        self._set(entry.id, status=FileStatus.SYNCING, attempts=entry.attempts + 1)

    def postpone(self, entry: InboxFile, delay: float, why: str) -> None:
        self._set(entry.id, status=FileStatus.QUEUED, next_try=time.time() + delay, message=why)

    def wait_for_change(self, entry: InboxFile, why: str) -> None:
        """The file is not as it was taken: wait until the watcher offers it again."""
        self._set(entry.id, status=FileStatus.WAITING, message=why)

    def keep_outcomes(self, entry: InboxFile, records: Sequence[RecordJson]) -> None:
        """Remember what a run of this file wrote, for the file's final report."""
        with self.db.transaction() as conn:
            conn.executemany(
                "INSERT INTO inbox_outcome (file_id, key, outcome) VALUES (?, ?, ?) "
                "ON CONFLICT (file_id, key) DO UPDATE SET outcome = CASE "
                "WHEN json_extract(inbox_outcome.outcome, '$.result') = 'created' "
                "THEN inbox_outcome.outcome ELSE excluded.outcome END",
                [(entry.id, r["key"], jsonio.dumps_str(r)) for r in records],
            )

    def earlier_outcomes(self, entry: InboxFile) -> list[RecordJson]:
        rows = self.db.conn.execute(
            "SELECT outcome FROM inbox_outcome WHERE file_id = ? ORDER BY rowid", (entry.id,)
        ).fetchall()
        return [jsonio.loads(r[0]) for r in rows]

    def finish(self, entry: InboxFile, report: FileReport) -> Path:
        """Store the report, write it to processed/, move the file there."""
        self._set(entry.id, status=FileStatus.SYNCED, report=jsonio.dumps_str(report.as_json()))
        return self._deliver(self.get(entry.id))

    def fail(self, entry: InboxFile, why: str, what_to_do: str) -> Path:
        """The file cannot be synced at all: move it to failed/ with an error file."""
        error = FileError.of(entry.path, why, what_to_do)
        self._set(
            entry.id,
            status=FileStatus.FAILING,
            report=jsonio.dumps_str(error.as_json()),
            message=why,
        )
        return self._deliver(self.get(entry.id))

    def gone(self, entry: InboxFile) -> None:
        self._set(
            entry.id,
            status=FileStatus.FAILED,
            finished_at=clock.now(),
            message="the file disappeared before it could be synced",
        )

    def _deliver(self, entry: InboxFile) -> Path:
        """Write the stored report (or error) beside the file's name in processed/
        (or failed/), then move the file there; safe to do again after a crash."""
        report = entry.report
        # ``finish`` and ``fail`` store it with the status that leads here.
        assert report is not None, f"{entry.path}: {entry.status} without a report"
        failing = isinstance(report, FileError)
        target_dir = entry.folder / (FAILED if failing else PROCESSED)
        if entry.dest is None:
            ensure_private_dir(target_dir)
            dest = _free_name(target_dir, entry.path.name)
            self._set(entry.id, dest=str(dest))
        else:
            dest = Path(entry.dest)
        # ``atomic_write`` is looked up here, so tests can make the disk full.
        if isinstance(report, FileError):
            write_error_file(dest, report, write=atomic_write)
        else:
            write_report_files(dest, report, write=atomic_write)
            self._set(entry.id, status=FileStatus.REPORTED)
        dest = self._move(entry.path, dest, target_dir)
        final = FileStatus.FAILED if failing else FileStatus.PROCESSED
        self._set(entry.id, status=final, dest=str(dest), finished_at=clock.now())
        log.info("%s: %s -> %s", entry.path, final, dest)
        return dest

    @staticmethod
    def _move(path: Path, dest: Path, target_dir: Path) -> Path:
        """Move ``path`` to ``dest`` (or beside it, if somebody took the name meanwhile,
        with its reports); where it is now. Already moved: ``dest``."""
        if not path.exists():
            return dest
        moved = move_into(path, target_dir) if dest.exists() else _rename(path, dest)
        if moved != dest:
            # Somebody took the name meanwhile; keep the reports beside the file.
            for suffix in (".report.json", ".report.txt", ".error.txt"):
                old = Path(f"{dest}{suffix}")
                if old.exists():
                    old.rename(Path(f"{moved}{suffix}"))
        return moved

    def active(self) -> int:
        """Files taken and not finished (queued, being synced, waiting, delivering)."""
        (n,) = self.db.conn.execute(
            f"SELECT COUNT(*) FROM inbox_file WHERE library = ? AND status IN "
            f"({','.join('?' * len(ACTIVE))})",
            (self.library, *ACTIVE),
        ).fetchone()
        return int(n)

    # -- crash recovery ------------------------------------------------------------

    def recover(self) -> None:
        """Finish files a crash left between steps (their sync itself is redone)."""
        for entry in self._with_status(FileStatus.WAITING):
            if not entry.path.exists():
                self.gone(entry)
        for entry in self._with_status(FileStatus.SYNCED, FileStatus.REPORTED, FileStatus.FAILING):
            log.info("%s: finishing what an interrupted run left", entry.path)
            self._deliver(entry)

    def _with_status(self, *statuses: FileStatus) -> list[InboxFile]:
        rows = self.db.conn.execute(
            f"SELECT {_COLUMNS} FROM inbox_file WHERE library = ? "
            f"AND status IN ({','.join('?' * len(statuses))}) ORDER BY id",
            (self.library, *statuses),
        ).fetchall()
        return [_row(r) for r in rows]

    # -- status ---------------------------------------------------------------------

    def counts_since(self, since: str) -> dict[str, int]:
        rows = self.db.conn.execute(
            "SELECT status, COUNT(*) FROM inbox_file WHERE library = ? AND "
            f"(finished_at >= ? OR status IN ({','.join('?' * len(ACTIVE))})) "
            "GROUP BY status",
            (self.library, since, *ACTIVE),
        ).fetchall()
        return {status: int(n) for status, n in rows}

    def failed_since(self, since: str) -> list[tuple[str, str]]:
        """Files that ended in failed/ (or vanished) since ``since``: (path, why)."""
        rows = self.db.conn.execute(
            "SELECT path, COALESCE(message, '') FROM inbox_file WHERE library = ? "
            "AND status = 'failed' AND finished_at >= ? ORDER BY id",
            (self.library, since),
        ).fetchall()
        return [(str(p), str(m)) for p, m in rows]

    def refused_since(self, since: str) -> list[dict[str, Any]]:
        """Records that failed in files processed since ``since``, from their reports."""
        rows = self.db.conn.execute(
            "SELECT f.path, r.value FROM inbox_file f, json_each(f.report, '$.records') r "
            "WHERE f.library = ? AND f.status = 'processed' AND f.finished_at >= ? "
            "AND json_extract(r.value, '$.result') = 'failed' ORDER BY f.id",
            (self.library, since),
        ).fetchall()
        out = []
        for path, value in rows:
            rec = jsonio.loads(value)
            src = rec["sources"][0] if rec.get("sources") else {"file": path, "line": None}
            out.append({"file": src["file"], "line": src["line"], **rec})
        return out


def _row(row: Sequence[Any]) -> InboxFile:
    status = FileStatus(row[4])
    report: FileReport | FileError | None = None
    if row[7]:
        # The status says which it is (migration 10 gave old rows theirs).
        failed = status in (FileStatus.FAILING, FileStatus.FAILED)
        stored = jsonio.loads(row[7])
        report = FileError.from_json(stored) if failed else FileReport.from_json(stored)
    return InboxFile(
        id=int(row[0]),
        path=Path(row[1]),
        folder=Path(row[2]),
        sha256=str(row[3]),
        status=status,
        attempts=int(row[5]),
        dest=row[6],
        report=report,
    )


def _free_name(directory: Path, name: str) -> Path:
    stem, dot, suffix = name.partition(".")
    n = 0
    while True:
        candidate = directory / (name if n == 0 else f"{stem}-{n}{dot}{suffix}")
        if not any(Path(f"{candidate}{s}").exists() for s in ("", ".report.json", ".error.txt")):
            return candidate
        n += 1


def _rename(src: Path, dest: Path) -> Path:
    try:
        os.rename(src, dest)
    except OSError:
        # Another filesystem (or a race on the name): the careful copying move.
        return move_into(src, dest.parent)
    fsync_dir(dest.parent)
    fsync_dir(src.parent)
    return dest
