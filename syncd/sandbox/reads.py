"""GET endpoints under a library prefix: items, collections, deleted.

Multi-object reads filter, sort, then page. Sorting always ends on the object key so
pages never overlap or skip when several objects share a sort value. ``q`` is split into
words as ``Zotero_Utilities::parseSearchString`` does, and every word must match
what the real server's ``titleCreatorYear`` search looks at (title and fields based
on it, a creator's "first last", the year of the date exactly, a note's first line),
never DOI, Extra or URL: code that finds duplicates by searching DOIs must fail here
as it fails against api.zotero.org.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from syncd.sandbox.envelope import collection_json, date_of, item_json, parsed_date
from syncd.sandbox.protocol import HttpFailure, Request, Response, int_header, json_response
from syncd.sandbox.store import Library
from syncd.sandbox.validate import is_key
from syncd.schema import Schema

# Zotero_API::MAX_OBJECT_KEYS: the page size forced when itemKey/collectionKey is given.
MAX_OBJECT_KEYS = 100
_TAG_RE = re.compile(r"<[^>]+>")
# Formats the server knows for item/collection reads (besides json, keys, versions).
_SERVER_FORMATS = frozenset(
    {
        "atom",
        "bib",
        "globalKeys",
        "keys",
        "versions",
        "bibtex",
        "biblatex",
        "bookmarks",
        "coins",
        "csljson",
        "csv",
        "mods",
        "refer",
        "rdf_bibliontology",
        "rdf_dc",
        "rdf_zotero",
        "ris",
        "tei",
        "wikipedia",
    }
)
_PAGE_PARAMS = frozenset({"start", "limit", "key", "format", "locale"})
_LISTING_CACHE_SIZE = 64


def _int_param(req: Request, name: str, default: int) -> int:
    raw = req.param(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise HttpFailure(400, f"Invalid '{name}' value '{raw}'") from None


def _php_int(value: str | None) -> int:
    """PHP's ``(int)`` cast of a query value: its leading integer, else 0."""
    number = re.match(r"\s*([-+]?\d+)", value or "")
    return int(number.group(1)) if number else 0


def _php_true(value: str | None) -> bool:
    """PHP's ``!!$value`` on a query string: anything but "" and "0" is true."""
    return value not in (None, "", "0")


def _key_list(req: Request, name: str) -> list[str] | None:
    """``parseQueryParams``, case itemKey/collectionKey: leading and trailing commas
    allowed, invalid keys dropped; any number of keys (the page size becomes 100)."""
    raw = req.param(name)
    if raw is None:
        return None
    return [k for k in raw.strip(",").split(",") if is_key(k)]


def note_title(note: str) -> str:
    text = html.unescape(_TAG_RE.sub("\n", note))
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def _title_of(schema: Schema, data: dict[str, Any]) -> str:
    item_type = data.get("itemType", "")
    if item_type == "note":
        return note_title(data.get("note", ""))
    field = schema.resolve_field(item_type, "title") if schema.has_type(item_type) else None
    value = data.get(field, "") if field else ""
    return value if isinstance(value, str) else ""


_SEARCH_SPLIT = re.compile(r"""\s*("[^"]*")\s*|"\s|\s"|^"|"$|'\s|\s'|^'|'$|\s""", re.M)


def search_words(q: str) -> list[str]:
    """``Zotero_Utilities::parseSearchString``: words, and "quoted phrases" kept whole."""
    words = []
    for part in _SEARCH_SPLIT.split(q):
        if not part:
            continue
        if len(part) >= 2 and part[0] == part[-1] == '"':
            part = part[1:-1]
        words.append(part)
    return words


def _matches_word(schema: Schema, data: dict[str, Any], word: str) -> bool:
    """One word of ``q`` as Items::search matches it: in the title (or a note's title),
    in a creator's "first last", or equal to the year of the date."""
    word = word.lower()
    if word in _title_of(schema, data).lower():
        return True
    for creator in data.get("creators", []):
        name = (
            creator.get("name") or f"{creator.get('firstName', '')} {creator.get('lastName', '')}"
        )
        if word in name.strip().lower():
            return True
    year = (parsed_date(date_of(schema, data)) or "")[:4]
    return bool(year) and word == year


def _matches_q(schema: Schema, data: dict[str, Any], words: list[str]) -> bool:
    return all(_matches_word(schema, data, word) for word in words)


def search_param(expr: str) -> tuple[bool, list[str]] | None:
    """``Zotero_API::getSearchParamValues``: (negated, OR-ed values), None when blank.

    A leading "-" negates the whole set, "\\-" is a literal hyphen, and values are
    OR-ed only with spaces around "||" ("a || b"; "a||b" is one value).
    """
    expr = expr.strip()
    if not expr:
        return None
    negated = expr.startswith("-")
    if negated or expr.startswith("\\-"):
        expr = expr[1:]
    return negated, re.split(r"\s+\|\|\s+", expr)


