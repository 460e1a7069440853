"""A malformed CSL-JSON corpus: each file a clear outcome, good items beside bad ones
still read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from csljson_helpers import convert_text

from syncd.errors import InputError
from syncd.formats import csljson
from syncd.formats.records import ConvertedRecord
from syncd.schema import bundled_schema

A = {"type": "article-journal", "title": "First good"}
B = {"type": "article-journal", "title": "Second good"}


def _titles(records: list[ConvertedRecord]) -> list[str]:
    return [r.item["title"] for r in records]


def test_a_truncated_array_keeps_the_items_before_the_cut(tmp_path: Path) -> None:
    text = json.dumps([A, B], indent=2)
    records, problems = convert_text(tmp_path, text[: text.rindex('"title"')])
    assert _titles(records) == ["First good"]
    (error,) = [p for p in problems if p.severity == "error"]
    assert "the file ends inside this item" in error.message


def test_an_item_that_is_not_json_is_skipped_with_its_line(tmp_path: Path) -> None:
    text = (
        "[\n" + json.dumps(A) + ',\n{"type": "book" "title": "no comma"},\n' + json.dumps(B) + "\n]"
    )
    records, problems = convert_text(tmp_path, text)
    assert _titles(records) == ["First good", "Second good"]
    (error,) = problems
    assert error.line == 3 and "not valid JSON" in error.message


def test_values_of_the_wrong_shape_in_the_array_are_reported(tmp_path: Path) -> None:
    text = "[\n" + json.dumps(A) + ',\n42,\n"a string",\n[1, 2],\n' + json.dumps(B) + "\n]"
    records, problems = convert_text(tmp_path, text)
    assert _titles(records) == ["First good", "Second good"]
    assert [p.line for p in problems] == [3, 4, 5]
    assert all("not a CSL-JSON item" in p.message for p in problems)


def test_an_object_without_a_csl_type_is_read_as_a_document_with_a_warning(
    tmp_path: Path,
) -> None:
    records, problems = convert_text(tmp_path, json.dumps([{"title": "Untyped"}, B]))
    assert [r.item["itemType"] for r in records] == ["document", "journalArticle"]
    assert any("unknown or missing CSL type" in p.message for p in problems)


def test_a_broken_json_line_costs_that_line_alone(tmp_path: Path) -> None:
    text = json.dumps(A) + '\n{"type": "book", "title": "never closed"\n' + json.dumps(B) + "\n"
    records, problems = convert_text(tmp_path, text)
    assert _titles(records) == ["First good", "Second good"]
    (error,) = problems
    assert error.line == 2 and "never closes" in error.message


def test_a_windows_1252_file_is_read_with_one_warning(tmp_path: Path) -> None:
    text = json.dumps([{"type": "book", "title": "Universität"}], ensure_ascii=False)
    records, problems = convert_text(tmp_path, text.encode("cp1252"))
    assert _titles(records) == ["Universität"]
    assert [p.severity for p in problems] == ["warning"]


def test_a_utf16_file_with_a_bom_is_read(tmp_path: Path) -> None:
    records, _ = convert_text(tmp_path, ("\ufeff" + json.dumps([A])).encode("utf-16-le"))
    assert _titles(records) == ["First good"]


def test_text_after_the_array_is_reported(tmp_path: Path) -> None:
    records, problems = convert_text(tmp_path, json.dumps([A]) + "\ntrailing")
    assert _titles(records) == ["First good"]
    assert "after the end of the array" in problems[0].message


@pytest.mark.parametrize(
    "content",
    [b"", b"%PDF-1.7\n\x00binary", b"TY  - JOUR\nER  - \n", b"[]", b"[1, 2]"],
    ids=["empty", "pdf", "ris", "empty-array", "numbers"],
)
def test_a_file_without_items_is_an_input_error(tmp_path: Path, content: bytes) -> None:
    with pytest.raises(InputError, match="no CSL-JSON item found"):
        convert_text(tmp_path, content)


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot open the file"):
        list(csljson.convert(tmp_path / "nope.json", bundled_schema()))
