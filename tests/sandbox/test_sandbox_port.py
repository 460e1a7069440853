"""``syncd sandbox --data DIR`` keeps its address across restarts, as it keeps its key."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2

LISTENING = re.compile(r"listening on http://127\.0\.0\.1:(\d+)\s.*key (\w{24})\)")


def _command(data: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "syncd", "sandbox", "--data", str(data), *extra]


@contextmanager
def _running(data: Path, *extra: str) -> Iterator[tuple[int, str]]:
    """A ``syncd sandbox`` process; yields the port and key it printed, then stops it."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(_command(data, *extra), stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = LISTENING.search(line)
        assert match, line
        yield int(match[1]), match[2]
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_kept_sandbox_keeps_its_port_and_key_across_restarts(tmp_path: Path) -> None:
    with _running(tmp_path) as (port, key):
        pass
    with _running(tmp_path) as (port_again, key_again):
        response = httpx2.get(
            f"http://127.0.0.1:{port_again}/users/1/items", headers={"Zotero-API-Key": key}
        )
        assert response.status_code == 200
    assert (port_again, key_again) == (port, key)


def test_a_kept_sandbox_whose_port_is_taken_refuses_with_exit_2(tmp_path: Path) -> None:
    with _running(tmp_path) as (port, _key):
        pass
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", port))
        holder.listen()
        result = subprocess.run(
            _command(tmp_path), capture_output=True, text=True, timeout=60, check=False
        )
    assert result.returncode == 2
    assert f"listened on 127.0.0.1:{port} last time" in result.stderr
    assert "taken now" in result.stderr
    assert "--port" in result.stderr
    assert "listening" not in result.stdout


def test_an_explicit_port_moves_a_kept_sandbox_and_is_kept(tmp_path: Path) -> None:
    with _running(tmp_path) as (first, _key):
        pass
    wanted = _free_port()
    while wanted == first:
        wanted = _free_port()
    with _running(tmp_path, "--port", str(wanted)) as (moved, _key):
        assert moved == wanted
    with _running(tmp_path) as (again, _key):
        assert again == wanted


def test_an_in_memory_sandbox_keeps_nothing(tmp_path: Path) -> None:
    # Without --data there is no directory to keep a port in, and none is made.
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "syncd", "sandbox"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        assert proc.stdout is not None
        assert LISTENING.search(proc.stdout.readline())
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    assert list(tmp_path.iterdir()) == []
