"""Item values in the form Zotero's server stores them.

The server trims every field value and tag with PHP's ``trim`` (space, tab, CR, LF,
NUL, vertical tab), drops tags left blank, and trims creator names of all Unicode
separators and control/format characters (U+200B, U+FEFF, U+00AD, U+200E...). What
syncd sends is also what it keeps as the merge base, so it sends values already in
that form: otherwise the library would differ from the base on the very next sync,
and syncd would take the server's trimming for a user's edit (a false conflict, and a
corrected export never applied).

Hand-written rather than taken from a library: these are the server's rules
(dataserver ``Item::setField``, ``Item::setTags``, ``Creator::__set`` with
``Zotero_Utilities::unicodeTrim``), not a general normalisation.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

PHP_TRIM = " \t\n\r\0\x0b"


def unicode_trim(text: str) -> str:
    """Strip Unicode separators (Z*) and controls/format characters (C*) at both ends."""
    start, end = 0, len(text)
    while start < end and unicodedata.category(text[start])[0] in "ZC":
        start += 1
    while end > start and unicodedata.category(text[end - 1])[0] in "ZC":
        end -= 1
    return text[start:end] if (start, end) != (0, len(text)) else text


def _creator(creator: Mapping[str, Any]) -> dict[str, Any] | None:
    out = dict(creator)
    for part in ("firstName", "lastName", "name"):
        value = out.get(part)
        if isinstance(value, str):
            out[part] = unicode_trim(value)
    if not any(out.get(part) for part in ("firstName", "lastName", "name")):
        return None  # the server refuses a nameless creator
    return out


def _tags(tags: list[Any]) -> list[Any]:
    out = []
    for tag in tags:
        if isinstance(tag, Mapping) and isinstance(tag.get("tag"), str):
            name = tag["tag"].strip(PHP_TRIM)
            if not name:
                continue
            tag = {**tag, "tag": name} if name != tag["tag"] else tag
        out.append(tag)
    return out


def stored_form(item: dict[str, Any]) -> dict[str, Any]:
    """``item`` as the server would store it; the same dict when nothing changes."""
    changed: dict[str, Any] = {}
    for prop, value in item.items():
        if isinstance(value, str):
            if prop != "note" and value != value.strip(PHP_TRIM):
                changed[prop] = value.strip(PHP_TRIM)
        elif prop == "tags" and isinstance(value, list):
            tags = _tags(value)
            if tags != value:
                changed[prop] = tags
        elif prop == "creators" and isinstance(value, list):
            creators = [
                c for c in (_creator(c) if isinstance(c, Mapping) else c for c in value) if c
            ]
            if creators != value:
                changed[prop] = creators
    return {**item, **changed} if changed else item
