"""Running `syncd run` as a real subprocess against the sandbox.

A test module that wants the ``inbox`` fixture binds it at module level
(``inbox = daemon_helpers.inbox``): imported by name, every test's argument would
shadow an unused import.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import TEST_KEY


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    """A watched folder, empty."""
    path = tmp_path / "inbox"
    path.mkdir()
    return path


def reports(inbox: Path) -> list[Path]:
    """The JSON reports in the folder's processed/, by name."""
    folder = inbox / "processed"
    return sorted(folder.glob("*.report.json")) if folder.exists() else []


def write_config(
    tmp: Path, sandbox: Any, inbox: Path, *, incomplete: float = 60.0, **watch: Any
) -> Path:
    extra = "".join(f"{k} = {v!r}\n".replace("'", '"') for k, v in watch.items())
    cfg = tmp / "config.toml"
    cfg.write_text(
        f"""
[zotero]
library_type = "user"
library_id = 1
base_url = "{sandbox.url}"

[state]
path = "{tmp / "state.sqlite"}"

[daemon]
settle = 0.3
rescan = 1
refresh = 30
retry = 0.2
incomplete = {incomplete}

[[watch]]
path = "{inbox}"
{extra}
""",
        encoding="utf-8",
    )
    return cfg


class DaemonProcess:
    """`syncd run` in a subprocess, with a real NOTIFY_SOCKET to see READY."""

    def __init__(self, config: Path, tmp: Path, env: dict[str, str] | None = None) -> None:
        self.config = config
        self.sock_path = tmp / f"notify-{time.monotonic_ns()}.sock"
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(self.sock_path))
        self.sock.settimeout(0.2)
        self.log = tmp / "daemon.log"
        self.messages: list[str] = []
        full_env = {
            **os.environ,
            "ZOTERO_API_KEY": TEST_KEY,
            "NOTIFY_SOCKET": str(self.sock_path),
            **(env or {}),
        }
        # Like systemd, read notifications as they come: a unix datagram queue holds
        # only a few messages, and the daemon drops (never blocks on) the rest.
        self._closing = threading.Event()
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()
        self.logf = open(self.log, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "syncd", "--config", str(config), "-v", "run"],
            env=full_env,
            stdout=self.logf,
            stderr=subprocess.STDOUT,
        )

    def _read_loop(self) -> None:
        while not self._closing.is_set():
            try:
                self.messages.append(self.sock.recv(4096).decode())
            except (TimeoutError, BlockingIOError):
                continue
            except OSError:
                return

    def read_notifications(self) -> None:
        """Give the reader a moment to catch up."""
        time.sleep(0.3)

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.read_notifications()
            if any("READY=1" in m for m in self.messages):
                return
            if self.proc.poll() is not None:
                raise AssertionError(f"daemon exited early:\n{self.log.read_text()}")
        raise AssertionError(f"daemon not ready in {timeout} s:\n{self.log.read_text()}")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self, timeout: float = 30.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
                raise AssertionError("daemon did not stop within the timeout") from None
        self.read_notifications()
        self._closing.set()
        self._reader.join(2)
        self.logf.close()
        self.sock.close()
        self.sock_path.unlink(missing_ok=True)
        return int(self.proc.returncode)


def wait_for(predicate: Callable[[], bool], timeout: float = 60.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what or predicate}")
