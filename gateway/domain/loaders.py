"""Per-request DataLoaders: `<Entity>By<Key>Loader`, built fresh for every GraphQL request.

Each batch makes one round of concurrent, de-duplicated upstream calls (the catalog has
no multi-get endpoint). Keys that carry a field set are merged per id, so one entity is
fetched once per tick with the union of the fields asked for. A missing entity loads as
`None`; an entity whose call failed loads as that error, so only its fields fail.

With `batch_via_search` on, users, ML models and tables by id first ask the catalog's
search index for every key of a batch at once (an `ids` query, contract §1.2b) and take
the hits whose document holds every field asked for exactly as the entity API answers
it (`records_search.indexed_*`); the keys it misses (not indexed yet, soft-deleted) or
cannot answer exactly are read by id as above. A write turns it off for the rest of the
request (`entity_api_only`), so a mutation's answer is never read from the index, which
trails writes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from aiodataloader import DataLoader

from gateway.base.errors import NotFoundError
from gateway.base.observability.metrics import observe_batch
from gateway.upstream.catalog import CatalogClient, EntityKind, ServiceKind
from gateway.upstream.records import (
    MlModelRecord,
    ModelVersionPageRecord,
    ModelVersionRecord,
    ServiceRecord,
    TableRecord,
    UserRecord,
)
from gateway.upstream.records_search import (
    INDEXED_MODEL_FIELDS,
    INDEXED_TABLE_FIELDS,
    INDEXED_USER_FIELDS,
    EntityLineageRecord,
    SearchHitRecord,
    SearchResponseRecord,
    indexed_model,
    indexed_table,
    indexed_user,
)
from gateway.upstream.registry import RegistryClient
from gateway.upstream.search import SEARCH_INDEXES, USER_INDEX

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
Fields = frozenset[str]
NO_FIELDS: Fields = frozenset()
# What `User.description` asks for: the one user field the users' index may not hold.
USER_DESCRIPTION: Fields = frozenset({"description"})
# Ids one search call asks for: its URL stays near 4.5 KB (a catalog behind Jetty takes
# 8 KB of request line and headers by default), far inside the index window (10 000).
IDS_PER_SEARCH = 100

log = logging.getLogger("gateway.loaders")


def _outcome(result: Any) -> Any:
    if isinstance(result, NotFoundError):
        return None
    if isinstance(result, BaseException) and not isinstance(result, Exception):
        raise result
    return result


async def _each(keys: Sequence[K], fetch: Callable[[K], Awaitable[V]]) -> dict[K, Any]:
    unique = list(dict.fromkeys(keys))
    results = await asyncio.gather(*(fetch(k) for k in unique), return_exceptions=True)
    return {k: _outcome(r) for k, r in zip(unique, results, strict=True)}


class _KeyLoader(DataLoader[K, Any], Generic[K, V]):
    """Loads each distinct key with one concurrent call."""

    def __init__(self, fetch: Callable[[K], Awaitable[V]]) -> None:
        super().__init__()
        self._fetch = fetch

    async def batch_load_fn(self, keys: list[K]) -> list[V | Exception | None]:
        observe_batch(type(self).__name__, len(keys))
        outcomes = await _each(keys, self._fetch)
        return [outcomes[k] for k in keys]


class _FieldsLoader(DataLoader[tuple[K, Fields], Any], Generic[K, V]):
    """Keys are `(key, fields)`; each distinct key is fetched once with the union of fields."""

    def __init__(self, fetch: Callable[[K, Fields], Awaitable[V]]) -> None:
        super().__init__()
        self._fetch = fetch

    async def batch_load_fn(self, keys: list[tuple[K, Fields]]) -> list[V | Exception | None]:
        observe_batch(type(self).__name__, len(keys))
        wanted: dict[K, set[str]] = {}
        for key, fields in keys:
            wanted.setdefault(key, set()).update(fields)
        outcomes = await _each(list(wanted), lambda k: self._fetch(k, frozenset(wanted[k])))
        return [outcomes[key] for key, _ in keys]


class _IndexedLoader(_FieldsLoader[str, V]):
    """Keys `(id, fields)`, read from the catalog's search index first when `via_search`
    and the batch holds more than one id; the rest (and everything when off) by id."""

    def __init__(
        self,
        fetch: Callable[[str, Fields], Awaitable[V]],
        *,
        catalog: CatalogClient | None = None,
        index: str = "",
        decode: Callable[[SearchHitRecord, Fields], V | None] | None = None,
        indexed: Fields = NO_FIELDS,
        whole: Fields = NO_FIELDS,
    ) -> None:
        super().__init__(fetch)
        self._catalog = catalog
        self._index = index
        self._decode = decode
        # The fields the index may answer; a key asking for any other is read by id.
        self._indexed = indexed
        # The fields an entity API answer holds whatever was asked (primed for them).
        self._whole = whole
        self.via_search = False

    async def batch_load_fn(self, keys: list[tuple[str, Fields]]) -> list[V | Exception | None]:
        observe_batch(type(self).__name__, len(keys))
        wanted: dict[str, set[str]] = {}
        for key, fields in keys:
            wanted.setdefault(key, set()).update(fields)
        found: dict[str, Any] = {}
        if self.via_search:
            indexed = {k: frozenset(f) for k, f in wanted.items() if f <= self._indexed}
            if len(indexed) > 1:
                found = await self._from_index(indexed)
        rest = [k for k in wanted if k not in found]
        outcomes = await _each(rest, lambda k: self._fetch(k, frozenset(wanted[k])))
        if self._whole:
            for key, record in outcomes.items():
                if record is not None and not isinstance(record, Exception):
                    self.prime((key, self._whole), record)
        found.update(outcomes)
        return [found[key] for key, _ in keys]

    async def _from_index(self, wanted: dict[str, Fields]) -> dict[str, V]:
        """The records the index answers exactly, by id; a failed search call answers
        none of its ids (they are read by id, where a real failure shows)."""
        catalog, decode = self._catalog, self._decode
        if catalog is None or decode is None:
            return {}
        ids = list(wanted)
        chunks = [ids[i : i + IDS_PER_SEARCH] for i in range(0, len(ids), IDS_PER_SEARCH)]
        answers = await asyncio.gather(
            *(catalog.search_ids(self._index, chunk) for chunk in chunks),
            return_exceptions=True,
        )
        found: dict[str, V] = {}
        for answer in answers:
            if not isinstance(answer, SearchResponseRecord):
                if isinstance(answer, BaseException) and not isinstance(answer, Exception):
                    raise answer
                log.info("search by ids in %s failed, reading by id: %r", self._index, answer)
                continue
            for hit in answer.hits.hits:
                fields = wanted.get(hit.id)
                if fields is None or hit.id in found:
                    continue
                record = decode(hit, fields)
                if record is not None:
                    found[hit.id] = record
        return found


class ModelByIdLoader(_IndexedLoader[MlModelRecord]):
    """ML models by id."""


class ModelByNameLoader(_FieldsLoader[str, MlModelRecord]):
    """ML models by fully qualified name."""


class TableByIdLoader(_IndexedLoader[TableRecord]):
    """Tables by id."""


class TableByNameLoader(_FieldsLoader[str, TableRecord]):
    """Tables by fully qualified name."""


class ServiceByIdLoader(_FieldsLoader[tuple[ServiceKind, str], ServiceRecord]):
    """ML model and database services by (kind, id)."""


class UserByIdLoader(_IndexedLoader[UserRecord]):
    """Users by id; keys `(id, NO_FIELDS)`, or `(id, USER_DESCRIPTION)` when the
    description is read (a read by id always holds it)."""


class VersionByRidLoader(_KeyLoader[tuple[str, str], ModelVersionRecord]):
    """Registry model versions by (model RID, version RID)."""


@dataclass(frozen=True, slots=True)
class VersionPageKey:
    model_rid: str
    branch: str
    page_size: int | None
    page_token: str | None


class VersionsByModelLoader(_KeyLoader[VersionPageKey, ModelVersionPageRecord]):
    """Pages of a registry model's versions on one branch."""


