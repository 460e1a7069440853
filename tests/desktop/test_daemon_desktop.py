"""`syncd run` with a Zotero desktop library (the sandbox's local mode) beside a Web one."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import TEST_KEY
from daemon_helpers import DaemonProcess, wait_for
from sync_helpers import export_text, make_records

from syncd.cli import main
from syncd.errors import DESKTOP_UNREACHABLE
from syncd.sandbox import FaultPlan, Sandbox

DESK_KEY = "d" * 32
GROUP = 7


@pytest.fixture
def desk() -> Iterator[Sandbox]:
    sb = Sandbox(local=True, server_id="SERVERID0001")
    assert sb.local is not None
    sb.local.add_key(DESK_KEY)
    sb.start()
    try:
        yield sb
    finally:
        sb.stop()


def write_config(tmp: Path, desk: Sandbox, web: Sandbox | None = None) -> Path:
    default = (
        f'[zotero]\nlibrary_type = "group"\nlibrary_id = {GROUP}\nbase_url = "{web.url}"\n'
        if web is not None
        else ""
    )
    lab = f'[[watch]]\npath = "{tmp / "lab"}"\nlibrary = "default"\n' if web is not None else ""
    cfg = tmp / "config.toml"
    cfg.write_text(
        f"""{default}
[[library]]
name = "desktop"
api = "local"
type = "user"
id = 0
base_url = "{desk.local_url}"

[state]
path = "{tmp / "state.sqlite"}"

[daemon]
settle = 0.3
rescan = 1
refresh = 30
retry = 0.2

