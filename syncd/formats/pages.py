"""Page ranges as Zotero's imports write them, for every format."""

from __future__ import annotations

import re
from typing import Final

__all__ = ["expand_pages"]

_RANGE: Final = re.compile(r"(\d+)-(\d+)")


def expand_pages(pages: str) -> str:
    """``475-82`` -> ``475-482``: shortened ranges (MEDLINE's, PubMed's) written out,
    as Zotero's MEDLINE and PubMed XML translators do."""

    def full(m: re.Match[str]) -> str:
        start, end = m.group(1), m.group(2)
        diff = len(start) - len(end)
        return f"{start}-{start[:diff] + end}" if diff > 0 else m.group(0)

    return _RANGE.sub(full, pages)
