"""JSON through orjson (syncd/jsonio.py): the same content as the standard library's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from syncd import jsonio
from syncd.cli import main
from syncd.convert import convert_file
from syncd.errors import SyncdError
from syncd.formats.records import ConvertedRecord
from syncd.schema import bundled_schema

CORPUS = sorted((Path(__file__).parent / "corpus").glob("*/*.ris"))


def _records_as_json_writes_them(path: Path) -> list[Any]:
    """What ``convert`` printed with ``json.dumps``: the records up to a file-level error."""
    text = []
    try:
        for entry in convert_file(path, bundled_schema()):
            if isinstance(entry, ConvertedRecord):
                text.append(json.dumps(entry.as_json(), ensure_ascii=False))
    except SyncdError:
        pass
    return [json.loads(t) for t in text]


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_convert_prints_the_records_json_would_print_for_every_corpus_file(path: Path) -> None:
    run = CliRunner().invoke(main, ["convert", "--format", "json", str(path)])
    assert run.exit_code in (0, 1), run.output
    assert json.loads(run.stdout_bytes) == _records_as_json_writes_them(path)


def test_convert_jsonl_prints_one_record_a_line_as_json_would() -> None:
    path = next(p for p in CORPUS if p.name == "scopus.ris")
    run = CliRunner().invoke(main, ["convert", "--format", "jsonl", str(path)])
    lines = run.stdout_bytes.decode("utf-8").splitlines()
    assert [json.loads(line) for line in lines] == _records_as_json_writes_them(path)
    assert len(lines) > 1


def test_text_with_non_ascii_and_control_characters_reads_back_the_same() -> None:
    title = 'M\u00fcller \u2013 \u03b1\u2028\u03b2\x00\x1f"\\'
    value = {"title": title, "n": [1, 2.5, None, True], "e": {}}
    assert json.loads(jsonio.dumps(value)) == value
    assert jsonio.loads(json.dumps(value)) == value


def test_a_lone_surrogate_orjson_refuses_is_written_by_json() -> None:
    value = {"title": "bad \ud800 byte"}
    assert json.loads(jsonio.dumps(value)) == value


def test_integer_keys_and_huge_integers_are_written_as_json_writes_them() -> None:
    value = {1: 2**70}
    assert jsonio.dumps(value) == json.dumps(value).encode()


def test_sorted_and_indented_output_holds_the_same_content() -> None:
    value = {"b": [1, {"d": 1, "c": 2}], "a": ""}
    text = jsonio.dumps_str(value, sort_keys=True, indent=True)
    assert json.loads(text) == value
    assert text.index('"a"') < text.index('"b"')
    assert text.startswith('{\n  "a"')


def test_json_orjson_refuses_to_read_is_read_by_json() -> None:
    assert jsonio.loads('{"x": NaN}')["x"] != jsonio.loads('{"x": NaN}')["x"]
    assert jsonio.loads('"\\ud800"') == "\ud800"


def test_text_that_is_not_json_raises_the_standard_error() -> None:
    with pytest.raises(json.JSONDecodeError):
        jsonio.loads("{not json")
