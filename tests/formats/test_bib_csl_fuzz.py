"""Fuzzing the BibTeX and CSL-JSON readers and mappings: on any bytes, only the
project's own errors come out, every item holds only fields and creator types its
type has, and the sniffers never raise."""

from __future__ import annotations

import json
from pathlib import Path
from tempfile import TemporaryDirectory

from fuzz_helpers import mutated
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncd.errors import SyncdError
from syncd.formats import bibtex, csljson
from syncd.formats.bibtex.latex import decode
from syncd.formats.records import ConvertedRecord
from syncd.schema import bundled_schema

FIXTURES = Path(__file__).parents[1] / "fixtures" / "translators"
BIB_SEEDS = [
    c["input"].encode("utf-8")
    for c in json.loads((FIXTURES / "bibtex.json").read_text("utf-8"))["cases"]
]
CSL_SEEDS = [
    c["input"].encode("utf-8")
    for c in json.loads((FIXTURES / "csl-json.json").read_text("utf-8"))["cases"]
] + [
    b'{"type": "book", "title": "A", "author": [{"family": "Doe"}]}\n{"type": "chapter"}\n',
    b'[{"type": "article-journal", "issued": {"date-parts": [["2013", 1, 1]]}, "note": "x"}]',
]
# Tokens that open, close or escape something in BibTeX or JSON.
SPECIAL = [b"{", b"}", b"@", b'"', b"\\", b"$", b"[", b","]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SCHEMA = bundled_schema()


_NOT_FIELDS = frozenset({"itemType", "creators", "tags"})


def _check_item(item: dict[str, object]) -> None:
    """Only fields and creator types the item's type has, and no empty values."""
    item_type = str(item["itemType"])
    fields = SCHEMA.fields_for(item_type)
    for name, value in item.items():
        assert name in _NOT_FIELDS or name in fields, (item_type, name)
        assert value not in ("", None, []), name
    creator_types = SCHEMA.creator_types_for(item_type)
    for creator in item.get("creators", []):  # type: ignore[attr-defined]
        assert creator["creatorType"] in creator_types
        assert creator.get("name") or creator.get("lastName")


def _convert_all(module: object, data: bytes, suffix: str) -> None:
    with TemporaryDirectory() as tmp:
        path = Path(tmp) / f"fuzz{suffix}"
        path.write_bytes(data)
        try:
            for entry in module.convert(path, SCHEMA):  # type: ignore[attr-defined]
                if isinstance(entry, ConvertedRecord):
                    _check_item(entry.item)
        except SyncdError:
            pass
    head = data[:65536].decode("utf-8", "replace")
    module.sniff(head)  # type: ignore[attr-defined]


@SETTINGS
@given(st.binary(max_size=3000))
def test_bibtex_on_arbitrary_bytes_raises_only_syncd_errors(data: bytes) -> None:
    _convert_all(bibtex, data, ".bib")


@SETTINGS
@given(mutated(BIB_SEEDS, special=SPECIAL))
def test_bibtex_on_mutated_zotero_cases_raises_only_syncd_errors(data: bytes) -> None:
    _convert_all(bibtex, data, ".bib")


@SETTINGS
@given(st.text(alphabet=st.sampled_from("\\{}$^_~-'\"`=.aAiIoOuvHckrbdt sx123@,#%"), max_size=200))
def test_latex_decoding_never_raises(text: str) -> None:
    assert isinstance(decode(text), str)


@SETTINGS
@given(st.binary(max_size=3000))
def test_csljson_on_arbitrary_bytes_raises_only_syncd_errors(data: bytes) -> None:
    _convert_all(csljson, data, ".json")


@SETTINGS
@given(mutated(CSL_SEEDS, special=SPECIAL))
def test_csljson_on_mutated_items_raises_only_syncd_errors(data: bytes) -> None:
    _convert_all(csljson, data, ".json")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "type",
                    "title",
                    "author",
                    "editor",
                    "issued",
                    "accessed",
                    "note",
                    "DOI",
                    "PMID",
                    "ISSN",
                    "ISBN",
                    "page",
                    "id",
                    "keyword",
                    "container-title",
                    "date-parts",
                    "family",
                    "given",
                    "literal",
                    "raw",
                ]
            ),
            children,
            max_size=6,
        )
    ),
    max_leaves=20,
)


@SETTINGS
@given(st.lists(json_values, min_size=1, max_size=4))
def test_csljson_on_items_of_any_json_shape_raises_only_syncd_errors(items: list[object]) -> None:
    _convert_all(csljson, json.dumps(items).encode(), ".json")
