"""The rules every format shares are written once, so each format follows them alike."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from syncd.convert import convert_file
from syncd.formats.names import clean_author, person
from syncd.formats.records import ConvertedRecord
from syncd.schema import bundled_schema


def _items(path: Path) -> list[dict[str, object]]:
    entries = convert_file(path, bundled_schema())
    return [e.item for e in entries if isinstance(e, ConvertedRecord)]


@pytest.mark.parametrize(
    "name",
    ["van Raaij, M J", "Smith, JM", "Wang, D.-H.", "Petrov, ИВ", "Nguyen, Van-Anh T"],
)
def test_a_tagged_name_gets_the_initials_an_xml_name_gets(name: str) -> None:
    creator = clean_author(name, "author")
    assert creator is not None
    assert person(name) == f"{creator['lastName']}, {creator['firstName']}"


def test_a_shortened_page_range_is_written_out_in_medline_and_in_pubmed_xml(
    tmp_path: Path,
) -> None:
    medline = tmp_path / "a.nbib"
    medline.write_text("PMID- 31234567\nTI  - A record.\nPG  - 475-82\nDP  - 2020\n")
    pubmed = tmp_path / "a.xml"
    pubmed.write_text(
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>31234567</PMID>"
        "<Article><ArticleTitle>A record.</ArticleTitle>"
        "<Pagination><MedlinePgn>475-82</MedlinePgn></Pagination></Article>"
        "</MedlineCitation></PubmedArticle></PubmedArticleSet>"
    )
    assert [i["pages"] for i in _items(medline) + _items(pubmed)] == ["475-482", "475-482"]


def test_a_less_than_sign_before_a_digit_is_text_in_ris_and_in_csl_json(tmp_path: Path) -> None:
    title = "Patients aged <65 years versus >75 years"
    ris = tmp_path / "a.ris"
    ris.write_text(f"TY  - JOUR\nTI  - <i>{title}</i>\nER  - \n")
    csl = tmp_path / "a.json"
    csl.write_text(json.dumps([{"type": "article-journal", "title": f"<i>{title}</i>"}]))
    assert [i["title"] for i in _items(ris) + _items(csl)] == [title, title]
