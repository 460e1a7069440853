"""The daemon: watch folders, sync complete files one at a time, survive everything.

All work happens in one thread, the main loop, so the API client and the state
database are never used concurrently. The watcher's inotify thread only records
events; apscheduler only raises flags (rescan the folders because events can be
missed; refresh the mirror so the user's edits in Zotero are seen); the loop acts
on them. Signals do the same: SIGTERM/SIGINT stop after the batch in flight (the
engine checks between batches), SIGHUP reloads the configuration.

Under systemd (``Type=notify``) the loop sends READY once it is watching, STATUS
with counts, WATCHDOG pings every tick, and STOPPING on the way out.
"""

from __future__ import annotations

import contextlib
import logging
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

from syncd.app import attachment_policy, make_client, options_from
from syncd.config import Config, WatchConfig, load_config
from syncd.errors import (
    ApiUnavailableError,
    ConfigError,
    CredentialError,
    InputError,
    Interrupted,
    StateError,
)
from syncd.inbox import Inbox, InboxFile, report_document
from syncd.notify import Notifier
from syncd.schema import bundled_schema
from syncd.state import StateDB
from syncd.sync.session import SyncInput, SyncSession
from syncd.watch import FolderWatcher
from syncd.zotero.retry import RetryPolicy

log = logging.getLogger(__name__)

TICK = 0.25
MAX_ATTEMPTS = 8


