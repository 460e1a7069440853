from __future__ import annotations

import logging
import os
import shutil
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from syncd.notify import Notifier

# sun_path holds 108 bytes; pytest's tmp_path can be longer than that.
_MAX_SUN_PATH = 100


@pytest.fixture
def sock_dir(tmp_path: Path) -> Iterator[Path]:
    if len(str(tmp_path / "n.sock")) <= _MAX_SUN_PATH:
        yield tmp_path
        return
    short = Path(tempfile.mkdtemp(prefix="sdn"))
    try:
        yield short
    finally:
        shutil.rmtree(short, ignore_errors=True)


@pytest.fixture
def listener(sock_dir: Path) -> Iterator[tuple[socket.socket, str]]:
    path = sock_dir / "n.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(str(path))
    server.settimeout(5)
    try:
        yield server, str(path)
    finally:
        server.close()


@pytest.fixture
def abstract_listener() -> Iterator[tuple[socket.socket, str]]:
    name = f"syncd-test-{uuid.uuid4().hex}"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind("\0" + name)
    server.settimeout(5)
    try:
        yield server, "@" + name
    finally:
        server.close()


def _recv(server: socket.socket) -> str:
    return server.recv(4096).decode()


def test_without_notify_socket_everything_is_a_noop() -> None:
    notifier = Notifier({"WATCHDOG_USEC": "60000000"})
    assert not notifier.enabled
    assert notifier.ready() is False
    assert notifier.status("x") is False
    assert notifier.watchdog() is False
    assert notifier.watchdog_interval() is None


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda n: n.ready(), "READY=1"),
        (lambda n: n.stopping(), "STOPPING=1"),
        (lambda n: n.watchdog(), "WATCHDOG=1"),
        (lambda n: n.status("synced 3 files"), "STATUS=synced 3 files"),
        (lambda n: n.status("line one\nREADY=1"), "STATUS=line one READY=1"),
        (lambda n: n.status("naïve ünïcode"), "STATUS=naïve ünïcode"),
    ],
)
def test_messages_reach_a_path_socket(
    listener: tuple[socket.socket, str], call: Callable[[Notifier], bool], expected: str
) -> None:
    server, path = listener
    notifier = Notifier({"NOTIFY_SOCKET": path})
    try:
        assert notifier.enabled
        assert call(notifier) is True
        assert _recv(server) == expected
    finally:
        notifier.close()


def test_reloading_sends_monotonic_usec(listener: tuple[socket.socket, str]) -> None:
    server, path = listener
    notifier = Notifier({"NOTIFY_SOCKET": path})
    try:
        before = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
        assert notifier.reloading()
        after = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
        lines = _recv(server).split("\n")
    finally:
        notifier.close()
    assert lines[0] == "RELOADING=1"
    key, value = lines[1].split("=")
    assert key == "MONOTONIC_USEC"
    assert before <= int(value) <= after


def test_abstract_socket(abstract_listener: tuple[socket.socket, str]) -> None:
    server, address = abstract_listener
    notifier = Notifier({"NOTIFY_SOCKET": address})
    try:
        assert notifier.ready()
        assert notifier.status("ok")
        assert _recv(server) == "READY=1"
        assert _recv(server) == "STATUS=ok"
    finally:
        notifier.close()


def test_send_failure_is_logged_once_and_never_raises(
    sock_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    notifier = Notifier({"NOTIFY_SOCKET": str(sock_dir / "absent.sock")})
    with caplog.at_level(logging.WARNING, logger="syncd.notify"):
        assert notifier.ready() is False
        assert notifier.watchdog() is False
        assert notifier.status("x") is False
    notifier.close()
    warnings = [r for r in caplog.records if r.name == "syncd.notify"]
    assert len(warnings) == 1
    assert "could not notify systemd" in warnings[0].getMessage()


def test_a_full_receiver_queue_never_blocks_the_sender(
    listener: tuple[socket.socket, str], caplog: pytest.LogCaptureFixture
) -> None:
    # The manager not reading (its queue full) must cost us messages, not a hang.
    _, path = listener
    notifier = Notifier({"NOTIFY_SOCKET": path})
    results: list[bool] = []

    def flood() -> None:
        for i in range(2000):
            results.append(notifier.status(f"message {i}"))

    sender = threading.Thread(target=flood, daemon=True)
    with caplog.at_level(logging.WARNING, logger="syncd.notify"):
        sender.start()
        sender.join(30)
    notifier.close()
    assert not sender.is_alive(), "sending blocked on a full socket queue"
    assert len(results) == 2000
    assert results[0] is True
    assert False in results
    assert len([r for r in caplog.records if r.name == "syncd.notify"]) == 1


def test_recovers_when_the_socket_appears(sock_dir: Path) -> None:
    path = sock_dir / "late.sock"
    notifier = Notifier({"NOTIFY_SOCKET": str(path)})
    assert notifier.ready() is False
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(str(path))
    server.settimeout(5)
    try:
        assert notifier.watchdog() is True
        assert _recv(server) == "WATCHDOG=1"
    finally:
        server.close()
        notifier.close()


@pytest.mark.parametrize("value", ["vsock:2:1234", "relative/path", "@"])
def test_unusable_socket_value_disables(value: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="syncd.notify"):
        notifier = Notifier({"NOTIFY_SOCKET": value})
    assert not notifier.enabled
    assert notifier.ready() is False
    assert any("NOTIFY_SOCKET" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("usec", "pid", "expected"),
    [
        ("60000000", None, 30.0),
        ("60000000", "self", 30.0),
        ("1000000", "self", 0.5),
        ("60000000", "other", None),
        ("60000000", "not-a-pid", None),
        ("0", None, None),
        ("-5", None, None),
        ("abc", None, None),
        (None, None, None),
    ],
)
def test_watchdog_interval(
    listener: tuple[socket.socket, str], usec: str | None, pid: str | None, expected: float | None
) -> None:
    env = {"NOTIFY_SOCKET": listener[1]}
    if usec is not None:
        env["WATCHDOG_USEC"] = usec
    if pid == "self":
        env["WATCHDOG_PID"] = str(os.getpid())
    elif pid == "other":
        env["WATCHDOG_PID"] = str(os.getpid() + 1)
    elif pid is not None:
        env["WATCHDOG_PID"] = pid
    assert Notifier(env).watchdog_interval() == expected


def test_reads_os_environ_by_default(
    listener: tuple[socket.socket, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, path = listener
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    monkeypatch.setenv("WATCHDOG_USEC", "10000000")
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    notifier = Notifier()
    try:
        assert notifier.watchdog_interval() == 5.0
        assert notifier.ready()
        assert _recv(server) == "READY=1"
    finally:
        notifier.close()
