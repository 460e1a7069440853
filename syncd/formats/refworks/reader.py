"""Reading RefWorks' tagged export format.

Each record starts with ``RT <reference type>``; a field is a two-character tag,
one space and its value, and a line that is no tag line continues the value
before it. Text before the first RT (the legend RefWorks writes at the top of an
export) is skipped, as Zotero skips it. Written by hand on the shared tagged
reader (:mod:`syncd.formats.tagged`, whose docstring says why no library is used).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from syncd.formats.records import RawRecord, ReadProblem
from syncd.formats.tagged import Syntax, first_line_matching, read_tagged_file

_TAG = re.compile(r"([A-Z][A-Z0-9])(?: (.*))?").fullmatch
_RT_LINE = re.compile(r"RT [A-Za-z]")


def _tag_line(line: str) -> tuple[str, str] | None:
    m = _TAG(line.rstrip())
    return None if m is None else (m.group(1), m.group(2) or "")


SYNTAX = Syntax(name="RefWorks", tag_line=_tag_line, starts=frozenset({"RT"}))


def sniff(head: str) -> str | None:
    """Evidence when ``head`` is RefWorks tagged: an ``RT <type>`` line among the first
    150 non-blank lines (RefWorks writes a legend first; Zotero looks as far)."""
    line = first_line_matching(_RT_LINE, head, 150)
    return None if line is None else f"RT tag at line {line}"


def read_file(path: Path) -> Iterator[RawRecord | ReadProblem]:
    return read_tagged_file(path, SYNTAX)