RETRY_MAX = 3600.0


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
        self.processed = 0
        self.failed = 0
        self._last_ping = 0.0

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
        for watch in self.config.watches:
            watch.path.mkdir(parents=True, exist_ok=True)
        client = make_client(
            self.config, api_key=self.api_key, policy=self.policy, sleep=self._sleep
        )
        scheduler = BackgroundScheduler(daemon=True)
        try:
            with StateDB.open(self.config.state_path) as db:
                return self._serve(client, db, scheduler)
        finally:
            if scheduler.running:
                scheduler.shutdown(wait=False)
            client.close()
            self.notifier.stopping()

    def _serve(self, client: Any, db: StateDB, scheduler: BackgroundScheduler) -> int:
        session = SyncSession(client, db, bundled_schema(), options_from(self.config))
        session.attachments = attachment_policy(self.config)
        inbox = Inbox(db, session.library)
        client.check_write_access()
        set_status(db, started_at=_now(), last_error="", library=session.library)
        inbox.recover()
        self._refresh(session, db)

        queue_lock = threading.Lock()
        arrived: list[tuple[Path, Path]] = []

        def folder_of(path: Path) -> Path:
            for w in self.config.watches:
                if path.parent == w.path.absolute():
                    return w.path.absolute()
            return path.parent

        def on_ready(path: Path) -> None:
            with queue_lock:
                arrived.append((path, folder_of(path)))

        watcher = FolderWatcher(
            [w.path for w in self.config.watches], on_ready, settle=self.config.daemon.settle
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
        scheduler.start()
        watcher.start()
        try:
            self.notifier.ready()
            log.info("watching %s", ", ".join(str(w.path) for w in self.config.watches))
            self._status(inbox)
            storage_wait = self.config.daemon.retry
            while not self.flags.stop.is_set():
                self._ping()
                try:
                    watcher, busy = self._tick(
                        watcher, on_ready, session, inbox, db, arrived, queue_lock
                    )
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
        return 0

    def _tick(
        self,
        watcher: FolderWatcher,
        on_ready: Callable[[Path], None],
        session: SyncSession,
        inbox: Inbox,
        db: StateDB,
        arrived: list[tuple[Path, Path]],
        queue_lock: threading.Lock,
    ) -> tuple[FolderWatcher, bool]:
        """One turn of the loop; True when a file was worked on (go again at once)."""
        if self.flags.reload:
            self.flags.reload = False
            watcher = self._reload(watcher, on_ready, session)
        if self.flags.rescan:
            self.flags.rescan = False
            watcher.scan()
            # Also the right moment to finish deliveries a full disk interrupted.
            inbox.recover()
        watcher.poll()
        with queue_lock:
            batch, arrived[:] = list(arrived), []
        for n, (path, folder) in enumerate(batch):
            try:
                inbox.enqueue(path, folder)
            except StateError:
                with queue_lock:
                    arrived[:0] = batch[n:]
                raise
        if self.flags.refresh:
            self.flags.refresh = False
            self._refresh(session, db)
        due = inbox.due()
        if due:
            self._process(due[0], session, inbox, db)
            self._status(inbox)
            return watcher, True
        set_status(db, heartbeat=_now())
        return watcher, False

    def _reload(
        self, watcher: FolderWatcher, on_ready: Callable[[Path], None], session: SyncSession
    ) -> FolderWatcher:
        try:
            new = load_config(self.config_path)
        except ConfigError as exc:
            log.error("configuration not reloaded: %s", exc)
            return watcher
        if (new.library, new.base_url, new.state_path) != (
            self.config.library,
            self.config.base_url,
            self.config.state_path,
        ):
            log.error(
                "configuration not reloaded: a new library, base_url or state path needs a restart"
            )
            return watcher
        self.config = new
        session.options = options_from(new)
        session.attachments = attachment_policy(new)
        watcher.stop()
        for watch in new.watches:
            watch.path.mkdir(parents=True, exist_ok=True)
        fresh = FolderWatcher(
            [w.path for w in new.watches], on_ready, settle=self.config.daemon.settle
        )
        fresh.start()
        log.info("configuration reloaded; watching %s", ", ".join(str(w.path) for w in new.watches))
        return fresh

    def _refresh(self, session: SyncSession, db: StateDB) -> None:
        try:
            stats = session.refresh()
            set_status(db, last_refresh=_now(), mirror_items=str(stats.items))
        except ApiUnavailableError as exc:
            log.warning("mirror refresh postponed: %s", exc)
            set_status(db, last_error=f"{_now()} {exc}")

    def _watch_for(self, entry: InboxFile) -> WatchConfig | None:
        for watch in self.config.watches:
            if watch.path.absolute() == entry.folder:
                return watch
        return None

    def _process(self, entry: InboxFile, session: SyncSession, inbox: Inbox, db: StateDB) -> None:
        if not entry.path.exists():
            inbox.gone(entry)
            return
        limit = self.config.daemon.max_file_mb * 1024 * 1024
        try:
            size = entry.path.stat().st_size
        except OSError:
            inbox.gone(entry)
            return
        if size > limit:
            self.failed += 1
            inbox.fail(
                entry,
                f"the file is {size / 1048576:.0f} MB, over the limit of "
                f"{self.config.daemon.max_file_mb:g} MB for an export",
                "if it really is one export, raise [daemon] max_file_mb in the configuration "
                "and drop the file again; otherwise remove it from the folder",
            )
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
            report = session.sync(
                [
                    SyncInput(
                        entry.path, watch.collection if watch else None, watch.tags if watch else ()
                    )
                ],
                stop=self.flags.stop.is_set,
                progress=lambda _n: self._ping(),
            )
            if report.failed_files and not report.outcomes:
                self.failed += 1
                inbox.fail(
                    entry,
                    "; ".join(report.failed_files),
                    "check that this is a RIS export (TY  - ... ER  -); export it "
                    "again as RIS and drop the new file into the folder",
                )
                return
            self._deliver(entry, report_document(entry.path, report, entry.sha256), inbox, db)
            self.processed += 1
            counts = report.counts()
            log.info("%s: %s", entry.path, ", ".join(f"{v} {k}" for k, v in counts.items()))
        except Interrupted:
            inbox.postpone(entry, 0, "interrupted by shutdown")
        except (ApiUnavailableError, CredentialError, InputError) as exc:
            delay = min(RETRY_MAX, self.config.daemon.retry * 2**entry.attempts)
            log.warning("%s: %s; trying again in %.0f s", entry.path, exc, delay)
            set_status(db, last_error=f"{_now()} {entry.path}: {exc}")
            inbox.postpone(entry, delay, str(exc))
        except StateError:
            raise
        except Exception as exc:
            # A bug of ours must not stop the daemon; the file is retried a few times,
            # then set aside with the error.
            log.exception("%s: unexpected error", entry.path)
            set_status(db, last_error=f"{_now()} {entry.path}: {type(exc).__name__}: {exc}")
            if entry.attempts + 1 >= MAX_ATTEMPTS:
                self.failed += 1
                inbox.fail(
                    entry,
                    f"internal error: {type(exc).__name__}: {exc}",
                    "please report this as a bug with the file attached",
                )
            else:
                inbox.postpone(entry, self.config.daemon.retry, f"{type(exc).__name__}: {exc}")

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

    def _status(self, inbox: Inbox) -> None:
        counts = inbox.counts_since(_midnight())
        pending = sum(counts.get(s, 0) for s in ("queued", "syncing", "synced", "reported"))
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


def status_of(db: StateDB, library: str) -> dict[str, Any]:
    """What ``syncd status`` shows."""
    values = dict(db.conn.execute("SELECT name, value FROM daemon_status").fetchall())
    mirror = db.mirror_status(library)
    since = _midnight()
    counts = Inbox(db, library).counts_since(since)
    return {
        "library": library,
        "mirror_version": mirror.version if mirror else None,
        "last_mirror_refresh": values.get("last_refresh"),
        "mirror_items": int(values["mirror_items"]) if values.get("mirror_items") else None,
        "daemon_started_at": values.get("started_at"),
        "daemon_heartbeat": values.get("heartbeat"),
        "files_pending": sum(counts.get(s, 0) for s in ("queued", "syncing", "synced", "reported")),
        "files_processed_today": counts.get("processed", 0),
        "files_failed_today": counts.get("failed", 0),
        "last_error": values.get("last_error") or None,
    }


def run_daemon(config_path: str | None) -> int:
    config = load_config(config_path)
    daemon = Daemon(config, config_path=config_path)
    daemon.install_signal_handlers()
    return daemon.run()
