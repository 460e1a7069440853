"""Issue 20: a document dropped into a watched folder waits, bounded, for the export
that names it; then it is reported and stays where it is."""

from __future__ import annotations

import tomllib
from pathlib import Path

from syncd.config import parse_config
from syncd.documents import WaitingDocuments, span
from syncd.state import StateDB

CONFIG = """
[zotero]
library_type = "user"
library_id = 1

[[watch]]
path = "inbox"
"""


def pdf(folder: Path, name: str = "paper.pdf") -> Path:
    path = folder / name
    path.write_bytes(b"%PDF-1.7\n")
    return path


def test_a_document_no_export_named_is_reported_once_when_its_wait_ends(
    tmp_path: Path,
) -> None:
    paper = pdf(tmp_path)
    with StateDB.open(tmp_path / "state.sqlite") as db:
        documents = WaitingDocuments(db, "users/1")
        assert documents.note(paper, tmp_path, at=1000.0)
        assert not documents.note(paper, tmp_path, at=1500.0)  # already waiting
        assert documents.expire(3600, at=4599.0) == []
        assert documents.expire(3600, at=4600.0) == [paper]
        assert documents.expire(3600, at=9000.0) == []  # reported once
        (waiting,) = documents.waiting()
    assert waiting.path == paper and waiting.unnamed_at is not None
    assert paper.exists()  # it stays in its folder


def test_a_document_an_export_named_waits_no_more(tmp_path: Path) -> None:
    paper = pdf(tmp_path)
    with StateDB.open(tmp_path / "state.sqlite") as db:
        documents = WaitingDocuments(db, "users/1")
        documents.note(paper, tmp_path, at=1000.0)
        documents.named(tmp_path, ["other.pdf", "paper.pdf"])
        assert documents.waiting() == []
        assert documents.expire(3600, at=9000.0) == []


def test_a_document_reported_and_then_named_by_a_later_export_is_no_longer_listed(
    tmp_path: Path,
) -> None:
    paper = pdf(tmp_path)
    with StateDB.open(tmp_path / "state.sqlite") as db:
        documents = WaitingDocuments(db, "users/1")
        documents.note(paper, tmp_path, at=1000.0)
        assert documents.expire(60, at=2000.0) == [paper]
        documents.named(tmp_path, [str(paper)])  # an export may name it by its full path
        assert documents.waiting() == []


def test_a_document_gone_from_its_folder_is_forgotten(tmp_path: Path) -> None:
    waits, reported = pdf(tmp_path, "a.pdf"), pdf(tmp_path, "b.pdf")
    with StateDB.open(tmp_path / "state.sqlite") as db:
        documents = WaitingDocuments(db, "users/1")
        documents.note(waits, tmp_path, at=1000.0)
        documents.note(reported, tmp_path, at=1000.0)
        assert documents.expire(60, at=1060.0) == [waits, reported]
        documents.note(pdf(tmp_path, "c.pdf"), tmp_path, at=1100.0)
        (tmp_path / "c.pdf").unlink()
        assert documents.expire(60, at=1200.0) == []  # gone before its wait ended
        reported.unlink()
        documents.forget_gone()
        assert [d.path for d in documents.waiting()] == [waits]


def test_an_old_configuration_waits_an_hour_for_the_export(tmp_path: Path) -> None:
    config = parse_config(tomllib.loads(CONFIG), source=tmp_path / "config.toml")
    assert config.daemon.document_wait == 3600.0
    assert span(config.daemon.document_wait) == "60 min"


def test_the_wait_is_set_under_daemon(tmp_path: Path) -> None:
    text = CONFIG + "\n[daemon]\ndocument_wait = 86400\n"
    config = parse_config(tomllib.loads(text), source=tmp_path / "config.toml")
    assert config.daemon.document_wait == 86400.0
    assert span(config.daemon.document_wait) == "24 h"
