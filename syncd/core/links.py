"""Which item a record goes to: record identity keys and the links syncd keeps. Pure.

A record's identities are its identifiers as ``kind:value`` (``doi:10.1/x``,
``scopus_eid:2-s2.0-1``, ``accession:embase:123``...) or, without any, its work
key (``work:title|year|author|container|volume|page|issue``, see
:mod:`syncd.core.identity`). The state database links each identity to the item
syncd wrote for it (``sync_links``). Accession numbers are kept there, not in
Extra: a work found in three databases has three numbers, Zotero has one Loc. in
Archive for them, and the numbers mean nothing outside the database that gave them.

Following links (:func:`follow_links`), in order:

1. every identity's link, except a DOI's or ISBN's to an item whose record
   numbers differ from the record's (an erratum's DOI leads to its article);
2. for a work key nobody linked: the one linked work key it corrects (same title,
   year, first author and journal, same volume and issue or one lacking it; the
   first page may differ), unless that work key is itself in this run (then both are works
   of their own); several fit: ambiguous;
3. else the link syncd made before work keys (``fp:title|year|author`` when the
   item's journal, volume, issue and first page still agree with the record's;
   ``item:<hash>`` as it is);
4. for a record with identifiers none of which is linked: the link of its exact
   work key (a database added a DOI to a record syncd had without one), unless
   the item's identifiers differ from the record's;
5. links to several live items: the one a record number (not a DOI) leads to,
   when the others are other works by their record numbers (an erratum); else
   ambiguous.

The item a link leads to then goes through :func:`checked_link`: when writing the
record to it would leave two live items holding one identifier, the record is
ambiguous, never written.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from syncd.core.identity import (
    SHARED_KINDS,
    WORK_PREFIX,
    WorkKey,
    differing_kinds,
    fingerprint,
    id_pairs,
    is_correction,
    same_container,
    work_key,
)
from syncd.core.match import DOI_VARIANT, NEVER_MATCHED_TYPES, LibraryIndex, Match, match_record
from syncd.formats.records import ConvertedRecord, SourceRef
from syncd.identifiers import doi_variant

if TYPE_CHECKING:
    from syncd.core.plan import Incoming, Link


def record_identities(record: ConvertedRecord) -> tuple[str, ...]:
    """Keys that identify a record across exports: its identifiers (accession numbers
    included), else its work key (:mod:`syncd.core.identity`)."""
    item_type = str(record.item.get("itemType"))
    pairs = id_pairs(record.identifiers, item_type, record.item)
    if pairs:
        return tuple(f"{kind}:{value}" for kind, value in pairs)
    key = work_key(record.item)
    if not key.empty:
        return (key.identity,)
    return (item_digest(record),)


def item_digest(record: ConvertedRecord) -> str:
    digest = hashlib.sha256(json.dumps(record.item, sort_keys=True).encode()).hexdigest()
    return f"item:{digest[:32]}"


def legacy_identities(record: ConvertedRecord) -> tuple[str, ...]:
    """The key syncd before work keys linked a record without identifiers under."""
    fp = fingerprint(record.item)
    return (f"fp:{fp}",) if fp else (item_digest(record),)


def pairs_of(identities: tuple[str, ...]) -> list[tuple[str, str]]:
    out = []
    for ident in identities:
        kind, _, value = ident.partition(":")
        out.append((kind, value))
    return out


@dataclass(frozen=True, slots=True)
class KnownLinks:
    """The work keys syncd linked, by title, year and first author, and the work
    keys the records of this run carry (a work key present in the run is that
    record's, never another's to correct)."""

    works: Mapping[tuple[str, str, str], list[tuple[WorkKey, Link]]]
    present: frozenset[str]
    # Whether any link goes by a work key: when none does, no record can have
    # gained identifiers since one (a first sync skips a work key per record).
    any_work_link: bool = False

    @classmethod
    def of(
        cls,
        links: Mapping[str, Link],
        groups: Sequence[tuple[Incoming, tuple[str, ...], tuple[SourceRef, ...]]],
    ) -> KnownLinks:
        works: dict[tuple[str, str, str], list[tuple[WorkKey, Link]]] = {}
        any_work_link = False
        for identity, link in links.items():
            if identity.startswith(WORK_PREFIX):
                any_work_link = True
                key = WorkKey.parse(identity)
                if key is not None:
                    works.setdefault((key.title, key.year, key.author), []).append((key, link))
        present = frozenset(i for _, ids, _ in groups for i in ids if i.startswith(WORK_PREFIX))
        return cls(works, present, any_work_link)


def follow_links(
    record: ConvertedRecord,
    identities: tuple[str, ...],
    index: LibraryIndex,
    links: Mapping[str, Link],
    known: KnownLinks,
) -> tuple[Link | None, str, tuple[str, ...]]:
    """The link the record's identities lead to, how it was found ("sync-state",
    "correction"), and the keys when they lead to several live items.

    A link through a DOI or ISBN is not followed to an item whose record numbers
    differ from the record's (an erratum's DOI leads to its article); a link
    through a record number is syncd's own and is followed.
    """
    pairs = pairs_of(identities)
    found: dict[str, Link] = {}
    numbered: set[str] = set()
    for ident in identities:
        link = links.get(ident)
        if link is None:
            continue
        shared = ident.split(":", 1)[0] in SHARED_KINDS
        if not shared:
            numbered.add(link.key)
        if link.key in found:
            continue
        if shared and differing_kinds(pairs, index.pairs_of(link.key)):
            continue
        found[link.key] = link
    how = "sync-state"
    if not found and identities and identities[0].startswith(WORK_PREFIX):
        link, how, clash = _work_link(identities[0], record, index, links, known)
        if clash:
            return None, how, clash
        if link is not None:
            found[link.key] = link
    elif not found and identities and known.any_work_link:
        gained = _gained_identifiers(record, pairs, index, links)
        if gained is not None:
            found[gained.key] = gained
    live = [link for link in found.values() if not index.superseded(link.key)]
    if len(live) > 1:
        # A record number's link beats a DOI's to an item of another work (an
        # article and its erratum, synced in one run, both linked the DOI); the
        # identity checks that follow still find two items holding the record's
        # identifiers. Items nothing says are two works (a PMID-only record's and
        # a DOI-only record's) are the user's to merge: ambiguous.
        by_number = [link for link in live if link.key in numbered]
        if len(by_number) == 1 and all(
            differing_kinds(index.pairs_of(by_number[0].key), index.pairs_of(link.key))
            for link in live
            if link is not by_number[0]
        ):
            live = by_number
    if len(live) > 1:
        return None, how, tuple(sorted(link.key for link in live))
    if live:
        return live[0], how, ()
    return next(iter(found.values()), None), how, ()


def _work_link(
    identity: str,
    record: ConvertedRecord,
    index: LibraryIndex,
    links: Mapping[str, Link],
    known: KnownLinks,
) -> tuple[Link | None, str, tuple[str, ...]]:
    """For a work key syncd has not linked: the one linked work key it corrects, or
    the link an older syncd made for the record (``fp:``, ``item:``)."""
    key = WorkKey.parse(identity)
    if key is None:
        return None, "sync-state", ()
    corrected: dict[str, Link] = {}
    for old, link in known.works.get((key.title, key.year, key.author), ()):
        if old.identity not in known.present and is_correction(key, old):
            corrected.setdefault(link.key, link)
    live = {k: v for k, v in corrected.items() if not index.superseded(k)} or corrected
    if len(live) > 1:
        return None, "correction", tuple(sorted(live))
    if live:
        return next(iter(live.values())), "correction", ()
    for ident in legacy_identities(record):
        old_link = links.get(ident)
        if old_link is not None and (
            ident.startswith("item:") or _legacy_fits(key, old_link, index)
        ):
            return old_link, "sync-state", ()
    return None, "sync-state", ()


def _gained_identifiers(
    record: ConvertedRecord,
    pairs: list[tuple[str, str]],
    index: LibraryIndex,
    links: Mapping[str, Link],
) -> Link | None:
    """A record that now carries identifiers and was linked by its work key before
    (a database added the DOI): that link, unless the item's identifiers differ."""
    key = work_key(record.item)
    link = links.get(key.identity) if not key.empty else None
    if link is None or differing_kinds(pairs, index.pairs_of(link.key), with_doi=True):
        return None
    return link


