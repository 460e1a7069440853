"""The project's own error types.

Every error carries a message a user can act on: what went wrong, where, and what
to do. Exit codes follow the CLI contract: 1 for failed records or files, 2 for
usage or configuration problems, 75 (EX_TEMPFAIL) when the API stayed unavailable.
None of these messages may ever contain an API key: they are built from our own
words and from values that never include the key.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class SyncdError(Exception):
    """Base of every error syncd raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} ({self.hint})"
        return self.message


class InputError(SyncdError):
    """An input file, or a part of one, could not be read."""

    def __init__(
        self, message: str, *, file: str, line: int | None = None, hint: str | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.file = file
        self.line = line

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {super().__str__()}"


class UnknownFormatError(InputError):
    """The file is in none of the formats syncd reads (binary, empty, an unknown text...)."""


class NotRisError(UnknownFormatError):
    """The file holds no RIS at all (binary, BibTeX, empty...)."""


class ConfigError(SyncdError):
    """The configuration is missing, malformed or contradictory."""

    exit_code = 2


class UsageError(SyncdError):
    """The command line asked for something that cannot be done."""

    exit_code = 2


class SchemaError(SyncdError):
    """The Zotero schema could not be loaded or does not look like one."""

    exit_code = 2


class CredentialError(SyncdError):
    """No API key could be found, or the key lacks the access syncd needs."""

    exit_code = 2


class ApiError(SyncdError):
    """The Zotero API answered in a way syncd cannot recover from by retrying."""

    def __init__(self, message: str, *, status: int | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.status = status


class ApiUnavailableError(ApiError):
    """The API stayed unavailable (429/5xx/network) past the retry budget."""

    exit_code = 75


class StateError(SyncdError):
    """The state database is unusable (corrupt, newer schema, disk full)."""

    exit_code = 2


class Interrupted(SyncdError):
    """A sync stopped between batches because the daemon is shutting down.

    Nothing is lost: what was sent is recorded, the rest is done on the next run.
    ``outcomes`` are the records' outcomes known when it stopped (RecordOutcome
    objects), so the file's report can still say which records this run created.
    """

    def __init__(self, message: str, *, outcomes: Sequence[Any] = ()) -> None:
        super().__init__(message)
        self.outcomes: list[Any] = list(outcomes)


DESKTOP_UNREACHABLE = (
    "Zotero desktop not reachable (is it running, with the local API enabled in "
    "Settings → Advanced?)"
)


class DesktopUnreachableError(ApiUnavailableError):
    """Zotero desktop did not answer: not running, or its local API is off.

    An ``ApiUnavailableError`` (exit 75): running again once Zotero is open finishes
    the job, and the daemon keeps the files waiting and looks again by itself.
    """

    def __init__(self, library: str, detail: str = "") -> None:
        super().__init__(
            f"{library}: {DESKTOP_UNREACHABLE}" + (f" [{detail}]" if detail else ""),
            hint="open Zotero; the files wait and are synced when it answers",
        )


class LocalKeyRefusedError(CredentialError):
    """Zotero desktop refused the local API key (401): a one-time key spent, or revoked."""

    def __init__(self, library: str) -> None:
        super().__init__(
            f"{library}: Zotero desktop refused the local API key: a key given with "
            '"Allow" is spent by its first write, and "Clear Write Authorizations" revokes '
            "every key; nothing was written and the files wait",
            hint=f"run `syncd key authorize --library {library}` and answer "
            '"Always Allow" in Zotero',
        )


class ServerChangedError(SyncdError):
    """Zotero desktop answers with another server ID than the library was synced with.

    Another profile or database is behind 127.0.0.1: its versions and keys mean
    nothing for what syncd remembers, so nothing is written until the user says so.
    """

    exit_code = 2

    def __init__(self, library: str, expected: str, found: str) -> None:
        super().__init__(
            f"{library}: Zotero desktop now has server ID {found}, not {expected} that this "
            "library was synced with: it is another Zotero profile or database, so nothing "
            "was written to it and the files wait",
            hint=f"open the Zotero profile syncd wrote to before; or, to sync into this one "
            f"from now on, run `syncd key authorize --library {library}` (syncd keeps the "
            "two libraries' state apart)",
        )
        self.expected = expected
        self.found = found
