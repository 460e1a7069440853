"""Finishing a mapped record as a Zotero item against the schema, for every format.

A format's mapping fills a :class:`Draft` (Zotero fields by base or type-specific
name, creators, tags, notes, Extra lines, every ISSN/ISBN value) and
:func:`build_item` turns it into the item Zotero desktop would save: base names
become type-specific, fields the type lacks become ``Label: value`` lines in Extra
(``Item.fromJSON``), identifiers go where Zotero users look for them
(:func:`syncd.identifiers.extra_lines`), and the Web API's length limits are kept.
:func:`apply_end_rules` are Zotero's end-of-import rules. :func:`build_record` is
all of it for the formats whose mappings give Zotero fields; RIS's mapping
(:mod:`syncd.formats.ris.mapping`) and the tagged formats that go through it fill a
draft of their own and call the same steps.

The fields RIS's tags fill (:mod:`syncd.formats.ris.mapping_tables`) and the
identifiers read from a record (:mod:`syncd.formats.ris.mapping_ids`) are Zotero's
RIS import tables, which every format's item is placed by, so this module reads
them; :mod:`syncd.formats.ris` imports its mapping only on first use for that reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

from syncd.formats.records import ConvertedRecord, ReadProblem, Severity, SourceRef
from syncd.formats.ris.mapping_ids import record_identifiers
from syncd.formats.ris.mapping_tables import DATE_TARGETS, target_for
from syncd.formats.ris.mapping_values import split_single_tag
from syncd.identifiers import (
    Identifiers,
    extra_lines,
    identifiers_from_extra,
    identifiers_from_item,
)
from syncd.schema import Schema

__all__ = [
    "CREATOR_MAX",
    "FIELD_MAX_BYTES",
    "NOTE_MAX",
    "TAG_MAX",
    "Draft",
    "TypeInfo",
    "append_extra",
    "apply_end_rules",
    "build_item",
    "build_record",
    "cut",
    "short",
    "type_info",
]

_YEAR_RE: Final = re.compile(r"(?<!\d)\d{4}(?!\d)")
_A_NOVEL_RE: Final = re.compile(r":\s*a novel\s*$", re.IGNORECASE)
# Fields whose value is a kind of item: Zotero never writes those to Extra.
_TYPE_LIKE: Final = frozenset({"type", "itemType"})
# Not a field name (names are identifiers): marks a name missing from TypeInfo.resolve.
_UNRESOLVED: Final = "\x00"
# The Web API's length limits (zotero-web-api.md, "Length limits"; the sandbox
# enforces the same, syncd/sandbox/validate.py). A value past one makes the server
# refuse the whole item (413), on every run: such values are moved to Extra (names,
# tags) or cut (fields, notes) here, with a warning, and the record is created.
FIELD_MAX_BYTES: Final = 65_535
CREATOR_MAX: Final = 255
TAG_MAX: Final = 255
NOTE_MAX: Final = 500_000
# No str this long can exceed FIELD_MAX_BYTES in UTF-8 (4 bytes a character at most):
# the cheap test that spares encoding every value.
_FIELD_SAFE_CHARS: Final = FIELD_MAX_BYTES // 4


class Draft:
    """What a mapping collects for one record before the item is built.

    A plain slots class (made per record); RIS's mapping adds its backup fields in a
    subclass. ``fields`` use Zotero base or type-specific names, ``extra`` holds
    Extra lines, ``unsupported`` ``Label: value`` lines of values with no field,
    ``sn`` every ISSN/ISBN value (read by content).
    """

    __slots__ = (
        "attachments",
        "creators",
        "extra",
        "fields",
        "file",
        "item_type",
        "notes",
        "problems",
        "sn",
        "start_line",
        "tags",
        "unsupported",
    )

    def __init__(self, item_type: str, file: str, start_line: int = 0) -> None:
        self.item_type = item_type
        self.file = file
        self.start_line = start_line  # the record's first line, for record-wide warnings
        self.fields: dict[str, str] = {}
        self.creators: list[dict[str, Any]] = []
        self.tags: list[str] = []
        self.notes: list[str] = []
        self.attachments: list[dict[str, str]] = []
        self.extra: list[str] = []
        self.unsupported: list[str] = []
        self.problems: list[ReadProblem] = []
        self.sn: list[str] = []

    def problem(self, line: int | None, message: str, severity: Severity = "warning") -> None:
        self.problems.append(ReadProblem(self.file, line, message, severity))


@dataclass(frozen=True)
class TypeInfo:
    """Per (schema, item type) lookups, computed once."""

    resolve: dict[str, str | None]
    creator_types: frozenset[str]
    primary: str
    has: frozenset[str]


@lru_cache(maxsize=512)
def type_info(schema: Schema, item_type: str) -> TypeInfo:
    """The lookups of ``item_type`` in ``schema`` (cached)."""
    spec = schema.type(item_type)
    resolve = {name: schema.resolve_field(item_type, name) for name in schema.all_fields}
    return TypeInfo(
        resolve,
        frozenset(spec.creator_types),
        spec.primary_creator_type or "author",
        frozenset(spec.fields),
    )


def _resolve(info: TypeInfo, schema: Schema, item_type: str, name: str) -> str | None:
    if name in info.resolve:
        return info.resolve[name]
    found = schema.resolve_field(item_type, name) if name in schema.all_fields else None
    return found


def apply_end_rules(st: Draft) -> None:
    """Zotero's end-of-import rules: a date without a year is reported, the journal
    abbreviation stands in for a missing journal, a lone tag is split on commas,
    fields are trimmed (``itemDone``), and a short title equal to the title goes."""
    fields = st.fields
    for name in DATE_TARGETS:
        date = fields.get(name, "")
        if (
            not date
            or name == "accessDate"
            or (len(date) == 4 and date.isdecimal() and date != "0000")
        ):
            continue  # a bare year (the common case) has its year
        if date[:4] == "0000" or not _YEAR_RE.search(date):
            st.problem(None, f"{name} has no year; kept as is for Zotero to read: {date}")
    if fields.get("journalAbbreviation") and not fields.get("publicationTitle"):
        fields["publicationTitle"] = fields["journalAbbreviation"]
    title_field = target_for(st.item_type, "TI") or "title"
    if fields.get("shortTitle") and not (fields.get("title") or fields.get(title_field)):
        # Zotero looks at "title" only, so on a case, statute or email the short
        # title replaced the full one that TI had put in caseName, nameOfAct or
        # subject: the full title was lost.
        fields["title"] = fields["shortTitle"]
    if len(st.tags) == 1:
        st.tags = split_single_tag(st.tags[0])
    # What Zotero's itemDone does to every imported item.
    for name in list(fields):
        value = fields[name].strip()
        if value:
            fields[name] = value
        else:
            del fields[name]
    if st.item_type in ("book", "bookSection") and "title" in fields:
        fields["title"] = _A_NOVEL_RE.sub("", fields["title"])
    if fields.get("shortTitle") == fields.get("title"):
        fields.pop("shortTitle", None)


def build_item(
    st: Draft,
    schema: Schema,
    info: TypeInfo,
    ids: Identifiers,
    article_number: str | None,
) -> dict[str, Any]:
    """The Zotero item of a finished draft, against the schema: fields by their
    type-specific names, the ones the type lacks as ``Label: value`` in Extra (as
    Zotero desktop's ``Item.fromJSON``), identifiers in their fields or in Extra,
    the API's limits kept. ``article_number`` goes to pages, else to Extra."""
    item_type = st.item_type
    item: dict[str, Any] = {"itemType": item_type}
    creators = st.creators  # only named creators (creator); ours to change
    if creators:
        valid = info.creator_types
        for i in range(len(creators)):
            c = creators[i]
            if c["creatorType"] not in valid:
                creators[i] = {**c, "creatorType": info.primary}
        item["creators"] = creators
    fields = st.fields
    if article_number:
        if "pages" in info.has and not fields.get("pages"):
            fields["pages"] = article_number
        else:
            st.extra.append(f"Article Number: {article_number}")
    # Identifier fields the type has are filled from any source; a PMID/DOI line
    # already in Extra (RefMan's UR PM:) moves into the field.
    for value, name in ((ids.doi, "DOI"), (ids.pmid, "PMID"), (ids.pmcid, "PMCID")):
        if value and name in info.has and not fields.get(name):
            fields[name] = value
    extra_ris = [line for line in st.extra if not _moved_to_field(line, fields, info.has)]
    invalid: list[str] = []
    resolve = info.resolve
    for name, value in fields.items():
        target = resolve.get(name, _UNRESOLVED)
        if target == _UNRESOLVED:
            target = _resolve(info, schema, item_type, name)
        if target is not None:
            if len(value) > _FIELD_SAFE_CHARS:
                value = _fit_field(st, target, value)
            item[target] = value
        elif name in _TYPE_LIKE or schema.base_field_of(name) == "type":
            st.problem(None, f"{name} is not a field of {item_type}; dropped: {short(value)}")
        else:
            invalid.append(f"{schema.field_label(name)}: {value}")
            st.problem(None, f"{name} is not a field of {item_type}; kept in Extra", "info")
    if st.tags:
        long_tags = [t for t in st.tags if len(t) > TAG_MAX]
        if long_tags:
            st.unsupported += [f"Keywords: {t}" for t in long_tags]
            what = f"{len(long_tags)} keyword(s) over {TAG_MAX} characters kept in Extra"
            st.problem(st.start_line, what)
        item["tags"] = [{"tag": t} for t in st.tags if len(t) <= TAG_MAX]
    lines = sorted(invalid) + extra_ris + st.unsupported
    lines += [x for x in extra_lines(ids, item_type, schema, info.has) if x not in lines]
    append_extra(item, lines)
    extra = item.get("extra")
    if extra is not None and len(extra) > _FIELD_SAFE_CHARS:
        item["extra"] = _fit_field(st, "extra", extra)
    return item


def _fit_field(st: Draft, name: str, value: str) -> str:
    """``value`` cut to the API's byte limit for a field, with a warning when cut."""
    size = len(value.encode("utf-8"))
    if size <= FIELD_MAX_BYTES:
        return value
    st.problem(
        st.start_line, f"{name} cut to the API's limit of {FIELD_MAX_BYTES} bytes (was {size})"
    )
    return cut(value, FIELD_MAX_BYTES)


def cut(value: str, max_bytes: int) -> str:
    """``value`` cut to at most ``max_bytes`` of UTF-8, ending in an ellipsis."""
    ellipsis = "\u2026"
    head = value.encode("utf-8")[: max_bytes - len(ellipsis.encode("utf-8"))]
    return head.decode("utf-8", "ignore").rstrip() + ellipsis


def _moved_to_field(line: str, fields: dict[str, str], has: frozenset[str]) -> bool:
    """True for an Extra line (``PMID: 123``) whose value now sits in its own field."""
    label, sep, _ = line.partition(":")
    label = label.strip()
    if not sep or label not in ("PMID", "PMCID", "DOI") or label not in has:
        return False
    found = identifiers_from_extra(line)
    # A line that holds no valid identifier ("PMID: P123456") has moved nowhere.
    return not found.is_empty() and found == identifiers_from_item({label: fields.get(label, "")})


def append_extra(item: dict[str, Any], lines: list[str]) -> None:
    """``lines`` (the empty ones left out) added to the item's Extra."""
    lines = [x for x in lines if x]
    if not lines:
        return
    existing = item.get("extra")
    text = "\n".join(lines)
    item["extra"] = f"{existing}\n{text}" if existing else text


def short(value: str, limit: int = 80) -> str:
    """A value as quoted in a problem: one line, at most ``limit`` characters."""
    value = value.replace("\n", " ")
    return value if len(value) <= limit else value[: limit - 1] + "\u2026"


def build_record(
    item_type: str,
    fields: dict[str, str],
    creators: list[dict[str, Any]],
    source: SourceRef,
    schema: Schema,
    *,
    tags: list[str] | None = None,
    notes: list[str] | None = None,
    attachments: list[dict[str, str]] | None = None,
    extra: list[str] | None = None,
    standard_numbers: list[str] | None = None,
    found: dict[str, str] | None = None,
    citation_lines: list[str] | None = None,
    problems: list[ReadProblem] | None = None,
    end_rules: bool = False,
) -> ConvertedRecord:
    """A record a format's mapping gave Zotero fields, finished as RIS ones are.

    For the formats of :mod:`syncd.formats`, so that a work read from any of them gets
    the same identifiers, Extra lines (fields the type lacks, identifiers, citation
    counts), API limits and field placement as from RIS. ``fields`` use Zotero base
    or type-specific names; ``creators`` are Zotero creators (an invalid type becomes
    the primary one, a name over the API's 255 characters goes to Extra); ``notes``
    note HTML (cut to the API's limit); ``standard_numbers`` every ISSN/ISBN value
    the record carries (read by content, as SN lines are); ``found`` identifiers the
    reader already read, by :class:`Identifiers` attribute name.

    ``end_rules`` runs Zotero's end-of-import rules (:func:`apply_end_rules`), as the
    BibTeX and CSL-JSON translators end the same way; without it only those that are
    not RIS's own apply: a lone tag is not split on commas (a MeSH heading "Cell
    Line, Tumor" is one tag).
    """
    st = Draft(item_type, source.file, source.line)
    st.problems = list(problems or ())
    for name, value in fields.items():
        value = value.strip()
        if value:
            st.fields[name] = value
    for c in creators:
        # Three lookups rather than a generator: this runs for every name of a file.
        long_name = max(
            len(c.get("name", "")), len(c.get("lastName", "")), len(c.get("firstName", ""))
        )
        if long_name > CREATOR_MAX:
            whole = c.get("name") or f"{c.get('lastName', '')}, {c.get('firstName', '')}"
            st.unsupported.append(f"Names: {whole}")
            st.problem(source.line, f"a name of {long_name} characters kept in Extra")
        else:
            st.creators.append(c)
    st.tags = [t.strip() for t in tags or () if t.strip()]
    for note in notes or ():
        if len(note) > NOTE_MAX:
            note = cut(note, NOTE_MAX - 1000)
            st.problem(source.line, f"note cut to the API's limit of {NOTE_MAX} characters")
        if note.strip():
            st.notes.append(note)
    st.attachments = list(attachments or ())
    st.extra = list(extra or ())
    st.sn = list(standard_numbers or ())
    fields = st.fields
    if end_rules:
        apply_end_rules(st)
    else:
        if fields.get("journalAbbreviation") and not fields.get("publicationTitle"):
            fields["publicationTitle"] = fields["journalAbbreviation"]
        if fields.get("shortTitle") == fields.get("title"):
            fields.pop("shortTitle", None)
    info = type_info(schema, item_type)
    ids = record_identifiers(fields, st.extra, st.sn, item_type, [], found or {}, info.has)
    item = build_item(st, schema, info, ids, None)
    if citation_lines:
        append_extra(item, citation_lines)
    return ConvertedRecord(
        item, tuple(st.notes), tuple(st.attachments), ids, source, tuple(st.problems)
    )
