"""What one write does to one object: preconditions, merge, validation, normalisation.

Pure over a :class:`WriteContext` (a library plus the request's not-yet-committed
writes, so a child may name a parent created earlier in the same batch). Each
function returns a :class:`Written`, an :class:`Unchanged` or a
:class:`~syncd.sandbox.validate.Failure`; the API layer turns batches of those into
the ``successful/success/unchanged/failed`` answer or, on single-object endpoints,
into a whole-request status, then commits once.

Versions follow dataserver since c97d2cfd (``DataObjects::updateMultipleFromJSON``):
in a multi-object POST every object that does not fail raises the library version
by one, unchanged ones included, and a written object carries the version of its
own bump; a failed object's bump is rolled back. :meth:`WriteContext.bump` counts
those bumps; the store commits the last one.

Stored items are normalised the way the server stores and returns them: field values
and tags trimmed (``Item::setField``/``Item::setTags`` use PHP's ``trim``), blank tags
dropped, creator names trimmed of Unicode spaces and controls (``Creator::__set``,
``Utilities::unicodeTrim``), integer values stored as strings; every field of the
type present (``""`` when empty), creators after the first field, then tags,
collections, relations and the two dates. That makes "identical object -> unchanged"
a plain comparison, as on the server, where sending back " x " for a stored "x"
changes nothing.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from syncd.sandbox.attachment_items import attachment_props
from syncd.sandbox.store import KINDS, Kind, Library
from syncd.sandbox.validate import (
    CHILD_TYPES,
    PHP_TRIM,
    Failure,
    check_collection,
    check_item,
    check_version,
    is_key,
    new_key,
)
from syncd.schema import Schema

Mode = Literal["post", "patch", "put"]
_VOLATILE = ("version", "dateModified")


@dataclass(frozen=True, slots=True)
class Written:
    kind: Kind
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Unchanged:
    key: str


Outcome = Written | Unchanged | Failure


@dataclass(slots=True)
class WriteContext:
    schema: Schema
    lib: Library
    now: str  # "YYYY-MM-DDTHH:MM:SSZ"
    rng: random.Random
    pending: dict[Kind, dict[str, dict[str, Any]]] = field(
        default_factory=lambda: {"items": {}, "collections": {}}
    )
    removed: dict[Kind, set[str]] = field(
        default_factory=lambda: {"items": set(), "collections": set()}
    )

    bumps: int = 0

    @property
    def new_version(self) -> int:
        """The version the object being written now gets: one past the last bump."""
        return self.lib.version + self.bumps + 1

    def bump(self) -> None:
        """Count one library version bump (an object written or found unchanged)."""
        self.bumps += 1

    @property
    def final_version(self) -> int:
        """The library version once this request's bumps are committed."""
        return self.lib.version + self.bumps

    def get(self, kind: Kind, key: str) -> dict[str, Any] | None:
        if key in self.removed[kind]:
            return None
        found = self.pending[kind].get(key)
        return found if found is not None else self.lib.objects(kind).get(key)

    def all(self, kind: Kind) -> dict[str, dict[str, Any]]:
        merged = {**self.lib.objects(kind), **self.pending[kind]}
        for key in self.removed[kind]:
            merged.pop(key, None)
        return merged

    def fresh_key(self, kind: Kind) -> str:
        while True:
            key = new_key(self.rng)
            if self.get(kind, key) is None and key not in self.lib.deleted[kind]:
                return key

    def upserts(self) -> list[tuple[Kind, dict[str, Any]]]:
        return [(kind, obj) for kind in KINDS for obj in self.pending[kind].values()]

    def removals(self) -> list[tuple[Kind, str]]:
        return [(kind, key) for kind in KINDS for key in sorted(self.removed[kind])]

    @property
    def dirty(self) -> bool:
        return self.bumps > 0 or any(self.pending[k] or self.removed[k] for k in KINDS)


def _unwrap(obj: dict[str, Any]) -> dict[str, Any]:
    # Objects fetched from the API may be sent back whole; the server edits their `data`.
    if isinstance(obj.get("data"), dict) and {"key", "version", "data"} <= obj.keys():
        return dict(obj["data"])
    return dict(obj)


