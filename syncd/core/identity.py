"""What identifies a record, and when two records are two works. Pure.

A record is identified by its identifiers (DOI, Scopus EID, PMID, PMCID, WoS UT,
a database's accession number, ISBN for books) or, without any, by its *work
key*: the folded title, year, first author's last name, container (journal,
book, proceedings...), volume, first page and issue (the issue is not in the
issue's list, but without it the front matter of two issues of one volume, neither
with an author or pages, would be one work).

Two works, whatever else they share:

- identifiers of one kind that differ: record numbers of one database (EID, PMID,
  PMCID, WoS UT) are one per work, so a Scopus
  ``Erratum: ...`` with its own EID and the article's DOI is its own work. A DOI
  alone does not separate works (an erratum carries its article's DOI), so it
  separates them only where both sides have one and they differ;
- without identifiers, work keys that differ in any part. A work key that differs
  from a known one only in its first page, or in a volume one of them lacks, is
  the same record corrected (see :func:`is_correction`), when the other is not in
  the same run.

Folding: Unicode compatibility decomposition, accents dropped, case folded,
punctuation and spacing collapsed to one space, so that exports that differ only
in case, accents or a final period give one key.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from syncd.identifiers import Identifiers, accession_number, doi_variant

# Precedence of identifier kinds, strongest first. ISBN only identifies books:
# chapters of one book share its ISBN.
ID_KINDS: Final = ("doi", "scopus_eid", "pmid", "pmcid", "wos", "accession", "isbn")
ISBN_TYPES: Final = frozenset({"book"})
# Identifiers that several works may carry (an erratum its article's DOI, the
# editions of a book an ISBN): they match, but they do not single a work out when
# a database's own record number says otherwise.
SHARED_KINDS: Final = frozenset({"doi", "isbn"})
# A database gives each work one number: two different ones are two works.
# Accession numbers of the aggregators (Embase, PsycInfo, ProQuest, EBSCO) find a
# record but do not separate works: those databases hold one work under several
# numbers (Embase's own record beside its MEDLINE copy, one article in several
# ProQuest databases).
RECORD_NUMBER_KINDS: Final = frozenset({"scopus_eid", "pmid", "pmcid", "wos"})

Pair = tuple[str, str]


def id_pairs(
    ids: Identifiers, item_type: str | None = None, data: Mapping[str, Any] | None = None
) -> list[Pair]:
    """The (kind, value) pairs a record or item is found by, in precedence order.

    ``data`` (the item's fields) adds the database accession number, which has no
    attribute of its own in :class:`Identifiers`.
    """
    pairs: list[Pair] = []
    for kind in ID_KINDS:
        if kind == "isbn":
            if item_type is None or item_type in ISBN_TYPES:
                pairs.extend(("isbn", v) for v in ids.isbn)
            continue
        if kind == "accession":
            number = accession_number(data) if data is not None else None
            if number:
                pairs.append(("accession", number))
            continue
        value = getattr(ids, kind)
        if value:
            pairs.append((kind, value))
    return pairs


def differing_kinds(a: Iterable[Pair], b: Iterable[Pair], *, with_doi: bool = False) -> list[str]:
    """Kinds of identifier both sides have with no value in common: each says two works.

    Only record numbers count unless ``with_doi``; DOI variants
    (``10.1037//...`` and ``10.1037/...``) are one DOI here.
    """
    kinds = RECORD_NUMBER_KINDS | {"doi"} if with_doi else RECORD_NUMBER_KINDS
    left: dict[str, set[str]] = {}
    right: dict[str, set[str]] = {}
    for side, pairs in ((left, a), (right, b)):
        for kind, value in pairs:
            if kind in kinds:
                side.setdefault(kind, set()).add(doi_variant(value) if kind == "doi" else value)
    return sorted(
        slot for slot, values in left.items() if slot in right and not values & right[slot]
    )


# -- records without identifiers ------------------------------------------------------

_NON_WORD: Final = re.compile(r"[\W_]+", re.UNICODE)
_YEAR: Final = re.compile(r"\b(\d{4})\b")
_FIRST_PAGE: Final = re.compile(r"^\s*([^\s\-\u2010-\u2015,;]+)")
TITLE_FIELDS: Final = ("title", "caseName", "nameOfAct", "subject")
DATE_FIELDS: Final = ("date", "dateDecided", "dateEnacted", "issueDate")
CONTAINER_FIELDS: Final = (
    "publicationTitle",
    "bookTitle",
    "proceedingsTitle",
    "encyclopediaTitle",
    "dictionaryTitle",
    "websiteTitle",
    "blogTitle",
    "forumTitle",
    "programTitle",
    "reporter",
    "code",
)
# Words journal abbreviations drop (``J Gambl Stud`` for Journal of Gambling Studies).
_DROPPED_WORDS: Final = frozenset({"of", "the", "and", "for", "in", "on", "a", "an", "de", "la"})
WORK_PREFIX: Final = "work:"


def fold(text: str) -> str:
    if not text.isascii():
        # Most titles are ASCII, and decomposing them was most of the cost of
        # folding a large library's titles.
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", text.casefold()).strip()


def _first_text(data: Mapping[str, Any], names: Sequence[str]) -> str:
    for name in names:
        value = data.get(name)
        if isinstance(value, str) and value.strip():
            return value
    return ""


def item_title(data: Mapping[str, Any]) -> str:
    """An item's title as written: its first filled title field (``caseName`` for a
    case, ``subject`` for an email...); "" when it has none."""
    return _first_text(data, TITLE_FIELDS)


def title_of(data: Mapping[str, Any]) -> str:
    """An item's title folded for comparing."""
    return fold(item_title(data))


def year_of(data: Mapping[str, Any]) -> str:
    for name in DATE_FIELDS:
        value = data.get(name)
        if isinstance(value, str):
            m = _YEAR.search(value)
            if m:
                return m.group(1)
    return ""


def first_author_of(data: Mapping[str, Any]) -> str:
    creators = data.get("creators") or []
    if creators and isinstance(creators[0], Mapping):
        c = creators[0]
        return fold(str(c.get("lastName") or c.get("name") or "")).split(" ")[-1]
    return ""


@dataclass(frozen=True, slots=True)
class WorkKey:
    """What identifies a record that carries no identifier (all parts folded)."""

    title: str
    year: str
    author: str
    container: str
    volume: str
    page: str
    issue: str = ""

    @property
    def identity(self) -> str:
        parts = (
            self.title,
            self.year,
            self.author,
            self.container,
            self.volume,
            self.page,
            self.issue,
        )
        return WORK_PREFIX + "|".join(parts)

    @property
    def empty(self) -> bool:
        return not (self.title or self.container or self.volume or self.page or self.issue)

    @classmethod
    def parse(cls, identity: str) -> WorkKey | None:
        if not identity.startswith(WORK_PREFIX):
            return None
        parts = identity[len(WORK_PREFIX) :].split("|")
        if len(parts) != 7:
            return None
        return cls(*parts)


def work_key(data: Mapping[str, Any]) -> WorkKey:
    pages = _first_text(data, ("pages", "firstPage"))
    m = _FIRST_PAGE.match(pages)
    return WorkKey(
        title=title_of(data),
        year=year_of(data),
        author=first_author_of(data),
        container=fold(_first_text(data, CONTAINER_FIELDS)),
        volume=fold(_first_text(data, ("volume", "codeVolume", "reporterVolume"))),
        page=fold(m.group(1)) if m else "",
        issue=fold(_first_text(data, ("issue",))),
    )


def same_container(a: str, b: str) -> bool:
    """Folded container names of one journal: equal, or one abbreviates the other
    word by word (``j gambl stud`` and ``journal of gambling studies``)."""
    if a == b:
        return True
    wa = [w for w in a.split(" ") if w not in _DROPPED_WORDS]
    wb = [w for w in b.split(" ") if w not in _DROPPED_WORDS]
    if not wa or len(wa) != len(wb):
        return False
    return all(x.startswith(y) or y.startswith(x) for x, y in zip(wa, wb, strict=True))


def _agree(a: str, b: str) -> bool:
    return not a or not b or a == b


def is_correction(new: WorkKey, old: WorkKey) -> bool:
    """``new`` is ``old`` corrected: title, year, first author and container agree,
    volume and issue agree or one of them lacks it, and the first page may differ.

    Decided so because these are what databases fix in a record (articles in press
    get their volume and pages), while a different title, year, author or
    journal is another work. Two works that differ only in first page are taken
    apart when they arrive in one run, and are ambiguous when a third version of
    one of them arrives later; never merged silently.
    """
    return (
        new.title == old.title
        and new.year == old.year
        and new.author == old.author
        and same_container(new.container, old.container)
        and _agree(new.volume, old.volume)
        and _agree(new.issue, old.issue)
    )


def same_work_by_title(record: Mapping[str, Any], item: Mapping[str, Any]) -> bool:
    """Title, year and first author agree, and container, volume and first page
    where both have them: the opt-in title match (and the duplicate hint)."""
    a, b = work_key(record), work_key(item)
    return (
        a.title == b.title
        and a.year == b.year
        and a.author == b.author
        and (not a.container or not b.container or same_container(a.container, b.container))
        and _agree(a.volume, b.volume)
        and _agree(a.issue, b.issue)
        and _agree(a.page, b.page)
    )


def fingerprint(data: Mapping[str, Any]) -> str | None:
    """Folded title + year + first creator's last name, or None when too thin to use."""
    title = title_of(data)
    if len(title) < 8:
        return None
    return f"{title}|{year_of(data)}|{first_author_of(data)}"


def same_work_pairs(
    items: Sequence[Mapping[str, Any]], pairs: Sequence[Sequence[Pair]]
) -> list[tuple[int, int]]:
    """Index pairs (i < j) of items in one run that look like one work by title,
    year and first author (``same_work_by_title``), with no identifier of one kind
    that differs (DOIs included): what a library search for possible duplicates
    finds, among records that have no item yet."""
    buckets: dict[str, list[int]] = {}
    for i, item in enumerate(items):
        fp = fingerprint(item)
        if fp:
            buckets.setdefault(fp, []).append(i)
    found = []
    for members in buckets.values():
        for n, i in enumerate(members):
            for j in members[n + 1 :]:
                if same_work_by_title(items[i], items[j]) and not differing_kinds(
                    pairs[i], pairs[j], with_doi=True
                ):
                    found.append((i, j))
    return found
