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
of the work stays Scopus's, and follows Scopus's next export). Records whose
identifiers together lead to several items while apart they do not (a record with
a DOI and a PMID beside a DOI-only record, the library holding a DOI-only and a
PMID-only item) are planned apart (:func:`_apart`), as their own syncs would be.

An unchanged re-sync merges nothing: a merge that found nothing to do leaves a mark
on the item's link (:func:`settled_mark`: the item's version and a digest of the
record), and while both still hold, with the base unchanged, the record is
unchanged without merging again. Any edit in Zotero moves the version on, any
change of the record (a value, a note, the folder's tags) changes the digest.

Which item a record goes to, and which links it follows: :mod:`syncd.core.links`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from syncd import jsonio
from syncd.core.identity import differing_kinds, same_work_pairs, work_key
from syncd.core.links import (
    KnownLinks,
    checked_link,
    create_reason,
    follow_links,
    own_identities,
    pairs_of,
    record_identities,
    shares_note,
    sole_link,
)
from syncd.core.match import LibraryIndex, Match, match_record
from syncd.core.merge import Conflict, Kept, MergeResult, SyncPolicy, created_base, merge_item
from syncd.core.provenance import NoteUpdate, WrittenNote, note_slot, source_of
from syncd.formats.records import ConvertedRecord, SourceRef
from syncd.identifiers import Identifiers, doi_variant
from syncd.schema import Schema


class ActionKind(StrEnum):
    """What a sync does for one record."""

    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    CONFLICT = "conflict"
    AMBIGUOUS = "ambiguous"
    SKIPPED = "skipped"


ACTION_KINDS = tuple(kind.value for kind in ActionKind)


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
    # The mark (settled_mark) of the last merge into the item that found nothing to
    # do with this base; while the item and the record still match it, merging
    # again would find nothing again and is skipped.
    settled: str | None = None


@dataclass(frozen=True, slots=True)
class Options:
    policy: SyncPolicy = SyncPolicy.MERGE
    recreate_deleted: bool = False
    match_by_title: bool = False


@dataclass(frozen=True, slots=True)
class Action:
    kind: ActionKind
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
    # Found nothing to do with the base it records: the mark (settled_mark) to store
    # for the item with ``new_base`` (None: none, or the one stored holds).
    settled: str | None = None

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
    incoming: Sequence[Incoming], *, by_title: bool = False
) -> list[tuple[Incoming, tuple[str, ...], tuple[SourceRef, ...]]]:
    """Merge records that share an identity; order follows first appearance.

    Records whose record numbers differ (an erratum beside its article, sharing the
    DOI) stay apart; DOIs that differ only in their slashes join when title and
    year agree. ``by_title`` (``[sync] match_by_title``) also joins records that
    look like one work by title, year and first author, as the library search does.
    """
    parent: dict[int, int] = {}

    def find(i: int) -> int:
        while parent.setdefault(i, i) != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(i: int, j: int, *, with_doi: bool) -> None:
        a, b = find(i), find(j)
        if a == b or differing_kinds(group_pairs[a], group_pairs[b], with_doi=with_doi):
            return
        root, other = min(a, b), max(a, b)
        parent[other] = root
        group_pairs[root] = group_pairs[root] + group_pairs.pop(other)

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
            else:
                join(owner[ident], i, with_doi=False)
    if by_title:
        for i, j in same_work_pairs([inc.record.item for inc in incoming], pairs):
            join(i, j, with_doi=True)
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
    groups = collapse(list(incoming), by_title=options.match_by_title)
    ctx = _Context(
        index,
        links,
        {link.key: link for link in links.values()},
        schema,
        options,
        KnownLinks.of(links, groups),
    )
    actions = [a for group in groups for a in _plan_group(_Record(*group), ctx)]
    return Plan(tuple(_hint_in_run(_one_record_per_item(actions))))


def _plan_group(rec: _Record, ctx: _Context) -> list[Action]:
    """The collapsed record's action; or, when it is ambiguous and its records alone
    go to different items, theirs (:func:`_apart`)."""
    settled = _still_settled(rec, ctx)
    if settled is not None:
        return [settled]
    action = _plan_one(rec, ctx)
    if action.kind is not ActionKind.AMBIGUOUS or not rec.incoming.members:
        return [action]
    return _apart(rec, ctx) or [action]


