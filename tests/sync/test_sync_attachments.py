"""Issue 20: the files and links an export names reach Zotero as attachments, once,
and only from where the user allowed."""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

from attachment_helpers import children, pdf, record, three_pdfs_and_a_link
from conftest import TEST_KEY
from sync_helpers import FAST_RETRY, LIBRARY, session_for, sync_file

from syncd.app import open_session
from syncd.attachments.outcome import AttachmentResult
from syncd.config import AttachmentsConfig, Config
from syncd.sandbox.protocol import Request, Response
from syncd.sync.outcome import RecordOutcome
from syncd.sync.render import outcome_line
from syncd.sync.session import SyncInput


def only(outcomes: list[RecordOutcome]) -> RecordOutcome:
    assert len(outcomes) == 1, outcomes
    return outcomes[0]


def test_three_pdfs_and_a_link_become_three_stored_files_and_one_linked_url(
    sandbox: Any, tmp_path: Path
) -> None:
    export, files = three_pdfs_and_a_link(tmp_path / "inbox")
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        outcome = only(sync_file(session, export).outcomes)
    assert outcome.kind == "created" and outcome.key
    atts = children(sandbox, outcome.key)
    stored = [a for a in atts if a["linkMode"] == "imported_file"]
    links = [a for a in atts if a["linkMode"] == "linked_url"]
    assert sorted(a["md5"] for a in stored) == sorted(
        hashlib.md5(d).hexdigest() for d in files.values()
    )
    for att in stored:
        assert sandbox.file_bytes(LIBRARY, att["key"]) == files[att["filename"]]
        assert att["contentType"] == "application/pdf"
    assert [a["url"] for a in links] == ["https://example.org/paper/full.html"]
    results = sorted(a.result for a in outcome.attachments)
    assert results == sorted([AttachmentResult.UPLOADED] * 3 + [AttachmentResult.LINKED])


def test_a_resync_uploads_nothing_and_asks_nothing_about_attachments(
    sandbox: Any, tmp_path: Path
) -> None:
    export, _ = three_pdfs_and_a_link(tmp_path / "inbox")
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        sync_file(session, export)
    sandbox.clear_log()
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        outcome = only(sync_file(session, export).outcomes)
    assert outcome.kind == "unchanged"
    assert {a.result for a in outcome.attachments} == {AttachmentResult.PRESENT}
    assert sandbox.count(kind="write") == 0
    assert not [r for r in sandbox.log if r.path.endswith("/file") or "itemKey" in r.query]
    assert len(children(sandbox, str(outcome.key))) == 4


