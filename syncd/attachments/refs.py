"""Which files and web links a record names. Pure.

RIS ``L1``/``L2``/``L4`` arrive from the mapping as ``{title, path[, mimeType]}``
(Zotero's own RIS import keeps them so). Each becomes an :class:`AttachmentRef`:

- ``http(s)://`` -> a web link, created as a ``linked_url`` attachment;
- ``file://`` URL (no host, or ``localhost``) -> the local path it names;
- anything else without a scheme -> a local path, relative to the export's folder;
- other schemes, and ``file://`` on another host -> refused here, with the reason.

Nothing is read: whether a local path may be read is :mod:`syncd.attachments.admit`'s.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import unquote, urlsplit

_WEB = re.compile(r"^https?://\S+$", re.IGNORECASE)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


class RefKind(StrEnum):
    FILE = "file"
    LINK = "link"


@dataclass(frozen=True, slots=True)
class AttachmentRef:
    kind: RefKind
    target: str  # the local path (as written, decoded from a file:// URL) or the URL
    title: str
    written: str  # what the export said, for reports
    refusal: str | None = None  # refused before any file system access


def refs_of(attachments: Iterable[Mapping[str, str]]) -> list[AttachmentRef]:
    """The record's attachments, each once, in the export's order."""
    out: dict[tuple[RefKind, str], AttachmentRef] = {}
    for entry in attachments:
        written = str(entry.get("path", "")).strip()
        if not written:
            continue
        ref = _ref(written, str(entry.get("title") or ""))
        out.setdefault((ref.kind, ref.target or written), ref)
    return list(out.values())


def _ref(written: str, title: str) -> AttachmentRef:
    if _WEB.match(written):
        return AttachmentRef(RefKind.LINK, written, title or "Link", written)
    if written.lower().startswith("file:"):
        split = urlsplit(written)
        if split.netloc not in ("", "localhost"):
            return AttachmentRef(
                RefKind.FILE,
                "",
                title,
                written,
                f"a file:// URL on another computer ({split.netloc}) is never read",
            )
        return AttachmentRef(RefKind.FILE, unquote(split.path), title, written)
    if _SCHEME.match(written) and not _WINDOWS_DRIVE.match(written):
        return AttachmentRef(
            RefKind.FILE, "", title, written, "neither a local path nor an http(s) link"
        )
    return AttachmentRef(RefKind.FILE, written, title, written)
