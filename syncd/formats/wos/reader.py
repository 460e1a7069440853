"""Reading Web of Science's tagged plain-text export (``savedrecs.txt``).

``FN``/``VR`` head the file, each record runs from ``PT`` to ``ER`` with one
two-character tag per field and continuation lines indented by three spaces (one
author per line under AU/AF), and ``EF`` ends the file. Other Clarivate databases
(CABI, BIOSIS, Derwent) write the same shape, sometimes without the indentation.
Written by hand on the shared tagged reader (:mod:`syncd.formats.tagged`, whose
docstring says why no library is used).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from syncd.formats.records import RawRecord, ReadProblem
from syncd.formats.tagged import Syntax, first_line_matching, read_tagged_file

_TAG = re.compile(r"([A-Z][A-Z0-9])(?: (.*))?").fullmatch
_PT_LINE = re.compile(r"PT [A-Z]\s*$")
_FN_LINE = re.compile(r"FN \S")


def _tag_line(line: str) -> tuple[str, str] | None:
    m = _TAG(line.rstrip())
    return None if m is None else (m.group(1), m.group(2) or "")


SYNTAX = Syntax(
    name="Web of Science",
    tag_line=_tag_line,
    starts=frozenset({"PT"}),
    ends=frozenset({"ER"}),
    headers=frozenset({"FN", "VR"}),
    file_end=frozenset({"EF"}),
)


def sniff(head: str) -> str | None:
    """Evidence when ``head`` is Web of Science tagged: a ``PT X`` record start among
    the first five non-blank lines (what Zotero's translator looks at)."""
    pt = first_line_matching(_PT_LINE, head, 5)
    if pt is None:
        return None
    fn = first_line_matching(_FN_LINE, head, 1)
    if fn is not None and fn < pt:
        return f"FN header at line {fn}, PT tag at line {pt}"
    return f"PT tag at line {pt}"


def read_file(path: Path) -> Iterator[RawRecord | ReadProblem]:
    return read_tagged_file(path, SYNTAX)
