"""The sync plan: for each record of an export, what to do to the library. Pure.

Inputs are plain data: the converted records (with the collection and tags their
folder asks for), the mirror index, and syncd's own links from record identities to
the items it wrote (with each item's provenance, syncd/core/provenance.py). Output
is one action per distinct record: create, update, unchanged, conflict, ambiguous or
skipped, each with its reason. An update's changes, notes and new provenance come
from ``merge_item`` and ``plan_notes``, given the record's source. Records repeated
within a file or across the files of one run (sharing any identifier, unless their
record numbers say they are two works) collapse into one action. The collapsed record
(the later record's values, the earlier ones filling its gaps) finds the item; what
is written is what syncing the records one after another would write, each value
credited to its own record's source (a Scopus count in a run with a PubMed record
of the work stays Scopus's, and follows Scopus's next export).

Which item a record goes to, and which links it follows: :mod:`syncd.core.links`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from syncd.core.identity import differing_kinds, work_key
from syncd.core.links import (
    KnownLinks,
    checked_link,
    create_reason,
    follow_links,
    own_identities,
    pairs_of,
    record_identities,
    shares_note,
)
from syncd.core.match import LibraryIndex, Match, match_record
from syncd.core.merge import Conflict, Kept, MergeResult, SyncPolicy, created_base, merge_item
from syncd.core.provenance import NoteUpdate, WrittenNote, note_slot, source_of
from syncd.formats.ris.mapping import ConvertedRecord, SourceRef
from syncd.identifiers import Identifiers, doi_variant
from syncd.schema import Schema

ACTION_KINDS = ("create", "update", "unchanged", "conflict", "ambiguous", "skipped")


@dataclass(frozen=True, slots=True)
class Incoming:
    """A converted record and what its folder (or command line) adds to it."""

    record: ConvertedRecord
    collections: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    # Records of one work collapsed into this one, oldest first (none: one record).
    members: tuple[Incoming, ...] = ()


@dataclass(frozen=True, slots=True)
class Link:
    """What syncd remembers of an item it wrote for a record identity."""

    key: str
    base: Mapping[str, Any]
    confirmed: bool = True  # False while a create was sent but not yet seen to land
    created_by_syncd: bool = True  # False for an item syncd only filled in
    notes: tuple[WrittenNote, ...] = ()  # child notes syncd sent for it


@dataclass(frozen=True, slots=True)
class Options:
    policy: SyncPolicy = SyncPolicy.MERGE
    recreate_deleted: bool = False
    match_by_title: bool = False


@dataclass(frozen=True, slots=True)
class Action:
    kind: str
    incoming: Incoming
    identities: tuple[str, ...]
    sources: tuple[SourceRef, ...]
    key: str | None = None
    # create: the full item data to POST; update: the changed fields only
    payload: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    new_base: Mapping[str, Any] = field(default_factory=dict)
    reason: str = ""
    matched_by: str | None = None
    # ambiguous: the items the record could be (the user decides, e.g. by merging)
    candidates: tuple[str, ...] = ()
    trashed: bool = False
    # The state database already links every identity to ``key`` with ``new_base``
    # as the base: nothing to record (most of an unchanged re-sync).
    recorded: bool = False
    # Which note of its record each of ``notes`` is (provenance.note_slot).
    note_slots: tuple[str, ...] = ()
    # Notes syncd wrote that their record now words differently: replaced in place.
    note_updates: tuple[NoteUpdate, ...] = ()
    # Fields left as Zotero has them although the export differs, and why.
    kept: tuple[Kept, ...] = ()
    # The source (provenance.source_of) of each value in ``payload``, and the value
    # each field of ``payload`` has in Zotero now.
    field_sources: Mapping[str, str] = field(default_factory=dict)
    previous: Mapping[str, Any] = field(default_factory=dict)

    @property
    def record(self) -> ConvertedRecord:
        return self.incoming.record


@dataclass(frozen=True, slots=True)
class Plan:
    actions: tuple[Action, ...]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(ACTION_KINDS, 0)
        for action in self.actions:
            counts[action.kind] += 1
        return counts

    def of_kind(self, kind: str) -> list[Action]:
        return [a for a in self.actions if a.kind == kind]


def note_digest(note: str) -> str:
    return hashlib.sha256(" ".join(note.split()).encode()).hexdigest()[:24]


@dataclass
class _Group:
    incoming: list[Incoming]
    identities: list[str]


def collapse(
    incoming: Sequence[Incoming],
) -> list[tuple[Incoming, tuple[str, ...], tuple[SourceRef, ...]]]:
    """Merge records that share an identity; order follows first appearance.

    Records whose record numbers differ (an erratum beside its article, sharing the
    DOI) stay apart; DOIs that differ only in their slashes join when title and
    year agree.
    """
    parent: dict[int, int] = {}

    def find(i: int) -> int:
        while parent.setdefault(i, i) != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    identities = [record_identities(inc.record) for inc in incoming]
    pairs = [pairs_of(ids) for ids in identities]
    group_pairs: dict[int, list[tuple[str, str]]] = {}
    variants = any("//" in ident for ids in identities for ident in ids if ident[:4] == "doi:")
    for i, ids in enumerate(identities):
        find(i)
        group_pairs[i] = list(pairs[i])
        keys = ids + _variant_keys(ids, incoming[i].record) if variants else ids
        for ident in keys:
            if ident not in owner:
                owner[ident] = i
                continue
            a, b = find(owner[ident]), find(i)
            if a == b or differing_kinds(group_pairs[a], group_pairs[b]):
                continue
            root, other = min(a, b), max(a, b)
            parent[other] = root
            group_pairs[root] = group_pairs[root] + group_pairs.pop(other)
    groups: dict[int, list[int]] = {}
    for i in range(len(incoming)):
        groups.setdefault(find(i), []).append(i)
    out = []
    for root in sorted(groups):
        members = groups[root]
        merged = _merge_group([incoming[i] for i in members])
        group_ids: list[str] = []
        for i in members:
            group_ids.extend(x for x in identities[i] if x not in group_ids)
        sources = tuple(incoming[i].record.source for i in members)
        out.append((merged, tuple(group_ids), sources))
    return out


def _variant_keys(ids: tuple[str, ...], record: ConvertedRecord) -> tuple[str, ...]:
    """Join keys for DOIs written with other slashes: the collapsed DOI with the
    record's title and year, so that only the same work joins."""
    key = work_key(record.item)
    return tuple(
        f"doi~{doi_variant(ident[4:])}|{key.title}|{key.year}"
        for ident in ids
        if ident.startswith("doi:")
    )


