"""One writer per state database (issue 15, item 5): the lock itself."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from syncd.lock import AlreadyRunning, Role, StateLock, holder, lock_path


def test_a_second_daemon_on_one_state_database_is_refused_with_the_first_ones_pid(
    tmp_path: Path,
) -> None:
    state = tmp_path / "state.sqlite"
    with StateLock(state, Role.DAEMON), pytest.raises(AlreadyRunning) as refused:
        StateLock(state, Role.DAEMON).acquire()
    assert f"already running (pid {os.getpid()})" in str(refused.value)
    assert refused.value.exit_code == 2


def test_a_sync_beside_the_daemon_is_refused_and_says_what_to_do(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    with StateLock(state, Role.DAEMON), pytest.raises(AlreadyRunning) as refused:
        StateLock(state, Role.COMMAND).acquire()
    assert f"daemon is running (pid {os.getpid()})" in str(refused.value)
    assert "watched folder" in str(refused.value)


def test_a_sync_waits_for_another_sync_to_finish(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    first = StateLock(state, Role.COMMAND).acquire()
    got = threading.Event()

    def second() -> None:
        with StateLock(state, Role.COMMAND):
            got.set()

    waiter = threading.Thread(target=second)
    waiter.start()
    assert not got.wait(1.5)  # still held by the first
    first.release()
    waiter.join(10)
    assert got.is_set()


def test_the_lock_dies_with_its_process_even_on_sigkill(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from syncd.lock import Role, StateLock; "
            f"StateLock(Path({str(state)!r}), Role.DAEMON).acquire(); "
            "print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "held"
        seen = holder(state)
        assert seen is not None and seen.pid == child.pid and seen.role is Role.DAEMON
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    # No stale pid to clean up: the next daemon simply runs.
    assert holder(state) is None
    with StateLock(state, Role.DAEMON):
        assert holder(state) is not None


def test_looking_at_the_lock_never_keeps_a_daemon_from_starting(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    assert holder(state) is None  # no lock file yet
    with StateLock(state, Role.DAEMON):
        pass
    assert lock_path(state).exists()
    assert holder(state) is None
    with StateLock(state, Role.DAEMON):
        assert holder(state) is not None
