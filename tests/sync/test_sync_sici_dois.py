"""SICI DOIs (``...53:3<266::AID-MRD2>3.0.CO;2-6``) against the sandbox: the text
between ``<`` and ``>`` is part of the identifier, so works that differ only there
stay apart, and an item holding such a DOI is found again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import TEST_KEY
from sync_helpers import LIBRARY, regular_items, session_for, sync_file

SICI = "10.1002/(SICI)1098-2795(199907)53:3<266::AID-MRD2>3.0.CO;2-6"
SICI_OTHER = "10.1002/(SICI)1098-2795(199907)53:3<274::AID-MRD3>3.0.CO;2-6"


def _export(path: Path, works: list[tuple[str, str]]) -> Path:
    text = "".join(
        f"TY  - JOUR\nTI  - {title}\nAU  - Doe, Jane\nPY  - 1999\nJO  - Mol Reprod Dev\n"
        f"DO  - {doi}\nER  - \n\n"
        for title, doi in works
    )
    path.write_text(text, encoding="utf-8")
    return path


def test_two_works_whose_sici_dois_differ_only_inside_angle_brackets_are_two_items(
    sandbox: Any, tmp_path: Path
) -> None:
    export = _export(tmp_path / "wiley.ris", [("First work", SICI), ("Second work", SICI_OTHER)])
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        report = sync_file(session, export)
    assert report.counts()["created"] == 2
    assert sorted(i["DOI"] for i in regular_items(sandbox)) == sorted([SICI, SICI_OTHER])


def test_an_item_already_holding_a_sici_doi_is_matched_not_duplicated(
    sandbox: Any, tmp_path: Path
) -> None:
    key = sandbox.user_create(
        LIBRARY, {"itemType": "journalArticle", "title": "First work", "DOI": SICI}
    )
    export = _export(tmp_path / "wiley.ris", [("First work", SICI)])
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        report = sync_file(session, export)
    assert report.counts()["created"] == 0
    assert [i["key"] for i in regular_items(sandbox)] == [key]