def _merge_group(members: list[Incoming]) -> Incoming:
    if len(members) == 1:
        return members[0]
    last = members[-1]
    item = dict(last.record.item)
    ids: Identifiers = last.record.identifiers
    notes = list(last.record.notes)
    collections = list(last.collections)
    tags = list(last.tags)
    for earlier in reversed(members[:-1]):
        rec = earlier.record
        if rec.item.get("itemType") == item.get("itemType"):
            for name, value in rec.item.items():
                if item.get(name) in (None, "", []):
                    item[name] = value
        ids = ids.merged(rec.identifiers)
        notes.extend(n for n in rec.notes if n not in notes)
        collections.extend(c for c in earlier.collections if c not in collections)
        tags.extend(t for t in earlier.tags if t not in tags)
    record = last.record.with_changes(item=item, identifiers=ids, notes=tuple(notes))
    return Incoming(record, tuple(collections), tuple(tags), tuple(members))


def export_item(inc: Incoming) -> dict[str, Any]:
    """The item as syncd wants it in Zotero, with the folder's collections and tags."""
    item = dict(inc.record.item)
    if inc.tags:
        tags = list(item.get("tags") or [])
        have = {t.get("tag") for t in tags}
        tags.extend({"tag": t} for t in inc.tags if t not in have)
        item["tags"] = tags
    if inc.collections:
        item["collections"] = list(dict.fromkeys([*item.get("collections", []), *inc.collections]))
    return item