def _precondition(
    kind: Kind,
    ctx: WriteContext,
    obj: dict[str, Any],
    *,
    mode: Mode,
    header_version: int | None,
    library_header: bool,
    url_key: str | None,
) -> tuple[str | None, dict[str, Any] | None] | Failure:
    """Resolve the object's key and stored version against the write's preconditions.

    Mirrors ``Zotero_API::processJSONObjectKey`` and ``checkJSONObjectVersion``
    (model/API.inc.php) and, for single-object writes, ``checkSingleObjectWriteVersion``
    (controllers/ApiController.php): a version only refuses an object *newer* than it
    (412), and a version > 0 for a missing object is a 412 on a single-object write and a
    404 in a multi-object POST.
    """
    what = "Item" if kind == "items" else "Collection"
    key = obj.get("key")
    if key is not None and not isinstance(key, str):
        return Failure(400, "'key' must be a string")
    if key is not None and not is_key(key):
        return Failure(400, f"'{key}' is not a valid {what.lower()} key")
    if url_key is not None:
        if key is not None and key != url_key:
            return Failure(
                409, f"'key' property in JSON does not match {what.lower()} key of request"
            )
        key = url_key
    failure = check_version(obj.get("version"))
    if failure:
        return failure
    version: int | None = obj.get("version")
    single = url_key is not None
    if single and header_version is not None:
        if version is not None and version != header_version:
            return Failure(
                400,
                "If-Unmodified-Since-Version value does not match JSON 'version' property "
                f"({header_version} != {version})",
            )
        version = header_version
    if key is None:
        return None, None
    existing = ctx.get(kind, key)
    if existing is None:
        if single:
            if mode == "patch" and version is None:
                return Failure(
                    404,
                    f"{what} not found (to create, use If-Unmodified-Since-Version: 0, "
                    "JSON 'version' 0, or PUT method)",
                )
            if version is not None and version > 0:
                return Failure(412, f"{what} not found (expected version {version})")
            return key, None
        if version is not None and version > 0:
            return Failure(404, f"{what} doesn't exist (expected version {version}; use 0 instead)")
        if version is None and not library_header:
            return _needs_version()
        return key, None
    if version is None and not library_header:
        return _needs_version()
    if version is not None and existing["version"] > version:
        return Failure(
            412,
            f"{what} has been modified since specified version "
            f"(expected {version}, found {existing['version']})",
        )
    return key, existing


def _needs_version() -> Failure:
    return Failure(
        428,
        "Either If-Unmodified-Since-Version or 'version' property must be provided "
        "for 'key'-based writes",
    )


def _missing_put_property(existing: dict[str, Any] | None, body: dict[str, Any]) -> str | None:
    """What a PUT of an existing item must carry (``Items::validateJSONItem``)."""
    if existing is None:
        return None if "itemType" in body else "itemType"
    required = ["itemType", "tags", "relations"]
    if not body.get("parentItem"):
        required.append("collections")  # a PUT without parentItem makes it top-level
    return next((prop for prop in required if prop not in body), None)


def write_item(
    ctx: WriteContext,
    raw: object,
    *,
    mode: Mode,
    header_version: int | None = None,
    library_header: bool = False,
    url_key: str | None = None,
) -> Outcome:
    if not isinstance(raw, dict):
        return Failure(400, "Invalid value; expected a JSON item object")
    obj = _unwrap(raw)
    resolved = _precondition(
        "items",
        ctx,
        obj,
        mode=mode,
        header_version=header_version,
        library_header=library_header,
        url_key=url_key,
    )
    if isinstance(resolved, Failure):
        return resolved
    key, existing = resolved
    body = {k: v for k, v in obj.items() if k not in ("key", "version")}
    if mode == "put":
        missing = _missing_put_property(existing, body)
        if missing is not None:
            return Failure(400, f"'{missing}' property not provided")
    if existing is not None and "dateAdded" in body and body["dateAdded"] != existing["dateAdded"]:
        return Failure(400, "'dateAdded' cannot be modified for existing items")
    merged = body if existing is None or mode == "put" else _merge_item(ctx.schema, existing, body)
    if existing is not None and merged.get("linkMode") != existing.get("linkMode"):
        return Failure(400, "Cannot change attachment linkMode")
    failure = check_item(ctx.schema, merged, is_new=existing is None, library_type=ctx.lib.type)
    if failure:
        return failure
    key = key or ctx.fresh_key("items")
    failure = _check_links(ctx, key, merged)
    if failure:
        return failure
    data = normalize_item(ctx.schema, key, merged)
    if existing is not None and _same(existing, data) and not _tags_resent(existing, body):
        return Unchanged(key)
    _stamp(ctx, data, existing, body)
    ctx.pending["items"][key] = data
    return Written("items", data)


def _tags_resent(existing: dict[str, Any], body: dict[str, Any]) -> bool:
    """Item::setTags marks the tags changed whenever the item has or is sent any (it does
    not compare them), so Item::save writes a new version even for the same tags."""
    if "tags" not in body or not isinstance(body["tags"], list):
        return False
    return bool(normalize_tags(body["tags"]) or existing.get("tags"))


