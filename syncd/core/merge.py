"""Merging an export's item into the library's item, field by field. Pure.

Which value wins is decided by the item's provenance (:mod:`syncd.core.provenance`,
whose docstring holds the decision table): what syncd last wrote to each field, from
which source, and what each source's last export carried. In short: an empty field
is filled; a field syncd wrote follows the source that wrote it while Zotero still
holds syncd's value; another source's spelling replaces it only when it is a better
one; a value the user changed or emptied is theirs for good, and a conflict is
reported only when the source that wrote the field changed it too.

Extra is merged line by line, each ``Key: value`` line being a field of its own,
so identifier lines are added without touching the user's lines. Tags and
collections are only ever added, and never one syncd offered before (the user
removed it). Notes, attachments, relations and fields the export does not carry
are never touched. Policies (:class:`SyncPolicy`, the config's ``[sync] policy``):
``merge`` (all of the above), ``fill-empty`` (only empty fields, lines, tags and
collections), ``never-update`` (nothing).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from typing import Any, assert_never

from syncd.core.provenance import (
    LEGACY,
    SOURCE,
    VALUE,
    Provenance,
    Written,
    same,
    upgrades,
    written,
)
from syncd.schema import Schema


class SyncPolicy(StrEnum):
    """How much a sync may change an item that is already in the library."""

    MERGE = "merge"
    FILL_EMPTY = "fill-empty"
    NEVER_UPDATE = "never-update"


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
_NOT_SOURCE = UNMERGED | set(SET_FIELDS)

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
class Kept:
    """A field left as Zotero has it although the export differs, and why."""

    field: str
    zotero_value: Any
    export_value: Any
    why: str

    def as_json(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "zotero": self.zotero_value,
            "export": self.export_value,
            "why": self.why,
        }


@dataclass(frozen=True, slots=True)
class MergeResult:
    """What to send (``changes``, a partial item), what clashed, the new provenance
    (``new_base``), the fields kept as the user's, and the source of each change."""

    changes: dict[str, Any]
    conflicts: tuple[Conflict, ...]
    new_base: dict[str, Any]
    skipped_fields: tuple[str, ...] = field(default=())
    kept: tuple[Kept, ...] = field(default=())
    sources: Mapping[str, str] = field(default_factory=dict)
    previous: Mapping[str, Any] = field(default_factory=dict)  # Zotero's, of ``changes``

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def base_of(item: Mapping[str, Any]) -> dict[str, Any]:
    """An export's own values as stored: Extra as key -> line, tags and collections as
    sorted lists (an older syncd's whole base; now what one source carried)."""
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


def created_base(item: Mapping[str, Any], source: str, notes: Sequence[str] = ()) -> dict[str, Any]:
    """The provenance of an item syncd creates from ``item``: every field written by
    ``source``; ``notes`` are the digests of the notes created with it."""
    prov = Provenance(notes=set(notes))
    values = _source_values(item)
    prov.sources[source] = values
    for name, value in values.items():
        if name == "extra":
            for key, line in value.items():
                prov.written[f"extra:{key}"] = written(line, source)
        else:
            prov.written[name] = written(value, source)
    for name in SET_FIELDS:
        prov.members[name] = _set_members(name, item.get(name))
    return prov.to_json()


def merge_item(
    export: Mapping[str, Any],
    current: Mapping[str, Any],
    base: Mapping[str, Any] | None,
    *,
    policy: SyncPolicy,
    schema: Schema,
    source: str = LEGACY,
) -> MergeResult:
    """Merge ``export`` (from ``source``) into ``current`` given the stored provenance
    ``base`` (None: syncd never wrote this item)."""
    prov = Provenance.parse(base)
    last = prov.sources.get(source, {})
    prov.sources[source] = _source_values(export)
    for name in SET_FIELDS:
        prov.members.setdefault(name, set())
    match policy:
        case SyncPolicy.NEVER_UPDATE:
            return MergeResult({}, (), prov.to_json())
        case SyncPolicy.FILL_EMPTY:
            fill_only = True
        case SyncPolicy.MERGE:
            fill_only = False
        case _:
            assert_never(policy)
    ctx = _Ctx(prov, source, fill_only, last)
    item_type = str(current.get("itemType") or export.get("itemType"))
    changes: dict[str, Any] = {}
    skipped: list[str] = []

    for name, value in export.items():
        if name in UNMERGED or _is_empty(value):
            continue
        if name in SET_FIELDS:
            added = _add_members(name, value, current.get(name), prov.members[name])
            prov.members[name] |= _set_members(name, value)
            if added is not None:
                changes[name] = added
                ctx.sources[name] = source
            continue
        if name == "extra":
            merged = _merge_extra(str(value), str(current.get("extra") or ""), ctx)
            if merged is not None:
                changes["extra"] = merged
            continue
        target = name if name == "creators" else schema.resolve_field(item_type, name)
        if target is None:
            skipped.append(name)
            continue
        if name == "creators" and schema.has_type(item_type):
            value = _creators_for(value, item_type, schema)
        cur = current.get(target)
        if ctx.merge_field(name, target, value, cur, ctx.last.get(name)):
            changes[target] = value
    return MergeResult(
        changes,
        tuple(ctx.conflicts),
        prov.to_json(),
        tuple(skipped),
        tuple(ctx.kept),
        ctx.sources,
        {name: current.get(name) for name in changes},
    )


