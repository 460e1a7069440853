"""How every format's package hands a mapped record to the frame (once: stored form, problems)."""

from __future__ import annotations

from collections.abc import Iterator

from syncd.formats.records import ConvertedRecord, ReadProblem
from syncd.zotero.stored import stored_form


def emit(converted: ConvertedRecord) -> Iterator[ConvertedRecord | ReadProblem]:
    """The record in the form Zotero's server stores it, then the problems met mapping it."""
    stored = stored_form(converted.item)
    if stored is not converted.item:
        converted = converted.with_changes(item=stored)
    yield converted
    yield from converted.problems
