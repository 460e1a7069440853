"""Values past the Web API's limits never cost the record: names that are lists go
to Extra, over-long tags to Extra, over-long fields and notes are cut, each with a
warning. Before, the server refused the whole item (413) on every run."""

from __future__ import annotations

from ris_helpers import convert_text

from syncd.formats import build
from syncd.formats.records import ConvertedRecord
from syncd.sandbox import validate

CITED = "; ".join(f"Author{n}, A. B." for n in range(40))  # ~640 characters


def _one(*lines: str) -> ConvertedRecord:
    (record,) = convert_text("\n".join(["TY  - JOUR", "TI  - A title", *lines, "ER  - ", ""]))
    return record


def _messages(record: ConvertedRecord) -> list[str]:
    return [p.message for p in record.problems]


def test_item_building_knows_the_limits_the_sandbox_enforces() -> None:
    assert build.FIELD_MAX_BYTES == validate.FIELD_MAX_BYTES
    assert build.CREATOR_MAX == validate.CREATOR_MAX
    assert build.TAG_MAX == validate.TAG_MAX
    assert build.NOTE_MAX == validate.NOTE_MAX


def test_a_cited_author_list_in_a2_is_kept_in_extra_not_made_a_creator() -> None:
    record = _one("AU  - Miller, Anna", f"A2  - {CITED}")
    assert record.item["creators"] == [
        {"creatorType": "author", "firstName": "Anna", "lastName": "Miller"}
    ]
    assert f"Names (A2): {CITED}" in record.item["extra"].splitlines()
    assert any("A2 holds a list of names" in m for m in _messages(record))


def test_the_warning_for_a_name_list_names_its_line() -> None:
    record = _one("AU  - Miller, Anna", f"A2  - {CITED}")
    (problem,) = [p for p in record.problems if "list of names" in p.message]
    assert problem.line == 4


def test_a_single_name_over_the_limit_is_kept_in_extra() -> None:
    name = "Consortium " + "x" * 300
    record = _one("AU  - Miller, Anna", f"AU  - {name}")
    assert len(record.item["creators"]) == 1
    assert f"Names (AU): {name}" in record.item["extra"].splitlines()


def test_a_name_at_the_limit_stays_a_creator() -> None:
    name = "C" * build.CREATOR_MAX
    record = _one(f"AU  - {name}")
    assert record.item["creators"] == [{"creatorType": "author", "name": name}]


def test_an_abstract_past_the_field_limit_is_cut_to_it_with_a_warning() -> None:
    record = _one("AB  - " + "word " * 20_000)
    abstract = record.item["abstractNote"]
    assert len(abstract.encode("utf-8")) <= build.FIELD_MAX_BYTES
    assert abstract.startswith("word word") and abstract.endswith("\u2026")
    assert any("abstractNote cut to the API's limit" in m for m in _messages(record))


def test_the_field_limit_counts_bytes_not_characters() -> None:
    under = "\u00e9" * 30_000  # 60,000 bytes
    over = "\u00e9" * 40_000  # 80,000 bytes
    assert _one(f"AB  - {under}").item["abstractNote"] == under
    cut = _one(f"AB  - {over}").item["abstractNote"]
    assert len(cut.encode("utf-8")) <= build.FIELD_MAX_BYTES


def test_a_keyword_past_the_tag_limit_goes_to_extra() -> None:
    long_keyword = "k" * 300
    record = _one("KW  - short", f"KW  - {long_keyword}")
    assert record.item["tags"] == [{"tag": "short"}]
    assert f"Keywords: {long_keyword}" in record.item["extra"].splitlines()


def test_a_note_past_the_note_limit_is_cut() -> None:
    record = _one("N1  - " + "n" * (build.NOTE_MAX + 10))
    (note,) = record.notes
    assert len(note) <= build.NOTE_MAX
