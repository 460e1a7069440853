"""How every format's package hands a mapped record to the frame (once: stored form, problems)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from syncd.errors import InputError
from syncd.formats.records import ConvertedRecord, ReadProblem
from syncd.zotero.stored import stored_form

Entry = TypeVar("Entry")


def emit(converted: ConvertedRecord) -> Iterator[ConvertedRecord | ReadProblem]:
    """The record in the form Zotero's server stores it, then the problems met mapping it."""
    stored = stored_form(converted.item)
    if stored is not converted.item:
        converted = converted.with_changes(item=stored)
    yield converted
    yield from converted.problems


def emit_each(
    entries: Iterable[Entry | ReadProblem],
    convert: Callable[[Entry], ConvertedRecord],
    none_found: InputError,
) -> Iterator[ConvertedRecord | ReadProblem]:
    """Each entry a reader found, converted and emitted, its problems passed on in
    order; ``none_found`` is raised when the file held no entry at all (a file of
    another format the sniff let through, or one whose every entry is broken)."""
    found = 0
    for entry in entries:
        if isinstance(entry, ReadProblem):
            yield entry
        else:
            found += 1
            yield from emit(convert(entry))
    if found == 0:
        raise none_found
