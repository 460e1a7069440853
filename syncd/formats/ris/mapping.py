"""RIS record -> Zotero Web API item: the mapping at the heart of ``syncd convert``.

:func:`map_record` is a pure function of one :class:`RawRecord` and a schema.
It reproduces Zotero's own RIS import (``zotero-ris-mapping.md``: two passes,
first value wins, PY as a backup date, EP joined to SP, notes as HTML...), then
does what Zotero desktop does on save (``Item.fromJSON``): fields the item type
lacks become ``Label: value`` lines in Extra, base names become type-specific.
On top of that it applies the exporter dialects of :mod:`syncd.formats.ris.dialects`
and places identifiers where Zotero users look for them
(:func:`syncd.identifiers.extra_lines`).

Deliberate differences from Zotero's import: values with no field go to Extra
instead of being dropped; unknown tags and export noise are reported in
``problems`` rather than silently dropped; Scopus/Pure/WoS article numbers go
to ``pages`` (not ``issue``); DOI/PMID/PMCID fill their fields from any source
the record offers; a valid ISSN is written in its canonical ``NNNN-NNNN`` form.

Speed: tag targets are cached per (item type, tag) and schema lookups per
(schema, item type); HTML is only parsed in values holding ``<`` or ``&``.
Only real markup is removed (HTML, JATS and MathML tags), and never from
identifiers: SICI DOIs hold ``<...>`` as data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final, NamedTuple

from syncd.formats.dates import access_date, ris_date
from syncd.formats.markup import note_html, unescape_entities, unescape_html
from syncd.formats.names import creator
from syncd.formats.records import ConvertedRecord, RawRecord, ReadProblem, SourceRef
from syncd.formats.ris.dialects import detect_tagged, prepare
from syncd.formats.ris.mapping_cleaners import clean_citavi, clean_endnote, clean_procite
from syncd.formats.ris.mapping_ids import record_identifiers
from syncd.formats.ris.mapping_tables import (
    DATE_TARGETS,
    DEFAULT_TYPE,
    IMPORT_ONLY,
    PRIMARY,
    RIS_TYPES,
    SECOND_PASS,
    TYPE_MAP,
    target_for,
)
from syncd.formats.ris.mapping_values import attachments, split_keywords, split_single_tag
from syncd.formats.ris.tagged import Tagged, tagged
from syncd.identifiers import (
    Identifiers,
    all_isbns,
    all_issns,
    clean_doi,
    extra_lines,
    identifiers_from_extra,
    identifiers_from_item,
)
from syncd.schema import Schema, bundled_schema

_ZERO_YEAR_RE: Final = re.compile(r"\b0000\b")
_YEAR_RE: Final = re.compile(r"(?<!\d)\d{4}(?!\d)")
_A_NOVEL_RE: Final = re.compile(r":\s*a novel\s*$", re.IGNORECASE)
# Unsupported values that are only addresses: affiliations are noise in a library.
_NOISE_LABELS: Final = frozenset({"Author Address", "Inventor Address"})
# Fields whose value is a kind of item: Zotero never writes those to Extra.
# Not a field name (names are identifiers): marks a name missing from _TypeInfo.resolve.
_UNRESOLVED: Final = "\x00"
_TYPE_LIKE: Final = frozenset({"type", "itemType"})
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


class _State:
    """What the passes collect for one record (a plain slots class: made per record)."""

    __slots__ = (
        "attachments",
        "backup_access",
        "backup_date",
        "backup_end_page",
        "backup_num_pages",
        "backup_pub",
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
        self.start_line = start_line  # the record's TY line, for record-wide warnings
        self.fields: dict[str, str] = {}
        self.creators: list[dict[str, Any]] = []
        self.tags: list[str] = []
        self.notes: list[str] = []
        self.attachments: list[dict[str, str]] = []
        self.extra: list[str] = []
        self.unsupported: list[str] = []
        self.problems: list[ReadProblem] = []
        self.sn: list[str] = []
        self.backup_pub: str | None = None
        self.backup_num_pages: str | None = None
        self.backup_end_page: str | None = None
        self.backup_date: tuple[str, str] | None = None
        self.backup_access: str | None = None

    def problem(self, line: int | None, message: str, severity: str = "warning") -> None:
        self.problems.append(ReadProblem(self.file, line, message, severity))


@dataclass(frozen=True)
class _TypeInfo:
    """Per (schema, item type) lookups, computed once."""

    resolve: dict[str, str | None]
    creator_types: frozenset[str]
    primary: str
    has: frozenset[str]


@lru_cache(maxsize=512)
def _type_info(schema: Schema, item_type: str) -> _TypeInfo:
    spec = schema.type(item_type)
    resolve = {name: schema.resolve_field(item_type, name) for name in schema.all_fields}
    return _TypeInfo(
        resolve,
        frozenset(spec.creator_types),
        spec.primary_creator_type or "author",
        frozenset(spec.fields),
    )


def _resolve(info: _TypeInfo, schema: Schema, item_type: str, name: str) -> str | None:
    if name in info.resolve:
        return info.resolve[name]
    found = schema.resolve_field(item_type, name) if name in schema.all_fields else None
    return found


@lru_cache(maxsize=256)
def item_type_for(ty: str | None, schema: Schema) -> str:
    """Zotero item type of a TY value (unknown or missing TY: journalArticle)."""
    item_type = TYPE_MAP.get((ty or "").strip().upper(), DEFAULT_TYPE)
    if not schema.has_type(item_type):
        # Older schemas lack dataset; Zotero then files DATA/DBASE as document.
        item_type = "document" if schema.has_type("document") else DEFAULT_TYPE
    return item_type


def map_record(record: RawRecord, schema: Schema | None = None) -> ConvertedRecord:
    """Convert one RIS record into a Zotero item (pure; see the module docstring)."""
    schema = schema or bundled_schema()
    original = tagged(record)
    ty_field = next((f for f in original if f.tag == "TY"), None)
    ty = ty_field.value.strip().upper() if ty_field is not None else ""
    item_type = item_type_for(ty, schema)
    dialect = detect_tagged(original)
    info = _type_info(schema, item_type)
    prep = prepare(
        original, dialect, item_type, abbreviation_field="journalAbbreviation" in info.has
    )
    fields = clean_citavi(clean_endnote(clean_procite(prep.fields, ty, item_type), ty))

    st = _State(item_type, record.file, record.start_line)
    if ty_field is not None and ty not in RIS_TYPES:
        # Zotero reads an unknown type as a journal article too, but says nothing.
        what = f"unknown record type {ty!r}" if ty else "empty record type"
        st.problem(ty_field.line, f"{what} (TY), read as {item_type}")
    for line, reason in prep.dropped:
        st.problem(line, f"dropped: {reason}", "info")
    plan = _plan(item_type)
    creators = st.creators
    deferred: list[tuple[Tagged, _Step]] = []
    for f in fields:
        step = plan.get(f.tag) or _step(item_type, f.tag)
        if step.second_pass:
            deferred.append((f, step))
        elif (
            step.kind == _K_CREATOR
            and "<" not in f.value
            and "&" not in f.value
            and ";" not in f.value
            and len(f.value) <= CREATOR_MAX
        ):
            # The most frequent tag (13 authors a record is common) skips _process.
            c = creator(f.value, step.sub)
            if c is not None:
                creators.append(c)
        elif step.kind != _K_SKIP:
            _process(st, f, step)
    for f, step in deferred:
        _process(st, f, step)
    _complete(st)
    for name, value in prep.set_fields.items():
        st.fields.setdefault(name, value)

    ids = record_identifiers(st.fields, st.extra, st.sn, item_type, original, prep.found, info.has)
    item = _build_item(st, schema, info, ids, prep.article_number)
    if prep.citation_lines:
        _append_extra(item, prep.citation_lines)
    source = SourceRef(record.file, record.start_line, record.end_line, record.index, dialect)
    return ConvertedRecord(
        item,
        tuple(st.notes),
        tuple(st.attachments),
        ids,
        source,
        tuple(st.problems),
    )


# What _process does with a tag, decided once per (item type, tag) by _plan.
_K_UNKNOWN: Final = 0
_K_SCALAR: Final = 1
_K_DATE: Final = 2
_K_ACCESS: Final = 3
_K_NOTE: Final = 4
_K_CREATOR: Final = 5
_K_TAGS: Final = 6
_K_EXTRA: Final = 7
_K_DOI: Final = 8
_K_M3_DOI: Final = 9
_K_EP: Final = 10
_K_PY: Final = 11
_K_BACKUP_ACCESS: Final = 12
_K_UR: Final = 13
_K_BACKUP_PUB: Final = 14
_K_ATTACH: Final = 15
_K_UNSUPPORTED: Final = 16
_K_IGNORE: Final = 17
_K_SN: Final = 18
_K_SKIP: Final = 19

# How a value is unescaped: not at all (AB, notes), as HTML text (markup removed,
# entities decoded), or entities only: identifiers hold ``<...>`` as data (SICI
# DOIs), so nothing is ever removed from them.
_U_NONE: Final = 0
_U_TEXT: Final = 1
_U_ENTITIES: Final = 2
_IDENTIFIER_TAGS: Final = frozenset({"DO", "SN", "UR", "L1", "L2", "L3", "L4", "AN", "ID", "C2"})


class _Step(NamedTuple):
    """What :func:`_process` does with one tag of one item type (decided by :func:`_step`)."""

    kind: int  # one of the _K_ values
    target: str  # the Zotero field or list the tag fills ("" for none)
    sub: str  # what follows "/" in the target: a creator type, an Extra label...
    unescape: int  # one of the _U_ values
    second_pass: bool  # Zotero reads the tag after every other one


def _kind(tag: str, target: str | None) -> int:
    if tag in ("TY", "ER"):
        return _K_SKIP
    if target is None:
        return _K_UNKNOWN
    if tag in ("N1", "RN") or target == "notes":
        return _K_NOTE
    if tag == "EP":
        return _K_EP
    if tag == "PY":
        return _K_PY
    if tag in ("M1", "VL") and target == "accessDate":
        return _K_BACKUP_ACCESS
    if tag == "M3" and target == "DOI":
        return _K_M3_DOI
    if tag == "UR":
        return _K_UR
    if tag == "SN" and target in ("ISBN", "ISSN"):
        return _K_SN
    head = target.partition("/")[0]
    kinds = {
        "__ignore": _K_IGNORE,
        "backupPublicationTitle": _K_BACKUP_PUB,
        "creators": _K_CREATOR,
        "attachments": _K_ATTACH,
        "unsupported": _K_UNSUPPORTED,
        "tags": _K_TAGS,
        "extra": _K_EXTRA,
        "DOI": _K_DOI,
        "accessDate": _K_ACCESS,
    }
    if head in kinds:
        return kinds[head]
    return _K_DATE if target in DATE_TARGETS else _K_SCALAR


@lru_cache(maxsize=4096)
def _step(item_type: str, tag: str) -> _Step:
    target = target_for(item_type, tag)
    kind = _kind(tag, target)
    sub = (target or "").partition("/")[2]
    if tag in ("N1", "RN", "AB"):
        unescape = _U_NONE
    elif tag in _IDENTIFIER_TAGS or kind in (_K_DOI, _K_M3_DOI, _K_SN, _K_UR, _K_ATTACH):
        unescape = _U_ENTITIES
    else:
        unescape = _U_TEXT
    return _Step(kind, target or "", sub, unescape, tag in SECOND_PASS)


@lru_cache(maxsize=128)
def _plan(item_type: str) -> dict[str, _Step]:
    """The steps of the tags Zotero knows, for one item type (others: _step)."""
    tags = {"TY", "ER", *PRIMARY, *IMPORT_ONLY}
    return {tag: _step(item_type, tag) for tag in tags}


def _process(st: _State, f: Tagged, step: _Step) -> None:
    """One field into ``st``, as its step says: one branch per kind of tag."""
    value = f.value.strip()
    if not value:
        return
    kind = step.kind
    if kind == _K_UNKNOWN:
        st.problem(f.line, f"unknown tag {f.tag} dropped: {_short(value)}", "info")
        return
    if step.unescape == _U_TEXT:
        if "<" in value or "&" in value:
            value = unescape_html(value)
    elif step.unescape == _U_ENTITIES and "&" in value:
        value = unescape_entities(value)
    if kind == _K_SCALAR or (kind == _K_UR and "PM:" not in value):
        _first_value(st, f, step.target, value)
    elif kind == _K_SN:
        _standard_number(st, f, step.target, value)
    elif kind == _K_CREATOR:
        _creator(st, f, step.sub, value)
    elif kind == _K_NOTE:
        _note(st, f, value)
    elif kind == _K_TAGS:
        st.tags.extend(split_keywords(value))
    elif kind == _K_DATE:
        if not st.fields.get(step.target):
            st.fields[step.target] = ris_date(value)
        else:
            st.problem(f.line, f"second value for {step.target} ({f.tag}) dropped: {_short(value)}")
    elif kind == _K_PY:
        st.backup_date = (step.target, ris_date(value))
    elif kind == _K_EP:
        _end_page(st, value)
    elif kind in (_K_DOI, _K_M3_DOI):
        _doi(st, f, value, in_m3=kind == _K_M3_DOI)
    elif kind == _K_UR:
        st.extra.append("PMID: " + value[3:])
    elif kind == _K_EXTRA:
        st.extra.append(value)
    elif kind == _K_ACCESS:
        iso = access_date(value)
        if iso is None:
            st.problem(f.line, f"unreadable access date dropped: {value}")
        elif not st.fields.get("accessDate"):
            st.fields["accessDate"] = iso
    elif kind == _K_BACKUP_ACCESS:
        if f.tag == "M1" or st.backup_access is None:
            st.backup_access = value
    elif kind == _K_BACKUP_PUB:
        st.backup_pub = value
    elif kind == _K_ATTACH:
        st.attachments.extend(attachments(value, step.sub))
    elif kind == _K_UNSUPPORTED:
        if step.sub in _NOISE_LABELS:
            st.problem(f.line, f"dropped {step.sub.lower()} ({f.tag}): {_short(value)}", "info")
        else:
            st.unsupported.append(f"{step.sub}: {value}")


def _first_value(st: _State, f: Tagged, target: str, value: str) -> None:
    """The first value of a field wins (Zotero's rule); a different second is reported."""
    current = st.fields.get(target)
    if not current:
        st.fields[target] = value
    elif current != value:
        st.problem(f.line, f"second value for {target} ({f.tag}) dropped: {_short(value)}")


def _standard_number(st: _State, f: Tagged, target: str, value: str) -> None:
    # Every SN line is kept for mapping_ids, which reads ISSNs/ISBNs by content.
    st.sn.append(value)
    if not st.fields.get(target):
        st.fields[target] = value
    elif not (all_issns(value) or all_isbns(value)):
        st.problem(f.line, f"second value for {target} ({f.tag}) dropped: {_short(value)}")


def _creator(st: _State, f: Tagged, creator_type: str, value: str) -> None:
    if ";" in value or len(value) > CREATOR_MAX:
        why = _not_one_name(value)
        if why:
            # PsycInfo's A2 (via Ovid) holds the whole cited-author list as one name:
            # the server refuses a name over 255 characters, and a list is no creator.
            st.unsupported.append(f"Names ({f.tag}): {value}")
            st.problem(f.line, f"{f.tag} holds {why}, not one name; kept in Extra")
            return
    c = creator(value, creator_type)
    if c is not None:
        st.creators.append(c)


def _note(st: _State, f: Tagged, value: str) -> None:
    if st.fields.get("title") == value:
        return
    if len(value) > NOTE_MAX:
        value = _cut(value, NOTE_MAX - 1000)  # room for the note's HTML
        st.problem(f.line, f"{f.tag} note cut to the API's limit of {NOTE_MAX} characters")
    st.notes.append(note_html(value))


def _end_page(st: _State, value: str) -> None:
    """EP joins SP into a range; with a range already there it may be the page count."""
    pages = st.fields.get("pages")
    if not pages:
        st.backup_end_page = value
    elif "-" not in pages:
        st.fields["pages"] = pages + "-" + value
    else:
        st.backup_num_pages = value


def _doi(st: _State, f: Tagged, value: str, *, in_m3: bool) -> None:
    # Zotero lets every DO (and DOI-bearing M3) overwrite the previous one.
    doi = clean_doi(value)
    if doi is not None:
        st.fields["DOI"] = doi
    elif in_m3:
        st.problem(f.line, f"M3 value is not a DOI, dropped: {_short(value)}", "info")
    else:
        st.problem(f.line, f"{f.tag} value is not a DOI: {_short(value)}")


def _complete(st: _State) -> None:
    fields = st.fields
    if st.backup_pub and not fields.get("publicationTitle"):
        fields["publicationTitle"] = st.backup_pub
    if st.backup_num_pages and not fields.get("numPages"):
        fields["numPages"] = st.backup_num_pages
    if st.backup_end_page:
        pages = fields.get("pages")
        if not pages:
            fields["pages"] = st.backup_end_page
        elif "-" not in pages:
            fields["pages"] = pages + "-" + st.backup_end_page
        elif not fields.get("numPages"):
            fields["numPages"] = st.backup_end_page
    if st.backup_date is not None:
        name, value = st.backup_date
        current = fields.get(name)
        if not current:
            fields[name] = value
        else:
            if "0000" in current:  # what the pattern needs to match at all
                fields[name] = _ZERO_YEAR_RE.sub(value, current, count=1)
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
    if st.backup_access is not None and not fields.get("accessDate"):
        iso = access_date(st.backup_access)
        if iso is not None:
            fields["accessDate"] = iso
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


def _build_item(
    st: _State,
    schema: Schema,
    info: _TypeInfo,
    ids: Identifiers,
    article_number: str | None,
) -> dict[str, Any]:
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
            st.problem(None, f"{name} is not a field of {item_type}; dropped: {_short(value)}")
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
    _append_extra(item, lines)
    extra = item.get("extra")
    if extra is not None and len(extra) > _FIELD_SAFE_CHARS:
        item["extra"] = _fit_field(st, "extra", extra)
    return item


def _not_one_name(value: str) -> str:
    """Why a creator value is no single name ("" when it is one)."""
    if sum(1 for part in value.split(";") if part.strip()) > 1:
        return "a list of names"
    if len(value) > CREATOR_MAX:
        return f"{len(value)} characters"
    return ""


def _fit_field(st: _State, name: str, value: str) -> str:
    """``value`` cut to the API's byte limit for a field, with a warning when cut."""
    size = len(value.encode("utf-8"))
    if size <= FIELD_MAX_BYTES:
        return value
    st.problem(
        st.start_line, f"{name} cut to the API's limit of {FIELD_MAX_BYTES} bytes (was {size})"
    )
    return _cut(value, FIELD_MAX_BYTES)


def _cut(value: str, max_bytes: int) -> str:
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


def _append_extra(item: dict[str, Any], lines: list[str]) -> None:
    lines = [x for x in lines if x]
    if not lines:
        return
    existing = item.get("extra")
    text = "\n".join(lines)
    item["extra"] = f"{existing}\n{text}" if existing else text


def _short(value: str, limit: int = 80) -> str:
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
    """A record another format's reader mapped to Zotero fields, finished as RIS ones are.

    For the formats of :mod:`syncd.formats`, so that a work read from any of them gets
    the same identifiers, Extra lines (fields the type lacks, identifiers, citation
    counts), API limits and field placement as from RIS. ``fields`` use Zotero base
    or type-specific names; ``creators`` are Zotero creators (an invalid type becomes
    the primary one, a name over the API's 255 characters goes to Extra); ``notes``
    note HTML (cut to the API's limit); ``standard_numbers`` every ISSN/ISBN value
    the record carries (read by content, as SN lines are); ``found`` identifiers the
    reader already read, by :class:`Identifiers` attribute name.

    ``end_rules`` runs Zotero's RIS end-of-import rules (``_complete``), as the
    BibTeX and CSL-JSON translators end the same way; without it only those that are
    not RIS's own apply: a lone tag is not split on commas (a MeSH heading "Cell
    Line, Tumor" is one tag), and there are no backup fields to fill.
    """
    st = _State(item_type, source.file, source.line)
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
            note = _cut(note, NOTE_MAX - 1000)
            st.problem(source.line, f"note cut to the API's limit of {NOTE_MAX} characters")
        if note.strip():
            st.notes.append(note)
    st.attachments = list(attachments or ())
    st.extra = list(extra or ())
    st.sn = list(standard_numbers or ())
    fields = st.fields
    if end_rules:
        _complete(st)
    else:
        if fields.get("journalAbbreviation") and not fields.get("publicationTitle"):
            fields["publicationTitle"] = fields["journalAbbreviation"]
        if fields.get("shortTitle") == fields.get("title"):
            fields.pop("shortTitle", None)
    info = _type_info(schema, item_type)
    ids = record_identifiers(fields, st.extra, st.sn, item_type, [], found or {}, info.has)
    item = _build_item(st, schema, info, ids, None)
    if citation_lines:
        _append_extra(item, citation_lines)
    return ConvertedRecord(
        item, tuple(st.notes), tuple(st.attachments), ids, source, tuple(st.problems)
    )
