"""Schema endpoints that need no library or key: ``/schema``, ``/items/new`` and the type lists.

All answers come from one :class:`~syncd.schema.Schema`, which cannot change while a
sandbox runs, so ``If-Modified-Since`` (what pyzotero sends to revalidate cached
templates) always gets a 304 and ``/schema`` carries a content-hash ETag.
"""

from __future__ import annotations

import hashlib
import json
from functools import cached_property
from typing import Any

from syncd.sandbox.protocol import HttpFailure, Request, Response, json_response
from syncd.schema import Schema

TYPE_ENDPOINTS = frozenset(
    {"schema", "itemTypes", "itemFields", "itemTypeFields", "itemTypeCreatorTypes", "creatorFields"}
)
# Types the web API lists for users; annotations only exist inside the desktop client.
_HIDDEN_TYPES = frozenset({"annotation"})
_LINK_MODES = frozenset(
    {"imported_file", "imported_url", "linked_file", "linked_url", "embedded_image"}
)


class TypeInfo:
    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        locale = schema.document.get("locales", {}).get("en-US", {})
        self._type_labels: dict[str, str] = locale.get("itemTypes", {})
        self._creator_labels: dict[str, str] = locale.get("creatorTypes", {})

    @cached_property
    def _schema_body(self) -> tuple[bytes, str]:
        body = json.dumps(self.schema.document, ensure_ascii=False).encode("utf-8")
        return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'

    def handle(self, req: Request, segments: list[str]) -> Response:
        if req.header("If-Modified-Since") is not None:
            return Response(304)
        if segments == ["schema"]:
            body, etag = self._schema_body
            if req.header("If-None-Match") == etag:
                return Response(304, {"ETag": etag})
            return Response(200, {"Content-Type": "application/json", "ETag": etag}, body)
        if segments == ["items", "new"]:
            return json_response(200, self._template(req))
        name = segments[0]
        if name == "itemTypes":
            # ItemTypes::getAll leaves out attachment and annotation, sorted by label.
            types = sorted(
                self.schema.item_types - _HIDDEN_TYPES - {"attachment"},
                key=lambda t: self._type_labels.get(t, t),
            )
            return json_response(
                200, [{"itemType": t, "localized": self._type_labels.get(t, t)} for t in types]
            )
        if name == "itemFields":
            return json_response(200, self._fields(sorted(self.schema.all_fields)))
        if name == "itemTypeFields":
            item_type = self._item_type(req)
            return json_response(200, self._fields(self.schema.type(item_type).fields))
        if name == "itemTypeCreatorTypes":
            spec = self.schema.type(self._item_type(req))
            ordered = sorted(spec.creator_types, key=lambda c: c != spec.primary_creator_type)
            payload: list[dict[str, Any]] = [
                {"creatorType": c, "localized": self._creator_labels.get(c, c)} for c in ordered
            ]
            return json_response(200, payload)
        if name == "creatorFields":
            return json_response(
                200,
                [
                    {"field": "firstName", "localized": "First"},
                    {"field": "lastName", "localized": "Last"},
                    {"field": "name", "localized": "Name"},
                ],
            )
        raise HttpFailure(404, "Not found")

    def _template(self, req: Request) -> dict[str, Any]:
        """``MappingsController::newItem``; an attachment template needs its linkMode."""
        item_type = req.param("itemType")
        if item_type != "attachment":
            return self.schema.template(self._item_type(req))
        link_mode = req.param("linkMode")
        if not link_mode:
            raise HttpFailure(400, "linkMode required for itemType=attachment")
        if link_mode not in _LINK_MODES:
            raise HttpFailure(400, f"Invalid linkMode '{link_mode}'")
        template: dict[str, Any] = {"itemType": "attachment", "linkMode": link_mode}
        for field in self.schema.type("attachment").fields:
            if field != "url" or link_mode.endswith("_url"):
                template[field] = ""
        template.update({"note": "", "tags": [], "collections": [], "relations": {}})
        template.update({"contentType": "", "charset": ""})
        if link_mode == "linked_file":
            template["path"] = ""
        if link_mode.startswith("imported_") or link_mode == "embedded_image":
            template.update({"filename": "", "md5": None, "mtime": None})
        if link_mode == "embedded_image":
            template["parentItem"] = ""
            for prop in ("title", "url", "accessDate", "tags", "collections", "relations"):
                template.pop(prop, None)
            template.pop("note", None)
            template.pop("charset", None)
        return template

    def _fields(self, fields: Any) -> list[dict[str, str]]:
        return [{"field": f, "localized": self.schema.field_label(f)} for f in fields]

    def _item_type(self, req: Request) -> str:
        item_type = req.param("itemType")
        if not item_type:
            raise HttpFailure(400, "'itemType' not provided")
        if not self.schema.has_type(item_type) or item_type in _HIDDEN_TYPES:
            raise HttpFailure(400, f"Invalid item type '{item_type}'")
        return item_type