@dataclass(frozen=True, slots=True)
class LineageKey:
    kind: EntityKind
    entity_id: str
    upstream_depth: int
    downstream_depth: int


class LineageLoader(_KeyLoader[LineageKey, EntityLineageRecord]):
    """Lineage graphs by (entity, depths): one catalog call per distinct key per request."""


class ModelsByTableIndex:
    """ML models by the tables their features are sourced from.

    The catalog has no reverse lookup, so the first use scans the model list (pages of
    `SCAN_PAGE_SIZE`) once for the request; a write that changes models clears it.
    """

    SCAN_PAGE_SIZE = 1000

    def __init__(self, catalog: CatalogClient) -> None:
        self._catalog = catalog
        self._index: asyncio.Future[dict[str, list[MlModelRecord]]] | None = None

    async def using_table(self, table_id: str) -> list[MlModelRecord]:
        if self._index is None:
            self._index = asyncio.ensure_future(self._scan())
        return (await self._index).get(table_id, [])

    def clear_all(self) -> None:
        self._index = None

    async def _scan(self) -> dict[str, list[MlModelRecord]]:
        index: dict[str, list[MlModelRecord]] = {}
        after: str | None = None
        while True:
            page = await self._catalog.list_models(limit=self.SCAN_PAGE_SIZE, after=after)
            for model in page.data:
                tables = {
                    source.data_source.id
                    for feature in model.ml_features or ()
                    for source in feature.feature_sources or ()
                    if source.data_source is not None
                }
                for table_id in tables:
                    index.setdefault(table_id, []).append(model)
            after = page.paging.after
            if after is None:
                return index


