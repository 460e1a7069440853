"""Validation of posted item and collection JSON, the way the Zotero server judges it.

Pure functions over plain dicts and a :class:`~syncd.schema.Schema`. Each check
returns a :class:`Failure` carrying the per-object HTTP code the real server uses
(400 for a malformed object, 413 for a value over a length limit) and a message in
the server's wording (``Items::validateJSONItem`` in dataserver's model/Items.inc.php,
``Item::setField``). Messages are plain text here; the HTTP layer HTML-escapes them,
as the server does.

Annotations are refused with a 400 that says so, rather than half-accepted;
attachments are checked by :mod:`syncd.sandbox.attachment_items`.
"""

from __future__ import annotations

import html
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from syncd.schema import Schema

KEY_CHARS = "23456789ABCDEFGHIJKLMNPQRSTUVWXYZ"
_KEY_RE = re.compile(f"^[{KEY_CHARS}]{{8}}$")

FIELD_MAX_BYTES = 65_535
CREATOR_MAX = 255
TAG_MAX = 255
COLLECTION_NAME_MAX = 255
NOTE_MAX = 500_000
# PHP's trim() default set, which Item::setField and Item::setTags strip.
PHP_TRIM = " \t\n\r\0\x0b"

# Properties every item may carry besides its type's fields.
ITEM_META = frozenset(
    {
        "key",
        "version",
        "itemType",
        "creators",
        "tags",
        "collections",
        "relations",
        "dateAdded",
        "dateModified",
        "deleted",
        "parentItem",
    }
)
COLLECTION_PROPS = frozenset({"key", "version", "name", "parentCollection", "relations"})
UNSUPPORTED_TYPES = frozenset({"annotation"})
CHILD_TYPES = frozenset({"note", "attachment", "annotation"})


@dataclass(frozen=True, slots=True)
class Failure:
    code: int
    message: str
    data: dict[str, Any] | None = None


def is_key(value: object) -> bool:
    return isinstance(value, str) and _KEY_RE.match(value) is not None


def new_key(rng: random.Random) -> str:
    return "".join(rng.choice(KEY_CHARS) for _ in range(8))


# The 413 answers below take their message and `data` from Zotero_Errors::parseException
# (model/Errors.inc.php), which re-reads them from the data layer's exception texts.


def _field_too_long(label: str, value: str) -> Failure:
    # Item::save: "<Label> field value '<first 50>…' too long" -> data {field, value}.
    snippet = value[:50] + "…"
    return Failure(
        413, f"{label} field value '{snippet}' too long", {"field": label, "value": snippet}
    )


def _creator_too_long(name: str) -> Failure:
    # Creator::save: "Creator value '<first 50>…' too long", reworded by parseException
    # around what its pattern captured (the ellipsis included).
    captured = name[:50] + "…"
    return Failure(
        413,
        f"The creator name \u2018{captured}…\u2019 is too long to sync. Shorten the name and sync "
        "again.\n\nIf you receive this message repeatedly for items saved from a particular "
        "site, you can report this issue in the Zotero Forums.",
        {"field": "creator", "value": captured},
    )


def _tag_too_long(name: str) -> Failure:
    # Tag::__set: "Tag '<name>' too long" -> "Tag '<first 50>…' too long", data {tag}.
    return Failure(413, f"Tag '{name[:50]}…' too long", {"tag": name})


def check_version(value: object) -> Failure | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
        return None
    return Failure(400, f"Invalid version '{value}'; 'version' must be an integer >= 0")


