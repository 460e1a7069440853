"""Which files in a watched folder get handed to the daemon, and when.

Two halves. The pure half (``is_candidate_name``, ``should_take``,
``StabilityTracker``) decides from names, heads and (size, mtime) observations with
an injected clock, so it is tested without threads or a filesystem. The shell half
(``FolderWatcher``) feeds it from watchdog's inotify observer and from directory
scans, and hands ready files to a callback from ``poll()``, which the daemon loop
calls; nothing is handed over from the observer thread.

When is a file complete? inotify tells us when a writer closes it (IN_CLOSE_WRITE)
and when it is renamed into the folder; both mean "done" and make a non-empty file
ready at once. Files seen only by a scan (present at start, missed events, network
shares where remote writes raise no local events) are ready once their size and
mtime stayed the same for ``settle`` seconds. A file we saw being written locally
but whose close we never saw waits ``write_settle`` (long): a slow download pausing
for longer than ``settle`` must not be taken half-written, and its close event is
nearly certain to come. Empty files wait ``empty_settle``: downloaders often create
the file empty, close it, and reopen it to write.

The observer is created with ``generate_full_events=True`` so that a file moved in
from outside the folder arrives as a move (complete) rather than as a creation.
"""

from __future__ import annotations

import logging
import os
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Literal

