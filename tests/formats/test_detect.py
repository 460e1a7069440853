"""The frame: which format a file is, from its content; dispatch; ``--from``; errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import syncd.formats
from syncd.convert import convert_file
from syncd.errors import UnknownFormatError
from syncd.formats import Format, package
from syncd.formats.detect import detect
from syncd.formats.records import ConvertedRecord, ReadProblem
from syncd.schema import bundled_schema

RIS = "TY  - JOUR\nTI  - A RIS record\nPY  - 2020\nER  - \n"
MEDLINE = "PMID- 31234567\nOWN - NLM\nTI  - A MEDLINE record.\nDP  - 2020\n"
WOS = "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nTI A WoS record\nPY 2020\nER\n\nEF\n"
REFWORKS = "RT Journal Article\nT1 A RefWorks record\nYR 2020\n"
SAMPLES = {Format.RIS: RIS, Format.MEDLINE: MEDLINE, Format.WOS: WOS, Format.REFWORKS: REFWORKS}


def _records(path: Path, fmt: Format | None = None) -> list[ConvertedRecord]:
    entries = convert_file(path, bundled_schema(), fmt)
    return [e for e in entries if isinstance(e, ConvertedRecord)]


def test_every_format_has_a_package_that_sniffs_and_converts() -> None:
    for fmt in Format:
        assert callable(package(fmt).sniff) and callable(package(fmt).convert), fmt


def test_every_package_under_syncd_formats_is_a_format() -> None:
    root = Path(syncd.formats.__file__).parent
    packages = {p.parent.name for p in root.glob("*/__init__.py")}
    assert packages == {fmt.value for fmt in Format}


@pytest.mark.parametrize("fmt", list(SAMPLES))
def test_the_content_decides_the_format_whatever_the_extension(tmp_path: Path, fmt: Format) -> None:
    path = tmp_path / "export.txt"
    path.write_text(SAMPLES[fmt], encoding="utf-8")
    found = detect(path.read_bytes())
    assert found is not None and found.format is fmt
    (record,) = _records(path)
    assert record.source.dialect.split("/")[0] == ("generic" if fmt is Format.RIS else fmt.value)


def test_a_utf16_medline_file_is_detected_and_read(tmp_path: Path) -> None:
    path = tmp_path / "pubmed.nbib"
    path.write_bytes(MEDLINE.encode("utf-16"))
    (record,) = _records(path)
    assert record.item["title"] == "A MEDLINE record."


def test_the_detection_and_its_evidence_open_the_problems_of_a_non_ris_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "savedrecs.txt"
    path.write_text(WOS, encoding="utf-8")
    first = next(iter(convert_file(path, bundled_schema())))
    assert isinstance(first, ReadProblem) and first.severity == "info"
    assert first.message == "read as Web of Science tagged (FN header at line 1, PT tag at line 3)"


def test_a_ris_file_gets_no_detection_line(tmp_path: Path) -> None:
    path = tmp_path / "a.ris"
    path.write_text(RIS, encoding="utf-8")
    assert not [e for e in convert_file(path, bundled_schema()) if isinstance(e, ReadProblem)]


def test_a_file_of_no_known_format_names_what_it_looks_like_and_the_formats_read(
    tmp_path: Path,
) -> None:
    path = tmp_path / "refs.ris"
    # EndNote's Refer export (%0 tags): a format syncd does not read.
    path.write_text("%0 Journal Article\n%T A title\n%D 2020\n", encoding="utf-8")
    with pytest.raises(UnknownFormatError) as caught:
        list(convert_file(path, bundled_schema()))
    text = str(caught.value)
    assert "looks like EndNote/Refer" in text
    assert "MEDLINE/nbib" in text and "Web of Science tagged" in text and "RIS" in text


def test_naming_a_format_overrides_detection(tmp_path: Path) -> None:
    path = tmp_path / "odd.txt"
    # An ERIC record without its OWN line: no sniff recognises it.
    path.write_text("TI  - An ERIC report\nDP  - 2017\nPT  - Reports - Research\n")
    assert detect(path.read_bytes()) is None
    (record,) = _records(path, Format.MEDLINE)
    assert (record.item["itemType"], record.source.dialect) == ("report", "medline")


def test_a_file_named_as_a_format_it_is_not_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "a.ris"
    path.write_text(RIS, encoding="utf-8")
    with pytest.raises(UnknownFormatError, match="no Web of Science records found"):
        _records(path, Format.WOS)


def test_convert_from_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "odd.txt"
    path.write_text("TI  - An ERIC report\nDP  - 2017\nPT  - Reports - Research\n")
    run = subprocess.run(
        [sys.executable, "-m", "syncd", "convert", "--from", "medline", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    (record,) = json.loads(run.stdout)
    assert record["source"]["dialect"] == "medline"
    bad = subprocess.run(
        [sys.executable, "-m", "syncd", "convert", "--from", "word", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2


def test_the_watcher_sniff_takes_every_format_and_refuses_other_text() -> None:
    from syncd.formats.detect import looks_like_known_format

    for text in SAMPLES.values():
        assert looks_like_known_format(text.encode("utf-8")[:8192])
    assert not looks_like_known_format(b"Dear colleague,\nplease find the references.\n")


@pytest.mark.parametrize("fmt", list(SAMPLES))
def test_each_record_is_put_in_stored_form_once_whatever_its_format(
    tmp_path: Path, fmt: Format, monkeypatch: pytest.MonkeyPatch
) -> None:
    import syncd.formats.emit as emit

    calls: list[object] = []

    def counted(item: dict[str, object]) -> dict[str, object]:
        calls.append(item)
        return item

    # emit is plain Python (not in setup.py's COMPILED): its reference may be replaced.
    monkeypatch.setattr(emit, "stored_form", counted)
    path = tmp_path / "export.txt"
    path.write_text(SAMPLES[fmt] + SAMPLES[fmt].replace("2020", "2021"), encoding="utf-8")
    records = _records(path)
    assert len(records) == 2
    assert calls == [r.item for r in records]
