"""RIS record -> Zotero Web API item: the mapping at the heart of ``syncd convert``.

:func:`map_record` is a pure function of one :class:`RawRecord` and a schema.
It reproduces Zotero's own RIS import (``zotero-ris-mapping.md``: two passes,
first value wins, PY as a backup date, EP joined to SP, notes as HTML...), then
does what Zotero desktop does on save (``Item.fromJSON``): fields the item type
lacks become ``Label: value`` lines in Extra, base names become type-specific.
On top of that it applies the exporter dialects of :mod:`syncd.ris.dialects`
and places identifiers where Zotero users look for them
(:func:`syncd.identifiers.extra_lines`).

Deliberate differences from Zotero's import: values with no field go to Extra
instead of being dropped; unknown tags and export noise are reported in
``problems`` rather than silently dropped; Scopus/Pure/WoS article numbers go
to ``pages`` (not ``issue``); DOI/PMID/PMCID fill their fields from any source
the record offers; a valid ISSN is written in its canonical ``NNNN-NNNN`` form.

Speed: tag targets are cached per (item type, tag) and schema lookups per
(schema, item type); HTML is only parsed in values holding ``<`` or ``&``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from syncd.identifiers import (
    Identifiers,
    all_isbns,
    all_issns,
    clean_doi,
    extra_lines,
    identifiers_from_extra,
    identifiers_from_url,
    normalize_doi,
    normalize_scopus_eid,
    normalize_wos,
)
from syncd.ris import mapping_values as mv
from syncd.ris.dialects import detect_dialect, prepare
from syncd.ris.mapping_cleaners import clean_citavi, clean_endnote, clean_procite
from syncd.ris.mapping_tables import DATE_TARGETS, DEFAULT_TYPE, SECOND_PASS, TYPE_MAP, target_for
from syncd.ris.records import Field, RawRecord, ReadProblem
from syncd.schema import Schema, bundled_schema

_ZERO_YEAR_RE = re.compile(r"\b0000\b")
_YEAR_RE = re.compile(r"(?<!\d)\d{4}(?!\d)")
_A_NOVEL_RE = re.compile(r":\s*a novel\s*$", re.IGNORECASE)
# Unsupported values that are only addresses: affiliations are noise in a library.
_NOISE_LABELS = frozenset({"Author Address", "Inventor Address"})
# Fields whose value is a kind of item: Zotero never writes those to Extra.
_TYPE_LIKE = frozenset({"type", "itemType"})


@dataclass(frozen=True)
class SourceRef:
    """Where a converted record came from."""

    file: str
    line: int
    end_line: int
    index: int
    dialect: str

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "end_line": self.end_line,
            "index": self.index,
            "dialect": self.dialect,
        }


@dataclass(frozen=True)
class ConvertedRecord:
    """One RIS record as a Zotero item, with its notes, links and identifiers."""

    item: dict[str, Any]
    notes: tuple[str, ...]
    attachments: tuple[dict[str, str], ...]
    identifiers: Identifiers
    source: SourceRef
    problems: tuple[ReadProblem, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "notes": list(self.notes),
            "identifiers": self.identifiers.as_json(),
            "source": self.source.as_json(),
        }


@dataclass
class _State:
    item_type: str
    file: str
    fields: dict[str, str] = field(default_factory=dict)
    creators: list[dict[str, Any]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    attachments: list[dict[str, str]] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    problems: list[ReadProblem] = field(default_factory=list)
    backup_pub: str | None = None
    backup_num_pages: str | None = None
    backup_end_page: str | None = None
    backup_date: tuple[str, str] | None = None
    backup_access: str | None = None

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
    ty = (record.first("TY") or "").strip().upper()
    item_type = item_type_for(ty, schema)
    dialect = detect_dialect(record)
    prep = prepare(record, dialect, item_type)
    fields = clean_citavi(clean_endnote(clean_procite(prep.fields, ty, item_type), ty))

    st = _State(item_type, record.file)
    for line, reason in prep.dropped:
        st.problem(line, f"dropped: {reason}", "info")
    deferred: list[Field] = []
    for f in fields:
        if f.tag in SECOND_PASS:
            deferred.append(f)
        elif f.tag != "TY" and f.tag != "ER":
            _process(st, f)
    for f in deferred:
        _process(st, f)
    _complete(st)
    for name, value in prep.set_fields.items():
        st.fields.setdefault(name, value)

    info = _type_info(schema, item_type)
    ids = _identifiers(st, record, prep.identifiers, info.has)
    item = _build_item(st, schema, info, ids, prep.article_number, prep.extra)
    if prep.citation_line:
        _append_extra(item, [prep.citation_line])
    source = SourceRef(record.file, record.start_line, record.end_line, record.index, dialect)
    return ConvertedRecord(
        item,
        tuple(st.notes),
        tuple(st.attachments),
        ids,
        source,
        tuple(st.problems),
    )


def _process(st: _State, f: Field) -> None:
    tag = f.tag
    value = f.value.strip()
    if not value:
        return
    target = target_for(st.item_type, tag)
    if target is None:
        st.problem(f.line, f"unknown tag {tag} dropped: {_short(value)}", "info")
        return
    if tag != "N1" and tag != "RN" and tag != "AB" and ("<" in value or "&" in value):
        value = mv.unescape_html(value)
    if tag == "N1" or tag == "RN":
        if st.fields.get("title") == value:
            return
        st.notes.append(mv.note_html(value))
        return
    if tag == "EP":
        pages = st.fields.get("pages")
        if pages:
            if "-" not in pages:
                st.fields["pages"] = pages + "-" + value
            else:
                st.backup_num_pages = value
        else:
            st.backup_end_page = value
        return
    if tag == "M1" and target == "accessDate":
        st.backup_access = value
        return
    if tag == "M3" and target == "DOI":
        doi = clean_doi(value)
        if doi is None:
            st.problem(f.line, f"M3 value is not a DOI, dropped: {_short(value)}", "info")
            return
        value = doi
    if tag == "VL" and target == "accessDate":
        if st.backup_access is None:
            st.backup_access = value
        return
    if tag == "PY":
        st.backup_date = (target, mv.ris_date(value))
        return
    if tag == "UR" and "PM:" in value:
        st.extra.append("PMID: " + value[3:])
        return
    _apply(st, f, target, value)


def _apply(st: _State, f: Field, target: str, value: str) -> None:
    if target == "__ignore":
        return
    if target == "backupPublicationTitle":
        st.backup_pub = value
        return
    kind, _, sub = target.partition("/")
    if kind == "creators":
        st.creators.append(mv.creator(value, sub))
        return
    if kind == "attachments":
        st.attachments.extend(mv.attachments(value, sub))
        return
    if kind == "unsupported":
        if sub in _NOISE_LABELS:
            st.problem(f.line, f"dropped {sub.lower()} ({f.tag}): {_short(value)}", "info")
        else:
            st.unsupported.append(f"{sub}: {value}")
        return
    if target == "tags":
        st.tags.extend(mv.split_keywords(value))
        return
    if target == "notes":
        st.notes.append(mv.note_html(value))
        return
    if target == "extra":
        st.extra.append(value)
        return
    if target == "DOI":
        # Zotero lets every DO overwrite the previous one.
        doi = clean_doi(value)
        if doi is None:
            st.problem(f.line, f"{f.tag} value is not a DOI: {_short(value)}")
        else:
            st.fields["DOI"] = doi
        return
    if target in DATE_TARGETS:
        if target == "accessDate":
            iso = mv.access_date(value)
            if iso is None:
                st.problem(f.line, f"unreadable access date dropped: {value}")
                return
            value = iso
        else:
            value = mv.ris_date(value)
    current = st.fields.get(target)
    if current:
        # Extra ISSNs/ISBNs are not lost: _standard_numbers reads every SN line.
        if f.tag == "SN" and (all_issns(value) or all_isbns(value)):
            return
        if current != value:
            st.problem(f.line, f"second value for {target} ({f.tag}) dropped: {_short(value)}")
        return
    st.fields[target] = value


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
            fields[name] = _ZERO_YEAR_RE.sub(value, current, count=1)
    for name in DATE_TARGETS:
        date = fields.get(name, "")
        if date and name != "accessDate" and (date[:4] == "0000" or not _YEAR_RE.search(date)):
            st.problem(None, f"{name} has no year; kept as is for Zotero to read: {date}")
    if st.backup_access is not None and not fields.get("accessDate"):
        iso = mv.access_date(st.backup_access)
        if iso is not None:
            fields["accessDate"] = iso
    if fields.get("journalAbbreviation") and not fields.get("publicationTitle"):
        fields["publicationTitle"] = fields["journalAbbreviation"]
    if fields.get("shortTitle") and not fields.get("title"):
        fields["title"] = fields["shortTitle"]
    if len(st.tags) == 1:
        st.tags = mv.split_single_tag(st.tags[0])
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


def _doi_sources(record: RawRecord) -> str | None:
    """A DOI from the tags exporters put one in when DO is missing."""
    for f in record.fields:
        tag, value = f.tag, f.value.strip()
        if tag in ("M3", "U2", "L3", "ID") and value:
            doi = clean_doi(value)
            if doi and _is_whole_doi(value, doi):
                return doi
        elif tag == "UR" and "doi.org/" in value.lower():
            found = identifiers_from_url(value).doi
            if found:
                return clean_doi(value[value.lower().index("doi.org/") + 8 :])
    return None


def _is_whole_doi(value: str, doi: str) -> bool:
    """True when ``value`` is nothing but a DOI (maybe as doi: or a doi.org URL)."""
    low = value.lower().strip()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:"):
        if low.startswith(prefix):
            low = low[len(prefix) :].strip()
    return low.startswith(doi.lower())


def _identifiers(
    st: _State, record: RawRecord, found: Identifiers, has: frozenset[str]
) -> Identifiers:
    fields = st.fields
    doi = fields.get("DOI") or _doi_sources(record)
    if doi and not fields.get("DOI"):
        fields["DOI"] = doi
    an = fields.get("archiveLocation", "")
    ids = Identifiers(
        doi=normalize_doi(doi) if doi else None,
        scopus_eid=normalize_scopus_eid(an)
        if an.upper().startswith(("SCOPUS", "2-S2.0"))
        else None,
        wos=normalize_wos(an) if an.upper().startswith(("WOS:", "ISI:")) else None,
    )
    ids = found.merged(ids)
    ids = ids.merged(identifiers_from_extra("\n".join(st.extra)))
    ids = ids.merged(identifiers_from_url(fields.get("url", "")))
    isbn, issn = _standard_numbers(st, record, has)
    return ids.merged(Identifiers(isbn=isbn, issn=issn))


_CLEAN_ISBN_RE = re.compile(r"^[\dXx\s-]+$")


def _standard_numbers(
    st: _State, record: RawRecord, has: frozenset[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """ISBNs and ISSNs of the record; the ISBN/ISSN fields tidied from them.

    Zotero files SN by item type alone and keeps it verbatim, so an ISSN lands
    in ISBN (``SN - 1063-6919`` on a conference paper) and extra SN lines are
    lost. We read every SN line by content: valid ISSNs all go to ISSN in
    canonical form, and an ISBN field that holds more than ISBNs (``02705257
    (ISSN); 9781467310673 (ISBN)``) is reduced to its ISBNs.
    """
    fields = st.fields
    sn_target = target_for(st.item_type, "SN")
    isbn: tuple[str, ...] = ()
    issn: tuple[str, ...] = ()
    sources = [f.value for f in record.fields if f.tag == "SN"]
    sources += [fields[name] for name in ("ISBN", "ISSN") if name in fields]
    for value in sources:
        isbn += tuple(x for x in all_isbns(value) if x not in isbn)
        issn += tuple(x for x in all_issns(value) if x not in issn)
    if sn_target not in ("ISBN", "ISSN"):
        return isbn, issn
    if issn and "ISSN" in has:
        fields["ISSN"] = ", ".join(issn)
    current = fields.get("ISBN")
    if current is not None and "ISBN" in has:
        if isbn:
            if not _CLEAN_ISBN_RE.match(current):
                fields["ISBN"] = ", ".join(isbn)
        elif issn and "ISSN" in has:
            del fields["ISBN"]
    return isbn, issn


def _build_item(
    st: _State,
    schema: Schema,
    info: _TypeInfo,
    ids: Identifiers,
    article_number: str | None,
    dialect_extra: list[str],
) -> dict[str, Any]:
    item_type = st.item_type
    item: dict[str, Any] = {"itemType": item_type}
    if st.creators:
        creators = []
        for c in st.creators:
            if not (c.get("name") or c.get("lastName") or c.get("firstName")):
                continue
            if c["creatorType"] not in info.creator_types:
                c = {**c, "creatorType": info.primary}
            creators.append(c)
        item["creators"] = creators
    fields = st.fields
    if article_number:
        if "pages" in info.has and not fields.get("pages"):
            fields["pages"] = article_number
        else:
            st.extra.append(f"Article Number: {article_number}")
    # Identifier fields the type has are filled from any source; a PMID/DOI line
    # already in Extra (RefMan's UR PM:) moves into the field.
    for attr, name in (("doi", "DOI"), ("pmid", "PMID"), ("pmcid", "PMCID")):
        value = getattr(ids, attr)
        if value and name in info.has and not fields.get(name):
            fields[name] = value
    extra_ris = [
        line
        for line in st.extra
        if not (
            line.split(":", 1)[0].strip() in ("PMID", "PMCID", "DOI")
            and line.split(":", 1)[0].strip() in info.has
        )
    ]
    invalid: list[str] = []
    for name, value in fields.items():
        target = _resolve(info, schema, item_type, name)
        if target is not None and target != "extra":
            item[target] = value
        elif name == "extra":
            extra_ris.insert(0, value)
        elif name in _TYPE_LIKE or schema.base_field_of(name) == "type":
            st.problem(None, f"{name} is not a field of {item_type}; dropped: {_short(value)}")
        else:
            invalid.append(f"{schema.field_label(name)}: {value}")
            st.problem(None, f"{name} is not a field of {item_type}; kept in Extra", "info")
    if st.tags:
        item["tags"] = [{"tag": t} for t in st.tags]
    lines = sorted(invalid) + extra_ris + st.unsupported + dialect_extra
    lines += [x for x in extra_lines(ids, item_type, schema) if x not in lines]
    _append_extra(item, lines)
    return item


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
