"""A file's report: what happened to each record of one export, as JSON and as text.

The daemon writes ``NAME.report.json`` and ``NAME.report.txt`` beside a file it
moves to ``processed/``; ``syncd sync --report DIR`` writes the same two files for
each file it synced. Pure functions over plain data, except ``write_report_files``.

A file's report covers all its runs. A sync cut short (SIGTERM, a file that grew
while it was read) is finished by a later run, which finds the records the first
run created already in the library and would call them unchanged; the outcomes
that wrote something are kept per file (``inbox_outcome``) and ``merge_runs``
puts them back, so a record created in run 1 is ``created`` in the final report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from syncd import jsonio
from syncd.attachments.outcome import attachment_lines
from syncd.files import atomic_write
from syncd.sync.outcome import SyncReport

#: Which summary count a record's result adds to (anything else is "skipped").
SUMMARY_OF = {
    "created": "created",
    "updated": "updated",
    "unchanged": "unchanged",
    "conflict": "conflicts",
    "failed": "failed",
}
#: Results that wrote to the library: they outlive the run that had them.
WROTE = ("created", "updated")
#: A later run's result that an earlier run's writing result replaces.
_QUIET = ("unchanged", "updated")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def report_document(path: Path, report: SyncReport, sha256: str) -> dict[str, Any]:
    return {
        "file": str(path),
        "sha256": sha256,
        "synced_at": _now(),
        "summary": report.counts(),
        "records": [
            o.as_json()
            for o in sorted(report.outcomes, key=lambda o: (o.sources[0].file, o.sources[0].line))
        ],
        "problems": [
            {"file": p.file, "line": p.line, "severity": p.severity, "message": p.message}
            for p in report.problems
        ],
        "failed_files": report.failed_files,
    }


def file_report(report: SyncReport, path: Path) -> SyncReport:
    """The part of a sync of several files that concerns ``path``.

    A record repeated across files is in the report of each file it came from.
    """
    name = str(path)
    return SyncReport(
        [o for o in report.outcomes if any(s.file == name for s in o.sources)],
        [p for p in report.problems if p.file == name],
        [f for f in report.failed_files if f.startswith(f"{name}:")],
    )


def writing_outcomes(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records of a run worth keeping for the file's final report."""
    return [r for r in records if r.get("key") and r["result"] in WROTE]


def merge_runs(document: dict[str, Any], earlier: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """``document`` (the last run's report) with what earlier runs of the file wrote.

    A record the last run found unchanged, or updated, after an earlier run created
    or updated it gets the earlier result (created wins over updated; changed
    fields are joined). Records only an earlier run had are added. The summary is
    counted again.
    """
    if not earlier:
        return document
    before: dict[str, dict[str, Any]] = {}
    for rec in earlier:
        held = before.get(rec["key"])
        if held is None or (held["result"] != "created" and rec["result"] == "created"):
            before[rec["key"]] = rec
    records: list[dict[str, Any]] = []
    seen: set[str] = set()
    for rec in document["records"]:
        key = rec.get("key")
        old = before.get(key) if key else None
        if key:
            seen.add(key)
        if old is not None and rec["result"] in _QUIET:
            fields = sorted({*old.get("changed_fields", ()), *rec.get("changed_fields", ())})
            rec = {**rec, "result": old["result"], "changed_fields": fields}
        records.append(rec)
    records += [rec for key, rec in before.items() if key not in seen]
    summary = dict.fromkeys(document["summary"], 0)
    for rec in records:
        summary[SUMMARY_OF.get(rec["result"], "skipped")] += 1
    summary["failed"] += sum(1 for p in document["problems"] if p["severity"] == "error")
    summary["failed"] += len(document["failed_files"])
    return {**document, "summary": summary, "records": records}


def report_text(document: dict[str, Any]) -> str:
    lines = [f"syncd report for {document['file']} ({document['synced_at']})"]
    summary = document["summary"]
    lines.append(", ".join(f"{v} {k}" for k, v in summary.items()))
    for rec in document["records"]:
        src = rec["sources"][0] if rec["sources"] else {"file": document["file"], "line": "?"}
        text = f"line {src['line']}: {rec['result']}"
        if rec.get("key"):
            text += f" {rec['key']}"
        text += f" {rec['title']!r}"
        if rec.get("changed_fields"):
            text += f" (changed: {', '.join(rec['changed_fields'])})"
        for c in rec.get("conflicts", []):
            text += (
                f" [conflict {c['field']}: Zotero has {c['zotero']!r}, export has "
                f"{c['export']!r}; Zotero's value kept]"
            )
        for k in rec.get("kept", []):
            text += f" [kept {k['field']}: {k['why']}]"
        if rec.get("message"):
            text += f": {rec['message']}"
        lines.append(text)
        lines.extend(attachment_lines(rec.get("attachments", [])))
    for problem in document["problems"]:
        # Informational notes (a cited-by link dropped...) stay in the JSON report.
        if problem["severity"] != "info":
            lines.append(f"line {problem['line']}: {problem['severity']}: {problem['message']}")
    for failed in document.get("failed_files", []):
        lines.append(f"not read: {failed}")
    if document.get("duplicate_of"):
        lines.append(f"same content as {document['duplicate_of']}: not imported again")
    return "\n".join(lines) + "\n"


def write_report_files(
    dest: Path, document: dict[str, Any], *, write: Callable[..., None] = atomic_write
) -> None:
    """``DEST.report.json`` and ``DEST.report.txt``, private, each written whole
    (``write`` is ``files.atomic_write``; the inbox passes its own reference)."""
    write(
        Path(f"{dest}.report.json"),
        jsonio.dumps(document, indent=True),
        mode=0o600,
        purpose="the sync report",
    )
    write(
        Path(f"{dest}.report.txt"),
        report_text(document).encode(),
        mode=0o600,
        purpose="the sync report",
    )