def _apart(rec: _Record, ctx: _Context) -> list[Action]:
    """Records of the run that share an identifier but whose identifiers together lead
    to several items (a DOI-only record's item, a PMID-only record's, and a record with
    both): planned as each would be alone, those going to one item collapsed, those
    ambiguous alone collapsed into one ambiguous action. Collapsed, the one ambiguous
    record would hold back a record that alone goes to its item, and that record's
    next sync would write it: the run would not end as its files synced one after
    another. Empty (keep the collapsed action) when the records all go one way, or
    one alone would be created: it shares an identifier with the others, a work of
    the library."""
    parts: dict[str | None, list[Incoming]] = {}
    for member in rec.incoming.members:
        ids = record_identities(member.record)
        alone = _plan_one(_Record(member, ids, (member.record.source,)), ctx)
        if alone.kind is ActionKind.CREATE:
            return []
        parts.setdefault(_goes_to(alone), []).append(member)
    if len(parts) < 2:
        return []
    out = []
    for where, members in parts.items():
        group_ids = dict.fromkeys(i for m in members for i in record_identities(m.record))
        sources = tuple(m.record.source for m in members)
        action = _plan_one(_Record(_merge_group(members), tuple(group_ids), sources), ctx)
        if action.kind is ActionKind.CREATE or _goes_to(action) != where:
            return []
        out.append(action)
    return out


def _goes_to(action: Action) -> str | None:
    return None if action.kind is ActionKind.AMBIGUOUS else action.key


def _hint_in_run(actions: list[Action]) -> list[Action]:
    """A create that looks like an earlier create of the same run (title, year and
    first author, no identifier in common) says so, as a create that looks like a
    library item does: two exports of one work, one with a PMID and one with a DOI,
    would otherwise make two items without a word. (With ``match_by_title`` the two
    were joined by ``collapse``.)"""
    creates = [n for n, a in enumerate(actions) if a.kind is ActionKind.CREATE and a.key is None]
    found = same_work_pairs(
        [actions[n].incoming.record.item for n in creates],
        [pairs_of(actions[n].identities) for n in creates],
    )
    out = list(actions)
    hinted: set[int] = set()
    for i, j in found:
        if j in hinted:
            continue
        hinted.add(j)
        first = actions[creates[i]].sources[0]
        later = out[creates[j]]
        out[creates[j]] = replace(
            later,
            reason=f"{later.reason}; possible duplicate of the record at {first.file} line "
            f"{first.line} in this run (same title, year and first author; [sync] "
            "match_by_title = true joins such records)",
        )
    return out


@dataclass(frozen=True, slots=True)
class _Context:
    """What planning every record of a run looks at."""

    index: LibraryIndex
    links: Mapping[str, Link]
    by_item: Mapping[str, Link]  # each linked item's link
    schema: Schema
    options: Options
    known: KnownLinks


@dataclass(frozen=True, slots=True)
class _Record:
    """One distinct record of the run (collapsed), as every action names it."""

    incoming: Incoming
    identities: tuple[str, ...]
    sources: tuple[SourceRef, ...]

    def action(self, kind: ActionKind, **details: Any) -> Action:
        return Action(kind, self.incoming, self.identities, self.sources, **details)


def _still_settled(rec: _Record, ctx: _Context) -> Action | None:
    """The action :func:`_plan_one` gives a record whose one link's item is where
    the last merge left it (:func:`settled_mark`), when the search for its item
    could only find that link's (``links.sole_link``); None for any other record.

    Planned so, the record skips building the search's matches: an unchanged
    re-sync of thousands of records spent most of its planning there.
    """
    if rec.incoming.members:
        return None
    item = export_item(rec.incoming)
    link = sole_link(rec.identities, rec.incoming.record, item, ctx.index, ctx.links)
    if link is None or link.settled is None:
        return None
    version = ctx.index.items[link.key].version
    mark = settled_mark(rec.incoming, item, version, ctx.options, ctx.schema)
    if mark != link.settled:
        return None
    return _settled_action(rec, link, Match(key=link.key, by="sync-state"), mark, ctx)


def _settled_action(rec: _Record, link: Link, match: Match, mark: str, ctx: _Context) -> Action:
    """Merged before at this version, with this record and base, finding nothing to
    do (no change, nothing kept as the user's, no note): it would again."""
    assert match.key is not None
    recorded = _recorded(link, match.key, link.base, rec.identities, ctx.links)
    return rec.action(
        ActionKind.UNCHANGED,
        key=match.key,
        new_base=link.base,
        matched_by=match.by,
        reason=shares_note(match),
        recorded=recorded,
        # Stored already, unless recording the links writes the base again.
        settled=None if recorded else mark,
    )


