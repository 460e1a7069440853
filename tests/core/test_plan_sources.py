"""Records of several sources collapsed in one run: each value keeps its own source,
as if the files had been synced one after another."""

from __future__ import annotations

from typing import Any

from ris_helpers import convert_text

from syncd.core.match import LibraryIndex, MirrorItem
from syncd.core.plan import Action, Incoming, Link, Options, make_plan
from syncd.core.provenance import Provenance
from syncd.schema import bundled_schema

SCHEMA = bundled_schema()
KEY = "AAAAAAAA"


def scopus(count: int, note: str = "") -> str:
    lines = [
        "TY  - JOUR",
        "TI  - Effects of advertising on gambling",
        "AU  - Smith, P.",
        "PY  - 2021",
        "T2  - Journal of Gambling Studies",
        "DO  - 10.7777/g0",
        "UR  - https://www.scopus.com/inward/record.uri?eid=2-s2.0-85000000000&partnerID=40",
        "C2  - 31000000",
        "DB  - Scopus",
        f"N1  - Export Date: 05 January 2024; Cited By: {count}",
    ]
    if note:
        lines.append(f"N1  - {note}")
    return "\n".join([*lines, "ER  - "]) + "\n\n"


def pubmed() -> str:
    lines = [
        "TY  - JOUR",
        "DB  - PubMed",
        "AU  - Smith, Paul",
        "T1  - Effects of advertising on gambling.",
        "Y1  - 2021/01/10",
        "JF  - Journal of gambling studies",
        "SP  - 1-9",
        "AN  - 31000000",
        "DO  - 10.7777/g0",
    ]
    return "\n".join([*lines, "ER  - "]) + "\n\n"


def plan(texts: list[str], links: dict[str, Link], item: dict[str, Any] | None) -> Action:
    incoming = [Incoming(r) for t in texts for r in convert_text(t)]
    index = LibraryIndex.build(
        [MirrorItem(KEY, 5, "journalArticle", False, item)] if item is not None else []
    )
    (action,) = make_plan(incoming, index, links, SCHEMA).actions
    return action


def created_together() -> tuple[dict[str, Any], dict[str, Link]]:
    created = plan([scopus(3, "Status: in press"), pubmed()], {}, None)
    link = Link(KEY, dict(created.new_base))
    return {**created.payload, "key": KEY}, dict.fromkeys(created.identities, link)


def test_a_value_only_an_earlier_record_of_the_run_carried_is_credited_to_its_source() -> None:
    _, links = created_together()
    prov = Provenance.parse(next(iter(links.values())).base)
    assert (
        prov.owner(
            "extra:citations (scopus)",
        )
        == "scopus:2-s2.0-85000000000"
    )
    assert prov.owner("pages") == "pubmed:31000000"
    assert set(prov.sources) == {"scopus:2-s2.0-85000000000", "pubmed:31000000"}


def test_the_earlier_sources_next_export_updates_what_it_wrote_in_a_shared_run() -> None:
    item, links = created_together()
    action = plan([scopus(4, "Status: in press")], links, item)
    assert action.kind == "update"
    assert "4 citations (Scopus)" in action.payload["extra"]


def test_a_shared_run_ends_as_the_files_synced_one_after_another() -> None:
    item, links = created_together()
    for text in (scopus(3, "Status: in press"), pubmed()):
        action = plan([text], links, item)
        assert (action.kind, dict(action.payload), action.notes) == ("unchanged", {}, ())


def test_an_earlier_records_note_is_slotted_under_its_own_source() -> None:
    # The slot is what a changed note of the next Scopus export replaces in place.
    created = plan([scopus(3, "Status: in press"), pubmed()], {}, None)
    (slot,) = [s for s, n in zip(created.note_slots, created.notes, strict=True) if "press" in n]
    assert slot == "scopus:2-s2.0-85000000000|status"