def make_plan(
    incoming: Iterable[Incoming],
    index: LibraryIndex,
    links: Mapping[str, Link],
    schema: Schema,
    options: Options = Options(),
) -> Plan:
    groups = collapse(list(incoming))
    known = KnownLinks.of(links, groups)
    by_item = {link.key: link for link in links.values()}
    actions = [
        _plan_one(inc, ids, sources, index, links, by_item, schema, options, known)
        for inc, ids, sources in groups
    ]
    return Plan(tuple(_one_record_per_item(actions)))


def _plan_one(
    inc: Incoming,
    identities: tuple[str, ...],
    sources: tuple[SourceRef, ...],
    index: LibraryIndex,
    links: Mapping[str, Link],
    by_item: Mapping[str, Link],
    schema: Schema,
    options: Options,
    known: KnownLinks,
) -> Action:
    record = inc.record
    item = export_item(inc)
    notes = record.notes
    source = source_of(record)
    slots = _note_slots(inc, source)
    common: dict[str, Any] = {"incoming": inc, "identities": identities, "sources": sources}
    payload, new_base = _created(inc, item, source, [note_digest(n) for n in notes], schema)
    create: dict[str, Any] = {"note_slots": slots, "new_base": new_base}
    target = _choose_target(inc, item, common, create, index, links, known, options)
    if isinstance(target, Action):
        return target
    link, match = target
    identities = own_identities(identities, match)
    common["identities"] = identities
    if match.key is None:
        return Action(
            "create",
            payload=payload,
            notes=notes,
            reason=create_reason(match),
            **create,
            **common,
        )
    current = index.items[match.key]
    if match.trashed:
        return Action(
            "skipped",
            key=match.key,
            matched_by=match.by,
            trashed=True,
            reason="the matching item is in the Zotero trash: not updated",
            **common,
        )
    if link is None:
        # Found by an identifier or a merge, not by a link of its own: the item's
        # provenance is still what syncd wrote to it for other records (starting
        # afresh would forget their fields, removals and notes).
        link = by_item.get(match.key)
    base = link.base if link is not None else None
    result = _merge(inc, item, current.data, base, options.policy, schema, source)
    notes_plan = plan_notes(
        record.notes, source, link, result.new_base.get("notes", ()), index, options.policy, slots
    )
    new_base = {**result.new_base, "notes": notes_plan.digests}
    kind = (
        "conflict"
        if result.conflicts
        else "update"
        if (result.changes or notes_plan.creates or notes_plan.updates)
        else ("unchanged")
    )
    recorded = (
        link is not None
        and link.confirmed
        and link.key == match.key
        and link.base == new_base
        and all(i in links and links[i].key == match.key for i in identities)
    )
    return Action(
        kind,
        key=match.key,
        payload=result.changes,
        notes=notes_plan.creates,
        conflicts=result.conflicts,
        new_base=new_base,
        matched_by=match.by,
        reason="; ".join(
            filter(
                None, (_dropped_note(result.skipped_fields, current.item_type), shares_note(match))
            )
        ),
        recorded=recorded,
        note_slots=notes_plan.slots,
        note_updates=notes_plan.updates,
        kept=result.kept,
        field_sources=result.sources,
        previous=result.previous,
        **common,
    )


@dataclass(frozen=True, slots=True)
class NotesPlan:
    creates: tuple[str, ...]
    slots: tuple[str, ...]
    updates: tuple[NoteUpdate, ...]
    digests: list[str]  # every note digest syncd wrote (or let be) for the item


