"""Relationship fields of a catalog entity (owners, followers, votes, tags, extension).

Field pushdown usually has the parent's record already holding the field; when it does
not (another path reached the entity), the entity is loaded again with that field added,
once per request thanks to the loaders.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import strawberry

from gateway.domain.context import Info
from gateway.domain.peek import NOT_READY, answers_with
from gateway.domain.types.common import Deferred, EntityRef, Tag, tags_of
from gateway.domain.types.user import Owner, User, owners_of, users_of
from gateway.domain.types.votes import Votes

R = TypeVar("R")
T = TypeVar("T")
# Catalog `fields=` names whose record attribute is spelled otherwise.
_ATTRIBUTES = {"dataProducts": "data_products"}


class Relations(Generic[R]):
    """Mixin for entity types holding a catalog record `record` (no GraphQL fields here)."""

    if TYPE_CHECKING:
        record: R

    def _reload(self, info: Info, field: str) -> Awaitable[R | None]:
        """Load this entity again with `field` among the catalog fields."""
        raise NotImplementedError

    def _peek(self, field: str, convert: Callable[[R], T]) -> T:
        """`convert` of the record when relationship `field` is in it, else NOT_READY."""
        record = self.record
        present = getattr(record, _ATTRIBUTES.get(field, field)) is not None
        return convert(record) if present else NOT_READY

    def _with(self, info: Info, field: str, convert: Callable[[R], T]) -> Deferred[T]:
        """`convert` of the record, once relationship `field` is in it: now when the parent
        loaded it (the usual case), else after loading it."""
        value = self._peek(field, convert)
        return value if value is not NOT_READY else self._load(info, field, convert)

    async def _load(self, info: Info, field: str, convert: Callable[[R], T]) -> T:
        record = await self._reload(info, field)
        if record is not None:
            self.record = record
        return convert(self.record)


def relation(field: str, convert: Callable[[Any], Any], graphql_type: Any, description: str) -> Any:
    """A GraphQL field answering `convert(record)` once relationship `field` is in the
    record (`Relations._with`); its peek answers without an info when it already is."""

    @answers_with(lambda self: self._peek(field, convert))
    def resolve(self: Relations[Any], info: Info) -> Any:
        return self._with(info, field, convert)

    return strawberry.field(resolver=resolve, graphql_type=graphql_type, description=description)


def _count_of(entity: Relations[Any]) -> Any:
    """The follower count when the record tells it: its followers, or a count a search
    document gave (`follower_count`); else NOT_READY."""
    record = entity.record
    if record.followers is not None:
        return len(record.followers)
    count = getattr(record, "follower_count", None)
    return count if count is not None else NOT_READY


def follower_count() -> Any:
    """`followerCount`, answered without the followers when the record knows their number."""

    @answers_with(_count_of)
    def resolve(self: Relations[Any], info: Info) -> Any:
        count = _count_of(self)
        if count is not NOT_READY:
            return count
        return self._with(info, "followers", lambda r: len(r.followers or ()))

    return strawberry.field(resolver=resolve, graphql_type=int, description="Number of followers.")


def social_fields(noun: str) -> tuple[Any, Any, Any, Any, Any]:
    """`owners`, `followers`, `followerCount`, `votes` and `tags` of an entity type, whose
    descriptions name it (`noun`); assign them in the class body, in this order."""
    return (
        relation(
            "owners",
            lambda r: owners_of(r.owners),
            list[Owner],
            f"Users and teams who own the {noun}.",
        ),
        relation(
            "followers",
            lambda r: users_of(r.followers),
            list[User],
            f"Users who follow the {noun}.",
        ),
        follower_count(),
        relation("votes", lambda r: Votes.from_record(r.votes), Votes, f"Votes on the {noun}."),
        relation("tags", lambda r: tags_of(r.tags), list[Tag], f"Tags on the {noun}."),
    )


def refs_of(refs: list[Any] | None) -> list[EntityRef]:
    return [EntityRef.from_record(ref) for ref in refs or ()]


def grouping_fields(noun: str) -> tuple[Any, Any]:
    """`domains` and `dataProducts` of an entity type; assign them in this order."""
    return (
        relation(
            "domains",
            lambda r: refs_of(r.domains),
            list[EntityRef],
            f"Domains the {noun} belongs to (the catalog allows at most one by default).",
        ),
        relation(
            "dataProducts",
            lambda r: refs_of(r.data_products),
            list[EntityRef],
            f"Data products the {noun} is part of.",
        ),
    )
