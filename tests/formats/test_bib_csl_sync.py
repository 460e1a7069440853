"""A work from BibTeX, CSL-JSON and Scopus RIS synced into one library: one item,
and syncing any of them again writes nothing.

The frame that dispatches a file to its format (i18-tagged's branch) is not on this
branch, so the session's reading step is pointed at the two formats' ``convert``
here; everything after reading (matching, merging, planning, writing) is the real
``syncd.sync`` machinery against the sandbox.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import TEST_KEY
from sync_helpers import regular_items, session_for, sync_file

import syncd.sync.session as session_module
from syncd.formats import bibtex, csljson
from syncd.ris.mapping import ConvertedRecord
from syncd.ris.records import ReadProblem
from syncd.schema import Schema

_EID = "2-s2.0-84864948206"
_URL = f"https://www.scopus.com/inward/record.uri?eid={_EID}&partnerID=40"
_TITLE = "Double allogenic mesenchymal stem cells transplantations in lupus"

BIBTEX = f"""@ARTICLE{{Wang2012,
  author = {{Wang, Dandan and Akiyama, Kentaro and Zhang, Huayong}},
  title = {{{_TITLE}}},
  year = {{2012}},
  journal = {{Clinical and Developmental Immunology}},
  volume = {{2012}},
  pages = {{273291}},
  doi = {{10.1155/2012/273291}},
  url = {{{_URL}}},
  abstract = {{The clinical trial of allogenic MSCs.}},
  author_keywords = {{lupus; stem cells}},
  issn = {{17402522}},
  pmid = {{22829849}},
  language = {{English}},
  abbrev_source_title = {{Clin. Dev. Immunol.}},
  type = {{Article}},
  source = {{Scopus}},
  note = {{Cited by: 12; All Open Access, Gold Open Access}}
}}
"""

RIS = f"""TY  - JOUR
AU  - Wang, Dandan
AU  - Akiyama, Kentaro
AU  - Zhang, Huayong
TI  - {_TITLE}
PY  - 2012
T2  - Clinical and Developmental Immunology
VL  - 2012
C7  - 273291
DO  - 10.1155/2012/273291
UR  - {_URL}
AB  - The clinical trial of allogenic MSCs.
KW  - lupus
KW  - stem cells
SN  - 17402522
C2  - 22829849
LA  - English
J2  - Clin. Dev. Immunol.
DB  - Scopus
N1  - Export Date: 15 November 2026; Cited By: 12
ER  -
"""

CSL = [
    {
        "id": "Wang2012",
        "type": "article-journal",
        "title": _TITLE,
        "author": [
            {"family": "Wang", "given": "Dandan"},
            {"family": "Akiyama", "given": "Kentaro"},
            {"family": "Zhang", "given": "Huayong"},
        ],
        "issued": {"date-parts": [[2012]]},
        "container-title": "Clinical and Developmental Immunology",
        "volume": "2012",
        "page": "273291",
        "DOI": "10.1155/2012/273291",
        "PMID": "22829849",
        "ISSN": "1740-2522",
        "language": "English",
        "journalAbbreviation": "Clin. Dev. Immunol.",
        "abstract": "The clinical trial of allogenic MSCs.",
        "note": f"Scopus EID: {_EID}",
    }
]


@pytest.fixture(autouse=True)
def _read_bib_and_csl(monkeypatch: pytest.MonkeyPatch) -> None:
    original = session_module.convert_file

    def convert_file(path: Any, schema: Schema) -> Iterator[ConvertedRecord | ReadProblem]:
        suffix = Path(path).suffix
        if suffix == ".bib":
            return bibtex.convert(Path(path), schema)
        if suffix == ".json":
            return csljson.convert(Path(path), schema)
        return original(path, schema)

    monkeypatch.setattr(session_module, "convert_file", convert_file)


def _files(tmp_path: Path) -> list[Path]:
    bib = tmp_path / "scopus.bib"
    bib.write_text(BIBTEX, encoding="utf-8")
    ris = tmp_path / "scopus.ris"
    ris.write_text(RIS, encoding="utf-8")
    csl = tmp_path / "items.json"
    csl.write_text(json.dumps(CSL), encoding="utf-8")
    return [bib, ris, csl]


def test_one_work_as_bibtex_csl_json_and_scopus_ris_is_one_item(
    sandbox: Any, tmp_path: Path
) -> None:
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        for path in _files(tmp_path):
            report = sync_file(session, path)
            assert report.counts()["failed"] == 0, report.problems
    (item,) = regular_items(sandbox)
    assert item["DOI"] == "10.1155/2012/273291"
    assert f"Scopus EID: {_EID}" in item["extra"].splitlines()
    assert [x for x in item["extra"].splitlines() if "citations" in x] == ["12 citations (Scopus)"]


def test_syncing_any_of_the_three_again_writes_nothing(sandbox: Any, tmp_path: Path) -> None:
    files = _files(tmp_path)
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        for path in files:
            sync_file(session, path)
        sandbox.clear_log()
        counts = [sync_file(session, path).counts() for path in files]
    assert sandbox.count(kind="write") == 0
    assert [c["created"] + c["updated"] for c in counts] == [0, 0, 0]
    assert len(regular_items(sandbox)) == 1


def test_the_bibtex_first_item_takes_no_note_from_scopus_export_details(
    sandbox: Any, tmp_path: Path
) -> None:
    bib = _files(tmp_path)[0]
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        sync_file(session, bib)
    notes = [i for i in sandbox.all_items("users/1") if i.get("itemType") == "note"]
    assert notes == []
