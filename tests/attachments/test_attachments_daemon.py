"""`syncd run`: an export dropped into a watched folder brings its files and links
along; the PDFs beside it stay where they are; the report lists each attachment."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from attachment_helpers import children, pdf, record
from daemon_helpers import DaemonProcess, wait_for, write_config
from sync_helpers import LIBRARY


def test_the_daemon_attaches_what_an_export_names(sandbox: Any, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    named = pdf(inbox / "named.pdf", "named")
    dropped = pdf(inbox / "10.5555_daemon.pdf", "dropped")
    cfg = write_config(tmp_path, sandbox, inbox)
    daemon = DaemonProcess(cfg, tmp_path)
    try:
        daemon.wait_ready()
        text = record(
            "10.5555/daemon", "L1  - named.pdf", "L1  - ../secret.pdf", "L2  - https://e.org/d"
        )
        (inbox / ".e.ris.part").write_text(text, encoding="utf-8")
        (inbox / ".e.ris.part").rename(inbox / "e.ris")
        report = inbox / "processed" / "e.ris.report.txt"
        wait_for(report.exists, 60, "the report")
    finally:
        assert daemon.stop() == 0
    (item,) = [i for i in sandbox.all_items(LIBRARY) if i["itemType"] not in ("attachment", "note")]
    atts = children(sandbox, item["key"])
    assert sorted(a["md5"] for a in atts if a["linkMode"] == "imported_file") == sorted(
        hashlib.md5(d).hexdigest() for d in (named, dropped)
    )
    assert [a["url"] for a in atts if a["linkMode"] == "linked_url"] == ["https://e.org/d"]
    lines = report.read_text().splitlines()
    assert sum("attachment uploaded" in ln for ln in lines) == 2
    assert any("attachment refused '../secret.pdf'" in ln for ln in lines)
    assert (inbox / "named.pdf").exists() and (inbox / "10.5555_daemon.pdf").exists()
    assert not (inbox / "failed").exists() or not list((inbox / "failed").iterdir())
