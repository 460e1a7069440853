"""Issue 14, findings 5-9, against the sandbox: which item a record is.

Each test is one finding: an erratum sharing its article's DOI, records without
identifiers that differ, corrections of such records, one work written two ways,
and ambiguity (trash, merged items, links that disagree).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import TEST_KEY
from sync_helpers import LIBRARY, regular_items, session_for, sync_file

from syncd.core.plan import Options


def ris(
    title: str,
    *,
    year: str = "2020",
    authors: tuple[str, ...] = ("Smith, John",),
    journal: str = "Journal of Tests",
    volume: str = "",
    issue: str = "",
    pages: str = "",
    doi: str = "",
    eid: str = "",
    pmid: str = "",
    database: str = "",
    accession: str = "",
) -> str:
    """One RIS record; ``eid`` makes it Scopus-shaped (DB Scopus, EID link, C2 PMID)."""
    lines = ["TY  - JOUR", f"TI  - {title}"]
    lines += [f"AU  - {a}" for a in authors]
    lines += [f"PY  - {year}", f"T2  - {journal}"]
    if volume:
        lines.append(f"VL  - {volume}")
    if issue:
        lines.append(f"IS  - {issue}")
    if pages:
        first, _, last = pages.partition("-")
        lines.append(f"SP  - {first}")
        if last:
            lines.append(f"EP  - {last}")
    if doi:
        lines.append(f"DO  - {doi}")
    if eid:
        lines.append(f"UR  - https://www.scopus.com/inward/record.uri?eid={eid}&partnerID=40")
        lines.append("DB  - Scopus")
        if pmid:
            lines.append(f"C2  - {pmid}")
    elif pmid:
        lines.append(f"UR  - https://pubmed.ncbi.nlm.nih.gov/{pmid}")
        lines.append("DB  - PubMed")
        lines.append(f"AN  - {pmid}")
    if database:
        lines.append(f"DB  - {database}")
    if accession:
        lines.append(f"AN  - {accession}")
    lines.append("ER  - ")
    return "\n".join(lines) + "\n\n"


def export(path: Path, *records: str) -> Path:
    path.write_text("".join(records), encoding="utf-8")
    return path


def items_by_title(sandbox: Any) -> dict[str, dict[str, Any]]:
    items = regular_items(sandbox)
    by_title = {i["title"]: i for i in items}
    assert len(by_title) == len(items), "two items with one title"
    return by_title


ARTICLE = "Effects of sleep on memory consolidation"
ERRATUM = f"Erratum: {ARTICLE}"
DOI = "10.1016/j.sleep.2020.01.001"


def article() -> str:
    return ris(
        ARTICLE,
        volume="12",
        pages="10-20",
        doi=DOI,
        eid="2-s2.0-85000000001",
        pmid="31000001",
    )


def erratum() -> str:
    return ris(ERRATUM, volume="13", pages="5", doi=DOI, eid="2-s2.0-85000000002")


# -- finding 5 -------------------------------------------------------------------------


def test_an_erratum_sharing_its_articles_doi_is_its_own_item_and_never_rewrites_the_article(
    sandbox: Any, tmp_path: Path
) -> None:
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        sync_file(session, export(tmp_path / "article.ris", article()))
        (art,) = regular_items(sandbox)
        report = sync_file(session, export(tmp_path / "erratum.ris", erratum()))
        (outcome,) = report.outcomes
        assert outcome.kind == "created"
        assert f"shares DOI with {art['key']}" in outcome.message
        writes = sandbox.count(kind="write")
        again = sync_file(session, export(tmp_path / "article2.ris", article()))
        once_more = sync_file(session, export(tmp_path / "erratum2.ris", erratum()))
        assert sandbox.count(kind="write") == writes
    assert [o.kind for o in again.outcomes + once_more.outcomes] == ["unchanged", "unchanged"]
    items = items_by_title(sandbox)
    assert set(items) == {ARTICLE, ERRATUM}
    assert items[ARTICLE]["key"] == art["key"]
    assert (items[ARTICLE]["pages"], items[ARTICLE]["volume"]) == ("10-20", "12")
    assert "2-s2.0-85000000001" in items[ARTICLE]["extra"]
    assert "2-s2.0-85000000002" in items[ERRATUM]["extra"]


def test_an_erratum_and_its_article_in_one_export_are_two_items(
    sandbox: Any, tmp_path: Path
) -> None:
    both = export(tmp_path / "scopus.ris", article(), erratum())
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        first = sync_file(session, both)
        second = sync_file(session, both)
    assert first.counts()["created"] == 2
    assert second.counts()["unchanged"] == 2
    assert set(items_by_title(sandbox)) == {ARTICLE, ERRATUM}


def test_another_sources_record_of_the_article_goes_to_the_article_not_the_erratum(
    sandbox: Any, tmp_path: Path
) -> None:
    # PubMed: DOI and PMID, no EID. Both items hold the DOI; the PMID (and the
    # title) say which one is the article.
    pubmed = ris(ARTICLE, volume="12", pages="10-20", doi=DOI, pmid="31000001")
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        sync_file(session, export(tmp_path / "scopus.ris", article(), erratum()))
        report = sync_file(session, export(tmp_path / "pubmed.ris", pubmed))
    (outcome,) = report.outcomes
    assert outcome.kind in ("unchanged", "updated")
    assert outcome.key == items_by_title(sandbox)[ARTICLE]["key"]


# -- finding 6 -------------------------------------------------------------------------


def test_records_without_identifiers_that_differ_in_journal_are_separate_items(
    sandbox: Any, tmp_path: Path
) -> None:
    intro_a = ris("Introduction", year="2019", journal="Journal of Sleep Research")
    intro_b = ris("Introduction", year="2019", journal="Memory Studies")
    front = [
        ris("Front Matter", year="1998", authors=(), journal=j, volume="4")
        for j in ("Isis", "Osiris", "Speculum")
    ] + [
        ris("Front Matter", year="1998", authors=(), journal="Isis", volume="89", issue=i)
        for i in ("1", "2")
    ]
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        sync_file(session, export(tmp_path / "a.ris", intro_a))
        sync_file(session, export(tmp_path / "b.ris", intro_b))
        one_file = export(tmp_path / "jstor.ris", *front)
        first = sync_file(session, one_file)
        writes = sandbox.count(kind="write")
        again = [
            sync_file(session, export(tmp_path / "a2.ris", intro_a)),
            sync_file(session, export(tmp_path / "b2.ris", intro_b)),
            sync_file(session, one_file),
        ]
        assert sandbox.count(kind="write") == writes
    assert first.counts()["created"] == 5
    assert [o.kind for r in again for o in r.outcomes] == ["unchanged"] * 7
    journals = sorted(i["publicationTitle"] for i in regular_items(sandbox))
    assert journals == [
        "Isis",
        "Isis",
        "Isis",
        "Journal of Sleep Research",
        "Memory Studies",
        "Osiris",
        "Speculum",
    ]


# -- finding 7 -------------------------------------------------------------------------


def test_a_short_title_without_identifiers_corrected_in_a_later_export_updates_its_item(
    sandbox: Any, tmp_path: Path
) -> None:
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        sync_file(session, export(tmp_path / "v1.ris", ris("Reply", volume="3", pages="1-2")))
        (before,) = regular_items(sandbox)
        fixed = export(tmp_path / "v2.ris", ris("Reply", volume="3", pages="12-13"))
        report = sync_file(session, fixed)
        again = sync_file(session, fixed)
    (after,) = regular_items(sandbox)
    assert after["key"] == before["key"]
    assert after["pages"] == "12-13"
    assert [o.kind for o in report.outcomes] == ["updated"]
    assert [o.kind for o in again.outcomes] == ["unchanged"]


def test_an_article_in_press_without_identifiers_getting_volume_and_pages_updates_its_item(
    sandbox: Any, tmp_path: Path
) -> None:
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        sync_file(session, export(tmp_path / "v1.ris", ris("Preface", authors=())))
        sync_file(
            session, export(tmp_path / "v2.ris", ris("Preface", authors=(), volume="7", pages="v"))
        )
    (item,) = regular_items(sandbox)
    assert (item["volume"], item["pages"]) == ("7", "v")


def test_a_record_without_identifiers_that_gains_a_doi_updates_its_item(
    sandbox: Any, tmp_path: Path
) -> None:
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        sync_file(session, export(tmp_path / "v1.ris", ris("Erratum", volume="2", pages="7")))
        with_doi = export(
            tmp_path / "v2.ris", ris("Erratum", volume="2", pages="7", doi="10.5555/err.7")
        )
        first = sync_file(session, with_doi)
        again = sync_file(session, with_doi)
    (item,) = regular_items(sandbox)
    assert item["DOI"] == "10.5555/err.7"
    assert [o.kind for o in first.outcomes + again.outcomes] == ["updated", "unchanged"]


# -- finding 8 -------------------------------------------------------------------------


def test_doi_variants_of_one_work_from_two_sources_are_one_item(
    sandbox: Any, tmp_path: Path
) -> None:
    title = "Self-esteem and the perception of others"
    pubmed = ris(title, year="2002", doi="10.1037//0022-3514.83.3.606", pmid="12219857")
    psycinfo = ris(
        title,
        year="2002",
        doi="10.1037/0022-3514.83.3.606",
        database="APA PsycInfo",
        accession="2002-17944-008",
    )
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        sync_file(session, export(tmp_path / "pubmed.ris", pubmed))
        report = sync_file(session, export(tmp_path / "psycinfo.ris", psycinfo))
        again = sync_file(session, export(tmp_path / "pubmed2.ris", pubmed))
    (item,) = regular_items(sandbox)
    assert [o.key for o in report.outcomes + again.outcomes] == [item["key"]] * 2


def test_a_pmid_only_and_a_doi_only_record_join_by_title_only_when_asked(
    sandbox: Any, tmp_path: Path
) -> None:
    title = "A randomised trial of sleep hygiene education"
    pmid_only = ris(title, volume="5", pages="1-9", pmid="33000001")
    doi_only = ris(title, volume="5", pages="1-9", doi="10.5555/sleep.5.1")
    with session_for(sandbox, tmp_path / "off.sqlite", TEST_KEY) as session:
        sync_file(session, export(tmp_path / "a.ris", pmid_only))
        (first,) = regular_items(sandbox)
        report = sync_file(session, export(tmp_path / "b.ris", doi_only))
    (outcome,) = report.outcomes
    assert outcome.kind == "created"
    assert f"possible duplicate of {first['key']}" in outcome.message
    assert len(regular_items(sandbox)) == 2
    # With the opt-in, a new library gets one item that holds both identifiers.
    sandbox.user_delete(LIBRARY, outcome.key or "")
    options = Options(match_by_title=True)
    with session_for(sandbox, tmp_path / "on.sqlite", TEST_KEY, options) as session:
        joined = sync_file(session, export(tmp_path / "b2.ris", doi_only))
    (item,) = regular_items(sandbox)
    assert [o.key for o in joined.outcomes] == [first["key"]]
    assert (item["DOI"], item["PMID"]) == ("10.5555/sleep.5.1", "33000001")


def test_a_record_with_one_identifier_finds_the_item_that_holds_both(
    sandbox: Any, tmp_path: Path
) -> None:
    title = "Napping and learning in adolescents"
    both = ris(title, doi="10.5555/nap.1", pmid="33000002")
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        sync_file(session, export(tmp_path / "a.ris", both))
        pmid_only = sync_file(session, export(tmp_path / "b.ris", ris(title, pmid="33000002")))
        doi_only = sync_file(session, export(tmp_path / "c.ris", ris(title, doi="10.5555/nap.1")))
    (item,) = regular_items(sandbox)
    assert [o.key for o in pmid_only.outcomes + doi_only.outcomes] == [item["key"]] * 2


def test_one_work_without_identifiers_from_two_sources_is_one_item_that_settles(
    sandbox: Any, tmp_path: Path
) -> None:
    # PsycInfo's spelling and an ALL CAPS export with initials and a final period:
    # one work key, so one item; the better spellings are kept and nothing churns.
    title = "Gambling and sleep in older adults"
    psycinfo = ris(title, volume="12", pages="10-20", database="APA PsycInfo")
    caps = ris(
        title.upper() + ".",
        authors=("SMITH, J.",),
        journal="JOURNAL OF TESTS",
        volume="12",
        pages="10-20",
    )
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        for name, text in (("caps", caps), ("psycinfo", psycinfo)):
            sync_file(session, export(tmp_path / f"{name}.ris", text))
        writes = sandbox.count(kind="write")
        for name, text in (("caps2", caps), ("psycinfo2", psycinfo), ("caps3", caps)):
            report = sync_file(session, export(tmp_path / f"{name}.ris", text))
            assert [o.kind for o in report.outcomes] == ["unchanged"]
        assert sandbox.count(kind="write") == writes
    (item,) = regular_items(sandbox)
    assert (item["title"], item["publicationTitle"]) == (title, "Journal of Tests")
    assert item["creators"][0]["firstName"] == "John"


# -- finding 9 -------------------------------------------------------------------------


def test_a_trashed_copy_or_a_merged_away_item_is_no_candidate_beside_the_live_item(
    sandbox: Any, tmp_path: Path
) -> None:
    data = {"itemType": "journalArticle", "title": ARTICLE, "DOI": DOI}
    live = sandbox.user_create(LIBRARY, dict(data))
    trashed = sandbox.user_create(LIBRARY, dict(data))
    sandbox.user_trash(LIBRARY, trashed)
    merged_away = sandbox.user_create(LIBRARY, dict(data))
    uri = f"http://zotero.org/users/1/items/{merged_away}"
    sandbox.user_edit(LIBRARY, live, {"relations": {"dc:replaces": [uri]}})
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        report = sync_file(session, export(tmp_path / "a.ris", article()))
    (outcome,) = report.outcomes
    assert (outcome.kind, outcome.key) == ("updated", live)
    assert report.ok


def test_a_record_whose_identifiers_are_linked_to_two_items_is_ambiguous_and_writes_nothing(
    sandbox: Any, tmp_path: Path
) -> None:
    title = "Sleep spindles and memory"
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        sync_file(session, export(tmp_path / "pubmed.ris", ris(title, pmid="34000001")))
        sync_file(
            session,
            export(tmp_path / "scopus.ris", ris(title, doi="10.5555/sp.1", eid="2-s2.0-86000001")),
        )
        keys = sorted(i["key"] for i in regular_items(sandbox))
        writes = sandbox.count(kind="write")
        report = sync_file(
            session, export(tmp_path / "wos.ris", ris(title, doi="10.5555/sp.1", pmid="34000001"))
        )
        assert sandbox.count(kind="write") == writes
    (outcome,) = report.outcomes
    assert outcome.kind == "ambiguous"
    assert list(outcome.candidates) == keys
    assert report.counts()["ambiguous"] == 1 and not report.ok
    holding_pmid = [i for i in regular_items(sandbox) if i.get("PMID") == "34000001"]
    assert len(holding_pmid) == 1


# -- accession numbers -----------------------------------------------------------------


def test_an_accession_number_finds_the_item_after_a_correction_without_any_doi(
    sandbox: Any, tmp_path: Path
) -> None:
    def embase(pages: str) -> str:
        return ris("Preface", volume="9", pages=pages, database="Embase", accession="635000001")

    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        sync_file(session, export(tmp_path / "v1.ris", embase("1")))
        report = sync_file(session, export(tmp_path / "v2.ris", embase("iii")))
    (item,) = regular_items(sandbox)
    assert [(o.kind, o.key) for o in report.outcomes] == [("updated", item["key"])]
    assert item["pages"] == "iii"


def test_a_second_databases_accession_number_is_remembered_for_its_next_export(
    sandbox: Any, tmp_path: Path
) -> None:
    # PsycInfo's number is linked in the state database: a later PsycInfo record
    # without the DOI finds the item even when the item no longer shows the number.
    title = "Sleep and memory in older adults"
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        sync_file(
            session,
            export(
                tmp_path / "embase.ris",
                ris(title, doi="10.5555/old.1", database="Embase", accession="635000002"),
            ),
        )
        sync_file(
            session,
            export(
                tmp_path / "psyc1.ris",
                ris(title, doi="10.5555/old.1", database="APA PsycInfo", accession="2020-1-001"),
            ),
        )
        (item,) = regular_items(sandbox)
        sandbox.user_edit(LIBRARY, item["key"], {"archive": "", "archiveLocation": ""})
        report = sync_file(
            session,
            export(
                tmp_path / "psyc2.ris",
                ris(title, pages="3-9", database="APA PsycInfo", accession="2020-1-001"),
            ),
        )
    (item,) = regular_items(sandbox)
    assert [o.key for o in report.outcomes] == [item["key"]]


def test_a_record_linked_to_an_item_merged_away_goes_to_the_master_that_replaces_it(
    sandbox: Any, tmp_path: Path
) -> None:
    # The master holds only the DOI (the user's own import), the record only its PMID:
    # no identifier leads from the one to the other, Zotero's dc:replaces does.
    title = "Sleep restriction and reaction time"
    pubmed = ris(title, volume="3", pages="1-9", pmid="35000001")
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        sync_file(session, export(tmp_path / "a.ris", pubmed))
        (ours,) = regular_items(sandbox)
        master = sandbox.user_create(
            LIBRARY, {"itemType": "journalArticle", "title": title, "DOI": "10.5555/sr.1"}
        )
        uri = f"http://zotero.org/users/1/items/{ours['key']}"
        sandbox.user_edit(LIBRARY, master, {"relations": {"dc:replaces": [uri]}})
        sandbox.user_trash(LIBRARY, ours["key"])
        report = sync_file(session, export(tmp_path / "b.ris", pubmed))
        again = sync_file(session, export(tmp_path / "c.ris", pubmed))
    (outcome,) = report.outcomes
    assert (outcome.kind, outcome.key) == ("updated", master)
    live = [i for i in regular_items(sandbox) if not i.get("deleted")]
    assert [(i["key"], i["PMID"], i["title"]) for i in live] == [(master, "35000001", title)]
    assert [(o.kind, o.key) for o in again.outcomes] == [("unchanged", master)]


def test_a_pmid_only_and_a_doi_only_record_in_one_run_say_they_may_be_one_work(
    sandbox: Any, tmp_path: Path
) -> None:
    title = "Screen time and sleep in preschool children"
    pmid_only = ris(title, volume="7", pages="10-19", pmid="33000011")
    doi_only = ris(title, volume="7", pages="10-19", doi="10.5555/screen.7.10")
    other = ris("Screen time and sleep in preschool children", volume="8", doi="10.5555/other")
    with session_for(sandbox, tmp_path / "off.sqlite", TEST_KEY) as session:
        report = sync_file(session, export(tmp_path / "a.ris", pmid_only, doi_only, other))
    first, second, third = report.outcomes
    assert [o.kind for o in report.outcomes] == ["created"] * 3
    assert "possible duplicate" not in first.message
    assert "possible duplicate of the record at" in second.message
    assert "line 1 in this run" in second.message
    # Another volume is another work: no hint.
    assert "possible duplicate" not in third.message


def test_with_match_by_title_a_pmid_only_and_a_doi_only_record_in_one_run_are_one_item(
    sandbox: Any, tmp_path: Path
) -> None:
    title = "Screen time and sleep in preschool children"
    pmid_only = ris(title, volume="7", pages="10-19", pmid="33000011")
    doi_only = ris(title, volume="7", pages="10-19", doi="10.5555/screen.7.10")
    options = Options(match_by_title=True)
    with session_for(sandbox, tmp_path / "on.sqlite", TEST_KEY, options) as session:
        sync_file(session, export(tmp_path / "a.ris", pmid_only, doi_only))
        again = sync_file(session, export(tmp_path / "b.ris", doi_only, pmid_only))
    (item,) = regular_items(sandbox)
    assert (item["DOI"], item["PMID"]) == ("10.5555/screen.7.10", "33000011")
    assert {o.kind for o in again.outcomes} == {"unchanged"}
