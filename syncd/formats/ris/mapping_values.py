"""RIS's own value conventions: keywords, the lone-tag rule, attachment links.

Pure string functions, each following one convention of Zotero's RIS import
(``zotero-ris-mapping.md`` section 5). What other formats share (dates, names,
markup) is in :mod:`syncd.formats.dates`, :mod:`syncd.formats.names` and
:mod:`syncd.formats.markup`.
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import unquote

_KW_SPLIT_RE: Final = re.compile(r"\s*(?:[\r\n]+\s*)+(?:%K\s+)?|\s*(?:;\s*)+")
_COMMA_SPLIT_RE: Final = re.compile(r"\s*(?:,\s*)+")
_FILE_TITLE_RE: Final = re.compile(r"([^/\\]+)(?:\.\w{1,8})$")


def split_keywords(value: str) -> list[str]:
    """One KW value split on newlines (and RefMan ``%K``) and semicolons."""
    if "\n" not in value and "\r" not in value and ";" not in value:
        return [value] if value else []
    return [p for p in _KW_SPLIT_RE.split(value) if p]


def split_single_tag(tag: str) -> list[str]:
    """The lone tag of a record split on commas (Zotero's one-tag rule)."""
    return [p for p in _COMMA_SPLIT_RE.split(tag) if p]


def attachments(value: str, kind: str) -> list[dict[str, str]]:
    """L1/L2/L4 links as Zotero's import describes them: {title, path[, mimeType]}."""
    out: list[dict[str, str]] = []
    for line in value.split("\n"):
        path = line.strip()
        if path.lower().startswith("internal-pdf://"):
            path = "PDF/" + path[len("internal-pdf://") :]
        if not path:
            continue
        if kind == "HTML":
            out.append({"title": "Full Text (HTML)", "path": path, "mimeType": "text/html"})
            continue
        m = _FILE_TITLE_RE.search(path)
        title = unquote(m.group(1)) if m else "Attachment"
        out.append({"title": title, "path": path})
    return out
