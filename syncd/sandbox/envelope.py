"""The JSON the sandbox sends for one object: ``{key, version, library, links, meta, data}``.

Also owns the derived values the server computes for ``meta`` and for ``q`` searches
(creator summary, parsed date, the year), since both read the same item data.
Zotero's own date parser understands far more formats; this one covers ISO dates,
``Month DD, YYYY``, ``DD Month YYYY``, ``Month YYYY`` and a bare year, which is what
RIS exports produce.
"""

from __future__ import annotations

import re
from typing import Any

from syncd.sandbox.store import Library
from syncd.schema import Schema

_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    )
}
_ISO = re.compile(r"\b(\d{4})[-/](\d{1,2})(?:[-/](\d{1,2}))?\b")
_MONTH_DAY_YEAR = re.compile(r"\b([A-Za-z]{3})[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")
_DAY_MONTH_YEAR = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3})[a-z]*\.?,?\s+(\d{4})\b")
_MONTH_YEAR = re.compile(r"\b([A-Za-z]{3})[a-z]*\.?\s+(\d{4})\b")
_YEAR = re.compile(r"\b(\d{4})\b")


def parsed_date(value: str) -> str | None:
    """``YYYY[-MM[-DD]]`` for a date string, or None when no year can be found."""
    if not value:
        return None
    m = _ISO.search(value)
    if m and 1 <= int(m.group(2)) <= 12:
        out = f"{m.group(1)}-{int(m.group(2)):02d}"
        if m.group(3) and 1 <= int(m.group(3)) <= 31:
            out += f"-{int(m.group(3)):02d}"
        return out
    # Zotero_Date::strToDate keeps the day of "Sept 18, 2012" and "18 September 2012".
    m = _MONTH_DAY_YEAR.search(value)
    if m and m.group(1).lower() in _MONTHS and 1 <= int(m.group(2)) <= 31:
        return f"{m.group(3)}-{_MONTHS[m.group(1).lower()]:02d}-{int(m.group(2)):02d}"
    m = _DAY_MONTH_YEAR.search(value)
    if m and m.group(2).lower() in _MONTHS and 1 <= int(m.group(1)) <= 31:
        return f"{m.group(3)}-{_MONTHS[m.group(2).lower()]:02d}-{int(m.group(1)):02d}"
    m = _MONTH_YEAR.search(value)
    if m and m.group(1).lower() in _MONTHS:
        return f"{m.group(2)}-{_MONTHS[m.group(1).lower()]:02d}"
    m = _YEAR.search(value)
    return m.group(1) if m else None


def date_of(schema: Schema, data: dict[str, Any]) -> str:
    item_type = data.get("itemType", "")
    if not schema.has_type(item_type) or item_type == "note":
        return ""
    field = schema.resolve_field(item_type, "date")
    value = data.get(field, "") if field else ""
    return value if isinstance(value, str) else ""


def creator_summary(schema: Schema, data: dict[str, Any]) -> str | None:
    creators = [c for c in data.get("creators", []) if c.get("lastName") or c.get("name")]
    if not creators:
        return None
    item_type = data.get("itemType", "")
    primary = schema.type(item_type).primary_creator_type if schema.has_type(item_type) else None
    chosen = [c for c in creators if c.get("creatorType") == primary] or creators
    names = [c.get("lastName") or c.get("name", "") for c in chosen]
    if len(names) == 1:
        return str(names[0])
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    return f"{names[0]} et al."


def library_json(lib: Library, base_url: str) -> dict[str, Any]:
    return {
        "type": lib.type,
        "id": lib.id,
        "name": f"sandbox {lib.type} {lib.id}",
        "links": {"alternate": {"href": f"{base_url}/{lib.name}", "type": "text/html"}},
    }


def _link(href: str) -> dict[str, str]:
    return {"href": href, "type": "application/json"}


def item_json(schema: Schema, lib: Library, data: dict[str, Any], base_url: str) -> dict[str, Any]:
    key = data["key"]
    links: dict[str, Any] = {
        "self": _link(f"{base_url}/{lib.name}/items/{key}"),
        "alternate": {"href": f"{base_url}/{lib.name}/items/{key}", "type": "text/html"},
    }
    parent = data.get("parentItem")
    if parent:
        links["up"] = _link(f"{base_url}/{lib.name}/items/{parent}")
    meta: dict[str, Any] = {}
    summary = creator_summary(schema, data)
    if summary:
        meta["creatorSummary"] = summary
    parsed = parsed_date(date_of(schema, data))
    if parsed:
        meta["parsedDate"] = parsed
    if not parent:
        meta["numChildren"] = sum(
            1 for k in lib.children.get(key, ()) if not lib.items[k].get("deleted")
        )
    return {
        "key": key,
        "version": data["version"],
        "library": library_json(lib, base_url),
        "links": links,
        "meta": meta,
        "data": data,
    }


def collection_json(lib: Library, data: dict[str, Any], base_url: str) -> dict[str, Any]:
    key = data["key"]
    num_collections = sum(1 for c in lib.collections.values() if c["parentCollection"] == key)
    num_items = sum(
        1 for i in lib.items.values() if key in i.get("collections", ()) and not i.get("deleted")
    )
    return {
        "key": key,
        "version": data["version"],
        "library": library_json(lib, base_url),
        "links": {
            "self": _link(f"{base_url}/{lib.name}/collections/{key}"),
            "alternate": {"href": f"{base_url}/{lib.name}/collections/{key}", "type": "text/html"},
        },
        "meta": {"numCollections": num_collections, "numItems": num_items},
        "data": data,
    }
