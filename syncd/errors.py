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
