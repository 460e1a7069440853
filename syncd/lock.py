"""One writer per state database: the daemon, or a `sync`/`plan` from a terminal.

Two processes writing one state database both plan the same records as new and
both create them (a duplicate for every record). The lock is ``flock`` on a file
beside the database (``state.sqlite.lock``), not a pid file: the kernel drops an
flock the moment its process ends, SIGKILL and power loss included, so a lock is
never stale and nothing has to guess whether a recorded pid is still alive (or was
reused by another program). The holder writes ``PID ROLE`` into the file only so
the others can say who holds it.

A second daemon refuses to start (exit 2). `sync` and `plan` from a terminal
refuse too while the daemon holds the lock: the daemon holds it until it stops, so
waiting would mean waiting for ever; they say to drop the file into a watched
folder instead. They do wait for another `sync`/`plan` (which ends by itself), and
so does a starting daemon. ``syncd status`` only looks (``holder``): it never
takes the lock, so it cannot keep a daemon from starting.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import TracebackType

from syncd.errors import StateError, SyncdError
from syncd.files import ensure_private_dir

log = logging.getLogger(__name__)

#: How long a busy lock is retried before the holder's name decides what to do.
_GRACE = 1.0


class Role(StrEnum):
    DAEMON = "daemon"
    COMMAND = "command"  # sync or plan from a terminal


class AlreadyRunning(SyncdError):
    """Another syncd holds the state database."""

    exit_code = 2


@dataclass(frozen=True, slots=True)
class Holder:
    pid: int
    role: Role | None


def lock_path(state_path: Path) -> Path:
    return state_path.with_name(state_path.name + ".lock")


def _read_holder(fd: int) -> Holder | None:
    try:
        text = os.pread(fd, 100, 0).decode("ascii", "replace").split()
    except OSError:
        return None
    if not text or not text[0].isdigit():
        return None
    role = Role(text[1]) if len(text) > 1 and text[1] in set(Role) else None
    return Holder(int(text[0]), role)


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


class StateLock:
    """The exclusive lock on one state database, held from ``acquire`` to ``release``."""

    def __init__(self, state_path: Path, role: Role) -> None:
        self.path = lock_path(state_path)
        self.role = role
        self._fd: int | None = None

    def acquire(self) -> StateLock:
        ensure_private_dir(self.path.parent)
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as err:
            raise StateError(
                f"cannot open the lock file {self.path}: {err.strerror}",
                hint="check the state folder's permissions",
            ) from err
        try:
            self._wait_for(fd)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()} {self.role}\n".encode(), 0)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return self

    def _wait_for(self, fd: int) -> None:
        # Retried for a moment before anything is decided: the holder may be a
        # ``syncd status`` looking (it holds a shared lock for microseconds), or a
        # holder that has not written its name yet.
        deadline = time.monotonic() + _GRACE
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                break
            time.sleep(0.05)
        else:
            return
        holder = _read_holder(fd)
        if holder is not None and holder.role is Role.DAEMON:
            raise self._refusal(holder)
        who = f"syncd (pid {holder.pid})" if holder else "another syncd"
        log.warning("waiting for %s to finish with %s", who, self.path.with_suffix(""))
        fcntl.flock(fd, fcntl.LOCK_EX)

    def _refusal(self, holder: Holder) -> AlreadyRunning:
        state = self.path.with_suffix("")
        if self.role is Role.DAEMON:
            return AlreadyRunning(
                f"already running (pid {holder.pid}) on the state database {state}",
                hint="one daemon per state database; stop the other one first",
            )
        return AlreadyRunning(
            f"the syncd daemon is running (pid {holder.pid}) on the state database {state}; "
            "this command would write beside it",
            hint="drop the file into a watched folder for the daemon to sync, or stop "
            "the daemon first",
        )

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            # Closing drops the lock; the file stays (removing it would race with a
            # process that has opened it and is about to lock it), emptied.
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            os.close(fd)

    def __enter__(self) -> StateLock:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def holder(state_path: Path) -> Holder | None:
    """Who holds the lock on ``state_path`` now, without taking it; None if nobody.

    A shared lock cannot be had while anybody holds the exclusive one; when it can,
    it is dropped again at once.
    """
    try:
        fd = os.open(lock_path(state_path), os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read_holder(fd) or Holder(0, None)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)
