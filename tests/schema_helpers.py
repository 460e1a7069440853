"""Zotero schemas that differ from the bundled one, as a server might serve them."""

from __future__ import annotations

import copy
from typing import Any

from syncd.schema import bundled_schema


def schema_document(
    version: int | None = None, *, drop: tuple[str, str] | None = None
) -> dict[str, Any]:
    """The bundled schema document, renumbered to ``version`` and without the field
    ``drop`` = (item type, field): a server with it refuses items using that field."""
    document: dict[str, Any] = copy.deepcopy(dict(bundled_schema().document))
    if version is not None:
        document["version"] = version
    if drop is not None:
        item_type, name = drop
        for entry in document["itemTypes"]:
            if entry["itemType"] == item_type:
                entry["fields"] = [f for f in entry["fields"] if f["field"] != name]
    return document
