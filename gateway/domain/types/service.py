"""`Service`: ML model and database services; a reference answers id/name/FQN/type for free."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import strawberry
from strawberry.scalars import JSON

from gateway.domain.context import Info
from gateway.domain.peek import NOT_READY, answers_with
from gateway.domain.secrets import mask_secrets
from gateway.domain.selection import SERVICE_FIELDS, upstream_fields
from gateway.domain.types.common import (
    Deferred,
    EntityRef,
    Include,
    ServiceKind,
    Tag,
    from_epoch_ms,
    tags_of,
)
from gateway.domain.types.connection import (
    AFTER_DOC,
    BEFORE_DOC,
    FIRST_DOC,
    INCLUDE_DOC,
    LAST_DOC,
    Connection,
)
from gateway.domain.types.keys import key_value, missing_key
from gateway.domain.types.relations import refs_of
from gateway.domain.types.user import Owner, owners_of
from gateway.domain.validation import check_uuid
from gateway.upstream.records import EntityReferenceRecord, ServiceRecord

if TYPE_CHECKING:
    from gateway.domain.types.ml_model import MlModel

T = TypeVar("T")

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
    async def resolve_reference(cls, info: Info, **key: object) -> Service | None:
        """Services of both kinds share the key `id`: look in both collections at once."""
        id = key_value(key, "id")
        if id is None:
            raise missing_key("Service", "id")
        service_id = check_uuid(id)
        loader = info.context.loaders.service_by_id
        fields = upstream_fields(info, SERVICE_FIELDS)
        kinds = list(ServiceKind)
        found = await asyncio.gather(
            *(loader.load(((kind.value, service_id), fields)) for kind in kinds),
            return_exceptions=True,
        )
        for kind, record in zip(kinds, found, strict=True):
            if isinstance(record, ServiceRecord):
                return cls.from_record(kind, record)
        for record in found:
            if isinstance(record, BaseException):
                raise record
        return None

    def _full(self, info: Info, convert: Callable[[ServiceRecord], T], missing: T) -> Deferred[T]:
        """`convert` of the full record: now when this service was built from one, else
        once it is loaded (`missing` if it no longer exists)."""
        if self.record is not None:
            return convert(self.record)
        return self._load(info, convert, missing)

    async def _load(self, info: Info, convert: Callable[[ServiceRecord], T], missing: T) -> T:
        fields = upstream_fields(info, SERVICE_FIELDS)
        self.record = await info.context.loaders.service_by_id.load(
            ((self.kind.value, str(self.id)), fields)
        )
        return convert(self.record) if self.record is not None else missing

    def _known_type(self) -> str | None:
        if self.known_type is not None:
            return self.known_type
        return self.record.service_type if self.record is not None else NOT_READY

    @strawberry.field(
        description="Connector type, e.g. Mlflow, SageMaker, Postgres, Snowflake.",
        graphql_type=str | None,
    )
    @answers_with(_known_type)
    def service_type(self, info: Info) -> Deferred[str | None]:
        known = self._known_type()
        return known if known is not NOT_READY else self._full(info, lambda r: r.service_type, None)

    @strawberry.field(description="What the service is (Markdown).", graphql_type=str | None)
    def description(self, info: Info) -> Deferred[str | None]:
        return self._full(info, lambda r: r.description, None)

    @strawberry.field(description="Users and teams who own the service.", graphql_type=list[Owner])
    def owners(self, info: Info) -> Deferred[list[Owner]]:
        return self._full(info, lambda r: owners_of(r.owners), [])

    @strawberry.field(description="Tags on the service.", graphql_type=list[Tag])
    def tags(self, info: Info) -> Deferred[list[Tag]]:
        return self._full(info, lambda r: tags_of(r.tags), [])

    @strawberry.field(description="Domains the service belongs to.", graphql_type=list[EntityRef])
    def domains(self, info: Info) -> Deferred[list[EntityRef]]:
        return self._full(info, lambda r: refs_of(r.domains), [])

    @strawberry.field(
        description="How the catalog's ingestion connects to the source, as the catalog "
        "stores it for the service type: `{config: {type, ...}}` (e.g. Mlflow's "
        "`trackingUri` and `registryUri`). Every secret (passwords, tokens, keys, "
        "credentials, the password of a URI) is masked as `*********`. Null when the "
        "catalog shows it only to admins and the caller is not one, or when none is set.",
        graphql_type=JSON | None,
    )
    def connection(self, info: Info) -> Deferred[dict[str, Any] | None]:
        return self._full(info, lambda r: mask_secrets(r.connection), None)

    @strawberry.field(description="Entity version, e.g. 0.1.", graphql_type=float | None)
    def version(self, info: Info) -> Deferred[float | None]:
        return self._full(info, lambda r: r.version, None)

    @strawberry.field(description="Last change time.", graphql_type=datetime | None)
    def updated_at(self, info: Info) -> Deferred[datetime | None]:
        return self._full(info, lambda r: from_epoch_ms(r.updated_at), None)

    @strawberry.field(description="Who made the last change.", graphql_type=str | None)
    def updated_by(self, info: Info) -> Deferred[str | None]:
        return self._full(info, lambda r: r.updated_by, None)

    @strawberry.field(
        description="ML models of this service (empty for database services); null, with "
        "an error at this field, when the catalog's list call fails, so the other services "
        "of a page are still answered."
    )
    async def ml_models(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=FIRST_DOC)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER_DOC)] = None,
        last: Annotated[int | None, strawberry.argument(description=LAST_DOC)] = None,
        before: Annotated[str | None, strawberry.argument(description=BEFORE_DOC)] = None,
        include: Annotated[
            Include, strawberry.argument(description=INCLUDE_DOC)
        ] = Include.NON_DELETED,
    ) -> Connection[Annotated[MlModel, strawberry.lazy("gateway.domain.types.ml_model")]] | None:
        from gateway.domain.types.connection import empty_connection
        from gateway.domain.types.ml_model import list_models

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