def _plan_one(rec: _Record, ctx: _Context) -> Action:
    """Which item the record goes to, then what to write there."""
    item = export_item(rec.incoming)
    target = _choose_target(rec, item, ctx)
    if isinstance(target, Action):
        return target
    link, match = target
    own = own_identities(rec.identities, match)
    if own != rec.identities:
        rec = replace(rec, identities=own)
    if match.key is None:
        return _create_action(rec, item, ctx.schema, reason=create_reason(match))
    if match.trashed:
        return rec.action(
            ActionKind.SKIPPED,
            key=match.key,
            matched_by=match.by,
            trashed=True,
            reason="the matching item is in the Zotero trash: not updated",
        )
    if link is None:
        # Found by an identifier or a merge, not by a link of its own: the item's
        # provenance is still what syncd wrote to it for other records (starting
        # afresh would forget their fields, removals and notes).
        link = ctx.by_item.get(match.key)
    return _update_action(rec, item, link, match, ctx)


def _create_action(
    rec: _Record, item: dict[str, Any], schema: Schema, *, reason: str, key: str | None = None
) -> Action:
    """A create of the record (``key``: resending one sent before)."""
    record = rec.incoming.record
    source = source_of(record)
    digests = [note_digest(n) for n in record.notes]
    payload, new_base = _created(rec.incoming, item, source, digests, schema)
    return rec.action(
        ActionKind.CREATE,
        key=key,
        # A resend carries the record as it is now, merged or not.
        payload=item if key is not None else payload,
        notes=record.notes,
        reason=reason,
        note_slots=_note_slots(rec.incoming, source),
        new_base=new_base,
    )


def settled_mark(
    inc: Incoming, item: Mapping[str, Any], version: int, options: Options, schema: Schema
) -> str | None:
    """What a merge of the record into an item depends on besides the item's base:
    the item's version and a digest of the record's item, notes, source, the
    policy and the schema. None for records of one work collapsed in the run
    (never skipped: each is merged in turn).

    The merge is a pure function of these and the base, so while the item is at
    ``version`` (any edit in Zotero moves it on), the record digests alike and the
    base is the one stored with the mark, merging again finds what it found then.
    """
    if inc.members:
        return None
    record = inc.record
    body = [item, list(record.notes), source_of(record), options.policy, schema.version]
    # Keys in the order the mapping made them: the same record gives the same text (a
    # syncd that orders them otherwise merges each record once more, then settles).
    digest = hashlib.blake2b(jsonio.dumps(body), digest_size=16).hexdigest()
    return f"{version}:{digest}"


def _update_action(
    rec: _Record, item: dict[str, Any], link: Link | None, match: Match, ctx: _Context
) -> Action:
    """The record merged into the item it found (``link``: syncd's provenance of it)."""
    assert match.key is not None
    current = ctx.index.items[match.key]
    mark = settled_mark(rec.incoming, item, current.version, ctx.options, ctx.schema)
    if link is not None and link.key == match.key and mark is not None and link.settled == mark:
        return _settled_action(rec, link, match, mark, ctx)
    record = rec.incoming.record
    source = source_of(record)
    base = link.base if link is not None else None
    result = _merge(rec.incoming, item, current.data, base, ctx.options.policy, ctx.schema, source)
    notes_plan = plan_notes(
        record.notes,
        source,
        link,
        result.new_base.get("notes", ()),
        ctx.index,
        ctx.options.policy,
        _note_slots(rec.incoming, source),
    )
    new_base = {**result.new_base, "notes": notes_plan.digests}
    if result.conflicts:
        kind = ActionKind.CONFLICT
    elif result.changes or notes_plan.creates or notes_plan.updates:
        kind = ActionKind.UPDATE
    else:
        kind = ActionKind.UNCHANGED
    # Settled only when the base stays as stored (recording another base would
    # need merging once more to know it settles) and nothing was found at all.
    settled = (
        kind is ActionKind.UNCHANGED
        and not result.kept
        and not result.skipped_fields
        and link is not None
        and link.key == match.key
        and link.base == new_base
    )
    return rec.action(
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
        recorded=link is not None
        and _recorded(link, match.key, new_base, rec.identities, ctx.links),
        note_slots=notes_plan.slots,
        note_updates=notes_plan.updates,
        kept=result.kept,
        field_sources=result.sources,
        previous=result.previous,
        settled=mark if settled else None,
    )


def settled_after_write(
    action: Action, key: str, index: LibraryIndex, schema: Schema, options: Options
) -> str | None:
    """The mark (``Link.settled``) for the item ``action`` just created or updated
    under ``key``, its base now ``action.new_base`` and ``index`` holding the
    server's answer: when merging the record into it again finds nothing to do.

    Computed as the next sync would plan it, so that sync can skip the merge.
    """
    if key not in index.items or action.incoming.members:
        return None
    rec = _Record(action.incoming, action.identities, action.sources)
    ctx = _Context(index, {}, {}, schema, options, KnownLinks({}, frozenset()))
    link = Link(key, action.new_base)
    again = _update_action(rec, export_item(action.incoming), link, Match(key=key), ctx)
    return again.settled