def _merge_item(schema: Schema, existing: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    base = {k: v for k, v in existing.items() if k not in ("key", "version")}
    new_type = body.get("itemType")
    old_type = existing["itemType"]
    if not isinstance(new_type, str) or new_type == old_type or not schema.has_type(new_type):
        return {**base, **body}
    # A type change keeps what the new type can hold, moving base fields to their
    # type-specific names (title -> caseName), as Zotero does.
    old_fields = set(schema.fields_for(old_type)) if schema.has_type(old_type) else set()
    kept: dict[str, Any] = {}
    for prop, value in base.items():
        if prop in old_fields or prop == "note":
            target = schema.resolve_field(new_type, prop) if prop != "note" else None
            if target and value:
                kept.setdefault(target, value)
        elif prop == "creators":
            # Item::setType: a creator type the new type lacks becomes "contributor",
            # which every type has (not the new type's primary creator type).
            allowed = schema.creator_types_for(new_type)
            kept[prop] = [
                c if c.get("creatorType") in allowed else {**c, "creatorType": "contributor"}
                for c in value
            ]
        else:
            kept[prop] = value
    return {**kept, **body}


def _check_links(ctx: WriteContext, key: str, merged: dict[str, Any]) -> Failure | None:
    """Parent and collections must exist; wording and `data` as Zotero_Errors::parseException
    gives them for Z_ERROR_ITEM_NOT_FOUND, Z_ERROR_INVALID_ITEM_PARENT and
    Z_ERROR_COLLECTION_NOT_FOUND (409)."""
    parent = merged.get("parentItem")
    if parent:
        if parent == key:
            return Failure(400, f"Item {key} cannot be a child of itself")
        found = ctx.get("items", parent)
        if found is None:
            return Failure(409, f"Parent item {parent} not found", {"parentItem": parent})
        if found["itemType"] in CHILD_TYPES:
            return Failure(
                409, "Parent item cannot be a note or attachment", {"parentItem": parent}
            )
        if merged.get("collections"):
            return Failure(400, "Child items cannot be assigned to collections")
    for collection in merged.get("collections", []):
        if ctx.get("collections", collection) is None:
            return Failure(409, f"Collection {collection} not found", {"collection": collection})
    return None


def normalize_item(schema: Schema, key: str, merged: dict[str, Any]) -> dict[str, Any]:
    item_type = merged["itemType"]
    out: dict[str, Any] = {"key": key, "version": 0}
    if merged.get("parentItem"):
        out["parentItem"] = merged["parentItem"]
    out["itemType"] = item_type
    if item_type == "note":
        out["note"] = merged.get("note", "")  # sanitised on the server, never trimmed
    elif item_type == "attachment":
        out["linkMode"] = merged["linkMode"]
        for name in schema.type(item_type).fields:
            if name != "url" or merged["linkMode"].endswith("_url"):
                out[name] = field_value(merged.get(name))
        out.update(attachment_props(merged))
    else:
        creators = [c for c in map(_creator, merged.get("creators", [])) if c is not None]
        fields = schema.type(item_type).fields
        if not fields:
            out["creators"] = creators
        for i, name in enumerate(fields):
            out[name] = field_value(merged.get(name))
            if i == 0:
                out["creators"] = creators
    out["tags"] = normalize_tags(merged.get("tags", []))
    if not merged.get("parentItem"):
        out["collections"] = list(merged.get("collections", []))  # top-level items only
    out["relations"] = dict(merged.get("relations", {}))
    if merged.get("deleted") in (1, True):
        out["deleted"] = 1  # Item::toJSON: "TODO: Use true/false in APIv4"
    out["dateAdded"] = merged.get("dateAdded", "")
    out["dateModified"] = merged.get("dateModified", "")
    return out


def field_value(value: object) -> str:
    """A field value as the server stores it: trimmed, numbers as text, null as empty."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip(PHP_TRIM)
    return str(value)


def unicode_trim(text: str) -> str:
    """``Zotero_Utilities::unicodeTrim``: strip separators (Z*) and controls (C*)."""

    def edge(ch: str) -> bool:
        return unicodedata.category(ch)[0] in "ZC"

    start, end = 0, len(text)
    while start < end and edge(text[start]):
        start += 1
    while end > start and edge(text[end - 1]):
        end -= 1
    return text[start:end]


def normalize_tags(tags: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Trimmed tags, blank ones dropped (``Item::setTags``); type 0 is not written out."""
    out: list[dict[str, Any]] = []
    for tag in tags:
        name = field_value(tag.get("tag"))
        if not name:
            continue
        out.append({"tag": name, "type": 1} if int(tag.get("type", 0)) == 1 else {"tag": name})
    return out


def _creator(creator: dict[str, Any]) -> dict[str, Any] | None:
    """A stored creator, or None for a nameless one (only the template's, see validate)."""
    ctype = creator["creatorType"]
    if "name" in creator:
        name = unicode_trim(str(creator["name"] or ""))
        return {"creatorType": ctype, "name": name} if name else None
    first = unicode_trim(str(creator.get("firstName") or ""))
    last = unicode_trim(str(creator.get("lastName") or ""))
    if not first and not last:
        return None
    return {"creatorType": ctype, "firstName": first, "lastName": last}


def _same(existing: dict[str, Any], data: dict[str, Any]) -> bool:
    def strip(d: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in d.items() if k not in (*_VOLATILE, "dateAdded")}

    return strip(existing) == strip(data)


def _stamp(
    ctx: WriteContext,
    data: dict[str, Any],
    existing: dict[str, Any] | None,
    body: dict[str, Any],
) -> None:
    data["version"] = ctx.new_version
    if existing is not None:
        data["dateAdded"] = existing["dateAdded"]
    elif not data.get("dateAdded"):
        data["dateAdded"] = ctx.now
    sent = body.get("dateModified")
    # A client sending back the stored timestamp means "not set by me": use now.
    if not sent or (existing is not None and sent == existing.get("dateModified")):
        data["dateModified"] = ctx.now


def write_collection(
    ctx: WriteContext,
    raw: object,
    *,
    mode: Mode,
    header_version: int | None = None,
    library_header: bool = False,
    url_key: str | None = None,
) -> Outcome:
    if not isinstance(raw, dict):
        return Failure(400, "Invalid value; expected a JSON collection object")
    obj = _unwrap(raw)
    resolved = _precondition(
        "collections",
        ctx,
        obj,
        mode=mode,
        header_version=header_version,
        library_header=library_header,
        url_key=url_key,
    )
    if isinstance(resolved, Failure):
        return resolved
    key, existing = resolved
    body = {k: v for k, v in obj.items() if k not in ("key", "version")}
    if existing is not None and mode != "put":
        merged = {**{k: v for k, v in existing.items() if k not in _VOLATILE}, **body}
        merged.pop("key", None)
    else:
        merged = body
    failure = check_collection(merged)
    if failure:
        return failure
    key = key or ctx.fresh_key("collections")
    parent: str | Literal[False] = merged.get("parentCollection") or False
    seen = {key}
    cursor = parent
    while isinstance(cursor, str):
        found = ctx.get("collections", cursor)
        if found is None:
            return Failure(409, f"Parent collection {parent} not found", {"collection": parent})
        if cursor in seen:
            return Failure(400, "A collection cannot be moved inside itself")
        seen.add(cursor)
        cursor = found["parentCollection"]
    data = {
        "key": key,
        "version": ctx.new_version,
        "name": merged["name"],
        "parentCollection": parent,
        "relations": dict(merged.get("relations", {})),
    }
    if existing is not None and {k: v for k, v in existing.items() if k != "version"} == {
        k: v for k, v in data.items() if k != "version"
    }:
        return Unchanged(key)
    ctx.pending["collections"][key] = data
    return Written("collections", data)


def delete_items(ctx: WriteContext, keys: Iterable[str]) -> None:
    """Delete items and, as the server does, their child notes."""
    for key in keys:
        if ctx.get("items", key) is None:
            continue
        for child in list(ctx.lib.children.get(key, ())):
            ctx.removed["items"].add(child)
            ctx.pending["items"].pop(child, None)
        ctx.removed["items"].add(key)
        ctx.pending["items"].pop(key, None)


def delete_collections(ctx: WriteContext, keys: Iterable[str]) -> None:
    """Delete collections with their subcollections; member items leave them."""
    doomed: set[str] = set()
    todo = [k for k in keys if ctx.get("collections", k) is not None]
    collections = ctx.all("collections")
    while todo:
        key = todo.pop()
        if key in doomed:
            continue
        doomed.add(key)
        todo.extend(k for k, c in collections.items() if c["parentCollection"] == key)
    if not doomed:
        return
    for key in doomed:
        ctx.removed["collections"].add(key)
        ctx.pending["collections"].pop(key, None)
    for item in ctx.all("items").values():
        if doomed & set(item.get("collections", ())):
            updated = dict(item)
            updated["collections"] = [c for c in item["collections"] if c not in doomed]
            updated["version"] = ctx.new_version
            updated["dateModified"] = ctx.now
            ctx.pending["items"][item["key"]] = updated
