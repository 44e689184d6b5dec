"""`MlModel`: the catalog's ML model, linked to its registry versions."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.scalars import JSON

from gateway.domain.context import Info
from gateway.domain.selection import CONNECTION_PATHS, MODEL_FIELDS, upstream_fields
from gateway.domain.types.common import (
    Deferred,
    EntityRef,
    Include,
    Tag,
    record_updated_at,
    settled,
    tags_of,
)
from gateway.domain.types.connection import Connection, catalog_connection, page_args
from gateway.domain.types.enums import (
    UNKNOWN_IS_NULL,
    CatalogValues,
    FeatureDataType,
    FeatureSourceDataType,
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
from gateway.domain.types.model_version import (
    BRANCH_DOC,
    VERSIONS_AFTER_DOC,
    VERSIONS_FIRST_DOC,
    ModelVersion,
    list_versions,
)
from gateway.domain.types.relations import Relations, grouping_fields, social_fields
from gateway.domain.types.service import Service
from gateway.domain.validation import check_fqn, check_uuid
from gateway.upstream.records import (
    NO_DASHBOARD_ID,
    FeatureSourceRecord,
    MlFeatureRecord,
    MlHyperParameterRecord,
    MlModelRecord,
)

if TYPE_CHECKING:
    from gateway.domain.types.lineage import Lineage
    from gateway.domain.types.table import Table


_SOURCE_DATA_TYPE = CatalogValues(FeatureSourceDataType, "FeatureSource.dataType")
_FEATURE_DATA_TYPE = CatalogValues(FeatureDataType, "MlFeature.dataType")


@strawberry.type(description="Where a feature's values come from: a table column.")
class FeatureSource:
    name: str | None = strawberry.field(description="Source name (usually the column).")
    data_type: FeatureSourceDataType | None = strawberry.field(
        description="Data type of the source's values; null when the catalog does not say."
        + UNKNOWN_IS_NULL
    )
    fully_qualified_name: str | None = strawberry.field(description="Column FQN.")
    description: str | None = strawberry.field(description="Notes on the source.")
    record: strawberry.Private[FeatureSourceRecord]

    @classmethod
    def from_record(cls, r: FeatureSourceRecord) -> FeatureSource:
        return cls(
            name=r.name,
            data_type=_SOURCE_DATA_TYPE(r.data_type),
            fully_qualified_name=r.fully_qualified_name,
            description=r.description,
            record=r,
        )

    @strawberry.field(description="The table the values come from.")
    async def table(
        self, info: Info
    ) -> Annotated[Table, strawberry.lazy("gateway.domain.types.table")] | None:
        from gateway.domain.selection import TABLE_FIELDS
        from gateway.domain.types.table import Table

        ref = self.record.data_source
        if ref is None or ref.type != "table":
            return None
        fields = upstream_fields(info, TABLE_FIELDS)
        record = await info.context.loaders.table_by_id.load((ref.id, fields))
        return Table.from_record(record) if record is not None else None


@strawberry.type(description="A feature the model consumes.")
class MlFeature:
    name: str | None = strawberry.field(description="Feature name.")
    data_type: FeatureDataType | None = strawberry.field(
        description="Numerical or categorical; null when the catalog does not say."
        + UNKNOWN_IS_NULL
    )
    description: str | None = strawberry.field(description="What the feature means.")
    fully_qualified_name: str | None = strawberry.field(description="`<model FQN>.<feature>`.")
    feature_algorithm: str | None = strawberry.field(description="How it is derived.")
    feature_sources: list[FeatureSource] = strawberry.field(description="Where it comes from.")
    tags: list[Tag] = strawberry.field(description="Tags on the feature.")

    @classmethod
    def from_record(cls, r: MlFeatureRecord) -> MlFeature:
        return cls(
            name=r.name,
            data_type=_FEATURE_DATA_TYPE(r.data_type),
            description=r.description,
            fully_qualified_name=r.fully_qualified_name,
            feature_algorithm=r.feature_algorithm,
            feature_sources=[FeatureSource.from_record(s) for s in r.feature_sources or ()],
            tags=tags_of(r.tags),
        )


@strawberry.type(description="A training hyper-parameter.")
class HyperParameter:
    name: str = strawberry.field(description="Parameter name.")
    value: str | None = strawberry.field(description="Value as text.")
    description: str | None = strawberry.field(description="What it controls.")

    @classmethod
    def from_record(cls, r: MlHyperParameterRecord) -> HyperParameter:
        return cls(name=r.name or "", value=r.value, description=r.description)


@strawberry.type(description="Where the model's artifacts are stored.")
class MlStore:
    storage: str | None = strawberry.field(description="Storage location, e.g. s3://...")
    image_repository: str | None = strawberry.field(description="Container image repository.")


def _ml_store(root: MlModel) -> MlStore | None:
    store = root.record.ml_store
    if store is None:
        return None
    return MlStore(storage=store.storage, image_repository=store.image_repository)


def _ml_features(root: MlModel) -> list[MlFeature]:
    return [MlFeature.from_record(f) for f in root.record.ml_features or ()]


def _ml_hyper_parameters(root: MlModel) -> list[HyperParameter]:
    return [HyperParameter.from_record(h) for h in root.record.ml_hyper_parameters or ()]


@strawberry.federation.type(
    keys=["id", "fullyQualifiedName"], description="An ML model in the catalog."
)
class MlModel(Relations[MlModelRecord]):
    id: strawberry.ID = strawberry.field(description="Catalog id (UUID).")
    name: str = strawberry.field(description="Model name, unique within its service.")
    fully_qualified_name: str = strawberry.field(description="`<service>.<model>`.")
    display_name: str | None = strawberry.field(description="Human-readable name.")
    description: str | None = strawberry.field(description="What the model does (Markdown).")
    algorithm: str | None = strawberry.field(description="Algorithm, e.g. XGBoost.")
    target: str | None = strawberry.field(description="What the model predicts.")
    server: str | None = strawberry.field(description="Serving endpoint URL.")
    source_url: str | None = strawberry.field(description="Link to the model's source.")
    # Nested objects are converted when asked for, not for every model of a page.
    ml_store: MlStore | None = strawberry.field(resolver=_ml_store, description="Artifact storage.")
    ml_features: list[MlFeature] = strawberry.field(
        resolver=_ml_features, description="Features it consumes."
    )
    ml_hyper_parameters: list[HyperParameter] = strawberry.field(
        resolver=_ml_hyper_parameters, description="Training hyper-parameters."
    )
    service_type: str | None = strawberry.field(description="Service type, e.g. Mlflow.")
    version: float | None = strawberry.field(description="Entity version, e.g. 0.2.")
    updated_at: datetime | None = strawberry.field(
        resolver=record_updated_at, description="Last change time."
    )
    updated_by: str | None = strawberry.field(description="Who made the last change.")
    deleted: bool | None = strawberry.field(description="Whether soft-deleted.")
    record: strawberry.Private[MlModelRecord]

    @classmethod
    def from_record(cls, r: MlModelRecord) -> MlModel:
        return cls(
            id=strawberry.ID(r.id),
            name=r.name,
            fully_qualified_name=r.fully_qualified_name or r.name,
            display_name=r.display_name,
            description=r.description,
            algorithm=r.algorithm,
            target=r.target,
            server=r.server,
            source_url=r.source_url,
            service_type=r.service_type,
            version=r.version,
            updated_by=r.updated_by,
            deleted=r.deleted,
            record=r,
        )

    @classmethod
    def fetch_reference(cls, info: Info, **key: object) -> ReferenceFetch[MlModelRecord, MlModel]:
        """An `_entities` representation, by `id` or `fullyQualifiedName`, via the loaders."""
        fields = upstream_fields(info, MODEL_FIELDS)
        loaders = info.context.loaders
        if (id := key_value(key, "id")) is not None:
            pending = loaders.model_by_id.load((check_uuid(id), fields))
        elif (fqn := key_value(key, "fullyQualifiedName")) is not None:
            pending = loaders.model_by_name.load((check_fqn(fqn, "fullyQualifiedName"), fields))
        else:
            raise missing_key("MlModel", "id", "fullyQualifiedName")
        return ReferenceFetch(pending, cls.from_record)

    @classmethod
    async def resolve_reference(cls, info: Info, **key: object) -> MlModel | None:
        return await cls.fetch_reference(info, **key).result()

    def _reload(self, info: Info, field: str) -> Awaitable[MlModelRecord | None]:
        fields = upstream_fields(info, MODEL_FIELDS) | {field}
        return info.context.loaders.model_by_id.load((str(self.id), fields))

    @strawberry.field(description="The ML model service it belongs to.")
    def service(self) -> Service:
        return Service.from_reference(self.record.service, self.record.service_type)

    owners, followers, follower_count, votes, tags = social_fields("model")
    domains, data_products = grouping_fields("model")

    @strawberry.field(
        description="The dashboard showing the model's results (`fields=dashboard`); null "
        "when it has none.",
        graphql_type=EntityRef | None,
    )
    def dashboard(self, info: Info) -> Deferred[EntityRef | None]:
        def ref(record: MlModelRecord) -> EntityRef | None:
            found = record.dashboard
            if found is None or found.id == NO_DASHBOARD_ID:
                return None
            return EntityRef.from_record(found)

        return self._with(info, "dashboard", ref)

    @strawberry.field(
        description="Custom properties of the model as the catalog stores them: a JSON object "
        "from property name to value (`{}` when none is set). The registry link is also "
        "`registryModelRid`.",
        graphql_type=JSON,
    )
    def extension(self, info: Info) -> Deferred[dict[str, Any]]:
        return self._with(info, "extension", lambda r: dict(r.extension or {}))

    @strawberry.field(description="The model's URL in the catalog's API.")
    def href(self) -> str | None:
        return self.record.href

    @strawberry.field(
        description="RID of the model's registry model (custom property of the catalog entity).",
        graphql_type=str | None,
    )
    def registry_model_rid(self, info: Info) -> Deferred[str | None]:
        name = info.context.settings.registry_link_property

        def rid(record: MlModelRecord) -> str | None:
            value = (record.extension or {}).get(name)
            return value if isinstance(value, str) and value else None

        return self._with(info, "extension", rid)

    @strawberry.field(description="The registry versions of the model on one branch.")
    async def versions(
        self,
        info: Info,
        branch: Annotated[str | None, strawberry.argument(description=BRANCH_DOC)] = None,
        first: Annotated[int | None, strawberry.argument(description=VERSIONS_FIRST_DOC)] = None,
        after: Annotated[str | None, strawberry.argument(description=VERSIONS_AFTER_DOC)] = None,
    ) -> Connection[ModelVersion] | None:
        rid = await settled(self.registry_model_rid(info))
        if rid is None:
            return None
        return await list_versions(info, rid, branch, first, after)

    @strawberry.field(
        description="The model's versions in the catalog, newest first: number, author, "
        "time and what changed (one catalog call per request). The current version comes "
        "first; `mlModel(id, version:)` reads any one of them whole."
    )
    async def history(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=HISTORY_FIRST_DOC)] = None,
        after: Annotated[str | None, strawberry.argument(description=HISTORY_AFTER_DOC)] = None,
    ) -> Connection[EntityVersion]:
        return await entity_history(info, "mlmodel", str(self.id), first, after)

    @strawberry.field(description=LINEAGE_DOC.format(noun="model"))
    async def lineage(
        self,
        info: Info,
        upstream_depth: Annotated[int, strawberry.argument(description=UPSTREAM_DEPTH_DOC)] = 1,
        downstream_depth: Annotated[int, strawberry.argument(description=DOWNSTREAM_DEPTH_DOC)] = 1,
    ) -> Annotated[Lineage, strawberry.lazy("gateway.domain.types.lineage")] | None:
        from gateway.domain.types.lineage import entity_lineage

        return await entity_lineage(info, "mlmodel", str(self.id), upstream_depth, downstream_depth)


MlModelConnection = Connection[MlModel]


async def list_models(
    info: Info,
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    service: str | None,
    include: Include,
) -> Connection[MlModel]:
    """One catalog list call, with `fields=` taken from the selection under the connection."""
    args = page_args(first, after, last, before, info.context.settings.max_page_size)
    page = await info.context.catalog.list_models(
        fields=upstream_fields(info, MODEL_FIELDS, CONNECTION_PATHS),
        service=service,
        limit=args.limit,
        after=args.after,
        before=args.before,
        include=include.value,
    )
    return catalog_connection(page.data, page.paging, MlModel.from_record, lambda r: (r.name, r.id))
