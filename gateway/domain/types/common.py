"""Small types shared by the entity types: tags, page info, enums, time conversion."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Literal, TypeAlias, TypeVar

import strawberry

from gateway.domain.types.enums import (
    UNKNOWN_IS_NULL,
    CatalogValues,
    TagLabelType,
    TagSource,
    TagState,
    described,
)
from gateway.upstream.records import EntityReferenceRecord, TagLabelRecord

T = TypeVar("T")

# A resolver's answer: the value itself when the parent's record already holds it, else an
# awaitable that loads it first. A plain value costs graphql-core no coroutine and no task
# per field (an async resolver costs both), which matters in lists of hundreds of items;
# such resolvers are sync and name their GraphQL type with `graphql_type=`.
Deferred: TypeAlias = T | Awaitable[T]


async def settled(value: Deferred[T]) -> T:
    """The value of a `Deferred`, awaiting it if it is not there yet."""
    if inspect.isawaitable(value):
        return await value
    return value


@strawberry.enum(description="Which entities a lookup or list sees, by soft-deletion state.")
class Include(Enum):
    _value_: Literal["non-deleted", "deleted", "all"]  # the catalog's `include=`, for mypy
    NON_DELETED = described("non-deleted", "Only live entities: not soft-deleted (the default).")
    DELETED = described("deleted", "Only soft-deleted entities: deleted, but restorable.")
    ALL = described("all", "Live and soft-deleted entities alike.")


@strawberry.enum(description="The kind of a catalog service.")
class ServiceKind(Enum):
    _value_: Literal["mlmodel", "database"]  # the catalog's service kinds, for mypy
    ML_MODEL = described(
        "mlmodel",
        "An ML model service, e.g. an MLflow tracking server or SageMaker: where ML models "
        "are registered.",
    )
    DATABASE = described(
        "database",
        "A database service, e.g. a Postgres server or a BigQuery project: where databases, "
        "schemas and tables come from.",
    )


@strawberry.enum(description="A vote on an entity.")
class VoteType(Enum):
    _value_: Literal["votedUp", "votedDown", "unVoted"]  # the catalog's votes, for mypy
    UP = described("votedUp", "An up vote.")
    DOWN = described("votedDown", "A down vote.")
    NONE = described(
        "unVoted",
        "No vote: in an answer, the caller has not voted; given to `vote`, withdraws the "
        "caller's vote.",
    )


@strawberry.type(description="A classification tag or glossary term attached to an entity.")
class Tag:
    tag_fqn: str = strawberry.field(
        name="tagFQN", description="Fully qualified name of the tag, e.g. `PII.Sensitive`."
    )
    name: str | None = strawberry.field(description="Short name of the tag.")
    display_name: str | None = strawberry.field(description="Human-readable name.")
    description: str | None = strawberry.field(description="What the tag means (Markdown).")
    source: TagSource | None = strawberry.field(
        description="Classification tag or glossary term." + UNKNOWN_IS_NULL
    )
    label_type: TagLabelType | None = strawberry.field(
        description="How the tag was applied (by a person, a tool, lineage...)." + UNKNOWN_IS_NULL
    )
    state: TagState | None = strawberry.field(
        description="Whether the tag is confirmed or only suggested." + UNKNOWN_IS_NULL
    )

    @classmethod
    def from_record(cls, r: TagLabelRecord) -> Tag:
        return cls(
            tag_fqn=r.tag_fqn,
            name=r.name,
            display_name=r.display_name,
            description=r.description,
            source=_TAG_SOURCE(r.source),
            label_type=_TAG_LABEL_TYPE(r.label_type),
            state=_TAG_STATE(r.state),
        )


_TAG_SOURCE = CatalogValues(TagSource, "Tag.source")
_TAG_LABEL_TYPE = CatalogValues(TagLabelType, "Tag.labelType")
_TAG_STATE = CatalogValues(TagState, "Tag.state")


def tags_of(records: list[TagLabelRecord] | None) -> list[Tag]:
    return [Tag.from_record(t) for t in records or ()]


# Every Relay subgraph defines PageInfo; shareable lets a supergraph resolve it from any.
@strawberry.federation.type(shareable=True, description="Relay page information.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether a page follows this one.")
    has_previous_page: bool = strawberry.field(description="Whether a page precedes this one.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first item.")
    end_cursor: str | None = strawberry.field(description="Cursor of the last item.")


def from_epoch_ms(value: int | None) -> datetime | None:
    if value is None:
        return None
    return datetime.fromtimestamp(value / 1000, tz=UTC)


def record_updated_at(root: Any) -> datetime | None:
    """`updatedAt` of an entity type that holds its catalog record as `record`, made when
    asked for (a resolver, so pages that do not select it build no `datetime`)."""
    return from_epoch_ms(root.record.updated_at)


def from_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@strawberry.type(description="A reference to another catalog entity (database, schema, ...).")
class EntityRef:
    id: strawberry.ID = strawberry.field(description="Catalog id (UUID).")
    type: str = strawberry.field(description="Entity type, e.g. `database`, `databaseSchema`.")
    name: str | None = strawberry.field(description="Name.")
    fully_qualified_name: str | None = strawberry.field(description="Fully qualified name.")
    display_name: str | None = strawberry.field(description="Human-readable name.")

    @classmethod
    def from_record(cls, r: EntityReferenceRecord) -> EntityRef:
        return cls(
            id=strawberry.ID(r.id),
            type=r.type,
            name=r.name,
            fully_qualified_name=r.fully_qualified_name,
            display_name=r.display_name,
        )
