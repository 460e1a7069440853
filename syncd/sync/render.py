"""Plans and reports as text for people and as JSON for scripts. Pure formatting."""

from __future__ import annotations

from typing import Any

from syncd.core.plan import ACTION_KINDS, Action, Plan
from syncd.sync.outcome import SyncReport


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


def plan_json(plan: Plan, report: SyncReport) -> dict[str, Any]:
    return {
        "counts": plan.counts(),
        "actions": [action_json(a) for a in plan.actions if a.kind != "unchanged"],
        "problems": [str(p) for p in report.problems],
        "failed_files": report.failed_files,
    }


def plan_lines(plan: Plan) -> list[str]:
    counts = plan.counts()
    lines = ["  ".join(f"{kind}: {counts[kind]}" for kind in ACTION_KINDS)]
    for action in plan.actions:
        if action.kind == "unchanged":
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
    return lines


def summary_json(report: SyncReport) -> dict[str, Any]:
    """The counts, and each ambiguous record with its candidate keys."""
    return {**report.counts(), "ambiguous_records": report.ambiguous()}


def summary_line(report: SyncReport) -> str:
    counts = report.counts()
    return ", ".join(f"{counts[k]} {k}" for k in counts)
