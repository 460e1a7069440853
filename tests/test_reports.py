"""A file's report covers all its runs (issue 15, item 11): merging the runs."""

from __future__ import annotations

from typing import Any

from syncd.reports import merge_runs, writing_outcomes


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
