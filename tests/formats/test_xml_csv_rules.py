"""Single mapping rules of the EndNote XML, PubMed XML and CSV formats, one per test,
and the sniffing that tells the formats apart."""

from __future__ import annotations

from pathlib import Path

import one_work
import pytest

from syncd.formats import csv as csv_format
from syncd.formats import endnote_xml, pubmed_xml
from syncd.formats.names import capitalize_title, clean_author
from syncd.formats.records import ConvertedRecord
from syncd.schema import bundled_schema


def items(module: object, path: Path) -> list[ConvertedRecord]:
    convert = module.convert  # type: ignore[attr-defined]
    return [e for e in convert(path, bundled_schema()) if isinstance(e, ConvertedRecord)]


def endnote(tmp_path: Path, body: str, ref_type: str = "Journal Article") -> ConvertedRecord:
    path = tmp_path / "e.xml"
    path.write_text(
        f'<xml><records><record><ref-type name="{ref_type}">17</ref-type>{body}'
        "</record></records></xml>",
        encoding="utf-8",
    )
    return items(endnote_xml, path)[0]


def pubmed(tmp_path: Path, article: str, citation: str = "", data: str = "") -> ConvertedRecord:
    path = tmp_path / "p.xml"
    path.write_text(
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID>"
        f"<Article><ArticleTitle>T</ArticleTitle>{article}</Article>{citation}"
        f"</MedlineCitation><PubmedData>{data}</PubmedData></PubmedArticle></PubmedArticleSet>",
        encoding="utf-8",
    )
    return items(pubmed_xml, path)[0]


def test_clean_author_gives_initials_their_periods() -> None:
    assert clean_author("Ahlquist, John S", "author") == {
        "creatorType": "author",
        "firstName": "John S.",
        "lastName": "Ahlquist",
    }


def test_clean_author_spells_out_run_together_initials() -> None:
    assert clean_author("Smith, PO", "editor")["firstName"] == "P. O."  # type: ignore[index]


def test_a_name_without_a_comma_is_one_field() -> None:
    assert clean_author("World Health Organization", "author") == {
        "creatorType": "author",
        "name": "World Health Organization",
    }


def test_capitalize_title_keeps_short_words_low_but_not_first_or_after_a_colon() -> None:
    assert capitalize_title("the journal of tests: a review of the field") == (
        "The Journal of Tests: A Review of the Field"
    )


def test_capitalize_title_leaves_words_with_capitals_alone() -> None:
    assert capitalize_title("eLife and the BMJ") == "eLife and the BMJ"


def test_an_endnote_accession_number_from_wos_is_the_wos_id(tmp_path: Path) -> None:
    rec = endnote(tmp_path, "<accession-num>WOS:000510000000001</accession-num>")
    assert rec.identifiers.wos == "WOS:000510000000001"
    assert "Web of Science ID: WOS:000510000000001" in rec.item["extra"]


def test_an_endnote_pmc_number_in_custom2_is_the_pmcid(tmp_path: Path) -> None:
    rec = endnote(tmp_path, "<custom2>PMC1234567</custom2>")
    assert rec.item["PMCID"] == "PMC1234567"


def test_endnote_pdf_links_become_attachments_in_the_ris_shape(tmp_path: Path) -> None:
    rec = endnote(
        tmp_path, "<urls><pdf-urls><url>internal-pdf://0042/Doe 2020.pdf</url></pdf-urls></urls>"
    )
    assert rec.attachments == (
        {"title": "Doe 2020", "path": "PDF/0042/Doe 2020.pdf", "mimeType": "application/pdf"},
    )


def test_endnote_keywords_become_tags_one_each(tmp_path: Path) -> None:
    rec = endnote(tmp_path, "<keywords><keyword>a, b</keyword><keyword>c</keyword></keywords>")
    assert rec.item["tags"] == [{"tag": "a, b"}, {"tag": "c"}]


def test_endnote_pub_dates_complete_a_year_less_date(tmp_path: Path) -> None:
    rec = endnote(
        tmp_path, "<dates><year>2020</year><pub-dates><date>Mar 3</date></pub-dates></dates>"
    )
    assert rec.item["date"] == "Mar 3 2020"


def test_pubmed_abbreviated_page_ranges_are_written_out(tmp_path: Path) -> None:
    rec = pubmed(tmp_path, "<Pagination><MedlinePgn>1132-42</MedlinePgn></Pagination>")
    assert rec.item["pages"] == "1132-1142"


def test_pubmed_medline_date_is_kept_as_written(tmp_path: Path) -> None:
    journal = (
        "<Journal><JournalIssue><PubDate><MedlineDate>2010 Sep-Oct</MedlineDate></PubDate>"
        "</JournalIssue><Title>Nurse educator</Title></Journal>"
    )
    rec = pubmed(tmp_path, journal)
    assert (rec.item["date"], rec.item["publicationTitle"]) == ("2010 Sep-Oct", "Nurse Educator")


def test_pubmed_journal_place_in_parentheses_moves_to_place(tmp_path: Path) -> None:
    rec = pubmed(tmp_path, "<Journal><Title>Arthritis &amp; rheumatology (Hoboken, N.J.)</Title>"
                 "</Journal>")  # fmt: skip
    assert (rec.item["publicationTitle"], rec.item["place"]) == (
        "Arthritis & Rheumatology",
        "Hoboken, N.J.",
    )


