"""`User`: built from a reference for free; other fields load the user once, on first use."""

from __future__ import annotations

import strawberry

from gateway.domain.context import Info
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
    def from_record(cls, r: UserRecord) -> User:
        return cls(
            id=strawberry.ID(r.id),
            name=r.name,
            fully_qualified_name=r.fully_qualified_name,
            display_name=r.display_name,
            deleted=r.deleted,
            record=r,
        )

    @classmethod
    def fetch_reference(cls, info: Info, **key: object) -> ReferenceFetch[UserRecord, User]:
        """An `_entities` representation, by `id`, via the loaders."""
        id = key_value(key, "id")
        if id is None:
            raise missing_key("User", "id")
        return ReferenceFetch(info.context.loaders.user_by_id.load(check_uuid(id)), cls.from_record)

    @classmethod
    async def resolve_reference(cls, info: Info, **key: object) -> User | None:
        return await cls.fetch_reference(info, **key).result()

    async def _full(self, info: Info) -> UserRecord | None:
        if self.record is None:
            self.record = await info.context.loaders.user_by_id.load(str(self.id))
        return self.record

    # Tagged so a contract variant of a supergraph can leave personal data out.
    @strawberry.federation.field(description="Email address.", tags=["pii"])
    async def email(self, info: Info) -> str | None:
        full = await self._full(info)
        return full.email if full else None

    @strawberry.field(description="About the user (Markdown).")
    async def description(self, info: Info) -> str | None:
        full = await self._full(info)
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