def _or_not_filter(expr: str, values: Callable[[dict[str, Any]], set[str]]) -> Callable[..., bool]:
    """``a || b`` (any of) or ``-a`` (none of), as the server parses itemType and tag."""
    parsed = search_param(expr)
    if parsed is None:
        return lambda d: True
    negated, wanted = parsed[0], set(parsed[1])
    if negated:
        return lambda d: not (wanted & values(d))
    return lambda d: bool(wanted & values(d))


def _sort_items(schema: Schema, objs: list[dict[str, Any]], req: Request) -> list[dict[str, Any]]:
    sort = req.param("sort") or "dateModified"
    keys: dict[str, Callable[[dict[str, Any]], Any]] = {
        "dateModified": lambda d: d.get("dateModified", ""),
        "dateAdded": lambda d: d.get("dateAdded", ""),
        "title": lambda d: _title_of(schema, d).lower(),
        "creator": lambda d: str(
            (d.get("creators") or [{}])[0].get("lastName")
            or (d.get("creators") or [{}])[0].get("name", "")
        ).lower(),
        "itemType": lambda d: d.get("itemType", ""),
        "date": lambda d: parsed_date(date_of(schema, d)) or "",
    }
    if sort not in keys:
        raise HttpFailure(400, f"Invalid 'sort' value '{sort}'")
    return _sorted(objs, keys[sort], req, default_desc=sort in ("dateModified", "dateAdded"))


def _sorted(
    objs: list[dict[str, Any]],
    key: Callable[[dict[str, Any]], Any],
    req: Request,
    *,
    default_desc: bool,
) -> list[dict[str, Any]]:
    direction = req.param("direction")
    if direction not in (None, "asc", "desc"):
        raise HttpFailure(400, f"Invalid 'direction' value '{direction}'")
    desc = default_desc if direction is None else direction == "desc"
    return sorted(objs, key=lambda d: (key(d), d["key"]), reverse=desc)


