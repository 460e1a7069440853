"""What a sync did, per record and in total: the data behind reports and summaries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from syncd.attachments.outcome import AttachmentOutcome, AttachmentResult
from syncd.core.merge import Conflict, Kept
from syncd.formats.records import ReadProblem, SourceRef

SUMMARY_KEYS = ("created", "updated", "unchanged", "conflicts", "failed", "skipped", "ambiguous")


@dataclass(frozen=True, slots=True)
class RecordOutcome:
    """One distinct record's fate. ``kind`` is created, updated, unchanged, conflict,
    ambiguous, skipped, failed or refused (refused for its content on an earlier run
    and not sent again: counted with the skipped, the failure was reported then)."""

    kind: str
    sources: tuple[SourceRef, ...]
    title: str
    key: str | None = None
    message: str = ""
    changed_fields: tuple[str, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    # ambiguous: the items the record could be; the user decides (merge or trash one)
    candidates: tuple[str, ...] = ()
    kept: tuple[Kept, ...] = ()  # fields left as the user's although the export differs
    # The files and links the record named, each with what happened to it.
    attachments: tuple[AttachmentOutcome, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "result": self.kind,
            "key": self.key,
            "title": self.title,
            "sources": [
                {"file": s.file, "line": s.line, "dialect": s.dialect} for s in self.sources
            ],
            "message": self.message,
            "changed_fields": list(self.changed_fields),
            "conflicts": [c.as_json() for c in self.conflicts],
            "candidates": list(self.candidates),
            "kept": [k.as_json() for k in self.kept],
            "attachments": [a.as_json() for a in self.attachments],
        }

    def line(self) -> str:
        src = self.sources[0]
        text = f"{src.file}:{src.line}: {self.kind}"
        if self.key:
            text += f" {self.key}"
        text += f" {self.title!r}"
        if self.changed_fields:
            text += f" (changed: {', '.join(self.changed_fields)})"
        for c in self.conflicts:
            text += (
                f" [conflict {c.field}: Zotero has {c.zotero_value!r},"
                f" export has {c.export_value!r}]"
            )
        for k in self.kept:
            text += f" [kept {k.field}: {k.why}]"
        if self.message:
            text += f": {self.message}"
        for attachment in self.attachments:
            text += f"\n    {attachment.line()}"
        return text


@dataclass
class SyncReport:
    outcomes: list[RecordOutcome] = field(default_factory=list)
    # Problems met while reading; those of severity "error" are failed records.
    problems: list[ReadProblem] = field(default_factory=list)
    # Files that could not be read at all: "file: why".
    failed_files: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(SUMMARY_KEYS, 0)
        for o in self.outcomes:
            if o.kind == "created":
                counts["created"] += 1
            elif o.kind == "updated":
                counts["updated"] += 1
            elif o.kind == "unchanged":
                counts["unchanged"] += 1
            elif o.kind == "conflict":
                counts["conflicts"] += 1
            elif o.kind == "failed":
                counts["failed"] += 1
            elif o.kind == "ambiguous":
                counts["ambiguous"] += 1
            else:  # skipped, refused
                counts["skipped"] += 1
        counts["failed"] += sum(1 for p in self.problems if p.severity == "error")
        # An attachment Zotero refused is a file that failed: the run is not clean, and
        # the same export dropped again is synced again rather than taken as done.
        counts["failed"] += sum(
            1 for o in self.outcomes for a in o.attachments if a.result is AttachmentResult.FAILED
        )
        counts["failed"] += len(self.failed_files)
        return counts

    @property
    def ok(self) -> bool:
        """Nothing failed and nothing waits for the user to say which item a record is."""
        counts = self.counts()
        return counts["failed"] == 0 and counts["ambiguous"] == 0

    def ambiguous(self) -> list[dict[str, Any]]:
        """The ambiguous records with the keys of the items each could be."""
        return [
            {
                "title": o.title,
                "sources": [{"file": s.file, "line": s.line} for s in o.sources],
                "candidates": list(o.candidates),
                "message": o.message,
            }
            for o in self.outcomes
            if o.kind == "ambiguous"
        ]