[[watch]]
path = "{tmp / "desk"}"
library = "desktop"
{lab}""",
        encoding="utf-8",
    )
    for name in ("desk", "lab"):
        (tmp / name).mkdir(exist_ok=True)
    return cfg


def dois(sb: Sandbox, library: str) -> Counter[str]:
    return Counter(
        str(i.get("DOI", "")).lower()
        for i in sb.all_items(library)
        if i.get("itemType") not in ("note", "attachment")
    )


def done(folder: Path) -> int:
    return len(list((folder / "processed").glob("*.report.json")))


def test_zotero_closed_at_start_then_opened_the_daemon_resumes_by_itself(
    desk: Sandbox, tmp_path: Path
) -> None:
    port = desk.port
    cfg = write_config(tmp_path, desk)
    desk.stop()
    daemon = DaemonProcess(cfg, tmp_path, env={"ZOTERO_API_KEY_DESKTOP": DESK_KEY})
    try:
        daemon.wait_ready()
        (tmp_path / "desk" / "a.ris").write_text(export_text(make_records(4)), encoding="utf-8")
        wait_for(lambda: DESKTOP_UNREACHABLE in daemon.log.read_text(), 30, "the warning")
        status = CliRunner().invoke(main, ["--config", str(cfg), "status", "--library", "desktop"])
        assert DESKTOP_UNREACHABLE in status.output
        assert done(tmp_path / "desk") == 0
        desk.start(port)
        wait_for(lambda: done(tmp_path / "desk") == 1, 60, "the file synced")
    finally:
        assert daemon.stop() == 0
    assert set(dois(desk, desk.local_library).values()) == {1}
    assert len(dois(desk, desk.local_library)) == 4
    (report,) = (tmp_path / "desk" / "processed").glob("*.report.json")
    assert json.loads(report.read_text())["library"] == "desktop"


def test_one_daemon_feeds_a_web_group_and_the_desktop_and_survives_sigkill(
    desk: Sandbox, sandbox: Sandbox, tmp_path: Path
) -> None:
    sandbox.add_group_library(GROUP)
    sandbox.add_key(TEST_KEY, user_id=1, groups={GROUP: True})
    cfg = write_config(tmp_path, desk, sandbox)
    per_file = 150
    for name in ("lab", "desk"):
        records = make_records(per_file, prefix=f"{name}-")
        (tmp_path / name / f"{name}.ris").write_text(export_text(records), encoding="utf-8")
    env = {"ZOTERO_API_KEY_DESKTOP": DESK_KEY}
    rng = random.Random(19)
    sandbox.faults = desk.faults = FaultPlan(latency_ms=150)
    at_kill: list[int] = []
    for _ in range(3):
        before = sandbox.count(kind="write", status=200) + desk.count(kind="write", status=200)
        daemon = DaemonProcess(cfg, tmp_path, env=env)
        daemon.wait_ready()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and before >= sandbox.count(
            kind="write", status=200
        ) + desk.count(kind="write", status=200):
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.1))
        daemon.kill()
        daemon.stop()
        at_kill.append(sum(dois(sandbox, f"groups/{GROUP}").values()))
        at_kill[-1] += sum(dois(desk, desk.local_library).values())
    # The kills land mid-import, not after it.
    assert any(0 < n < 2 * per_file for n in at_kill), at_kill
    sandbox.faults = desk.faults = FaultPlan()
    daemon = DaemonProcess(cfg, tmp_path, env=env)
    try:
        daemon.wait_ready()
        wait_for(
            lambda: done(tmp_path / "lab") == 1 and done(tmp_path / "desk") == 1,
            120,
            "both files processed",
        )
    finally:
        assert daemon.stop() == 0
    lab, mine = dois(sandbox, f"groups/{GROUP}"), dois(desk, desk.local_library)
    assert set(lab) == {f"10.5555/lab-{i}" for i in range(per_file)}
    assert set(mine) == {f"10.5555/desk-{i}" for i in range(per_file)}
    assert set(lab.values()) == set(mine.values()) == {1}
    assert not dois(sandbox, "users/1")
    # Neither key is anywhere syncd wrote.
    written = [daemon.log, *tmp_path.glob("state.sqlite*"), *tmp_path.glob("*/processed/*")]
    for path in written:
        data = path.read_bytes()
        assert DESK_KEY.encode() not in data and TEST_KEY.encode() not in data, path


def test_a_spent_one_time_key_holds_the_file_until_a_lasting_key_comes(
    desk: Sandbox, tmp_path: Path
) -> None:
    assert desk.local is not None
    desk.local.add_key("o" * 32, lasting=False)
    creds = tmp_path / "credentials"
    creds.mkdir()
    (creds / "zotero-api-key-desktop").write_text("o" * 32, encoding="utf-8")
    cfg = write_config(tmp_path, desk)
    (tmp_path / "desk" / "a.ris").write_text(export_text(make_records(120)), encoding="utf-8")
    daemon = DaemonProcess(cfg, tmp_path, env={"CREDENTIALS_DIRECTORY": str(creds)})
    try:
        daemon.wait_ready()
        wait_for(lambda: "Always Allow" in daemon.log.read_text(), 30, "what to do")
        assert 0 < len(dois(desk, desk.local_library)) < 120
        assert done(tmp_path / "desk") == 0
        desk.local.add_key(DESK_KEY)
        (creds / "zotero-api-key-desktop").write_text(DESK_KEY, encoding="utf-8")
        wait_for(lambda: done(tmp_path / "desk") == 1, 60, "the file finished")
    finally:
        assert daemon.stop() == 0
    counts = dois(desk, desk.local_library)
    assert len(counts) == 120 and set(counts.values()) == {1}
    assert "o" * 32 not in daemon.log.read_text()


def test_run_once_with_zotero_closed_exits_75_and_keeps_the_file(
    desk: Sandbox, tmp_path: Path
) -> None:
    cfg = write_config(tmp_path, desk)
    desk.stop()
    (tmp_path / "desk" / "a.ris").write_text(export_text(make_records(2)), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "syncd", "--config", str(cfg), "run", "--once"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "ZOTERO_API_KEY_DESKTOP": DESK_KEY},
    )
    assert run.returncode == 75, run.stderr
    assert DESKTOP_UNREACHABLE in run.stderr
    assert (tmp_path / "desk" / "a.ris").exists()


def test_run_once_with_zotero_closed_and_nothing_for_it_exits_0(
    desk: Sandbox, tmp_path: Path
) -> None:
    cfg = write_config(tmp_path, desk)
    desk.stop()
    run = subprocess.run(
        [sys.executable, "-m", "syncd", "--config", str(cfg), "run", "--once"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "ZOTERO_API_KEY_DESKTOP": DESK_KEY},
    )
    assert run.returncode == 0, run.stderr


def test_another_server_id_stops_the_desktop_library_and_says_why(
    desk: Sandbox, tmp_path: Path
) -> None:
    cfg = write_config(tmp_path, desk)
    daemon = DaemonProcess(cfg, tmp_path, env={"ZOTERO_API_KEY_DESKTOP": DESK_KEY})
    try:
        daemon.wait_ready()
        (tmp_path / "desk" / "a.ris").write_text(export_text(make_records(2)), encoding="utf-8")
        wait_for(lambda: done(tmp_path / "desk") == 1, 60, "the first file")
        desk.restart(server_id="SERVERID0002")
        desk.clear_log()
        (tmp_path / "desk" / "b.ris").write_text(
            export_text(make_records(2, prefix="b")), encoding="utf-8"
        )
        wait_for(lambda: "another Zotero profile" in daemon.log.read_text(), 30, "the reason")
        status = CliRunner().invoke(main, ["--config", str(cfg), "status", "--library", "desktop"])
        assert "SERVERID0002" in status.output and "SERVERID0001" in status.output
    finally:
        assert daemon.stop() == 0
    assert done(tmp_path / "desk") == 1
    assert (tmp_path / "desk" / "b.ris").exists()
    assert desk.count(kind="write") == 0
    assert len(dois(desk, desk.local_library)) == 2
