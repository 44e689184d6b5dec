"""The catalog's write rules: create, PUT upsert and merge, bulk, delete, restore, follow, vote.

Every write runs inside one `db.transaction()` and, for versioned types, stores a
snapshot of the version it produced, so `/versions` can answer from stored documents.

Each write is authorized as the upstream does it (contract SEARCH_LINEAGE_AUTHZ §3.3),
after the body is validated and its references resolved: POST and a PUT that creates
check `Create`; a PUT on an existing entity and restore check `EditAll` against its
owners; DELETE checks `Delete`; PUT /bulk checks each item the same way and reports a
refused one as a 403 item. Follow and unfollow check nothing (not even who the caller
is); vote checks nothing but needs the caller as a live user. PATCH (`patching`) checks
the operation each of its paths needs.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gateway.emulator.catalog.changes import FIRST_VERSION, Change, next_version
from gateway.emulator.catalog.errors import (
    CatalogError,
    already_exists,
    bad_request,
    invalid_format,
    not_found,
)
from gateway.emulator.catalog.fqn import quote
from gateway.emulator.catalog.kinds import (
    RELATIONS,
    VOTE_RELATIONS,
    Draft,
    EntityKind,
    merge_tags,
)
from gateway.emulator.catalog.policies import DELETE, EDIT_ALL, Subject
from gateway.emulator.catalog.query import deleted_filter
from gateway.emulator.catalog.render import Renderer
from gateway.emulator.catalog.resolve import Resolver, reference
from gateway.emulator.catalog.rows import Entity
from gateway.emulator.catalog.store import Store
from gateway.emulator.catalog.validation import (
    MappingError,
    Prop,
    enum,
    obj,
    parse_uuid,
    uuid_text,
    validate,
)

RESTORE_REQUEST = obj({"id": Prop(uuid_text(), required=True)})
VOTE_REQUEST = obj(
    {"updatedVoteType": Prop(enum(("votedUp", "votedDown", "unVoted")), default="unVoted")}
)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who writes and when: the authenticated principal's user record, its permissions and
    the clock (`user_id` is empty for a principal with no live user)."""

    name: str
    user_id: str
    now: int
    subject: Subject
    is_admin: bool = False
    is_bot: bool = False


@dataclass(frozen=True, slots=True)
class State:
    """An entity as a write compares it: its stored document, the ids of its relationship
    fields, whether it is deleted, and who wrote it when."""

    doc: dict[str, Any]
    links: dict[str, list[str]]
    deleted: bool
    updated_at: int
    updated_by: str

    def dump(self) -> dict[str, Any]:
        return {
            "doc": self.doc,
            "links": self.links,
            "deleted": self.deleted,
            "updatedAt": self.updated_at,
            "updatedBy": self.updated_by,
        }

    @classmethod
    def load(cls, data: dict[str, Any]) -> State:
        return cls(
            data["doc"], data["links"], data["deleted"], data["updatedAt"], data["updatedBy"]
        )


def include_matches(entity: Entity, include: str) -> bool:
    wanted = deleted_filter(include)
    return wanted is None or entity.deleted == wanted


