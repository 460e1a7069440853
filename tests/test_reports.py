"""A file's report: it covers all its runs (issue 15, item 11), and reads as the terminal does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from syncd.attachments.outcome import AttachmentOutcome, AttachmentResult
from syncd.core.merge import Conflict
from syncd.formats.records import SourceRef
from syncd.reports import FileReport, writing_outcomes
from syncd.sync.outcome import RecordKind, RecordOutcome, SyncReport
from syncd.sync.render import outcome_line, report_text


def rec(key: str | None, result: str, line: int, **kw: Any) -> dict[str, Any]:
    return {
        "result": result,
        "key": key,
        "title": f"t{line}",
        "sources": [{"file": "a.ris", "line": line}],
        "message": "",
        "changed_fields": [],
        "conflicts": [],
        **kw,
    }


def document(*records: dict[str, Any]) -> dict[str, Any]:
    summary = dict.fromkeys(
        ("created", "updated", "unchanged", "conflicts", "failed", "skipped"), 0
    )
    return {
        "file": "a.ris",
        "summary": summary,
        "records": list(records),
        "problems": [],
        "failed_files": [],
    }


def merge_runs(document: dict[str, Any], earlier: list[Any]) -> dict[str, Any]:
    """The final report of a file whose last run is ``document``, as stored."""
    return FileReport.from_json(document).with_earlier(earlier).as_json()


def test_a_record_created_in_an_earlier_run_is_created_in_the_final_report() -> None:
    final = document(rec("K1", "unchanged", 1), rec("K2", "created", 9))
    merged = merge_runs(final, [rec("K1", "created", 1)])
    assert [r["result"] for r in merged["records"]] == ["created", "created"]
    assert merged["summary"]["created"] == 2 and merged["summary"]["unchanged"] == 0


def test_an_earlier_update_joins_the_fields_changed_in_each_run() -> None:
    final = document(rec("K1", "updated", 1, changed_fields=["pages"]))
    merged = merge_runs(final, [rec("K1", "updated", 1, changed_fields=["title"])])
    (only,) = merged["records"]
    assert only["result"] == "updated" and only["changed_fields"] == ["pages", "title"]


def test_a_failure_in_the_final_run_is_not_hidden_by_an_earlier_success() -> None:
    final = document(rec("K1", "failed", 1, message="Zotero refused the update"))
    merged = merge_runs(final, [rec("K1", "created", 1)])
    assert merged["records"][0]["result"] == "failed" and merged["summary"]["failed"] == 1


def test_records_only_an_earlier_run_had_are_kept() -> None:
    merged = merge_runs(document(rec("K2", "created", 9)), [rec("K1", "created", 1)])
    assert {r["key"] for r in merged["records"]} == {"K1", "K2"}
    assert merged["summary"]["created"] == 2


def test_only_records_that_wrote_something_are_kept_between_runs() -> None:
    kept = writing_outcomes(
        [rec("K1", "created", 1), rec("K2", "unchanged", 5), rec(None, "failed", 9)]
    )
    assert [r["key"] for r in kept] == ["K1"]


def test_a_merged_report_counts_as_a_single_run_counts() -> None:
    attachment = {"result": "failed", "name": "a.pdf", "message": "Zotero refused it"}
    final = document(
        rec("K1", "unchanged", 1),
        rec(None, "ambiguous", 5),
        rec("K3", "created", 9, attachments=[attachment]),
    )
    merged = merge_runs(final, [rec("K1", "created", 1)])
    assert merged["summary"]["ambiguous"] == 1 and merged["summary"]["skipped"] == 0
    assert merged["summary"]["failed"] == 1  # the attachment Zotero refused


def test_a_record_reads_the_same_on_the_terminal_and_in_its_report() -> None:
    outcome = RecordOutcome(
        RecordKind.CONFLICT,
        (SourceRef("a.ris", 7, 9, 0, "generic"),),
        "A title",
        key="ABCD2345",
        conflicts=(Conflict("pages", "1-2", "1-3", None),),
        attachments=(AttachmentOutcome(AttachmentResult.LINKED, "https://x.org/a"),),
    )
    terminal = outcome_line(outcome)
    report = FileReport.of_sync(Path("a.ris"), SyncReport([outcome]), "0" * 64)
    text = report_text(report)
    assert terminal == (
        "a.ris:7: conflict ABCD2345 'A title' "
        "[conflict pages: Zotero has '1-2', export has '1-3']\n"
        "    attachment linked 'https://x.org/a'"
    )
    assert (
        "line 7: conflict ABCD2345 'A title' "
        "[conflict pages: Zotero has '1-2', export has '1-3'; Zotero's value kept]\n"
        "    attachment linked 'https://x.org/a'\n"
    ) in text
