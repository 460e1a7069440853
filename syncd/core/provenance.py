"""Provenance: what syncd wrote to a linked item, field by field, and from which source. Pure.

Several sources (Scopus, PubMed, Web of Science...) carry one work, each in its own
spelling: initials or full given names, a year or a full date, original case or
lower case, a title with or without its final period. A merge base replaced by each
export (what syncd kept before) makes those spellings overwrite each other on every
pass, and makes a user's removal look new to the next source. So syncd keeps, per
linked item:

- ``written``: per field (and per Extra line, as ``extra:<key>``) the value syncd
  last wrote or last saw agree with Zotero, and the *source* that wrote it;
- ``sources``: per source, the values its last export carried;
- ``members``: every tag and collection syncd ever offered the item;
- ``notes``: digests of every note syncd wrote under it (the notes themselves, with
  their slots, are rows of ``sync_notes``, see :func:`note_slot`).

A *source* is the exporter's dialect and the database's own record ID where the
exporter gives one (``scopus:2-s2.0-…``, ``pubmed:12345``, ``wos:WOS:…``, an accession
number ``generic:embase:635…``), else the database's name the record gives
(``generic:APA PsycInfo``), else the dialect alone (:func:`source_of`).

For one field of an export (N: the export's value from source S; Z: Zotero's value;
W: what syncd last wrote, from source Sw; O: what S's previous export carried, W
when S wrote W), rows tried in order, as vdirsyncer's ``_get_actions`` does:

===  ================================  ========================  ====================
row  when                              syncd does                ``written`` becomes
===  ================================  ========================  ====================
1    N is empty                        nothing: an export never  unchanged
                                       removes a value
2    Z equals N                        nothing                   (N, S), unless Z is
                                                                 W: then Sw stays (a
                                                                 legacy Sw becomes S)
3    Z empty, syncd never wrote it     fills it with N           (N, S)
4    Z empty, syncd wrote W            keeps it empty: the       unchanged
                                       user emptied it
5    Z not empty and not W (or syncd   keeps Z, the user's; a    unchanged
     never wrote it)                   *conflict* if S is Sw and
                                       N is not O (the user and
                                       the source both changed)
6    Z is W, S is Sw (or Sw legacy),   writes N: the source      (N, S)
     W no better spelling of N         that wrote it changed it
7    Z is W, S another source, N a     writes N, once            (N, S)
     better spelling (``upgrades``)
8    Z is W, S another source,         nothing: another source's unchanged
     otherwise                         spelling is no change
===  ================================  ========================  ====================

Why each row: (1) exports are partial, absence says nothing. (2) agreement needs no
write; the first writer keeps the field so two agreeing sources cannot take turns.
(3) an empty field is what the user wants filled. (4) finding: a cleared abstract,
URL or wrong DOI came back on the next sync. (5) syncd's value is gone, so the
value is the user's for good; only a change of the writing source is worth telling.
(6) corrections (fixed pages, a new citation count) still arrive; never a worse
spelling, as two exports without record IDs may share a source name. (7) initials,
years and ALL CAPS of one database are not the work's last word. (8) two databases
spelling one work differently rewrote 172 items on every alternate sync.

Equal means equal after folding whitespace and, for text fields, a final period.
Row 7 only ever goes one way (full given names over initials, a fuller date over a
year, mixed case over ALL CAPS or all lower case, a title over the same title cut
short), so a field changes hands a bounded number of times and then every sync of
every source writes nothing. "Conflict" is row 5 with a changed source: a user's
edit, nothing else.

Extra lines are fields of their own (row 4: a line syncd wrote that the user
deleted is never added again). Tags and collections: a member is added only when
the item lacks it and syncd never offered it before, by any source, so a removal
holds whatever source comes next. Policies: ``fill-empty`` applies row 3 only,
``never-update`` nothing.

A base stored by an older syncd (the export's values, no sources) reads as
``written`` by the ``legacy`` source, which the first source to come adopts (row 6):
before provenance, one source per item was all syncd knew.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from syncd.formats.records import ConvertedRecord
from syncd.identifiers import accession_number

FORMAT = 2
LEGACY = "legacy"
MEMBER_FIELDS = ("tags", "collections")

# The dialect's own record ID, which names the record in its database.
_OWN_ID = {"scopus": "scopus_eid", "pure": "scopus_eid", "wos": "wos", "pubmed": "pmid"}

# Fields whose values are prose or names: a final period is no difference, and the
# case and cut-short rules of :func:`upgrades` apply.
TEXT_FIELDS = frozenset(
    {
        "title",
        "shortTitle",
        "publicationTitle",
        "bookTitle",
        "proceedingsTitle",
        "seriesTitle",
        "series",
        "conferenceName",
        "abstractNote",
        "publisher",
        "university",
        "institution",
        "journalAbbreviation",
    }
)
_CUT_FIELDS = TEXT_FIELDS - {"journalAbbreviation", "publisher"}
_CUT_MARK = re.compile(r"(\s*(\.\.\.|…|\[\.\.\.\]))+\s*$")
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    )
}


def source_of(record: ConvertedRecord) -> str:
    """The source of a record: its dialect, and its database's record ID if known (the
    dialect's own identifier, else an accession number: ``generic:embase:635…``)."""
    dialect = record.source.dialect or "generic"
    kind = _OWN_ID.get(dialect)
    value = getattr(record.identifiers, kind) if kind else accession_number(record.item)
    if not value:
        # Without a record ID, the database the record came from (RIS DB/DP) at least.
        value = _label(record.item.get("archive")) or _label(record.item.get("libraryCatalog"))
    return f"{dialect}:{value}" if value else dialect


