"""The daemon: watch folders, sync complete files one at a time, survive everything.

All work happens in one thread, the main loop, so the API client and the state
database are never used concurrently. The watcher's inotify thread only records
events; apscheduler only raises flags (rescan the folders because events can be
missed; refresh the mirror so the user's edits in Zotero are seen); the loop acts
on them. Signals do the same: SIGTERM/SIGINT stop after the batch in flight (the
engine checks between batches), SIGHUP reloads the configuration.

Under systemd (``Type=notify``) the loop sends READY once it is watching, STATUS
with counts, WATCHDOG pings every tick, and STOPPING on the way out.

``once`` (``syncd run --once``, for timers and cron) runs the same loop until every
file that was in the folders is dealt with, then exits with the command line's
codes: 0, 1 when a file or record failed, 75 when the API stayed unavailable.

A file is read once into memory (it is at most ``max_file_mb``), and those bytes
are what is hashed and synced: a file that changes while it is read can then never
be synced half. If the bytes differ from what the watcher declared complete, or
the file changed while it was synced, it waits for the watcher to offer it again
and is synced again whole; its final report covers all its runs (reports.py).

Each ``[[watch]]`` feeds one library (``library = NAME``); the daemon keeps one
target per library in use, each with its own client, session and inbox partition.
A Zotero desktop library that cannot be written now (Zotero closed, its local API
off, its key spent or revoked, another server ID) holds only its own files: they
stay queued, the reason is logged once and kept in the status, and the daemon asks
Zotero again every few seconds, resuming by itself. In ``once`` mode that is exit
75 (or 2 for a key or server problem), as for the Web API.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import math
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler

from syncd.app import attachment_policy, bind, make_client, options_from
from syncd.attachments.dropped import DOC_EXTENSIONS
from syncd.config import ApiKind, Config, LibraryConfig, WatchConfig, load_config
from syncd.errors import (
    ApiUnavailableError,
    ConfigError,
    CredentialError,
    DesktopUnreachableError,
    InputError,
    Interrupted,
    LocalKeyRefusedError,
    ServerChangedError,
    StateError,
    SyncdError,
)
from syncd.files import file_sha256
from syncd.inbox import ACTIVE, Inbox, InboxFile
from syncd.lock import Role, StateLock, holder
from syncd.notify import Notifier
from syncd.reports import merge_runs, report_document, writing_outcomes
from syncd.schema import bundled_schema
from syncd.state import StateDB
from syncd.sync.session import SyncInput, SyncSession
from syncd.watch import FolderWatcher
from syncd.zotero.retry import RetryPolicy

log = logging.getLogger(__name__)

TICK = 0.25
MAX_ATTEMPTS = 8
EXIT_OK, EXIT_FAILED, EXIT_UNAVAILABLE = 0, 1, 75
NOT_READ = (
    "syncd reads RIS exports (lines like TY  - JOUR ... ER  -), whatever the file's "
    "extension; export the references as RIS and drop the new file into the folder"
)


RETRY_MAX = 3600.0
DESKTOP_POLL = 2.0  # how often a waiting desktop library asks Zotero again
#: What a desktop library's files wait on (the Web API's equivalents end a run).
DESKTOP_WAITS = (DesktopUnreachableError, LocalKeyRefusedError, ServerChangedError)


@dataclass
class _Target:
    """One library the daemon writes to, and the inbox of the folders feeding it."""

    library: LibraryConfig
    inbox: Inbox
    session: SyncSession | None = None
    next_connect: float = 0.0
    problem: str | None = None

    @property
    def local(self) -> bool:
        return self.library.api is ApiKind.LOCAL

    def disconnect(self) -> None:
        if self.session is not None:
            self.session.client.close()
            self.session = None


@dataclass
class _Flags:
    stop: threading.Event = field(default_factory=threading.Event)
    reload: bool = False
    rescan: bool = False
    refresh: bool = False


def set_status(db: StateDB, **values: str) -> None:
    with db.transaction() as conn:
        conn.executemany(
            "INSERT INTO daemon_status (name, value) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            list(values.items()),
        )


class Daemon:
    def __init__(
        self,
        config: Config,
        *,
        config_path: str | None = None,
        api_key: str | None = None,
        policy: RetryPolicy | None = None,
        notifier: Notifier | None = None,
        once: bool = False,
    ) -> None:
        if not config.watches:
            raise ConfigError(
                "the configuration has no [[watch]] folder",
                hint="add a [[watch]] table with the path of a folder to watch",
            )
        self.config = config
        self.config_path = config_path
        self.api_key = api_key
        self.policy = policy
        self.notifier = notifier or Notifier()
        self.flags = _Flags()
        self.once = once
        self.processed = 0
        self.failed = 0  # files that went to failed/, and files with failed records
        self.gave_up = False  # (once) a file is postponed: the API is unavailable, or a bug
        self.unavailable = False
        self._last_ping = 0.0
        self.targets: list[_Target] = []
        self._turn = 0

    # -- watchdog -------------------------------------------------------------------

    def _ping(self) -> None:
        """Feed the systemd watchdog, at most every half interval.

        Called from the loop, from sync progress and from retry waits: a long sync
        or a server asking us to back off is work, not a hang.
        """
        every = self.notifier.watchdog_interval()
        now = time.monotonic()
        if every is not None and now - self._last_ping >= every:
            self.notifier.watchdog()
            self._last_ping = now

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self._ping()
            if self.flags.stop.wait(min(left, 1.0)):
                # Shutting down: stop waiting; the retry gives up and the file waits.
                return

    # -- signals --------------------------------------------------------------------

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        if signum == signal.SIGHUP:
            self.flags.reload = True
        else:
            self.flags.stop.set()

    def install_signal_handlers(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self._on_signal)

    # -- running --------------------------------------------------------------------

    def run(self) -> int:
        with StateLock(self.config.state_path, Role.DAEMON):
            for watch in self.config.watches:
                watch.path.mkdir(parents=True, exist_ok=True)
            scheduler = BackgroundScheduler(daemon=True)
            try:
                with StateDB.open(self.config.state_path) as db:
                    self.targets = self._make_targets(db)
                    return self._serve(db, scheduler)
            finally:
                if scheduler.running:
                    scheduler.shutdown(wait=False)
                for target in self.targets:
                    target.disconnect()
                self.notifier.stopping()

    def _make_targets(self, db: StateDB) -> list[_Target]:
        names = list(dict.fromkeys(w.library for w in self.config.watches))
        return [
            _Target(lib, Inbox(db, lib.partition))
            for lib in (self.config.library_named(n) for n in names)
        ]

    def _target_of(self, folder: Path) -> _Target:
        watch = next((w for w in self.config.watches if w.path.absolute() == folder), None)
        name = watch.library if watch else self.targets[0].library.name
        return next((t for t in self.targets if t.library.name == name), self.targets[0])

    def _connect(self, target: _Target, db: StateDB) -> bool:
        """Open the target's client and session if need be; False while it must wait.

        A Web API library that cannot be reached or written ends the daemon at start
        as before (its errors say what to fix); a desktop library waits for Zotero.
        """
        if target.session is not None:
            return True
        if time.monotonic() < target.next_connect:
            return False
        lib = target.library
        client = None
        try:
            client = make_client(
                self.config,
                library=lib,
                # A key given to the daemon (tests) is the default library's.
                api_key=self.api_key if lib == self.config.library_named(None) else None,
                policy=self.policy,
                sleep=self._sleep,
            )
            bind(client, db, lib)
            client.check_write_access()
        except SyncdError as exc:
            if client is not None:
                client.close()
            if not target.local or isinstance(exc, StateError):
                raise
            self._wait_for_desktop(target, db, exc)
            return False
        target.session = SyncSession(client, db, bundled_schema(), options_from(self.config))
        target.session.attachments = attachment_policy(self.config)
        if target.problem is not None:
            log.info("%s: Zotero desktop answers again; its files are synced now", lib.name)
            target.problem = None
        self._refresh(target, db)
        return target.session is not None

    def _wait_for_desktop(self, target: _Target, db: StateDB, exc: SyncdError) -> None:
        target.disconnect()
        target.next_connect = time.monotonic() + min(DESKTOP_POLL, self.config.daemon.retry)
        why = str(exc)
        if why != target.problem:
            # Once per change: Zotero may stay closed for days.
            log.warning("%s; its files wait", why)
            set_status(db, last_error=f"{_now()} {why}")
        target.problem = why
        if self.once:
            self.gave_up = True
            self.unavailable = self.unavailable or isinstance(exc, ApiUnavailableError)

    def _serve(self, db: StateDB, scheduler: BackgroundScheduler) -> int:
        set_status(
            db,
            started_at=_now(),
            last_error="",
            library=", ".join(t.library.partition for t in self.targets),
        )
        for target in self.targets:
            target.inbox.recover()
            # A Web API library is checked at once (a bad key ends the daemon, as it
            # always did); a desktop one when it has files, since Zotero may be closed.
            if not target.local:
                self._connect(target, db)

        queue_lock = threading.Lock()
        arrived: list[tuple[Path, Path]] = []

        def folder_of(path: Path) -> Path:
            for w in self.config.watches:
                if path.parent == w.path.absolute():
                    return w.path.absolute()
            return path.parent

        documents_noted: set[Path] = set()

        def on_ready(path: Path) -> None:
            if self._waits_as_attachment(path):
                # A PDF beside an export is its attachment (syncd/attachments/dropped.py):
                # failing it would move it away before the export that names it comes.
                if path not in documents_noted:
                    documents_noted.add(path)
                    log.warning(
                        "%s is a document, not an export: left in its folder for the export "
                        "that names it (by DOI, PMID, Scopus EID or the export's own name)",
                        path,
                    )
                return
            with queue_lock:
                arrived.append((path, folder_of(path)))

        watcher = FolderWatcher(
            [w.path for w in self.config.watches],
            on_ready,
            settle=self.config.daemon.settle,
            incomplete_settle=self.config.daemon.incomplete,
        )
        scheduler.add_job(
            lambda: setattr(self.flags, "rescan", True),
            "interval",
            seconds=self.config.daemon.rescan,
            id="rescan",
        )
        scheduler.add_job(
            lambda: setattr(self.flags, "refresh", True),
            "interval",
            seconds=self.config.daemon.refresh,
            id="refresh",
        )
        if not self.once:
            scheduler.start()
        watcher.start()
        try:
            self.notifier.ready()
            log.info("watching %s", ", ".join(str(w.path) for w in self.config.watches))
            self._status()
            storage_wait = self.config.daemon.retry
            while not self.flags.stop.is_set():
                if self.once and (self.gave_up or self._all_done(watcher, arrived)):
                    break
                self._ping()
                try:
                    watcher, busy = self._tick(watcher, on_ready, db, arrived, queue_lock)
                    storage_wait = self.config.daemon.retry
                except (StateError, InputError) as exc:
                    # Disk full or a damaged database: nothing may be synced while the
                    # write-ahead record cannot be kept, but the daemon stays up and
                    # tries again; the files wait where they are.
                    log.error("%s; pausing %.0f s", exc, storage_wait)
                    self.notifier.status(f"storage problem, paused: {exc}")
                    self._sleep(storage_wait)
                    storage_wait = min(RETRY_MAX, storage_wait * 2)
                    continue
                if not busy:
                    self.flags.stop.wait(TICK)
        finally:
            watcher.stop()
        log.info("stopped")
        if not self.once:
            return EXIT_OK
        if self.unavailable:
            return EXIT_UNAVAILABLE
        return EXIT_FAILED if self.failed or self.gave_up else EXIT_OK

    def _all_done(self, watcher: FolderWatcher, arrived: list[tuple[Path, Path]]) -> bool:
        return (
            not arrived
            and not watcher.pending()
            and not any(t.inbox.active() for t in self.targets)
        )

    def _tick(
        self,
        watcher: FolderWatcher,
        on_ready: Callable[[Path], None],
        db: StateDB,
        arrived: list[tuple[Path, Path]],
        queue_lock: threading.Lock,
    ) -> tuple[FolderWatcher, bool]:
        """One turn of the loop; True when a file was worked on (go again at once)."""
        if self.flags.reload:
            self.flags.reload = False
            watcher = self._reload(watcher, on_ready, db)
        if self.flags.rescan:
            self.flags.rescan = False
            watcher.scan()
            # Also the right moment to finish deliveries a full disk interrupted.
            for target in self.targets:
                target.inbox.recover()
        watcher.poll()
        with queue_lock:
            batch, arrived[:] = list(arrived), []
        for n, (path, folder) in enumerate(batch):
            try:
                self._target_of(folder).inbox.enqueue(path, folder)
            except StateError:
                with queue_lock:
                    arrived[:0] = batch[n:]
                raise
        if self.flags.refresh:
            self.flags.refresh = False
            for target in self.targets:
                if target.session is not None:
                    self._refresh(target, db)
        # Libraries take turns, so a busy one does not hold up the others.
        count = len(self.targets)
        for n in range(count):
            target = self.targets[(self._turn + n) % count]
            # A single run does not wait out the delays earlier runs set: it is the retry.
            due = target.inbox.due(math.inf if self.once else None)
            if not due or not self._connect(target, db):
                continue
            self._turn = (self._turn + n + 1) % count
            self._process(due[0], target, db)
            self._status()
            return watcher, True
        set_status(db, heartbeat=_now())
        return watcher, False

    def _waits_as_attachment(self, path: Path) -> bool:
        return self.config.attachments.enabled and path.suffix.lower() in DOC_EXTENSIONS

    def _reload(
        self, watcher: FolderWatcher, on_ready: Callable[[Path], None], db: StateDB
    ) -> FolderWatcher:
        try:
            new = load_config(self.config_path)
        except ConfigError as exc:
            log.error("configuration not reloaded: %s", exc)
            set_status(db, last_error=f"{_now()} configuration not reloaded: {exc}")
            return watcher
        libraries = {w.library for w in new.watches}
        if (
            new.library,
            new.base_url,
            new.state_path,
            new.all_libraries(),
        ) != (
            self.config.library,
            self.config.base_url,
            self.config.state_path,
            self.config.all_libraries(),
        ) or libraries - {t.library.name for t in self.targets}:
            why = "a new library, base_url or state path needs a restart"
            log.error("configuration not reloaded: %s", why)
            set_status(db, last_error=f"{_now()} configuration not reloaded: {why}")
            return watcher
        self.config = new
        for target in self.targets:
            if target.session is not None:
                target.session.options = options_from(new)
                target.session.attachments = attachment_policy(new)
        watcher.stop()
        for watch in new.watches:
            watch.path.mkdir(parents=True, exist_ok=True)
        fresh = FolderWatcher(
            [w.path for w in new.watches],
            on_ready,
            settle=new.daemon.settle,
            incomplete_settle=new.daemon.incomplete,
        )
        fresh.start()
        log.info("configuration reloaded; watching %s", ", ".join(str(w.path) for w in new.watches))
        return fresh

    def _refresh(self, target: _Target, db: StateDB) -> None:
        if target.session is None:
            return
        try:
            stats = target.session.refresh()
            set_status(db, last_refresh=_now(), mirror_items=str(stats.items))
        except DESKTOP_WAITS as exc:
            self._wait_for_desktop(target, db, exc)
        except ApiUnavailableError as exc:
            log.warning("mirror refresh postponed: %s", exc)
            set_status(db, last_error=f"{_now()} {exc}")
        except StateError as exc:
            # A full disk at start must not end the daemon: every sync refreshes the
            # mirror first, and the loop pauses on storage problems (see _serve).
            log.error("mirror refresh postponed: %s", exc)

    def _watch_for(self, entry: InboxFile) -> WatchConfig | None:
        for watch in self.config.watches:
            if watch.path.absolute() == entry.folder:
                return watch
        return None

    def _process(self, entry: InboxFile, target: _Target, db: StateDB) -> None:
        session, inbox = target.session, target.inbox
        assert session is not None
        limit = self.config.daemon.max_file_mb * 1024 * 1024
        try:
            size = entry.path.stat().st_size
        except OSError:
            inbox.gone(entry)
            return
        if size > limit:
            self._fail(
                entry,
                inbox,
                db,
                f"the file is {size / 1048576:.0f} MB, over the limit of "
                f"{self.config.daemon.max_file_mb:g} MB for an export",
                "if it really is one export, raise [daemon] max_file_mb in the configuration "
                "and drop the file again; otherwise remove it from the folder",
            )
            return
        try:
            content = entry.path.read_bytes()
        except FileNotFoundError:
            inbox.gone(entry)
            return
        except OSError as exc:
            self._postpone(entry, inbox, db, f"cannot read the file ({exc.strerror})")
            return
        if hashlib.sha256(content).hexdigest() != entry.sha256:
            log.info("%s: changed since it was taken; waiting until it is complete", entry.path)
            inbox.wait_for_change(entry, "it changed after it was taken")
            self.flags.rescan = True
            return
        duplicate = inbox.duplicate_of(entry)
        if duplicate:
            document = {
                "file": str(entry.path),
                "sha256": entry.sha256,
                "synced_at": _now(),
                "summary": {},
                "records": [],
                "problems": [],
                "failed_files": [],
                "duplicate_of": duplicate,
            }
            inbox.finish(entry, document)
            log.info("%s: same content as %s; not imported again", entry.path, duplicate)
            return
        watch = self._watch_for(entry)
        if watch is None:
            log.warning(
                "%s: its folder is no longer in the configuration; syncing it without "
                "a collection or tags",
                entry.path,
            )
        inbox.start(entry)
        try:
            self._sync(entry, content, watch, session, inbox, db, target.library.name)
        except Interrupted as exc:
            inbox.keep_outcomes(entry, writing_outcomes(o.as_json() for o in exc.outcomes))
            inbox.postpone(entry, 0, "interrupted by shutdown")
        except DESKTOP_WAITS as exc:
            # What was sent is journaled; the file is synced whole once Zotero is back.
            inbox.postpone(entry, 0, str(exc))
            self._wait_for_desktop(target, db, exc)
        except (ApiUnavailableError, CredentialError, InputError) as exc:
            self.unavailable = self.unavailable or isinstance(exc, ApiUnavailableError)
            self._postpone(entry, inbox, db, str(exc))
        except StateError:
            raise
        except Exception as exc:
            # A bug of ours must not stop the daemon; the file is retried a few times,
            # then set aside with the error.
            log.exception("%s: unexpected error", entry.path)
            set_status(db, last_error=f"{_now()} {entry.path}: {type(exc).__name__}: {exc}")
            if entry.attempts + 1 >= MAX_ATTEMPTS:
                self._fail(
                    entry,
                    inbox,
                    db,
                    f"internal error: {type(exc).__name__}: {exc}",
                    "please report this as a bug with the file attached",
                )
            else:
                self.gave_up = self.once
                inbox.postpone(entry, self.config.daemon.retry, f"{type(exc).__name__}: {exc}")

    def _sync(
        self,
        entry: InboxFile,
        content: bytes,
        watch: WatchConfig | None,
        session: SyncSession,
        inbox: Inbox,
        db: StateDB,
        library: str,
    ) -> None:
        report = session.sync(
            [
                SyncInput(
                    entry.path,
                    watch.collection if watch else None,
                    watch.tags if watch else (),
                    content=content,
                )
            ],
            stop=self.flags.stop.is_set,
            progress=lambda _n: self._ping(),
        )
        if report.failed_files and not report.outcomes:
            self._fail(entry, inbox, db, "; ".join(report.failed_files), NOT_READ)
            return
        document = report_document(entry.path, report, entry.sha256)
        if self._changed(entry):
            # What was synced is whole (the bytes taken), but the file now holds
            # something else: keep what this run wrote and sync the file again.
            log.info("%s: changed while it was synced; it is synced again whole", entry.path)
            inbox.keep_outcomes(entry, writing_outcomes(document["records"]))
            inbox.wait_for_change(entry, "it changed while it was synced")
            self.flags.rescan = True
            return
        document = merge_runs(document, inbox.earlier_outcomes(entry))
        document["library"] = library  # which library the records went to
        self._deliver(entry, document, inbox, db)
        self.processed += 1
        summary = document["summary"]
        log.info("%s: %s", entry.path, ", ".join(f"{v} {k}" for k, v in summary.items()))
        if summary.get("failed"):
            self.failed += 1
            refused = [r for r in document["records"] if r["result"] == "failed"]
            first = f"; first: {_record_name(refused[0])}" if refused else ""
            set_status(
                db,
                last_error=f"{_now()} {entry.path}: {summary['failed']} record(s) failed{first}",
            )

    @staticmethod
    def _changed(entry: InboxFile) -> bool:
        try:
            return file_sha256(entry.path) != entry.sha256
        except (OSError, InputError):
            return False  # gone: nothing more to sync; the report is delivered

    def _fail(self, entry: InboxFile, inbox: Inbox, db: StateDB, why: str, what: str) -> None:
        self.failed += 1
        set_status(db, last_error=f"{_now()} {entry.path}: {why}")
        inbox.fail(entry, why, what)

    def _postpone(self, entry: InboxFile, inbox: Inbox, db: StateDB, why: str) -> None:
        delay = min(RETRY_MAX, self.config.daemon.retry * 2**entry.attempts)
        log.warning("%s: %s; trying again in %.0f s", entry.path, why, delay)
        set_status(db, last_error=f"{_now()} {entry.path}: {why}")
        self.gave_up = self.once
        inbox.postpone(entry, delay, why)

    def _deliver(
        self, entry: InboxFile, document: dict[str, Any], inbox: Inbox, db: StateDB
    ) -> None:
        """Write the report and move the file; a full disk here loses nothing: the
        report is already in the database and the next rescan delivers it."""
        try:
            inbox.finish(entry, document)
        except (InputError, StateError) as exc:
            log.error(
                "%s: synced, but the report or the move into processed/ failed (%s); "
                "it will be retried",
                entry.path,
                exc,
            )
            with contextlib.suppress(StateError):
                set_status(db, last_error=f"{_now()} {entry.path}: {exc}")

    def _status(self) -> None:
        counts: dict[str, int] = {}
        for target in self.targets:
            for name, n in target.inbox.counts_since(_midnight()).items():
                counts[name] = counts.get(name, 0) + n
        pending = sum(counts.get(s, 0) for s in ACTIVE)
        self.notifier.status(
            f"{pending} pending, {counts.get('processed', 0)} processed and "
            f"{counts.get('failed', 0)} failed today"
        )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _midnight() -> str:
    """The start of today (UTC), in the form timestamps are stored in."""
    return (
        datetime.now(UTC)
        .replace(hour=0, minute=0, second=0, microsecond=0)
        .isoformat(timespec="seconds")
    )


def _record_name(rec: dict[str, Any]) -> str:
    src = rec["sources"][0] if rec.get("sources") else {"file": "?", "line": "?"}
    text = f"{src['file']}:{src['line']} {rec.get('title', '')!r}"
    return f"{text}: {rec['message']}" if rec.get("message") else text


def daemon_state(state_path: Path) -> dict[str, Any]:
    """Whether a daemon runs on this state database: its lock (lock.py) says."""
    who = holder(state_path)
    if who is None:
        return {"daemon_running": False, "daemon_pid": None}
    if who.role is Role.COMMAND:
        return {"daemon_running": False, "daemon_pid": None, "command_pid": who.pid}
    return {"daemon_running": True, "daemon_pid": who.pid or None}


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
    since = _midnight()
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
        "files_pending": sum(counts.get(s, 0) for s in ACTIVE),
        "files_processed_today": counts.get("processed", 0),
        "files_failed_today": counts.get("failed", 0),
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
        "last_error": values.get("last_error") or None,
    }


def run_daemon(config_path: str | None, *, once: bool = False) -> int:
    config = load_config(config_path)
    daemon = Daemon(config, config_path=config_path, once=once)
    daemon.install_signal_handlers()
    return daemon.run()
