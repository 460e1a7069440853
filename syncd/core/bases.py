"""The merge base kept per source of a record, so that sources never undo each other.

One work often reaches a library from several exports: PubMed's MEDLINE, a Scopus
RIS, a Web of Science file. They disagree on details (MEDLINE ends a title with a
period, Web of Science writes the journal in capitals), and with one base per item
each sync of one source would overwrite what the other wrote, and syncing the
other again would write it back: a re-sync that writes every time.

So the base stored for an item holds one base per source (``_sources``, by the
record's format or RIS dialect: ``medline``, ``scopus``...). A record merges
against its own source's base: what its source said last time. A source seen for
the first time on an item only fills what is empty (as for an item the user made),
and a source whose export did not change writes nothing, whatever the others did.
A base written before this (no ``_sources``) serves whichever source comes next,
as it did.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SOURCES = "_sources"
NOTES = "_notes"


def source_base(stored: Mapping[str, Any] | None, source: str) -> Mapping[str, Any] | None:
    """The base a record of ``source`` merges against (None: this source is new here)."""
    if stored is None:
        return None
    sources = stored.get(SOURCES)
    if not isinstance(sources, Mapping):
        return stored  # a base from before per-source bases: any source's
    found = sources.get(source)
    return found if isinstance(found, Mapping) else None


def stored_base(
    stored: Mapping[str, Any] | None,
    source: str,
    base: Mapping[str, Any],
    notes: list[str],
) -> dict[str, Any]:
    """The base to store after a record of ``source`` merged with new base ``base``."""
    sources: dict[str, Any] = {}
    if stored is not None and isinstance(stored.get(SOURCES), Mapping):
        sources.update(stored[SOURCES])
    sources[source] = {k: v for k, v in base.items() if k not in (SOURCES, NOTES)}
    return {SOURCES: dict(sorted(sources.items())), NOTES: notes}