def _label(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


# What syncd wrote to one field: ``[value, source]``. Kept as the JSON has it: turning
# every field of every linked item into objects and back was most of the planning
# time of an unchanged re-sync.
Written = list[Any]
VALUE, SOURCE = 0, 1


def written(value: Any, source: str) -> Written:
    return [value, source]


@dataclass(frozen=True, slots=True)
class WrittenNote:
    """A child note syncd sent: its key, content digest, slot (None for notes an older
    syncd wrote) and whether it is known to have landed."""

    key: str
    digest: str
    slot: str | None = None
    confirmed: bool = True


@dataclass
class Provenance:
    written: dict[str, Written] = field(default_factory=dict)
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    members: dict[str, set[str]] = field(default_factory=dict)
    notes: set[str] = field(default_factory=set)

    @classmethod
    def parse(cls, stored: Mapping[str, Any] | None) -> Provenance:
        """Read what the state database holds: this format, or an older syncd's base."""
        if not stored:
            return cls()
        if stored.get("_provenance") == FORMAT:
            return cls(
                written=dict(stored["written"]),
                sources={s: dict(v) for s, v in stored["sources"].items()},
                members={k: set(v) for k, v in stored["members"].items()},
                notes=set(stored["notes"]),
            )
        return cls._from_legacy(stored)

    @classmethod
    def _from_legacy(cls, base: Mapping[str, Any]) -> Provenance:
        prov = cls(notes=set(base.get("_notes", ())))
        for name, value in base.items():
            if name == "_notes":
                continue
            if name in MEMBER_FIELDS:
                prov.members[name] = {str(v) for v in value}
            elif name == "extra" and isinstance(value, Mapping):
                for key, line in value.items():
                    prov.written[f"extra:{key}"] = written(line, LEGACY)
            else:
                prov.written[name] = written(value, LEGACY)
        return prov

    def to_json(self) -> dict[str, Any]:
        # Dicts unsorted: they compare equal in any order, and the state database
        # stores them with sorted keys.
        return {
            "_provenance": FORMAT,
            "written": self.written,
            "sources": self.sources,
            "members": {k: sorted(v) for k, v in self.members.items() if v},
            "notes": sorted(self.notes),
        }

    def owner(self, name: str) -> str | None:
        found = self.written.get(name)
        return str(found[SOURCE]) if found else None


def note_slot(source: str, index: int, html: str) -> str:
    """Which note of a record this is, across its exports: the source and the note's
    label (``Times Cited: 12`` -> ``times cited``), else its position."""
    text = re.sub(r"<[^>]+>", " ", html)
    head, sep, _ = text.partition(":")
    label = " ".join(head.split()).lower()
    if sep and 0 < len(label) <= 60 and any(ch.isalpha() for ch in label):
        return f"{source}|{label}"
    return f"{source}|#{index}"


# -- equality and quality ------------------------------------------------------


def _fold(value: str) -> str:
    return " ".join(value.split())


def norm(name: str, value: Any) -> Any:
    """A value as compared: whitespace folded; a text field without its final period."""
    if isinstance(value, str):
        text = _fold(value)
        if name in TEXT_FIELDS:
            text = text.rstrip(".").rstrip()
        return text
    if isinstance(value, list):
        return [norm(name, v) for v in value]
    if isinstance(value, Mapping):
        return {k: norm(k, v) for k, v in value.items() if v not in (None, "", [], {})}
    return value


def same(name: str, a: Any, b: Any) -> bool:
    # Equal as they are is the common case (a re-sync of an unchanged export), and
    # normalising thirteen creators to find that out was most of the merge's time.
    return bool(a == b or norm(name, a) == norm(name, b))


def upgrades(name: str, new: Any, old: Any) -> bool:
    """Whether ``new`` is a better spelling of the same value ``old`` (row 7). Never
    true both ways, so replacements stop."""
    if name == "creators":
        return _better_creators(new, old)
    if not isinstance(new, str) or not isinstance(old, str):
        return False
    if name == "date":
        return _better_date(new, old)
    if name in TEXT_FIELDS:
        return _better_case(_fold(new), _fold(old)) or (
            name in _CUT_FIELDS and _longer_cut(_fold(new), _fold(old))
        )
    return False


def _letters(text: str) -> str:
    return "".join(ch for ch in text if ch.isalpha())


def _better_case(new: str, old: str) -> bool:
    """Mixed case over ALL CAPS or all lower case, the text otherwise equal."""
    if new.rstrip(".").casefold() != old.rstrip(".").casefold() or new == old:
        return False
    letters_old, letters_new = _letters(old), _letters(new)
    old_flat = letters_old.isupper() or letters_old.islower()
    new_flat = letters_new.isupper() or letters_new.islower()
    return old_flat and not new_flat


def _longer_cut(new: str, old: str) -> bool:
    """The whole text over the same text cut short (``…`` or not), on a word boundary."""
    stem = _CUT_MARK.sub("", old).rstrip(" .,;:-").casefold()
    full = new.rstrip(" .,;:-").casefold()  # a final period is not more text
    if len(stem) < 8 or len(full) <= len(stem) or not full.startswith(stem):
        return False
    return not full[len(stem)].isalnum()


def _date_parts(value: str) -> tuple[int, ...] | None:
    """(year[, month[, day]]) of a date as exporters write them, else None."""
    tokens = re.findall(r"\d+|[A-Za-z]+", value)
    year = month = day = None
    rest: list[int] = []
    for tok in tokens:
        if tok.isdigit():
            if len(tok) == 4 and year is None:
                year = int(tok)
            else:
                rest.append(int(tok))
        elif tok[:3].lower() in _MONTHS and month is None:
            month = _MONTHS[tok[:3].lower()]
        else:
            return None
    if year is None:
        return None
    if month is None and rest:
        month, rest = rest[0], rest[1:]
    if rest:
        day, rest = rest[0], rest[1:]
    if rest or (month is not None and not 1 <= month <= 12):
        return None
    parts = [year] + ([month] if month else []) + ([day] if month and day else [])
    return tuple(parts)


def _better_date(new: str, old: str) -> bool:
    a, b = _date_parts(new), _date_parts(old)
    return a is not None and b is not None and len(a) > len(b) and a[: len(b)] == b


def _better_given(new: str, old: str) -> bool | None:
    """True: new is better; None: the same; False: not comparable or worse."""
    if _fold(new) == _fold(old):
        return None
    if _better_case(_fold(new), _fold(old)):
        return True
    if not _is_initials(old) or _is_initials(new):
        return False
    initials_old = [ch.casefold() for ch in old if ch.isalpha()]
    initials_new = [w[0].casefold() for w in _name_words(new)]
    return initials_new[: len(initials_old)] == initials_old


def _name_words(name: str) -> list[str]:
    return [w for w in re.split(r"[\s.\-]+", name) if w]


def _is_initials(name: str) -> bool:
    """``P.``, ``P. J.``, ``J.-P.``, or PubMed's ``PJ``."""
    words = _name_words(name)
    if not words:
        return False
    if all(len(w) == 1 for w in words):
        return True
    return len(words) == 1 and words[0].isupper() and len(words[0]) <= 3


def _better_creators(new: Any, old: Any) -> bool:
    if not isinstance(new, list) or not isinstance(old, list) or len(new) != len(old):
        return False
    better = False
    for a, b in zip(new, old, strict=True):
        if not isinstance(a, Mapping) or not isinstance(b, Mapping):
            return False
        for part in ("lastName", "name", "firstName"):
            va, vb = str(a.get(part) or ""), str(b.get(part) or "")
            verdict = _better_given(va, vb) if part == "firstName" else None
            if part != "firstName" and _fold(va) != _fold(vb):
                verdict = _better_case(_fold(va), _fold(vb))
            if verdict is False:
                return False
            better = better or bool(verdict)
    return better


@dataclass(frozen=True, slots=True)
class NoteUpdate:
    """A note syncd wrote whose record now carries another text: replace it in place
    (the user has not edited it since)."""

    key: str
    html: str
    digest: str
    slot: str
