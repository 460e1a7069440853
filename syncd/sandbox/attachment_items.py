"""Attachment items as the server takes and stores them (``Items::validateJSONItem``,
case 'linkMode' and the file properties; ``Item::toJSON`` for their order).

Pure over plain dicts. The file itself (md5, mtime, the bytes) is set by the upload
protocol in :mod:`syncd.sandbox.files`; a client may also send ``md5``/``mtime``
directly, as WebDAV users do, and the server stores them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from syncd.sandbox.validate import Failure

LINK_MODES = frozenset({"imported_file", "imported_url", "linked_file", "linked_url"})
FILE_MODES = frozenset({"imported_file", "imported_url"})
# Properties an attachment has besides its type's fields (title, accessDate, url).
ATTACHMENT_PROPS = frozenset(
    {"linkMode", "note", "contentType", "charset", "filename", "md5", "mtime", "path"}
)
_MD5 = re.compile(r"^[0-9a-f]{32}$")


def check_attachment_prop(prop: str, value: Any, link_mode: object) -> Failure | None:
    if prop == "linkMode":
        if value not in LINK_MODES:
            return Failure(400, f"Invalid linkMode '{value}'")
        return None
    if prop == "note":
        return None if isinstance(value, str) else Failure(400, "'note' value must be a string")
    if prop in ("contentType", "charset", "path"):
        if value is None or isinstance(value, str):
            return None
        return Failure(400, f"'{prop}' must be a string")
    if prop == "filename":
        if value in ("", None):
            return None
        if link_mode not in FILE_MODES:
            return Failure(400, "'filename' is valid only for imported attachment items")
        if not isinstance(value, str) or "/" in value or re.match(r"^[A-Za-z]:\\", value):
            return Failure(400, "'filename' must be a file name, not a path")
        return None
    if prop == "md5":
        if value in ("", None):
            return None
        if link_mode not in FILE_MODES:
            return Failure(400, "'md5' is valid only for imported attachment items")
        if not isinstance(value, str) or not _MD5.match(value):
            return Failure(400, f"Invalid MD5 hash '{value}'")
        return None
    # mtime
    if value in ("", None):
        return None
    if link_mode not in FILE_MODES:
        return Failure(400, "'mtime' is valid only for imported attachment items")
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return Failure(400, f"Invalid mtime '{value}'")
    return None


def check_attachment(item: Mapping[str, Any], library_type: str) -> Failure | None:
    """Whole-item rules once the properties passed."""
    link_mode = item.get("linkMode")
    if link_mode is None:
        return Failure(400, "'linkMode' property not provided")
    if link_mode == "linked_file" and library_type == "group":
        # Item.inc.php: "Linked files can only be added to user libraries".
        return Failure(400, "Linked files can only be added to user libraries")
    if link_mode == "linked_url" and not item.get("url"):
        return Failure(400, "'url' must be set for linked URLs")
    return None


def attachment_props(merged: Mapping[str, Any]) -> dict[str, Any]:
    """The attachment-only properties in the order the server writes them."""
    link_mode = merged["linkMode"]
    out: dict[str, Any] = {
        "note": merged.get("note") or "",
        "contentType": merged.get("contentType") or "",
        "charset": merged.get("charset") or "",
    }
    if link_mode in FILE_MODES:
        out["filename"] = merged.get("filename") or ""
        out["md5"] = merged.get("md5") or None
        out["mtime"] = merged.get("mtime") or None
    if link_mode == "linked_file":
        out["path"] = merged.get("path") or ""
    return out
