"""The per-request context: caller's credentials, clients and fresh loaders."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import strawberry
from starlette.requests import Request

from gateway.errors import NotFoundError
from gateway.loaders import Loaders
from gateway.settings import Settings
from gateway.upstream.catalog import CatalogClient
from gateway.upstream.records import MlModelRecord, UserRecord
from gateway.upstream.registry import RegistryClient

SCAN_PAGE_SIZE = 1000


@dataclass(slots=True)
class Context:
    """Everything a resolver may use for one request; never shared between requests."""

    request: Request | None
    settings: Settings
    catalog: CatalogClient
    registry: RegistryClient
    loaders: Loaders
    # Memo of upstream `fields=` computed per selection node, so a list of N items walks
    # its sub-selection once.
    selection_cache: dict[Any, frozenset[str]] = field(default_factory=dict)
    _me: asyncio.Future[UserRecord | None] | None = None
    _models_by_table: asyncio.Future[dict[str, list[MlModelRecord]]] | None = None

    async def me(self) -> UserRecord | None:
        """The caller as the catalog knows them (one call per request, on first use)."""
        if self._me is None:
            self._me = asyncio.ensure_future(self._load_me())
        return await self._me

    async def models_using_table(self, table_id: str) -> list[MlModelRecord]:
        """ML models with a feature sourced from the table (one model-list scan per request)."""
        if self._models_by_table is None:
            self._models_by_table = asyncio.ensure_future(self._index_models_by_table())
        return (await self._models_by_table).get(table_id, [])

    async def _index_models_by_table(self) -> dict[str, list[MlModelRecord]]:
        index: dict[str, list[MlModelRecord]] = {}
        after: str | None = None
        while True:
            page = await self.catalog.list_models(limit=SCAN_PAGE_SIZE, after=after)
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

    async def _load_me(self) -> UserRecord | None:
        try:
            return await self.catalog.get_logged_in_user()
        except NotFoundError:
            return None


Info: TypeAlias = strawberry.Info[Context, None]
