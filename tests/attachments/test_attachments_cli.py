"""`syncd plan` shows what would be uploaded and its size; `syncd sync` names each
refused attachment on stderr and in the daemon's report text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from attachment_helpers import pdf, record
from conftest import TEST_KEY
from test_cli import config, syncd

from syncd.reports import FileReport
from syncd.sync.render import report_text

ENV = {"ZOTERO_API_KEY": TEST_KEY}


def test_plan_lists_each_upload_with_its_size_and_sends_nothing(
    sandbox: Any, tmp_path: Path
) -> None:
    data = pdf(tmp_path / "a.pdf", "a")
    export = tmp_path / "e.ris"
    export.write_text(record("10.5555/p", "L1  - a.pdf", "L2  - https://e.org/x"), "utf-8")
    cfg = config(tmp_path, sandbox)
    done = syncd("--config", str(cfg), "plan", str(export), env=ENV)
    assert done.returncode == 0, done.stderr
    assert "attachment would upload 'a.pdf' (3.0 kB)" in done.stdout
    assert "attachment would link 'https://e.org/x'" in done.stdout
    as_json = json.loads(syncd("--config", str(cfg), "plan", "--json", str(export), env=ENV).stdout)
    (action,) = as_json["actions"]
    sizes = [a["size"] for a in action["attachments"] if a["result"] == "would upload"]
    assert sizes == [len(data)]
    assert sandbox.count(kind="write") == 0


def test_sync_names_refused_attachments_on_stderr(sandbox: Any, tmp_path: Path) -> None:
    export = tmp_path / "in" / "e.ris"
    export.parent.mkdir()
    export.write_text(record("10.5555/q", "L1  - ../../etc/passwd"), "utf-8")
    done = syncd("--config", str(config(tmp_path, sandbox)), "sync", str(export), env=ENV)
    assert "attachment refused '../../etc/passwd'" in done.stderr
    assert "outside the folders" in done.stderr


def test_the_report_text_lists_each_attachment() -> None:
    document = {
        "file": "e.ris",
        "synced_at": "2026-12-05T00:00:00+00:00",
        "summary": {"created": 1},
        "records": [
            {
                "result": "created",
                "key": "ABCD2345",
                "title": "T",
                "sources": [{"file": "e.ris", "line": 1}],
                "attachments": [
                    {"result": "uploaded", "name": "a.pdf", "key": "K2345678", "size": 2048},
                    {"result": "refused", "name": "/root/x", "message": "outside"},
                ],
            }
        ],
        "problems": [],
    }
    text = report_text(FileReport.from_json(document))
    assert "attachment uploaded K2345678 'a.pdf' (2.0 kB)" in text
    assert "attachment refused '/root/x': outside" in text


def test_sync_json_counts_attachments_by_result(sandbox: Any, tmp_path: Path) -> None:
    pdf(tmp_path / "a.pdf", "a")
    export = tmp_path / "e.ris"
    export.write_text(record("10.5555/j", "L1  - a.pdf", "L1  - /etc/passwd"), "utf-8")
    done = syncd("--config", str(config(tmp_path, sandbox)), "sync", "--json", str(export), env=ENV)
    summary = json.loads(done.stdout)
    assert summary["created"] == 1
    assert summary["attachments"] == {"uploaded": 1, "refused": 1}


def test_a_large_upload_gets_a_bar_that_ends_with_it() -> None:
    from rich.progress import Progress

    from syncd.cli import LARGE_UPLOAD, _upload_bar

    with Progress(disable=True) as bar:
        on_upload = _upload_bar(bar)
        on_upload("small.pdf", 10, 100)
        assert bar.tasks == []
        on_upload("big.pdf", LARGE_UPLOAD // 2, LARGE_UPLOAD)
        (task,) = bar.tasks
        assert (task.completed, task.total) == (LARGE_UPLOAD // 2, LARGE_UPLOAD)
        on_upload("big.pdf", LARGE_UPLOAD, LARGE_UPLOAD)
        assert bar.tasks == []
