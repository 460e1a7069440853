"""A work from BibTeX, CSL-JSON and Scopus RIS synced into one library: one item,
and syncing any of them again writes nothing.

Each file goes through the real frame: the session's ``convert_file`` detects BibTeX
and CSL-JSON from the content, then matching, merging, planning and writing are the
real ``syncd.sync`` machinery against the sandbox.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import TEST_KEY
from sync_helpers import regular_items, session_for, sync_file

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
