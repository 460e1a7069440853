"""Which files in a watched folder get handed to the daemon, and when.

Two halves. The pure half (``is_candidate_name``, ``tail_is_complete``,
``StabilityTracker``) decides from names, file tails and (size, mtime) observations
with an injected clock, so it is tested without threads or a filesystem. The shell half
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

A close event is not the end of an export when the writer appends in steps (a slow
sync client, ``cat >>``: every step closes the file). A file written again after a
close is taken only once it has also been quiet for ``settle``; and a file whose
last record has no ``ER`` line, or that ends mid-line after it, is not complete whatever the
events say: it waits until it has not changed for ``incomplete_settle`` and is then
taken as it is, with a warning (some exporters do leave the last ``ER`` out).

Every complete candidate file is handed over, whatever its extension or content:
one that is no export ends in ``failed/`` with a message saying what it looks like,
rather than lying in the folder for ever with a debug line nobody reads.

The observer is created with ``generate_full_events=True`` so that a file moved in
from outside the folder arrives as a move (complete) rather than as a creation.
"""

from __future__ import annotations

import logging
import os
import re
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

log = logging.getLogger(__name__)

EventKind = Literal["created", "modified", "closed", "moved_in", "scan"]

#: Names of our own sub-folders inside a watched folder.
IGNORED_DIRS = frozenset({"processed", "failed"})
#: Report files written next to inputs carry this in their name (``x.ris.syncd-report.json``).
REPORT_MARKER = ".syncd-report"
#: How much of a file's end is read to see whether its last record is complete.
TAIL_BYTES = 1 << 20

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


# After NUL bytes are dropped a UTF-16/32 byte order mark is \xff\xfe or \xfe\xff.
_BOUNDARY = re.compile(rb"(?m)^(?:\xef\xbb\xbf|\xff\xfe|\xfe\xff)?(TY|ER) {1,2}-")


def tail_is_complete(tail: bytes, *, whole: bool) -> bool:
    """Whether a file ending in ``tail`` ends after a complete record.

    False when the last record boundary is a ``TY`` (a record still open), or when
    text after the last ``ER`` ends mid-line. A tail with no boundary at all (not
    RIS, or one record longer than the tail) says nothing, so it counts as
    complete. ``whole`` tells whether ``tail`` is the whole file; if not, its first
    (partial) line is not trusted. NUL bytes are dropped first, so the tags of
    UTF-16 and UTF-32 files read as ASCII.
    """
    data = tail.replace(b"\x00", b"").replace(b"\r", b"\n")
    if not whole:
        data = data[data.find(b"\n") + 1 :] if b"\n" in data else b""
    last = max(_BOUNDARY.finditer(data), key=lambda m: m.start(), default=None)
    if last is None:
        return True
    if last[1] == b"TY":
        return False
    rest = data[last.end() :]
    end_of_er_line = rest.find(b"\n")
    after = b"" if end_of_er_line < 0 else rest[end_of_er_line:]
    return not after.strip() or data.endswith(b"\n")


def read_tail(path: Path) -> tuple[bytes, bool]:
    """The last ``TAIL_BYTES`` of ``path`` and whether that is the whole file."""
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size > TAIL_BYTES:
            f.seek(size - TAIL_BYTES)
        return f.read(TAIL_BYTES), size <= TAIL_BYTES


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
    incomplete: tuple[int, int] | None = None  # a state whose last record was found open
    stepwise: bool = False  # written again after a close: its writer appends in steps