def _recorded(
    link: Link,
    key: str,
    new_base: Mapping[str, Any],
    identities: tuple[str, ...],
    links: Mapping[str, Link],
) -> bool:
    """Whether the state database already links every identity to ``key`` with
    ``new_base``: nothing to record."""
    return (
        link.confirmed
        and link.key == key
        and (link.base is new_base or link.base == new_base)
        and all(i in links and links[i].key == key for i in identities)
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
    rec: _Record, item: dict[str, Any], ctx: _Context
) -> Action | tuple[Link | None, Match]:
    """The link a record follows and the item it goes to; or the action that ends
    its planning here (ambiguous, a resent create, a deleted item)."""
    record = rec.incoming.record
    link, how, clash = follow_links(record, rec.identities, ctx.index, ctx.links, ctx.known)
    if clash:
        return _ambiguous(
            rec,
            clash,
            "syncd linked the record's identifiers to several items: " + ", ".join(clash),
        )
    moved: Match | None = None
    if link is not None and ctx.index.superseded(link.key):
        link, moved = _superseded(rec, item, link, ctx.index)
    if link is not None and link.key not in ctx.index.items:
        return _deleted(rec, item, link, ctx)
    if link is not None:
        match = checked_link(link, how, record, item, ctx.index)
    elif moved is not None:
        match = moved
    else:
        match = match_record(
            record.identifiers,
            str(item.get("itemType")),
            ctx.index,
            record=item,
            by_title=ctx.options.match_by_title,
            hint=not ctx.options.match_by_title,
        )
    if match.ambiguous:
        return _ambiguous(
            rec, match.ambiguous, f"identifiers point to several items: {match.detail}"
        )
    return link, match


def _superseded(
    rec: _Record, item: Mapping[str, Any], link: Link, index: LibraryIndex
) -> tuple[Link | None, Match | None]:
    """The linked item is gone, in the trash or merged away. If the user merged
    duplicates in Zotero, another live item carries the record's identifiers: the
    item to go to instead (and no link), else the link as it is."""
    record = rec.incoming.record
    item_type = str(item.get("itemType"))
    other = match_record(record.identifiers, item_type, index, record=item, live_only=True)
    master = index.replacement(link.key)
    if other.key and other.key != link.key:
        return None, other
    if (
        master is not None
        and not other.ambiguous
        and not differing_kinds(pairs_of(rec.identities), index.pairs_of(master), with_doi=True)
    ):
        # The master holds none of the record's identifiers (the user's own
        # import, say), but Zotero's merge says it is this work. Its values are
        # the user's: filled where empty, as any item syncd did not write.
        return None, Match(key=master, by="dc:replaces")
    return link, None


def _deleted(
    rec: _Record, item: dict[str, Any], link: Link, ctx: _Context
) -> Action | tuple[Link | None, Match]:
    """The linked item is not in the library: a create in flight is resent, a
    deleted item stays deleted unless the user asks to create it again."""
    if not link.confirmed:
        # A create was sent before (maybe it landed, maybe not): resend with the
        # same key; the server's 412 tells us if it already exists.
        return _create_action(
            rec, item, ctx.schema, reason="resending an unconfirmed create", key=link.key
        )
    if not ctx.options.recreate_deleted:
        made = "created" if link.created_by_syncd else "updated"
        return rec.action(
            ActionKind.SKIPPED,
            key=link.key,
            reason=f"syncd {made} this item before and it was deleted in Zotero; "
            "set [sync] recreate_deleted = true to create it again",
        )
    record = rec.incoming.record
    item_type = str(item.get("itemType"))
    return None, match_record(record.identifiers, item_type, ctx.index, record=item)


def _ambiguous(rec: _Record, keys: tuple[str, ...], reason: str) -> Action:
    return rec.action(ActionKind.AMBIGUOUS, candidates=keys, reason=reason)


def _one_record_per_item(actions: list[Action]) -> list[Action]:
    """Two records of one run found one item by a correction or a title: neither
    is written (one would overwrite the other, every sync)."""
    counts: dict[str, int] = {}
    for action in actions:
        if action.key and action.kind not in (ActionKind.AMBIGUOUS, ActionKind.CREATE):
            counts[action.key] = counts.get(action.key, 0) + 1
    out = []
    for action in actions:
        if action.key and action.matched_by in _FUZZY and counts.get(action.key, 0) > 1:
            action = replace(
                action,
                kind=ActionKind.AMBIGUOUS,
                candidates=(action.key,),
                payload={},
                notes=(),
                reason=f"another record of this run goes to {action.key} too",
            )
        out.append(action)
    return out
