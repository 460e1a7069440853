"""Zotero's item schema: which fields and creator types each item type allows.

The bundled copy (``syncd/data/zotero-schema.json``, schema version 41) is the
default; :meth:`Schema.from_json` takes the document a server serves at
``/schema`` so syncd can follow the schema of the library it writes to.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from syncd.errors import SchemaError

# Types that are not bibliographic records: never produced from RIS, never matched.
NON_REGULAR_TYPES = frozenset({"note", "attachment", "annotation"})


@dataclass(frozen=True, slots=True)
class ItemTypeSpec:
    name: str
    fields: tuple[str, ...]
    # type-specific field name -> base field name (e.g. caseName -> title)
    base_of: Mapping[str, str]
    creator_types: tuple[str, ...]
    primary_creator_type: str | None

    def specific_for(self, base_field: str) -> str | None:
        """The field that holds ``base_field`` in this type, if any."""
        if base_field in self.fields:
            return base_field
        for specific, base in self.base_of.items():
            if base == base_field:
                return specific
        return None


class Schema:
    """A loaded Zotero schema, indexed for the lookups mapping and validation make."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        try:
            self.version: int = int(document["version"])
            types: dict[str, ItemTypeSpec] = {}
            for entry in document["itemTypes"]:
                fields = tuple(f["field"] for f in entry["fields"])
                base_of = {f["field"]: f["baseField"] for f in entry["fields"] if "baseField" in f}
                creators = tuple(c["creatorType"] for c in entry.get("creatorTypes", []))
                primary = next(
                    (c["creatorType"] for c in entry.get("creatorTypes", []) if c.get("primary")),
                    None,
                )
                types[entry["itemType"]] = ItemTypeSpec(
                    entry["itemType"], fields, base_of, creators, primary
                )
            locale = document.get("locales", {}).get("en-US", {})
            self._field_labels: dict[str, str] = dict(locale.get("fields", {}))
            self._type_labels: dict[str, str] = dict(locale.get("itemTypes", {}))
            self._date_fields = frozenset(
                name
                for name, meta in document.get("meta", {}).get("fields", {}).items()
                if meta.get("type") == "date"
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise SchemaError(
                f"the Zotero schema document is malformed ({exc!r})",
                hint="use the bundled schema, or check the server's /schema response",
            ) from exc
        if "journalArticle" not in types:
            raise SchemaError("the Zotero schema document defines no journalArticle type")
        self._types = types
        self.document = document
        all_fields: set[str] = set()
        for spec in types.values():
            all_fields.update(spec.fields)
        self.all_fields = frozenset(all_fields)

    @classmethod
    def from_json(cls, text: str | bytes) -> Schema:
        try:
            document = json.loads(text)
        except ValueError as exc:
            raise SchemaError(f"the Zotero schema is not valid JSON ({exc})") from exc
        if not isinstance(document, dict):
            raise SchemaError("the Zotero schema is not a JSON object")
        return cls(document)

    @property
    def item_types(self) -> frozenset[str]:
        return frozenset(self._types)

    @property
    def regular_item_types(self) -> frozenset[str]:
        return frozenset(self._types) - NON_REGULAR_TYPES

    def has_type(self, item_type: str) -> bool:
        return item_type in self._types

    def type(self, item_type: str) -> ItemTypeSpec:
        try:
            return self._types[item_type]
        except KeyError:
            raise SchemaError(
                f"'{item_type}' is not an item type in schema {self.version}"
            ) from None

    def fields_for(self, item_type: str) -> frozenset[str]:
        return frozenset(self.type(item_type).fields)

    def creator_types_for(self, item_type: str) -> frozenset[str]:
        return frozenset(self.type(item_type).creator_types)

    def is_valid_field(self, item_type: str, field: str) -> bool:
        spec = self._types.get(item_type)
        return spec is not None and field in spec.fields

    def resolve_field(self, item_type: str, field: str) -> str | None:
        """The name under which ``field`` is stored for ``item_type``.

        A base field (``title``, ``publicationTitle``, ``date``...) resolves to the
        type-specific field that maps to it (``caseName``, ``bookTitle``,
        ``dateDecided``...); a type-specific field of another type resolves through
        its base field. ``None`` when the type has no home for it.
        """
        spec = self.type(item_type)
        if field in spec.fields:
            return field
        direct = spec.specific_for(field)
        if direct is not None:
            return direct
        base = self.base_field_of(field)
        if base is not None and base != field:
            return spec.specific_for(base)
        return None

    def base_field_of(self, field: str) -> str | None:
        """The base field a type-specific field maps to (in any type), else None."""
        for spec in self._types.values():
            base = spec.base_of.get(field)
            if base is not None:
                return base
        return None

    def is_date_field(self, field: str) -> bool:
        return field in self._date_fields

    def field_label(self, field: str) -> str:
        """The English label Zotero shows for a field (used for Extra lines)."""
        label = self._field_labels.get(field)
        if label:
            return label
        # Fallback for fields without a locale entry: split camelCase.
        out = [field[:1].upper()]
        for ch in field[1:]:
            if ch.isupper() and not out[-1].isupper():
                out.append(" ")
            out.append(ch)
        return "".join(out)

    def template(self, item_type: str) -> dict[str, Any]:
        """An empty item as ``GET /items/new?itemType=`` returns it."""
        spec = self.type(item_type)
        if item_type == "note":
            return {"itemType": "note", "note": "", "tags": [], "collections": [], "relations": {}}
        item: dict[str, Any] = {"itemType": item_type}
        if spec.primary_creator_type:
            item["creators"] = [
                {"creatorType": spec.primary_creator_type, "firstName": "", "lastName": ""}
            ]
        else:
            item["creators"] = []
        for field in spec.fields:
            item[field] = ""
        item["tags"] = []
        item["collections"] = []
        item["relations"] = {}
        return item


@cache
def bundled_schema() -> Schema:
    """The schema shipped with syncd (Zotero schema v41)."""
    text = resources.files("syncd").joinpath("data/zotero-schema.json").read_bytes()
    return Schema.from_json(text)
