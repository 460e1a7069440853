"""Matching records to library items by identifier: pure, over a snapshot of the mirror.

A record matches an item when an identifier agrees (DOI, Scopus EID, PMID, PMCID,
Web of Science UT, a database's accession number, ISBN for books), unless the two
carry record numbers that say they are two works (:mod:`syncd.core.identity`):
such an item is reported as sharing the DOI, never matched. A DOI that differs
only in the slashes after its prefix (``10.1037//...``) matches when title and
year agree too. Notes and attachments never match.

Several items for one record are narrowed, in this order, before it is called
ambiguous (reported with the keys involved, never guessed):

1. items in the trash, and items another item's ``dc:replaces`` relation names
   (what Zotero's "Merge items" leaves), drop out when a live one matches (a
   record linked to a merged-away item goes to the master that replaces it,
   :meth:`LibraryIndex.replacement`, even when none of its identifiers is there);
2. a database's record number beats a DOI or ISBN several items share (an
   erratum and its article): the one item the record numbers name wins;
3. among items that share only the DOI, the one whose title is the record's.

Title/year/first-author matching (``by_title``) is an opt-in, for records whose
identifiers found nothing; items whose identifiers differ never match that way.
Its matches are marked ``weak``. Without the opt-in the same search only names
``possible`` duplicates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from syncd.core.identity import (
    ID_KINDS,
    ISBN_TYPES,
    SHARED_KINDS,
    Pair,
    differing_kinds,
    fingerprint,
    id_pairs,
    same_work_by_title,
    title_of,
    year_of,
)
from syncd.identifiers import Identifiers, accession_number, doi_variant, identifiers_from_item

__all__ = ["ID_KINDS", "ISBN_TYPES", "fingerprint", "id_pairs"]

NEVER_MATCHED_TYPES = frozenset({"note", "attachment", "annotation"})
# Index kind for DOIs written with a doubled slash, under their collapsed form.
DOI_VARIANT = "doi~"


@dataclass(frozen=True, slots=True)
class MirrorItem:
    """One library item as the mirror last saw it: what the state database keeps of
    it (``syncd.state``) and what the index matches against.

    ``identifiers`` may carry the (kind, value) pairs already found in ``data`` (the
    mirror stores them); ``None`` means "find them".
    """

    key: str
    version: int
    item_type: str
    trashed: bool
    data: Mapping[str, Any]
    parent_key: str | None = None
    identifiers: tuple[tuple[str, str], ...] | None = None

    @property
    def index_fields(self) -> Mapping[str, Any]:
        """The fields the index reads beyond the identifiers: all of ``data``."""
        return self.data


class IndexedItem(Protocol):
    """What the index reads of an item: a :class:`MirrorItem`, or a stored row whose
    data is decoded on first use (``syncd.state.StoredItem``, which also brings the
    few fields the index reads as ``index_fields``)."""

    @property
    def key(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def item_type(self) -> str: ...
    @property
    def trashed(self) -> bool: ...
    @property
    def data(self) -> Mapping[str, Any]: ...
    @property
    def parent_key(self) -> str | None: ...
    @property
    def identifiers(self) -> tuple[tuple[str, str], ...] | None: ...
    @property
    def index_fields(self) -> Mapping[str, Any]:
        """What the index reads beyond the identifiers (accession-number fields,
        ``relations``): ``data`` itself, or just those fields of a stored row."""


def _replaced_keys(data: Mapping[str, Any]) -> list[str]:
    """Keys an item's ``dc:replaces`` relation names (URIs ending in the key)."""
    relations = data.get("relations")
    if not isinstance(relations, Mapping):
        return []
    value = relations.get("dc:replaces")
    uris = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return [str(u).rstrip("/").rsplit("/", 1)[-1] for u in uris if u]


