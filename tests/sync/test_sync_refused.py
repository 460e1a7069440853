"""Records the server refuses for their content, against the sandbox.

An absurd value (PsycInfo's cited-author list as one A2 name) made the server answer
413 for the item on every run. The mapping now keeps such values within the API's
limits, and a record the server still refuses for its content (400, 413) is
reported once, remembered by a fingerprint of what was sent, and not sent again
until the record changes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import TEST_KEY
from sync_helpers import regular_items, session_for, sync_file

from syncd.sandbox import validate

CORPUS = Path(__file__).parents[1] / "corpus" / "exporters"
LIMIT = 1_000  # a server stricter than the API's documented limit, for the abstract


def _export(path: Path, abstract: str, doi: str = "10.5555/refused") -> Path:
    path.write_text(
        f"TY  - JOUR\nTI  - A record with a long abstract\nAU  - Doe, Jane\nPY  - 2021\n"
        f"DO  - {doi}\nAB  - {abstract}\nER  - \n",
        encoding="utf-8",
    )
    return path


def _writes(sandbox: Any) -> int:
    return int(sandbox.count(kind="write"))


def test_an_ovid_psycinfo_export_with_cited_author_lists_is_created_whole(
    sandbox: Any, tmp_path: Path
) -> None:
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        report = sync_file(session, CORPUS / "ovid_psycinfo.ris")
    assert report.counts()["failed"] == 0
    assert report.counts()["created"] == 6
    assert len(regular_items(sandbox)) == 6


@pytest.fixture
def strict_sandbox(sandbox: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(validate, "FIELD_MAX_BYTES", LIMIT)
    return sandbox


def test_a_record_refused_for_its_content_is_reported_as_failed_once(
    strict_sandbox: Any, tmp_path: Path
) -> None:
    export = _export(tmp_path / "a.ris", "x" * (LIMIT + 1))
    with session_for(strict_sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        report = sync_file(session, export)
    (outcome,) = report.outcomes
    assert outcome.kind == "failed"
    assert "413" in outcome.message and "not sent again" in outcome.message


def test_a_refused_record_is_not_sent_again_while_it_is_unchanged(
    strict_sandbox: Any, tmp_path: Path
) -> None:
    export = _export(tmp_path / "a.ris", "x" * (LIMIT + 1))
    state = tmp_path / "state.sqlite"
    with session_for(strict_sandbox, state, TEST_KEY) as session:
        sync_file(session, export)
    strict_sandbox.clear_log()
    with session_for(strict_sandbox, state, TEST_KEY) as session:
        report = sync_file(session, export)
    assert _writes(strict_sandbox) == 0
    (outcome,) = report.outcomes
    assert outcome.kind == "refused"
    assert "413" in outcome.message and "too long" in outcome.message
    assert report.counts()["failed"] == 0


def test_a_refused_record_is_sent_again_once_it_changes(
    strict_sandbox: Any, tmp_path: Path
) -> None:
    state = tmp_path / "state.sqlite"
    with session_for(strict_sandbox, state, TEST_KEY) as session:
        sync_file(session, _export(tmp_path / "a.ris", "x" * (LIMIT + 1)))
        strict_sandbox.clear_log()
        report = sync_file(session, _export(tmp_path / "b.ris", "a shorter abstract"))
    assert report.counts()["created"] == 1
    assert _writes(strict_sandbox) == 1
    assert [i["abstractNote"] for i in regular_items(strict_sandbox)] == ["a shorter abstract"]


def test_a_refused_update_is_not_sent_again_while_it_is_unchanged(
    strict_sandbox: Any, tmp_path: Path
) -> None:
    state = tmp_path / "state.sqlite"
    with session_for(strict_sandbox, state, TEST_KEY) as session:
        sync_file(session, _export(tmp_path / "a.ris", "short"))
        longer = _export(tmp_path / "b.ris", "y" * (LIMIT + 1))
        first = sync_file(session, longer)
        strict_sandbox.clear_log()
        second = sync_file(session, longer)
    assert [o.kind for o in first.outcomes] == ["failed"]
    assert [o.kind for o in second.outcomes] == ["refused"]
    assert _writes(strict_sandbox) == 0
    assert [i["abstractNote"] for i in regular_items(strict_sandbox)] == ["short"]


def test_a_refusal_of_one_record_does_not_hold_back_another(
    strict_sandbox: Any, tmp_path: Path
) -> None:
    state = tmp_path / "state.sqlite"
    with session_for(strict_sandbox, state, TEST_KEY) as session:
        sync_file(session, _export(tmp_path / "a.ris", "x" * (LIMIT + 1)))
        report = sync_file(session, _export(tmp_path / "b.ris", "x" * (LIMIT + 1), "10.5555/b"))
    assert [o.kind for o in report.outcomes] == ["failed"]
