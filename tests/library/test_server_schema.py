"""Syncs follow the Zotero schema of the server they write to (server_schema.py)."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import TEST_KEY, make_sandbox
from schema_helpers import schema_document
from sync_helpers import LIBRARY, session_for, sync_file

from syncd.library.server_schema import kept_schema
from syncd.sandbox import Sandbox
from syncd.sandbox.typeinfo import TypeInfo
from syncd.schema import Schema, bundled_schema
from syncd.state import StateDB

SEED = Path(__file__).parents[1] / "fixtures" / "seed_scopus_pure.ris"


@pytest.fixture
def other_server() -> Iterator[Sandbox]:
    sb = make_sandbox(Schema(schema_document(99, drop=("journalArticle", "volume"))))
    sb.start()
    try:
        yield sb
    finally:
        sb.stop()


@pytest.fixture
def export(tmp_path: Path) -> Path:
    return Path(shutil.copy(SEED, tmp_path / "export.ris"))


def test_a_server_on_the_bundled_schema_costs_no_schema_request(
    sandbox: Sandbox, tmp_path: Path, export: Path
) -> None:
    with session_for(sandbox, tmp_path / "state.db", TEST_KEY) as session:
        report = sync_file(session, export)
        assert session.schema is bundled_schema()
    assert report.counts()["created"] == 1
    assert sandbox.count(path_prefix="/schema") == 0
    with StateDB.open(tmp_path / "state.db") as db:
        assert kept_schema(db, sandbox.url) is None


def test_sync_maps_with_the_servers_schema_and_keeps_it(
    other_server: Sandbox, tmp_path: Path, export: Path
) -> None:
    state = tmp_path / "state.db"
    with session_for(other_server, state, TEST_KEY) as session:
        report = sync_file(session, export)
        assert session.schema.version == 99
    assert report.counts()["created"] == 1, report.counts()
    assert report.counts()["failed"] == 0
    (item,) = other_server.all_items(LIBRARY)
    assert "volume" not in item
    assert "Volume: 2012" in item["extra"].splitlines()
    assert item["DOI"] == "10.1155/2012/273291"
    assert other_server.count(path_prefix="/schema") == 1

    # A later run starts with the kept schema and fetches nothing.
    with session_for(other_server, state, TEST_KEY) as session:
        assert session.schema.version == 99
        again = sync_file(session, export)
    assert again.counts()["unchanged"] == 1, again.counts()
    assert other_server.count(path_prefix="/schema") == 1


def test_a_server_that_changes_its_schema_is_followed_again(
    other_server: Sandbox, tmp_path: Path, export: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state.db"
    with session_for(other_server, state, TEST_KEY) as session:
        sync_file(session, export)
    # The server moves on to a newer schema, with volume on articles again.
    newer = Schema(schema_document(100))
    monkeypatch.setattr(other_server.api, "schema", newer)
    monkeypatch.setattr(other_server.api, "types", TypeInfo(newer))
    with session_for(other_server, state, TEST_KEY) as session:
        assert session.schema.version == 99
        report = sync_file(session, export)
        assert session.schema.version == 100
    assert other_server.count(path_prefix="/schema") == 2
    # The volume now has its field: the item is updated, not duplicated.
    assert report.counts()["updated"] == 1, report.counts()
    (item,) = other_server.all_items(LIBRARY)
    assert item["volume"] == "2012"
    with StateDB.open(state) as db:
        kept = kept_schema(db, other_server.url)
    assert kept is not None and kept.version == 100


def test_an_unreadable_server_schema_keeps_the_bundled_one(
    other_server: Sandbox,
    tmp_path: Path,
    export: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    typeinfo = other_server.api.types
    monkeypatch.setitem(typeinfo.__dict__, "_schema_body", (b"<html>maintenance</html>", '"x"'))
    caplog.set_level(logging.WARNING, logger="syncd.library.server_schema")
    with session_for(other_server, tmp_path / "state.db", TEST_KEY) as session:
        report = sync_file(session, export)
        assert session.schema is bundled_schema()
    # Mapped with the bundled schema, the article keeps its volume, which this
    # server refuses: the record fails and says why, nothing else breaks.
    assert report.counts()["failed"] == 1, report.counts()
    assert any("schema version 99" in r.getMessage() for r in caplog.records)
    with StateDB.open(tmp_path / "state.db") as db:
        assert kept_schema(db, other_server.url) is None