def plan_notes(
    notes: Sequence[str],
    source: str,
    link: Link | None,
    written_before: Iterable[str],
    index: LibraryIndex,
    policy: SyncPolicy,
    note_slots: Sequence[str] | None = None,
) -> NotesPlan:
    """A linked item's notes: each text syncd wrote once; a note of the same slot whose
    text changed replaces the one syncd wrote, unless the user edited or deleted it.

    An item syncd has no link for (the user's own) gets no notes, and its record's
    notes count as written: adding them on the next sync would surprise.
    """
    written = set(written_before) if link is not None else set()
    digests = [note_digest(n) for n in notes]
    if link is None or policy == SyncPolicy.NEVER_UPDATE:
        keep = written if policy == SyncPolicy.NEVER_UPDATE else written | set(digests)
        return NotesPlan((), (), (), sorted(keep))
    written |= {n.digest for n in link.notes}
    by_slot = {n.slot: n for n in link.notes if n.slot}
    creates: list[str] = []
    slots: list[str] = []
    updates: list[NoteUpdate] = []
    for i, (html, digest) in enumerate(zip(notes, digests, strict=True)):
        if digest in written:
            continue
        slot = note_slots[i] if note_slots is not None else note_slot(source, i, html)
        old = by_slot.get(slot)
        if old is None:
            creates.append(html)
            slots.append(slot)
            continue
        note = index.items.get(old.key)
        if note is None or note.trashed or not old.confirmed:
            continue  # the user deleted it (or its create is still in flight)
        if note_digest(str(note.data.get("note") or "")) != old.digest:
            continue  # the user edited it: theirs
        updates.append(NoteUpdate(old.key, html, digest, slot))
    return NotesPlan(tuple(creates), tuple(slots), tuple(updates), sorted(written | set(digests)))


def _note_slots(inc: Incoming, source: str) -> tuple[str, ...]:
    """Each note's slot, under the source of the record that carried it."""
    if not inc.members:
        return tuple(note_slot(source, i, n) for i, n in enumerate(inc.record.notes))
    slot_of: dict[str, str] = {}
    for member in reversed(inc.members):  # the later record's notes come first
        member_source = source_of(member.record)
        for i, html in enumerate(member.record.notes):
            slot_of.setdefault(html, note_slot(member_source, i, html))
    return tuple(slot_of[n] for n in inc.record.notes)


def _created(
    inc: Incoming, item: dict[str, Any], source: str, digests: list[str], schema: Schema
) -> tuple[dict[str, Any], dict[str, Any]]:
    """What a create sends and its provenance: the first record of the group, and each
    later one merged in as its own source would be on the next sync."""
    if not inc.members:
        return item, created_base(item, source, digests)
    first, *rest = inc.members
    payload = export_item(first)
    base = created_base(payload, source_of(first.record), digests)
    for member in rest:
        result = merge_item(
            export_item(member),
            payload,
            base,
            policy=SyncPolicy.MERGE,
            schema=schema,
            source=source_of(member.record),
        )
        payload = {**payload, **result.changes}
        base = result.new_base
    return payload, base


def _merge(
    inc: Incoming,
    item: Mapping[str, Any],
    current: Mapping[str, Any],
    base: Mapping[str, Any] | None,
    policy: SyncPolicy,
    schema: Schema,
    source: str,
) -> MergeResult:
    """``merge_item`` of the record, or of each collapsed record in turn."""
    if not inc.members:
        return merge_item(item, current, base, policy=policy, schema=schema, source=source)
    now = dict(current)
    changes: dict[str, Any] = {}
    conflicts: dict[str, Conflict] = {}
    kept: dict[str, Kept] = {}
    sources: dict[str, str] = {}
    skipped: set[str] = set()
    new_base: Mapping[str, Any] | None = base
    for member in inc.members:
        result = merge_item(
            export_item(member),
            now,
            new_base,
            policy=policy,
            schema=schema,
            source=source_of(member.record),
        )
        now.update(result.changes)
        changes.update(result.changes)
        sources.update(result.sources)
        skipped |= set(result.skipped_fields)
        conflicts.update((c.field, c) for c in result.conflicts)
        kept.update((k.field, k) for k in result.kept)
        new_base = result.new_base
    assert new_base is not None
    # Two records of one source that differ (an Embase record and its MEDLINE copy)
    # each follow the other in turn: what the last one leaves is what counts.
    changes = {k: v for k, v in changes.items() if v != current.get(k)}
    return MergeResult(
        changes,
        tuple(conflicts.values()),
        dict(new_base),
        tuple(sorted(skipped)),
        tuple(k for name, k in kept.items() if name not in changes),
        sources,
        {name: current.get(name) for name in changes},
    )


