"""`/v1/lineage`: the database-backed graph, adding and deleting edges (contract
SEARCH_LINEAGE_AUTHZ §2.1, §2.3).

- `GET /v1/lineage/{entity}/{id}` and `/v1/lineage/{entity}/name/{fqn}`: the root as a
  reference, the `nodes` reached (references, soft-deleted ones included, the root
  excluded) and the `upstreamEdges` / `downstreamEdges` (ids only), walked level by level
  up to `upstreamDepth` / `downstreamDepth` (default 1, 0 to 3). No authorization runs.
- `PUT /v1/lineage` `{"edge": {"fromEntity", "toEntity", "description"?, "lineageDetails"?}}`
  needs `EditLineage` on both ends; stores the details with `source` `Manual` unless given
  and `createdAt/By`, `updatedAt/By` set by the server; 200 with an empty body.
- `DELETE /v1/lineage/{fromEntity}/{fromId}/{toEntity}/{toId}` (or by names): the same
  permission; 200 with an empty body, `404 Lineage edge not found` without an edge.
Nodes and edges come in the order the walk reached them, edges of one level by their
ends' ids (the upstream's order is its database's).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from gateway.emulator.catalog.calls import Call, Endpoint, path_id
from gateway.emulator.catalog.errors import CatalogError, bad_request, not_found, path_not_found
from gateway.emulator.catalog.lineage import Lineage
from gateway.emulator.catalog.repository import Repository
from gateway.emulator.catalog.rows import Entity
from gateway.emulator.catalog.shapes import ENTITY_REFERENCE
from gateway.emulator.catalog.validation import Prop, anything, array, obj, text, validate
from gateway.emulator.responses import JSONResponse

EDIT_LINEAGE = "EditLineage"
MAX_DEPTH = 3
LINEAGE_SOURCES = (
    "Manual", "ViewLineage", "QueryLineage", "PipelineLineage", "DashboardLineage",
    "DbtLineage", "SparkLineage", "OpenLineage", "ExternalTableLineage", "CrossDatabaseLineage",
    "ChildAssets",
)  # fmt: skip
COLUMN_LINEAGE = obj(
    {
        "fromColumns": Prop(array(text())),
        "toColumn": Prop(text()),
        "function": Prop(text()),
    }
)
LINEAGE_DETAILS = obj(
    {
        "sqlQuery": Prop(text()),
        "columnsLineage": Prop(array(COLUMN_LINEAGE)),
        "pipeline": Prop(ENTITY_REFERENCE),
        "description": Prop(text()),
        "source": Prop(text()),
        "createdAt": Prop(anything()),
        "createdBy": Prop(anything()),
        "updatedAt": Prop(anything()),
        "updatedBy": Prop(anything()),
        "assetEdges": Prop(anything()),
    }
)
ADD_LINEAGE = obj(
    {
        "edge": Prop(
            obj(
                {
                    "fromEntity": Prop(ENTITY_REFERENCE, required=True),
                    "toEntity": Prop(ENTITY_REFERENCE, required=True),
                    "description": Prop(text()),
                    "lineageDetails": Prop(LINEAGE_DETAILS),
                }
            ),
            required=True,
        )
    }
)


def _children(entity: Entity) -> set[str]:
    """FQNs a column lineage may name on this entity: a table's columns (nested ones too),
    an ML model's features."""
    out: set[str] = set()
    if entity.type == "mlmodel":
        out.update(f["fullyQualifiedName"] for f in entity.doc.get("mlFeatures", ()))
    stack = list(entity.doc.get("columns", ()))
    while stack:
        column = stack.pop()
        out.add(column["fullyQualifiedName"])
        stack.extend(column.get("children", ()))
    return out