def test_two_records_of_one_source_that_differ_in_one_run_write_nothing_the_next_run() -> None:
    a = pubmed()
    b = a.replace("SP  - 1-9", "SP  - 1-10")
    created = plan([a, b], {}, None)
    link = Link(KEY, dict(created.new_base))
    item = {**created.payload, "key": KEY}
    again = plan([a, b], dict.fromkeys(created.identities, link), item)
    assert (created.payload["pages"], again.kind, dict(again.payload)) == ("1-10", "unchanged", {})


# -- identity meets provenance ---------------------------------------------------------


def _title_matched() -> tuple[dict[str, Any], Action]:
    # The user's own item: no identifier, a date of their own, no journal or pages.
    mine = {
        "itemType": "journalArticle",
        "title": "Effects of advertising on gambling",
        "date": "2021",
        "creators": [{"creatorType": "author", "lastName": "Smith", "firstName": "Paul"}],
        "key": KEY,
    }
    pmid_only = pubmed().replace("DO  - 10.7777/g0\n", "")
    incoming = [Incoming(r) for r in convert_text(pmid_only)]
    index = LibraryIndex.build([MirrorItem(KEY, 5, "journalArticle", False, mine)])
    (action,) = make_plan(incoming, index, {}, SCHEMA, Options(match_by_title=True)).actions
    return mine, action


def test_a_title_match_fills_only_empty_fields_and_credits_them_to_the_source() -> None:
    _, action = _title_matched()
    assert (action.kind, action.matched_by) == ("update", "title")
    assert "date" not in action.payload and action.payload["PMID"] == "31000000"
    assert action.payload["pages"] == "1-9"
    prov = Provenance.parse(action.new_base)
    assert prov.owner("PMID") == prov.owner("pages") == "pubmed:31000000"
    assert prov.owner("date") is None  # the user's, never syncd's


def test_a_title_matched_item_follows_its_source_for_what_syncd_filled_only() -> None:
    item, action = _title_matched()
    item = {**item, **action.payload}
    links = dict.fromkeys(action.identities, Link(KEY, dict(action.new_base), True, False))
    corrected = pubmed().replace("DO  - 10.7777/g0\n", "").replace("SP  - 1-9", "SP  - 2-9")
    (again,) = make_plan(
        [Incoming(r) for r in convert_text(corrected.replace("2021/01/10", "2021/01/11"))],
        LibraryIndex.build([MirrorItem(KEY, 6, "journalArticle", False, item)]),
        links,
        SCHEMA,
        Options(match_by_title=True),
    ).actions
    assert again.payload == {"pages": "2-9"}
    assert not again.conflicts


def test_a_create_sharing_a_doi_with_another_work_is_its_own_sources_and_its_doi_unlinked() -> None:
    article = scopus(3)
    erratum = (
        article.replace("85000000000", "85000000009")
        .replace("TI  - Effects", "TI  - Erratum: Effects")
        .replace("C2  - 31000000\n", "")
    )
    created, links = plan([article], {}, None), {}
    link = Link(KEY, dict(created.new_base))
    links = dict.fromkeys(created.identities, link)
    (action,) = make_plan(
        [Incoming(r) for r in convert_text(erratum)],
        LibraryIndex.build(
            [MirrorItem(KEY, 5, "journalArticle", False, {**created.payload, "key": KEY})]
        ),
        links,
        SCHEMA,
    ).actions
    assert action.kind == "create" and f"shares DOI with {KEY}" in action.reason
    assert not any(i.startswith("doi:") for i in action.identities)
    prov = Provenance.parse(action.new_base)
    assert prov.owner("title") == "scopus:2-s2.0-85000000009"
    assert set(prov.sources) == {"scopus:2-s2.0-85000000009"}


def test_an_accession_number_is_linked_and_its_databases_record_is_its_source() -> None:
    embase = (
        "TY  - JOUR\nTI  - Preface\nAU  - Doe, Jane\nPY  - 2020\nT2  - Journal of Tests\n"
        "VL  - 9\nSP  - 1\nDB  - Embase\nAN  - 635000001\nER  - \n"
    )
    created = plan([embase], {}, None)
    assert "accession:embase:635000001" in created.identities
    prov = Provenance.parse(created.new_base)
    assert prov.owner("title") == "generic:embase:635000001"