@dataclass
class LibraryIndex:
    """The mirror indexed for matching: items by key, keys by identifier.

    Keys by title fingerprint are built on first use: only the title match and the
    duplicate hint ask for them, and folding every title of a large library cost
    more than the rest of the index together.
    """

    items: dict[str, IndexedItem] = field(default_factory=dict)
    by_id: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    # Keys named by a live item's dc:replaces relation -> the items naming them.
    replaced_by: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # What each key was indexed under, so removing one item costs what adding did.
    _pairs: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    _replaces: dict[str, list[str]] = field(default_factory=dict)
    _fingerprints: dict[str, str] = field(default_factory=dict)
    _by_fingerprint: dict[str, set[str]] | None = None

    @classmethod
    def build(cls, items: Iterable[IndexedItem]) -> LibraryIndex:
        index = cls()
        index._index(items)
        return index

    @property
    def by_fingerprint(self) -> Mapping[str, set[str]]:
        if self._by_fingerprint is None:
            self._by_fingerprint = defaultdict(set)
            for item in self.items.values():
                if item.item_type not in NEVER_MATCHED_TYPES:
                    self._add_fingerprint(item)
        return self._by_fingerprint

    def pairs_of(self, key: str) -> list[Pair]:
        """The identifiers ``key`` is indexed under (none for unknown keys)."""
        return self._pairs.get(key, [])

    def add(self, item: IndexedItem) -> None:
        """Index ``item``, replacing whatever was indexed under its key before."""
        self._index((item,))

    def _index(self, items: Iterable[IndexedItem]) -> None:
        """``add`` for each of ``items``: one loop, as building the index of a large
        library from the state database is most of what a fresh process does before
        it can match (``syncd sync`` of an unchanged export)."""
        indexed, by_id, pairs_of = self.items, self.by_id, self._pairs
        for item in items:
            key = item.key
            if key in indexed:
                self.remove(key)
            indexed[key] = item
            if item.item_type in NEVER_MATCHED_TYPES:
                continue
            known = item.identifiers
            pairs = (
                list(known)
                if known is not None
                else id_pairs(identifiers_from_item(item.data), item.item_type)
            )
            # Accession numbers and DOI variants are not in the mirror's stored
            # pairs. A stored row brings the few fields read here (state.StoredItem),
            # mostly none: its data is then decoded only if something else asks.
            source = item.index_fields
            if source:
                number = accession_number(source)
                if number and ("accession", number) not in pairs:
                    pairs.append(("accession", number))
            for kind, value in list(pairs):
                if kind == "doi" and "//" in value:
                    pairs.append((DOI_VARIANT, doi_variant(value)))
            for pair in pairs:
                by_id[pair].add(key)
            pairs_of[key] = pairs
            if source and not item.trashed:
                replaces = _replaced_keys(source)
                for old in replaces:
                    self.replaced_by[old].add(key)
                if replaces:
                    self._replaces[key] = replaces
            if self._by_fingerprint is not None:
                self._add_fingerprint(item)

    def _add_fingerprint(self, item: IndexedItem) -> None:
        assert self._by_fingerprint is not None
        fp = fingerprint(item.data)
        if fp:
            self._by_fingerprint[fp].add(item.key)
            self._fingerprints[item.key] = fp

    def remove(self, key: str) -> None:
        self.items.pop(key, None)
        for pair in self._pairs.pop(key, ()):
            self.by_id[pair].discard(key)
        for old in self._replaces.pop(key, ()):
            self.replaced_by[old].discard(key)
        fp = self._fingerprints.pop(key, None)
        if fp and self._by_fingerprint is not None:
            self._by_fingerprint[fp].discard(key)

    def superseded(self, key: str) -> bool:
        """In the trash, or merged into another (live) item in Zotero."""
        item = self.items.get(key)
        return item is None or item.trashed or bool(self.replaced_by.get(key))

    def replacement(self, key: str) -> str | None:
        """The one live item that replaces ``key`` through ``dc:replaces`` relations
        (Zotero's "Merge items" names the merged-away items on the master), followed
        through later merges of the master; None when there is none or several."""
        seen = {key}
        while True:
            masters = self.replaced_by.get(key, set()) - seen
            if len(masters) != 1:
                return None
            (key,) = masters
            if not self.superseded(key):
                return key
            seen.add(key)

    def prefer_live(self, keys: Iterable[str]) -> set[str]:
        """``keys`` without the superseded ones, when any is not superseded."""
        keys = set(keys)
        live = {k for k in keys if not self.superseded(k)}
        return live or keys


@dataclass(frozen=True, slots=True)
class Match:
    """The outcome of matching one record.

    ``key`` is set for a unique match; ``ambiguous`` lists every key involved when
    the identifiers disagree. ``by`` names the identifier kind (or ``"title"``).
    ``shares`` names items that carry the record's DOI but are other works;
    ``possible`` items that look like the same work by title, year and author
    (only searched for when the title match is off and nothing else matched).
    """

    key: str | None = None
    by: str | None = None
    trashed: bool = False
    weak: bool = False
    ambiguous: tuple[str, ...] = ()
    detail: str = ""
    shares: tuple[str, ...] = ()
    possible: tuple[str, ...] = ()

    @property
    def found(self) -> bool:
        return self.key is not None


