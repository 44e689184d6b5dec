"""Domains and data products (`/api/v1/domains`, `/api/v1/dataProducts`), read-only.

The seed holds them as plain entities that assets name in `domains` / `dataProducts`;
a client resolves a name to the id a PATCH needs through these reads. Their shape is
OpenMetadata's (`entity/domains/domain.json`, `dataProduct.json`): the fields below,
the rest left out. Creating or editing them is not served (405).
"""

from __future__ import annotations

from typing import Any

import orjson

from gateway.emulator.catalog.calls import Call, Endpoint, json_bytes, path_id
from gateway.emulator.catalog.changes import as_number
from gateway.emulator.catalog.errors import not_found
from gateway.emulator.catalog.query import parse_limit
from gateway.emulator.catalog.rows import Entity
from gateway.emulator.catalog.store import Store
from gateway.emulator.responses import JSONResponse

# Entity type -> collection under /api/v1.
READ_ONLY = {"domain": "domains", "dataProduct": "dataProducts"}


class ReadOnly:
    """List, get by id and get by name of one plain entity type."""

    def __init__(self, store: Store, entity_type: str) -> None:
        self.store = store
        self.type = entity_type
        self.path = f"/api/v1/{READ_ONLY[entity_type]}"

    def table(self) -> list[tuple[str, str, Endpoint]]:
        return [
            ("GET", self.path, self.list),
            ("GET", f"{self.path}/name/{{name}}", self.by_name),
            ("GET", f"{self.path}/{{id}}", self.by_id),
        ]

    def body(self, call: Call, entity: Entity) -> dict[str, Any]:
        doc = entity.doc
        out: dict[str, Any] = {
            "id": entity.id,
            "name": entity.name,
            "fullyQualifiedName": entity.fqn,
            "displayName": doc.get("displayName"),
            "description": doc.get("description", ""),
            "version": as_number(entity.version),
            "updatedAt": entity.updated_at,
            "updatedBy": entity.updated_by,
            "href": call.renderer.href(self.type, entity.id),
            "deleted": entity.deleted,
        }
        if self.type == "domain":
            out["domainType"] = doc.get("domainType", "Aggregate")
        else:
            domain = self.store.get_by_fqn("domain", doc.get("domain", ""))
            if domain is not None:
                out["domains"] = [
                    {
                        "id": domain.id,
                        "type": "domain",
                        "name": domain.name,
                        "fullyQualifiedName": domain.fqn,
                        "displayName": domain.doc.get("displayName"),
                        "href": call.renderer.href("domain", domain.id),
                    }
                ]
        return out

    async def list(self, call: Call) -> JSONResponse:
        limit = parse_limit(call.params)
        rows = self.store.of_type(self.type)
        data = [self.body(call, row) for row in rows[:limit]]
        return JSONResponse({"data": data, "paging": {"total": len(rows)}})

    async def by_id(self, call: Call) -> Any:
        entity = self.store.get(path_id(call))
        if entity is None or entity.type != self.type:
            raise not_found(self.type, call.request.path_params["id"])
        return json_bytes(orjson.dumps(self.body(call, entity)))

    async def by_name(self, call: Call) -> Any:
        name = call.request.path_params["name"]
        entity = self.store.get_by_fqn(self.type, name)
        if entity is None:
            raise not_found(self.type, name)
        return json_bytes(orjson.dumps(self.body(call, entity)))
