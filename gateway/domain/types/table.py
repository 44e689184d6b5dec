"""`Table` and its columns."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.domain.context import Info
from gateway.domain.loaders import LineageKey
from gateway.domain.selection import MODEL_FIELDS, TABLE_FIELDS, upstream_fields
from gateway.domain.types.common import EntityRef, Tag, record_updated_at, tags_of
from gateway.domain.types.connection import Connection
from gateway.domain.types.enums import (
    UNKNOWN_IS_NULL,
    CatalogValues,
    ColumnConstraint,
    ColumnDataType,
    TableType,
)
from gateway.domain.types.history import (
    HISTORY_AFTER_DOC,
    HISTORY_FIRST_DOC,
    EntityVersion,
    entity_history,
)
from gateway.domain.types.keys import ReferenceFetch, key_value, missing_key
from gateway.domain.types.lineage_args import (
    DOWNSTREAM_DEPTH_DOC,
    LINEAGE_DOC,
    UPSTREAM_DEPTH_DOC,
)
from gateway.domain.types.relations import Relations, social_fields
from gateway.domain.types.service import Service
from gateway.domain.validation import check_fqn, check_uuid
from gateway.upstream.records import ColumnRecord, TableRecord

if TYPE_CHECKING:
    from gateway.domain.types.lineage import Lineage
    from gateway.domain.types.ml_model import MlModel


@strawberry.type(description="A column of a table (nested for struct/array types).")
class Column:
    name: str = strawberry.field(description="Column name.")
    data_type: ColumnDataType | None = strawberry.field(
        description="Data type, e.g. BIGINT, VARCHAR, STRUCT." + UNKNOWN_IS_NULL
    )
    data_type_display: str | None = strawberry.field(
        description="Type as the source shows it, e.g. `varchar(64)`, `array<int>`."
    )
    data_length: int | None = strawberry.field(description="Length for CHAR/VARCHAR/BINARY.")
    precision: int | None = strawberry.field(description="Numeric precision.")
    scale: int | None = strawberry.field(description="Numeric scale.")
    array_data_type: ColumnDataType | None = strawberry.field(
        description="Element type of an ARRAY; null for other types." + UNKNOWN_IS_NULL
    )
    description: str | None = strawberry.field(description="What the column holds (Markdown).")
    fully_qualified_name: str | None = strawberry.field(description="`<table FQN>.<column>`.")
    constraint: ColumnConstraint | None = strawberry.field(
        description="Constraint declared on the column; null when none is." + UNKNOWN_IS_NULL
    )
    ordinal_position: int | None = strawberry.field(description="Position in the table.")
    tags: list[Tag] = strawberry.field(description="Tags on the column.")
    children: list[Column] = strawberry.field(description="Nested columns.")

    @classmethod
    def from_record(cls, r: ColumnRecord) -> Column:
        return cls(
            name=r.name,
            data_type=_DATA_TYPE(r.data_type),
            data_type_display=r.data_type_display,
            data_length=r.data_length,
            precision=r.precision,
            scale=r.scale,
            array_data_type=_ARRAY_DATA_TYPE(r.array_data_type),
            description=r.description,
            fully_qualified_name=r.fully_qualified_name,
            constraint=_CONSTRAINT(r.constraint),
            ordinal_position=r.ordinal_position,
            tags=tags_of(r.tags),
            children=[Column.from_record(c) for c in r.children or ()],
        )


_DATA_TYPE = CatalogValues(ColumnDataType, "Column.dataType")
_ARRAY_DATA_TYPE = CatalogValues(ColumnDataType, "Column.arrayDataType")
_CONSTRAINT = CatalogValues(ColumnConstraint, "Column.constraint")
_TABLE_TYPE = CatalogValues(TableType, "Table.tableType")


def _columns(root: Table) -> list[Column]:
    return [Column.from_record(c) for c in root.record.columns or ()]


def _database(root: Table) -> EntityRef | None:
    ref = root.record.database
    return EntityRef.from_record(ref) if ref else None


def _database_schema(root: Table) -> EntityRef | None:
    ref = root.record.database_schema
    return EntityRef.from_record(ref) if ref else None


@strawberry.federation.type(
    keys=["id", "fullyQualifiedName"], description="A table (or view) in a database schema."
)
class Table(Relations[TableRecord]):
    id: strawberry.ID = strawberry.field(description="Catalog id (UUID).")
    name: str = strawberry.field(description="Table name.")
    fully_qualified_name: str = strawberry.field(
        description="`<service>.<database>.<schema>.<table>`."
    )
    display_name: str | None = strawberry.field(description="Human-readable name.")
    description: str | None = strawberry.field(description="What the table holds (Markdown).")
    table_type: TableType | None = strawberry.field(
        description="Regular table, view, external table, ...; null when the catalog does not "
        "say." + UNKNOWN_IS_NULL
    )
    # Nested objects and times are converted when asked for, not for every table fetched.
    columns: list[Column] = strawberry.field(
        resolver=_columns, description="Columns in ordinal order."
    )
    database: EntityRef | None = strawberry.field(resolver=_database, description="The database.")
    database_schema: EntityRef | None = strawberry.field(
        resolver=_database_schema, description="The database schema."
    )
    service_type: str | None = strawberry.field(description="Database type, e.g. Postgres.")
    version: float | None = strawberry.field(description="Entity version, e.g. 0.1.")
    updated_at: datetime | None = strawberry.field(
        resolver=record_updated_at, description="Last change time."
    )
    updated_by: str | None = strawberry.field(description="Who made the last change.")
    deleted: bool | None = strawberry.field(description="Whether soft-deleted.")
    record: strawberry.Private[TableRecord]

    @classmethod
    def from_record(cls, r: TableRecord) -> Table:
        return cls(
            id=strawberry.ID(r.id),
            name=r.name,
            fully_qualified_name=r.fully_qualified_name or r.name,
            display_name=r.display_name,
            description=r.description,
            table_type=_TABLE_TYPE(r.table_type),
            service_type=r.service_type,
            version=r.version,
            updated_by=r.updated_by,
            deleted=r.deleted,
            record=r,
        )

    @classmethod
    def fetch_reference(cls, info: Info, **key: object) -> ReferenceFetch[TableRecord, Table]:
        """An `_entities` representation, by `id` or `fullyQualifiedName`, via the loaders."""
        fields = upstream_fields(info, TABLE_FIELDS)
        loaders = info.context.loaders
        if (id := key_value(key, "id")) is not None:
            pending = loaders.table_by_id.load((check_uuid(id), fields))
        elif (fqn := key_value(key, "fullyQualifiedName")) is not None:
            pending = loaders.table_by_name.load((check_fqn(fqn, "fullyQualifiedName"), fields))
        else:
            raise missing_key("Table", "id", "fullyQualifiedName")
        return ReferenceFetch(pending, cls.from_record)

    @classmethod
    async def resolve_reference(cls, info: Info, **key: object) -> Table | None:
        return await cls.fetch_reference(info, **key).result()

    def _reload(self, info: Info, field: str) -> Awaitable[TableRecord | None]:
        fields = upstream_fields(info, TABLE_FIELDS) | {field}
        return info.context.loaders.table_by_id.load((str(self.id), fields))

    @strawberry.field(description="The database service the table belongs to.")
    def service(self) -> Service | None:
        ref = self.record.service
        return Service.from_reference(ref, self.record.service_type) if ref else None

    owners, followers, follower_count, votes, tags = social_fields("table")

    @strawberry.field(
        description="The table's versions in the catalog, newest first: number, author, "
        "time and what changed (one catalog call per request). The current version comes "
        "first; `table(id, version:)` reads any one of them whole."
    )
    async def history(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=HISTORY_FIRST_DOC)] = None,
        after: Annotated[str | None, strawberry.argument(description=HISTORY_AFTER_DOC)] = None,
    ) -> Connection[EntityVersion]:
        return await entity_history(info, "table", str(self.id), first, after)

    @strawberry.field(description=LINEAGE_DOC.format(noun="table"))
    async def lineage(
        self,
        info: Info,
        upstream_depth: Annotated[int, strawberry.argument(description=UPSTREAM_DEPTH_DOC)] = 1,
        downstream_depth: Annotated[int, strawberry.argument(description=DOWNSTREAM_DEPTH_DOC)] = 1,
    ) -> Annotated[Lineage, strawberry.lazy("gateway.domain.types.lineage")] | None:
        from gateway.domain.types.lineage import entity_lineage

        return await entity_lineage(info, "table", str(self.id), upstream_depth, downstream_depth)

    @strawberry.field(
        description="ML models with a feature sourced from this table, by name: the ML "
        "models downstream of it in the catalog's lineage, so one lineage call and one read "
        "per model. The catalog records that lineage when a model is created (and through "
        "`PUT /v1/lineage`); OpenMetadata 1.13 does not move it when a model's feature "
        "sources change later, so such a change shows here only once lineage is edited."
    )
    async def ml_models(
        self, info: Info
    ) -> list[Annotated[MlModel, strawberry.lazy("gateway.domain.types.ml_model")]]:
        from gateway.domain.types.ml_model import MlModel

        table_id = str(self.id)
        key = LineageKey("table", table_id, 0, 1)
        graph = await info.context.loaders.lineage.load(key)
        if graph is None:
            # No lineage for the table (soft-deleted): scan the models' feature sources.
            records = await info.context.models_using_table(table_id)
            return [MlModel.from_record(r) for r in records]
        kinds = {ref.id: ref.type for ref in graph.nodes}
        model_ids = dict.fromkeys(
            edge.to_entity
            for edge in graph.downstream_edges
            if edge.from_entity == table_id and kinds.get(edge.to_entity) == "mlmodel"
        )
        fields = upstream_fields(info, MODEL_FIELDS)
        loader = info.context.loaders.model_by_id
        found = await asyncio.gather(*(loader.load((i, fields)) for i in model_ids))
        models = [MlModel.from_record(r) for r in found if r is not None]
        return sorted(models, key=lambda m: m.name)