def _source_values(export: Mapping[str, Any]) -> dict[str, Any]:
    """What one source's export carried, as provenance keeps it (Extra by line key)."""
    values = {
        n: v for n, v in export.items() if n not in _NOT_SOURCE and v not in (None, "", [], {})
    }
    extra = values.get("extra")
    if extra is not None:
        values["extra"] = dict(_extra_entries(str(extra)))
    return values


@dataclass
class _Ctx:
    """One merge's running state: the provenance being updated and what to report."""

    prov: Provenance
    source: str
    fill_only: bool
    last: Mapping[str, Any]  # what this source's previous export carried
    conflicts: list[Conflict] = field(default_factory=list)
    kept: list[Kept] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)

    def merge_field(self, name: str, target: str, new: Any, cur: Any, last: Any) -> bool:
        """Apply the decision table to one field (or Extra line); True: write ``new``."""
        was = self.prov.written.get(name)
        eq = _same_line if name.startswith("extra:") else partial(_eq, name)
        row = decide(name, new, cur, was, self.source, last, self.fill_only, eq)
        if row is Row.SAME:
            if was is None or not eq(cur, was[VALUE]):
                self.prov.written[name] = written(new, self.source)
            elif was[SOURCE] == LEGACY:
                self.prov.written[name] = written(was[VALUE], self.source)
            return False
        if row in (Row.FILL, Row.FOLLOW, Row.UPGRADE):
            self.prov.written[name] = written(new, self.source)
            self.sources[target] = self.source
            return True
        if row is Row.CONFLICT:
            assert was is not None
            self.conflicts.append(Conflict(target, cur, new, was[VALUE]))
        elif row in (Row.EMPTIED, Row.USER):
            self.kept.append(Kept(target, cur, new, _why(row, was)))
        return False


class Row(StrEnum):
    """The rows of the decision table (syncd/core/provenance.py)."""

    SAME = "same"  # 2
    FILL = "fill"  # 3
    EMPTIED = "emptied"  # 4
    USER = "user"  # 5
    CONFLICT = "conflict"  # 5, the writing source changed too
    FOLLOW = "follow"  # 6
    UPGRADE = "upgrade"  # 7
    OTHER = "other-source"  # 8
    POLICY = "policy"  # fill-empty: only row 3 writes


def decide(
    name: str,
    new: Any,
    cur: Any,
    was: Written | None,
    source: str,
    last: Any,
    fill_only: bool,
    eq: Callable[[Any, Any], bool] | None = None,
) -> Row:
    """The decision table's row for one field; ``new`` is not empty, ``was`` is what
    syncd wrote ([value, source]) or None."""
    same_as = eq or partial(_eq, name)
    if same_as(cur, new):
        return Row.SAME
    if _is_empty(cur):
        return Row.EMPTIED if was is not None else Row.FILL
    if was is None:
        return Row.USER
    value, writer = was[VALUE], was[SOURCE]
    if not same_as(cur, value):
        if writer in (source, LEGACY) and not same_as(new, value if last is None else last):
            return Row.CONFLICT
        return Row.USER
    if fill_only:
        return Row.POLICY
    if writer in (source, LEGACY):
        # Not back to a worse spelling, even from the writer: two exports that share
        # a source name (two generic files without record IDs) would take turns.
        return Row.OTHER if upgrades(name, value, new) else Row.FOLLOW
    if upgrades(name, new, value):
        return Row.UPGRADE
    return Row.OTHER


def _why(row: Row, was: Written | None) -> str:
    if row is Row.EMPTIED:
        return "emptied in Zotero after syncd wrote it: the user's"
    if was is None:
        return "not written by syncd: the item's own value"
    return "changed in Zotero after syncd wrote it: the user's"


def _eq(name: str, a: Any, b: Any) -> bool:
    return same(name, a, b)


def _same_line(a: Any, b: Any) -> bool:
    if not isinstance(a, str) or not isinstance(b, str):
        return bool(a == b)
    return _line_value(a) == _line_value(b)


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


def _set_members(name: str, value: Any) -> set[str]:
    if not isinstance(value, Sequence) or isinstance(value, str):
        return set()
    if name == "tags":
        return {str(t["tag"]) for t in value if isinstance(t, Mapping) and t.get("tag")}
    return {str(v) for v in value if v}


def _add_members(name: str, export: Any, current: Any, offered: set[str]) -> list[Any] | None:
    """The full new list when something is to be added, else None.

    A member syncd offered before that Zotero lacks was removed by the user (or
    never taken): not added again, whichever source offers it now.
    """
    want = _set_members(name, export)
    have = _set_members(name, current)
    missing = sorted(want - have - offered)
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


def _merge_extra(export: str, current: str, ctx: _Ctx) -> str | None:
    cur_lines = [line for line in current.splitlines()]
    cur_index = {_extra_key(line): i for i, line in enumerate(cur_lines) if line.strip()}
    last = ctx.last.get("extra")
    last_lines: Mapping[str, str] = last if isinstance(last, Mapping) else {}
    changed = False
    for key, line in _extra_entries(export):
        at = cur_index.get(key)
        cur = cur_lines[at].strip() if at is not None else None
        if not ctx.merge_field(f"extra:{key}", "extra", line, cur, last_lines.get(key)):
            continue
        if at is None:
            cur_lines.append(line)
            cur_index[key] = len(cur_lines) - 1
        else:
            cur_lines[at] = line
        changed = True
    if not changed:
        return None
    return "\n".join(cur_lines).strip("\n")
