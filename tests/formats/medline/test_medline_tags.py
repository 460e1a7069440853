"""MeSH headings become tags as Zotero's MEDLINE/nbib translator makes them."""

from __future__ import annotations

from pathlib import Path

from syncd.convert import convert_file
from syncd.formats.records import ConvertedRecord
from syncd.schema import bundled_schema

RECORD = "PMID- 31000001\nTI  - A title.\nDP  - 2020\nPT  - Journal Article\n{mesh}\n"


def _tags(tmp_path: Path, mesh: list[str]) -> list[str]:
    path = tmp_path / "pubmed.nbib"
    lines = "\n".join(f"MH  - {heading}" for heading in mesh)
    path.write_text(RECORD.format(mesh=lines), encoding="utf-8")
    (record,) = [r for r in convert_file(path, bundled_schema()) if isinstance(r, ConvertedRecord)]
    return [t["tag"] for t in record.item.get("tags", [])]


def test_a_records_only_mesh_heading_with_a_comma_is_one_tag(tmp_path: Path) -> None:
    # RIS splits a lone keyword on commas; Zotero's MEDLINE translator does not.
    assert _tags(tmp_path, ["Influenza, Human/*epidemiology"]) == ["Influenza, Human/*epidemiology"]


def test_several_mesh_headings_with_commas_are_one_tag_each(tmp_path: Path) -> None:
    mesh = ["Crystallography, X-Ray", "Models, Molecular"]
    assert _tags(tmp_path, mesh) == mesh
