"""`Lineage`: the graph of entities an ML model or table reads from and feeds (one catalog
`GET /v1/lineage/{entity}/{id}` per entity and depths per request)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import strawberry

from gateway.domain.context import Info
from gateway.domain.loaders import LineageKey
from gateway.domain.selection import MODEL_FIELDS, TABLE_FIELDS, upstream_fields
from gateway.domain.types.lineage_args import check_depth
from gateway.domain.types.ml_model import MlModel
from gateway.domain.types.table import Table
from gateway.upstream.catalog import EntityKind
from gateway.upstream.records import EntityReferenceRecord
from gateway.upstream.records_search import EntityLineageRecord, LineageEdgeRecord


@strawberry.type(
    description="An entity in a lineage graph that is neither an ML model nor a table "
    "(a dashboard, a pipeline, a topic, ...), as the catalog references it."
)
class LineageNode:
    id: strawberry.ID = strawberry.field(description="Catalog id (UUID).")
    type: str = strawberry.field(description="Entity type, e.g. `dashboard`, `pipeline`.")
    name: str | None = strawberry.field(description="Name.")
    fully_qualified_name: str | None = strawberry.field(description="Fully qualified name.")

    @classmethod
    def from_record(cls, r: EntityReferenceRecord) -> LineageNode:
        return cls(
            id=strawberry.ID(r.id),
            type=r.type,
            name=r.name,
            fully_qualified_name=r.fully_qualified_name,
        )


LineageEntity = Annotated[
    MlModel | Table | LineageNode,
    strawberry.union(
        "LineageEntity",
        description="An entity in a lineage graph: an ML model, a table, or another kind "
        "of entity as a `LineageNode`.",
    ),
]


@strawberry.type(description="Which columns a column is derived from, along a lineage edge.")
class ColumnLineage:
    from_columns: list[str] = strawberry.field(
        description="FQNs of the upstream entity's columns (or features) it derives from."
    )
    to_column: str | None = strawberry.field(
        description="FQN of the downstream entity's column (or an ML model's feature)."
    )


@strawberry.type(description="An edge of a lineage graph: `to` reads from `from`.")
class LineageEdge:
    from_: LineageNode = strawberry.field(
        name="from", description="The upstream end (its id, type and names)."
    )
    to: LineageNode = strawberry.field(description="The downstream end (its id, type and names).")
    columns: list[ColumnLineage] = strawberry.field(
        description="Column-level lineage along the edge; empty when the catalog has none "
        "(e.g. the edges it records from an ML model's feature sources)."
    )


@strawberry.type(description="A lineage graph around one entity.")
class Lineage:
    record: strawberry.Private[EntityLineageRecord]

    @strawberry.field(
        description="The entities of the graph, the entity itself left out: ML models and "
        "tables as themselves (each loaded once per request, concurrently), others as "
        "`LineageNode`s. Soft-deleted ones are included."
    )
    async def nodes(self, info: Info) -> list[LineageEntity]:
        loaders = info.context.loaders
        model_fields = upstream_fields(info, MODEL_FIELDS)
        table_fields = upstream_fields(info, TABLE_FIELDS)
        root = self.record.entity.id
        refs = [ref for ref in self.record.nodes if ref.id != root]
        pending: list[Any] = []
        for ref in refs:
            if ref.type == "mlmodel":
                pending.append(loaders.model_by_id.load((ref.id, model_fields)))
            elif ref.type == "table":
                pending.append(loaders.table_by_id.load((ref.id, table_fields)))
            else:
                pending.append(asyncio.sleep(0, ref))
        loaded = await asyncio.gather(*pending)
        nodes: list[Any] = []
        for ref, record in zip(refs, loaded, strict=True):
            if ref.type == "mlmodel":
                nodes.append(MlModel.from_record(record) if record is not None else None)
            elif ref.type == "table":
                nodes.append(Table.from_record(record) if record is not None else None)
            else:
                nodes.append(LineageNode.from_record(ref))
        # An entity soft-deleted since (the entity API no longer answers it) is left out.
        return [node for node in nodes if node is not None]

    @strawberry.field(description="The edges of the graph, upstream ones first.")
    def edges(self) -> list[LineageEdge]:
        refs = {ref.id: ref for ref in (self.record.entity, *self.record.nodes)}

        def end(entity_id: str) -> LineageNode:
            ref = refs.get(entity_id)
            if ref is None:
                return LineageNode(
                    id=strawberry.ID(entity_id), type="", name=None, fully_qualified_name=None
                )
            return LineageNode.from_record(ref)

        def edge(r: LineageEdgeRecord) -> LineageEdge:
            details = r.lineage_details
            columns = [
                ColumnLineage(from_columns=list(c.from_columns), to_column=c.to_column)
                for c in (details.columns_lineage if details is not None else ())
            ]
            return LineageEdge(from_=end(r.from_entity), to=end(r.to_entity), columns=columns)

        seen: set[tuple[str, str]] = set()
        edges: list[LineageEdge] = []
        for r in (*self.record.upstream_edges, *self.record.downstream_edges):
            if (r.from_entity, r.to_entity) not in seen:
                seen.add((r.from_entity, r.to_entity))
                edges.append(edge(r))
        return edges


async def entity_lineage(
    info: Info, kind: EntityKind, entity_id: str, upstream_depth: int, downstream_depth: int
) -> Lineage | None:
    key = LineageKey(
        kind,
        entity_id,
        check_depth(upstream_depth, "upstreamDepth"),
        check_depth(downstream_depth, "downstreamDepth"),
    )
    record = await info.context.loaders.lineage.load(key)
    return Lineage(record=record) if record is not None else None