class StabilityTracker:
    """Decides when observed files are complete. Pure: time is passed in.

    The tracker knows only what it is told: before asking ``ready(now)``, re-observe
    the files listed by ``pending()`` (``FolderWatcher.poll`` does), otherwise a change
    nobody reported goes unnoticed. Files are returned oldest first (see ``ready``),
    each once per (size, mtime) state.
    """

    def __init__(
        self,
        *,
        settle: float = 2.0,
        empty_settle: float = 30.0,
        write_settle: float = 30.0,
        incomplete_settle: float = 60.0,
    ) -> None:
        if min(settle, empty_settle, write_settle, incomplete_settle) < 0:
            raise ValueError("settle intervals must not be negative")
        self.settle = settle
        self.empty_settle = empty_settle
        self.write_settle = write_settle
        self.incomplete_settle = incomplete_settle
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
            # Closed with content, then written again: this writer appends in steps
            # (`cat >>`, a slow sync client), so a close no longer means the end.
            entry.stepwise = entry.stepwise or (entry.complete and entry.size > 0)
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

    def taken_incomplete(self, path: Path) -> bool:
        """Whether ``path`` was handed over although its last record looked open
        (it stayed so for ``incomplete_settle``)."""
        entry = self._entries.get(path)
        return entry is not None and entry.incomplete == (entry.size, entry.mtime_ns)

    def ready(
        self, now: float, content_complete: Callable[[Path], bool] | None = None
    ) -> list[Path]:
        """Files that became complete since last asked, oldest first.

        Age is the file's modification time (kept by a rename, so a download renamed
        into place counts from when it was written), then the order first seen.
        Within one folder, a file that is not complete yet holds back the newer ones,
        so a later export never overtakes an earlier one that is still settling (a
        later correction must not be undone by the original). It holds them back
        for at most ``hold`` seconds from when it was first seen, so one file that
        never settles cannot stall its folder. An empty file holds nothing back:
        whatever is written into it later is newer than the files already there.

        ``content_complete`` (the watcher reads the file's tail) is asked about a
        file that is ready by its events and timing; a file it says is cut short
        waits until it has not changed for ``incomplete_settle``, and is then taken
        anyway (``taken_incomplete`` tells).
        """
        hold = max(self.settle, self.write_settle, self.empty_settle, self.incomplete_settle)
        blocked: set[Path] = set()
        out: list[Path] = []
        order = sorted(self._entries.items(), key=lambda kv: (kv[1].mtime_ns, kv[1].seq))
        for path, entry in order:
            state = (entry.size, entry.mtime_ns)
            if entry.reported == state:
                continue
            if (
                entry.incomplete != state
                and content_complete is not None
                and entry.size > 0
                and self._is_ready(entry, now)
                and not content_complete(path)
            ):
                entry.incomplete = state
            if not self._is_ready(entry, now):
                if entry.size > 0 and now - entry.first_seen < hold:
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
        if entry.incomplete == (entry.size, entry.mtime_ns):
            return quiet_for >= self.incomplete_settle
        if entry.complete:
            return not entry.stepwise or quiet_for >= self.settle
        if entry.saw_write:
            return quiet_for >= self.write_settle
        return quiet_for >= self.settle


def _content_complete(path: Path) -> bool:
    try:
        tail, whole = read_tail(path)
    except OSError:
        return True  # the daemon reports what it cannot read
    return tail_is_complete(tail, whole=whole)


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
        incomplete_settle: float = 60.0,
        recursive: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.folders = [Path(f).absolute() for f in folders]
        self._resolved = {f: f.resolve() for f in self.folders}
        self._on_ready = on_ready
        self._recursive = recursive
        self._clock = clock
        self._tracker = StabilityTracker(
            settle=settle,
            empty_settle=empty_settle,
            write_settle=write_settle,
            incomplete_settle=incomplete_settle,
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
            ready = self._tracker.ready(when, _content_complete)
            cut_short = [p for p in ready if self._tracker.taken_incomplete(p)]
        for path in cut_short:
            log.warning(
                "%s: its last record has no ER line (or it ends mid-line) and it has not "
                "changed for %.0f s; taking it as it is",
                path,
                self._tracker.incomplete_settle,
            )
        taken: list[Path] = []
        for path in ready:
            try:
                self._on_ready(path)
            except Exception:
                log.exception("handling %s failed; it will be offered again on the next scan", path)
                with self._lock:
                    self._tracker.forget(path)
                continue
            taken.append(path)
        return taken

    def pending(self) -> bool:
        """Whether some file in the folders has not been handed over yet."""
        with self._lock:
            return bool(self._tracker.pending())

    def _note_once(self, reason: str, path: Path, level: int, msg: str, *args: object) -> None:
        if (reason, path) in self._noted:
            return
        self._noted.add((reason, path))
        log.log(level, msg, *args)