def _legacy_fits(key: WorkKey, link: Link, index: LibraryIndex) -> bool:
    """An ``fp:`` link (title, year, author) was shared by every work with those: it
    is the record's when the item's container, volume, issue and first page agree."""
    item = index.items.get(link.key)
    if item is None:
        return True
    have = work_key(item.data)
    return (
        (not key.container or not have.container or same_container(key.container, have.container))
        and (not key.volume or not have.volume or key.volume == have.volume)
        and (not key.issue or not have.issue or key.issue == have.issue)
        and (not key.page or not have.page or key.page == have.page)
    )


def checked_link(
    link: Link, how: str, record: ConvertedRecord, item: Mapping[str, Any], index: LibraryIndex
) -> Match:
    """The linked item, unless writing the record to it would leave two live items
    holding one identifier: an identifier of the record the linked item lacks is
    held by another live item of the same work. Then ambiguous (the user merges
    them, or trashes one), with the keys of both."""
    item_type = str(item.get("itemType"))
    pairs = id_pairs(record.identifiers, item_type, item)
    held = set(index.pairs_of(link.key))
    others: set[str] = set()
    for pair in pairs:
        if pair in held:
            continue
        for key in index.by_id.get(pair, ()):
            if (
                key != link.key
                and not index.superseded(key)
                and index.items[key].item_type not in NEVER_MATCHED_TYPES
                and not differing_kinds(pairs, index.pairs_of(key))
            ):
                others.add(key)
    if others and not index.superseded(link.key):
        keys = tuple(sorted(others | {link.key}))
        return Match(
            ambiguous=keys,
            detail=f"syncd linked the record to {link.key}; "
            f"{', '.join(sorted(others))} holds one of its identifiers",
        )
    if _alone(pairs, link.key, index) and not differing_kinds(pairs, index.pairs_of(link.key)):
        # No other item holds any of the record's identifiers (nor a DOI variant),
        # and the linked item is the same work: nothing can share the DOI. Most
        # records of a re-sync; the search below was a third of its planning.
        shares: tuple[str, ...] = ()
    else:
        check = match_record(record.identifiers, item_type, index, record=item, live_only=True)
        shares = check.shares
    return Match(key=link.key, by=how, trashed=index.items[link.key].trashed, shares=shares)


