"""Recognising what a file is from its first bytes.

Owns the guesses made before (and instead of) reading: which encoding a byte stream
is in (BOM, or UTF-16 without BOM from its every-other-byte NULs), whether a file
looks like RIS (``looks_like_ris``, for the file watcher), and, when the reader
finds no record at all, a description of what the file looks like instead
(``describe_non_ris``: binary, BibTeX, MEDLINE, EndNote, HTML...). Sniffing only
looks at a bounded head of the file, never the whole of it.
"""

from __future__ import annotations

import codecs
import re

from syncd.errors import NotRisError

__all__ = [
    "HEAD_BYTES",
    "describe_non_ris",
    "head_text",
    "looks_like_ris",
    "not_ris_error",
    "obviously_not_ris",
    "sniff_encoding",
]

# How much of the start of a file is kept to explain why it is not RIS.
HEAD_BYTES = 64 << 10
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def sniff_encoding(head: bytes) -> tuple[str | None, int]:
    """Return (codec for a wide encoding or None for the byte path, BOM length)."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return (None if name == "utf-8" else name), len(bom)
    sample = head[:4096]
    pairs = len(sample) // 2
    if pairs >= 2:
        even_nul = sample[0::2].count(0)
        odd_nul = sample[1::2].count(0)
        # ASCII in UTF-16 without a BOM puts a NUL in every other byte; RIS tag lines
        # are ASCII, so even CJK-heavy text shows the pattern, while binary data has
        # NULs on both sides and UTF-8 text has none.
        if odd_nul >= 0.1 * pairs and even_nul * 10 <= odd_nul:
            return "utf-16-le", 0
        if even_nul >= 0.1 * pairs and odd_nul * 10 <= even_nul:
            return "utf-16-be", 0
    return None, 0


_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "a PNG image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"SQLite format 3", "an SQLite database"),
)
_MAGIC_PREFIXES = tuple(magic for magic, _ in _MAGIC)
_TY_TEXT = re.compile(r"(?m)^[ \t\ufeff]*TY {1,2}-")


def _head_text(head: bytes) -> str:
    """The start of a file as text with LF line ends, for sniffing only."""
    codec, bom = sniff_encoding(head)
    text = head[bom:].decode(codec or "utf-8", "replace")
    # U+2028/U+2029 count as line breaks here: some files use no other.
    text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    return text.replace("\r\n", "\n").replace("\r", "\n")


head_text = _head_text  # public for syncd.formats.detect, which sniffs every format


def obviously_not_ris(first_block: bytes) -> bool:
    """Whether the first block already shows the file is not RIS, before reading on.

    True for an empty file, a known binary format, NUL bytes in a file that is not
    UTF-16/32 and has no TY line, and MEDLINE (its tags, such as ``TI  - ``, are
    RIS-shaped) with no TY line.
    """
    if not first_block or first_block.startswith(_MAGIC_PREFIXES):
        return True
    codec, bom = sniff_encoding(first_block)
    text = _head_text(first_block)
    if _TY_TEXT.search(text.replace("\x00", "")) is not None:
        return False
    return (codec is None and b"\x00" in first_block[bom:]) or _MEDLINE.search(text) is not None


def sniff(head: str) -> str | None:
    """Evidence that the decoded head of a file is RIS: its first ``TY`` line.

    ``head`` is :func:`head_text` of the file's first bytes; NUL bytes (UTF-16 read
    as UTF-8 by a lenient decoder) do not hide a TY line.
    """
    if "\x00" in head:
        head = head.replace("\x00", "")
    m = _TY_TEXT.search(head)
    if m is None:
        return None
    return f"TY tag at line {head.count(chr(10), 0, m.start()) + 1}"


def looks_like_ris(head: bytes) -> bool:
    """Cheap sniff of a file's first bytes: is there a RIS ``TY`` line in them?

    Any extension, any of the encodings the reader handles. Meant for deciding which
    files to hand to the reader, not for validating them.
    """
    text = _head_text(head[:HEAD_BYTES])
    if "\x00" in text:
        text = text.replace("\x00", "")
    return _TY_TEXT.search(text) is not None


_BIBTEX = re.compile(r"(?m)^[ \t]*(@[A-Za-z]+[ \t]*[{(])")
_MEDLINE = re.compile(r"(?m)^PMID- ")
_ENDNOTE = re.compile(r"(?m)^%0 ")
_WOS = re.compile(r"(?m)^(FN|PT) [A-Z]")
_ALMOST_TY = re.compile(r"(?m)^([ \t]*[Tt][Yy] {1,2}-|[ \t]*[a-z][a-z0-9] {1,2}- )")


def describe_non_ris(head: bytes) -> tuple[str, int | None]:
    """Say what a file that holds no RIS looks like, from its first bytes.

    Returns a short description and, when it helps, the line it is based on.
    """
    if not head:
        return "empty file", None
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return f"binary data ({name})", None
    codec, _ = sniff_encoding(head)
    nul = head.find(b"\x00")
    if codec is None and nul >= 0:
        return f"binary data (NUL bytes at offset {nul})", None
    text = _head_text(head)
    if not text.strip(" \t\r\n\ufeff\x00"):
        return "only whitespace", None
    controls = len(_CONTROL.findall(text)) + text.count("\ufffd")
    if controls > 0.05 * len(text):
        return "binary data (mostly non-text bytes)", None

    def line_of(pos: int) -> int:
        return text.count("\n", 0, pos) + 1

    m = _BIBTEX.search(text)
    if m is not None:
        return f"looks like BibTeX ({m[1]} at line {line_of(m.start(1))})", line_of(m.start(1))
    if _MEDLINE.search(text) is not None:
        return "looks like PubMed MEDLINE/nbib format (PMID- tags)", None
    if _ENDNOTE.search(text) is not None:
        return "looks like EndNote/Refer tagged format (%0 tags)", None
    if _WOS.search(text) is not None:
        return "looks like Web of Science plain text (FN/PT tags, not RIS)", None
    stripped = text.lstrip(" \t\r\n\ufeff")
    if stripped[:1] in ("{", "["):
        return "looks like JSON", None
    if stripped[:1] == "<":
        return "looks like XML or HTML", None
    m = _ALMOST_TY.search(text)
    if m is not None:
        line = line_of(m.start())
        return (
            f"looks like RIS with lowercase or indented tags (line {line}); RIS tags are two "
            "uppercase characters at the very start of a line",
            line,
        )
    return "text with no RIS tag lines", None


def not_ris_error(source: str, head: bytes, *, er_only: bool = False) -> NotRisError:
    """The error for a file with no RIS record, saying what the file looks like."""
    what, line = describe_non_ris(head)
    if er_only and what == "text with no RIS tag lines":
        what = "only ER (end of record) lines and no record"
    return NotRisError(
        f"no RIS records found: {what}",
        file=source,
        line=line,
        hint="export the references as RIS (.ris) and try again",
    )
