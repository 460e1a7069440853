"""Issue 15, items 4, 5, 7, 8, 9, 11, 12: `syncd run` as a subprocess against the sandbox.

Every file gets an outcome, nothing is taken half, one daemon per state database,
`syncd status` tells what happened, and a file's report covers all its runs.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import daemon_helpers
import pytest
from attachment_helpers import pdf, record
from conftest import TEST_KEY
from daemon_helpers import DaemonProcess, reports, wait_for, write_config
from sync_helpers import doi_counts, export_text, make_records, regular_items

from syncd.sandbox import FaultPlan, validate

inbox = daemon_helpers.inbox  # the fixture: a watched folder, empty

# syncd cuts values to the API's documented limits, so the tests that need a refusal
# lower the sandbox's field limit below this abstract (a stricter server still refuses).
HUGE = "TY  - JOUR\nTI  - Too long\nDO  - 10.4242/huge\nAB  - " + "x" * 2_000 + "\nER  - \n"


def syncd(
    cfg: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "syncd", "--config", str(cfg), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "ZOTERO_API_KEY": TEST_KEY, **(env or {})},
    )


# -- item 5: one daemon per state database ------------------------------------------


def test_a_second_daemon_and_a_sync_beside_it_are_refused(
    sandbox: Any, tmp_path: Path, inbox: Path
) -> None:
    cfg = write_config(tmp_path, sandbox, inbox)
    export = tmp_path / "a.ris"
    export.write_text(export_text(make_records(3)), encoding="utf-8")
    daemon = DaemonProcess(cfg, tmp_path)
    try:
        daemon.wait_ready()
        second = syncd(cfg, "run")
        manual = syncd(cfg, "sync", str(export))
    finally:
        assert daemon.stop() == 0
    assert second.returncode == 2
    assert f"already running (pid {daemon.proc.pid})" in second.stderr
    assert manual.returncode == 2
    assert f"daemon is running (pid {daemon.proc.pid})" in manual.stderr
    assert sandbox.count(kind="write") == 0
    # Once the daemon is gone, the same sync runs.
    assert syncd(cfg, "sync", str(export)).returncode == 0


# -- items 7 and 8: every file gets an outcome, none holds up its folder --------------


def test_files_of_any_extension_get_an_outcome_with_a_clear_message(
    sandbox: Any, tmp_path: Path, inbox: Path
) -> None:
    cfg = write_config(tmp_path, sandbox, inbox)
    daemon = DaemonProcess(cfg, tmp_path)
    try:
        daemon.wait_ready()
        (inbox / "refs.enw").write_text("%0 Journal Article\n%T Not RIS\n", encoding="utf-8")
        (inbox / "export.xml").write_text("<?xml version='1.0'?>\n<catalog/>\n", "utf-8")
        (inbox / "savedrecs.dat").write_text(export_text(make_records(1)), encoding="utf-8")
        errors = [inbox / "failed" / f"{n}.error.txt" for n in ("refs.enw", "export.xml")]
        wait_for(lambda: all(e.exists() for e in errors), 60, "two error files")
        wait_for(lambda: len(reports(inbox)) == 1, 60, "the RIS file's report")
    finally:
        assert daemon.stop() == 0
    refer, xml = (e.read_text() for e in errors)
    assert "EndNote/Refer" in refer and "XML" in xml
    assert all("RIS" in text and "BibTeX" in text for text in (refer, xml))  # what is read
    assert not [p for p in inbox.iterdir() if p.is_file()]


def test_a_document_waits_in_its_folder_for_the_export_that_names_it(
    sandbox: Any, tmp_path: Path, inbox: Path
) -> None:
    cfg = write_config(tmp_path, sandbox, inbox)
    daemon = DaemonProcess(cfg, tmp_path)
    try:
        daemon.wait_ready()
        (inbox / "paper.pdf").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
        (inbox / "savedrecs.dat").write_text(export_text(make_records(1)), encoding="utf-8")
        wait_for(lambda: len(reports(inbox)) == 1, 60, "the RIS file's report")
    finally:
        assert daemon.stop() == 0
    assert (inbox / "paper.pdf").exists()
    assert not (inbox / "failed" / "paper.pdf").exists()


def waiting_documents(cfg: Path) -> list[dict[str, Any]]:
    return list(json.loads(syncd(cfg, "status", "--json").stdout)["documents_waiting"])


def test_a_document_no_export_names_is_reported_when_its_wait_ends_and_stays(
    sandbox: Any, tmp_path: Path, inbox: Path
) -> None:
    cfg = write_config(tmp_path, sandbox, inbox)
    cfg.write_text(cfg.read_text().replace("[daemon]\n", "[daemon]\ndocument_wait = 1\n"))
    daemon = DaemonProcess(cfg, tmp_path)
    try:
        daemon.wait_ready()
        pdf(inbox / "orphan.pdf", "orphan")
        wait_for(lambda: "no export named" in daemon.log.read_text(), 60, "the report")
        text = syncd(cfg, "status").stdout
        (waiting,) = waiting_documents(cfg)
    finally:
        assert daemon.stop() == 0
    assert "orphan.pdf: no export named this document within 1 s" in daemon.log.read_text()
    assert waiting["file"] == str(inbox / "orphan.pdf") and waiting["unnamed_at"]
    assert f"{inbox / 'orphan.pdf'}: no export named it" in text
    assert (inbox / "orphan.pdf").exists() and not (inbox / "failed").exists()


def test_a_waiting_document_the_next_export_names_waits_no_more(
    sandbox: Any, tmp_path: Path, inbox: Path
) -> None:
    cfg = write_config(tmp_path, sandbox, inbox)
    daemon = DaemonProcess(cfg, tmp_path)
    try:
        daemon.wait_ready()
        pdf(inbox / "paper.pdf", "paper")
        wait_for(lambda: "is a document" in daemon.log.read_text(), 60, "the document seen")
        (listed,) = waiting_documents(cfg)
        (inbox / "paper.ris").write_text(record("10.5555/paper"), encoding="utf-8")
        wait_for(lambda: len(reports(inbox)) == 1, 60, "the export's report")
        after = waiting_documents(cfg)
    finally:
        assert daemon.stop() == 0
    assert listed["file"] == str(inbox / "paper.pdf") and listed["unnamed_at"] is None
    assert "attachment uploaded" in (inbox / "processed" / "paper.ris.report.txt").read_text()
    assert after == []


def test_an_empty_file_does_not_hold_up_the_rest_of_its_folder(
    sandbox: Any, tmp_path: Path, inbox: Path
) -> None:
    cfg = write_config(tmp_path, sandbox, inbox)
    daemon = DaemonProcess(cfg, tmp_path)
    try:
        daemon.wait_ready()
        (inbox / "empty.ris").write_bytes(b"")
        time.sleep(0.5)
        (inbox / "good.ris").write_text(export_text(make_records(1)), encoding="utf-8")
        # An empty file waits 30 s for content; the file after it must not.
        wait_for(lambda: len(reports(inbox)) == 1, 20, "the good file's report")
        assert (inbox / "empty.ris").exists()
    finally:
        assert daemon.stop() == 0
    assert set(doi_counts(sandbox)) == {"10.5555/r0"}


# -- item 4: a file written in steps is imported whole, once ------------------------


def test_a_file_appended_in_steps_is_imported_once_and_whole(
    sandbox: Any, tmp_path: Path, inbox: Path
) -> None:
    cfg = write_config(tmp_path, sandbox, inbox)
    # The default settle; the writer appends every 1.5 s, as in the issue.
    cfg.write_text(cfg.read_text().replace("settle = 0.3", "settle = 2.0"), "utf-8")
    text = export_text(make_records(8, prefix="step", title="Export of nitrogen in rivers"))
    cuts = [0, len(text) // 4 + 3, len(text) // 2 + 7, 3 * len(text) // 4 + 1, len(text)]
    daemon = DaemonProcess(cfg, tmp_path)
    try:
        daemon.wait_ready()
        for a, b in itertools.pairwise(cuts):
            with open(inbox / "slow.ris", "a", encoding="utf-8") as f:  # as `cat >>` does
                f.write(text[a:b])
            time.sleep(1.5)
        wait_for(lambda: len(reports(inbox)) >= 1, 60, "a report")
        time.sleep(1.0)
    finally:
        assert daemon.stop() == 0
    assert [p.name for p in reports(inbox)] == ["slow.ris.report.json"]
    assert (inbox / "processed" / "slow.ris").read_text(encoding="utf-8") == text
    items = regular_items(sandbox)
    assert sorted(i["DOI"] for i in items) == sorted(f"10.5555/step{i}" for i in range(8))
    assert {i["title"] for i in items} == {"Export of nitrogen in rivers"}


def test_a_file_that_grows_while_it_is_synced_is_synced_again_whole_in_one_report(
    sandbox: Any, tmp_path: Path, inbox: Path
) -> None:
    # Three batches a second apart: the file grows while the second is on the wire.
    sandbox.faults = FaultPlan(latency_ms=1000, apply_to=("POST",))
    cfg = write_config(tmp_path, sandbox, inbox)
    first, more = make_records(120, prefix="g"), make_records(5, prefix="more")
    (inbox / "grows.ris").write_text(export_text(first), encoding="utf-8")
    daemon = DaemonProcess(cfg, tmp_path)
    try:
        daemon.wait_ready()
        wait_for(lambda: sandbox.count(kind="write", status=200) >= 1, 60, "the first batch")
        with open(inbox / "grows.ris", "a", encoding="utf-8") as f:
            f.write("\n" + export_text(more))
        wait_for(lambda: len(reports(inbox)) >= 1, 120, "a report")
    finally:
        assert daemon.stop() == 0
    counts = doi_counts(sandbox)
    assert len(counts) == 125 and set(counts.values()) == {1}
    assert [p.name for p in reports(inbox)] == ["grows.ris.report.json"]
    report = json.loads(reports(inbox)[0].read_text())
    assert report["summary"]["created"] == 125
    assert report["summary"]["unchanged"] == 0


# -- item 11: a file's report covers all its runs -----------------------------------


def test_after_sigterm_and_restart_the_report_counts_every_record_created(
    sandbox: Any, tmp_path: Path, inbox: Path
) -> None:
    (inbox / "big.ris").write_text(export_text(make_records(300)), encoding="utf-8")
    sandbox.faults = FaultPlan(latency_ms=300)
    cfg = write_config(tmp_path, sandbox, inbox)
    daemon = DaemonProcess(cfg, tmp_path)
    daemon.wait_ready()
    wait_for(lambda: sandbox.count(kind="write", status=200) >= 1, 30, "the first batch")
    assert daemon.stop(timeout=30) == 0
    assert 0 < len(doi_counts(sandbox)) < 300
    sandbox.faults = FaultPlan()
    again = DaemonProcess(cfg, tmp_path)
    try:
        again.wait_ready()
        wait_for(lambda: len(reports(inbox)) == 1, 60, "report")
    finally:
        assert again.stop() == 0
    report = json.loads(reports(inbox)[0].read_text())
    assert report["summary"]["created"] == 300
    assert report["summary"]["unchanged"] == 0
    assert len(report["records"]) == 300
    assert "300 created" in (inbox / "processed" / "big.ris.report.txt").read_text()


# -- item 9: syncd status ------------------------------------------------------------


def test_status_names_failures_counts_items_not_notes_and_tells_if_the_daemon_runs(
    sandbox: Any, tmp_path: Path, inbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(validate, "FIELD_MAX_BYTES", 1_000)
    cfg = write_config(tmp_path, sandbox, inbox)
    daemon = DaemonProcess(cfg, tmp_path)
    try:
        daemon.wait_ready()
        records = make_records(3, notes=("A child note",))
        (inbox / "mixed.ris").write_text(export_text(records) + HUGE, encoding="utf-8")
        wait_for(lambda: len(reports(inbox)) == 1, 60, "the report")
        (inbox / "refs.enw").write_text("%0 Journal Article\n%T Not RIS\n", encoding="utf-8")
        wait_for(lambda: (inbox / "failed" / "refs.enw").exists(), 60, "the failed file")
        running = json.loads(syncd(cfg, "status", "--json").stdout)
        text = syncd(cfg, "status").stdout
    finally:
        assert daemon.stop() == 0
    stopped = json.loads(syncd(cfg, "status", "--json").stdout)
    assert running["daemon_running"] is True and running["daemon_pid"] == daemon.proc.pid
    assert stopped["daemon_running"] is False
    assert [f["file"] for f in running["failed_files_today"]] == [str(inbox / "refs.enw")]
    assert "EndNote/Refer" in running["failed_files_today"][0]["why"]
    (refused,) = running["refused_records_today"]
    assert refused["title"] == "Too long" and refused["file"] == str(inbox / "mixed.ris")
    assert running["last_error"] and "refs.enw" in running["last_error"]
    assert running["mirror_items"] == 3  # three items; their notes are not items
    assert f"running (pid {daemon.proc.pid})" in text
    assert "as of the last refresh" in text
    assert "refs.enw" in text and "'Too long'" in text
    assert "not running" in syncd(cfg, "status").stdout


# -- item 12: run --once and sync --report -------------------------------------------


def test_run_once_syncs_what_is_there_and_exits_with_the_usual_codes(
    sandbox: Any, tmp_path: Path, inbox: Path
) -> None:
    cfg = write_config(tmp_path, sandbox, inbox)
    (inbox / "a.ris").write_text(export_text(make_records(2, prefix="a")), encoding="utf-8")
    (inbox / "b.ris").write_text(export_text(make_records(2, prefix="b")), encoding="utf-8")
    first = syncd(cfg, "run", "--once")
    assert first.returncode == 0, first.stderr
    assert len(reports(inbox)) == 2 and set(doi_counts(sandbox)) == {
        "10.5555/a0",
        "10.5555/a1",
        "10.5555/b0",
        "10.5555/b1",
    }
    (inbox / "bad.txt").write_text("not an export\n", encoding="utf-8")
    assert syncd(cfg, "run", "--once").returncode == 1
    assert (inbox / "failed" / "bad.txt.error.txt").exists()
    assert syncd(cfg, "run", "--once").returncode == 0  # nothing left to do
    (inbox / "c.ris").write_text(export_text(make_records(1, prefix="c")), encoding="utf-8")
    # The server takes reads but no writes: the file is postponed, not failed.
    sandbox.faults = FaultPlan(rate_503=1.0, retry_after=0, apply_to=("POST",))
    with open(cfg, "a", encoding="utf-8") as f:
        f.write("\n[sync]\nretry_budget = 1\n")
    cfg.write_text(cfg.read_text().replace("retry = 0.2", "retry = 600"), encoding="utf-8")
    assert syncd(cfg, "run", "--once").returncode == 75
    assert (inbox / "c.ris").exists()
    # The next run is the retry: it does not wait out the delay the last one set.
    sandbox.faults = FaultPlan()
    assert syncd(cfg, "run", "--once").returncode == 0
    assert "10.5555/c0" in doi_counts(sandbox)


def test_sync_report_writes_the_report_files_the_daemon_writes(
    sandbox: Any, tmp_path: Path
) -> None:
    cfg = write_config(tmp_path, sandbox, tmp_path / "unused-inbox")
    a, b = tmp_path / "a.ris", tmp_path / "b.ris"
    a.write_text(export_text(make_records(2, prefix="a")), encoding="utf-8")
    b.write_text(export_text(make_records(3, prefix="b")), encoding="utf-8")
    run = syncd(cfg, "sync", "--report", str(tmp_path / "reports"), str(a), str(b))
    assert run.returncode == 0, run.stderr
    doc_a = json.loads((tmp_path / "reports" / "a.ris.report.json").read_text())
    doc_b = json.loads((tmp_path / "reports" / "b.ris.report.json").read_text())
    assert doc_a["file"] == str(a) and doc_a["summary"]["created"] == 2
    assert doc_b["summary"]["created"] == 3 and len(doc_b["records"]) == 3
    assert set(doc_a) >= {"file", "sha256", "synced_at", "summary", "records", "problems"}
    text = (tmp_path / "reports" / "b.ris.report.txt").read_text()
    assert text.count(": created ") == 3
