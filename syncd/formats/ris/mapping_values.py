"""Value conversions of the RIS import: dates, names, keywords, notes, links, HTML.

Pure string functions, each following one convention of Zotero's RIS import
(``zotero-ris-mapping.md`` section 5). HTML is only parsed when a value holds a
``<`` or ``&``, which keeps the common case to a couple of ``in`` tests.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from html.entities import html5
from typing import Any, Final
from urllib.parse import unquote

_RIS_DATE_RE: Final = re.compile(r"^(\d+)(?:/(\d{0,2})(?:/(\d{0,2})(?:[/\s]([^/]*))?)?)?$")
_YEAR_RE: Final = re.compile(r"\b\d{4}\b")
_DAY_RE: Final = re.compile(r"\b(?:[1-3]\d|[1-9])\b")
_WORD_RE: Final = re.compile(r"[A-Za-z]+")
# Unlike Zotero's pattern, hours 10 and 20 are matched too.
_TIME_RE: Final = re.compile(r"\b([01]?\d|2[0-3]):(\d{2})(?::(\d{2}))?\s*(am|pm)?", re.IGNORECASE)
_TAG_RE: Final = re.compile(r"<[^>]+>")
# The markup exporters write into RIS values: HTML inline and block tags, JATS
# (bare or ``jats:``) and MathML (bare or ``mml:``). Only these are removed: any
# other ``<...>`` is text (``aged <65 years versus >75 years``, the SICI DOI
# ``...53:3<266::AID-MRD2>3.0.CO;2-6``), as it is for an HTML parser when a digit,
# a space or ``=`` follows the ``<``. A tag's attributes must read as
# ``name="value"`` pairs, so ``<b and c>`` stays text too.
_MARKUP_NAMES: Final = (
    "a|abbr|b|big|blockquote|bold|br|cite|code|dd|del|dfn|div|dl|dt|em|font|h[1-6]|hr|i|"
    "img|ins|italic|kbd|li|mark|monospace|ol|overline|p|pre|q|roman|s|sans-serif|sc|scp|"
    "small|span|strike|strong|styled-content|sub|sup|inf|tt|u|ul|underline|var|wbr|"
    "named-content|inline-formula|disp-formula|tex-math|alternatives|ext-link|uri|xref|"
    "title|label|sec|list|list-item|break|"
    "math|semantics|annotation|annotation-xml|mrow|mi|mn|mo|ms|mtext|mspace|mstyle|"
    "msub|msup|msubsup|mfrac|msqrt|mroot|mover|munder|munderover|mfenced|mtable|mtr|mtd|"
    "mpadded|mphantom|menclose|mmultiscripts|mprescripts|none"
)
_MARKUP_RE: Final = re.compile(
    r"</?(?:(?:mml|jats):[A-Za-z][\w.-]*|(?:" + _MARKUP_NAMES + r"))"
    r"(?:\s+[A-Za-z_:][\w:.-]*\s*=\s*(?:\"[^\"<>]*\"|'[^'<>]*'|[^\s\"'<>=`]+))*\s*/?>",
    re.IGNORECASE,
)
_SPACES_RE: Final = re.compile(r"\s+")
_KW_SPLIT_RE: Final = re.compile(r"\s*(?:[\r\n]+\s*)+(?:%K\s+)?|\s*(?:;\s*)+")
_COMMA_SPLIT_RE: Final = re.compile(r"\s*(?:,\s*)+")
_FILE_TITLE_RE: Final = re.compile(r"([^/\\]+)(?:\.\w{1,8})$")
_MONTHS: Final = {
    m: i + 1
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    )
}


def unescape_html(value: str) -> str:
    """Text of a value that may hold HTML markup or entities.

    Like Zotero, tags are dropped (``<i>x</i>`` -> ``x``) and whitespace runs
    collapse when the value holds a ``<``; entities are decoded either way. Only
    real markup is a tag (:data:`_MARKUP_RE`): other text between ``<`` and ``>``
    stays.
    """
    if "<" in value:
        text = html.unescape(_MARKUP_RE.sub("", value))
        return _SPACES_RE.sub(" ", text).strip()
    if "&" in value:
        # A character reference never spans an "&", so each "&..." piece unescapes
        # on its own; the pieces repeat (Scopus links all end "&partnerID=..."),
        # and html.unescape is costly on a "&" that starts no reference.
        head, *pieces = value.split("&")
        return head + "".join([_unescape_piece(piece) for piece in pieces])
    return value


def unescape_entities(value: str) -> str:
    """``value`` with character references decoded and nothing removed: for the
    identifiers (DOI, ISSN/ISBN, links, accession numbers), where ``<...>`` is part
    of the value (SICI DOIs) and never markup."""
    if "&" not in value:
        return value
    head, *pieces = value.split("&")
    return head + "".join([_unescape_piece(piece) for piece in pieces])


_PIECE_CACHE: Final[dict[str, str]] = {}
# The names html.unescape also takes without a ";" (``&amp``, ``&copy``...), HTML5's
# legacy references; every other named reference ends in ";".
_BARE_NAMES: Final = tuple(sorted(name for name in html5 if not name.endswith(";")))


def _may_unescape(piece: str) -> bool:
    """False when ``"&" + piece`` starts no character reference, so html.unescape would
    return it unchanged: a numeric reference starts with "#", a named one is a name
    HTML5 knows followed by ";" (a name holds at most 32 characters) or a legacy
    name without one. Scopus links are pieces of this kind ("&doi=10.1155%2f...",
    "&md5=0d1c..."), different in every record, so no cache helps them."""
    if piece.startswith("#") or piece.startswith(_BARE_NAMES):
        return True
    end = piece.find(";", 1, 34)
    return end > 0 and piece[: end + 1] in html5


def _unescape_piece(piece: str) -> str:
    # Only short pieces are cached, and the cache is emptied when full, so it
    # stays small whatever the input. A plain dict: read from compiled code it
    # costs a tenth of an lru_cache call.
    if not _may_unescape(piece):
        return "&" + piece
    if len(piece) > 64:
        return html.unescape("&" + piece)
    text = _PIECE_CACHE.get(piece)
    if text is None:
        if len(_PIECE_CACHE) >= 4096:
            _PIECE_CACHE.clear()
        text = _PIECE_CACHE[piece] = html.unescape("&" + piece)
    return text


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
    if m and m.group(2)[:3].lower() in _MONTHS:
        return int(m.group(3)), _MONTHS[m.group(2)[:3].lower()], int(m.group(1))
    m = _MONTH_DAY_YEAR_RE.match(value)
    if m and m.group(1)[:3].lower() in _MONTHS:
        return int(m.group(3)), _MONTHS[m.group(1)[:3].lower()], int(m.group(2))
    return None


def creator(value: str, creator_type: str) -> dict[str, Any] | None:
    """A creator from ``Last, First`` (first comma splits) or a single-field name.

    None when the value holds no name at all (``,`` or spaces): Zotero skips those.
    """
    comma = value.find(",")
    if comma < 0:
        name = value.strip()
        return {"creatorType": creator_type, "name": name} if name else None
    last = value[:comma].strip()
    first = value[comma + 1 :].strip()
    if not first:
        return {"creatorType": creator_type, "name": last} if last else None
    return {"creatorType": creator_type, "firstName": first, "lastName": last}


def initials_first_name(value: str) -> str:
    """``A. B. Smith`` -> ``Smith, A. B.`` (for exporters that write names that way)."""
    value = value.strip()
    if "," in value or " " not in value:
        return value
    first, _, last = value.rpartition(" ")
    return f"{last}, {first}"


_SURNAME_INITIALS_RE: Final = re.compile(r"^(.+?)\s+((?:[A-Z]\.?-?){1,4})$")


def surname_initials(value: str) -> str:
    """``Wang D.`` / ``Wang DH`` -> ``Wang, D.`` / ``Wang, DH`` (Ovid, PubMed style)."""
    m = _SURNAME_INITIALS_RE.match(value.strip())
    if m is None:
        return value
    return f"{m.group(1)}, {m.group(2)}"


def split_keywords(value: str) -> list[str]:
    """One KW value split on newlines (and RefMan ``%K``) and semicolons."""
    if "\n" not in value and "\r" not in value and ";" not in value:
        return [value] if value else []
    return [p for p in _KW_SPLIT_RE.split(value) if p]


def split_single_tag(tag: str) -> list[str]:
    """The lone tag of a record split on commas (Zotero's one-tag rule)."""
    return [p for p in _COMMA_SPLIT_RE.split(tag) if p]


def note_html(value: str) -> str:
    """A note value as Zotero note HTML; values that already hold markup are kept."""
    if _TAG_RE.search(value):
        return value
    return (
        "<p>"
        + value.replace("\n\n", "</p><p>")
        .replace("\n", "<br/>")
        .replace("\t", "&nbsp;&nbsp;&nbsp;&nbsp;")
        .replace("  ", "&nbsp;&nbsp;")
        + "</p>"
    )


def attachments(value: str, kind: str) -> list[dict[str, str]]:
    """L1/L2/L4 links as Zotero's import describes them: {title, path[, mimeType]}."""
    out: list[dict[str, str]] = []
    for line in value.split("\n"):
        path = line.strip()
        if path.lower().startswith("internal-pdf://"):
            path = "PDF/" + path[len("internal-pdf://") :]
        if not path:
            continue
        if kind == "HTML":
            out.append({"title": "Full Text (HTML)", "path": path, "mimeType": "text/html"})
            continue
        m = _FILE_TITLE_RE.search(path)
        title = unquote(m.group(1)) if m else "Attachment"
        out.append({"title": title, "path": path})
    return out


# Zotero's name and title utilities (zotero/utilities, utilities.js: cleanAuthor and
# capitalizeTitle), which its XML, MEDLINE and BibTeX translators call and its RIS
# import does not. Ported rule for rule, quirks included (only the first whitespace
# run and the first ``.x`` are touched, as in the original), so that names and
# journal titles come out as Zotero's import of the same file gives them.
_AUTHOR_EDGES_RE: Final = re.compile(r"^[\s\u00a0.,/\[\]:]+|[\s\u00a0.,/\[\]:]+$")
_AUTHOR_SPACE_RE: Final = re.compile(r"[\s\u00a0]+")
_AUTHOR_DOT_RE: Final = re.compile(r"\.([^ ])")
_AUTHOR_COMMA_RE: Final = re.compile(r"[,\u060c] ?")
_ALL_CAPS_RE: Final = re.compile(r"^[A-Z\u0400-\u042f]+$")
_INITIAL_RE: Final = re.compile(r"^-?[A-Z\u0400-\u042f]$")
_DASHES: Final = "\\-\u00ad\u2010-\u2015\u2212\u2e3a\u2e3b"
_FIRST_DASH_RE: Final = re.compile(r"\s*([" + _DASHES + r"])\s*")
_FIRST_SPLIT_RE: Final = re.compile(r"(?:[\s.]+|(?=-))")


def clean_author(value: str, creator_type: str) -> dict[str, Any] | None:
    """A creator from an inverted ``Last, First`` name, as Zotero's ``cleanAuthor``
    (with ``useComma``) makes it: initials get their periods (``John S`` -> ``John
    S.``, ``PO`` -> ``P. O.``). A name with no comma is one field; None for no name."""
    author = _AUTHOR_EDGES_RE.sub("", value)
    author = _AUTHOR_SPACE_RE.sub(" ", author, count=1)
    author = _AUTHOR_DOT_RE.sub(r". \1", author, count=1)
    parts = _AUTHOR_COMMA_RE.split(author)
    last = parts[0].strip()
    first = parts[1] if len(parts) > 1 else ""
    if (
        first
        and _ALL_CAPS_RE.match(first)
        and len(first) < 4
        and (len(first) == 1 or last.upper() != last)
    ):
        first = " ".join(ch + "." for ch in first)
    if first:
        first = first.lstrip(" \t\n\r\f\v.").rstrip(" \t\n\r\f\v,")
        first = _FIRST_DASH_RE.sub(r"-", first, count=1)
        # JavaScript's split yields no empty piece where a match follows a match.
        names = [n for n in _FIRST_SPLIT_RE.split(first) if n]
        first = " ".join(n + "." if _INITIAL_RE.match(n) else n for n in names)
        first = first.replace(" -", "-").strip()
    if not last:
        return None
    if not first:
        return {"creatorType": creator_type, "name": last}
    return {"creatorType": creator_type, "firstName": first, "lastName": last}


_SKIP_WORDS: Final = frozenset(
    {"but", "or", "yet", "so", "for", "and", "nor", "a", "an", "the", "at", "by"}
    | {"from", "in", "into", "of", "on", "to", "with", "up", "down", "as"}
)
_TITLE_DELIMITER_RE: Final = re.compile(r"([ /" + _DASHES + r"])")
_TITLE_PUNCT_RE: Final = re.compile("^['\"\u00a1\u00bf\u201c\u2018\u201e\u00ab\\s]+")
_NOT_LETTERS_RE: Final = re.compile(r"[^a-zA-Z]+")


def capitalize_title(value: str) -> str:
    """``value`` in title case as Zotero's ``capitalizeTitle(value, true)`` makes it:
    words in lower case (or all of a title in upper case) get a capital, short
    function words stay lower unless first, last or after a colon."""
    text = " ".join(value.split()).replace(" : ", ": ")
    if not text:
        return ""
    tags: list[tuple[int, str]] = []
    if "<" in text:
        # Put back after, each at its offset in the original (earlier ones included).
        tags = [(m.start(), m.group()) for m in _TAG_RE.finditer(text)]
        text = _TAG_RE.sub("", text)
    words = _TITLE_DELIMITER_RE.split(text)
    upper = text.upper() == text
    last = len(words) - 1
    previous = -1
    for i, word in enumerate(words):
        if not word or (len(word) == 1 and _TITLE_DELIMITER_RE.match(word)):
            continue
        lower = word.lower()
        if upper or word == lower:
            after_colon = previous != -1 and words[previous][-1] in ":?!"
            if (
                _NOT_LETTERS_RE.sub("", lower, count=1) in _SKIP_WORDS
                and i not in (0, last)
                and not after_colon
            ):
                words[i] = lower
            else:
                m = _TITLE_PUNCT_RE.match(word)
                cut = len(m.group()) + 1 if m else 1
                words[i] = word[:cut].upper() + word[cut:].lower()
        previous = i
    out = "".join(words)
    for offset, tag in tags:
        out = out[:offset] + tag + out[offset:]
    return out
