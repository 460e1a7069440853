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

This module keeps the loop and the retry policy; what may be synced is the inbox's
(``Inbox.admit``: a file is read once into memory, and those bytes are what is
checked and synced), what ``syncd status`` shows is status.py's. A file whose bytes
differ from what the watcher declared complete, or that changed while it was
synced, waits for the watcher to offer it again and is synced again whole; its
final report covers all its runs (reports.py). With attachments on, a document
(PDF...) dropped into a folder is no export: it waits there for the export that
names it, at most ``[daemon] document_wait``, and is then reported (documents.py).

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
import logging
import math
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import assert_never

from apscheduler.schedulers.background import BackgroundScheduler

from syncd.app import attachment_policy, bind, make_client, options_from
from syncd.attachments.dropped import DOC_EXTENSIONS
from syncd.clock import midnight, now
from syncd.config import ApiKind, Config, LibraryConfig, WatchConfig, load_config
from syncd.documents import WaitingDocuments, span
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
from syncd.inbox import FileStatus, Inbox, InboxFile, Verdict
from syncd.lock import Role, StateLock
from syncd.notify import Notifier
from syncd.reports import FileReport, writing_outcomes
from syncd.schema import bundled_schema
from syncd.state import StateDB
from syncd.status import pending, set_status
from syncd.sync.outcome import RecordJson
from syncd.sync.session import SyncInput, SyncSession
from syncd.watch import FolderWatcher
from syncd.zotero.client import ZoteroClient
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
    documents: WaitingDocuments
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


