"""What one write does to one object: preconditions, merge, validation, normalisation.

Pure over a :class:`WriteContext` (a library plus the request's not-yet-committed
writes, so a child may name a parent created earlier in the same batch). Each
function returns a :class:`Written`, an :class:`Unchanged` or a
:class:`~syncd.sandbox.validate.Failure`; the API layer turns batches of those into
the ``successful/success/unchanged/failed`` answer or, on single-object endpoints,
into a whole-request status, then commits once so the library version rises by one
per request.

Stored items are normalised the way the server returns them: every field of the
type present (``""`` when empty), creators after the first field, then tags,
collections, relations and the two dates. That makes "identical object -> unchanged"
a plain comparison.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from syncd.sandbox.store import KINDS, Kind, Library
from syncd.sandbox.validate import (
    CHILD_TYPES,
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

    @property
    def new_version(self) -> int:
        return self.lib.version + 1

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
        return any(self.pending[k] or self.removed[k] for k in KINDS)


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
    """Resolve the object's key and stored version against the write's preconditions."""
    what = "Item" if kind == "items" else "Collection"
    key = obj.get("key")
    if url_key is not None:
        if key is not None and key != url_key:
            return Failure(400, f"Key '{key}' in the body does not match key '{url_key}' in URL")
        key = url_key
    if key is not None and not is_key(key):
        return Failure(400, f"'{key}' is not a valid {what.lower()} key")
    failure = check_version(obj.get("version"))
    if failure:
        return failure
    version: int | None = obj.get("version")
    if not library_header and header_version is not None:
        if version is not None and version != header_version:
            return Failure(
                400,
                f"If-Unmodified-Since-Version ({header_version}) does not match "
                f"the object's version ({version})",
            )
        version = header_version
    if key is None:
        return None, None
    existing = ctx.get(kind, key)
    if existing is None:
        if version is not None and version > 0:
            return Failure(404, f"{what} doesn't exist (expected version {version}; use 0 instead)")
        if version is None and not library_header:
            if mode == "patch":
                return Failure(404, f"{what} not found")
            if mode == "post":
                return _needs_version()
        return key, None
    if version is None and not library_header:
        return _needs_version()
    if version is not None and existing["version"] != version:
        return Failure(
            412,
            f"{what} has been modified since specified version "
            f"(expected {version}, found {existing['version']})",
        )
    return key, existing


def _needs_version() -> Failure:
    return Failure(
        428,
        "Either If-Unmodified-Since-Version or object version property "
        "must be provided for key-based writes",
    )


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
    if existing is not None and "dateAdded" in body and body["dateAdded"] != existing["dateAdded"]:
        return Failure(400, "'dateAdded' cannot be modified for existing items")
    merged = body if existing is None or mode == "put" else _merge_item(ctx.schema, existing, body)
    failure = check_item(ctx.schema, merged)
    if failure:
        return failure
    key = key or ctx.fresh_key("items")
    failure = _check_links(ctx, key, merged)
    if failure:
        return failure
    data = normalize_item(ctx.schema, key, merged)
    if existing is not None and _same(existing, data):
        return Unchanged(key)
    _stamp(ctx, data, existing, body)
    ctx.pending["items"][key] = data
    return Written("items", data)


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
            allowed = schema.creator_types_for(new_type)
            primary = schema.type(new_type).primary_creator_type
            if primary:
                kept[prop] = [
                    c if c.get("creatorType") in allowed else {**c, "creatorType": primary}
                    for c in value
                ]
        else:
            kept[prop] = value
    return {**kept, **body}


def _check_links(ctx: WriteContext, key: str, merged: dict[str, Any]) -> Failure | None:
    parent = merged.get("parentItem")
    if parent:
        if parent == key:
            return Failure(400, "An item cannot be its own parent")
        found = ctx.get("items", parent)
        if found is None:
            return Failure(409, f"Parent item {parent} doesn't exist", {"parentItem": parent})
        if found["itemType"] in CHILD_TYPES:
            return Failure(
                409,
                f"Parent item {parent} cannot be a note or attachment",
                {"parentItem": parent},
            )
        if merged.get("collections"):
            return Failure(400, "Child items cannot be assigned to collections")
    for collection in merged.get("collections", []):
        if ctx.get("collections", collection) is None:
            return Failure(
                409, f"Collection {collection} doesn't exist", {"collection": collection}
            )
    return None


def normalize_item(schema: Schema, key: str, merged: dict[str, Any]) -> dict[str, Any]:
    item_type = merged["itemType"]
    out: dict[str, Any] = {"key": key, "version": 0}
    if merged.get("parentItem"):
        out["parentItem"] = merged["parentItem"]
    out["itemType"] = item_type
    if item_type == "note":
        out["note"] = merged.get("note", "")
    else:
        creators = [_creator(c) for c in merged.get("creators", [])]
        fields = schema.type(item_type).fields
        if not fields:
            out["creators"] = creators
        for i, name in enumerate(fields):
            out[name] = merged.get(name, "")
            if i == 0:
                out["creators"] = creators
    out["tags"] = [
        {"tag": t["tag"], "type": 1} if t.get("type") == 1 else {"tag": t["tag"]}
        for t in merged.get("tags", [])
    ]
    out["collections"] = list(merged.get("collections", []))
    out["relations"] = dict(merged.get("relations", {}))
    if merged.get("deleted") in (1, True):
        out["deleted"] = True
    out["dateAdded"] = merged.get("dateAdded", "")
    out["dateModified"] = merged.get("dateModified", "")
    return out


def _creator(creator: dict[str, Any]) -> dict[str, Any]:
    if "name" in creator:
        return {"creatorType": creator["creatorType"], "name": creator["name"]}
    return {
        "creatorType": creator["creatorType"],
        "firstName": creator.get("firstName", ""),
        "lastName": creator.get("lastName", ""),
    }


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
            return Failure(
                409, f"Parent collection {parent} doesn't exist", {"parentCollection": parent}
            )
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
