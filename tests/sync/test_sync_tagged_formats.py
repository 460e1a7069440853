"""One work exported as MEDLINE, Web of Science tagged, RefWorks and Scopus RIS, synced
into one library, against the sandbox: it is one item, and syncing any of them
again writes nothing, although they disagree on details (MEDLINE's title ends with
a period, Web of Science writes the journal in capitals): each source merges
against its own base (syncd/core/bases.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import TEST_KEY
from sync_helpers import regular_items, session_for, sync_file

from syncd.reports import FileReport

TITLE = "Sleep spindles and overnight memory consolidation in adolescents"
DOI = "10.5555/sleep.spindles.2021.77"
PMID = "33512345"

SCOPUS_RIS = f"""TY  - JOUR
AU  - Moreau, Claire
AU  - Lindqvist, Per O.
TI  - {TITLE}
PY  - 2021
T2  - Journal of Sleep Research
VL  - 30
IS  - 4
SP  - 112
EP  - 120
DO  - {DOI}
UR  - https://www.scopus.com/inward/record.uri?eid=2-s2.0-85100000077&partnerID=40
C2  - {PMID}
N1  - Cited By: 7; Export Date: 1 December 2026
DB  - Scopus
ER  -
"""

MEDLINE = f"""PMID- {PMID}
OWN - NLM
STAT- MEDLINE
IS  - 0962-1105 (Print)
VI  - 30
IP  - 4
DP  - 2021 Aug
TI  - {TITLE}.
PG  - 112-20
LID - {DOI} [doi]
FAU - Moreau, Claire
AU  - Moreau C
FAU - Lindqvist, Per O
AU  - Lindqvist PO
LA  - eng
PT  - Journal Article
TA  - J Sleep Res
JT  - Journal of sleep research
MH  - Adolescent
MH  - Memory Consolidation/*physiology
AID - {DOI} [doi]
SO  - J Sleep Res. 2021 Aug;30(4):112-20.

"""

WOS = f"""FN Clarivate Analytics Web of Science
VR 1.0
PT J
AU Moreau, C
   Lindqvist, PO
AF Moreau, Claire
   Lindqvist, Per O.
TI {TITLE}
SO JOURNAL OF SLEEP RESEARCH
DE sleep spindles; memory
DT Article
TC 9
Z9 10
SN 0962-1105
PD AUG
PY 2021
VL 30
IS 4
BP 112
EP 120
DI {DOI}
UT WOS:000612345600001
ER

EF
"""

REFWORKS = f"""RT Journal Article
SR Electronic(1)
A1 Moreau,Claire
A1 Lindqvist,Per O.
T1 {TITLE}
JF Journal of Sleep Research
YR 2021
VO 30
IS 4
SP 112
OP 120
DO {DOI}
"""


FORMATS = {"medline": ("pubmed.nbib", MEDLINE), "wos": ("savedrecs.txt", WOS)}
FORMATS["refworks"] = ("refworks.txt", REFWORKS)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("scopus_first", [False, True])
def test_a_work_from_a_tagged_format_and_from_scopus_ris_is_one_item_and_a_resync_writes_nothing(
    sandbox: Any, tmp_path: Path, fmt: str, scopus_first: bool
) -> None:
    name, text = FORMATS[fmt]
    tagged = _write(tmp_path, name, text)
    scopus = _write(tmp_path, "scopus.ris", SCOPUS_RIS)
    order = [scopus, tagged] if scopus_first else [tagged, scopus]
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        first = [sync_file(session, path) for path in order]
        writes = sandbox.count(kind="write")
        again = sync_file(session, order[-1])
        assert sandbox.count(kind="write") == writes
    (item,) = regular_items(sandbox)
    assert {o.key for report in [*first, again] for o in report.outcomes} == {item["key"]}
    assert [o.kind for o in again.outcomes] == ["unchanged"]
    assert item["DOI"] == DOI
    assert "Scopus EID: 2-s2.0-85100000077" in item["extra"]


def test_syncing_every_export_again_in_any_order_writes_nothing(
    sandbox: Any, tmp_path: Path
) -> None:
    paths = [_write(tmp_path, name, text) for name, text in FORMATS.values()]
    paths.append(_write(tmp_path, "scopus.ris", SCOPUS_RIS))
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        for path in paths:
            sync_file(session, path)
        writes = sandbox.count(kind="write")
        again = [sync_file(session, path) for path in [*paths, *reversed(paths)]]
        assert sandbox.count(kind="write") == writes
    assert {o.kind for report in again for o in report.outcomes} == {"unchanged"}
    (item,) = regular_items(sandbox)
    # The first source's values stand; later sources filled only what was empty.
    assert item["title"] == TITLE + "."
    assert item["url"].startswith("https://www.scopus.com/")


def test_identifiers_and_counts_from_every_tagged_format_gather_on_the_one_item(
    sandbox: Any, tmp_path: Path
) -> None:
    paths = [_write(tmp_path, name, text) for name, text in FORMATS.values()]
    paths.append(_write(tmp_path, "scopus.ris", SCOPUS_RIS))
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        reports = [sync_file(session, path) for path in paths]
    (item,) = regular_items(sandbox)
    assert {o.key for report in reports for o in report.outcomes} == {item["key"]}
    assert item["PMID"] == PMID
    assert "Web of Science ID: WOS:000612345600001" in item["extra"]
    assert "9 citations (Web of Science)" in item["extra"]
    assert "7 citations (Scopus) [2026-12-01]" in item["extra"]


def test_the_report_says_how_the_file_was_read_and_each_record_names_its_format(
    sandbox: Any, tmp_path: Path
) -> None:
    path = _write(tmp_path, "pubmed.txt", MEDLINE)
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        report = sync_file(session, path)
    document = FileReport.of_sync(path, report, "0" * 64).as_json()
    assert {
        "file": str(path),
        "line": None,
        "severity": "info",
        "message": "read as MEDLINE/nbib (PMID- tag at line 1)",
    } in document["problems"]
    (record,) = document["records"]
    assert record["sources"][0]["dialect"] == "medline"
