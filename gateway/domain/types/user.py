"""`User`: built from a reference for free; other fields load the user once, on first use."""

from __future__ import annotations

import strawberry

from gateway.domain.context import Info
from gateway.domain.loaders import NO_FIELDS, USER_DESCRIPTION
from gateway.domain.selection import USER_FIELDS, upstream_fields
from gateway.domain.types.keys import ReferenceFetch, key_value, missing_key
from gateway.domain.validation import check_uuid
from gateway.upstream.records import EntityReferenceRecord, UserRecord


@strawberry.interface(description="Who can own an entity: a user or a (Group) team.")
class Owner:
    id: strawberry.ID = strawberry.field(description="Catalog id (UUID).")
    name: str = strawberry.field(description="Login or team name, unique.")
    fully_qualified_name: str | None = strawberry.field(
        default=None, description="Fully qualified name (the name, quoted if it contains a dot)."
    )
    display_name: str | None = strawberry.field(default=None, description="Human-readable name.")


@strawberry.federation.type(keys=["id"], description="A person or bot known to the catalog.")
class User(Owner):
    deleted: bool | None = strawberry.field(default=None, description="Whether soft-deleted.")
    record: strawberry.Private[UserRecord | None] = None
    # Whether `record` is the catalog's whole answer (description included); a loader's
    # may come from the search index, which may not hold the description.
    whole: strawberry.Private[bool] = False

    @classmethod
    def from_reference(cls, ref: EntityReferenceRecord) -> User:
        return cls(
            id=strawberry.ID(ref.id),
            name=ref.name or "",
            fully_qualified_name=ref.fully_qualified_name,
            display_name=ref.display_name,
            deleted=ref.deleted,
        )

    @classmethod
    def from_record(cls, r: UserRecord, *, whole: bool = True) -> User:
        return cls(
            id=strawberry.ID(r.id),
            name=r.name,
            fully_qualified_name=r.fully_qualified_name,
            display_name=r.display_name,
            deleted=r.deleted,
            record=r,
            whole=whole,
        )

    @classmethod
    def from_loaded(cls, r: UserRecord) -> User:
        """From `user_by_id`'s record (perhaps the search index's)."""
        return cls.from_record(r, whole=False)

    @classmethod
    def fetch_reference(cls, info: Info, **key: object) -> ReferenceFetch[UserRecord, User]:
        """An `_entities` representation, by `id`, via the loaders."""
        id = key_value(key, "id")
        if id is None:
            raise missing_key("User", "id")
        fields = upstream_fields(info, USER_FIELDS)
        pending = info.context.loaders.user_by_id.load((check_uuid(id), fields))
        return ReferenceFetch(pending, cls.from_loaded)

    @classmethod
    async def resolve_reference(cls, info: Info, **key: object) -> User | None:
        return await cls.fetch_reference(info, **key).result()

    async def _full(self, info: Info) -> UserRecord | None:
        if self.record is None:
            self.record = await info.context.loaders.user_by_id.load((str(self.id), NO_FIELDS))
        return self.record

    # Tagged so a contract variant of a supergraph can leave personal data out.
    @strawberry.federation.field(description="Email address.", tags=["pii"])
    async def email(self, info: Info) -> str | None:
        full = await self._full(info)
        return full.email if full else None

    @strawberry.field(description="About the user (Markdown).")
    async def description(self, info: Info) -> str | None:
        if self.record is not None and self.whole:
            return self.record.description
        # Its own key: a user read from the search index may not hold the description.
        full = await info.context.loaders.user_by_id.load((str(self.id), USER_DESCRIPTION))
        return full.description if full else None

    @strawberry.field(description="Whether the user is a catalog administrator.")
    async def is_admin(self, info: Info) -> bool | None:
        full = await self._full(info)
        return full.is_admin if full else None

    @strawberry.field(description="Whether the user is a bot.")
    async def is_bot(self, info: Info) -> bool | None:
        full = await self._full(info)
        return full.is_bot if full else None


def users_of(refs: list[EntityReferenceRecord] | None) -> list[User]:
    return [User.from_reference(r) for r in refs or () if r.type == "user"]


@strawberry.type(description="A team of the catalog (only Group teams may own entities).")
class Team(Owner):
    @classmethod
    def from_reference(cls, ref: EntityReferenceRecord) -> Team:
        return cls(
            id=strawberry.ID(ref.id),
            name=ref.name or "",
            fully_qualified_name=ref.fully_qualified_name,
            display_name=ref.display_name,
        )


def owners_of(refs: list[EntityReferenceRecord] | None) -> list[Owner]:
    """Owners as users and teams, in the catalog's order."""
    return [
        User.from_reference(r) if r.type == "user" else Team.from_reference(r)
        for r in refs or ()
        if r.type in ("user", "team")
    ]
