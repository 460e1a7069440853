"""Dates as Zotero's imports read them: slash dates, access dates, loose dates, months.

Pure string functions shared by the formats' mappings: RIS's ``YYYY/MM/DD/other``
(``zotero-ris-mapping.md`` section 5), access dates as ISO 8601, and the
``2024-01-05`` / ``05 January 2024`` / ``January 5, 2024`` shapes exporters stamp
records with.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

_RIS_DATE_RE: Final = re.compile(r"^(\d+)(?:/(\d{0,2})(?:/(\d{0,2})(?:[/\s]([^/]*))?)?)?$")
_YEAR_RE: Final = re.compile(r"\b\d{4}\b")
_DAY_RE: Final = re.compile(r"\b(?:[1-3]\d|[1-9])\b")
_WORD_RE: Final = re.compile(r"[A-Za-z]+")
# Unlike Zotero's pattern, hours 10 and 20 are matched too.
_TIME_RE: Final = re.compile(r"\b([01]?\d|2[0-3]):(\d{2})(?::(\d{2}))?\s*(am|pm)?", re.IGNORECASE)
MONTH_NAMES: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
MONTHS: Final = {m[:3].lower(): i + 1 for i, m in enumerate(MONTH_NAMES)}
"""Month number of a month name's first three letters, lower case."""


# A compact ``YYYYMMDD`` date (TRID writes ``PY - Start date: 20170812``).
_COMPACT_DATE_RE: Final = re.compile(
    r"(?<!\d)([12]\d{3})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?!\d)"
)


def ris_date(value: str) -> str:
    """A date value converted the way Zotero's RIS import converts DA/Y1/PY.

    Unlike Zotero, a compact ``YYYYMMDD`` date, alone or after a label, is read as
    that day (Zotero makes ``20170812`` a year, and ``Start date: 20170812`` no
    date at all).
    """
    if len(value) >= 8 and (m := _COMPACT_DATE_RE.search(value)) and not _YEAR_RE.search(value):
        return f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
    if value.isdecimal():
        # A bare year (the usual PY/Y1): what the pattern below gives, without it.
        year = value.lstrip("0")
        return year.rjust(4, "0") if year else ""
    parts = _ris_date_parts(value)
    if parts is None:
        if _YEAR_RE.search(value) is None:
            word = _WORD_RE.search(value)
            if word is not None:
                day_m = _DAY_RE.search(value)
                return "0000 " + word.group(0) + (" " + day_m.group(0) if day_m else "")
        return value
    year, month, day, _ = parts
    if not year:
        return ""
    out = year.rjust(4, "0")
    if month:
        out += "-" + month.rjust(2, "0")
        if day:
            out += "-" + day.rjust(2, "0")
    return out


def _ris_date_parts(value: str) -> tuple[str, str, str, str] | None:
    m = _RIS_DATE_RE.match(value)
    if m is None:
        return None
    raw = [m.group(1), m.group(2) or "", m.group(3) or ""]
    out: list[str] = []
    for part in raw:
        part = part.lstrip("0")
        if not part:
            break
        out.append(part)
    while len(out) < 3:
        out.append("")
    return out[0], out[1], out[2], m.group(4) or ""


def access_date(value: str) -> str | None:
    """Y2 (or the EndNote M1/VL backup) as ISO 8601, or None when unreadable.

    ``YYYY[/MM[/DD[/hh:mm:ss am]]]`` gives ``YYYY-MM-DD`` (a missing month or
    day becomes 01) or, with a time, ``YYYY-MM-DDThh:mm:ssZ``. Other shapes are
    read as ``YYYY-MM-DD``, ``DD Month YYYY`` or ``Month DD, YYYY``.
    """
    parts = _ris_date_parts(value)
    time: tuple[int, int, int] | None = None
    if parts is not None:
        year, month, day, rest = parts
        if not year:
            return None
        y, mo, d = int(year), int(month or 1), int(day or 1)
        t = _TIME_RE.search(rest) if rest else None
        if t is not None:
            hour = int(t.group(1))
            ampm = (t.group(4) or "").lower()
            if ampm == "pm" and hour < 12:
                hour += 12
            elif ampm == "am" and hour == 12:
                hour = 0
            time = (hour, int(t.group(2)), int(t.group(3) or 0))
    else:
        parsed = parse_loose_date(value)
        if parsed is None:
            return None
        y, mo, d = parsed
    if not (1 <= mo <= 12 and 1 <= d <= 31 and y > 0):
        return None
    if time is None:
        return f"{y:04d}-{mo:02d}-{d:02d}"
    h, mi, s = time
    return f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}Z"


_ISO_DATE_RE: Final = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})")
_DAY_MONTH_YEAR_RE: Final = re.compile(r"^\s*(\d{1,2})\s+([A-Za-z]{3,})\.?\s+(\d{4})\b")
_MONTH_DAY_YEAR_RE: Final = re.compile(r"^\s*([A-Za-z]{3,})\.?\s+(\d{1,2}),?\s+(\d{4})\b")


@lru_cache(maxsize=256)  # an export stamps every record with the same date
def parse_loose_date(value: str) -> tuple[int, int, int] | None:
    """(year, month, day) from ``2024-01-05``, ``05 January 2024`` or ``January 5, 2024``."""
    m = _ISO_DATE_RE.match(value)
    if m:
        return int(m.group(1)), int(m.group(2)), int(m.group(3))
    m = _DAY_MONTH_YEAR_RE.match(value)
    if m and m.group(2)[:3].lower() in MONTHS:
        return int(m.group(3)), MONTHS[m.group(2)[:3].lower()], int(m.group(1))
    m = _MONTH_DAY_YEAR_RE.match(value)
    if m and m.group(1)[:3].lower() in MONTHS:
        return int(m.group(3)), MONTHS[m.group(1)[:3].lower()], int(m.group(2))
    return None
