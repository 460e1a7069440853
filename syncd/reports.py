"""A file's report: what happened to each record of one export (``FileReport``), and
why a file went to ``failed/`` (``FileError``).

The daemon writes ``NAME.report.json`` and ``NAME.report.txt`` beside a file it
moves to ``processed/``, and ``NAME.error.txt`` beside one it moves to ``failed/``;
``syncd sync --report DIR`` writes the same two report files for each file it
synced. The text of each is rendered by ``syncd.sync.render``. Pure, except
``write_report_files``.

A file's report covers all its runs. A sync cut short (SIGTERM, a file that grew
while it was read) is finished by a later run, which finds the records the first
run created already in the library and would call them unchanged; the outcomes
that wrote something are kept per file (``inbox_outcome``) and
``FileReport.with_earlier`` puts them back, so a record created in run 1 is
``created`` in the final report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypedDict, TypeVar

from syncd import jsonio
from syncd.attachments.outcome import AttachmentResult
from syncd.clock import now
from syncd.files import atomic_write
from syncd.sync.outcome import WROTE, RecordJson, RecordKind, SyncReport, summary_key
from syncd.sync.render import error_text, report_text

#: A later run's result that an earlier run's writing result replaces.
_QUIET = (RecordKind.UNCHANGED, RecordKind.UPDATED)


class ProblemJson(TypedDict):
    file: str
    line: int | None
    severity: str
    message: str


@dataclass(frozen=True, slots=True)
class FileReport:
    """What a sync did with one file, as its report files and ``inbox_file.report``
    hold it. ``duplicate_of``: the earlier file with the same content (nothing was
    synced); ``library``: which library the records went to (the daemon's)."""

    file: str
    sha256: str
    synced_at: str
    summary: dict[str, int]
    records: list[RecordJson]
    problems: list[ProblemJson]
    failed_files: list[str]
    duplicate_of: str | None = None
    library: str | None = None

    @classmethod
    def of_sync(cls, path: Path, report: SyncReport, sha256: str) -> FileReport:
        return cls(
            file=str(path),
            sha256=sha256,
            synced_at=now(),
            summary=report.counts(),
            records=[
                o.as_json()
                for o in sorted(
                    report.outcomes, key=lambda o: (o.sources[0].file, o.sources[0].line)
                )
            ],
            problems=[
                {"file": p.file, "line": p.line, "severity": p.severity, "message": p.message}
                for p in report.problems
            ],
            failed_files=list(report.failed_files),
        )

    @classmethod
    def duplicate(cls, path: Path, sha256: str, of: str) -> FileReport:
        """The same content as ``of``, already synced: not imported again."""
        return cls(str(path), sha256, now(), {}, [], [], [], duplicate_of=of)

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> FileReport:
        """A report as stored (a report from an older syncd may lack later keys)."""
        return cls(
            file=doc["file"],
            sha256=doc.get("sha256", ""),
            synced_at=doc.get("synced_at", ""),
            summary=doc.get("summary", {}),
            records=doc.get("records", []),
            problems=doc.get("problems", []),
            failed_files=doc.get("failed_files", []),
            duplicate_of=doc.get("duplicate_of"),
            library=doc.get("library"),
        )

    def as_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "file": self.file,
            "sha256": self.sha256,
            "synced_at": self.synced_at,
            "summary": self.summary,
            "records": self.records,
            "problems": self.problems,
            "failed_files": self.failed_files,
        }
        if self.duplicate_of is not None:
            doc["duplicate_of"] = self.duplicate_of
        if self.library is not None:
            doc["library"] = self.library
        return doc

    def for_library(self, name: str) -> FileReport:
        return replace(self, library=name)

    def refused(self) -> list[RecordJson]:
        """The records that failed."""
        return [r for r in self.records if r["result"] == RecordKind.FAILED]

    def attachment_names(self) -> list[str]:
        """The files and links the records named, as the export wrote them."""
        return [a["name"] for r in self.records for a in r.get("attachments", ())]

    def writing(self) -> list[RecordJson]:
        """The records of this run worth keeping for the file's final report."""
        return writing_outcomes(self.records)

    def with_earlier(self, earlier: Sequence[RecordJson]) -> FileReport:
        """This report (the last run's) with what earlier runs of the file wrote.

        A record the last run found unchanged, or updated, after an earlier run
        created or updated it gets the earlier result (created wins over updated;
        changed fields are joined). Records only an earlier run had are added. The
        summary is counted again, as ``SyncReport.counts`` counts it.
        """
        if not earlier:
            return self
        before: dict[str, RecordJson] = {}
        for rec in earlier:
            held = before.get(str(rec["key"]))
            if held is None or (held["result"] != "created" and rec["result"] == "created"):
                before[str(rec["key"])] = rec
        records: list[RecordJson] = []
        seen: set[str] = set()
        for rec in self.records:
            key = rec.get("key")
            old = before.get(key) if key else None
            if key:
                seen.add(key)
            if old is not None and rec["result"] in _QUIET:
                fields = sorted({*old.get("changed_fields", ()), *rec.get("changed_fields", ())})
                rec = {**rec, "result": old["result"], "changed_fields": fields}
            records.append(rec)
        records += [rec for key, rec in before.items() if key not in seen]
        return replace(self, records=records, summary=self._recount(records))

    def _recount(self, records: Sequence[RecordJson]) -> dict[str, int]:
        summary = dict.fromkeys(self.summary, 0)

        def add(name: str, n: int = 1) -> None:
            summary[name] = summary.get(name, 0) + n

        for rec in records:
            add(summary_key(RecordKind(rec["result"])))
            add(
                "failed",
                sum(
                    1 for a in rec.get("attachments", ()) if a["result"] == AttachmentResult.FAILED
                ),
            )
        add("failed", sum(1 for p in self.problems if p["severity"] == "error"))
        add("failed", len(self.failed_files))
        return summary