def check_item(
    schema: Schema, item: Mapping[str, Any], *, is_new: bool, library_type: str = "user"
) -> Failure | None:
    """Check a complete item (after merging with the stored one) against the schema."""
    # Imported here: attachment_items builds on this module's Failure.
    from syncd.sandbox.attachment_items import (
        ATTACHMENT_PROPS,
        check_attachment,
        check_attachment_prop,
    )

    item_type = item.get("itemType")
    if not isinstance(item_type, str) or not item_type:
        return Failure(400, "'itemType' property not provided")
    if not schema.has_type(item_type):
        return Failure(400, f"'{item_type}' is not a valid itemType")
    if item_type in UNSUPPORTED_TYPES:
        return Failure(400, f"'{item_type}' items are not supported by the syncd sandbox")
    fields = schema.fields_for(item_type)
    for prop, value in item.items():
        if prop in ITEM_META:
            failure = _check_meta(schema, item_type, prop, value, is_new=is_new)
        elif item_type == "attachment" and prop in ATTACHMENT_PROPS:
            failure = check_attachment_prop(prop, value, item.get("linkMode"))
        elif prop == "note":
            failure = (
                _check_note(value)
                if item_type == "note"
                else Failure(400, "'note' property is valid only for note and attachment items")
            )
        elif prop in fields:
            failure = _check_field(prop, value, schema.field_label(prop))
        elif prop in schema.all_fields:
            # Item::setField turns "" and null into "no value" before checking the type.
            failure = (
                None
                if value in ("", None)
                else Failure(400, f"'{prop}' is not a valid field for type '{item_type}'")
            )
        else:
            failure = Failure(400, f"Invalid property '{prop}'")
        if failure is not None:
            return failure
    if item.get("parentItem") and item_type not in CHILD_TYPES:
        return Failure(400, "Child item must be note, attachment, or annotation")
    if item_type == "attachment":
        return check_attachment(item, library_type)
    return None


def _check_field(field: str, value: Any, label: str) -> Failure | None:
    # The server takes any scalar (numPages: 200 is stored as "200"); arrays are refused.
    if isinstance(value, list | dict):
        return Failure(400, f"Unexpected array for property '{field}'")
    if isinstance(value, bool):
        # PHP would store true as "1" and take false as "clear": refused here instead.
        return Failure(400, f"'{field}' value must be a string or a number (sandbox)")
    if value is None or isinstance(value, int | float):
        return None
    if not isinstance(value, str):
        return Failure(400, f"'{field}' value must be a string")
    if len(value.strip(PHP_TRIM).encode("utf-8")) > FIELD_MAX_BYTES:
        return _field_too_long(label, value.strip(PHP_TRIM))
    return None


def _check_note(value: Any) -> Failure | None:
    if not isinstance(value, str):
        return Failure(400, "'note' value must be a string")
    if len(value) > NOTE_MAX:
        # Item::setNote; the excerpt is the note's title, without `data`.
        excerpt = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", value)))
        return Failure(413, f"Note '{excerpt.strip()[:79]}...' too long")
    return None


