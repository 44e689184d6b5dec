"""`Service`: ML model and database services; a reference answers id/name/FQN/type for free."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.context import Info
from gateway.selection import SERVICE_FIELDS, upstream_fields
from gateway.types.common import Include, ServiceKind, Tag, from_epoch_ms, tags_of
from gateway.types.connection import Connection
from gateway.types.user import Owner, owners_of
from gateway.upstream.records import EntityReferenceRecord, ServiceRecord

if TYPE_CHECKING:
    from gateway.types.ml_model import MlModel

_KIND_BY_TYPE = {"mlmodelService": ServiceKind.ML_MODEL, "databaseService": ServiceKind.DATABASE}


@strawberry.federation.type(
    keys=["id"], description="A catalog service: where ML models or tables come from."
)
class Service:
    id: strawberry.ID = strawberry.field(description="Catalog id (UUID).")
    kind: ServiceKind = strawberry.field(description="ML model service or database service.")
    name: str = strawberry.field(description="Service name, unique per kind.")
    fully_qualified_name: str | None = strawberry.field(
        default=None, description="Fully qualified name (the service name)."
    )
    display_name: str | None = strawberry.field(default=None, description="Human-readable name.")
    deleted: bool | None = strawberry.field(default=None, description="Whether soft-deleted.")
    known_type: strawberry.Private[str | None] = None
    record: strawberry.Private[ServiceRecord | None] = None

    @classmethod
    def from_reference(cls, ref: EntityReferenceRecord, service_type: str | None) -> Service:
        return cls(
            id=strawberry.ID(ref.id),
            kind=_KIND_BY_TYPE.get(ref.type, ServiceKind.ML_MODEL),
            name=ref.name or "",
            fully_qualified_name=ref.fully_qualified_name,
            display_name=ref.display_name,
            deleted=ref.deleted,
            known_type=service_type,
        )

    @classmethod
    def from_record(cls, kind: ServiceKind, r: ServiceRecord) -> Service:
        return cls(
            id=strawberry.ID(r.id),
            kind=kind,
            name=r.name,
            fully_qualified_name=r.fully_qualified_name,
            display_name=r.display_name,
            deleted=r.deleted,
            known_type=r.service_type,
            record=r,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Service | None:
        """Services of both kinds share the key `id`: look in both collections at once."""
        loader = info.context.loaders.service_by_id
        fields = upstream_fields(info, SERVICE_FIELDS)
        kinds = list(ServiceKind)
        found = await asyncio.gather(
            *(loader.load(((kind.value, str(id)), fields)) for kind in kinds),
            return_exceptions=True,
        )
        for kind, record in zip(kinds, found, strict=True):
            if isinstance(record, ServiceRecord):
                return cls.from_record(kind, record)
        for record in found:
            if isinstance(record, BaseException):
                raise record
        return None

    async def _full(self, info: Info) -> ServiceRecord | None:
        if self.record is None:
            fields = upstream_fields(info, SERVICE_FIELDS)
            self.record = await info.context.loaders.service_by_id.load(
                ((self.kind.value, str(self.id)), fields)
            )
        return self.record

    @strawberry.field(description="Connector type, e.g. Mlflow, SageMaker, Postgres, Snowflake.")
    async def service_type(self, info: Info) -> str | None:
        if self.known_type is not None:
            return self.known_type
        full = await self._full(info)
        return full.service_type if full else None

    @strawberry.field(description="What the service is (Markdown).")
    async def description(self, info: Info) -> str | None:
        full = await self._full(info)
        return full.description if full else None

    @strawberry.field(description="Users and teams who own the service.")
    async def owners(self, info: Info) -> list[Owner]:
        full = await self._full(info)
        return owners_of(full.owners) if full else []

    @strawberry.field(description="Tags on the service.")
    async def tags(self, info: Info) -> list[Tag]:
        full = await self._full(info)
        return tags_of(full.tags) if full else []

    @strawberry.field(description="Entity version, e.g. 0.1.")
    async def version(self, info: Info) -> float | None:
        full = await self._full(info)
        return full.version if full else None

    @strawberry.field(description="Last change time.")
    async def updated_at(self, info: Info) -> datetime | None:
        full = await self._full(info)
        return from_epoch_ms(full.updated_at) if full else None

    @strawberry.field(description="Who made the last change.")
    async def updated_by(self, info: Info) -> str | None:
        full = await self._full(info)
        return full.updated_by if full else None

    @strawberry.field(description="ML models of this service (empty for database services).")
    async def ml_models(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        include: Include = Include.NON_DELETED,
    ) -> Connection[Annotated[MlModel, strawberry.lazy("gateway.types.ml_model")]]:
        from gateway.types.connection import empty_connection
        from gateway.types.ml_model import list_models

        if self.kind is not ServiceKind.ML_MODEL:
            return empty_connection()
        return await list_models(
            info,
            first=first,
            after=after,
            last=last,
            before=before,
            service=self.name,
            include=include,
        )