def _dropped_note(fields: tuple[str, ...], item_type: str) -> str:
    """Say which of the export's fields the library item's type has no place for
    (its type differs from the record's): they are not written, and the user should
    know rather than wonder."""
    if not fields:
        return ""
    return f"not written, a {item_type} has no field for: {', '.join(sorted(fields))}"


# -- which item a record goes to ------------------------------------------------------

# Ways of finding an item that may pick one another record of the run picks too.
_FUZZY = frozenset({"correction", "title"})


def _choose_target(
    inc: Incoming,
    item: Mapping[str, Any],
    common: Mapping[str, Any],
    create: Mapping[str, Any],
    index: LibraryIndex,
    links: Mapping[str, Link],
    known: KnownLinks,
    options: Options,
) -> Action | tuple[Link | None, Match]:
    """The link a record follows and the item it goes to; or the action that ends
    its planning here (ambiguous, a resent create, a deleted item). ``create`` holds
    what a create of the record carries besides its item (note slots, provenance)."""
    record = inc.record
    item_type = str(item.get("itemType"))
    link, how, clash = follow_links(record, common["identities"], index, links, known)
    if clash:
        return _ambiguous(
            common,
            clash,
            "syncd linked the record's identifiers to several items: " + ", ".join(clash),
        )
    moved: Match | None = None
    if link is not None and index.superseded(link.key):
        # The linked item is gone, in the trash or merged away. If the user merged
        # duplicates in Zotero, another live item carries the record's identifiers.
        other = match_record(record.identifiers, item_type, index, record=item, live_only=True)
        master = index.replacement(link.key)
        if other.key and other.key != link.key:
            link, moved = None, other
        elif (
            master is not None
            and not other.ambiguous
            and not differing_kinds(
                pairs_of(common["identities"]), index.pairs_of(master), with_doi=True
            )
        ):
            # The master holds none of the record's identifiers (the user's own
            # import, say), but Zotero's merge says it is this work. Its values are
            # the user's: filled where empty, as any item syncd did not write.
            link, moved = None, Match(key=master, by="dc:replaces")
    if link is not None and link.key not in index.items:
        if not link.confirmed:
            # A create was sent before (maybe it landed, maybe not): resend with the
            # same key; the server's 412 tells us if it already exists.
            return Action(
                "create",
                key=link.key,
                payload=item,
                notes=record.notes,
                reason="resending an unconfirmed create",
                **create,
                **common,
            )
        if not options.recreate_deleted:
            made = "created" if link.created_by_syncd else "updated"
            return Action(
                "skipped",
                key=link.key,
                reason=f"syncd {made} this item before and it was deleted in Zotero; "
                "set [sync] recreate_deleted = true to create it again",
                **common,
            )
        return None, match_record(record.identifiers, item_type, index, record=item)
    if link is not None:
        match = checked_link(link, how, record, item, index)
    elif moved is not None:
        match = moved
    else:
        match = match_record(
            record.identifiers,
            item_type,
            index,
            record=item,
            by_title=options.match_by_title,
            hint=not options.match_by_title,
        )
    if match.ambiguous:
        return _ambiguous(
            common, match.ambiguous, f"identifiers point to several items: {match.detail}"
        )
    return link, match


def _ambiguous(common: Mapping[str, Any], keys: tuple[str, ...], reason: str) -> Action:
    return Action("ambiguous", candidates=keys, reason=reason, **common)


def _one_record_per_item(actions: list[Action]) -> list[Action]:
    """Two records of one run found one item by a correction or a title: neither
    is written (one would overwrite the other, every sync)."""
    counts: dict[str, int] = {}
    for action in actions:
        if action.key and action.kind not in ("ambiguous", "create"):
            counts[action.key] = counts.get(action.key, 0) + 1
    out = []
    for action in actions:
        if action.key and action.matched_by in _FUZZY and counts.get(action.key, 0) > 1:
            action = replace(
                action,
                kind="ambiguous",
                candidates=(action.key,),
                payload={},
                notes=(),
                reason=f"another record of this run goes to {action.key} too",
            )
        out.append(action)
    return out
