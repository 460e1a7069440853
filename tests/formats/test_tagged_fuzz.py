"""Fuzzing the tagged readers and mappings: only the project's own errors come out, and
whatever is read maps to items with valid fields and creator types only."""

from __future__ import annotations

import io
from collections.abc import Callable

from conformance_helpers import load_cases
from fuzz_helpers import PREFIXES, mutated
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncd.errors import SyncdError
from syncd.formats import Format, package
from syncd.formats.detect import detect
from syncd.formats.medline.mapping import map_medline
from syncd.formats.medline.reader import SYNTAX as MEDLINE
from syncd.formats.records import ConvertedRecord, RawRecord
from syncd.formats.refworks.mapping import map_refworks
from syncd.formats.refworks.reader import SYNTAX as REFWORKS
from syncd.formats.tagged import Syntax, read_tagged
from syncd.formats.wos.mapping import map_wos
from syncd.formats.wos.reader import SYNTAX as WOS
from syncd.schema import Schema, bundled_schema

Mapper = Callable[[RawRecord, Schema], ConvertedRecord]
FORMATS: dict[str, tuple[Syntax, Mapper, str]] = {
    "medline": (MEDLINE, map_medline, "medline-nbib.json"),
    "wos": (WOS, map_wos, "wos-tagged.json"),
    "refworks": (REFWORKS, map_refworks, "refworks-tagged.json"),
}
SEEDS = {
    name: [c["input"].encode("utf-8") for c in load_cases(fixture)]
    for name, (_, _, fixture) in FORMATS.items()
}
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Keys of an item that are no field of its type.
_NOT_FIELDS = frozenset({"itemType", "creators", "tags", "extra"})


def check_item(item: dict[str, object], schema: Schema) -> None:
    spec = schema.type(str(item["itemType"]))
    for name in item:
        assert name in _NOT_FIELDS or name in spec.fields, (name, item["itemType"])
    for creator in item.get("creators", []):  # type: ignore[attr-defined]
        assert creator["creatorType"] in spec.creator_types


def read_and_map(name: str, data: bytes) -> None:
    syntax, mapper, _ = FORMATS[name]
    schema = bundled_schema()
    try:
        for entry in read_tagged(io.BytesIO(data), f"fuzz.{name}", syntax):
            if isinstance(entry, RawRecord):
                check_item(mapper(entry, schema).item, schema)
    except SyncdError:
        pass


@SETTINGS
@given(st.sampled_from(sorted(FORMATS)), st.binary(max_size=3000))
def test_arbitrary_bytes_raise_only_syncd_errors(name: str, data: bytes) -> None:
    read_and_map(name, data)
    detect(data)


@SETTINGS
@given(st.data())
def test_mutated_exports_raise_only_syncd_errors_and_map_validly(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(FORMATS)))
    read_and_map(name, data.draw(mutated(SEEDS[name], prefixes=PREFIXES)))


@SETTINGS
@given(st.text(max_size=2000))
def test_every_sniff_takes_any_text_without_raising(text: str) -> None:
    for fmt in Format:
        if fmt is not Format.RIS:
            result = package(fmt).sniff(text)
            assert result is None or isinstance(result, str)


@SETTINGS
@given(
    st.sampled_from(sorted(FORMATS)),
    st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "TI",
                    "AU",
                    "FAU",
                    "AF",
                    "PT",
                    "SO",
                    "DP",
                    "PY",
                    "PD",
                    "T1",
                    "A1",
                    "RT",
                    "YR",
                    "FD",
                    "IS",
                    "SN",
                    "PG",
                    "BP",
                    "EP",
                    "UT",
                    "TC",
                    "DI",
                    "MH",
                    "DE",
                    "K1",
                    "NO",
                    "LK",
                    "BE",
                    "FED",
                    "OP",
                    "PMID",
                    "PMC",
                ]
            ),
            st.text(max_size=40),
        ),
        max_size=25,
    ),
)
def test_random_records_map_to_valid_items(name: str, fields: list[tuple[str, str]]) -> None:
    _, mapper, _ = FORMATS[name]
    values = tuple(v.replace("\r", " ") for _, v in fields)
    record = RawRecord(
        tuple(t for t, _ in fields), values, tuple(range(1, len(fields) + 1)), "f", 1, 1, 0
    )
    schema = bundled_schema()
    check_item(mapper(record, schema).item, schema)
