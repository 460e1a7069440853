"""EndNote XML files that are broken, hostile or not EndNote XML: each a clear outcome,
and the good records beside a bad part still read."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncd.errors import InputError
from syncd.formats import endnote_xml
from syncd.formats.records import ConvertedRecord, ReadProblem
from syncd.schema import bundled_schema

HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<xml><records>\n'
TAIL = "</records></xml>\n"


def record(title: str, author: str = "Doe, Jane") -> str:
    return (
        '<record><ref-type name="Journal Article">17</ref-type>'
        f"<contributors><authors><author>{author}</author></authors></contributors>"
        f"<titles><title>{title}</title></titles></record>\n"
    )


def convert(path: Path) -> tuple[list[ConvertedRecord], list[ReadProblem]]:
    out = list(endnote_xml.convert(path, bundled_schema()))
    return (
        [e for e in out if isinstance(e, ConvertedRecord)],
        [e for e in out if isinstance(e, ReadProblem)],
    )


def write(tmp_path: Path, data: str | bytes) -> Path:
    path = tmp_path / "export.xml"
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def test_a_truncated_file_keeps_the_records_before_the_cut(tmp_path: Path) -> None:
    text = HEAD + record("First") + record("Second") + record("Third")[:60]
    records, problems = convert(write(tmp_path, text))
    assert [r.item["title"] for r in records] == ["First", "Second"]
    assert [p.severity for p in problems] == ["error"]
    assert "not well-formed" in problems[0].message and "incomplete" in problems[0].message
    assert problems[0].line == 5


def test_a_file_cut_before_its_first_record_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not well-formed EndNote XML"):
        convert(write(tmp_path, HEAD + "<record><titles><tit"))


def test_entity_expansion_is_refused_before_anything_is_read(tmp_path: Path) -> None:
    laughs = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE xml [<!ENTITY lol0 "lol">'
        + laughs
        + "]>\n<xml><records>"
        + record("&lol9;")
        + TAIL
    )
    with pytest.raises(InputError, match="declares an entity 'lol0'"):
        convert(write(tmp_path, text))


def test_an_external_entity_naming_a_local_file_is_refused_unread(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE", encoding="utf-8")
    text = (
        f'<?xml version="1.0"?>\n<!DOCTYPE xml [<!ENTITY s SYSTEM "file://{secret}">]>\n'
        "<xml><records>" + record("&s;") + TAIL
    )
    with pytest.raises(InputError, match="external entity 's'") as err:
        convert(write(tmp_path, text))
    assert "TOP-SECRET-VALUE" not in str(err.value)


def test_an_external_dtd_is_never_loaded(tmp_path: Path) -> None:
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY s "TOP-SECRET-VALUE">', encoding="utf-8")
    text = (
        f'<?xml version="1.0"?>\n<!DOCTYPE xml SYSTEM "file://{dtd}">\n'
        "<xml><records>" + record("&s;") + TAIL
    )
    with pytest.raises(InputError) as err:
        convert(write(tmp_path, text))
    assert "TOP-SECRET-VALUE" not in str(err.value)


def test_a_latin1_line_in_a_utf8_file_is_read_as_windows_1252(tmp_path: Path) -> None:
    data = (HEAD + record("First")).encode() + record("Second", "Kingsbury, No\u00ebl").encode(
        "latin-1"
    )
    records, problems = convert(write(tmp_path, data + TAIL.encode()))
    assert records[1].item["creators"][0]["firstName"] == "No\u00ebl"
    assert any("Windows-1252" in p.message for p in problems)


def test_a_utf16_file_is_read(tmp_path: Path) -> None:
    text = HEAD.replace("UTF-8", "UTF-16") + record("First") + TAIL
    records, _ = convert(write(tmp_path, text.encode("utf-16")))
    assert [r.item["title"] for r in records] == ["First"]


def test_ris_after_the_xml_keeps_the_xml_records_and_reports_the_rest(tmp_path: Path) -> None:
    text = HEAD + record("First") + TAIL + "TY  - JOUR\nTI  - Other\nER  - \n"
    records, problems = convert(write(tmp_path, text))
    assert [r.item["title"] for r in records] == ["First"]
    assert "junk after document element" in problems[-1].message


def test_pubmed_xml_is_not_endnote_xml(tmp_path: Path) -> None:
    text = '<?xml version="1.0"?><PubmedArticleSet><PubmedArticle/></PubmedArticleSet>'
    with pytest.raises(InputError, match="root element is <PubmedArticleSet>"):
        convert(write(tmp_path, text))


def test_an_empty_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not EndNote XML: empty file"):
        convert(write(tmp_path, b""))


def test_a_bad_value_leaves_its_record_and_the_others_read(tmp_path: Path) -> None:
    bad = record("Second").replace(
        "</record>", "<electronic-resource-num>not a doi</electronic-resource-num></record>"
    )
    records, problems = convert(write(tmp_path, HEAD + record("First") + bad + TAIL))
    assert [r.item["title"] for r in records] == ["First", "Second"]
    assert "Electronic Resource Number: not a doi" in records[1].item["extra"]
    assert any("not a DOI" in p.message for p in problems)


def test_each_record_carries_its_lines_and_dialect(tmp_path: Path) -> None:
    records, _ = convert(write(tmp_path, HEAD + record("First") + record("Second") + TAIL))
    assert [(r.source.line, r.source.index) for r in records] == [(3, 0), (4, 1)]
    assert records[0].source.dialect == "endnote_xml"


def test_a_declared_single_byte_encoding_is_read_as_declared_without_warning(
    tmp_path: Path,
) -> None:
    text = HEAD.replace("UTF-8", "windows-1252") + record("\u201cCaf\u00e9\u201d") + TAIL
    records, problems = convert(write(tmp_path, text.encode("cp1252")))
    assert [r.item["title"] for r in records] == ["\u201cCaf\u00e9\u201d"]
    assert problems == []


def test_a_file_with_only_a_declaration_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no record read"):
        convert(write(tmp_path, '<?xml version="1.0" encoding="ISO-8859-1"?>\n'))