class LineageRoutes:
    def __init__(self, repo: Repository) -> None:
        self.repo = repo
        self.store = repo.store
        self.lineage = Lineage(repo.store)

    def table(self) -> list[tuple[str, str, Endpoint]]:
        p = "/api/v1/lineage"
        return [
            ("PUT", p, self.add),
            ("GET", f"{p}/{{entity}}/name/{{fqn:path}}", self.get_by_name),
            ("GET", f"{p}/{{entity}}/{{id}}", self.get),
            (
                "DELETE",
                f"{p}/{{fromEntity}}/name/{{fromFqn}}/{{toEntity}}/name/{{toFqn}}",
                self.delete_by_name,
            ),
            ("DELETE", f"{p}/{{fromEntity}}/{{fromId}}/{{toEntity}}/{{toId}}", self.delete),
        ]

    # lookups

    def _live(self, entity_type: str, entity_id: str) -> Entity:
        entity = self.store.get(entity_id)
        if entity is None or entity.type != entity_type or entity.deleted:
            raise not_found(entity_type, entity_id)
        return entity

    def _live_by_name(self, entity_type: str, fqn: str) -> Entity:
        entity = self.store.get_by_fqn(entity_type, fqn)
        if entity is None or entity.deleted:
            raise not_found(entity_type, fqn)
        return entity

    def _authorize(self, call: Call, entity: Entity) -> None:
        kind = self.repo.kinds.get(entity.type)
        owners = [] if kind is None else kind.owners_of(self.store, entity)
        call.actor.subject.authorize(entity.type, (EDIT_LINEAGE,), owners)

    # reads

    async def get(self, call: Call) -> Response:
        params = call.request.path_params
        root = self._live(params["entity"], path_id(call))
        return self._graph(call, root)

    async def get_by_name(self, call: Call) -> Response:
        params = call.request.path_params
        return self._graph(call, self._live_by_name(params["entity"], params["fqn"]))

    def _depths(self, call: Call) -> tuple[int, int]:
        errors: list[str] = []
        out = []
        for name in ("upstreamDepth", "downstreamDepth"):
            text_value = call.params.get(name)
            try:
                depth = 1 if text_value is None else int(text_value)
            except ValueError:
                raise path_not_found() from None
            if depth < 0:
                errors.append(f"query param {name} must be greater than or equal to 0")
            elif depth > MAX_DEPTH:
                errors.append(f"query param {name} must be less than or equal to {MAX_DEPTH}")
            out.append(depth)
        if errors:
            raise bad_request(f"[{', '.join(errors)}]")
        return out[0], out[1]

    def _graph(self, call: Call, root: Entity) -> Response:
        up_depth, down_depth = self._depths(call)
        up_edges, up_nodes = self.lineage.walk(root.id, up_depth, upstream=True)
        down_edges, down_nodes = self.lineage.walk(root.id, down_depth, upstream=False)
        order = list(dict.fromkeys(n for n in (*up_nodes, *down_nodes) if n != root.id))
        refs = self.store.refs(order)
        renderer = call.renderer
        body = {
            "entity": renderer.ref(root.ref()),
            "nodes": [renderer.ref(refs[n]) for n in order if n in refs],
            "upstreamEdges": [e.to_json() for e in up_edges],
            "downstreamEdges": [e.to_json() for e in down_edges],
        }
        return JSONResponse(body)

    # writes

    async def add(self, call: Call) -> Response:
        edge = validate(ADD_LINEAGE, await call.json())["edge"]
        start, end = edge["fromEntity"], edge["toEntity"]
        source = self._live(start["type"], start["id"])
        self._authorize(call, source)
        target = self._live(end["type"], end["id"])
        self._authorize(call, target)
        details: dict[str, Any] = dict(edge.get("lineageDetails") or {})
        pipeline = details.get("pipeline")
        if pipeline is not None:
            found = self._live(pipeline["type"], pipeline["id"])
            details["pipeline"] = {
                "id": found.id,
                "type": found.type,
                "name": found.name,
                "fullyQualifiedName": found.fqn,
            }
        columns = details.get("columnsLineage") or []
        from_children, to_children = _children(source), _children(target)
        for column in columns:
            for name in column.get("fromColumns") or []:
                if name not in from_children:
                    raise bad_request(f"Invalid column name {name}")
            to_column = column.get("toColumn")
            if to_column is not None and to_column not in to_children:
                raise bad_request(f"Invalid column name {to_column}")
        if edge.get("description") and not details.get("description"):
            details["description"] = edge["description"]
        source_name = details.get("source") or "Manual"
        if source_name not in LINEAGE_SOURCES:
            raise bad_request("Invalid request format")
        details.pop("assetEdges", None)
        stored: dict[str, Any] = {
            key: details[key]
            for key in ("sqlQuery", "description", "pipeline")
            if details.get(key) is not None
        }
        stored["columnsLineage"] = columns
        stored["source"] = source_name
        now, who = call.actor.now, call.actor.name
        stored.update(createdAt=now, createdBy=who, updatedAt=now, updatedBy=who)
        with self.store.db.transaction():
            self.lineage.put(source.id, target.id, stored)
        return Response(status_code=200)

    async def delete(self, call: Call) -> Response:
        params = call.request.path_params
        source = self._live(params["fromEntity"], path_id(call, "fromId"))
        target = self._live(params["toEntity"], path_id(call, "toId"))
        return self._delete(call, source, target)

    async def delete_by_name(self, call: Call) -> Response:
        params = call.request.path_params
        source = self._live_by_name(params["fromEntity"], params["fromFqn"])
        target = self._live_by_name(params["toEntity"], params["toFqn"])
        return self._delete(call, source, target)

    def _delete(self, call: Call, source: Entity, target: Entity) -> Response:
        self._authorize(call, source)
        self._authorize(call, target)
        with self.store.db.transaction():
            removed = self.lineage.remove(source.id, target.id)
        if not removed:
            raise CatalogError(404, "Lineage edge not found")
        return Response(status_code=200)
