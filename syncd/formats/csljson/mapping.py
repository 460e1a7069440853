"""CSL-JSON item -> Zotero item, as Zotero's CSL JSON import maps it (pure).

The type, field and name correspondences are the schema's own ``csl`` tables (the
ones Zotero's ``itemFromCSLJSON`` reads): a CSL type gives the first Zotero type
listed for it, a CSL variable the first listed Zotero field the type has, a CSL name
variable the creator type that maps to it. ``issued``/``accessed``/``submitted``
dates are read from ``date-parts``, ``raw`` or ``literal``; names from
``family``/``given`` (with their particles) or ``literal``; ``note`` is Extra, one
line each, so ``PMID: ...`` and ``12 citations (Scopus)`` lines are read as syncd
reads them everywhere. The item is finished by
:func:`syncd.formats.build.build_record`, as RIS records are.

Deliberate differences from Zotero's import: dates are ISO (``2013-01-01``) as every
other format gives them, not ``January 1, 2013``; ``id`` is taken as the citation
key only when it looks like one (Zotero exports a URI there); ``keyword`` becomes
tags (Zotero ignores it); variables the type has no field for go to Extra as
``Label: value`` (Zotero drops them), as for RIS; HTML markup in values (``<i>``)
is removed as it is from RIS values, so titles agree across formats; a value of the
wrong JSON type is reported and skipped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, Final

from syncd.formats.build import build_record
from syncd.formats.dates import access_date
from syncd.formats.markup import unescape_html
from syncd.formats.records import ConvertedRecord, ReadProblem, Severity, SourceRef
from syncd.identifiers import normalize_pmcid, normalize_pmid
from syncd.schema import Schema, bundled_schema

DEFAULT_TYPE: Final = "document"
_KEY_RE: Final = re.compile(r"^[\w:.+-]+$")
_DATES: Final = {"issued": "date", "accessed": "accessDate", "submitted": "filingDate"}
_SKIPPED: Final = frozenset({"type", "id", "citation-key", "note", "keyword", "PMID", "PMCID"})
_KEYWORD_SPLIT_RE: Final = re.compile(r"\s*[,;]\s*")


class _Tables:
    def __init__(self, csl: Mapping[str, Any]) -> None:
        self.types: dict[str, str] = {
            k: v[0] for k, v in csl.get("types", {}).items() if isinstance(v, list) and v
        }
        fields = csl.get("fields", {})
        self.text: dict[str, list[str]] = dict(fields.get("text", {}))
        self.names: dict[str, str] = {}
        for zotero, name in csl.get("names", {}).items():
            self.names.setdefault(name, zotero)


@lru_cache(maxsize=8)
def _tables(schema: Schema) -> _Tables:
    csl = schema.document.get("csl") if isinstance(schema.document, Mapping) else None
    if not isinstance(csl, Mapping) or not csl.get("types"):
        csl = bundled_schema().document.get("csl", {})
    return _Tables(csl)


def item_type_of(data: Mapping[str, Any], schema: Schema) -> str:
    csl_type = data.get("type")
    item_type = (
        _tables(schema).types.get(csl_type, DEFAULT_TYPE)
        if isinstance(csl_type, str)
        else DEFAULT_TYPE
    )
    return item_type if schema.has_type(item_type) else DEFAULT_TYPE


def map_item(
    data: Mapping[str, Any], file: str, line: int, end_line: int, index: int, schema: Schema
) -> ConvertedRecord:
    """Convert one CSL-JSON item into a Zotero item (pure; see the module docstring)."""
    tables = _tables(schema)
    item_type = item_type_of(data, schema)
    problem = _Problems(file, line)
    csl_type = data.get("type")
    if not isinstance(csl_type, str) or csl_type not in tables.types:
        problem(f"unknown or missing CSL type {csl_type!r}, read as {item_type}")
    fields, creators, numbers = _variables(data, item_type, tables, schema, problem)
    _dates(data, fields, problem)
    found, extra = _identifiers(data)
    note = _text(data.get("note"))
    if note:
        extra.extend(x.strip() for x in note.splitlines() if x.strip())
    cite_key = _text(data.get("citation-key")) or _text(data.get("id"))
    has = schema.fields_for(item_type)
    if cite_key and _KEY_RE.match(cite_key) and not cite_key.isdigit() and "citationKey" in has:
        fields["citationKey"] = cite_key
    tags: list[str] = []
    keyword = _text(data.get("keyword"))
    if keyword:
        tags = [t for t in _KEYWORD_SPLIT_RE.split(keyword) if t]
    dialect = "csljson"
    source = SourceRef(file, line, end_line, index, dialect)
    return build_record(
        item_type,
        fields,
        creators,
        source,
        schema,
        tags=tags,
        extra=extra,
        standard_numbers=numbers,
        found=found,
        problems=problem.found,
        end_rules=True,
    )


class _Problems:
    """The problems met mapping one item, each at the item's line."""

    def __init__(self, file: str, line: int) -> None:
        self.file = file
        self.line = line
        self.found: list[ReadProblem] = []

    def __call__(self, message: str, severity: Severity = "warning") -> None:
        self.found.append(ReadProblem(self.file, self.line, message, severity))


