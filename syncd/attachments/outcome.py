"""What happened to each attachment a record named: data for reports and plans. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class AttachmentResult(StrEnum):
    UPLOADED = "uploaded"  # a stored file, now in Zotero (uploaded, or known there)
    LINKED = "linked"  # a linked_url attachment made
    PRESENT = "present"  # the item already has this file (md5) or link (URL)
    REFUSED = "refused"  # never read: outside the allowed folders, not a document...
    FAILED = "failed"  # Zotero refused it; tried again on the next sync
    SKIPPED = "skipped"  # syncd made it once and it was deleted in Zotero: not made again
    WOULD_UPLOAD = "would upload"  # plan only
    WOULD_LINK = "would link"  # plan only


@dataclass(frozen=True, slots=True)
class AttachmentOutcome:
    result: AttachmentResult
    name: str  # the path or URL as the export wrote it
    key: str | None = None  # the attachment item
    size: int | None = None  # bytes of a file
    md5: str | None = None
    message: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "result": self.result.value,
            "name": self.name,
            "key": self.key,
            "size": self.size,
            "md5": self.md5,
            "message": self.message,
        }

    def line(self) -> str:
        return attachment_lines([self.as_json()])[0].strip()


def human_size(size: int) -> str:
    if size < 1000:
        return f"{size} B"
    if size < 1_000_000:
        return f"{size / 1000:.1f} kB"
    return f"{size / 1_000_000:.1f} MB"


def attachment_lines(entries: list[dict[str, Any]]) -> list[str]:
    """Report lines for attachments as :meth:`AttachmentOutcome.as_json` wrote them."""
    lines = []
    for entry in entries:
        text = f"    attachment {entry['result']}"
        if entry.get("key"):
            text += f" {entry['key']}"
        text += f" {entry['name']!r}"
        if entry.get("size") is not None:
            text += f" ({human_size(int(entry['size']))})"
        if entry.get("message"):
            text += f": {entry['message']}"
        lines.append(text)
    return lines
