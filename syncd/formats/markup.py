"""Markup in values: which ``<...>`` is markup, entities, and note HTML, for every format.

Exporters of every format write HTML, JATS and MathML into titles and abstracts,
and entities into any value. The rules are here once: only real markup is removed
(a ``<`` before a digit, a space or ``=`` is text, as for an HTML parser), never
from identifiers, and values are only parsed when they hold a ``<`` or ``&``, which
keeps the common case to a couple of ``in`` tests.
"""

from __future__ import annotations

import html
import re
from html.entities import html5
from typing import Final

# Any tag-shaped text: what a note keeps as HTML and title case steps over.
TAG_RE: Final = re.compile(r"<[^>]+>")
# The markup exporters write into values: HTML inline and block tags, JATS
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


def note_html(value: str) -> str:
    """A note value as Zotero note HTML; values that already hold markup are kept."""
    if TAG_RE.search(value):
        return value
    return (
        "<p>"
        + value.replace("\n\n", "</p><p>")
        .replace("\n", "<br/>")
        .replace("\t", "&nbsp;&nbsp;&nbsp;&nbsp;")
        .replace("  ", "&nbsp;&nbsp;")
        + "</p>"
    )