def _page_links(req: Request, base_url: str, start: int, limit: int, total: int) -> str:
    query = [(k, v) for k, v in req.query if k not in ("start", "key")]

    def url(at: int) -> str:
        params = [*query, ("start", str(at))] if at else query
        return f"{base_url}{req.path}" + (f"?{urlencode(params)}" if params else "")

    links: list[str] = []
    if start > 0:
        links.append(f'<{url(0)}>; rel="first"')
        links.append(f'<{url(max(0, start - limit))}>; rel="prev"')
    if start + limit < total:
        links.append(f'<{url(start + limit)}>; rel="next"')
        last = ((total - 1) // limit) * limit
        links.append(f'<{url(last)}>; rel="last"')
    alternate = req.path if not query else f"{req.path}?{urlencode(query)}"
    links.append(f'<{base_url}{alternate}>; rel="alternate"')
    return ", ".join(links)


def _format(req: Request, *, single: bool) -> str:
    """``Zotero_API::isValidFormatForAction``: keys and versions only for listings."""
    fmt = req.param("format") or "json"
    if fmt == "json" or (fmt in ("keys", "versions") and not single):
        return fmt
    if fmt in _SERVER_FORMATS and not (fmt in ("keys", "versions") and single):
        raise HttpFailure(400, f"format={fmt} is not emulated by the syncd sandbox")
    raise HttpFailure(400, f"Invalid 'format' value '{fmt}'")


def _limit(req: Request, fmt: str) -> int | None:
    """``Zotero_API::parseQueryParams``, case 'limit': keys and versions have no maximum
    and no default (everything); json pages default to 25, at most 100; a limit of 0
    or less, or no number, means the default. With object keys the limit is 100,
    whatever was asked (set while itemKey is parsed, before limit)."""
    if req.param("itemKey") is not None or req.param("collectionKey") is not None:
        return MAX_OBJECT_KEYS
    value = _php_int(req.param("limit"))
    if fmt in ("keys", "versions"):
        return value if value > 0 else None
    return min(value, 100) if value > 0 else 25


def _respond_many(
    req: Request,
    lib: Library,
    base_url: str,
    objs: list[dict[str, Any]],
    to_json: Callable[[dict[str, Any]], dict[str, Any]],
) -> Response:
    headers = {"Last-Modified-Version": str(lib.version)}
    fmt = _format(req, single=False)
    limit = _limit(req, fmt)
    start = max(_php_int(req.param("start")), 0)  # case 'start': (int) $value
    page = objs[start:] if limit is None else objs[start : start + limit]
    if fmt == "versions":
        return json_response(200, {d["key"]: d["version"] for d in page}, headers)
    if fmt == "keys":
        body = "".join(d["key"] + "\n" for d in page).encode()
        return Response(200, {"Content-Type": "text/plain; charset=utf-8", **headers}, body)
    assert limit is not None
    headers["Total-Results"] = str(len(objs))
    headers["Link"] = _page_links(req, base_url, start, limit, len(objs))
    return json_response(200, [to_json(d) for d in page], headers)


def _not_modified(req: Request, version: int) -> bool:
    since = int_header(req, "If-Modified-Since-Version")
    return since is not None and version <= since


def read(schema: Schema, lib: Library, req: Request, rest: list[str], base_url: str) -> Response:
    """Serve ``GET <library>/<rest...>``."""
    if not rest:
        raise HttpFailure(404, "Not found")
    if rest[0] == "items":
        return _read_items(schema, lib, req, rest[1:], base_url)
    if rest[0] == "collections":
        return _read_collections(schema, lib, req, rest[1:], base_url)
    if rest == ["deleted"]:
        return _read_deleted(lib, req)
    if rest[0] in ("searches", "settings"):
        return _read_empty(lib, req, rest)
    raise HttpFailure(404, "Not found")


def _read_empty(lib: Library, req: Request, rest: list[str]) -> Response:
    """Saved searches and settings: the sandbox never has any (writes are 501)."""
    headers = {"Last-Modified-Version": str(lib.version)}
    if len(rest) == 2:
        raise HttpFailure(404, "Search not found" if rest[0] == "searches" else "Setting not found")
    if len(rest) > 2:
        raise HttpFailure(404, "Not found")
    if rest[0] == "settings":
        return json_response(200, {}, headers)
    fmt = _format(req, single=False)
    if fmt == "keys":
        return Response(200, {"Content-Type": "text/plain; charset=utf-8", **headers}, b"")
    return json_response(200, {} if fmt == "versions" else [], {**headers, "Total-Results": "0"})


def _single(lib: Library, obj: dict[str, Any], req: Request, payload: dict[str, Any]) -> Response:
    _format(req, single=True)
    headers = {"Last-Modified-Version": str(obj["version"])}
    if _not_modified(req, obj["version"]):
        return Response(304, headers)
    return json_response(200, payload, headers)


def _read_items(
    schema: Schema, lib: Library, req: Request, rest: list[str], base_url: str
) -> Response:
    if len(rest) >= 1 and rest[0] not in ("top", "trash"):
        data = lib.items.get(rest[0])
        if data is None:
            raise HttpFailure(404, "Item not found")
        if len(rest) == 1:
            return _single(lib, data, req, item_json(schema, lib, data, base_url))
        if rest[1:] == ["children"]:
            children = [lib.items[k] for k in lib.children.get(rest[0], ())]
            return _items_listing(schema, lib, req, children, base_url, default_trashed=True)
        raise HttpFailure(404, "Not found")
    if rest == ["top"]:
        objs = [d for d in lib.items.values() if not d.get("parentItem")]
        return _items_listing(schema, lib, req, objs, base_url, top=True)
    if rest == ["trash"]:
        objs = [d for d in lib.items.values() if d.get("deleted")]
        return _items_listing(schema, lib, req, objs, base_url, default_trashed=True)
    if rest:
        raise HttpFailure(404, "Not found")
    return _items_listing(schema, lib, req, list(lib.items.values()), base_url)


def _items_listing(
    schema: Schema,
    lib: Library,
    req: Request,
    objs: list[dict[str, Any]],
    base_url: str,
    *,
    default_trashed: bool = False,
    top: bool = False,
) -> Response:
    if _not_modified(req, lib.version):
        return Response(304, {"Last-Modified-Version": str(lib.version)})
    shape = tuple(sorted((k, v) for k, v in req.query if k not in _PAGE_PARAMS))
    cache_key = (req.path, shape, lib.version, default_trashed)
    cached = lib.listings.get(cache_key)
    if cached is None:
        cached = _filter_and_sort(schema, lib, req, objs, default_trashed=default_trashed, top=top)
        if len(lib.listings) >= _LISTING_CACHE_SIZE:
            lib.listings.clear()
        lib.listings[cache_key] = cached
    return _respond_many(req, lib, base_url, cached, lambda d: item_json(schema, lib, d, base_url))


def _filter_and_sort(
    schema: Schema,
    lib: Library,
    req: Request,
    objs: list[dict[str, Any]],
    *,
    default_trashed: bool,
    top: bool = False,
) -> list[dict[str, Any]]:
    since = _int_param(req, "since", 0)
    if since:
        objs = [d for d in objs if d["version"] > since]
    keys = _key_list(req, "itemKey")
    if keys is not None:
        wanted = set(keys)
        objs = [d for d in objs if d["key"] in wanted]
    # Items::search leaves trashed items out unless includeTrashed, itemKey or not.
    if not default_trashed and not _php_true(req.param("includeTrashed")):
        objs = [d for d in objs if not d.get("deleted")]
    qmode = req.param("qmode")
    if qmode is not None and qmode.lower() not in ("titlecreatoryear", "everything"):
        # Checked by parseQueryParams whether or not there is a q.
        raise HttpFailure(400, f"Invalid 'qmode' value '{qmode}'")
    q = req.param("q")
    words = search_words(q) if q else []
    if words and top:
        # Items::search in /top mode matches every item and answers with its top-level
        # item (COALESCE(ITL.topLevelItemID, I.itemID)): a matching child note brings
        # its parent.
        trashed = _php_true(req.param("includeTrashed"))
        hits = {
            d.get("parentItem") or d["key"]
            for d in lib.items.values()
            if (trashed or not d.get("deleted")) and _matches_q(schema, d, words)
        }
        objs = [d for d in objs if d["key"] in hits]
    elif words:
        objs = [d for d in objs if _matches_q(schema, d, words)]
    item_types = [v for v in req.params("itemType") if search_param(v) is not None]
    if len(item_types) > 1:
        raise HttpFailure(400, "Cannot specify 'itemType' more than once")
    if item_types:
        for name in search_param(item_types[0])[1]:  # type: ignore[index]
            if not schema.has_type(name):
                raise HttpFailure(400, f"Invalid itemType '{name}'")
        keep = _or_not_filter(item_types[0], lambda d: {d.get("itemType", "")})
        objs = [d for d in objs if keep(d)]
    for tag_expr in req.params("tag"):
        keep = _or_not_filter(tag_expr, lambda d: {t["tag"] for t in d.get("tags", [])})
        objs = [d for d in objs if keep(d)]
    return _sort_items(schema, objs, req)


def _read_collections(
    schema: Schema, lib: Library, req: Request, rest: list[str], base_url: str
) -> Response:
    if rest and rest[0] != "top":
        key = rest[0]
        data = lib.collections.get(key)
        if data is None:
            raise HttpFailure(404, "Collection not found")
        if len(rest) == 1:
            return _single(lib, data, req, collection_json(lib, data, base_url))
        if rest[1:] == ["collections"]:
            subs = [c for c in lib.collections.values() if c["parentCollection"] == key]
            return _collections_listing(lib, req, subs, base_url)
        if rest[1:] in (["items"], ["items", "top"]):
            objs = [d for d in lib.items.values() if key in d.get("collections", ())]
            if rest[1:] == ["items", "top"]:
                objs = [d for d in objs if not d.get("parentItem")]
            return _items_listing(schema, lib, req, objs, base_url)
        raise HttpFailure(404, "Not found")
    objs = list(lib.collections.values())
    if rest == ["top"]:
        objs = [c for c in objs if not c["parentCollection"]]
    return _collections_listing(lib, req, objs, base_url)


def _collections_listing(
    lib: Library, req: Request, objs: list[dict[str, Any]], base_url: str
) -> Response:
    if _not_modified(req, lib.version):
        return Response(304, {"Last-Modified-Version": str(lib.version)})
    since = _int_param(req, "since", 0)
    if since:
        objs = [d for d in objs if d["version"] > since]
    keys = _key_list(req, "collectionKey")
    if keys is not None:
        objs = [d for d in objs if d["key"] in set(keys)]
    sort = req.param("sort") or "title"
    if sort not in ("title", "version"):
        raise HttpFailure(400, f"Invalid 'sort' value '{sort}'")
    key_fn: Callable[[dict[str, Any]], Any] = (
        (lambda d: d["name"].lower()) if sort == "title" else (lambda d: d["version"])
    )
    objs = _sorted(objs, key_fn, req, default_desc=False)
    return _respond_many(req, lib, base_url, objs, lambda d: collection_json(lib, d, base_url))


def _read_deleted(lib: Library, req: Request) -> Response:
    raw = req.param("since")
    if raw is None:
        raise HttpFailure(400, "'since' parameter must be provided")
    since = _int_param(req, "since", 0)
    headers = {"Last-Modified-Version": str(lib.version)}
    if _not_modified(req, lib.version):
        return Response(304, headers)
    payload = {
        "collections": sorted(k for k, v in lib.deleted["collections"].items() if v > since),
        "searches": [],
        "items": sorted(k for k, v in lib.deleted["items"].items() if v > since),
        "tags": [],
        "settings": [],
    }
    return json_response(200, payload, headers)
