"""Reading PubMed's MEDLINE format (``.nbib``, "Send to: Citation manager"), and ERIC's.

A record is a block of tag lines (``PMID- 123``, ``TI  - ...``: a tag of up to
four characters, padded, then ``- ``) with continuation lines indented by six
spaces, records separated by a blank line; ERIC's ``.nbib`` has no PMID and starts
with ``OWN - ERIC``. Written by hand on the shared tagged reader
(:mod:`syncd.formats.tagged`, whose docstring says why no library is used).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from syncd.formats.records import RawRecord, ReadProblem
from syncd.formats.tagged import Syntax, first_line_matching, read_tagged_file

_TAG = re.compile(r"([A-Z][A-Z0-9]{1,3}) {0,3}-(?: (.*)|$)").fullmatch
_PMID_LINE = re.compile(r"PMID- {0,2}\d")
_ERIC_LINE = re.compile(r"OWN - ERIC\b")


def _tag_line(line: str) -> tuple[str, str] | None:
    m = _TAG(line)
    return None if m is None else (m.group(1), m.group(2) or "")


SYNTAX = Syntax(
    name="MEDLINE",
    tag_line=_tag_line,
    starts=frozenset({"PMID"}),
    any_tag_starts=True,
    blank_ends=True,
    title_tags=frozenset({"PMID", "TI", "BTI", "AID", "LID", "OID"}),
)


def sniff(head: str) -> str | None:
    """Evidence when ``head`` is MEDLINE: a ``PMID-`` or ERIC's ``OWN - ERIC`` line among
    the first five non-blank lines (what Zotero's translator looks at)."""
    line = first_line_matching(_PMID_LINE, head, 5)
    if line is not None:
        return f"PMID- tag at line {line}"
    line = first_line_matching(_ERIC_LINE, head, 5)
    if line is not None:
        return f"OWN - ERIC tag at line {line}"
    return None


def read_file(path: Path) -> Iterator[RawRecord | ReadProblem]:
    return read_tagged_file(path, SYNTAX)
