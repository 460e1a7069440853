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
_PHP_EDGE = frozenset(PHP_TRIM)
_NAMES = ("firstName", "lastName", "name")

# This runs on every record of an export, so each part first checks the common case
# (nothing to trim) as cheaply as it can and only then rebuilds.


def _plain_edges(text: str) -> bool:
    """Printable ASCII at both ends: nothing for either trim to take, no Unicode lookup."""
    return "!" <= text[0] <= "~" and "!" <= text[-1] <= "~"


def unicode_trim(text: str) -> str:
    """Strip Unicode separators (Z*) and controls/format characters (C*) at both ends."""
    if not text or _plain_edges(text):
        return text
    start, end = 0, len(text)
    while start < end and unicodedata.category(text[start])[0] in "ZC":
        start += 1
    while end > start and unicodedata.category(text[end - 1])[0] in "ZC":
        end -= 1
    return text[start:end]


def _clean_creators(creators: list[Any]) -> bool:
    for creator in creators:
        if not isinstance(creator, dict):
            return False
        named = False
        for part in _NAMES:
            name = creator.get(part)
            if name:
                if not isinstance(name, str) or not _plain_edges(name):
                    return False
                named = True
        if not named:
            return False
    return True


def _creator(creator: Mapping[str, Any]) -> dict[str, Any] | None:
    out = dict(creator)
    for part in _NAMES:
        value = out.get(part)
        if isinstance(value, str):
            out[part] = unicode_trim(value)
    if not any(out.get(part) for part in _NAMES):
        return None  # the server refuses a nameless creator
    return out


def _clean_tags(tags: list[Any]) -> bool:
    for tag in tags:
        name = tag.get("tag") if isinstance(tag, dict) else None
        if not isinstance(name, str) or not name or name[0] in _PHP_EDGE:
            return False
        if name[-1] in _PHP_EDGE:
            return False
    return True


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
    changed: dict[str, Any] | None = None
    for prop, value in item.items():
        kind = type(value)
        if kind is str:
            if value and (value[0] in _PHP_EDGE or value[-1] in _PHP_EDGE) and prop != "note":
                changed = changed or {}
                changed[prop] = value.strip(PHP_TRIM)
        elif kind is list:
            if prop == "creators" and not _clean_creators(value):
                creators = [c for c in map(_creator_or_keep, value) if c]
                if creators != value:
                    changed = changed or {}
                    changed[prop] = creators
            elif prop == "tags" and not _clean_tags(value):
                changed = changed or {}
                changed[prop] = _tags(value)
    if not changed:
        return item
    out = {**item, **changed}
    # A list left empty goes, as the mapping leaves out a list it has nothing for:
    # one item has one form whether its only creator was blank or absent.
    for prop in ("creators", "tags"):
        if prop in changed and not changed[prop]:
            del out[prop]
    return out


def _creator_or_keep(creator: Any) -> Any:
    return _creator(creator) if isinstance(creator, Mapping) else creator