def _variables(
    data: Mapping[str, Any], item_type: str, tables: _Tables, schema: Schema, problem: _Problems
) -> tuple[dict[str, str], list[dict[str, Any]], list[str]]:
    """The item's name and text variables as Zotero fields and creators, and its ISSNs
    and ISBNs; dates and identifiers are read apart."""
    fields: dict[str, str] = {}
    numbers: list[str] = []
    creators: list[dict[str, Any]] = []
    for key, value in data.items():
        if key in _SKIPPED or key in _DATES:
            continue
        if key in tables.names:
            creators.extend(_names(value, tables.names[key], key, problem))
            continue
        targets = tables.text.get(key)
        if targets is None:
            if not key.startswith("_"):
                problem(f"CSL variable {key} dropped", "info")
            continue
        text = _text(value)
        if text is None:
            problem(f"{key} is not text; dropped")
            continue
        if not text:
            continue
        if key in ("ISSN", "ISBN"):
            numbers.append(text)
        target = next((t for t in targets if schema.resolve_field(item_type, t)), targets[0])
        if not fields.get(target):
            fields[target] = text
    return fields, creators, numbers


def _dates(data: Mapping[str, Any], fields: dict[str, str], problem: _Problems) -> None:
    for key, target in _DATES.items():
        if key in data:
            date = _date(data[key])
            if date is None:
                problem(f"{key} is not a readable date; dropped")
            elif target == "accessDate":
                iso = access_date(date.replace("-", "/")) if date else None
                if iso:
                    fields[target] = iso
            elif date:
                fields[target] = date


def _identifiers(data: Mapping[str, Any]) -> tuple[dict[str, str], list[str]]:
    """PMID and PMCID read from their variables; one that is not valid, as an Extra line."""
    found: dict[str, str] = {}
    extra: list[str] = []
    for key, kind, normalize in (
        ("PMID", "pmid", normalize_pmid),
        ("PMCID", "pmcid", normalize_pmcid),
    ):
        text = _text(data.get(key))
        if text:
            norm = normalize(text)
            if norm:
                found[kind] = norm
            else:
                extra.append(f"{key}: {text}")
    return found, extra


def _text(value: Any) -> str | None:
    """A CSL value as text (numbers are allowed for numeric variables), else None."""
    if isinstance(value, str):
        return unescape_html(value).strip() if ("<" in value or "&" in value) else value.strip()
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(value)
    return None


def _names(value: Any, creator_type: str, key: str, problem: _Problems) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        problem(f"{key} is not a list of names; dropped")
        return []
    out: list[dict[str, Any]] = []
    for name in value:
        if not isinstance(name, Mapping):
            problem(f"a name in {key} is not an object; dropped")
            continue
        literal = _text(name.get("literal"))
        family = _text(name.get("family")) or ""
        given = _text(name.get("given")) or ""
        particle = _text(name.get("non-dropping-particle"))
        if particle:
            family = f"{particle} {family}".strip()
        dropping = _text(name.get("dropping-particle"))
        if dropping:
            given = f"{given} {dropping}".strip()
        suffix = _text(name.get("suffix"))
        if suffix and given:
            given = f"{given}, {suffix}"
        if family and given:
            out.append({"creatorType": creator_type, "firstName": given, "lastName": family})
        elif family or given or literal:
            out.append({"creatorType": creator_type, "name": literal or family or given})
    return out


def _date(value: Any) -> str | None:
    """``YYYY[-MM[-DD]]`` from date-parts, or the raw/literal text; "" when empty;
    None when the value is not a CSL date."""
    if isinstance(value, str):
        return value.strip()
    if not isinstance(value, Mapping):
        return None
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        numbers: list[int] = []
        for part in parts[0][:3]:
            try:
                numbers.append(int(str(part).strip()))
            except ValueError:
                break
        if numbers and 0 < numbers[0] < 10000:
            out = f"{numbers[0]:04d}"
            if len(numbers) > 1 and 1 <= numbers[1] <= 12:
                out += f"-{numbers[1]:02d}"
                if len(numbers) > 2 and 1 <= numbers[2] <= 31:
                    out += f"-{numbers[2]:02d}"
            return out
    for key in ("raw", "literal"):
        text = _text(value.get(key))
        if text:
            return text
    return "" if parts == [] or parts == [[]] else None
