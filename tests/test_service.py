"""Issue 6 acceptance: `syncd run` as a subprocess against the sandbox."""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any

import daemon_helpers
from daemon_helpers import DaemonProcess, reports, wait_for, write_config
from sync_helpers import doi_counts, export_text, make_records

inbox = daemon_helpers.inbox  # the fixture: a watched folder, empty


def processed(inbox: Path) -> list[Path]:
    folder = inbox / "processed"
    if not folder.exists():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if not p.name.endswith((".json", ".txt")) or p.name.endswith(".ris.txt")
    )


def test_daemon_takes_complete_files_once(sandbox: Any, tmp_path: Path, inbox: Path) -> None:
    cfg = write_config(tmp_path, sandbox, inbox, collection="Imports/Daemon", tags=["from-daemon"])
    daemon = DaemonProcess(cfg, tmp_path)
    try:
        daemon.wait_ready()
        # 1. Written slowly, in pieces: taken only once complete.
        slow = inbox / "slow.ris"
        text = export_text(make_records(3, prefix="slow"))
        with open(slow, "w", encoding="utf-8") as f:
            f.write(text[: len(text) // 2])
            f.flush()
            time.sleep(1.2)
            f.write(text[len(text) // 2 :])
        # 2. Saved under a temporary name, then renamed in.
        part = inbox / "renamed.ris.part"
        part.write_text(export_text(make_records(2, prefix="ren")), encoding="utf-8")
        # 3. A temporary name that is never renamed is never taken.
        (inbox / "download.ris.crdownload").write_text(
            export_text(make_records(1, prefix="tmp")), encoding="utf-8"
        )
        time.sleep(0.5)
        part.rename(inbox / "renamed.ris")
        # 4. A burst of 50 files.
        for i in range(50):
            (inbox / f"burst{i:02}.txt").write_text(
                export_text(make_records(1, prefix=f"b{i}-")), encoding="utf-8"
            )
        wait_for(lambda: len(reports(inbox)) == 52, 120, "52 reports")
    finally:
        assert daemon.stop() == 0
    counts = doi_counts(sandbox)
    assert all(c == 1 for c in counts.values())
    assert {d for d in counts if "slow" in d} == {f"10.5555/slow{i}" for i in range(3)}
    assert {d for d in counts if "ren" in d} == {"10.5555/ren0", "10.5555/ren1"}
    assert not any("tmp" in d for d in counts)
    assert len([d for d in counts if "/b" in d]) == 50
    assert (inbox / "download.ris.crdownload").exists()
    assert not (inbox / "slow.ris").exists()
    assert (inbox / "processed" / "slow.ris").exists()
    assert (inbox / "processed" / "slow.ris.report.txt").read_text().count("created") >= 3
    # sd_notify over a real datagram socket: READY, STATUS with counts, STOPPING.
    assert any("READY=1" in m for m in daemon.messages)
    assert any("processed" in m for m in daemon.messages if m.startswith("STATUS="))
    assert any(m.startswith("STATUS=") for m in daemon.messages)
    assert any("STOPPING=1" in m for m in daemon.messages)


def test_same_content_again_is_reported_not_reimported(
    sandbox: Any, tmp_path: Path, inbox: Path
) -> None:
    cfg = write_config(tmp_path, sandbox, inbox)
    daemon = DaemonProcess(cfg, tmp_path)
    text = export_text(make_records(2))
    try:
        daemon.wait_ready()
        (inbox / "a.ris").write_text(text, encoding="utf-8")
        wait_for(lambda: len(reports(inbox)) == 1, 60, "first report")
        writes = sandbox.count(kind="write")
        (inbox / "a.ris").write_text(text, encoding="utf-8")
        wait_for(lambda: len(reports(inbox)) == 2, 60, "second report")
    finally:
        assert daemon.stop() == 0
    assert sandbox.count(kind="write") == writes
    second = inbox / "processed" / "a-1.ris.report.txt"
    assert "not imported again" in second.read_text()
    assert (inbox / "processed" / "a-1.ris").read_text(encoding="utf-8") == text


def test_unreadable_file_goes_to_failed_with_an_explanation(
    sandbox: Any, tmp_path: Path, inbox: Path
) -> None:
    cfg = write_config(tmp_path, sandbox, inbox)
    daemon = DaemonProcess(cfg, tmp_path)
    try:
        daemon.wait_ready()
        # EndNote's Refer export (%0 tags): no format syncd reads.
        (inbox / "refs.ris").write_text("%0 Journal Article\n%T Not RIS\n", encoding="utf-8")
        wait_for(lambda: (inbox / "failed" / "refs.ris.error.txt").exists(), 60, "error file")
    finally:
        assert daemon.stop() == 0
    error = (inbox / "failed" / "refs.ris.error.txt").read_text()
    assert "EndNote/Refer" in error
    assert "What to do" in error
    assert (inbox / "failed" / "refs.ris").exists()


def test_sigkill_during_import_loses_and_duplicates_nothing(
    sandbox: Any, tmp_path: Path, inbox: Path
) -> None:
    rng = random.Random(20261125)
    n_files, per_file = 5, 100
    for f in range(n_files):
        records = make_records(per_file, prefix=f"k{f}-")
        (inbox / f"export{f}.ris").write_text(export_text(records), encoding="utf-8")
    cfg = write_config(tmp_path, sandbox, inbox)
    # Slow the sandbox down so kills land mid-import.
    from syncd.sandbox import FaultPlan

    # 300 ms a response, so the poll below sees each batch land well before the next.
    sandbox.faults = FaultPlan(latency_ms=300)
    at_kill: list[int] = []
    for _ in range(5):
        # Writes are counted from the request log, which is written as each answer
        # leaves (reading the library itself would wait for the sandbox's lock).
        before = sandbox.count(kind="write", status=200)
        daemon = DaemonProcess(cfg, tmp_path)
        daemon.wait_ready()
        deadline = time.monotonic() + 60
        while sandbox.count(kind="write", status=200) <= before and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.1))
        daemon.kill()
        daemon.stop()
        at_kill.append(len(doi_counts(sandbox)))
    # Each kill comes while the next batch is on the wire; the sandbox, like a real
    # server, still commits it: the crash between "sent" and "confirmed". All but
    # possibly the last kill land before the import is complete.
    assert sum(0 < n < n_files * per_file for n in at_kill) >= 4, at_kill
    sandbox.faults = FaultPlan()
    daemon = DaemonProcess(cfg, tmp_path)
    try:
        daemon.wait_ready()
        wait_for(lambda: len(reports(inbox)) == n_files, 120, "all files processed")
    finally:
        assert daemon.stop() == 0
    counts = doi_counts(sandbox)
    expected = {f"10.5555/k{f}-{i}" for f in range(n_files) for i in range(per_file)}
    assert set(counts) == expected
    assert all(c == 1 for c in counts.values())
    assert not list(inbox.glob("*.ris"))


def test_sigterm_stops_within_30_seconds_and_the_rest_follows_on_restart(
    sandbox: Any, tmp_path: Path, inbox: Path
) -> None:
    (inbox / "big.ris").write_text(export_text(make_records(400)), encoding="utf-8")
    from syncd.sandbox import FaultPlan

    sandbox.faults = FaultPlan(latency_ms=300)
    cfg = write_config(tmp_path, sandbox, inbox)
    daemon = DaemonProcess(cfg, tmp_path)
    daemon.wait_ready()
    wait_for(lambda: sandbox.count(kind="write") >= 1, 30, "the first batch")
    started = time.monotonic()
    assert daemon.stop(timeout=30) == 0
    assert time.monotonic() - started < 30
    # It stopped between batches: part of the file is in, the file waits in the inbox.
    assert 0 < len(doi_counts(sandbox)) < 400
    assert (inbox / "big.ris").exists()
    sandbox.faults = FaultPlan()
    again = DaemonProcess(cfg, tmp_path)
    try:
        again.wait_ready()
        wait_for(lambda: (inbox / "processed" / "big.ris.report.json").exists(), 60, "report")
    finally:
        assert again.stop() == 0
    counts = doi_counts(sandbox)
    assert len(counts) == 400 and set(counts.values()) == {1}


def test_sighup_reloads_the_configuration(sandbox: Any, tmp_path: Path, inbox: Path) -> None:
    import signal

    cfg = write_config(tmp_path, sandbox, inbox)
    daemon = DaemonProcess(cfg, tmp_path)
    second = tmp_path / "second-inbox"
    try:
        daemon.wait_ready()
        cfg.write_text(
            cfg.read_text() + f'\n[[watch]]\npath = "{second}"\ntags = ["from-second"]\n',
            encoding="utf-8",
        )
        daemon.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: second.is_dir(), 30, "the new folder to be watched")
        (second / "new.ris").write_text(export_text(make_records(1, prefix="hup")), "utf-8")
        wait_for(lambda: (second / "processed" / "new.ris.report.json").exists(), 60, "report")
        # A broken configuration is refused and the daemon carries on.
        cfg.write_text("[zotero\n", encoding="utf-8")
        daemon.proc.send_signal(signal.SIGHUP)
        time.sleep(1.0)
        assert daemon.proc.poll() is None
    finally:
        assert daemon.stop() == 0
    (item,) = [i for i in sandbox.all_items("users/1") if i.get("DOI") == "10.5555/hup0"]
    assert {"tag": "from-second"} in item["tags"]
    assert "configuration not reloaded" in daemon.log.read_text()
