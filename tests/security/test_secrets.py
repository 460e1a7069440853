"""The API key never appears in anything syncd writes or prints.

A full sync and a daemon run at debug verbosity with a known key; then every byte
written (stdout, stderr, logs, reports, the state database and its WAL) is searched
for the key, in the clear and in the usual encodings.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

from daemon_helpers import DaemonProcess, wait_for, write_config
from sync_helpers import export_text, make_records

KNOWN_KEY = "Sx9KeyThatMustNeverLeak42"


def forms(key: str) -> list[bytes]:
    return [
        key.encode(),
        quote(key).encode(),
        base64.b64encode(key.encode()),
        key.encode("utf-16-le"),
        key[:12].encode(),  # a prefix is a leak too
    ]


def assert_absent(data: bytes, where: str) -> None:
    for form in forms(KNOWN_KEY):
        assert form not in data, f"the API key ({form!r}) appears in {where}"


def all_bytes_under(root: Path) -> list[tuple[Path, bytes]]:
    return [(p, p.read_bytes()) for p in root.rglob("*") if p.is_file()]


def test_key_never_written_or_printed(sandbox: Any, tmp_path: Path) -> None:
    sandbox.add_key(KNOWN_KEY, user_id=1, user_write=True)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    cfg = write_config(tmp_path, sandbox, inbox, collection="Imports/Secret", tags=["s"])
    env = {**os.environ, "ZOTERO_API_KEY": KNOWN_KEY}
    export = tmp_path / "direct.ris"
    export.write_text(export_text(make_records(60, prefix="s")), encoding="utf-8")
    runs = []
    for args in (
        ["--help"],
        ["sync", "--help"],
        ["-vv", "--config", str(cfg), "key", "check"],
        ["-vv", "--config", str(cfg), "plan", str(export)],
        ["-vv", "--config", str(cfg), "sync", "--json", str(export)],
        ["-vv", "--config", str(cfg), "status"],
    ):
        runs.append(
            subprocess.run(
                [sys.executable, "-m", "syncd", *args], env=env, capture_output=True, timeout=120
            )
        )
    assert runs[-2].returncode == 0, runs[-2].stderr.decode()
    # A refused key: the error message must not echo it either.
    bad = subprocess.run(
        [sys.executable, "-m", "syncd", "-vv", "--config", str(cfg), "key", "check"],
        env={**env, "ZOTERO_API_KEY": KNOWN_KEY + "X"},
        capture_output=True,
        timeout=60,
    )
    assert bad.returncode != 0
    runs.append(bad)

    # The daemon too, with a burst of files and a file it cannot read.
    daemon = DaemonProcess(cfg, tmp_path, env={"ZOTERO_API_KEY": KNOWN_KEY})
    try:
        daemon.wait_ready()
        for i in range(3):
            (inbox / f"d{i}.ris").write_text(
                export_text(make_records(5, prefix=f"d{i}-")), encoding="utf-8"
            )
        (inbox / "bad.ris").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
        wait_for(
            lambda: (
                len(list((inbox / "processed").glob("*.report.json"))) == 3
                and (inbox / "failed" / "bad.ris.error.txt").exists()
            ),
            60,
            "files processed",
        )
    finally:
        assert daemon.stop() == 0
    for n, run in enumerate(runs):
        assert_absent(run.stdout, f"stdout of run {n}")
        assert_absent(run.stderr, f"stderr of run {n}")
    for path, data in all_bytes_under(tmp_path):
        assert_absent(data, str(path))
    # And the debug log did say something (the test is not vacuous).
    log = (tmp_path / "daemon.log").read_bytes()
    assert b"POST /users/1/items" in log


def test_state_and_reports_are_private(sandbox: Any, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    cfg = write_config(tmp_path, sandbox, inbox)
    daemon = DaemonProcess(cfg, tmp_path)
    try:
        daemon.wait_ready()
        (inbox / "a.ris").write_text(export_text(make_records(2)), encoding="utf-8")
        (inbox / "b.ris").write_bytes(b"")
        wait_for(
            lambda: (
                (inbox / "processed" / "a.ris.report.json").exists()
                and (inbox / "failed" / "b.ris.error.txt").exists()
            ),
            60,
            "reports",
        )
    finally:
        assert daemon.stop() == 0
    private = [
        tmp_path / "state.sqlite",
        inbox / "processed" / "a.ris.report.json",
        inbox / "processed" / "a.ris.report.txt",
        inbox / "failed" / "b.ris.error.txt",
    ]
    for path in private:
        assert path.stat().st_mode & 0o077 == 0, f"{path} is readable by others"
    for folder in (inbox / "processed", inbox / "failed"):
        assert folder.stat().st_mode & 0o077 == 0, f"{folder} is open to others"