class _Arrivals:
    """The loop's watcher and the files it handed over, not yet in an inbox.

    ``on_ready`` runs in the loop's thread (from ``FolderWatcher.poll``), but a
    lock keeps the list safe should a watcher ever call it from its own. With
    attachments on, a document goes to ``on_document`` instead: it waits in its
    folder for the export that names it (syncd/documents.py).
    """

    def __init__(self, config: Config, on_document: Callable[[Path, Path], None]) -> None:
        self.config = config
        self._on_document = on_document
        self._lock = threading.Lock()
        self._files: list[tuple[Path, Path]] = []
        self.watcher = self._watcher()

    def _watcher(self) -> FolderWatcher:
        return FolderWatcher(
            [w.path for w in self.config.watches],
            self.on_ready,
            settle=self.config.daemon.settle,
            incomplete_settle=self.config.daemon.incomplete,
        )

    def rewatch(self, config: Config) -> None:
        """Watch the folders of ``config`` instead (a reload)."""
        self.watcher.stop()
        self.config = config
        self.watcher = self._watcher()
        self.watcher.start()

    def on_ready(self, path: Path) -> None:
        if self.config.attachments.enabled and path.suffix.lower() in DOC_EXTENSIONS:
            # A PDF beside an export is its attachment (syncd/attachments/dropped.py):
            # failing it would move it away before the export that names it comes.
            self._on_document(path, self._folder_of(path))
            return
        with self._lock:
            self._files.append((path, self._folder_of(path)))

    def _folder_of(self, path: Path) -> Path:
        for w in self.config.watches:
            if path.parent == w.path.absolute():
                return w.path.absolute()
        return path.parent

    def take(self) -> list[tuple[Path, Path]]:
        with self._lock:
            batch, self._files = self._files, []
        return batch

    def put_back(self, batch: list[tuple[Path, Path]]) -> None:
        """Files ``take`` gave that could not be queued: first in line again."""
        with self._lock:
            self._files[:0] = batch

    def idle(self) -> bool:
        """Nothing handed over and left to queue, nothing the watcher still settles."""
        with self._lock:
            waiting = bool(self._files)
        return not waiting and not self.watcher.pending()


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
        at = time.monotonic()
        if every is not None and at - self._last_ping >= every:
            self.notifier.watchdog()
            self._last_ping = at

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
            _Target(lib, Inbox(db, lib.partition), WaitingDocuments(db, lib.partition))
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
        client: ZoteroClient | None = None
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
            set_status(db, last_error=f"{now()} {why}")
        target.problem = why
        if self.once:
            self.gave_up = True
            self.unavailable = self.unavailable or isinstance(exc, ApiUnavailableError)

    def _serve(self, db: StateDB, scheduler: BackgroundScheduler) -> int:
        self._start_targets(db)
        arrivals = _Arrivals(self.config, self._document)
        self._schedule(scheduler)
        arrivals.watcher.start()
        try:
            self.notifier.ready()
            log.info("watching %s", ", ".join(str(w.path) for w in self.config.watches))
            self._status()
            self._loop(db, arrivals)
        finally:
            arrivals.watcher.stop()
        log.info("stopped")
        return self._exit_code()

    def _start_targets(self, db: StateDB) -> None:
        set_status(
            db,
            started_at=now(),
            last_error="",
            library=", ".join(t.library.partition for t in self.targets),
        )
        for target in self.targets:
            target.inbox.recover()
            # A Web API library is checked at once (a bad key ends the daemon, as it
            # always did); a desktop one when it has files, since Zotero may be closed.
            if not target.local:
                self._connect(target, db)

    def _schedule(self, scheduler: BackgroundScheduler) -> None:
        """Timers only raise flags; the loop acts on them."""
        for flag, seconds in (
            ("rescan", self.config.daemon.rescan),
            ("refresh", self.config.daemon.refresh),
        ):
            scheduler.add_job(
                lambda flag=flag: setattr(self.flags, flag, True),
                "interval",
                seconds=seconds,
                id=flag,
            )
        if not self.once:
            scheduler.start()

    def _loop(self, db: StateDB, arrivals: _Arrivals) -> None:
        storage_wait = self.config.daemon.retry
        while not self.flags.stop.is_set():
            if self.once and (self.gave_up or self._all_done(arrivals)):
                return
            self._ping()
            try:
                busy = self._tick(db, arrivals)
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

    def _exit_code(self) -> int:
        if not self.once:
            return EXIT_OK
        if self.unavailable:
            return EXIT_UNAVAILABLE
        return EXIT_FAILED if self.failed or self.gave_up else EXIT_OK

    def _all_done(self, arrivals: _Arrivals) -> bool:
        return arrivals.idle() and not any(t.inbox.active() for t in self.targets)

    def _tick(self, db: StateDB, arrivals: _Arrivals) -> bool:
        """One turn of the loop; True when a file was worked on (go again at once)."""
        if self.flags.reload:
            self.flags.reload = False
            self._reload(arrivals, db)
        if self.flags.rescan:
            self.flags.rescan = False
            arrivals.watcher.scan()
            # Also the right moment to finish deliveries a full disk interrupted.
            for target in self.targets:
                target.inbox.recover()
                target.documents.forget_gone()
        arrivals.watcher.poll()
        self._enqueue(arrivals)
        self._expire_documents()
        if self.flags.refresh:
            self.flags.refresh = False
            for target in self.targets:
                if target.session is not None:
                    self._refresh(target, db)
        if self._work_one(db):
            self._status()
            return True
        set_status(db, heartbeat=now())
        return False

    def _enqueue(self, arrivals: _Arrivals) -> None:
        batch = arrivals.take()
        for n, (path, folder) in enumerate(batch):
            try:
                self._target_of(folder).inbox.enqueue(path, folder)
            except StateError:
                arrivals.put_back(batch[n:])
                raise

    def _document(self, path: Path, folder: Path) -> None:
        if self._target_of(folder).documents.note(path, folder):
            log.warning(
                "%s is a document, not an export: left in its folder for the export that "
                "names it (by DOI, PMID, Scopus EID or the export's own name), for up to %s",
                path,
                span(self.config.daemon.document_wait),
            )

    def _expire_documents(self) -> None:
        wait = self.config.daemon.document_wait
        for target in self.targets:
            for path in target.documents.expire(wait):
                log.warning(
                    "%s: no export named this document within %s; it stays in the folder "
                    "(an export that names it later still attaches it)",
                    path,
                    span(wait),
                )

    def _work_one(self, db: StateDB) -> bool:
        """Sync one due file; libraries take turns, so a busy one does not hold up
        the others. False when no library had a file it could sync now."""
        count = len(self.targets)
        for n in range(count):
            target = self.targets[(self._turn + n) % count]
            # A single run does not wait out the delays earlier runs set: it is the retry.
            due = target.inbox.due(math.inf if self.once else None)
            if not due or not self._connect(target, db):
                continue
            self._turn = (self._turn + n + 1) % count
            self._process(due[0], target, db)
            return True
        return False

    def _reload(self, arrivals: _Arrivals, db: StateDB) -> None:
        try:
            new = load_config(self.config_path)
        except ConfigError as exc:
            log.error("configuration not reloaded: %s", exc)
            set_status(db, last_error=f"{now()} configuration not reloaded: {exc}")
            return
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
            set_status(db, last_error=f"{now()} configuration not reloaded: {why}")
            return
        self.config = new
        for target in self.targets:
            if target.session is not None:
                target.session.options = options_from(new)
                target.session.attachments = attachment_policy(new)
        for watch in new.watches:
            watch.path.mkdir(parents=True, exist_ok=True)
        arrivals.rewatch(new)
        log.info("configuration reloaded; watching %s", ", ".join(str(w.path) for w in new.watches))

    def _refresh(self, target: _Target, db: StateDB) -> None:
        if target.session is None:
            return
        try:
            stats = target.session.refresh()
            set_status(db, last_refresh=now(), mirror_items=str(stats.items))
        except DESKTOP_WAITS as exc:
            self._wait_for_desktop(target, db, exc)
        except ApiUnavailableError as exc:
            log.warning("mirror refresh postponed: %s", exc)
            set_status(db, last_error=f"{now()} {exc}")
        except StateError as exc:
            # A full disk at start must not end the daemon: every sync refreshes the
            # mirror first, and the loop pauses on storage problems (see _loop).
            log.error("mirror refresh postponed: %s", exc)

    def _watch_for(self, entry: InboxFile) -> WatchConfig | None:
        for watch in self.config.watches:
            if watch.path.absolute() == entry.folder:
                return watch
        return None

    # -- one file -------------------------------------------------------------------

    def _process(self, entry: InboxFile, target: _Target, db: StateDB) -> None:
        content = self._admit(entry, target.inbox, db)
        if content is None:
            return
        watch = self._watch_for(entry)
        if watch is None:
            log.warning(
                "%s: its folder is no longer in the configuration; syncing it without "
                "a collection or tags",
                entry.path,
            )
        target.inbox.start(entry)
        try:
            self._sync(entry, content, watch, target, db)
        except Interrupted as exc:
            target.inbox.keep_outcomes(entry, writing_outcomes(o.as_json() for o in exc.outcomes))
            target.inbox.postpone(entry, 0, "interrupted by shutdown")
        except DESKTOP_WAITS as exc:
            # What was sent is journaled; the file is synced whole once Zotero is back.
            target.inbox.postpone(entry, 0, str(exc))
            self._wait_for_desktop(target, db, exc)
        except (ApiUnavailableError, CredentialError, InputError) as exc:
            self.unavailable = self.unavailable or isinstance(exc, ApiUnavailableError)
            self._postpone(entry, target.inbox, db, str(exc))
        except StateError:
            raise
        except Exception as exc:
            self._on_bug(entry, target.inbox, db, exc)

    def _admit(self, entry: InboxFile, inbox: Inbox, db: StateDB) -> bytes | None:
        """The file's bytes if it is to be synced now; else what the inbox found is
        dealt with here and None is returned."""
        limit = self.config.daemon.max_file_mb
        admission = inbox.admit(entry, int(limit * 1024 * 1024))
        match admission.verdict:
            case Verdict.READY:
                return admission.content
            case Verdict.GONE:
                inbox.gone(entry)
                return None
            case Verdict.TOO_LARGE:
                self._fail(
                    entry,
                    inbox,
                    db,
                    f"the file is {admission.size / 1048576:.0f} MB, over the limit of "
                    f"{limit:g} MB for an export",
                    "if it really is one export, raise [daemon] max_file_mb in the "
                    "configuration and drop the file again; otherwise remove it from the folder",
                )
                return None
            case Verdict.UNREADABLE:
                self._postpone(entry, inbox, db, admission.why)
                return None
            case Verdict.CHANGED:
                log.info("%s: changed since it was taken; waiting until it is complete", entry.path)
                inbox.wait_for_change(entry, "it changed after it was taken")
                self.flags.rescan = True
                return None
            case Verdict.DUPLICATE:
                inbox.finish(entry, FileReport.duplicate(entry.path, entry.sha256, admission.why))
                log.info("%s: same content as %s; not imported again", entry.path, admission.why)
                return None
            case unknown:
                assert_never(unknown)

    def _on_bug(self, entry: InboxFile, inbox: Inbox, db: StateDB, exc: Exception) -> None:
        """A bug of ours must not stop the daemon; the file is retried a few times,
        then set aside with the error."""
        log.exception("%s: unexpected error", entry.path)
        set_status(db, last_error=f"{now()} {entry.path}: {type(exc).__name__}: {exc}")
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
        target: _Target,
        db: StateDB,
    ) -> None:
        session, inbox = target.session, target.inbox
        assert session is not None
        result = session.sync(
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
        if result.failed_files and not result.outcomes:
            self._fail(entry, inbox, db, "; ".join(result.failed_files), NOT_READ)
            return
        report = FileReport.of_sync(entry.path, result, entry.sha256)
        if self._changed(entry):
            # What was synced is whole (the bytes taken), but the file now holds
            # something else: keep what this run wrote and sync the file again.
            log.info("%s: changed while it was synced; it is synced again whole", entry.path)
            inbox.keep_outcomes(entry, report.writing())
            inbox.wait_for_change(entry, "it changed while it was synced")
            self.flags.rescan = True
            return
        report = report.with_earlier(inbox.earlier_outcomes(entry))
        target.documents.named(entry.folder, report.attachment_names())
        self._deliver(entry, report.for_library(target.library.name), inbox, db)

    @staticmethod
    def _changed(entry: InboxFile) -> bool:
        try:
            return file_sha256(entry.path) != entry.sha256
        except (OSError, InputError):
            return False  # gone: nothing more to sync; the report is delivered

    def _fail(self, entry: InboxFile, inbox: Inbox, db: StateDB, why: str, what: str) -> None:
        self.failed += 1
        set_status(db, last_error=f"{now()} {entry.path}: {why}")
        inbox.fail(entry, why, what)

    def _postpone(self, entry: InboxFile, inbox: Inbox, db: StateDB, why: str) -> None:
        delay = min(RETRY_MAX, self.config.daemon.retry * 2**entry.attempts)
        log.warning("%s: %s; trying again in %.0f s", entry.path, why, delay)
        set_status(db, last_error=f"{now()} {entry.path}: {why}")
        self.gave_up = self.once
        inbox.postpone(entry, delay, why)

    def _deliver(self, entry: InboxFile, report: FileReport, inbox: Inbox, db: StateDB) -> None:
        """Write the report and move the file; a full disk here loses nothing: the
        report is already in the database and the next rescan delivers it."""
        try:
            inbox.finish(entry, report)
        except (InputError, StateError) as exc:
            log.error(
                "%s: synced, but the report or the move into processed/ failed (%s); "
                "it will be retried",
                entry.path,
                exc,
            )
            with contextlib.suppress(StateError):
                set_status(db, last_error=f"{now()} {entry.path}: {exc}")
        self.processed += 1
        summary = report.summary
        log.info("%s: %s", entry.path, ", ".join(f"{v} {k}" for k, v in summary.items()))
        if summary.get("failed"):
            self.failed += 1
            refused = report.refused()
            first = f"; first: {_record_name(refused[0])}" if refused else ""
            set_status(
                db,
                last_error=f"{now()} {entry.path}: {summary['failed']} record(s) failed{first}",
            )

    def _status(self) -> None:
        counts: dict[str, int] = {}
        for target in self.targets:
            for name, n in target.inbox.counts_since(midnight()).items():
                counts[name] = counts.get(name, 0) + n
        self.notifier.status(
            f"{pending(counts)} pending, {counts.get(FileStatus.PROCESSED, 0)} processed and "
            f"{counts.get(FileStatus.FAILED, 0)} failed today"
        )


def _record_name(rec: RecordJson) -> str:
    sources = rec.get("sources")
    src = sources[0] if sources else {"file": "?", "line": "?"}
    text = f"{src['file']}:{src['line']} {rec.get('title', '')!r}"
    return f"{text}: {rec['message']}" if rec.get("message") else text


def run_daemon(config_path: str | None, *, once: bool = False) -> int:
    config = load_config(config_path)
    daemon = Daemon(config, config_path=config_path, once=once)
    daemon.install_signal_handlers()
    return daemon.run()
