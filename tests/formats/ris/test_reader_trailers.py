"""Tag lines after ``ER`` that name no work are an exporter's trailer, not a record.

Ovid writes ``NL  -``, "Link to the Ovid Full Text or citation:", the link and a
counter after every ER; read as a record without TY they became one empty item
per work. Tag lines without TY, title or identifier are skipped with a warning
that names their lines.
"""

from __future__ import annotations

import io
from pathlib import Path

from syncd.convert import convert_file
from syncd.formats.records import ConvertedRecord, RawRecord, ReadProblem
from syncd.formats.ris.reader import read_file, read_records
from syncd.schema import bundled_schema

OVID_PSYCINFO = Path(__file__).parents[2] / "corpus" / "exporters" / "ovid_psycinfo.ris"
TRAILER = (
    "TY  - JOUR\nTI  - First\nER  - \n\nNL  - \nLink to the Ovid Full Text or citation:\n"
    "http://ovidsp.ovid.com/ovidweb.cgi?T=JS&AN=1\n\n2. \nTY  - JOUR\nTI  - Second\nER  - \n"
)


def _read(text: str) -> tuple[list[RawRecord], list[ReadProblem]]:
    out = list(read_records(io.BytesIO(text.encode("utf-8")), "ovid.ris"))
    return (
        [o for o in out if isinstance(o, RawRecord)],
        [o for o in out if isinstance(o, ReadProblem)],
    )


def test_an_ovid_psycinfo_export_of_six_records_gives_six_items() -> None:
    entries = convert_file(OVID_PSYCINFO, bundled_schema())
    converted = [c for c in entries if isinstance(c, ConvertedRecord)]
    assert len(converted) == 6
    assert all(c.item.get("title") and c.item.get("DOI") for c in converted)


def test_each_ovid_trailer_is_reported_once_with_its_lines() -> None:
    problems = [p for p in read_file(OVID_PSYCINFO) if isinstance(p, ReadProblem)]
    skipped = [p for p in problems if "no record" in p.message]
    assert len(skipped) == 6
    assert all(p.severity == "warning" and p.line for p in skipped)
    assert not [p for p in problems if "missing ER" in p.message]


def test_a_trailer_between_records_is_skipped_and_named_by_its_lines() -> None:
    records, problems = _read(TRAILER)
    assert [r.first("TI") for r in records] == ["First", "Second"]
    assert [r.index for r in records] == [0, 1]
    assert [(p.line, p.severity) for p in problems] == [(5, "warning")]
    assert "lines 5-9" in problems[0].message


def test_a_trailer_after_the_last_record_is_skipped_without_a_missing_er_warning() -> None:
    records, problems = _read("TY  - JOUR\nTI  - Only\nER  - \nNL  - \nLink to the Ovid\n")
    assert len(records) == 1
    assert len(problems) == 1
    assert "no record" in problems[0].message


def test_lines_without_ty_but_with_a_title_are_still_a_record() -> None:
    records, _ = _read("TY  - JOUR\nER  - \nAU  - Doe\nTI  - x\nER  - \n")
    assert len(records) == 2


def test_lines_without_ty_but_with_a_doi_are_still_a_record() -> None:
    records, _ = _read("TY  - JOUR\nER  - \nAU  - Doe\nDO  - 10.1000/x\nER  - \n")
    assert len(records) == 2
