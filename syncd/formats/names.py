"""Names and titles as Zotero's imports write them, for every format.

RIS's plain split of ``Last, First`` (:func:`creator`), the name shapes exporters
write (:func:`initials_first_name`, :func:`surname_initials`), and Zotero's
``cleanAuthor`` and ``capitalizeTitle`` (:func:`clean_author`, :func:`person`,
:func:`capitalize_title`), which its XML, MEDLINE, Web of Science and BibTeX
translators call.
"""

from __future__ import annotations

import re
from typing import Any, Final

from syncd.formats.markup import TAG_RE


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
    if first:
        first = _first_name(first, last)
    if not last:
        return None
    if not first:
        return {"creatorType": creator_type, "name": last}
    return {"creatorType": creator_type, "firstName": first, "lastName": last}


def person(value: str, *, comma: bool = True) -> str:
    """A name as ``Last, First`` with the first name as :func:`clean_author` writes it.

    ``van Raaij, M J`` -> ``van Raaij, M. J.``; ``Smith, JM`` -> ``Smith, J. M.``.
    Without a comma (``comma`` False, or none in the value) the last word is the
    surname, unless it is initials (``Wang DH``, PubMed's short form). For the
    tagged formats, whose names go on through RIS's ``AU`` (MEDLINE, Web of Science).
    """
    value = value.strip().strip(",")
    if "," in value and comma:
        last, _, first = value.partition(",")
    else:
        head, _, tail = value.rpartition(" ")
        if not head:
            return value
        if _ALL_CAPS_RE.match(tail) and len(tail) <= 3:
            last, first = head, tail
        else:
            last, first = tail, head
    last, first = last.strip(), first.strip()
    if not first:
        return last
    return f"{last}, {_first_name(first, last)}"


def _first_name(first: str, last: str) -> str:
    """A first name as ``cleanAuthor`` writes it: initials get their periods."""
    if _ALL_CAPS_RE.match(first) and len(first) < 4 and (len(first) == 1 or last.upper() != last):
        first = " ".join(ch + "." for ch in first)
    first = first.lstrip(" \t\n\r\f\v.").rstrip(" \t\n\r\f\v,")
    first = _FIRST_DASH_RE.sub(r"-", first, count=1)
    # JavaScript's split yields no empty piece where a match follows a match.
    names = [n for n in _FIRST_SPLIT_RE.split(first) if n]
    first = " ".join(n + "." if _INITIAL_RE.match(n) else n for n in names)
    return first.replace(" -", "-").strip()


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
        tags = [(m.start(), m.group()) for m in TAG_RE.finditer(text)]
        text = TAG_RE.sub("", text)
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
