"""What a sync did, per record and in total: the data behind reports and summaries."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypedDict, assert_never

from syncd.attachments.outcome import AttachmentOutcome, AttachmentResult
from syncd.core.merge import Conflict, Kept
from syncd.formats.records import ReadProblem, SourceRef

SUMMARY_KEYS = ("created", "updated", "unchanged", "conflicts", "failed", "skipped", "ambiguous")


class RecordKind(StrEnum):
    """What became of a record (``result`` in reports)."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    CONFLICT = "conflict"
    AMBIGUOUS = "ambiguous"
    SKIPPED = "skipped"
    FAILED = "failed"
    # Refused for its content on an earlier run and not sent again: counted with the
    # skipped, the failure was reported then.
    REFUSED = "refused"


#: Results that wrote to the library.
WROTE = (RecordKind.CREATED, RecordKind.UPDATED)


def summary_key(kind: RecordKind | str) -> str:
    """Which summary count a record's result adds to."""
    match RecordKind(kind):
        case RecordKind.CREATED | RecordKind.UPDATED | RecordKind.UNCHANGED:
            return str(kind)
        case RecordKind.CONFLICT:
            return "conflicts"
        case RecordKind.FAILED | RecordKind.AMBIGUOUS:
            return str(kind)
        case RecordKind.SKIPPED | RecordKind.REFUSED:
            return "skipped"
        case unreachable:
            assert_never(unreachable)


class SourceJson(TypedDict):
    file: str
    line: int | None
    dialect: str


class RecordJson(TypedDict, total=False):
    """A record's outcome as reports store it (:meth:`RecordOutcome.as_json`); a report
    written by an older syncd may lack the later keys."""

    result: str
    key: str | None
    title: str
    sources: list[SourceJson]
    message: str
    changed_fields: list[str]
    conflicts: list[dict[str, Any]]
    candidates: list[str]
    kept: list[dict[str, Any]]
    attachments: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class RecordOutcome:
    """One distinct record's fate."""

    kind: RecordKind
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

    def as_json(self) -> RecordJson:
        return {
            "result": self.kind.value,
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
            counts[summary_key(o.kind)] += 1
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
            if o.kind is RecordKind.AMBIGUOUS
        ]