def test_a_record_finding_an_item_by_identifier_keeps_the_items_provenance() -> None:
    # Lens's record made the item; the user added the PMID; PubMed's PMID-only
    # record finds it by the PMID, with no link of its own.
    lens = (
        "TY  - JOUR\nTI  - Effects of advertising on gambling\nAU  - Smith, Paul\nPY  - 2021\n"
        "JO  - Journal of Gambling Studies\nDO  - 10.7777/g0\nAB  - An abstract.\n"
        "N1  - A remark\nER  - \n"
    )
    created = plan([lens], {}, None)
    links = dict.fromkeys(created.identities, Link(KEY, dict(created.new_base)))
    item = {**created.payload, "key": KEY, "PMID": "31000000", "abstractNote": ""}
    action = plan([pubmed().replace("DO  - 10.7777/g0\n", "")], links, item)
    prov = Provenance.parse(action.new_base)
    assert prov.owner("title") == "generic" and "generic" in prov.sources
    assert set(created.new_base["notes"]) <= set(prov.notes)


def test_a_title_match_on_an_item_syncd_wrote_keeps_the_users_emptied_field_empty() -> None:
    lens = (
        "TY  - JOUR\nTI  - Effects of advertising on gambling\nAU  - Smith, Paul\nPY  - 2021\n"
        "JO  - Journal of Gambling Studies\nDO  - 10.7777/g0\nAB  - An abstract.\nER  - \n"
    )
    created = plan([lens], {}, None)
    links = dict.fromkeys(created.identities, Link(KEY, dict(created.new_base)))
    item = {**created.payload, "key": KEY, "abstractNote": ""}
    no_ids = (
        "TY  - JOUR\nTI  - Effects of advertising on gambling\nAU  - Smith, P.\nPY  - 2021\n"
        "JO  - Journal of Gambling Studies\nAB  - Another abstract.\nDB  - APA PsycInfo\nER  - \n"
    )
    (action,) = make_plan(
        [Incoming(r) for r in convert_text(no_ids)],
        LibraryIndex.build([MirrorItem(KEY, 5, "journalArticle", False, item)]),
        links,
        SCHEMA,
        Options(match_by_title=True),
    ).actions
    assert (action.key, action.matched_by) == (KEY, "title")
    assert "abstractNote" not in action.payload


# -- records of a run that lead to several items together --------------------------


def lens(count: int) -> str:
    lines = [
        "TY  - JOUR",
        "AU  - Smith, Paul",
        "TI  - Effects of advertising on gambling",
        "PY  - 2021",
        "JO  - Journal of Gambling Studies",
        "DO  - 10.7777/g0",
        f"N1  - Scholarly citations: {count}",
    ]
    return "\n".join([*lines, "ER  - "]) + "\n\n"


def test_a_record_the_runs_other_record_makes_ambiguous_is_planned_as_it_would_be_alone() -> None:
    # PubMed's PMID-only record and Lens's DOI-only one made two items (match_by_title
    # is off). Scopus's record has both identifiers: ambiguous, and it shares the DOI
    # with Lens's corrected record in the run.
    items, links = [], {}
    for key, text in (("PPPPPPPP", pubmed().replace("DO  - 10.7777/g0\n", "")), (KEY, lens(10))):
        created = plan([text], {}, None)
        items.append(MirrorItem(key, 5, "journalArticle", False, {**created.payload, "key": key}))
        links.update(dict.fromkeys(created.identities, Link(key, dict(created.new_base))))
    index = LibraryIndex.build(items)

    def run(*texts: str) -> list[Action]:
        incoming = [Incoming(r) for t in texts for r in convert_text(t)]
        return list(make_plan(incoming, index, links, SCHEMA).actions)

    (alone,) = run(lens(11))
    corrected, other = run(lens(11), scopus(3))
    assert (other.kind, other.candidates) == ("ambiguous", (KEY, "PPPPPPPP"))
    assert (corrected.kind, corrected.key) == ("update", KEY)
    seen = (corrected.payload, corrected.notes, corrected.note_updates, corrected.new_base)
    assert seen == (alone.payload, alone.notes, alone.note_updates, alone.new_base)