def sole_link(
    identities: tuple[str, ...],
    record: ConvertedRecord,
    item: Mapping[str, Any],
    index: LibraryIndex,
    links: Mapping[str, Link],
) -> Link | None:
    """The link every identity of the record leads to, when following and checking
    the links (:func:`follow_links`, :func:`checked_link`) can only end at its item
    as it is: found by identifiers (not a work key), the create confirmed, the item
    live (not gone, trashed or merged away), the same work, and no other item
    indexed under any of the record's identifiers. None otherwise: the full search
    decides. Most records of an unchanged re-sync.
    """
    link: Link | None = None
    for ident in identities:
        found = links.get(ident)
        if found is None or (link is not None and found.key != link.key):
            return None
        link = link or found
    if link is None or not link.confirmed or index.superseded(link.key):
        return None
    pairs = id_pairs(record.identifiers, str(item.get("itemType")), item)
    if (
        not pairs
        or not _alone(pairs, link.key, index)
        or differing_kinds(pairs, index.pairs_of(link.key))
    ):
        return None
    return link


def _alone(pairs: Sequence[tuple[str, str]], key: str, index: LibraryIndex) -> bool:
    """Whether no item but ``key`` is indexed under ``pairs`` or, for a DOI, under
    the keys :func:`match_record` looks up its variants by."""
    for kind, value in pairs:
        looked = [(kind, value)]
        if kind == "doi":
            loose = doi_variant(value)
            looked += [(DOI_VARIANT, loose), ("doi", loose)]
        for pair in looked:
            keys = index.by_id.get(pair)
            if keys and (len(keys) > 1 or key not in keys):
                return False
    return True


def own_identities(identities: tuple[str, ...], match: Match) -> tuple[str, ...]:
    """A DOI the record shares with another work's item is not linked to its own."""
    if not match.shares:
        return identities
    return tuple(i for i in identities if i.split(":", 1)[0] not in SHARED_KINDS)


def shares_note(match: Match) -> str:
    """Items holding the record's DOI that are other works: said on every action, as
    the library then holds one DOI on two items."""
    if not match.shares:
        return ""
    return f"shares DOI with {', '.join(match.shares)} (their record numbers differ: another work)"


def create_reason(match: Match) -> str:
    parts = ["new"]
    if match.shares:
        parts.append(shares_note(match))
    if match.possible:
        parts.append(
            f"possible duplicate of {', '.join(match.possible)} (same title, year and "
            "first author; [sync] match_by_title = true matches such records)"
        )
    return "; ".join(parts)
