"""Attachments synced into Zotero desktop: files go to Zotero itself through the
local API's upload receiver, links are linked URLs, and nothing is sent twice."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from attachment_helpers import pdf, record
from sync_helpers import FAST_RETRY

from syncd.app import open_session
from syncd.attachments.outcome import AttachmentResult
from syncd.config import ApiKind, Config, LibraryConfig
from syncd.sandbox import Sandbox
from syncd.sync.outcome import SyncReport
from syncd.sync.session import SyncInput
from syncd.zotero import uploads

KEY = "lasting-local-key"
LINK = "https://example.org/paper/full.html"


@pytest.fixture
def desk() -> Iterator[Sandbox]:
    sb = Sandbox(local=True, server_id="SERVERID0001")
    assert sb.local is not None
    sb.local.add_key(KEY)
    sb.start()
    try:
        yield sb
    finally:
        sb.stop()


def sync(sb: Sandbox, tmp: Path, export: Path) -> SyncReport:
    lib = LibraryConfig("desktop", ApiKind.LOCAL, "user", 0, sb.local_url)
    cfg = Config("user", 0, lib.base_url, state_path=tmp / "state.sqlite", libraries=(lib,))
    with open_session(cfg, library="desktop", api_key=KEY, policy=FAST_RETRY) as session:
        return session.sync([SyncInput(export)])


def pdf_and_link(folder: Path) -> tuple[Path, bytes]:
    data = pdf(folder / "a.pdf", "a")
    export = folder / "export.ris"
    export.write_text(record("10.5555/desk", "L1  - a.pdf", f"L2  - {LINK}"), encoding="utf-8")
    return export, data


def attachments(sb: Sandbox) -> list[dict[str, Any]]:
    return [i for i in sb.all_items(sb.local_library) if i.get("itemType") == "attachment"]


def test_a_pdf_and_a_link_become_one_stored_file_and_one_linked_url(
    desk: Sandbox, tmp_path: Path
) -> None:
    export, data = pdf_and_link(tmp_path / "inbox")
    report = sync(desk, tmp_path, export)
    assert report.counts()["failed"] == 0
    atts = attachments(desk)
    stored = [a for a in atts if a["linkMode"] == "imported_file"]
    links = [a for a in atts if a["linkMode"] == "linked_url"]
    assert [a["md5"] for a in stored] == [hashlib.md5(data).hexdigest()]
    assert desk.file_bytes(desk.local_library, stored[0]["key"]) == data
    assert [a["url"] for a in links] == [LINK]
    assert any("/local/uploads/" in r.path and r.status == 201 for r in desk.log)


def test_a_resync_into_the_desktop_uploads_nothing(desk: Sandbox, tmp_path: Path) -> None:
    export, _ = pdf_and_link(tmp_path / "inbox")
    sync(desk, tmp_path, export)
    desk.clear_log()
    report = sync(desk, tmp_path, export)
    (outcome,) = report.outcomes
    assert {a.result for a in outcome.attachments} == {AttachmentResult.PRESENT}
    assert desk.count(kind="write") == 0
    assert not [r for r in desk.log if r.path.endswith("/file") or "/local/uploads/" in r.path]
    assert len(attachments(desk)) == 2


def test_a_restart_between_authorize_and_upload_authorizes_again_and_attaches_once(
    desk: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export, data = pdf_and_link(tmp_path / "inbox")
    real_upload = uploads.upload
    restarts: list[str] = []

    def restart_first(*args: Any, **kwargs: Any) -> None:
        if not restarts:
            restarts.append("restarted")
            desk.restart()  # Zotero quit and came back: the upload key it handed out is gone
        real_upload(*args, **kwargs)

    monkeypatch.setattr(uploads, "upload", restart_first)
    report = sync(desk, tmp_path, export)
    assert restarts and report.counts()["failed"] == 0
    receiver = [r.status for r in desk.log if "/local/uploads/" in r.path]
    assert receiver == [404, 201]
    authorizations = [r for r in desk.log if r.path.endswith("/file") and r.method == "POST"]
    assert len(authorizations) == 3  # authorize, authorize again, register
    stored = [a for a in attachments(desk) if a["linkMode"] == "imported_file"]
    assert [a["md5"] for a in stored] == [hashlib.md5(data).hexdigest()]
    assert desk.file_bytes(desk.local_library, stored[0]["key"]) == data
