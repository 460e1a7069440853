"""A file's type from its first bytes, not from its name. Pure.

Only document and image types are uploaded: an export naming ``~/.bashrc`` as a
"PDF" must not put that file into a library even where the folder is allowed.
"""

from __future__ import annotations

SNIFF_BYTES = 1024

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"AT&TFORM", "image/vnd.djvu"),
)


def sniff(head: bytes) -> str | None:
    """The MIME type of a file starting with ``head``, or None if it is none of ours."""
    # Acrobat accepts a header anywhere in the first 1024 bytes; some writers put junk first.
    if b"%PDF-" in head[:SNIFF_BYTES]:
        return "application/pdf"
    if head.startswith(b"PK\x03\x04") and head[30:58] == b"mimetypeapplication/epub+zip":
        return "application/epub+zip"
    for magic, mime in _MAGIC:
        if head.startswith(magic):
            return mime
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    text = head[:SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html")) or (
        text.startswith(b"<") and b"<html" in text
    ):
        return "text/html"
    return None
