"""The per-request context: caller's credentials, clients and fresh loaders."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import strawberry
from starlette.requests import Request

from gateway.base.errors import NotFoundError
from gateway.base.settings import Settings
from gateway.domain.callers import CallerCache
from gateway.domain.loaders import NO_FIELDS, USER_DESCRIPTION, Loaders
from gateway.upstream.catalog import CatalogClient
from gateway.upstream.records import MlModelRecord, UserRecord
from gateway.upstream.registry import RegistryClient


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
    # The caller's credentials (None: the service token's) and the ids remembered for them.
    credentials: str | None = None
    callers: CallerCache | None = None
    _me: asyncio.Future[UserRecord | None] | None = None

    def __post_init__(self) -> None:
        self.loaders.use_search(self.settings.batch_via_search)

    async def me(self) -> UserRecord | None:
        """The caller as the catalog knows them (one call per request, on first use)."""
        if self._me is None:
            self._me = asyncio.ensure_future(self._load_me())
        return await self._me

    async def caller_id(self) -> str | None:
        """The caller's catalog user id: remembered across requests, else from `me()`."""
        callers = self.callers
        if callers is not None and (known := callers.get(self.credentials)) is not None:
            return known
        me = await self.me()
        if me is None:
            return None
        # The catalog's answer holds the whole user, description included.
        self.loaders.user_by_id.prime((me.id, NO_FIELDS), me)
        self.loaders.user_by_id.prime((me.id, USER_DESCRIPTION), me)
        if callers is not None:
            callers.put(self.credentials, me.id)
        return me.id

    async def models_using_table(self, table_id: str) -> list[MlModelRecord]:
        """ML models with a feature sourced from the table (one model-list scan per request)."""
        return await self.loaders.models_by_table.using_table(table_id)

    async def _load_me(self) -> UserRecord | None:
        try:
            return await self.catalog.get_logged_in_user()
        except NotFoundError:
            return None


Info: TypeAlias = strawberry.Info[Context, None]
