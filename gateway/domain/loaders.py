"""Per-request DataLoaders: `<Entity>By<Key>Loader`, built fresh for every GraphQL request.

Each batch makes one round of concurrent, de-duplicated upstream calls (the catalog has
no multi-get endpoint). Keys that carry a field set are merged per id, so one entity is
fetched once per tick with the union of the fields asked for. A missing entity loads as
`None`; an entity whose call failed loads as that error, so only its fields fail.
"""

from __future__ import annotations

import asyncio
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
from gateway.upstream.records_search import EntityLineageRecord
from gateway.upstream.registry import RegistryClient

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
Fields = frozenset[str]
NO_FIELDS: Fields = frozenset()


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


class ModelByIdLoader(_FieldsLoader[str, MlModelRecord]):
    """ML models by id."""


class ModelByNameLoader(_FieldsLoader[str, MlModelRecord]):
    """ML models by fully qualified name."""


class TableByIdLoader(_FieldsLoader[str, TableRecord]):
    """Tables by id."""


class TableByNameLoader(_FieldsLoader[str, TableRecord]):
    """Tables by fully qualified name."""


class ServiceByIdLoader(_FieldsLoader[tuple[ServiceKind, str], ServiceRecord]):
    """ML model and database services by (kind, id)."""


class UserByIdLoader(_KeyLoader[str, UserRecord]):
    """Users by id."""


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

    @classmethod
    def create(cls, catalog: CatalogClient, registry: RegistryClient) -> Loaders:
        async def versions(key: VersionPageKey) -> ModelVersionPageRecord:
            return await registry.list_versions(
                key.model_rid, branch=key.branch, page_size=key.page_size, page_token=key.page_token
            )

        return cls(
            model_by_id=ModelByIdLoader(lambda i, f: catalog.get_model(i, fields=f)),
            model_by_name=ModelByNameLoader(lambda n, f: catalog.get_model_by_name(n, fields=f)),
            table_by_id=TableByIdLoader(lambda i, f: catalog.get_table(i, fields=f)),
            table_by_name=TableByNameLoader(lambda n, f: catalog.get_table_by_name(n, fields=f)),
            service_by_id=ServiceByIdLoader(lambda k, f: catalog.get_service(k[0], k[1], fields=f)),
            user_by_id=UserByIdLoader(lambda i: catalog.get_user(i)),
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
