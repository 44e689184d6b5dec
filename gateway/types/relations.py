"""Relationship fields of a catalog entity (owners, followers, votes, tags, extension).

Field pushdown usually has the parent's record already holding the field; when it does
not (another path reached the entity), the entity is loaded again with that field added,
once per request thanks to the loaders.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Generic, TypeVar

from gateway.context import Info
from gateway.types.common import Deferred

R = TypeVar("R")
T = TypeVar("T")


class Relations(Generic[R]):
    """Mixin for entity types holding a catalog record `record` (no GraphQL fields here)."""

    if TYPE_CHECKING:
        record: R

    def _reload(self, info: Info, field: str) -> Awaitable[R | None]:
        """Load this entity again with `field` among the catalog fields."""
        raise NotImplementedError

    def _with(self, info: Info, field: str, convert: Callable[[R], T]) -> Deferred[T]:
        """`convert` of the record, once relationship `field` is in it: now when the parent
        loaded it (the usual case), else after loading it."""
        if getattr(self.record, field) is not None:
            return convert(self.record)
        return self._load(info, field, convert)

    async def _load(self, info: Info, field: str, convert: Callable[[R], T]) -> T:
        record = await self._reload(info, field)
        if record is not None:
            self.record = record
        return convert(self.record)