def test_an_item_that_already_has_the_file_gets_nothing_new(sandbox: Any, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    export, files = three_pdfs_and_a_link(folder)
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        first = only(sync_file(session, export).outcomes)
    # Another export of the same work naming one of the same files, from a new state
    # database (another machine): the mirror shows the item has that md5.
    again = folder / "again.ris"
    again.write_text(record("10.5555/att", "L1  - a.pdf"), encoding="utf-8")
    with session_for(sandbox, tmp_path / "other.sqlite", TEST_KEY) as session:
        outcome = only(sync_file(session, again).outcomes)
    assert outcome.key == first.key
    assert [a.result for a in outcome.attachments] == [AttachmentResult.PRESENT]
    assert len(children(sandbox, str(first.key))) == 4
    assert files


def test_paths_outside_the_allowed_folders_are_never_read(sandbox: Any, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    outside = tmp_path / "private"
    pdf(outside / "secret.pdf", "secret")
    pdf(outside / "other.pdf", "other")
    (folder / "innocent.pdf").symlink_to(outside / "secret.pdf")
    export = folder / "hostile.ris"
    export.write_text(
        record(
            "10.5555/hostile",
            "L1  - ../../etc/passwd",
            "L1  - /root/.ssh/id_rsa",
            "L1  - innocent.pdf",
            f"L1  - file://{outside / 'other.pdf'}",
        ),
        encoding="utf-8",
    )
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        outcome = only(sync_file(session, export).outcomes)
    assert [a.result for a in outcome.attachments] == [AttachmentResult.REFUSED] * 4
    messages = [a.message for a in outcome.attachments]
    assert all("outside the folders" in m for m in messages), messages
    assert "symlink" in messages[2]
    assert outcome.attachments[0].name == "../../etc/passwd"
    assert children(sandbox, str(outcome.key)) == []
    assert not [r for r in sandbox.log if r.path.endswith("/file")]
    assert "refused" in outcome_line(outcome) and "/root/.ssh/id_rsa" in outcome_line(outcome)


def _config(sandbox: Any, state: Path, **kw: Any) -> Config:
    return Config(
        library_type=kw.pop("library_type", "user"),
        library_id=kw.pop("library_id", 1),
        base_url=sandbox.url,
        state_path=state,
        **kw,
    )


def test_a_configured_root_lets_files_in_and_only_it(sandbox: Any, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    papers = tmp_path / "Papers"
    data = pdf(papers / "x.pdf", "x")
    pdf(tmp_path / "elsewhere" / "y.pdf", "y")
    export = folder / "e.ris"
    folder.mkdir()
    export.write_text(
        record("10.5555/roots", f"L1  - {papers / 'x.pdf'}", f"L1  - {tmp_path}/elsewhere/y.pdf"),
        encoding="utf-8",
    )
    config = _config(sandbox, tmp_path / "s.sqlite", attachments=AttachmentsConfig(roots=(papers,)))
    with open_session(config, api_key=TEST_KEY, policy=FAST_RETRY) as session:
        outcome = only(sync_file(session, export).outcomes)
    assert [a.result for a in outcome.attachments] == [
        AttachmentResult.UPLOADED,
        AttachmentResult.REFUSED,
    ]
    (att,) = children(sandbox, str(outcome.key))
    assert sandbox.file_bytes(LIBRARY, att["key"]) == data


def test_attachments_disabled_sends_none(sandbox: Any, tmp_path: Path) -> None:
    export, _ = three_pdfs_and_a_link(tmp_path / "inbox")
    config = _config(sandbox, tmp_path / "s.sqlite", attachments=AttachmentsConfig(enabled=False))
    with open_session(config, api_key=TEST_KEY, policy=FAST_RETRY) as session:
        outcome = only(sync_file(session, export).outcomes)
    assert outcome.attachments == ()
    assert children(sandbox, str(outcome.key)) == []


def test_a_file_over_the_size_limit_is_refused(sandbox: Any, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    pdf(folder / "big.pdf", "big" * 1000)
    export = folder / "e.ris"
    export.write_text(record("10.5555/big", "L1  - big.pdf"), encoding="utf-8")
    config = _config(sandbox, tmp_path / "s.sqlite", attachments=AttachmentsConfig(max_mb=0.004))
    with open_session(config, api_key=TEST_KEY, policy=FAST_RETRY) as session:
        outcome = only(sync_file(session, export).outcomes)
    (att,) = outcome.attachments
    assert att.result is AttachmentResult.REFUSED and "over the limit" in att.message


def test_a_group_library_gets_stored_files_and_links_never_linked_files(
    sandbox: Any, tmp_path: Path
) -> None:
    sandbox.add_group_library(5)
    sandbox.add_key(TEST_KEY, user_id=1, groups={5: True})
    export, files = three_pdfs_and_a_link(tmp_path / "inbox")
    config = _config(sandbox, tmp_path / "s.sqlite", library_type="group", library_id=5)
    with open_session(config, api_key=TEST_KEY, policy=FAST_RETRY) as session:
        outcome = only(sync_file(session, export).outcomes)
    atts = children(sandbox, str(outcome.key), "groups/5")
    modes = sorted(a["linkMode"] for a in atts)
    assert modes == ["imported_file"] * 3 + ["linked_url"]
    for att in atts:
        if att["linkMode"] == "imported_file":
            assert sandbox.file_bytes("groups/5", att["key"]) == files[att["filename"]]


def test_plan_shows_what_would_be_uploaded_and_its_size(sandbox: Any, tmp_path: Path) -> None:
    from syncd.sync.render import plan_lines

    export, files = three_pdfs_and_a_link(tmp_path / "inbox")
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        the_plan, _ = session.plan([SyncInput(export)])
        previews = session.plan_attachments(the_plan)
    (preview,) = previews
    sizes = Counter(a.size for a in preview if a.result is AttachmentResult.WOULD_UPLOAD)
    assert sizes == Counter(len(d) for d in files.values())
    assert [a.result for a in preview].count(AttachmentResult.WOULD_LINK) == 1
    text = "\n".join(plan_lines(the_plan, previews))
    assert "would upload" in text and "kB" in text and "would link" in text
    assert sandbox.count(kind="write") == 0


def _one_pdf_export(folder: Path) -> Path:
    pdf(folder / "a.pdf", "a")
    export = folder / "e.ris"
    export.write_text(record("10.5555/one", "L1  - a.pdf"), encoding="utf-8")
    return export


def test_an_attachment_the_user_deleted_is_not_made_again(sandbox: Any, tmp_path: Path) -> None:
    export = _one_pdf_export(tmp_path / "inbox")
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        first = only(sync_file(session, export).outcomes)
        (att,) = first.attachments
        sandbox.user_delete(LIBRARY, str(att.key))
        again = only(sync_file(session, export).outcomes)
    assert [a.result for a in again.attachments] == [AttachmentResult.SKIPPED]
    assert children(sandbox, str(first.key)) == []


def test_an_attachment_in_the_trash_counts_as_present(sandbox: Any, tmp_path: Path) -> None:
    export = _one_pdf_export(tmp_path / "inbox")
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        first = only(sync_file(session, export).outcomes)
    sandbox.user_trash(LIBRARY, str(first.attachments[0].key))
    with session_for(sandbox, tmp_path / "other.sqlite", TEST_KEY) as session:
        again = only(sync_file(session, export).outcomes)
    assert [a.result for a in again.attachments] == [AttachmentResult.PRESENT]
    assert len(children(sandbox, str(first.key))) == 1


def test_an_attachment_deleted_before_its_upload_is_not_made_again(
    sandbox: Any, tmp_path: Path
) -> None:
    export = _one_pdf_export(tmp_path / "inbox")

    def delete_it(req: Request, response: Response) -> None:
        if req.path == f"/{LIBRARY}/items" and b'"attachment"' in req.body:
            sandbox.user_delete(LIBRARY, json.loads(req.body)[0]["key"])

    sandbox.set_reply_hook(delete_it)
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        first = only(sync_file(session, export).outcomes)
        sandbox.set_reply_hook(None)
        again = only(sync_file(session, export).outcomes)
    assert [a.result for a in first.attachments] == [AttachmentResult.SKIPPED]
    assert [a.result for a in again.attachments] == [AttachmentResult.SKIPPED]
    assert children(sandbox, str(first.key)) == []


def test_a_pdf_dropped_beside_a_one_record_export_is_attached(sandbox: Any, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    data = pdf(folder / "paper.PDF", "dropped")
    export = folder / "paper.ris"
    export.write_text(record("10.5555/dropped"), encoding="utf-8")
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        outcome = only(sync_file(session, export).outcomes)
    assert [a.result for a in outcome.attachments] == [AttachmentResult.UPLOADED]
    (att,) = children(sandbox, str(outcome.key))
    assert sandbox.file_bytes(LIBRARY, att["key"]) == data


def test_pdfs_named_by_doi_or_pmid_go_to_their_record_only(sandbox: Any, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    by_doi = pdf(folder / "10.5555_first.pdf", "doi")
    by_pmid = pdf(folder / "31415926.pdf", "pmid")
    pdf(folder / "unrelated.pdf", "other")
    second = record("10.5555/second").replace("ER  - ", "AN  - 31415926\nER  - ")
    export = folder / "two.ris"
    export.write_text(record("10.5555/first") + second, encoding="utf-8")
    # PubMed's export puts the PMID in AN; this one says so with its database name.
    export.write_text(
        export.read_text().replace("AN  - 31415926", "DB  - PubMed\nAN  - 31415926"), "utf-8"
    )
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        outcomes = sync_file(session, export).outcomes
    got = {o.title: [a.md5 for a in o.attachments] for o in outcomes}
    assert got == {
        "Paper 10.5555/first": [hashlib.md5(by_doi).hexdigest()],
        "Paper 10.5555/second": [hashlib.md5(by_pmid).hexdigest()],
    }


def test_the_same_file_named_twice_is_attached_once(sandbox: Any, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    pdf(folder / "10.5555_twice.pdf", "twice")
    export = folder / "e.ris"
    export.write_text(
        record("10.5555/twice", "L1  - 10.5555_twice.pdf", "L1  - ./10.5555_twice.pdf"), "utf-8"
    )
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        outcome = only(sync_file(session, export).outcomes)
    results = [a.result for a in outcome.attachments]
    assert results == [AttachmentResult.UPLOADED] + [AttachmentResult.PRESENT] * 2
    assert len(children(sandbox, str(outcome.key))) == 1


def test_an_upload_reports_its_progress_up_to_the_whole_file(sandbox: Any, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    data = b"%PDF-1.4\n" + os.urandom(3_500_000)
    folder.mkdir()
    (folder / "big.pdf").write_bytes(data)
    export = folder / "e.ris"
    export.write_text(record("10.5555/progress", "L1  - big.pdf"), encoding="utf-8")
    seen: list[tuple[str, int, int]] = []
    headers: list[Any] = []
    sandbox.set_reply_hook(
        lambda req, _: headers.append(req.headers) if "upload/" in req.path else None
    )
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        report = session.sync([SyncInput(export)], on_upload=lambda *a: seen.append(a))
    assert only(report.outcomes).attachments[0].result is AttachmentResult.UPLOADED
    # Sent piece by piece, yet with its length: storage refuses chunked bodies.
    assert "transfer-encoding" not in headers[0] and int(headers[0]["content-length"]) > len(data)
    assert len(seen) >= 3
    assert [s for _, s, _ in seen] == sorted(s for _, s, _ in seen)
    assert seen[-1] == ("big.pdf", len(data), len(data))


def test_an_attachment_over_the_quota_fails_the_run_and_follows_later(
    sandbox: Any, tmp_path: Path
) -> None:
    export = _one_pdf_export(tmp_path / "inbox")
    sandbox.files.quota_mb = 0
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        report = sync_file(session, export)
        (att,) = only(report.outcomes).attachments
        assert att.result is AttachmentResult.FAILED and "quota" in att.message
        assert report.counts()["failed"] == 1 and not report.ok
        sandbox.files.quota_mb = 300
        again = only(sync_file(session, export).outcomes)
    assert [a.result for a in again.attachments] == [AttachmentResult.UPLOADED]
    assert len(children(sandbox, str(again.key))) == 1


def test_the_api_key_never_goes_to_the_storage_url(sandbox: Any, tmp_path: Path) -> None:
    export = _one_pdf_export(tmp_path / "inbox")
    seen: list[dict[str, str]] = []

    def capture(req: Request, response: Response) -> None:
        if req.path.startswith("/sandbox-upload/"):
            seen.append(dict(req.headers))

    sandbox.set_reply_hook(capture)
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        sync_file(session, export)
    (headers,) = seen
    assert TEST_KEY not in " ".join(f"{k}: {v}" for k, v in headers.items())
    assert "zotero-api-key" not in headers and "authorization" not in headers
    assert "transfer-encoding" not in headers and int(headers["content-length"]) > 3000


def test_the_same_file_for_two_records_is_known_to_the_server_at_once(
    sandbox: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "inbox"
    data = pdf(folder / "shared.pdf", "shared")
    export = folder / "e.ris"
    export.write_text(
        record("10.5555/s1", "L1  - shared.pdf") + record("10.5555/s2", "L1  - shared.pdf"),
        encoding="utf-8",
    )
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        outcomes = sync_file(session, export).outcomes
    assert [a.result for o in outcomes for a in o.attachments] == [AttachmentResult.UPLOADED] * 2
    uploads = [r for r in sandbox.log if r.path.startswith("/sandbox-upload/")]
    assert len(uploads) == 1  # the second authorization answered "exists"
    for outcome in outcomes:
        (att,) = children(sandbox, str(outcome.key))
        assert sandbox.file_bytes(LIBRARY, att["key"]) == data


def test_a_file_the_user_put_on_the_attachment_first_is_left_alone(
    sandbox: Any, tmp_path: Path
) -> None:
    export = _one_pdf_export(tmp_path / "inbox")
    theirs = "0123456789abcdef0123456789abcdef"

    def user_sets_a_file(req: Request, response: Response) -> None:
        if req.path == f"/{LIBRARY}/items" and b'"attachment"' in req.body:
            sandbox.user_edit(LIBRARY, json.loads(req.body)[0]["key"], {"md5": theirs})

    sandbox.set_reply_hook(user_sets_a_file)
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        first = only(sync_file(session, export).outcomes)
        sandbox.set_reply_hook(None)
        again = only(sync_file(session, export).outcomes)
    assert [a.result for a in first.attachments] == [AttachmentResult.SKIPPED]
    assert "another file" in first.attachments[0].message
    assert [a.result for a in again.attachments] == [AttachmentResult.SKIPPED]
    (att,) = children(sandbox, str(first.key))
    assert att["md5"] == theirs
    assert not [r for r in sandbox.log if r.path.startswith("/sandbox-upload/")]


def test_plan_shows_the_new_file_of_a_record_that_also_changed(
    sandbox: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "inbox"
    export = folder / "e.ris"
    folder.mkdir()
    export.write_text(record("10.5555/upd"), encoding="utf-8")
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        sync_file(session, export)
        data = pdf(folder / "new.pdf", "new")
        changed = record("10.5555/upd", "L1  - new.pdf").replace("PY  - 2022", "PY  - 2023")
        export.write_text(changed, encoding="utf-8")
        the_plan, _ = session.plan([SyncInput(export)])
        (preview,) = session.plan_attachments(the_plan)
    assert [a.kind for a in the_plan.actions] == ["update"]
    assert [(a.result, a.size) for a in preview] == [(AttachmentResult.WOULD_UPLOAD, len(data))]
