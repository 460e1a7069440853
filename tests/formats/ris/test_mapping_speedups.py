"""The mapping's shortcuts give exactly what the plain forms they replace give.

Each rewrite made for speed (issue 2's read+map target) is checked here against
the straightforward version it replaced, on generated inputs built from the
pieces that make the shortcut matter.
"""

from __future__ import annotations

import html
import re
from html.entities import html5

from hypothesis import given, settings
from hypothesis import strategies as st

from syncd.formats.markup import unescape_entities, unescape_html
from syncd.formats.ris import dialects

_PIECES = st.sampled_from(
    [
        "&",
        "amp",
        ";",
        "#",
        "x",
        "41",
        "#0000065;",
        "para",
        "partnerID=8YFLogxK",
        "lt",
        "&&",
        " ",
        "a",
        "notin",
        "#x1F600",
        "copy",
        "\n",
        "é",
        "scp=84864948206",
        "nbsp;",
        "\t",
        "doi=10.1155%2f2012%2f273291",
        "md5=0d1c6c2a0a6b3b7a3d0e7e6c1f9a8b2d",
        "CounterClockwiseContourIntegral",
        "AElig",
        "ampx",
        "notit;",
        "frac12",
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=5)), max_size=12))
def test_piecewise_unescape_equals_html_unescape(parts: list[str]) -> None:
    value = "".join(parts).replace("<", "")
    assert unescape_html(value) == html.unescape(value)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=5)), max_size=12))
def test_piecewise_entity_unescape_equals_html_unescape(parts: list[str]) -> None:
    value = "".join(parts)
    assert unescape_entities(value) == html.unescape(value)


def test_every_html5_reference_is_unescaped_whatever_follows_it() -> None:
    for name in html5:
        for tail in ("", ";", "x", "1;", " y", "=40", "&lt;"):
            value = "a&" + name + tail
            assert unescape_entities(value) == html.unescape(value), value


def test_long_pieces_are_unescaped_without_the_cache() -> None:
    value = "a&#" + "0" * 100 + "65;b&amp;" + "x" * 200
    assert unescape_html(value) == html.unescape(value)


_OLD_EXPORT_DATE = re.compile(r"^Export\s+Date\s*:\s*(.+?)\s*$", re.IGNORECASE)


@settings(max_examples=500, deadline=None)
@given(
    st.sampled_from(
        ["Export Date:", "export  date :", "EXPORT DATE:", "Export Date", "Export\tDate:"]
    ),
    st.text(alphabet=" \t\n\r\u00a0aZ0:9;", max_size=12),
)
def test_export_date_pattern_matches_the_lazy_form_on_stripped_parts(label: str, rest: str) -> None:
    part = (label + rest).strip()
    old = _OLD_EXPORT_DATE.match(part)
    new = dialects._EXPORT_DATE_RE.match(part)
    assert (old.group(1) if old else None) == (new.group(1) if new else None)


_OLD_EID = (
    re.compile(r"2-s2\.0-(\d{6,})", re.IGNORECASE),
    re.compile(r"^\s*SCOPUS(?:_ID)?\s*:\s*(\d{6,})\s*$", re.IGNORECASE),
    re.compile(r"[?&](?:eid=2-s2\.0-|scp=)(\d{6,})", re.IGNORECASE),
)


def _old_normalize_scopus_eid(text: str) -> str | None:
    m = _OLD_EID[0].search(text) or _OLD_EID[1].match(text) or _OLD_EID[2].search(text)
    return f"2-s2.0-{m.group(1)}" if m else None


@settings(max_examples=500, deadline=None)
@given(
    st.sampled_from(
        [
            "SCOPUS:",
            "scopus:",
            "SCOPUS: ",
            " SCOPUS:",
            "\u017fcopus:",
            "SCOPUS_ID:",
            "",
            "2-s2.0-",
            "http://x?scp=",
        ]
    ),
    st.text(alphabet="0123456789\u0663\u00b2 \nx", max_size=14),
)
def test_scopus_prefix_shortcut_matches_the_patterns(prefix: str, digits: str) -> None:
    from syncd.identifiers import normalize_scopus_eid

    text = prefix + digits
    assert normalize_scopus_eid(text) == (_old_normalize_scopus_eid(text) if text else None)


_COMPACT_DAY = re.compile(r"[12]\d{3}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])")
_OLD_RIS_DATE = re.compile(r"^(\d+)(?:/(\d{0,2})(?:/(\d{0,2})(?:[/\s]([^/]*))?)?)?$")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789\u0663\u00b2", min_size=1, max_size=8))
def test_bare_year_shortcut_matches_the_date_pattern(value: str) -> None:
    from syncd.formats.dates import ris_date

    m = _OLD_RIS_DATE.match(value)
    if m is None:
        return  # not a bare number: the shortcut does not apply
    if _COMPACT_DAY.fullmatch(value):
        return  # a compact YYYYMMDD is read as that day (TRID), not as a year
    year = m.group(1).lstrip("0")
    assert ris_date(value) == (year.rjust(4, "0") if year else "")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="10/.2a%3F ", max_size=16))
def test_doi_shortcut_only_skips_values_the_pattern_cannot_match(text: str) -> None:
    from urllib.parse import unquote

    from syncd import identifiers

    decoded = unquote(text) if "%" in text else text
    if "10" not in decoded or "/" not in decoded:
        assert identifiers._DOI_RE.search(decoded) is None
        assert identifiers.clean_doi(text) is None


@given(st.text(alphabet="0/ab-", max_size=10), st.sampled_from(["1999", "2012"]))
def test_zero_year_replacement_needs_four_zeros(current: str, year: str) -> None:
    from syncd.formats.ris import mapping

    if "0000" not in current:
        assert mapping._ZERO_YEAR_RE.sub(year, current, count=1) == current


_OLD_ISSN = re.compile(r"\b(\d{4})\s*[-\u2010-\u2015]?\s*(\d{3}[\dXx])\b")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="0123456789Xx-\u0663 ", min_size=9, max_size=9))
def test_canonical_issn_shortcut_matches_the_pattern(text: str) -> None:
    from syncd.identifiers import _issn_ok, all_issns

    expected: list[str] = []
    for m in _OLD_ISSN.finditer(text):
        d = m.group(1) + m.group(2).upper()
        if _issn_ok(d) and f"{d[:4]}-{d[4:]}" not in expected:
            expected.append(f"{d[:4]}-{d[4:]}")
    assert all_issns(text) == tuple(expected)


@given(st.text(alphabet="0123456789Xx- ", max_size=9))
def test_isbn_candidates_need_ten_characters(text: str) -> None:
    from syncd import identifiers

    assert identifiers._ISBN_CANDIDATE_RE.search(text) is None
