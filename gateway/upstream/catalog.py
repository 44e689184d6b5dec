"""CatalogClient: the OpenMetadata REST paths the gateway uses, one method per call."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any, Literal, TypeVar

import msgspec

from gateway.base.errors import UpstreamError
from gateway.upstream.http import Reply, UpstreamHttp, segment
from gateway.upstream.records import (
    NO_DASHBOARD_ID,
    BulkOperationResultRecord,
    ChangeEventRecord,
    DomainRecord,
    EntityHistoryRecord,
    EntityReferenceRecord,
    ListPage,
    MlModelRecord,
    ServiceRecord,
    TableRecord,
    TagRecord,
    UserRecord,
    VersionRecord,
)
from gateway.upstream.records_search import EntityLineageRecord, SearchResponseRecord
from gateway.upstream.search import SearchFilters, query_filter

T = TypeVar("T")
# Query parameters: a mapping, or pairs when a parameter repeats.
Params = Mapping[str, str] | Sequence[tuple[str, str]]

EntityKind = Literal["mlmodel", "table"]
ServiceKind = Literal["mlmodel", "database"]
Include = Literal["non-deleted", "deleted", "all"]
VoteType = Literal["votedUp", "votedDown", "unVoted"]

MODELS = "/v1/mlmodels"
TABLES = "/v1/tables"
USERS = "/v1/users"
DOMAINS = "/v1/domains"
TAGS = "/v1/tags"
SEARCH = "/v1/search/query"
LINEAGE = "/v1/lineage"
SortOrder = Literal["asc", "desc"]
ENTITY_PATHS: dict[str, str] = {"mlmodel": MODELS, "table": TABLES}
SERVICE_PATHS: dict[str, str] = {
    "mlmodel": "/v1/services/mlmodelServices",
    "database": "/v1/services/databaseServices",
}

# A PATCH body's media type, and the change header's value when nothing changed.
JSON_PATCH = "application/json-patch+json"
NO_CHANGE = "entityNoChange"

_MODEL_PAGE = ListPage[MlModelRecord]
_SERVICE_PAGE = ListPage[ServiceRecord]
_TABLE_PAGE = ListPage[TableRecord]
_USER_PAGE = ListPage[UserRecord]
_TAG_PAGE = ListPage[TagRecord]
_VERSION = msgspec.json.Decoder(VersionRecord)


def query(fields: Collection[str], include: Include = "non-deleted") -> dict[str, str]:
    """`fields` (sorted, de-duplicated, left out when empty) and a non-default `include`."""
    params: dict[str, str] = {}
    if fields:
        params["fields"] = ",".join(sorted(set(fields)))
    if include != "non-deleted":
        params["include"] = include
    return params


def page_query(
    fields: Collection[str],
    include: Include,
    limit: int,
    before: str | None,
    after: str | None,
    filters: Mapping[str, str | None] | None = None,
) -> dict[str, str]:
    params = query(fields, include)
    params["limit"] = str(limit)
    if before is not None:
        params["before"] = before
    if after is not None:
        params["after"] = after
    if filters:
        params.update({key: value for key, value in filters.items() if value is not None})
    return params


_NO_DASHBOARD = EntityReferenceRecord(id=NO_DASHBOARD_ID, type="dashboard")


def _extension_fetched(records: Iterable[MlModelRecord], fields: Collection[str]) -> None:
    """The catalog leaves `extension` out of an entity without custom properties, and
    `dashboard` out of a model without one, even when `fields=` asked for them; record
    them as empty there (`{}`, a reference with the id `NO_DASHBOARD_ID`), so that they
    read as fetched rather than as fields to load again (one GET per such model of a page)."""
    extension, dashboard = "extension" in fields, "dashboard" in fields
    if extension or dashboard:
        for record in records:
            if extension and record.extension is None:
                msgspec.structs.force_setattr(record, "extension", {})
            if dashboard and record.dashboard is None:
                msgspec.structs.force_setattr(record, "dashboard", _NO_DASHBOARD)


class CatalogClient:
    """The catalog as one caller sees it: cheap to build, one per GraphQL request.

    GETs, PUTs and soft deletes are retried on connection failures and 502/503/504
    (a repeat is harmless upstream); POSTs, PATCHes, restores and hard deletes never are.
    """

    __slots__ = ("_auth", "_http", "_request_id")

    def __init__(
        self, http: UpstreamHttp, *, auth: str | None, request_id: str | None = None
    ) -> None:
        self._http = http
        self._auth = auth
        self._request_id = request_id

    async def _call(
        self,
        method: str,
        path: str,
        decode: type[T],
        *,
        params: Params | None = None,
        json: object = None,
        idempotent: bool = True,
    ) -> tuple[T, int]:
        reply = await self._reply(
            method, path, decode, params=params, json=json, idempotent=idempotent
        )
        return reply.data, reply.status

    async def _reply(
        self,
        method: str,
        path: str,
        decode: type[T],
        *,
        params: Params | None = None,
        json: object = None,
        idempotent: bool = True,
        content_type: str = "application/json",
        extra_headers: Mapping[str, str] | None = None,
    ) -> Reply[T]:
        return await self._http.request(
            method,
            path,
            decode,
            auth=self._auth,
            idempotent=idempotent,
            params=params,
            json=json,
            request_id=self._request_id,
            content_type=content_type,
            extra_headers=extra_headers,
        )

    async def _get_with_etag(
        self, path: str, decode: type[T], params: Mapping[str, str]
    ) -> tuple[T, str | None]:
        reply = await self._reply("GET", path, decode, params=params)
        return reply.data, reply.headers.get("etag")

    async def _patch(
        self,
        path: str,
        decode: type[T],
        operations: Sequence[Mapping[str, Any]],
        if_match: str | None,
    ) -> tuple[T, bool]:
        # Never retried: a patch is not idempotent in general (an append sent twice
        # appends twice).
        reply = await self._reply(
            "PATCH",
            path,
            decode,
            json=list(operations),
            idempotent=False,
            content_type=JSON_PATCH,
            extra_headers={"If-Match": if_match} if if_match is not None else None,
        )
        return reply.data, reply.headers.get("x-openmetadata-change") != NO_CHANGE

    async def _get(self, path: str, decode: type[T], params: Params) -> T:
        data, _ = await self._call("GET", path, decode, params=params)
        return data

    # ML models

    async def list_models(
        self,
        *,
        fields: Collection[str] = (),
        service: str | None = None,
        limit: int = 10,
        before: str | None = None,
        after: str | None = None,
        include: Include = "non-deleted",
    ) -> ListPage[MlModelRecord]:
        params = page_query(fields, include, limit, before, after, {"service": service})
        page = await self._get(MODELS, _MODEL_PAGE, params)
        _extension_fetched(page.data, fields)
        return page

    async def get_model(
        self, model_id: str, *, fields: Collection[str] = (), include: Include = "non-deleted"
    ) -> MlModelRecord:
        record = await self._get(
            f"{MODELS}/{segment(model_id)}", MlModelRecord, query(fields, include)
        )
        _extension_fetched((record,), fields)
        return record

    async def get_model_by_name(
        self, fqn: str, *, fields: Collection[str] = (), include: Include = "non-deleted"
    ) -> MlModelRecord:
        record = await self._get(
            f"{MODELS}/name/{segment(fqn)}", MlModelRecord, query(fields, include)
        )
        _extension_fetched((record,), fields)
        return record

    async def create_model(self, body: Mapping[str, Any]) -> MlModelRecord:
        data, _ = await self._call("POST", MODELS, MlModelRecord, json=body, idempotent=False)
        return data

    async def upsert_model(self, body: Mapping[str, Any]) -> tuple[MlModelRecord, bool]:
        """Create or update by FQN; the flag is True when the model was created (201)."""
        data, status = await self._call("PUT", MODELS, MlModelRecord, json=body)
        return data, status == 201

    async def bulk_upsert_models(
        self, bodies: Sequence[Mapping[str, Any]]
    ) -> BulkOperationResultRecord:
        data, _ = await self._call(
            "PUT", f"{MODELS}/bulk", BulkOperationResultRecord, json=list(bodies)
        )
        return data

    async def delete_model(self, model_id: str, *, hard_delete: bool = False) -> MlModelRecord:
        return await self._delete(MODELS, model_id, MlModelRecord, hard_delete)

    async def restore_model(self, model_id: str) -> MlModelRecord:
        return await self._restore(MODELS, model_id, MlModelRecord)

    async def _delete(self, collection: str, entity_id: str, decode: type[T], hard: bool) -> T:
        data, _ = await self._call(
            "DELETE",
            f"{collection}/{segment(entity_id)}",
            decode,
            params={"hardDelete": "true" if hard else "false"},
            # A retried hard delete would answer 404 for an entity it did delete.
            idempotent=not hard,
        )
        return data

    async def _restore(self, collection: str, entity_id: str, decode: type[T]) -> T:
        # Not retried: restoring an entity that is not deleted fails upstream.
        data, _ = await self._call(
            "PUT", f"{collection}/restore", decode, json={"id": entity_id}, idempotent=False
        )
        return data

    # Targeted edits: JSON Patch (RFC 6902), optionally guarded by the entity's ETag

    async def get_model_with_etag(
        self, model_id: str, *, fields: Collection[str] = ()
    ) -> tuple[MlModelRecord, str | None]:
        """The model and its `ETag` (None when the catalog sends none), for `If-Match`."""
        record, etag = await self._get_with_etag(
            f"{MODELS}/{segment(model_id)}", MlModelRecord, query(fields)
        )
        _extension_fetched((record,), fields)
        return record, etag

    async def get_model_by_name_with_etag(
        self, fqn: str, *, fields: Collection[str] = ()
    ) -> tuple[MlModelRecord, str | None]:
        record, etag = await self._get_with_etag(
            f"{MODELS}/name/{segment(fqn)}", MlModelRecord, query(fields)
        )
        _extension_fetched((record,), fields)
        return record, etag

    async def patch_model(
        self,
        model_id: str,
        operations: Sequence[Mapping[str, Any]],
        *,
        if_match: str | None = None,
    ) -> tuple[MlModelRecord, bool]:
        """Apply `operations` as the caller; the flag is False when the catalog reports no
        change. With `if_match` (an ETag, or `W/"<version>"`) a model that changed since is
        a `PreconditionFailedError` (412). Never retried."""
        return await self._patch(
            f"{MODELS}/{segment(model_id)}", MlModelRecord, operations, if_match
        )

    # Version history (ML models and tables)

    async def entity_history(self, kind: EntityKind, entity_id: str) -> list[VersionRecord]:
        """Every version of an entity, newest first (soft-deleted entities too)."""
        path = f"{ENTITY_PATHS[kind]}/{segment(entity_id)}/versions"
        history = await self._get(path, EntityHistoryRecord, {})
        try:
            return [_VERSION.decode(text) for text in history.versions]
        except msgspec.DecodeError as exc:
            raise UpstreamError(
                "The catalog sent a version history the gateway cannot read.", upstream="catalog"
            ) from exc

    async def get_model_version(self, model_id: str, version: str) -> MlModelRecord:
        path = f"{MODELS}/{segment(model_id)}/versions/{segment(version)}"
        return await self._get(path, MlModelRecord, {})

    async def get_table_version(self, table_id: str, version: str) -> TableRecord:
        path = f"{TABLES}/{segment(table_id)}/versions/{segment(version)}"
        return await self._get(path, TableRecord, {})

    # Services

    async def list_services(
        self,
        kind: ServiceKind,
        *,
        fields: Collection[str] = (),
        limit: int = 10,
        before: str | None = None,
        after: str | None = None,
        include: Include = "non-deleted",
    ) -> ListPage[ServiceRecord]:
        params = page_query(fields, include, limit, before, after)
        return await self._get(SERVICE_PATHS[kind], _SERVICE_PAGE, params)

    async def get_service(
        self,
        kind: ServiceKind,
        service_id: str,
        *,
        fields: Collection[str] = (),
        include: Include = "non-deleted",
    ) -> ServiceRecord:
        path = f"{SERVICE_PATHS[kind]}/{segment(service_id)}"
        return await self._get(path, ServiceRecord, query(fields, include))

    async def get_service_by_name(
        self,
        kind: ServiceKind,
        name: str,
        *,
        fields: Collection[str] = (),
        include: Include = "non-deleted",
    ) -> ServiceRecord:
        path = f"{SERVICE_PATHS[kind]}/name/{segment(name)}"
        return await self._get(path, ServiceRecord, query(fields, include))

    async def create_service(self, kind: ServiceKind, body: Mapping[str, Any]) -> ServiceRecord:
        data, _ = await self._call(
            "POST", SERVICE_PATHS[kind], ServiceRecord, json=body, idempotent=False
        )
        return data

    async def upsert_service(
        self, kind: ServiceKind, body: Mapping[str, Any]
    ) -> tuple[ServiceRecord, bool]:
        """Create or update by name; the flag is True when the service was created (201)."""
        data, status = await self._call("PUT", SERVICE_PATHS[kind], ServiceRecord, json=body)
        return data, status == 201

    async def bulk_upsert_services(
        self, kind: ServiceKind, bodies: Sequence[Mapping[str, Any]]
    ) -> BulkOperationResultRecord:
        data, _ = await self._call(
            "PUT", f"{SERVICE_PATHS[kind]}/bulk", BulkOperationResultRecord, json=list(bodies)
        )
        return data

    # Tables

    async def list_tables(
        self,
        *,
        fields: Collection[str] = (),
        database: str | None = None,
        database_schema: str | None = None,
        limit: int = 10,
        before: str | None = None,
        after: str | None = None,
        include: Include = "non-deleted",
    ) -> ListPage[TableRecord]:
        filters = {"database": database, "databaseSchema": database_schema}
        params = page_query(fields, include, limit, before, after, filters)
        return await self._get(TABLES, _TABLE_PAGE, params)

    async def get_table(
        self, table_id: str, *, fields: Collection[str] = (), include: Include = "non-deleted"
    ) -> TableRecord:
        return await self._get(f"{TABLES}/{segment(table_id)}", TableRecord, query(fields, include))

    async def get_table_by_name(
        self, fqn: str, *, fields: Collection[str] = (), include: Include = "non-deleted"
    ) -> TableRecord:
        return await self._get(f"{TABLES}/name/{segment(fqn)}", TableRecord, query(fields, include))

    async def get_table_with_etag(
        self, table_id: str, *, fields: Collection[str] = ()
    ) -> tuple[TableRecord, str | None]:
        """The table and its `ETag` (None when the catalog sends none), for `If-Match`."""
        return await self._get_with_etag(
            f"{TABLES}/{segment(table_id)}", TableRecord, query(fields)
        )

    async def get_table_by_name_with_etag(
        self, fqn: str, *, fields: Collection[str] = ()
    ) -> tuple[TableRecord, str | None]:
        return await self._get_with_etag(
            f"{TABLES}/name/{segment(fqn)}", TableRecord, query(fields)
        )

    async def patch_table(
        self,
        table_id: str,
        operations: Sequence[Mapping[str, Any]],
        *,
        if_match: str | None = None,
    ) -> tuple[TableRecord, bool]:
        """As `patch_model`, for a table."""
        return await self._patch(f"{TABLES}/{segment(table_id)}", TableRecord, operations, if_match)

    async def delete_table(self, table_id: str, *, hard_delete: bool = False) -> TableRecord:
        return await self._delete(TABLES, table_id, TableRecord, hard_delete)

    async def restore_table(self, table_id: str) -> TableRecord:
        return await self._restore(TABLES, table_id, TableRecord)

    # Tags and domains

    async def list_tags(
        self,
        *,
        classification: str | None = None,
        limit: int = 10,
        before: str | None = None,
        after: str | None = None,
    ) -> ListPage[TagRecord]:
        """Tags, of one classification (`parent`) or all, ordered by name."""
        params = page_query((), "non-deleted", limit, before, after, {"parent": classification})
        return await self._get(TAGS, _TAG_PAGE, params)

    async def get_domain_by_name(self, fqn: str) -> DomainRecord:
        return await self._get(f"{DOMAINS}/name/{segment(fqn)}", DomainRecord, {})

    # Users

    async def list_users(
        self,
        *,
        fields: Collection[str] = (),
        limit: int = 10,
        before: str | None = None,
        after: str | None = None,
        include: Include = "non-deleted",
    ) -> ListPage[UserRecord]:
        params = page_query(fields, include, limit, before, after)
        return await self._get(USERS, _USER_PAGE, params)

    async def get_user(self, user_id: str, *, fields: Collection[str] = ()) -> UserRecord:
        return await self._get(f"{USERS}/{segment(user_id)}", UserRecord, query(fields))

    async def get_user_by_name(self, name: str, *, fields: Collection[str] = ()) -> UserRecord:
        return await self._get(f"{USERS}/name/{segment(name)}", UserRecord, query(fields))

    async def get_logged_in_user(self, *, fields: Collection[str] = ()) -> UserRecord:
        """The user the forwarded credentials belong to."""
        return await self._get(f"{USERS}/loggedInUser", UserRecord, query(fields))

    # Followers and votes (they answer a change event, not the entity)

    async def add_follower(
        self, kind: EntityKind, entity_id: str, user_id: str
    ) -> ChangeEventRecord:
        path = f"{ENTITY_PATHS[kind]}/{segment(entity_id)}/followers"
        # The body is the user id as a bare JSON string.
        data, _ = await self._call("PUT", path, ChangeEventRecord, json=user_id)
        return data

    async def remove_follower(
        self, kind: EntityKind, entity_id: str, user_id: str
    ) -> ChangeEventRecord:
        path = f"{ENTITY_PATHS[kind]}/{segment(entity_id)}/followers/{segment(user_id)}"
        data, _ = await self._call("DELETE", path, ChangeEventRecord)
        return data

    async def cast_vote(
        self, kind: EntityKind, entity_id: str, vote: VoteType
    ) -> ChangeEventRecord:
        """Vote as the caller (the voter is whoever the credentials name)."""
        path = f"{ENTITY_PATHS[kind]}/{segment(entity_id)}/vote"
        data, _ = await self._call("PUT", path, ChangeEventRecord, json={"updatedVoteType": vote})
        return data

    # Search (the catalog's index trails its writes: typically by under a few seconds)

    async def search(
        self,
        *,
        q: str = "*",
        index: str,
        offset: int = 0,
        size: int = 10,
        filters: SearchFilters | None = None,
        sort_field: str | None = None,
        sort_order: SortOrder = "desc",
        deleted: bool | None = False,
        include_source_fields: Sequence[str] = (),
        track_total_hits: bool = True,
    ) -> SearchResponseRecord:
        """`GET /v1/search/query`: a page of hits (`from`/`size`) for the query string `q`
        (`*` for everything) in `index` (an index name or alias), with the filters as
        `query_filter`, sorted by `sort_field` (the catalog's default: `_score`, best
        first). `deleted` None searches live and soft-deleted entities alike. The answer
        carries the catalog's aggregations (facets) for the same query and filters."""
        params: list[tuple[str, str]] = [
            ("q", q or "*"),
            ("index", index),
            ("from", str(offset)),
            ("size", str(size)),
        ]
        if deleted is not None:
            params.append(("deleted", "true" if deleted else "false"))
        found = query_filter(filters) if filters is not None else None
        if found is not None:
            params.append(("query_filter", msgspec.json.encode(found).decode()))
        if sort_field is not None:
            params.append(("sort_field", sort_field))
            params.append(("sort_order", sort_order))
        if track_total_hits:
            params.append(("track_total_hits", "true"))
        params.extend(("include_source_fields", name) for name in include_source_fields)
        return await self._get(SEARCH, SearchResponseRecord, params)

    async def search_ids(self, index: str, ids: Sequence[str]) -> SearchResponseRecord:
        """`GET /v1/search/query` for the live entities of `index` with these ids (`_id`),
        at most one page of `len(ids)` hits (contract §1.2b); ids the index lacks (not
        indexed yet, soft-deleted) are simply not among the hits."""
        body = {"query": {"bool": {"filter": [{"ids": {"values": list(ids)}}]}}}
        params: list[tuple[str, str]] = [
            ("q", "*"),
            ("index", index),
            ("from", "0"),
            ("size", str(len(ids))),
            ("deleted", "false"),
            ("query_filter", msgspec.json.encode(body).decode()),
        ]
        return await self._get(SEARCH, SearchResponseRecord, params)

    # Lineage

    async def get_lineage(
        self, kind: EntityKind, entity_id: str, *, upstream_depth: int, downstream_depth: int
    ) -> EntityLineageRecord:
        """`GET /v1/lineage/{entity}/{id}`: the graph around the entity, walked up to the
        depths given (0 to 3 each)."""
        path = f"{LINEAGE}/{kind}/{segment(entity_id)}"
        params = {"upstreamDepth": str(upstream_depth), "downstreamDepth": str(downstream_depth)}
        return await self._get(path, EntityLineageRecord, params)