def test_pubmed_collective_name_is_one_field_author(tmp_path: Path) -> None:
    rec = pubmed(
        tmp_path,
        "<AuthorList><Author><CollectiveName>COVID Study Group</CollectiveName></Author>"
        "</AuthorList>",
    )
    assert rec.item["creators"] == [{"creatorType": "author", "name": "COVID Study Group"}]


def test_pubmed_labelled_abstract_sections_keep_their_labels(tmp_path: Path) -> None:
    rec = pubmed(
        tmp_path,
        '<Abstract><AbstractText Label="BACKGROUND">Why.</AbstractText>'
        '<AbstractText Label="RESULTS">What.</AbstractText></Abstract>',
    )
    assert rec.item["abstractNote"] == "BACKGROUND: Why.\nRESULTS: What."


def test_pubmed_mesh_headings_and_keywords_are_tags(tmp_path: Path) -> None:
    citation = (
        "<MeshHeadingList><MeshHeading><DescriptorName>Humans</DescriptorName>"
        "<QualifierName>genetics</QualifierName></MeshHeading></MeshHeadingList>"
        "<KeywordList><Keyword>flu</Keyword></KeywordList>"
    )
    rec = pubmed(tmp_path, "", citation)
    assert rec.item["tags"] == [{"tag": "Humans"}, {"tag": "flu"}]


def test_pubmed_pmcid_and_doi_come_from_the_article_id_list(tmp_path: Path) -> None:
    data = (
        '<ArticleIdList><ArticleId IdType="doi">10.1234/X</ArticleId>'
        '<ArticleId IdType="pmc">PMC99</ArticleId></ArticleIdList>'
    )
    rec = pubmed(tmp_path, "", "", data)
    assert (rec.item["DOI"], rec.item["PMCID"], rec.item["PMID"]) == ("10.1234/X", "PMC99", "1")


def test_old_scopus_csv_author_lists_are_read_as_surname_initials(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text(
        'Authors,Title,Year,Source title,EID\n"Doe J., Roe R.-P.",T,2020,J,2-s2.0-85000000001\n',
        encoding="utf-8",
    )
    names = [(c["lastName"], c["firstName"]) for c in items(csv_format, path)[0].item["creators"]]
    assert names == [("Doe", "J."), ("Roe", "R.-P.")]


def test_wos_total_times_cited_is_used_only_without_core_collection_count(
    tmp_path: Path,
) -> None:
    path = tmp_path / "w.txt"
    path.write_text("PT\tAU\tTI\tSO\tUT\tZ9\nJ\tDoe, J\tT\tJ\tWOS:000000000000001\t9\n")
    assert "9 citations (Web of Science)" in items(csv_format, path)[0].item["extra"]


def test_a_dimensions_citation_count_is_dated_by_its_export_line(tmp_path: Path) -> None:
    path = one_work.write(tmp_path, "dimensions.csv")
    assert "25 citations (Dimensions) [2026-11-15]" in items(csv_format, path)[0].item["extra"]


@pytest.mark.parametrize(
    ("name", "module"),
    [
        ("endnote.xml", endnote_xml),
        ("pubmed.xml", pubmed_xml),
        ("scopus.csv", csv_format),
        ("wos.txt", csv_format),
        ("lens.csv", csv_format),
        ("dimensions.csv", csv_format),
    ],
)
def test_each_format_is_sniffed_by_its_own_module_only(
    tmp_path: Path, name: str, module: object
) -> None:
    head = one_work.write(tmp_path, name).read_text(encoding="utf-8")
    found = {
        m.__name__.rsplit(".", 1)[-1]: m.sniff(head) for m in (endnote_xml, pubmed_xml, csv_format)
    }
    assert [k for k, v in found.items() if v] == [module.__name__.rsplit(".", 1)[-1]]  # type: ignore[attr-defined]


def test_ris_is_sniffed_by_none_of_them(tmp_path: Path) -> None:
    head = one_work.scopus_ris()
    assert [m.sniff(head) for m in (endnote_xml, pubmed_xml, csv_format)] == [None, None, None]


def test_a_csv_close_to_a_known_export_is_claimed_with_what_it_lacks() -> None:
    head = "Authors,Title,Year,Source title,DOI\nDoe J.,T,2020,J,10.1234/x\n"
    assert csv_format.sniff(head) == ("header row on line 1 close to Scopus CSV (lacks EID)")


def test_a_csv_far_from_every_known_export_is_not_claimed() -> None:
    assert csv_format.sniff("name,age,city\nAda,36,London\n") is None


def test_a_lone_mesh_heading_with_a_comma_stays_one_tag(tmp_path: Path) -> None:
    citation = (
        "<MeshHeadingList><MeshHeading><DescriptorName>Cell Line, Tumor</DescriptorName>"
        "</MeshHeading></MeshHeadingList>"
    )
    assert pubmed(tmp_path, "", citation).item["tags"] == [{"tag": "Cell Line, Tumor"}]


def test_a_name_over_the_apis_limit_goes_to_extra_and_the_record_stays(tmp_path: Path) -> None:
    long_name = "Consortium " * 30
    rec = endnote(tmp_path, f"<contributors><authors><author>{long_name}</author></authors>"
                  "</contributors><titles><title>T</title></titles>")  # fmt: skip
    assert "creators" not in rec.item
    assert rec.item["extra"].startswith("Names: Consortium")
    assert any("kept in Extra" in p.message for p in rec.problems)
