"""The two readers give the same records whatever size the blocks they read are cut
in, so an entry or item split across two blocks is read whole, with its line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from syncd.formats import bibtex, csljson
from syncd.formats.records import ConvertedRecord
from syncd.formats.ris import reader_lines
from syncd.schema import bundled_schema


def _lines_and_titles(module: object, path: Path) -> list[tuple[int, str]]:
    out = module.convert(path, bundled_schema())  # type: ignore[attr-defined]
    return [(r.source.line, r.item["title"]) for r in out if isinstance(r, ConvertedRecord)]


@pytest.mark.parametrize("block", [7, 64, 300, 1 << 20])
def test_bibtex_entries_across_block_boundaries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    path = tmp_path / "many.bib"
    path.write_text(
        "".join(
            f"@article{{k{i},\n  title = {{Entry {i}}},\n  year = 2020\n}}\n" for i in range(40)
        ),
        encoding="utf-8",
    )
    monkeypatch.setattr(reader_lines, "BLOCK_SIZE", block)
    assert _lines_and_titles(bibtex, path) == [(1 + 4 * i, f"Entry {i}") for i in range(40)]


@pytest.mark.parametrize("block", [7, 64, 300, 1 << 20])
def test_csljson_items_across_block_boundaries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    items = [{"type": "book", "title": f"Item {i}", "volume": str(i)} for i in range(40)]
    path = tmp_path / "many.json"
    path.write_text(json.dumps(items, indent=1), encoding="utf-8")
    monkeypatch.setattr(reader_lines, "BLOCK_SIZE", block)
    assert _lines_and_titles(csljson, path) == [(2 + 5 * i, f"Item {i}") for i in range(40)]