class Repository:
    """Business rules over the store, shared by the HTTP handlers and the seed."""

    def __init__(self, store: Store, kinds: Sequence[EntityKind]) -> None:
        self.store = store
        self.db = store.db
        self.resolver = Resolver(store)
        self.kinds = {kind.type: kind for kind in kinds}

    # reads

    def find(self, kind: EntityKind, entity_id: str, include: str = "non-deleted") -> Entity:
        entity = self.store.get(entity_id)
        if entity is None or entity.type != kind.type or not include_matches(entity, include):
            raise not_found(kind.type, entity_id)
        return entity

    def find_by_fqn(self, kind: EntityKind, fqn: str, include: str = "non-deleted") -> Entity:
        entity = self.store.get_by_fqn(kind.type, fqn)
        if entity is None or not include_matches(entity, include):
            raise not_found(kind.type, fqn)
        return entity

    # create / upsert

    def create(self, kind: EntityKind, body: Any, actor: Actor) -> Entity:
        draft = kind.prepare(validate(kind.create, body), self.resolver)
        kind.authorize_create(actor.subject, draft)
        if self.store.get_by_fqn(kind.type, draft.fqn) is not None or kind.conflicts(
            self.store, draft, None
        ):
            raise already_exists()
        return self.insert(kind, draft, actor)

    def upsert(self, kind: EntityKind, body: Any, actor: Actor) -> tuple[Entity, str]:
        """Create or update by FQN; the change type is the `X-OpenMetadata-Change` header."""
        draft = kind.prepare(validate(kind.create, body), self.resolver)
        self.authorize_put(kind, draft, actor.subject)
        return self.put(kind, draft, actor)

    def authorize_put(self, kind: EntityKind, draft: Draft, subject: Subject) -> None:
        """`Create` when the PUT creates, else `EditAll` on the stored entity."""
        old = self.store.get_by_fqn(kind.type, draft.fqn)
        if old is None:
            kind.authorize_create(subject, draft)
        else:
            kind.authorize_update(subject, draft, kind.owners_of(self.store, old))

    def put(self, kind: EntityKind, draft: Draft, actor: Actor) -> tuple[Entity, str]:
        old = self.store.get_by_fqn(kind.type, draft.fqn)
        if kind.conflicts(self.store, draft, None if old is None else old.id):
            raise already_exists()
        if old is None:
            return self.insert(kind, draft, actor), "entityCreated"
        return self._update(kind, old, draft, actor)

    def insert(
        self, kind: EntityKind, draft: Draft, actor: Actor, entity_id: str | None = None
    ) -> Entity:
        """Store a new entity at version 0.1 (with a fixed id when seeding)."""
        entity = Entity(
            id=entity_id or str(uuid.uuid4()),
            type=kind.type,
            name=draft.name,
            fqn=draft.fqn,
            service=draft.service,
            database=draft.database,
            schema=draft.schema,
            deleted=False,
            version=FIRST_VERSION,
            updated_at=actor.now,
            updated_by=actor.name,
            doc=draft.doc,
        )
        with self.db.transaction():
            self.store.save(entity)
            for field, ids in draft.links.items():
                self.store.relink(entity.id, RELATIONS[field], ids)
            kind.on_saved(self.store, entity)
            kind.on_created(self.store, entity)
            self.snapshot(kind, entity)
        return entity

    def _update(
        self, kind: EntityKind, old: Entity, draft: Draft, actor: Actor
    ) -> tuple[Entity, str]:
        doc = dict(old.doc)
        for key in kind.plain:
            if actor.is_bot and key == "description" and old.doc.get(key):
                continue
            if key in draft.doc:
                doc[key] = draft.doc[key]
            else:
                doc.pop(key, None)
        kind.merge(old.doc, doc)
        tags = merge_tags(old.doc.get("tags", []), draft.doc.get("tags", []))
        if tags:
            # The merged labels must not hold two of a mutually exclusive classification.
            self.resolver.check_exclusive(tags)
            doc["tags"] = tags
        if "extension" in draft.doc and not (actor.is_bot and "extension" in old.doc):
            doc["extension"] = draft.doc["extension"]
        change = Change()
        kind.diff(old.doc, doc, change)
        change.compare_items(
            "tags", old.doc.get("tags", []), doc.get("tags", []), key=lambda t: t["tagFQN"]
        )
        change.compare("extension", old.doc.get("extension"), doc.get("extension"))
        links: dict[str, list[str]] = {}
        for field in kind.links:
            ids = draft.links.get(field)
            if not ids:
                continue
            current = self.store.sources(old.id, RELATIONS[field])
            if actor.is_bot and field == "domains" and current:
                continue
            if set(ids) != set(current):
                refs = self.store.refs([*ids, *current])
                change.compare_items(
                    field,
                    [refs[i].to_json() for i in current],
                    [refs[i].to_json() for i in ids],
                    key=lambda r: r["id"],
                )
                links[field] = ids
        if old.deleted:
            change.updated.append({"name": "deleted", "oldValue": True, "newValue": False})
        if not change:
            return old, "entityNoChange"
        doc["changeDescription"] = change.describe(old.version)
        doc.pop("incrementalChangeDescription", None)
        entity = dataclasses.replace(
            old,
            doc=doc,
            deleted=False,
            version=next_version(old.version, change.major),
            updated_at=actor.now,
            updated_by=actor.name,
        )
        with self.db.transaction():
            self.store.save(entity)
            for field, ids in links.items():
                self.store.relink(entity.id, RELATIONS[field], ids)
            kind.on_saved(self.store, entity)
            self.snapshot(kind, entity)
        return entity, "entityUpdated"

    def bulk(
        self, kind: EntityKind, items: Any, actor: Actor, *, run_async: bool
    ) -> dict[str, Any]:
        """A BulkOperationResult; items failing validation are reported, the rest written."""
        if not isinstance(items, list):
            raise invalid_format()
        actor.subject.require_user()
        drafts: list[Draft] = []
        failed: list[dict[str, Any]] = []
        for item in items:
            try:
                draft = kind.prepare(validate(kind.create, item), self.resolver)
            except CatalogError as exc:
                failed.append({"request": item, "message": exc.message, "status": 400})
                continue
            try:
                self.authorize_put(kind, draft, actor.subject)
            except CatalogError as exc:
                failed.append(
                    {"request": item, "message": f"Permission denied: {exc.message}", "status": 403}
                )
                continue
            drafts.append(draft)
        passed: list[dict[str, Any]] = []
        for draft in drafts:
            try:
                self.put(kind, draft, actor)
            except CatalogError as exc:
                code = 500 if exc.status >= 500 else 400
                failed.append({"request": draft.fqn, "message": exc.message, "status": code})
            else:
                passed.append({"request": draft.fqn, "status": 200})
        if run_async:
            # The upstream answers before writing: nothing has passed yet.
            passed = []
        if not failed:
            status = "success"
        elif passed or (run_async and drafts):
            status = "partialSuccess"
        else:
            status = "failure"
        return {
            "status": status,
            "numberOfRowsProcessed": len(items),
            "numberOfRowsPassed": len(passed),
            "numberOfRowsFailed": len(failed),
            "successRequest": passed,
            "failedRequest": failed,
        }

    # delete / restore

    def delete(
        self, kind: EntityKind, entity: Entity, actor: Actor, *, hard: bool, recursive: bool
    ) -> tuple[Entity, str]:
        actor.subject.authorize(kind.type, (DELETE,), kind.owners_of(self.store, entity))
        live: list[Entity] = []
        if kind.container is not None:
            live = self._descendants(kind, entity, deleted=False)
            if live and not recursive:
                raise bad_request(f"{kind.type} is not empty")
        with self.db.transaction():
            if hard:
                if kind.container is not None:
                    for child in self._descendants(kind, entity):
                        self._remove(child)
                self._remove(entity)
                return entity, "entityDeleted"
            for child in live:
                self._set_deleted(child, True, actor)
            if entity.deleted:
                return entity, "entitySoftDeleted"
            return self._set_deleted(entity, True, actor), "entitySoftDeleted"

    def restore(self, kind: EntityKind, body: Any, actor: Actor) -> Entity:
        entity_id = validate(RESTORE_REQUEST, body)["id"]
        actor.subject.require_user()
        entity = self.find(kind, entity_id, "all")
        actor.subject.authorize(kind.type, (EDIT_ALL,), kind.owners_of(self.store, entity))
        if not entity.deleted:
            # The upstream fails here with an unhandled error rather than a 4xx.
            raise CatalogError(500, f"{kind.type} instance for {entity_id} is not deleted")
        with self.db.transaction():
            restored = self._set_deleted(entity, False, actor)
            if kind.container is not None:
                for child in self._descendants(kind, entity, deleted=True):
                    self._set_deleted(child, False, actor)
        return restored

    def _descendants(
        self, kind: EntityKind, entity: Entity, deleted: bool | None = None
    ) -> list[Entity]:
        assert kind.container is not None
        return self.store.descendants(
            kind.container, entity.fqn, deleted=deleted, types=kind.descendant_types
        )

    def _remove(self, entity: Entity) -> None:
        self.store.remove(entity.id)
        kind = self.kinds.get(entity.type)
        if kind is not None:
            kind.on_removed(self.store, entity)

    def _set_deleted(self, entity: Entity, deleted: bool, actor: Actor) -> Entity:
        change = Change(updated=[{"name": "deleted", "oldValue": not deleted, "newValue": deleted}])
        doc = {**entity.doc, "changeDescription": change.describe(entity.version)}
        doc.pop("incrementalChangeDescription", None)
        updated = dataclasses.replace(
            entity,
            deleted=deleted,
            version=next_version(entity.version, False),
            updated_at=actor.now,
            updated_by=actor.name,
            doc=doc,
        )
        self.store.save(updated)
        kind = self.kinds[entity.type]
        kind.on_saved(self.store, updated)
        self.snapshot(kind, updated)
        return updated

    # followers and votes (no new version)

    def follow(
        self, kind: EntityKind, entity_id: str, body: Any, actor: Actor
    ) -> tuple[Entity, Change]:
        try:
            user_id = parse_uuid(body)
        except MappingError as exc:
            raise invalid_format() from exc
        entity = self.find(kind, entity_id)
        user = self.resolver.entity("user", user_id)
        if user.deleted:
            raise bad_request(f"User {user_id} is deleted")
        self.store.link(user.id, entity.id, "follows")
        return entity, Change(added=[{"name": "followers", "newValue": [reference(user)]}])

    def unfollow(
        self, kind: EntityKind, entity_id: str, user_id: str, actor: Actor
    ) -> tuple[Entity, Change]:
        entity = self.find(kind, entity_id)
        user = self.resolver.entity("user", user_id)
        if user.deleted:
            raise not_found("user", user_id)
        self.store.unlink(user.id, entity.id, ("follows",))
        return entity, Change(deleted=[{"name": "followers", "oldValue": [reference(user)]}])

    def vote(
        self, kind: EntityKind, entity_id: str, body: Any, actor: Actor
    ) -> tuple[Entity, Change]:
        vote = validate(VOTE_REQUEST, body)["updatedVoteType"]
        entity = self.find(kind, entity_id)
        if not actor.subject.known:
            # The voter is looked up by name: none is a 404, a soft-deleted one a 400.
            voter = self.store.get_by_fqn("user", quote(actor.name))
            if voter is None or not voter.deleted:
                raise not_found("user", actor.name)
            raise bad_request(f"User {voter.id} is deleted")
        with self.db.transaction():
            self.store.unlink(actor.user_id, entity.id, VOTE_RELATIONS)
            if vote != "unVoted":
                self.store.link(actor.user_id, entity.id, vote)
        return entity, Change(updated=[{"name": "votes", "newValue": vote}])

    # versions

    def snapshot(self, kind: EntityKind, entity: Entity) -> None:
        if kind.versioned:
            doc = Renderer(self.store, None).entity(kind, entity, kind.snapshot_fields)
            self.store.save_version(entity.id, entity.version, doc)
            if kind.patchable:
                self.store.save_state(entity.id, entity.version, self.state(kind, entity).dump())

    def state(self, kind: EntityKind, entity: Entity) -> State:
        """What the entity is made of as stored: its document and relationship ids."""
        links = {field: self.store.sources(entity.id, RELATIONS[field]) for field in kind.links}
        return State(entity.doc, links, entity.deleted, entity.updated_at, entity.updated_by)