@dataclass(slots=True)
class Loaders:
    """All loaders of one request."""

    model_by_id: ModelByIdLoader
    model_by_name: ModelByNameLoader
    table_by_id: TableByIdLoader
    table_by_name: TableByNameLoader
    service_by_id: ServiceByIdLoader
    user_by_id: UserByIdLoader
    version_by_rid: VersionByRidLoader
    versions_by_model: VersionsByModelLoader
    models_by_table: ModelsByTableIndex
    lineage: LineageLoader

    def use_search(self, on: bool) -> None:
        """Whether users, ML models and tables by id are read from the search index first."""
        for loader in (self.model_by_id, self.table_by_id, self.user_by_id):
            loader.via_search = on

    def entity_api_only(self) -> None:
        """After a write: every later read of the request goes through the entity API."""
        self.use_search(False)

    @classmethod
    def create(cls, catalog: CatalogClient, registry: RegistryClient) -> Loaders:
        async def versions(key: VersionPageKey) -> ModelVersionPageRecord:
            return await registry.list_versions(
                key.model_rid, branch=key.branch, page_size=key.page_size, page_token=key.page_token
            )

        return cls(
            model_by_id=ModelByIdLoader(
                lambda i, f: catalog.get_model(i, fields=f),
                catalog=catalog,
                index=SEARCH_INDEXES["mlmodel"],
                decode=indexed_model,
                indexed=INDEXED_MODEL_FIELDS,
            ),
            model_by_name=ModelByNameLoader(lambda n, f: catalog.get_model_by_name(n, fields=f)),
            table_by_id=TableByIdLoader(
                lambda i, f: catalog.get_table(i, fields=f),
                catalog=catalog,
                index=SEARCH_INDEXES["table"],
                decode=indexed_table,
                indexed=INDEXED_TABLE_FIELDS,
            ),
            table_by_name=TableByNameLoader(lambda n, f: catalog.get_table_by_name(n, fields=f)),
            service_by_id=ServiceByIdLoader(lambda k, f: catalog.get_service(k[0], k[1], fields=f)),
            user_by_id=UserByIdLoader(
                lambda i, _: catalog.get_user(i),
                catalog=catalog,
                index=USER_INDEX,
                decode=indexed_user,
                indexed=INDEXED_USER_FIELDS,
                whole=USER_DESCRIPTION,
            ),
            version_by_rid=VersionByRidLoader(lambda k: registry.get_version(k[0], k[1])),
            versions_by_model=VersionsByModelLoader(versions),
            models_by_table=ModelsByTableIndex(catalog),
            lineage=LineageLoader(
                lambda k: catalog.get_lineage(
                    k.kind,
                    k.entity_id,
                    upstream_depth=k.upstream_depth,
                    downstream_depth=k.downstream_depth,
                )
            ),
        )
