"""Only real markup is removed from values: text between ``<`` and ``>`` is data.

Exporters write HTML, JATS and MathML tags into titles (``<i>``, ``<sub>``,
``<jats:italic>``, ``<mml:mi>``); a ``<`` that starts no such tag is text, and
identifiers are never stripped at all (Wiley and BioOne SICI DOIs hold ``<...>``).
"""

from __future__ import annotations

import pytest
from ris_helpers import convert_text

from syncd.formats.markup import unescape_html

SICI = "10.1002/(SICI)1098-2795(199907)53:3<266::AID-MRD2>3.0.CO;2-6"
SICI_OTHER = "10.1002/(SICI)1098-2795(199907)53:3<274::AID-MRD3>3.0.CO;2-6"


def _one(*lines: str) -> dict[str, object]:
    (record,) = convert_text("\n".join(["TY  - JOUR", *lines, "ER  - ", ""]))
    return record.item


def test_a_sici_doi_keeps_the_text_between_its_angle_brackets() -> None:
    item = _one("TI  - A title", f"DO  - {SICI}")
    assert item["DOI"] == SICI


def test_two_sici_dois_that_differ_only_inside_angle_brackets_stay_two_identifiers() -> None:
    text = "".join(
        f"TY  - JOUR\nTI  - Work {n}\nDO  - {doi}\nER  - \n\n"
        for n, doi in enumerate((SICI, SICI_OTHER))
    )
    first, second = convert_text(text)
    assert first.identifiers.doi != second.identifiers.doi


def test_an_escaped_sici_doi_is_decoded_not_stripped() -> None:
    escaped = SICI.replace("<", "&lt;").replace(">", "&gt;")
    assert _one("TI  - A title", f"DO  - {escaped}")["DOI"] == SICI


def test_a_sici_doi_in_a_link_keeps_its_angle_brackets() -> None:
    item = _one("TI  - A title", f"UR  - https://doi.org/{SICI}")
    assert item["url"] == f"https://doi.org/{SICI}"
    assert item["DOI"] == SICI


def test_a_title_comparing_ages_keeps_both_ages() -> None:
    item = _one("TI  - Outcomes in patients aged <65 years versus >75 years")
    assert item["title"] == "Outcomes in patients aged <65 years versus >75 years"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("p <0.05 and q > 1", "p <0.05 and q > 1"),
        ("a < b and c > d", "a < b and c > d"),
        ("x <= y >= z", "x <= y >= z"),
        ("a <b and c> d", "a <b and c> d"),
        ("The <Z> boson", "The <Z> boson"),
    ],
)
def test_a_less_than_sign_that_starts_no_tag_is_text(value: str, text: str) -> None:
    assert unescape_html(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("Effect of <i>E. coli</i> on H<sub>2</sub>O", "Effect of E. coli on H2O"),
        ("<b>Bold</b> and <EM>em</EM><br/>next", "Bold and emnext"),
        ('A <span class="nocase">DNA</span> study', "A DNA study"),
        ("CO<inf>2</inf> and <scp>Sars</scp>", "CO2 and Sars"),
        ("<jats:title>On <jats:italic>X</jats:italic></jats:title>", "On X"),
        ("Mass <mml:math><mml:mi>m</mml:mi></mml:math> here", "Mass m here"),
        ("Mass <math><msub><mi>m</mi><mn>0</mn></msub></math>", "Mass m0"),
        ("&lt;65 years &amp; older", "<65 years & older"),
    ],
)
def test_html_jats_and_mathml_markup_is_removed(value: str, text: str) -> None:
    assert unescape_html(value) == text
