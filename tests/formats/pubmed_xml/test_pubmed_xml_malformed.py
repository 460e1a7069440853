"""PubMed XML files that are broken, hostile or not PubMed XML: each a clear outcome,
and the good records beside a bad part still read."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncd.errors import InputError
from syncd.formats import pubmed_xml
from syncd.formats.records import ConvertedRecord, ReadProblem
from syncd.schema import bundled_schema

HEAD = (
    '<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, '
    '1st January 2019//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_190101.dtd">\n'
    "<PubmedArticleSet>\n"
)
TAIL = "</PubmedArticleSet>\n"


def article(pmid: str, title: str) -> str:
    return (
        f"<PubmedArticle><MedlineCitation><PMID>{pmid}</PMID><Article>"
        f"<ArticleTitle>{title}</ArticleTitle></Article></MedlineCitation></PubmedArticle>\n"
    )


def convert(path: Path) -> tuple[list[ConvertedRecord], list[ReadProblem]]:
    out = list(pubmed_xml.convert(path, bundled_schema()))
    return (
        [e for e in out if isinstance(e, ConvertedRecord)],
        [e for e in out if isinstance(e, ReadProblem)],
    )


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pubmed.xml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_doctype_naming_pubmeds_dtd_is_read_without_fetching_it(tmp_path: Path) -> None:
    records, problems = convert(write(tmp_path, HEAD + article("1", "One.") + TAIL))
    assert [(r.item["title"], r.item["PMID"]) for r in records] == [("One", "1")]
    assert problems == []


def test_a_truncated_file_keeps_the_records_before_the_cut(tmp_path: Path) -> None:
    text = HEAD + article("1", "One") + article("2", "Two") + article("3", "Three")[:50]
    records, problems = convert(write(tmp_path, text))
    assert [r.item["PMID"] for r in records] == ["1", "2"]
    assert len(problems) == 1 and problems[0].severity == "error"
    assert "the record starting at line 6 is incomplete" in problems[0].message


def test_entity_expansion_is_refused(tmp_path: Path) -> None:
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n<PubmedArticleSet>'
        + article("1", "&b;")
        + TAIL
    )
    with pytest.raises(InputError, match="expands no XML entity"):
        convert(write(tmp_path, text))


def test_an_external_entity_naming_a_local_file_is_refused_unread(tmp_path: Path) -> None:
    secret = tmp_path / "passwd"
    secret.write_text("root:TOP-SECRET", encoding="utf-8")
    text = (
        f'<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [<!ENTITY x SYSTEM "{secret}">]>\n'
        "<PubmedArticleSet>" + article("1", "&x;") + TAIL
    )
    with pytest.raises(InputError, match="external entity") as err:
        convert(write(tmp_path, text))
    assert "TOP-SECRET" not in str(err.value)


def test_a_record_without_an_article_is_still_a_record(tmp_path: Path) -> None:
    text = HEAD + "<PubmedArticle/>\n" + article("2", "Two") + TAIL
    records, _ = convert(write(tmp_path, text))
    assert len(records) == 2 and records[1].item["title"] == "Two"


def test_endnote_xml_is_not_pubmed_xml(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="root element is <xml>"):
        convert(write(tmp_path, "<xml><records><record/></records></xml>"))
