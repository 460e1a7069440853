"""Records of several sources collapsed in one run: each value keeps its own source,
as if the files had been synced one after another."""

from __future__ import annotations

from typing import Any

from ris_helpers import convert_text

from syncd.core.match import LibraryIndex, MirrorItem
from syncd.core.plan import Action, Incoming, Link, make_plan
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
