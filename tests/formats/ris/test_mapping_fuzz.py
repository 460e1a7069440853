"""map_record never fails on arbitrary records, and only outputs what the API accepts."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from syncd.formats.records import Field, RawRecord
from syncd.formats.ris.mapping import map_record
from syncd.formats.ris.mapping_tables import IMPORT_ONLY, PRIMARY, TYPE_MAP
from syncd.schema import bundled_schema

_TAGS = sorted(set(PRIMARY) | set(IMPORT_ONLY) | {"C7", "C8", "U2", "L3", "UT", "VO", "ZZ", "ER"})
_VALUES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "SCOPUS:84864948206",
            "2-s2.0-84864948206",
            "WOS:000307286400001",
            "10.1155/2012/273291",
            "https://doi.org/10.1000/x%2F1",
            "PM:12345",
            "PMC3399441",
            "Cited By :10",
            "Export Date: 13 July 2022; Cited By: 3; CODEN: X",
            "Record ID: 10",
            "Author Role: edited by",
            "Author, Monographic: Jane Doe; John Roe",
            "Extent of Work: 2 vols.",
            "internal-pdf://a/b.pdf",
            "2012/05/03/10:20:30 pm",
            "0000",
            "May 3",
            "<i>x</i> &amp; y",
            "a; b\nc",
            "17402522 (ISSN); 9781467310673 (ISBN)",
            "",
        ]
    ),
)


@st.composite
def records(draw: st.DrawFn) -> RawRecord:
    ty = draw(st.sampled_from([*sorted(TYPE_MAP), "XYZ", ""]))
    pairs = draw(st.lists(st.tuples(st.sampled_from(_TAGS), _VALUES), max_size=25))
    fields = [Field("TY", ty, 1)] if ty else []
    fields += [Field(tag, value.strip(), n + 2) for n, (tag, value) in enumerate(pairs)]
    return RawRecord.from_fields(fields, "fuzz.ris", 1, len(fields) + 1, 0)


@settings(max_examples=300, deadline=None)
@given(records())
def test_any_record_maps_to_a_valid_item(record: RawRecord) -> None:
    schema = bundled_schema()
    conv = map_record(record, schema)
    item: dict[str, Any] = conv.item
    item_type = item["itemType"]
    allowed = schema.fields_for(item_type) | {"itemType", "creators", "tags"}
    assert set(item) <= allowed
    assert all(isinstance(v, str) and v for k, v in item.items() if k not in ("creators", "tags"))
    creator_types = schema.creator_types_for(item_type)
    for c in item.get("creators", []):
        assert c["creatorType"] in creator_types
        assert c.get("name") or c.get("lastName") or c.get("firstName")
    for t in item.get("tags", []):
        assert t["tag"]
    assert all(n for n in conv.notes)
    assert map_record(record, schema) == conv
