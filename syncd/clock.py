"""The one wall clock of syncd: timestamps as they are stored and shown.

Every timestamp syncd writes (state database, reports, status) is UTC, ISO 8601 to
the second, so they sort as text and compare with ``>=`` in SQL.
"""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def midnight() -> str:
    """The start of today (UTC), in the form timestamps are stored in."""
    return (
        datetime.now(UTC)
        .replace(hour=0, minute=0, second=0, microsecond=0)
        .isoformat(timespec="seconds")
    )
