"""Plans and reports as text for people and as JSON for scripts. Pure formatting.

A record's outcome has one rendering (``record_lines``), used by ``syncd sync`` on
the terminal (``outcome_line``) and by a file's report (``report_text``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from syncd.attachments.outcome import AttachmentOutcome, AttachmentResult, attachment_lines
from syncd.core.plan import ACTION_KINDS, Action, Plan
from syncd.sync.outcome import RecordJson, RecordOutcome, SyncReport

if TYPE_CHECKING:
    # reports.py writes the report files with these renderers.
    from syncd.reports import FileError, FileReport


def _short(value: Any, limit: int = 50) -> str:
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def action_json(action: Action) -> dict[str, Any]:
    return {
        "action": action.kind,
        "key": action.key,
        "title": action.record.item.get("title", ""),
        "sources": [{"file": s.file, "line": s.line} for s in action.sources],
        "identities": list(action.identities),
        "matched_by": action.matched_by,
        "fields": sorted(action.payload) if action.kind != "create" else [],
        "changes": [
            {
                "field": name,
                "zotero": action.previous.get(name),
                "new": value,
                "source": action.field_sources.get(name),
            }
            for name, value in sorted(action.payload.items())
        ]
        if action.kind != "create"
        else [],
        "new_notes": len(action.notes),
        "replaced_notes": len(action.note_updates),
        "conflicts": [c.as_json() for c in action.conflicts],
        "candidates": list(action.candidates),
        "kept": [k.as_json() for k in action.kept],
        "reason": action.reason,
    }


Previews = Sequence[Sequence[AttachmentOutcome]]


def plan_json(
    plan: Plan, report: SyncReport, attachments: Previews | None = None
) -> dict[str, Any]:
    """``attachments``: per action, what would happen to its files and links."""
    previews = attachments or [()] * len(plan.actions)
    actions = []
    for action, preview in zip(plan.actions, previews, strict=True):
        if action.kind != "unchanged" or preview:
            entry = action_json(action)
            if preview:
                entry["attachments"] = [a.as_json() for a in preview]
            actions.append(entry)
    return {
        "counts": plan.counts(),
        "actions": actions,
        "problems": [str(p) for p in report.problems],
        "failed_files": report.failed_files,
    }


def plan_lines(plan: Plan, attachments: Previews | None = None) -> list[str]:
    counts = plan.counts()
    lines = ["  ".join(f"{kind}: {counts[kind]}" for kind in ACTION_KINDS)]
    previews = attachments or [()] * len(plan.actions)
    for action, preview in zip(plan.actions, previews, strict=True):
        if action.kind == "unchanged" and not preview:
            continue
        src = action.sources[0]
        title = _short(action.record.item.get("title", ""), 60)
        head = f"{action.kind:<9} {action.key or '-':<8} {src.file}:{src.line}  {title!r}"
        if len(action.sources) > 1:
            head += f" (+{len(action.sources) - 1} repeat{'s' if len(action.sources) > 2 else ''})"
        lines.append(head)
        if action.kind in ("update", "conflict"):
            for name, value in sorted(action.payload.items()):
                was = action.previous.get(name)
                source = action.field_sources.get(name)
                lines.append(
                    f"    {name}: {_short(was) if was not in (None, '', []) else '(empty)'}"
                    f" -> {_short(value)}" + (f"  [{source}]" if source else "")
                )
            if action.notes:
                lines.append(f"    + {len(action.notes)} note(s)")
            if action.note_updates:
                lines.append(f"    ~ {len(action.note_updates)} note(s) replaced")
            for k in action.kept:
                lines.append(f"    kept {k.field}: {_short(k.zotero_value)!r} ({k.why})")
        for c in action.conflicts:
            lines.append(
                f"    conflict {c.field}: Zotero has {_short(c.zotero_value)!r}, "
                f"export has {_short(c.export_value)!r} (kept Zotero's)"
            )
        if action.reason and action.reason != "new":
            lines.append(f"    {action.reason}")
        lines.extend(f"    {a.line()}" for a in preview)
    return lines


def summary_json(report: SyncReport) -> dict[str, Any]:
    """The counts, and each ambiguous record with its candidate keys; with attachments,
    how many ended each way."""
    out = {**report.counts(), "ambiguous_records": report.ambiguous()}
    attachments = attachment_counts(report)
    if attachments:
        out["attachments"] = attachments
    return out


def attachment_counts(report: SyncReport) -> dict[str, int]:
    """Attachments by result (empty when no record named any)."""
    counts: dict[str, int] = {}
    for outcome in report.outcomes:
        for a in outcome.attachments:
            counts[a.result.value] = counts.get(a.result.value, 0) + 1
    return counts


def summary_line(report: SyncReport) -> str:
    counts = report.counts()
    line = ", ".join(f"{counts[k]} {k}" for k in counts)
    attachments = attachment_counts(report)
    if attachments:
        line += "; attachments: " + ", ".join(f"{n} {k}" for k, n in attachments.items())
    return line


def unattached_lines(report: SyncReport) -> list[str]:
    """Attachments refused or failed, each with its record's place in the export."""
    lines = []
    for outcome in report.outcomes:
        src = outcome.sources[0]
        for a in outcome.attachments:
            if a.result in (AttachmentResult.REFUSED, AttachmentResult.FAILED):
                lines.append(f"{src.file}:{src.line}: {a.line()}")
    return lines