@dataclass(frozen=True, slots=True)
class FileError:
    """Why a file went to ``failed/`` and what the user can do about it."""

    file: str
    error: str
    what_to_do: str
    failed_at: str

    @classmethod
    def of(cls, path: Path, why: str, what_to_do: str) -> FileError:
        return cls(str(path), why, what_to_do, now())

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> FileError:
        return cls(doc["file"], doc["error"], doc["what_to_do"], doc.get("failed_at", ""))

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "error": self.error,
            "what_to_do": self.what_to_do,
            "failed_at": self.failed_at,
        }


def file_report(report: SyncReport, path: Path) -> SyncReport:
    """The part of a sync of several files that concerns ``path``.

    A record repeated across files is in the report of each file it came from.
    """
    name = str(path)
    return SyncReport(
        [o for o in report.outcomes if any(s.file == name for s in o.sources)],
        [p for p in report.problems if p.file == name],
        [f for f in report.failed_files if f.startswith(f"{name}:")],
    )


_R = TypeVar("_R", bound=Mapping[str, object])


def writing_outcomes(records: Iterable[_R]) -> list[_R]:
    """The records of a run worth keeping for the file's final report."""
    return [r for r in records if r.get("key") and r["result"] in WROTE]


def write_report_files(
    dest: Path, report: FileReport, *, write: Callable[..., None] = atomic_write
) -> None:
    """``DEST.report.json`` and ``DEST.report.txt``, private, each written whole
    (``write`` is ``files.atomic_write``; the inbox passes its own reference)."""
    write(
        Path(f"{dest}.report.json"),
        jsonio.dumps(report.as_json(), indent=True),
        mode=0o600,
        purpose="the sync report",
    )
    write(
        Path(f"{dest}.report.txt"),
        report_text(report).encode(),
        mode=0o600,
        purpose="the sync report",
    )


def write_error_file(
    dest: Path, error: FileError, *, write: Callable[..., None] = atomic_write
) -> None:
    """``DEST.error.txt``, private, written whole."""
    write(
        Path(f"{dest}.error.txt"), error_text(error).encode(), mode=0o600, purpose="the error file"
    )
