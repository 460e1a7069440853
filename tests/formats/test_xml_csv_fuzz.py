"""Property tests for the EndNote XML, PubMed XML and CSV readers and mappings: whatever
the bytes, only the project's own errors come out, and every item has a type."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from fuzz_helpers import PREFIXES, mutated
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncd.errors import SyncdError
from syncd.formats import csv as csv_format
from syncd.formats import endnote_xml, pubmed_xml
from syncd.formats.records import ConvertedRecord, ReadProblem
from syncd.schema import bundled_schema

FIXTURES = Path(__file__).parents[1] / "fixtures"
Convert = Callable[[Path, object], Iterator[ConvertedRecord | ReadProblem]]
FORMATS: dict[str, tuple[Convert, list[bytes]]] = {
    "endnote_xml": (
        endnote_xml.convert,  # type: ignore[dict-item]
        [
            c["input"].encode()
            for c in json.loads((FIXTURES / "translators" / "endnote-xml.json").read_text())[
                "cases"
            ]
        ],
    ),
    "pubmed_xml": (
        pubmed_xml.convert,  # type: ignore[dict-item]
        [
            c["input"].encode()
            for c in json.loads((FIXTURES / "translators" / "pubmed-xml.json").read_text())["cases"]
            if len(c["input"]) < 20_000
        ],
    ),
    "csv": (
        csv_format.convert,  # type: ignore[dict-item]
        [
            c["input"].encode()
            for c in json.loads((FIXTURES / "csv" / "csv-exports.json").read_text())["cases"]
        ],
    ),
}
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def convert_all(name: str, data: bytes) -> None:
    convert, _ = FORMATS[name]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.dat"
        path.write_bytes(data)
        try:
            for entry in convert(path, bundled_schema()):
                if isinstance(entry, ConvertedRecord):
                    assert bundled_schema().has_type(entry.item["itemType"])
                    assert all(
                        isinstance(v, str)
                        for k, v in entry.item.items()
                        if k not in ("creators", "tags")
                    )
                else:
                    assert isinstance(entry, ReadProblem)
        except SyncdError:
            pass


@st.composite
def mutated_export(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(st.sampled_from(sorted(FORMATS)))
    special = [b"<", b"&", b'"', b"\t", b",", b"\x00", b"]]>", b"&#0;"]
    return name, draw(mutated(FORMATS[name][1], special=special, prefixes=PREFIXES))


@SETTINGS
@given(st.sampled_from(sorted(FORMATS)), st.binary(max_size=3000))
def test_arbitrary_bytes_raise_only_syncd_errors(name: str, data: bytes) -> None:
    convert_all(name, data)


@SETTINGS
@given(mutated_export())
def test_mutated_real_exports_raise_only_syncd_errors(case: tuple[str, bytes]) -> None:
    convert_all(*case)


@SETTINGS
@given(st.text(max_size=2000))
def test_sniffing_never_raises(head: str) -> None:
    for module in (endnote_xml, pubmed_xml, csv_format):
        result = module.sniff(head)
        assert result is None or isinstance(result, str)


ENCODINGS = st.sampled_from(
    [
        "utf-8",
        "utf-16",
        "latin-1",
        "windows-1252",
        "iso-8859-15",
        "koi8-r",
        "mac-roman",
        "cp437",
        "cp875",
        "cp864",
        "shift_jis",
        "big5",
        "euc-jp",
        "iso-2022-jp",
        "hz",
        "utf-7",
        "rot13",
        "base64",
        "hex",
        "zlib",
        "idna",
        "punycode",
        "undefined",
        "uu",
        "nonsense",
    ]
) | st.from_regex(r"\A[A-Za-z0-9._-]{1,12}\Z")


@SETTINGS
@given(ENCODINGS, st.sampled_from(["endnote_xml", "pubmed_xml"]), st.binary(max_size=200))
def test_any_declared_encoding_raises_only_syncd_errors(
    encoding: str, name: str, body: bytes
) -> None:
    root = (
        b"<xml><records><record><titles><title>"
        if name == "endnote_xml"
        else (b"<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>")
    )
    head = f'<?xml version="1.0" encoding="{encoding}"?>'.encode()
    convert_all(name, head + root + body)