def record_lines(rec: RecordJson, place: str, *, in_report: bool = False) -> list[str]:
    """A record's outcome: one line, then one per attachment. ``place`` says where
    the record is; ``in_report``: the words a report file adds to a conflict."""
    text = f"{place}: {rec['result']}"
    if rec.get("key"):
        text += f" {rec['key']}"
    text += f" {rec['title']!r}"
    if rec.get("changed_fields"):
        text += f" (changed: {', '.join(rec['changed_fields'])})"
    kept_note = "; Zotero's value kept" if in_report else ""
    for c in rec.get("conflicts", []):
        text += (
            f" [conflict {c['field']}: Zotero has {c['zotero']!r}, export has "
            f"{c['export']!r}{kept_note}]"
        )
    for k in rec.get("kept", []):
        text += f" [kept {k['field']}: {k['why']}]"
    if rec.get("message"):
        text += f": {rec['message']}"
    return [text, *attachment_lines(rec.get("attachments", []))]


def outcome_line(outcome: RecordOutcome) -> str:
    """A record's outcome as ``syncd sync`` prints it (``file:line: result ...``)."""
    src = outcome.sources[0]
    return "\n".join(record_lines(outcome.as_json(), f"{src.file}:{src.line}"))


def report_text(report: FileReport) -> str:
    """``NAME.report.txt``."""
    lines = [f"syncd report for {report.file} ({report.synced_at})"]
    lines.append(", ".join(f"{v} {k}" for k, v in report.summary.items()))
    for rec in report.records:
        sources = rec.get("sources")
        line = sources[0]["line"] if sources else "?"
        lines.extend(record_lines(rec, f"line {line}", in_report=True))
    for problem in report.problems:
        # Informational notes (a cited-by link dropped...) stay in the JSON report.
        if problem["severity"] != "info":
            lines.append(f"line {problem['line']}: {problem['severity']}: {problem['message']}")
    lines.extend(f"not read: {failed}" for failed in report.failed_files)
    if report.duplicate_of:
        lines.append(f"same content as {report.duplicate_of}: not imported again")
    return "\n".join(lines) + "\n"


def error_text(error: FileError) -> str:
    """``NAME.error.txt``, beside a file in ``failed/``."""
    return (
        f"syncd could not read {error.file}\n\nWhy: {error.error}\n\n"
        f"What to do: {error.what_to_do}\n"
    )