def _check_meta(
    schema: Schema, item_type: str, prop: str, value: Any, *, is_new: bool
) -> Failure | None:
    if prop == "itemType":
        return None  # checked before the properties
    if prop == "key":
        return None if is_key(value) else Failure(400, f"'{value}' is not a valid item key")
    if prop == "version":
        return check_version(value)
    if prop == "creators":
        return _check_creators(schema, item_type, value, is_new=is_new)
    if prop == "tags":
        return _check_tags(value)
    if prop == "collections":
        if not isinstance(value, list) or not all(is_key(k) for k in value):
            return Failure(400, "'collections' must be an array of collection keys")
        return None
    if prop == "relations":
        return None if isinstance(value, dict) else Failure(400, "'relations' must be an object")
    if prop == "deleted":
        if value in (0, 1) or isinstance(value, bool):
            return None
        return Failure(400, "'deleted' must be a boolean")
    if prop == "parentItem":
        if value is False or value is None or is_key(value):
            return None
        return Failure(400, "'parentItem' must be a valid item key or false")
    # dateAdded / dateModified
    if not isinstance(value, str) or not re.match(r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\dZ?$", value):
        return Failure(400, f"'{prop}' must be in the form 'YYYY-MM-DDTHH:MM:SSZ'")
    return None


def _blank(value: object) -> bool:
    return not isinstance(value, str) or not value.strip()


def _check_creators(schema: Schema, item_type: str, value: Any, *, is_new: bool) -> Failure | None:
    """``Items::validateJSONItem``, case 'creators'."""
    if not isinstance(value, list):
        return Failure(400, "'creators' property must be an array")
    allowed = schema.creator_types_for(item_type)
    known: frozenset[str] | None = None
    for creator in value:
        if not isinstance(creator, dict):
            return Failure(400, "Creator must be an object")
        if "creatorType" not in creator:
            return Failure(400, "creator object must contain 'creatorType'")
        if all(_blank(creator.get(part)) for part in ("name", "firstName", "lastName")):
            # The item template's single nameless creator is ignored on creation.
            if len(value) == 1 and is_new:
                continue
            return Failure(400, "creator object must contain 'firstName'/'lastName' or 'name'")
        ctype = creator["creatorType"]
        if ctype not in allowed and known is None:
            known = frozenset(c for t in schema.item_types for c in schema.creator_types_for(t))
        if ctype not in allowed and ctype not in (known or ()):
            return Failure(400, f"'{ctype}' is not a valid creator type")
        # "author" is accepted on every item type, any other type must belong to it.
        if ctype not in allowed and ctype != "author":
            return Failure(
                400, f"'{ctype}' is not a valid creator type for item type '{item_type}'"
            )
        for prop in creator:
            if prop not in ("creatorType", "firstName", "lastName", "name"):
                return Failure(400, f"Invalid creator property '{prop}'")
        if "firstName" in creator and "lastName" not in creator:
            return Failure(400, "'lastName' creator field must be set if 'firstName' is set")
        if "lastName" in creator and "firstName" not in creator:
            return Failure(400, "'firstName' creator field must be set if 'lastName' is set")
        if "name" in creator and ("firstName" in creator or "lastName" in creator):
            return Failure(400, "'firstName' and 'name' creator fields are mutually exclusive")
        for part in ("firstName", "lastName", "name"):
            text = creator.get(part, "")
            if not isinstance(text, str):
                return Failure(400, f"Creator '{part}' must be a string")
            if len(text.encode("utf-8")) > CREATOR_MAX:  # strlen(): bytes
                return _creator_too_long(text)
    return None


def _check_tags(value: Any) -> Failure | None:
    """``Items::validateJSONItem``, case 'tags': blank names pass (``setTags`` drops them)."""
    if not isinstance(value, list):
        return Failure(400, "'tags' property must be an array")
    for tag in value:
        if not isinstance(tag, dict):
            return Failure(400, "Tag must be an object")
        if not tag:
            return Failure(400, "Tag object is empty")
        for prop, v in tag.items():
            if prop == "tag":
                if not isinstance(v, str | int | float) or isinstance(v, bool):
                    return Failure(400, "Invalid tag name")
            elif prop == "type":
                if v not in (0, 1, "0", "1") or isinstance(v, bool):
                    return Failure(400, f"Invalid tag type '{v}'")
            else:
                return Failure(400, f"Invalid tag property '{prop}'")
        name = str(tag.get("tag", "")).strip(PHP_TRIM)
        if len(name) > TAG_MAX:
            return _tag_too_long(name)
    return None


def check_collection(data: Mapping[str, Any]) -> Failure | None:
    for prop in data:
        if prop not in COLLECTION_PROPS:
            return Failure(400, f"Invalid property '{prop}'")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        return Failure(400, "Collection name cannot be empty")
    if len(name) > COLLECTION_NAME_MAX:
        # Collections::validateJSON: "=Collection name '<first 50>…' too long".
        return Failure(413, f"Collection name '{name[:50]}…' too long", {"value": name[:50] + "…"})
    parent = data.get("parentCollection", False)
    if parent not in (False, None, "") and not is_key(parent):
        return Failure(400, f"'{parent}' is not a valid collection key")
    if not isinstance(data.get("relations", {}), dict):
        return Failure(400, "'relations' must be an object")
    return check_version(data.get("version"))
