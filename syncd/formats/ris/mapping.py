"""RIS record -> Zotero Web API item: the mapping at the heart of ``syncd convert``.

:func:`map_record` is a pure function of one :class:`RawRecord` and a schema.
It reproduces Zotero's own RIS import (``zotero-ris-mapping.md``: two passes,
first value wins, PY as a backup date, EP joined to SP, notes as HTML...) on
top of the exporter dialects of :mod:`syncd.formats.ris.dialects`, then builds
the item as every format does (:mod:`syncd.formats.build`: fields the item type
lacks become ``Label: value`` lines in Extra, base names become type-specific,
identifiers go where Zotero users look for them).

Deliberate differences from Zotero's import: values with no field go to Extra
instead of being dropped; unknown tags and export noise are reported in
``problems`` rather than silently dropped; Scopus/Pure/WoS article numbers go
to ``pages`` (not ``issue``); DOI/PMID/PMCID fill their fields from any source
the record offers; a valid ISSN is written in its canonical ``NNNN-NNNN`` form.

Speed: tag targets are cached per (item type, tag) and schema lookups per
(schema, item type); HTML is only parsed in values holding ``<`` or ``&``.
Only real markup is removed (:mod:`syncd.formats.markup`), and never from
identifiers: SICI DOIs hold ``<...>`` as data.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final, NamedTuple

from syncd.formats.build import (
    CREATOR_MAX,
    NOTE_MAX,
    Draft,
    append_extra,
    apply_end_rules,
    build_item,
    cut,
    short,
    type_info,
)
from syncd.formats.dates import access_date, ris_date
from syncd.formats.markup import note_html, unescape_entities, unescape_html
from syncd.formats.names import creator
from syncd.formats.records import ConvertedRecord, RawRecord, SourceRef
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
from syncd.formats.ris.mapping_values import attachments, split_keywords
from syncd.formats.ris.tagged import Tagged, tagged
from syncd.identifiers import all_isbns, all_issns, clean_doi
from syncd.schema import Schema, bundled_schema

_ZERO_YEAR_RE: Final = re.compile(r"\b0000\b")
# Unsupported values that are only addresses: affiliations are noise in a library.
_NOISE_LABELS: Final = frozenset({"Author Address", "Inventor Address"})


class _State(Draft):
    """What the passes collect for one RIS record: a draft and the backup values
    Zotero's RIS import fills fields from at the end (PY, EP, M1/VL, JA...)."""

    __slots__ = (
        "backup_access",
        "backup_date",
        "backup_end_page",
        "backup_num_pages",
        "backup_pub",
    )

    def __init__(self, item_type: str, file: str, start_line: int = 0) -> None:
        super().__init__(item_type, file, start_line)
        self.backup_pub: str | None = None
        self.backup_num_pages: str | None = None
        self.backup_end_page: str | None = None
        self.backup_date: tuple[str, str] | None = None
        self.backup_access: str | None = None


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
    info = type_info(schema, item_type)
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
    item = build_item(st, schema, info, ids, prep.article_number)
    if prep.citation_lines:
        append_extra(item, prep.citation_lines)
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
        st.problem(f.line, f"unknown tag {f.tag} dropped: {short(value)}", "info")
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
            st.problem(f.line, f"second value for {step.target} ({f.tag}) dropped: {short(value)}")
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
            st.problem(f.line, f"dropped {step.sub.lower()} ({f.tag}): {short(value)}", "info")
        else:
            st.unsupported.append(f"{step.sub}: {value}")


def _first_value(st: _State, f: Tagged, target: str, value: str) -> None:
    """The first value of a field wins (Zotero's rule); a different second is reported."""
    current = st.fields.get(target)
    if not current:
        st.fields[target] = value
    elif current != value:
        st.problem(f.line, f"second value for {target} ({f.tag}) dropped: {short(value)}")


def _standard_number(st: _State, f: Tagged, target: str, value: str) -> None:
    # Every SN line is kept for mapping_ids, which reads ISSNs/ISBNs by content.
    st.sn.append(value)
    if not st.fields.get(target):
        st.fields[target] = value
    elif not (all_issns(value) or all_isbns(value)):
        st.problem(f.line, f"second value for {target} ({f.tag}) dropped: {short(value)}")


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
        value = cut(value, NOTE_MAX - 1000)  # room for the note's HTML
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
        st.problem(f.line, f"M3 value is not a DOI, dropped: {short(value)}", "info")
    else:
        st.problem(f.line, f"{f.tag} value is not a DOI: {short(value)}")


def _complete(st: _State) -> None:
    """The backup values into the fields still empty, then Zotero's end rules."""
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
    if st.backup_access is not None and not fields.get("accessDate"):
        iso = access_date(st.backup_access)
        if iso is not None:
            fields["accessDate"] = iso
    apply_end_rules(st)


def _not_one_name(value: str) -> str:
    """Why a creator value is no single name ("" when it is one)."""
    if sum(1 for part in value.split(";") if part.strip()) > 1:
        return "a list of names"
    if len(value) > CREATOR_MAX:
        return f"{len(value)} characters"
    return ""
