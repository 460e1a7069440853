"""Three-way merge of an export's item into the library's item, field by field. Pure.

The base is what the export said the last time syncd wrote this item (kept in the
state database). For every field of the export:

- Zotero's value is empty: fill it.
- no base (an item the user made, or Zotero's own import made): keep Zotero's.
- Zotero still has the base value: take the export's new value.
- the export did not change it (new == base): keep Zotero's.
- both changed: keep the user's value and report a conflict with both values.

Extra is merged line by line, each ``Key: value`` line being a field of its own,
so identifier lines are added without touching the user's lines. Tags and
collections are only ever added, and never re-added once the user removed one
syncd had added. Notes, attachments, relations and fields the export does not
carry are never touched. Policies: ``merge`` (all of the above), ``fill-empty``
(only empty fields, lines, tags and collections), ``never-update`` (nothing).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from syncd.schema import Schema

# Not merged: identity and bookkeeping properties, and what syncd never writes.
UNMERGED = frozenset(
    {
        "key",
        "version",
        "itemType",
        "dateAdded",
        "dateModified",
        "relations",
        "parentItem",
        "deleted",
        "inPublications",
        "accessDate",
    }
)
SET_FIELDS = ("tags", "collections")

_EXTRA_KEY = re.compile(r"^\s*([A-Za-z][A-Za-z .\-_()]*?)\s*:\s*(.*)$")
_CITATIONS = re.compile(r"^\s*\d+\s+(citations?\s*\([^)]*\))", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Conflict:
    field: str
    zotero_value: Any
    export_value: Any
    base_value: Any

    def as_json(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "zotero": self.zotero_value,
            "export": self.export_value,
            "base": self.base_value,
        }


@dataclass(frozen=True, slots=True)
class MergeResult:
    """What to send (``changes``, a partial item), what clashed, and the new base."""

    changes: dict[str, Any]
    conflicts: tuple[Conflict, ...]
    new_base: dict[str, Any]
    skipped_fields: tuple[str, ...] = field(default=())

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def base_of(item: Mapping[str, Any]) -> dict[str, Any]:
    """The base to remember after writing ``item`` (the export's own values)."""
    base: dict[str, Any] = {}
    for name, value in item.items():
        if name in UNMERGED or _is_empty(value):
            continue
        if name == "extra":
            base["extra"] = dict(_extra_entries(str(value)))
        elif name in SET_FIELDS:
            base[name] = sorted(_set_members(name, value))
        else:
            base[name] = value
    return base


def merge_item(
    export: Mapping[str, Any],
    current: Mapping[str, Any],
    base: Mapping[str, Any] | None,
    *,
    policy: str,
    schema: Schema,
) -> MergeResult:
    new_base = base_of(export)
    if policy == "never-update":
        return MergeResult({}, (), dict(base) if base is not None else new_base)
    fill_only = policy == "fill-empty" or base is None
    item_type = str(current.get("itemType") or export.get("itemType"))
    changes: dict[str, Any] = {}
    conflicts: list[Conflict] = []
    skipped: list[str] = []
    base_map: Mapping[str, Any] = base or {}

    for name, value in export.items():
        if name in UNMERGED or _is_empty(value):
            continue
        if name in SET_FIELDS:
            added = _add_members(name, value, current.get(name), base_map.get(name))
            if added is not None:
                changes[name] = added
            continue
        if name == "extra":
            merged, extra_conflicts = _merge_extra(
                str(value), str(current.get("extra") or ""), base_map.get("extra"), fill_only
            )
            if merged is not None:
                changes["extra"] = merged
            conflicts.extend(extra_conflicts)
            continue
        target = name if name == "creators" else schema.resolve_field(item_type, name)
        if target is None:
            skipped.append(name)
            continue
        if name == "creators" and schema.has_type(item_type):
            value = _creators_for(value, item_type, schema)
        cur = current.get(target)
        if _same(cur, value):
            continue
        if _is_empty(cur):
            changes[target] = value
            continue
        if fill_only:
            continue
        old = base_map.get(name)
        if old is not None and _same(cur, old):
            changes[target] = value
        elif old is not None and _same(value, old):
            continue
        else:
            conflicts.append(Conflict(target, cur, value, old))
    return MergeResult(changes, tuple(conflicts), new_base, tuple(skipped))


def _creators_for(creators: Any, item_type: str, schema: Schema) -> Any:
    """Creators with roles the library item's type allows: a role it lacks (a book
    section's bookAuthor on a book) becomes the type's primary role, as Zotero does."""
    if not isinstance(creators, list):
        return creators
    spec = schema.type(item_type)
    allowed = set(spec.creator_types)
    primary = spec.primary_creator_type
    out = []
    for creator in creators:
        if isinstance(creator, Mapping) and creator.get("creatorType") not in allowed and primary:
            creator = {**creator, "creatorType": primary}
        out.append(creator)
    return out


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _norm(value: Any) -> Any:
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, list):
        return [_norm(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _norm(v) for k, v in value.items() if not _is_empty(v)}
    return value


def _same(a: Any, b: Any) -> bool:
    # Equal as they are is the common case (a re-sync of an unchanged export), and
    # normalising thirteen creators to find that out was most of the merge's time.
    return bool(a == b or _norm(a) == _norm(b))


def _set_members(name: str, value: Any) -> set[str]:
    if not isinstance(value, Sequence) or isinstance(value, str):
        return set()
    if name == "tags":
        return {str(t["tag"]) for t in value if isinstance(t, Mapping) and t.get("tag")}
    return {str(v) for v in value if v}


def _add_members(name: str, export: Any, current: Any, base: Any) -> list[Any] | None:
    """The full new list when something is to be added, else None.

    A member in the base that Zotero no longer has was removed by the user: not
    added again.
    """
    want = _set_members(name, export)
    have = _set_members(name, current)
    removed_by_user = set(base or ()) - have
    missing = sorted(want - have - removed_by_user)
    if not missing:
        return None
    existing = list(current or [])
    if name == "tags":
        return existing + [{"tag": t} for t in missing]
    return existing + missing


def _extra_key(line: str) -> str:
    m = _CITATIONS.match(line)
    if m:
        return " ".join(m.group(1).lower().split())
    m = _EXTRA_KEY.match(line)
    if m:
        return " ".join(m.group(1).lower().split())
    return line.strip()


def _line_value(line: str) -> str:
    """What a line says, for comparisons: a citation count without its date, so a new
    export date alone does not rewrite every item."""
    m = _CITATIONS.match(line)
    if m:
        return line.split("(", 1)[0].strip() + " " + m.group(1).lower()
    return line.strip()


def _extra_entries(text: str) -> list[tuple[str, str]]:
    return [(_extra_key(line), line.strip()) for line in text.splitlines() if line.strip()]


def _merge_extra(
    export: str, current: str, base: Any, fill_only: bool
) -> tuple[str | None, list[Conflict]]:
    cur_lines = [line for line in current.splitlines()]
    cur_index = {_extra_key(line): i for i, line in enumerate(cur_lines) if line.strip()}
    base_lines: Mapping[str, str] = base if isinstance(base, Mapping) else {}
    conflicts: list[Conflict] = []
    changed = False
    for key, line in _extra_entries(export):
        if key not in cur_index:
            if key in base_lines:
                continue  # syncd wrote this line before and the user deleted it
            cur_lines.append(line)
            cur_index[key] = len(cur_lines) - 1
            changed = True
            continue
        cur_line = cur_lines[cur_index[key]].strip()
        if _line_value(cur_line) == _line_value(line) or fill_only:
            continue
        old = base_lines.get(key)
        if old is not None and _line_value(cur_line) == _line_value(old):
            cur_lines[cur_index[key]] = line
            changed = True
        elif old is not None and _line_value(line) == _line_value(old):
            continue
        else:
            conflicts.append(Conflict(f"extra:{key}", cur_line, line, old))
    if not changed:
        return None, conflicts
    return "\n".join(cur_lines).strip("\n"), conflicts
