"""BibTeX entries mapped as Zotero's BibTeX import maps them, one rule a test."""

from __future__ import annotations

from pathlib import Path

from bibtex_helpers import convert_text, one

from syncd.formats import bibtex


def test_string_macros_and_concatenation_are_expanded(tmp_path: Path) -> None:
    rec = one(
        tmp_path,
        '@string{jpr = "Journal of Physical Research"}\n'
        '@string(pre = "Part ")\n'
        "@article{k, title = pre # {One}, journal = jpr}\n",
    )
    assert rec.item["title"] == "Part One"
    assert rec.item["publicationTitle"] == "Journal of Physical Research"


def test_comments_and_preambles_make_no_record(tmp_path: Path) -> None:
    records, problems = convert_text(
        tmp_path,
        "@comment{jabref-meta: databaseType:bibtex;}\n"
        '@preamble{ "\\newcommand{\\noopsort}[1]{}" }\n'
        "Free text between entries is a comment too.\n"
        "@article{k, title = {Kept}}\n",
    )
    assert [r.item["title"] for r in records] == ["Kept"]
    assert [p for p in problems if p.severity == "error"] == []


def test_a_month_macro_and_year_give_an_iso_month(tmp_path: Path) -> None:
    rec = one(tmp_path, "@article{k, title = {T}, year = 2006, month = oct}")
    assert rec.item["date"] == "2006-10"


def test_a_month_name_and_day_give_an_iso_date(tmp_path: Path) -> None:
    rec = one(tmp_path, "@article{k, title = {T}, year = 2021, month = {June}, day = 18}")
    assert rec.item["date"] == "2021-06-18"


def test_latex_accents_in_names_and_titles_become_letters(tmp_path: Path) -> None:
    rec = one(
        tmp_path,
        "@article{k, author = {Eli{\\'a}{\\v{s}}, Marek and P\\\"{a}ckert, M.},"
        " title = {Higher-order {E}rd{\\H o}s theorems for {\\.z}ycie and Ji{\\v{r}}{\\'{\\i}}}}",
    )
    assert rec.item["creators"][0]["lastName"] == "Eliáš"
    assert rec.item["creators"][1]["lastName"] == "Päckert"
    assert rec.item["title"] == "Higher-order Erdős theorems for życie and Jiří"


def test_double_braces_protecting_title_case_are_removed(tmp_path: Path) -> None:
    rec = one(tmp_path, "@article{k, title = {{Benchmarking Methodology for {EVPN}}}}")
    assert rec.item["title"] == "Benchmarking Methodology for EVPN"


def test_font_commands_keep_their_text_without_markup(tmp_path: Path) -> None:
    rec = one(tmp_path, "@article{k, title = {The \\textit{Natrix} and \\textbf{DNA$_{2}$}}}")
    assert rec.item["title"] == "The Natrix and DNA\u2082"


def test_a_von_part_joins_the_last_name_and_jr_follows_the_first(tmp_path: Path) -> None:
    rec = one(tmp_path, '@book{k, author = "von Hicks, III, Michael", title = {T}}')
    assert rec.item["creators"] == [
        {"creatorType": "author", "firstName": "Michael, III", "lastName": "von Hicks"}
    ]


def test_a_name_without_comma_ends_with_its_last_name(tmp_path: Path) -> None:
    rec = one(tmp_path, "@misc{k, author = {Marcel R. Ackermann}, title = {T}}")
    assert rec.item["creators"][0] == {
        "creatorType": "author",
        "firstName": "Marcel R.",
        "lastName": "Ackermann",
    }


def test_a_braced_name_is_one_corporate_name(tmp_path: Path) -> None:
    rec = one(
        tmp_path,
        "@article{k, title = {T}, author = {Doe, Jane and {Council on Clinical Cardiology}}}",
    )
    assert rec.item["creators"][1] == {
        "creatorType": "author",
        "name": "Council on Clinical Cardiology",
    }


