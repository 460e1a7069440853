"""Which records get attachments in a run, and the step's entry points for the session:
:func:`attach_outcomes` after the records' items exist, :func:`preview_actions` for
``plan``."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from syncd.attachments.dropped import (
    dropped_refs,
    list_folder,
    matching,
    matching_candidates,
    stems_for,
)
from syncd.attachments.outcome import AttachmentOutcome
from syncd.attachments.refs import AttachmentRef, refs_of
from syncd.attachments.step import Attacher
from syncd.core.plan import Action
from syncd.formats.records import SourceRef
from syncd.sync.outcome import RecordOutcome

ATTACHABLE = frozenset({"created", "updated", "unchanged", "conflict"})  # outcomes
PLANNED = frozenset({"create", "update", "unchanged", "conflict"})  # plan actions


class _Refs:
    """Each action's attachment references: what its record names, and documents
    dropped beside its export (each folder listed once)."""

    def __init__(self, actions: Sequence[Action]) -> None:
        self._per_file = Counter(s.file for a in actions for s in a.sources)
        self._listings: dict[str, list[str]] = {}
        self._folders: dict[str, str] = {}  # export file -> its folder

    def __call__(self, action: Action) -> list[AttachmentRef]:
        refs = refs_of(action.record.attachments)
        source = action.record.source.file
        folder = self._folders.get(source)
        if folder is None:
            folder = self._folders[source] = export_dir(action)
        if folder not in self._listings:
            # Only documents can match: the folder's other files (the exports, the
            # state database) are left out once, not looked at for every record.
            self._listings[folder] = matching_candidates(list_folder(folder))
        if not self._listings[folder]:
            return refs  # no document beside the export (most runs): none to match
        stems = stems_for(
            action.record.identifiers, os.path.basename(source), self._per_file[source] == 1
        )
        return refs + dropped_refs(matching(stems, self._listings[folder]))


def attach_outcomes(
    actions: Sequence[Action], outcomes: Sequence[RecordOutcome], attacher: Attacher
) -> list[RecordOutcome]:
    """The outcomes, with the attachments of each record whose item exists now."""
    by_sources = {_where(a.sources): a for a in actions}
    refs_for = _Refs(actions)
    out = []
    for outcome in outcomes:
        action = by_sources.get(_where(outcome.sources))
        if action is not None and outcome.key and outcome.kind in ATTACHABLE and not action.trashed:
            refs = refs_for(action)
            if refs:
                done = attacher.attach(outcome.key, refs, export_dir(action))
                outcome = replace(outcome, attachments=tuple(done))
        out.append(outcome)
    attacher.finish()
    return out


def preview_actions(actions: Sequence[Action], attacher: Attacher) -> list[list[AttachmentOutcome]]:
    """For ``plan``: per action, what would happen to its attachments (no requests)."""
    out: list[list[AttachmentOutcome]] = []
    refs_for = _Refs(actions)
    for action in actions:
        wanted = action.kind in PLANNED and not action.trashed
        refs = refs_for(action) if wanted else []
        if not refs:
            out.append([])
            continue
        parent = action.key if action.kind != "create" else None
        out.append(attacher.preview(parent, refs, export_dir(action)))
    return out


def export_dir(action: Action) -> str:
    return os.path.dirname(os.path.abspath(action.record.source.file))


def _where(sources: Sequence[SourceRef]) -> tuple[tuple[str, int], ...]:
    return tuple((s.file, s.line) for s in sources)