from watchdog.events import (
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers.api import BaseObserver

from syncd.errors import ConfigError
from syncd.ris.reader import looks_like_ris

log = logging.getLogger(__name__)

EventKind = Literal["created", "modified", "closed", "moved_in", "scan"]

#: Extensions handed over even when the content does not look like RIS (the daemon
#: then reports the file as failed, which tells the user more than silence would).
RIS_EXTENSIONS = frozenset({".ris", ".txt", ".nbib"})
#: Names of our own sub-folders inside a watched folder.
IGNORED_DIRS = frozenset({"processed", "failed"})
#: Report files written next to inputs carry this in their name (``x.ris.syncd-report.json``).
REPORT_MARKER = ".syncd-report"
#: How much of a file is read to sniff for RIS.
SNIFF_BYTES = 8192

_TEMP_SUFFIXES = (
    ".part",
    ".crdownload",
    ".tmp",
    ".download",
    ".partial",
    ".swp",
    ".swo",
    ".swx",
)
_COMPLETE_KINDS = frozenset({"closed", "moved_in"})
_WRITE_KINDS = frozenset({"created", "modified"})


def is_candidate_name(name: str) -> bool:
    """False for names that are never an input: temporary, hidden, ours."""
    if not name or name in IGNORED_DIRS:
        return False
    lower = name.lower()
    if lower.startswith((".", "~$")) or lower.endswith("~"):
        return False
    if len(name) > 1 and name.startswith("#") and name.endswith("#"):
        return False
    if lower.endswith(_TEMP_SUFFIXES):
        return False
    return REPORT_MARKER not in lower


def should_take(name: str, head: bytes | None, sniff: Callable[[bytes], bool] | None) -> bool:
    """Whether a complete candidate file goes to the daemon.

    RIS-like extensions always do; anything else only when its head sniffs as RIS.
    """
    if Path(name).suffix.lower() in RIS_EXTENSIONS:
        return True
    return sniff is not None and head is not None and sniff(head)


@dataclass(slots=True)
class _Entry:
    seq: int
    size: int
    mtime_ns: int
    since: float  # when the current (size, mtime) was first seen
    first_seen: float  # when the file was first seen at all
    complete: bool  # closed after writing or moved in, in the current state
    saw_write: bool  # a local write event was seen in the current state
    reported: tuple[int, int] | None = None


class StabilityTracker:
    """Decides when observed files are complete. Pure: time is passed in.

    The tracker knows only what it is told: before asking ``ready(now)``, re-observe
    the files listed by ``pending()`` (``FolderWatcher.poll`` does), otherwise a change
    nobody reported goes unnoticed. Files are returned oldest first (see ``ready``),
    each once per (size, mtime) state.
    """

    def __init__(
        self, *, settle: float = 2.0, empty_settle: float = 30.0, write_settle: float = 30.0
    ) -> None:
        if min(settle, empty_settle, write_settle) < 0:
            raise ValueError("settle intervals must not be negative")
        self.settle = settle
        self.empty_settle = empty_settle
        self.write_settle = write_settle
        self._entries: dict[Path, _Entry] = {}
        self._seq = 0

    def observe(self, path: Path, size: int, mtime_ns: int, kind: EventKind, now: float) -> None:
        entry = self._entries.get(path)
        if entry is None:
            self._seq += 1
            self._entries[path] = _Entry(
                seq=self._seq,
                size=size,
                mtime_ns=mtime_ns,
                since=now,
                first_seen=now,
                complete=kind in _COMPLETE_KINDS,
                saw_write=kind in _WRITE_KINDS,
            )
            return
        if (entry.size, entry.mtime_ns) != (size, mtime_ns):
            entry.size, entry.mtime_ns, entry.since = size, mtime_ns, now
            entry.complete = kind in _COMPLETE_KINDS
            entry.saw_write = kind in _WRITE_KINDS
            return
        if kind in _COMPLETE_KINDS:
            entry.complete = True
        elif kind in _WRITE_KINDS:
            entry.saw_write = True

    def forget(self, path: Path) -> None:
        """The file is gone (deleted, moved away); a later file of that name is new."""
        self._entries.pop(path, None)

    def paths(self) -> list[Path]:
        return list(self._entries)

    def pending(self) -> list[Path]:
        """Files whose current state has not been reported yet."""
        return [p for p, e in self._entries.items() if e.reported != (e.size, e.mtime_ns)]

    def ready(self, now: float) -> list[Path]:
        """Files that became complete since last asked, oldest first.

        Age is the file's modification time (kept by a rename, so a download renamed
        into place counts from when it was written), then the order first seen.
        Within one folder, a file that is not complete yet holds back the newer ones,
        so a later export never overtakes an earlier one that is still settling (a
        later correction must not be undone by the original). It holds them back
        for at most ``hold`` seconds from when it was first seen, so one file that
        never settles cannot stall its folder.
        """
        hold = max(self.settle, self.write_settle, self.empty_settle)
        blocked: set[Path] = set()
        out: list[Path] = []
        order = sorted(self._entries.items(), key=lambda kv: (kv[1].mtime_ns, kv[1].seq))
        for path, entry in order:
            state = (entry.size, entry.mtime_ns)
            if entry.reported == state:
                continue
            if not self._is_ready(entry, now):
                if now - entry.first_seen < hold:
                    blocked.add(path.parent)
                continue
            if path.parent in blocked:
                continue
            entry.reported = state
            out.append(path)
        return out

    def _is_ready(self, entry: _Entry, now: float) -> bool:
        quiet_for = now - entry.since
        if entry.size == 0:
            return quiet_for >= self.empty_settle
        if entry.complete:
            return True
        if entry.saw_write:
            return quiet_for >= self.write_settle
        return quiet_for >= self.settle


def _arrival_key(path: Path) -> tuple[int, str]:
    try:
        return (path.stat(follow_symlinks=False).st_mtime_ns, path.name)
    except OSError:
        return (0, path.name)


def _make_observer() -> BaseObserver:
    if sys.platform.startswith("linux"):
        from watchdog.observers.inotify import InotifyObserver

        return InotifyObserver(generate_full_events=True)
    from watchdog.observers import Observer

    observer: BaseObserver = Observer()
    return observer


class _ShutdownNoise(logging.Filter):
    """watchdog logs an ERROR when events are still queued as its inotify thread
    stops ("queue_events() called when the thread is inactive"). That is the normal
    end of a watch, not a fault; an error line in the journal would alarm people."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "called when the thread is inactive" not in record.getMessage()


logging.getLogger("watchdog.observers.inotify").addFilter(_ShutdownNoise())


def _shut(observer: BaseObserver, timeout: float = 5.0) -> bool:
    """Stop an observer (started or not) and its inotify thread; True if it ended."""
    observer.stop()
    if observer.is_alive():
        observer.join(timeout)
    return not observer.is_alive()


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: FolderWatcher) -> None:
        self._watcher = watcher

    def dispatch(self, event: FileSystemEvent) -> None:
        # An exception here would kill watchdog's dispatcher thread and silently end
        # watching, so everything is caught and logged.
        try:
            self._watcher._on_event(event)
        except Exception:
            log.exception("error while handling a file event for %s", event.src_path)


class FolderWatcher:
    """Watches folders and hands complete input files to ``on_ready`` from ``poll()``.

    Use ``start()``/``stop()`` (or ``with``). ``start()`` scans once after watching
    begins; call ``scan()`` again on a schedule, because inotify can drop events.
    ``on_ready`` runs in the thread that calls ``poll()``; if it raises, the error is
    logged and the file is forgotten, so the next scan offers it again.
    ``sniff`` defaults to the RIS reader's ``looks_like_ris``.

    Files come in arrival order within a folder; across folders the order is only
    approximate, because watchdog reads each folder in its own thread. Call
    ``poll()`` often (every 0.2-0.5 s): it is cheap when nothing is pending, and the
    settle intervals are measured between polls.
    """

    def __init__(
        self,
        folders: list[Path],
        on_ready: Callable[[Path], None],
        *,
        settle: float = 2.0,
        empty_settle: float = 30.0,
        write_settle: float = 30.0,
        recursive: bool = False,
        sniff: Callable[[bytes], bool] | None = looks_like_ris,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.folders = [Path(f).absolute() for f in folders]
        self._resolved = {f: f.resolve() for f in self.folders}
        self._on_ready = on_ready
        self._recursive = recursive
        self._sniff = sniff
        self._clock = clock
        self._tracker = StabilityTracker(
            settle=settle, empty_settle=empty_settle, write_settle=write_settle
        )
        self._lock = threading.Lock()
        self._observer: BaseObserver | None = None
        self._noted: set[tuple[str, Path]] = set()  # (reason, path) already logged once

    # -- lifecycle ----------------------------------------------------------------

    def start(self) -> None:
        if self._observer is not None:
            return
        for folder in self.folders:
            if not folder.is_dir():
                raise ConfigError(
                    f"watched folder {folder} does not exist or is not a folder: "
                    "create it or fix the folders in the configuration"
                )
        observer = _make_observer()
        handler = _Handler(self)
        try:
            for folder in self.folders:
                observer.schedule(handler, str(folder), recursive=self._recursive)
            observer.start()
        except OSError as err:
            _shut(observer)
            raise ConfigError(
                f"cannot watch {err.filename or self.folders}: {err.strerror or err}; "
                "check the folder's permissions (and fs.inotify.max_user_watches)"
            ) from err
        except BaseException:
            _shut(observer)
            raise
        self._observer = observer
        self.scan()

    def stop(self, timeout: float = 5.0) -> None:
        observer, self._observer = self._observer, None
        if observer is None:
            return
        if not _shut(observer, timeout):
            log.warning("the folder watcher did not stop within %.0f s", timeout)

    def __enter__(self) -> FolderWatcher:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- feeding the tracker -------------------------------------------------------

    def scan(self) -> None:
        """List the folders, observe every candidate, forget files that are gone."""
        now = self._clock()
        present: set[Path] = set()
        for folder in self.folders:
            # Listing and forgetting under the lock, so an event handled meanwhile
            # cannot be forgotten by a listing taken before it.
            with self._lock:
                try:
                    # Oldest first, so files found by a scan (at start, or after missed
                    # events) are handed over in the order they were written.
                    found = sorted(self._list(folder), key=_arrival_key)
                except OSError as err:
                    self._note_once(
                        "scan", folder, logging.WARNING, "cannot list %s: %s", folder, err
                    )
                    continue
                self._noted.discard(("scan", folder))
                present.update(found)
                seen = {path for path in found if self._observe(path, "scan", now)}
                for path in self._tracker.paths():
                    if self._root_of(path) == folder and path not in seen:
                        self._tracker.forget(path)
        # Notes about files that are gone are dropped so the set cannot grow forever;
        # the ones about files still there stay, so each is still logged only once.
        with self._lock:
            self._noted = {
                (reason, path)
                for reason, path in self._noted
                if reason == "scan" or path in present
            }

    def _list(self, folder: Path) -> Iterable[Path]:
        with os.scandir(folder) as entries:
            subdirs: list[Path] = []
            for entry in entries:
                if not is_candidate_name(entry.name):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    subdirs.append(Path(entry.path))
                else:
                    yield Path(entry.path)
        if self._recursive:
            for sub in subdirs:
                yield from self._list(sub)

    def _on_event(self, event: FileSystemEvent) -> None:
        now = self._clock()
        src = Path(os.fsdecode(event.src_path)) if event.src_path else None
        dest = Path(os.fsdecode(event.dest_path)) if event.dest_path else None
        with self._lock:
            if isinstance(event, DirMovedEvent | DirDeletedEvent):
                if src is not None:
                    for path in self._tracker.paths():
                        if path.is_relative_to(src):
                            self._tracker.forget(path)
            elif isinstance(event, FileMovedEvent):
                if src is not None:
                    self._tracker.forget(src)
                if dest is not None:
                    self._observe(dest, "moved_in", now)
            elif isinstance(event, FileDeletedEvent):
                if src is not None:
                    self._tracker.forget(src)
            elif src is not None:
                kind: EventKind | None = None
                if isinstance(event, FileClosedEvent):
                    kind = "closed"
                elif isinstance(event, FileCreatedEvent):
                    kind = "created"
                elif isinstance(event, FileModifiedEvent):
                    kind = "modified"
                if kind is not None:
                    # Synthetic events are watchdog's guesses for the files inside a
                    # directory moved in; nothing is known about their writers, so
                    # they are judged by stability, as a scan would be.
                    self._observe(src, "scan" if event.is_synthetic else kind, now)

    def _root_of(self, path: Path) -> Path | None:
        """The watched folder ``path`` belongs to, or None if it is not an input spot."""
        for folder in self.folders:
            if not path.is_relative_to(folder):
                continue
            parts = path.relative_to(folder).parts
            if not parts or (len(parts) > 1 and not self._recursive):
                continue
            if all(is_candidate_name(part) for part in parts):
                return folder
        return None

    def _observe(self, path: Path, kind: EventKind, now: float) -> bool:
        """Stat ``path`` and tell the tracker; True if it is tracked afterwards.

        Called with the lock held.
        """
        root = self._root_of(path)
        if root is None:
            return False
        try:
            st = os.stat(path, follow_symlinks=False)
            if stat.S_ISLNK(st.st_mode):
                target = path.resolve()
                base = self._resolved[root]
                if not target.is_relative_to(base) or not all(
                    is_candidate_name(part) for part in target.relative_to(base).parts
                ):
                    self._note_once(
                        "symlink",
                        path,
                        logging.WARNING,
                        "not following %s: it points to %s, outside the watched folder "
                        "or to a file syncd never takes",
                        path,
                        target,
                    )
                    self._tracker.forget(path)
                    return False
                st = os.stat(path)
                # Events on the link say nothing about writes to its target, so
                # only stability over time can tell that the target is complete.
                kind = "scan"
        except OSError:
            self._tracker.forget(path)
            return False
        if not stat.S_ISREG(st.st_mode):
            return False
        self._tracker.observe(path, st.st_size, st.st_mtime_ns, kind, now)
        return True

    # -- handing over ----------------------------------------------------------------

    def poll(self, now: float | None = None) -> list[Path]:
        """Hand every newly complete input file to ``on_ready``; return them in order.

        ``now`` must come from the same clock as the one given to the constructor.
        """
        when = self._clock() if now is None else now
        with self._lock:
            for path in self._tracker.pending():
                self._observe(path, "scan", when)
            ready = self._tracker.ready(when)
        taken: list[Path] = []
        for path in ready:
            if not self._wanted(path):
                continue
            try:
                self._on_ready(path)
            except Exception:
                log.exception("handling %s failed; it will be offered again on the next scan", path)
                with self._lock:
                    self._tracker.forget(path)
                continue
            taken.append(path)
        return taken

    def _wanted(self, path: Path) -> bool:
        head: bytes | None = None
        if Path(path.name).suffix.lower() not in RIS_EXTENSIONS and self._sniff is not None:
            try:
                with open(path, "rb") as f:
                    head = f.read(SNIFF_BYTES)
            except OSError as err:
                log.debug("cannot read %s to check for RIS content: %s", path, err)
                return False
        if should_take(path.name, head, self._sniff):
            self._noted.discard(("ignored", path))
            return True
        self._note_once(
            "ignored", path, logging.DEBUG, "ignoring %s: it does not look like RIS", path
        )
        return False

    def _note_once(self, reason: str, path: Path, level: int, msg: str, *args: object) -> None:
        if (reason, path) in self._noted:
            return
        self._noted.add((reason, path))
        log.log(level, msg, *args)