def test_editors_are_editors(tmp_path: Path) -> None:
    rec = one(tmp_path, "@incollection{k, title = {T}, editor = {Y. Bengio and D. Schuurmans}}")
    assert [c["creatorType"] for c in rec.item["creators"]] == ["editor", "editor"]


def test_a_double_hyphen_page_range_is_written_with_one_hyphen(tmp_path: Path) -> None:
    rec = one(tmp_path, "@article{k, title = {T}, pages = {493--518}}")
    assert rec.item["pages"] == "493-518"


def test_identifiers_go_to_their_fields(tmp_path: Path) -> None:
    rec = one(
        tmp_path,
        "@article{k, title = {T}, doi = {10.1016/j.aim.2013.04.020}, issn = {0001-8708},"
        " url = {http://example.org/a\\_b}}",
    )
    assert rec.item["DOI"] == "10.1016/j.aim.2013.04.020"
    assert rec.item["ISSN"] == "0001-8708"
    assert rec.item["url"] == "http://example.org/a_b"


def test_an_isbn_goes_to_a_books_isbn_field(tmp_path: Path) -> None:
    rec = one(tmp_path, "@book{k, title = {T}, isbn = {978-1-59593-609-7}}")
    assert rec.item["ISBN"] == "978-1-59593-609-7"
    assert rec.identifiers.isbn == ("9781595936097",)


def test_keywords_split_on_commas_and_semicolons_become_tags(tmp_path: Path) -> None:
    rec = one(tmp_path, "@article{k, title = {T}, keywords = {alpha; beta, gamma}}")
    assert [t["tag"] for t in rec.item["tags"]] == ["alpha", "beta", "gamma"]


def test_the_abstract_is_the_abstract(tmp_path: Path) -> None:
    rec = one(tmp_path, "@article{k, title = {T}, abstract = {An abstract with 50\\% of it.}}")
    assert rec.item["abstractNote"] == "An abstract with 50% of it."


def test_a_note_is_a_child_note(tmp_path: Path) -> None:
    rec = one(tmp_path, "@article{k, title = {T}, note = {Accepted for publication}}")
    assert rec.notes == ("<p>Accepted for publication</p>",)


def test_a_scopus_cited_by_note_is_a_citation_line_not_a_note(tmp_path: Path) -> None:
    rec = one(
        tmp_path,
        "@article{k, title = {T}, source = {Scopus},"
        " note = {Cited by: 12; All Open Access, Gold Open Access}}",
    )
    assert rec.notes == ()
    assert "12 citations (Scopus)" in rec.item["extra"].splitlines()


def test_a_cited_by_note_of_any_exporter_is_a_citation_line(tmp_path: Path) -> None:
    rec = one(tmp_path, "@article{k, title = {T}, note = {Cited By: 7}}")
    assert rec.notes == ()
    assert "7 citations (Scopus)" in rec.item["extra"].splitlines()


def test_the_scopus_eid_is_read_from_the_link(tmp_path: Path) -> None:
    rec = one(
        tmp_path,
        "@article{k, title = {T}, url ="
        " {https://www.scopus.com/inward/record.uri?eid=2-s2.0-84864948206&partnerID=40}}",
    )
    assert rec.identifiers.scopus_eid == "2-s2.0-84864948206"
    assert "Scopus EID: 2-s2.0-84864948206" in rec.item["extra"].splitlines()
    assert rec.source.dialect == "bibtex/scopus"


def test_the_scopus_eid_is_read_from_a_note(tmp_path: Path) -> None:
    rec = one(tmp_path, "@article{k, title = {T}, note = {EID: 2-s2.0-84864948206}}")
    assert rec.identifiers.scopus_eid == "2-s2.0-84864948206"
    assert rec.notes == ()


def test_a_pmid_note_is_an_identifier(tmp_path: Path) -> None:
    rec = one(tmp_path, "@article{k, title = {T}, note = {{PMID:} 23439512}}")
    assert rec.item["PMID"] == "23439512"


def test_scopus_pubmed_id_and_article_number(tmp_path: Path) -> None:
    rec = one(
        tmp_path,
        "@article{k, title = {T}, source = {Scopus}, pubmed_id = {22829849},"
        " art_number = {273291}}",
    )
    assert rec.item["PMID"] == "22829849"
    assert rec.item["pages"] == "273291"


