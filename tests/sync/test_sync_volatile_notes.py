"""Volatile notes against the sandbox (issue 14, finding 4): a WoS count synced twice
is one Extra line holding the newest count, and no note piles up; ProQuest's
revision dates make no notes at all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import TEST_KEY
from sync_helpers import LIBRARY, regular_items, session_for, sync_file


def _wos(path: Path, count: int) -> Path:
    path.write_text(
        "TY  - JOUR\nAU  - Wang, Dandan\nTI  - A WoS record\nT2  - CLIN DEV IMMUNOL\nPY  - 2012\n"
        "DO  - 10.1155/2012/273291\nAN  - WOS:000307286400001\n"
        f"N1  - Times Cited in Web of Science Core Collection:  {count}\n"
        f"Total Times Cited:  {count + 1}\nCited Reference Count:  40\nER  - \n",
        encoding="utf-8",
    )
    return path


def _notes(sandbox: Any) -> list[dict[str, Any]]:
    return [i for i in sandbox.all_items(LIBRARY) if i.get("itemType") == "note"]


def test_a_wos_count_of_12_then_13_is_one_extra_line_holding_13_and_no_note(
    sandbox: Any, tmp_path: Path
) -> None:
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        sync_file(session, _wos(tmp_path / "wos1.ris", 12))
        report = sync_file(session, _wos(tmp_path / "wos2.ris", 13))
    assert report.counts()["updated"] == 1
    (item,) = regular_items(sandbox)
    counts = [x for x in item["extra"].splitlines() if "citations" in x]
    assert counts == ["13 citations (Web of Science)"]
    assert _notes(sandbox) == []


def test_proquest_revision_dates_make_no_notes(sandbox: Any, tmp_path: Path) -> None:
    export = tmp_path / "proquest.ris"
    export.write_text(
        "TY  - JOUR\nAU  - Doe, Jane\nTI  - A ProQuest record\nJF  - Journal of Tests\n"
        "PY  - 2020\nUR  - https://www.proquest.com/docview/123\nDB  - ProQuest Central\n"
        "N1  - Date revised - 2023-01-05\nN1  - Last updated - 2023-02-01\nER  - \n",
        encoding="utf-8",
    )
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        sync_file(session, export)
    assert len(regular_items(sandbox)) == 1
    assert _notes(sandbox) == []
