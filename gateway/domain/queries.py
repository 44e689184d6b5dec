"""Root `Query` fields."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.base.errors import NotFoundError
from gateway.domain.context import Info
from gateway.domain.loaders import NO_FIELDS
from gateway.domain.selection import (
    CONNECTION_PATHS,
    MODEL_FIELDS,
    SERVICE_FIELDS,
    TABLE_FIELDS,
    upstream_fields,
)
from gateway.domain.types.common import Include, ServiceKind
from gateway.domain.types.connection import (
    AFTER_DOC,
    BEFORE_DOC,
    FIRST_DOC,
    INCLUDE_DOC,
    LAST_DOC,
    Connection,
    catalog_connection,
    page_args,
)
from gateway.domain.types.lineage_args import prefetch_lineage
from gateway.domain.types.ml_model import MlModel, list_models
from gateway.domain.types.model_version import (
    BRANCH_DOC,
    VERSIONS_AFTER_DOC,
    VERSIONS_FIRST_DOC,
    ModelVersion,
    list_versions,
)
from gateway.domain.types.search import (
    SearchConnection,
    SearchFilters,
    SearchKind,
    SearchSort,
    run_search,
)
from gateway.domain.types.service import Service
from gateway.domain.types.table import Table
from gateway.domain.types.tag_catalog import TagDefinition
from gateway.domain.types.user import User
from gateway.domain.validation import check_name, check_rid, check_uuid, check_version, one_of

_FIRST = strawberry.argument(description=FIRST_DOC)
_AFTER = strawberry.argument(description=AFTER_DOC)
_LAST = strawberry.argument(description=LAST_DOC)
_BEFORE = strawberry.argument(description=BEFORE_DOC)
_INCLUDE = strawberry.argument(description=INCLUDE_DOC)
_ID = "Catalog id (UUID) of the {}; pass it or `{}`, not both. Not a UUID: BAD_USER_INPUT."
_KIND = strawberry.argument(
    description="ML model services or database services: each kind has its own names and ids."
)
_MODEL_RID = strawberry.argument(
    description="RID of the registry model (`ri.<service>.<instance>.<type>.<locator>`), e.g. "
    "an ML model's `registryModelRid`. Not a RID: BAD_USER_INPUT."
)


_VERSION = strawberry.argument(
    description="A version number from `history`, e.g. `0.2`: answer the entity as it was "
    "then (a snapshot as the catalog stored it, also of a soft-deleted entity); null when "
    "there is no such version. Not a version number: BAD_USER_INPUT."
)


async def _model_snapshot(
    info: Info, id: strawberry.ID | None, fqn: str | None, version: str
) -> MlModel | None:
    catalog = info.context.catalog
    try:
        model_id = (
            check_uuid(id)
            if id is not None
            else (await catalog.get_model_by_name(fqn or "", include="all")).id
        )
        record = await catalog.get_model_version(model_id, version)
    except NotFoundError:
        return None
    return MlModel.from_record(record)


async def _table_snapshot(
    info: Info, id: strawberry.ID | None, fqn: str | None, version: str
) -> Table | None:
    catalog = info.context.catalog
    try:
        table_id = (
            check_uuid(id)
            if id is not None
            else (await catalog.get_table_by_name(fqn or "", include="all")).id
        )
        record = await catalog.get_table_version(table_id, version)
    except NotFoundError:
        return None
    return Table.from_record(record)


@strawberry.type(
    description="Read the catalog and the model registry. Every root field that calls an "
    "upstream is nullable: when its call fails, that field alone is null and `errors` holds "
    "one error whose `path` is the field and whose `extensions.code` says why (e.g. "
    "UPSTREAM_ERROR, UPSTREAM_UNAVAILABLE); the other root fields are still answered."
)
class Query:
    @strawberry.field(description="One ML model, by `id` or `fullyQualifiedName`.")
    async def ml_model(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description=_ID.format("model", "fullyQualifiedName")),
        ] = None,
        fully_qualified_name: Annotated[
            str | None,
            strawberry.argument(
                description="Fully qualified name, `<service>.<model>`; pass it or `id`, not both."
            ),
        ] = None,
        include: Annotated[
            Include,
            strawberry.argument(
                description="Which models the lookup sees by soft-deletion state: a live "
                "one only (NON_DELETED, the default), a soft-deleted one only (DELETED), or "
                "either (ALL). A model it does not see is null."
            ),
        ] = Include.NON_DELETED,
        version: Annotated[str | None, _VERSION] = None,
    ) -> MlModel | None:
        one_of(("id", "fullyQualifiedName"), (id, fully_qualified_name))
        fields = upstream_fields(info, MODEL_FIELDS)
        catalog = info.context.catalog
        if version is not None:
            return await _model_snapshot(info, id, fully_qualified_name, check_version(version))
        try:
            if id is not None:
                prefetch_lineage(info, "mlmodel", check_uuid(id))
                if include is Include.NON_DELETED:
                    record = await info.context.loaders.model_by_id.load((check_uuid(id), fields))
                else:
                    record = await catalog.get_model(
                        check_uuid(id), fields=fields, include=include.value
                    )
            else:
                assert fully_qualified_name is not None
                if include is Include.NON_DELETED:
                    record = await info.context.loaders.model_by_name.load(
                        (fully_qualified_name, fields)
                    )
                else:
                    record = await catalog.get_model_by_name(
                        fully_qualified_name, fields=fields, include=include.value
                    )
        except NotFoundError:
            return None
        return MlModel.from_record(record) if record is not None else None

    @strawberry.field(description="A page of ML models, ordered by name.")
    async def ml_models(
        self,
        info: Info,
        first: Annotated[int | None, _FIRST] = None,
        after: Annotated[str | None, _AFTER] = None,
        last: Annotated[int | None, _LAST] = None,
        before: Annotated[str | None, _BEFORE] = None,
        service: Annotated[
            str | None,
            strawberry.argument(
                description="Only models of this ML model service (its name); all services' "
                "when not given. An unknown service is an empty page."
            ),
        ] = None,
        include: Annotated[Include, _INCLUDE] = Include.NON_DELETED,
    ) -> Connection[MlModel] | None:
        return await list_models(
            info,
            first=first,
            after=after,
            last=last,
            before=before,
            service=service,
            include=include,
        )

    @strawberry.field(description="One service of a kind, by `id` or `name`.")
    async def service(
        self,
        info: Info,
        kind: Annotated[ServiceKind, _KIND],
        id: Annotated[
            strawberry.ID | None, strawberry.argument(description=_ID.format("service", "name"))
        ] = None,
        name: Annotated[
            str | None,
            strawberry.argument(
                description="Service name (1 to 256 characters, no `::`), unique within its "
                "kind; pass it or `id`, not both."
            ),
        ] = None,
    ) -> Service | None:
        one_of(("id", "name"), (id, name))
        fields = upstream_fields(info, SERVICE_FIELDS)
        if id is not None:
            record = await info.context.loaders.service_by_id.load(
                ((kind.value, check_uuid(id)), fields)
            )
        else:
            assert name is not None
            try:
                record = await info.context.catalog.get_service_by_name(
                    kind.value, check_name(name, "name"), fields=fields
                )
            except NotFoundError:
                return None
        return Service.from_record(kind, record) if record is not None else None

    @strawberry.field(description="A page of services of one kind, ordered by name.")
    async def services(
        self,
        info: Info,
        kind: Annotated[ServiceKind, _KIND],
        first: Annotated[int | None, _FIRST] = None,
        after: Annotated[str | None, _AFTER] = None,
        last: Annotated[int | None, _LAST] = None,
        before: Annotated[str | None, _BEFORE] = None,
        include: Annotated[Include, _INCLUDE] = Include.NON_DELETED,
    ) -> Connection[Service] | None:
        args = page_args(first, after, last, before, info.context.settings.max_page_size)
        page = await info.context.catalog.list_services(
            kind.value,
            fields=upstream_fields(info, SERVICE_FIELDS, CONNECTION_PATHS),
            limit=args.limit,
            after=args.after,
            before=args.before,
            include=include.value,
        )
        return catalog_connection(
            page.data, page.paging, lambda r: Service.from_record(kind, r), lambda r: (r.name, r.id)
        )

    @strawberry.field(description="One table, by `id` or `fullyQualifiedName`.")
    async def table(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description=_ID.format("table", "fullyQualifiedName")),
        ] = None,
        fully_qualified_name: Annotated[
            str | None,
            strawberry.argument(
                description="Fully qualified name, `<service>.<database>.<schema>.<table>`; "
                "pass it or `id`, not both."
            ),
        ] = None,
        version: Annotated[str | None, _VERSION] = None,
    ) -> Table | None:
        one_of(("id", "fullyQualifiedName"), (id, fully_qualified_name))
        fields = upstream_fields(info, TABLE_FIELDS)
        loaders = info.context.loaders
        if version is not None:
            return await _table_snapshot(info, id, fully_qualified_name, check_version(version))
        if id is not None:
            prefetch_lineage(info, "table", check_uuid(id))
            record = await loaders.table_by_id.load((check_uuid(id), fields))
        else:
            assert fully_qualified_name is not None
            record = await loaders.table_by_name.load((fully_qualified_name, fields))
        return Table.from_record(record) if record is not None else None

    @strawberry.field(description="A page of tables, ordered by name.")
    async def tables(
        self,
        info: Info,
        first: Annotated[int | None, _FIRST] = None,
        after: Annotated[str | None, _AFTER] = None,
        last: Annotated[int | None, _LAST] = None,
        before: Annotated[str | None, _BEFORE] = None,
        database: Annotated[
            str | None,
            strawberry.argument(description="Only tables of this database (FQN `service.db`)."),
        ] = None,
        database_schema: Annotated[
            str | None,
            strawberry.argument(
                description="Only tables of this schema (FQN `service.db.schema`)."
            ),
        ] = None,
        include: Annotated[Include, _INCLUDE] = Include.NON_DELETED,
    ) -> Connection[Table] | None:
        args = page_args(first, after, last, before, info.context.settings.max_page_size)
        page = await info.context.catalog.list_tables(
            fields=upstream_fields(info, TABLE_FIELDS, CONNECTION_PATHS),
            database=database,
            database_schema=database_schema,
            limit=args.limit,
            after=args.after,
            before=args.before,
            include=include.value,
        )
        return catalog_connection(
            page.data, page.paging, Table.from_record, lambda r: (r.name, r.id)
        )

    @strawberry.field(description="One user, by `id` or `name`.")
    async def user(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID | None, strawberry.argument(description=_ID.format("user", "name"))
        ] = None,
        name: Annotated[
            str | None,
            strawberry.argument(
                description="Login name (1 to 256 characters, no `::`); pass it or `id`, not both."
            ),
        ] = None,
    ) -> User | None:
        one_of(("id", "name"), (id, name))
        if id is not None:
            record = await info.context.loaders.user_by_id.load((check_uuid(id), NO_FIELDS))
            return User.from_loaded(record) if record is not None else None
        assert name is not None
        try:
            found = await info.context.catalog.get_user_by_name(check_name(name, "name"))
        except NotFoundError:
            return None
        return User.from_record(found)

    @strawberry.field(description="A page of users, ordered by name.")
    async def users(
        self,
        info: Info,
        first: Annotated[int | None, _FIRST] = None,
        after: Annotated[str | None, _AFTER] = None,
        last: Annotated[int | None, _LAST] = None,
        before: Annotated[str | None, _BEFORE] = None,
    ) -> Connection[User] | None:
        args = page_args(first, after, last, before, info.context.settings.max_page_size)
        page = await info.context.catalog.list_users(
            limit=args.limit, after=args.after, before=args.before
        )
        return catalog_connection(
            page.data, page.paging, User.from_record, lambda r: (r.name, r.id)
        )

    @strawberry.field(
        description="The tags the catalog defines, ordered by name: what a tag picker "
        "offers (apply one with its `fullyQualifiedName`)."
    )
    async def tags(
        self,
        info: Info,
        classification: Annotated[
            str | None,
            strawberry.argument(
                description="Only the tags of this classification (by name, e.g. `PII`, "
                "`Tier`); all tags when left out. An unknown one lists nothing."
            ),
        ] = None,
        first: Annotated[int | None, _FIRST] = None,
        after: Annotated[str | None, _AFTER] = None,
        last: Annotated[int | None, _LAST] = None,
        before: Annotated[str | None, _BEFORE] = None,
    ) -> Connection[TagDefinition] | None:
        args = page_args(first, after, last, before, info.context.settings.max_page_size)
        page = await info.context.catalog.list_tags(
            classification=classification, limit=args.limit, after=args.after, before=args.before
        )
        return catalog_connection(
            page.data, page.paging, TagDefinition.from_record, lambda r: (r.name, r.id)
        )

    @strawberry.field(
        description="Search the catalog's ML models and tables by text, filters and facets "
        "(one catalog search call per page, whatever its size; `followers`, `votes` and "
        "`tags` of the results load per result when selected). The real catalog indexes "
        "writes asynchronously, so its search is eventually consistent: an entity created, "
        "changed or deleted shows so in results a few seconds later, while the entity "
        "fields answer at once. The embedded catalog reflects writes in search at once."
    )
    async def search(
        self,
        info: Info,
        query: Annotated[
            str | None,
            strawberry.argument(
                description="Words to find in names, display names, descriptions, FQNs, "
                "features (models) and columns (tables), in the catalog's query-string "
                "syntax (`field:value`, `AND`/`OR`/`NOT`); at most 1000 characters. Left "
                "out or blank, every entity matching the filters is listed. A query the "
                "catalog cannot parse is BAD_USER_INPUT."
            ),
        ] = None,
        kinds: Annotated[
            list[SearchKind] | None,
            strawberry.argument(description="Which kinds of entity to find; all when left out."),
        ] = None,
        filters: Annotated[
            SearchFilters | None,
            strawberry.argument(description="What every result must match."),
        ] = None,
        sort: Annotated[
            SearchSort | None,
            strawberry.argument(
                description="The order: by relevance when there is a query, else by name."
            ),
        ] = None,
        first: Annotated[
            int | None,
            strawberry.argument(
                description="Page size: 0 to the gateway's maximum (GATEWAY_MAX_PAGE_SIZE); "
                "10 when left out."
            ),
        ] = None,
        after: Annotated[
            str | None,
            strawberry.argument(
                description="Cursor of a result (`pageInfo.endCursor` or an edge's `cursor`): "
                "the page starts after it, for the same query, filters and sort. Results "
                "end at the 10000th. Not a search cursor: BAD_USER_INPUT."
            ),
        ] = None,
    ) -> SearchConnection | None:
        return await run_search(
            info, query=query, kinds=kinds, filters=filters, sort=sort, first=first, after=after
        )

    @strawberry.field(description="The caller, as the catalog knows them.")
    async def me(self, info: Info) -> User | None:
        record = await info.context.me()
        return User.from_record(record) if record is not None else None

    @strawberry.field(description="One registry model version.")
    async def model_version(
        self,
        info: Info,
        model_rid: Annotated[str, _MODEL_RID],
        version_rid: Annotated[
            str,
            strawberry.argument(
                description="RID of the version, one of that model's. Not a RID: "
                "BAD_USER_INPUT; no such version (or model): null."
            ),
        ],
    ) -> ModelVersion | None:
        key = (check_rid(model_rid, "modelRid"), check_rid(version_rid, "versionRid"))
        record = await info.context.loaders.version_by_rid.load(key)
        return ModelVersion.from_record(record, model_rid) if record is not None else None

    @strawberry.field(description="A page of a registry model's versions on one branch.")
    async def model_versions(
        self,
        info: Info,
        model_rid: Annotated[str, _MODEL_RID],
        branch: Annotated[str | None, strawberry.argument(description=BRANCH_DOC)] = None,
        first: Annotated[int | None, strawberry.argument(description=VERSIONS_FIRST_DOC)] = None,
        after: Annotated[str | None, strawberry.argument(description=VERSIONS_AFTER_DOC)] = None,
    ) -> Connection[ModelVersion] | None:
        return await list_versions(info, check_rid(model_rid, "modelRid"), branch, first, after)