def test_a_jabref_file_field_is_an_attachment(tmp_path: Path) -> None:
    rec = one(tmp_path, "@article{k, title = {T}, file = {:papers/a.pdf:PDF}}")
    assert rec.attachments == (
        {"title": "Attachment", "path": "papers/a.pdf", "mimeType": "application/pdf"},
    )


def test_a_zotero_file_field_gives_one_attachment_per_file(tmp_path: Path) -> None:
    rec = one(
        tmp_path,
        "@article{k, title = {T}, file = {Full Text:files/1/a.pdf:application/pdf;"
        "Snapshot:files/2/b.html:text/html}}",
    )
    assert [(a["title"], a["path"]) for a in rec.attachments] == [
        ("Full Text", "files/1/a.pdf"),
        ("Snapshot", "files/2/b.html"),
    ]


def test_a_mendeley_file_field_unescapes_its_path(tmp_path: Path) -> None:
    rec = one(
        tmp_path,
        "@article{k, title = {T}, file = {:C$\\backslash$:/Users/me/Mendeley/test.pdf:pdf}}",
    )
    assert rec.attachments[0]["path"] == "C:/Users/me/Mendeley/test.pdf"


def test_entry_types_map_to_item_types(tmp_path: Path) -> None:
    text = "".join(
        f"@{t}{{k{i}, title = {{T}}}}\n"
        for i, t in enumerate(
            ["article", "inproceedings", "phdthesis", "techreport", "misc", "online", "inbook"]
        )
    )
    records, _ = convert_text(tmp_path, text)
    assert [r.item["itemType"] for r in records] == [
        "journalArticle",
        "conferencePaper",
        "thesis",
        "report",
        "document",
        "webpage",
        "bookSection",
    ]


def test_an_unknown_entry_type_is_a_document_with_a_warning(tmp_path: Path) -> None:
    records, problems = convert_text(tmp_path, "@weird{k, title = {T}}")
    assert records[0].item["itemType"] == "document"
    assert any("unknown entry type @weird" in p.message for p in problems)


def test_the_citation_key_is_kept(tmp_path: Path) -> None:
    rec = one(tmp_path, "@article{Adams2001, title = {T}}")
    assert rec.item["citationKey"] == "Adams2001"


def test_the_source_names_the_format_and_the_entry_line(tmp_path: Path) -> None:
    records, _ = convert_text(
        tmp_path, "% header\n\n@article{a, title = {A}}\n@article{b,\n title = {B}}"
    )
    assert [(r.source.line, r.source.index, r.source.dialect) for r in records] == [
        (3, 0, "bibtex"),
        (4, 1, "bibtex"),
    ]


def test_sniff_gives_the_first_entry_as_evidence() -> None:
    assert bibtex.sniff("% exported\n@Article{k,\n title = {T}}") == "@Article{ entry on line 2"


def test_sniff_says_nothing_on_ris() -> None:
    assert bibtex.sniff("TY  - JOUR\nTI  - x@y{z}\nER  - \n") is None


def test_a_pmid_field_that_is_no_number_stays_an_extra_line(tmp_path: Path) -> None:
    rec = one(tmp_path, "@article{k, title = {T}, pmid = {P123456}}")
    assert "PMID" not in rec.item
    assert rec.item["extra"].splitlines() == ["PMID: P123456"]


def test_a_name_ending_in_a_lone_backslash_is_kept_whole_not_a_crash(tmp_path: Path) -> None:
    # bibtexparser's splitname raises StopIteration on a trailing backslash; inside the
    # converting generator that became a RuntimeError (found by the fuzz test).
    rec = one(tmp_path, "@article{k, title = {T}, author = {Doe, J. and Roe, b\\ }}")
    assert rec.item["creators"][0]["lastName"] == "Doe"
    assert rec.item["creators"][1]["creatorType"] == "author"
    assert "Roe" in str(rec.item["creators"][1])
