"""Matching records to library items by identifier: pure, over a snapshot of the mirror.

A record matches an item when a strong identifier agrees, tried in order of
precedence (DOI, Scopus EID, PMID, PMCID, Web of Science UT, then ISBN for books).
Two items for one record, or identifiers that point to different items, is an
ambiguity: reported with the keys involved, never guessed. Notes and attachments
never match. Items in the trash do match, and the match says so.

Title/year/first-author matching is an opt-in for records without any identifier,
and its matches are marked ``weak`` so the planner never updates through them.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from syncd.identifiers import Identifiers, identifiers_from_item

# Precedence of identifier kinds, strongest first. ISBN only identifies books:
# chapters of one book share its ISBN.
ID_KINDS: tuple[str, ...] = ("doi", "scopus_eid", "pmid", "pmcid", "wos", "isbn")
ISBN_TYPES = frozenset({"book"})
NEVER_MATCHED_TYPES = frozenset({"note", "attachment", "annotation"})


class IndexedItem(Protocol):
    """What the index needs of a mirrored item (the state database's rows fit)."""

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
    def identifiers(self) -> tuple[tuple[str, str], ...] | None: ...


@dataclass(frozen=True, slots=True)
class MirrorItem:
    """One library item as the mirror last saw it.

    ``identifiers`` may carry the (kind, value) pairs already found in ``data``;
    ``None`` means "find them".
    """

    key: str
    version: int
    item_type: str
    trashed: bool
    data: Mapping[str, Any]
    parent_key: str | None = None
    identifiers: tuple[tuple[str, str], ...] | None = None


def id_pairs(ids: Identifiers, item_type: str | None = None) -> list[tuple[str, str]]:
    """The (kind, value) pairs an item or record can be found by, in precedence order."""
    pairs: list[tuple[str, str]] = []
    for kind in ID_KINDS:
        if kind == "isbn":
            if item_type is None or item_type in ISBN_TYPES:
                pairs.extend(("isbn", v) for v in ids.isbn)
            continue
        value = getattr(ids, kind)
        if value:
            pairs.append((kind, value))
    return pairs


@dataclass
class LibraryIndex:
    """The mirror indexed for matching: items by key, keys by identifier.

    Keys by title fingerprint are built on first use: only the opt-in title match
    asks for them, and folding every title of a large library cost more than the
    rest of the index together.
    """

    items: dict[str, IndexedItem] = field(default_factory=dict)
    by_id: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    # What each key was indexed under, so removing one item costs what adding did.
    _pairs: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    _fingerprints: dict[str, str] = field(default_factory=dict)
    _by_fingerprint: dict[str, set[str]] | None = None

    @classmethod
    def build(cls, items: Iterable[IndexedItem]) -> LibraryIndex:
        index = cls()
        for item in items:
            index.add(item)
        return index

    @property
    def by_fingerprint(self) -> Mapping[str, set[str]]:
        if self._by_fingerprint is None:
            self._by_fingerprint = defaultdict(set)
            for item in self.items.values():
                if item.item_type not in NEVER_MATCHED_TYPES:
                    self._add_fingerprint(item)
        return self._by_fingerprint

    def add(self, item: IndexedItem) -> None:
        """Index ``item``, replacing whatever was indexed under its key before."""
        self.remove(item.key)
        self.items[item.key] = item
        if item.item_type in NEVER_MATCHED_TYPES:
            return
        known = item.identifiers
        pairs = (
            list(known)
            if known is not None
            else id_pairs(identifiers_from_item(item.data), item.item_type)
        )
        for pair in pairs:
            self.by_id[pair].add(item.key)
        self._pairs[item.key] = pairs
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
        fp = self._fingerprints.pop(key, None)
        if fp and self._by_fingerprint is not None:
            self._by_fingerprint[fp].discard(key)


@dataclass(frozen=True, slots=True)
class Match:
    """The outcome of matching one record.

    ``key`` is set for a unique match; ``ambiguous`` lists every key involved when
    the identifiers disagree. ``by`` names the identifier kind (or ``"title"``).
    """

    key: str | None = None
    by: str | None = None
    trashed: bool = False
    weak: bool = False
    ambiguous: tuple[str, ...] = ()
    detail: str = ""

    @property
    def found(self) -> bool:
        return self.key is not None


NO_MATCH = Match()


def match_record(
    ids: Identifiers,
    item_type: str,
    index: LibraryIndex,
    *,
    title_fallback: Mapping[str, Any] | None = None,
    live_only: bool = False,
) -> Match:
    """Find the library item a record with identifiers ``ids`` stands for.

    ``title_fallback`` (the record's item data) enables the opt-in weak match for
    records that carry no identifier at all; ``live_only`` leaves trashed items out.
    """
    pairs = id_pairs(ids, item_type)
    hits: list[tuple[str, str, frozenset[str]]] = []
    for kind, value in pairs:
        keys = frozenset(
            k
            for k in index.by_id.get((kind, value), ())
            if index.items[k].item_type not in NEVER_MATCHED_TYPES
            and not (live_only and index.items[k].trashed)
        )
        if keys:
            hits.append((kind, value, keys))
    if hits:
        involved = frozenset().union(*(keys for _, _, keys in hits))
        if len(involved) > 1:
            detail = "; ".join(
                f"{kind} {value} -> {', '.join(sorted(keys))}" for kind, value, keys in hits
            )
            return Match(ambiguous=tuple(sorted(involved)), detail=detail)
        (key,) = involved
        kind = hits[0][0]
        return Match(key=key, by=kind, trashed=index.items[key].trashed)
    if not pairs and title_fallback is not None:
        fp = fingerprint(title_fallback)
        same = sorted(index.by_fingerprint.get(fp, ())) if fp else []
        if len(same) == 1:
            key = same[0]
            return Match(key=key, by="title", weak=True, trashed=index.items[key].trashed)
        if len(same) > 1:
            return Match(ambiguous=tuple(same), detail="same title, year and first author")
    return NO_MATCH


_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", stripped.casefold()).strip()


_YEAR = re.compile(r"\b(\d{4})\b")


def fingerprint(data: Mapping[str, Any]) -> str | None:
    """Folded title + year + first creator's last name, or None when too thin to use."""
    title = ""
    for name in ("title", "caseName", "nameOfAct", "subject"):
        value = data.get(name)
        if isinstance(value, str) and value.strip():
            title = _fold(value)
            break
    if len(title) < 8:
        return None
    year = ""
    for name in ("date", "dateDecided", "dateEnacted", "issueDate"):
        value = data.get(name)
        if isinstance(value, str):
            m = _YEAR.search(value)
            if m:
                year = m.group(1)
                break
    first = ""
    creators = data.get("creators") or []
    if creators and isinstance(creators[0], Mapping):
        c = creators[0]
        first = _fold(str(c.get("lastName") or c.get("name") or "")).split(" ")[-1]
    return f"{title}|{year}|{first}"