NO_MATCH = Match()


def match_record(
    ids: Identifiers,
    item_type: str,
    index: LibraryIndex,
    *,
    record: Mapping[str, Any] | None = None,
    by_title: bool = False,
    live_only: bool = False,
    hint: bool = False,
) -> Match:
    """Find the library item a record with identifiers ``ids`` stands for.

    ``record`` (the record's item data) adds its accession number, allows DOI
    variants and the title rules; ``by_title`` enables the opt-in weak match,
    ``hint`` the search for possible duplicates without it; ``live_only`` leaves
    trashed and merged-away items out.
    """
    pairs = id_pairs(ids, item_type, record)
    hits: list[tuple[str, str, frozenset[str]]] = []
    shares: set[str] = set()
    for kind, value in pairs:
        found = set(index.by_id.get((kind, value), ()))
        if kind == "doi" and record is not None:
            found |= _doi_variants(value, record, index)
        keys: set[str] = set()
        for k in found:
            item = index.items[k]
            if item.item_type in NEVER_MATCHED_TYPES or (live_only and index.superseded(k)):
                continue
            if differing_kinds(pairs, index.pairs_of(k)):
                if kind in SHARED_KINDS:
                    shares.add(k)
                continue
            keys.add(k)
        if keys:
            hits.append((kind, value, frozenset(keys)))
    shared = tuple(sorted(shares))
    if hits:
        involved = index.prefer_live(set().union(*(keys for _, _, keys in hits)))
        if len(involved) > 1:
            involved = _narrow(involved, hits, record, index)
        if len(involved) > 1:
            detail = "; ".join(
                f"{kind} {value} -> {', '.join(sorted(keys))}" for kind, value, keys in hits
            )
            return Match(ambiguous=tuple(sorted(involved)), detail=detail, shares=shared)
        (key,) = involved
        kind = next(kind for kind, _, keys in hits if key in keys)
        return Match(key=key, by=kind, trashed=index.items[key].trashed, shares=shared)
    if record is not None and (by_title or hint):
        same = index.prefer_live(_same_title(record, pairs, index, live_only=live_only))
        if by_title and len(same) == 1:
            (key,) = same
            return Match(key=key, by="title", weak=True, trashed=index.items[key].trashed)
        if by_title and len(same) > 1:
            return Match(ambiguous=tuple(sorted(same)), detail="same title, year and first author")
        return Match(shares=shared, possible=tuple(sorted(same)))
    return Match(shares=shared) if shared else NO_MATCH


def _doi_variants(doi: str, record: Mapping[str, Any], index: LibraryIndex) -> set[str]:
    """Items whose DOI is ``doi`` written with other slashes, and whose title and
    year are the record's."""
    loose = doi_variant(doi)
    found = set(index.by_id.get((DOI_VARIANT, loose), ()))
    if loose != doi:
        found |= index.by_id.get(("doi", loose), set())
    if not found:
        return found
    title, year = title_of(record), year_of(record)
    return {
        k
        for k in found
        if title_of(index.items[k].data) == title and year_of(index.items[k].data) == year
    }


def _narrow(
    involved: set[str],
    hits: list[tuple[str, str, frozenset[str]]],
    record: Mapping[str, Any] | None,
    index: LibraryIndex,
) -> set[str]:
    """Rules 2 and 3 of the module docstring; ``involved`` again when they do not
    single one item out."""
    numbered = set().union(*(keys for kind, _, keys in hits if kind not in SHARED_KINDS))
    numbered &= involved
    if len(numbered) == 1:
        # Only when the shared identifiers name that item too: a PMID on one item
        # and the DOI on another is two items holding one record's identifiers.
        shared = [keys for kind, _, keys in hits if kind in SHARED_KINDS]
        return numbered if all(numbered <= keys for keys in shared) else involved
    if numbered or record is None:
        return involved
    title = title_of(record)
    same = {k for k in involved if title and title_of(index.items[k].data) == title}
    return same if len(same) == 1 else involved


def _same_title(
    record: Mapping[str, Any], pairs: list[Pair], index: LibraryIndex, *, live_only: bool
) -> set[str]:
    fp = fingerprint(record)
    if not fp:
        return set()
    return {
        k
        for k in index.by_fingerprint.get(fp, ())
        if not (live_only and index.superseded(k))
        and not differing_kinds(pairs, index.pairs_of(k), with_doi=True)
        and same_work_by_title(record, index.items[k].data)
    }
