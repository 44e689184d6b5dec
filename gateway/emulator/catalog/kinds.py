"""What distinguishes one entity type from another: fields, create body, naming, PUT rules.

Each served entity type is an `EntityKind` subclass; everything generic (storing,
rendering, paging, versions, follow/vote) is written once against this interface.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gateway.emulator.catalog import fqn
from gateway.emulator.catalog.changes import Change
from gateway.emulator.catalog.policies import CREATE, EDIT_ALL, Subject
from gateway.emulator.catalog.resolve import Resolver
from gateway.emulator.catalog.rows import Entity
from gateway.emulator.catalog.shapes import ENTITY_REFERENCE
from gateway.emulator.catalog.store import Store
from gateway.emulator.catalog.validation import Check, Prop, array, obj

if TYPE_CHECKING:
    from gateway.emulator.catalog.render import Renderer

# Relationship fields and the relation that fills them (from the other entity to this one).
RELATIONS: dict[str, str] = {
    "owners": "owns",
    "followers": "follows",
    "domains": "domain",
    "dataProducts": "dataProduct",
    "teams": "team",
    "roles": "role",
    "reviewers": "reviews",
}
VOTE_RELATIONS = ("votedUp", "votedDown")
# Relationship fields of every data asset, returned only when named in `fields`.
ASSET_OPTIONAL = frozenset(
    {
        "owners",
        "followers",
        "votes",
        "tags",
        "domains",
        "dataProducts",
        "extension",
        "usageSummary",
        "certification",
        "dataContract",
    }
)
# Path under /api/v1 of each entity type that references can point at.
COLLECTIONS: dict[str, str] = {
    "mlmodel": "mlmodels",
    "table": "tables",
    "database": "databases",
    "databaseSchema": "databaseSchemas",
    "mlmodelService": "services/mlmodelServices",
    "databaseService": "services/databaseServices",
    "user": "users",
    "team": "teams",
    "role": "roles",
    "policy": "policies",
    "domain": "domains",
    "dataProduct": "dataProducts",
    "dashboard": "dashboards",
    "classification": "classifications",
    "tag": "tags",
    "glossaryTerm": "glossaryTerms",
}


def merge_tags(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """PUT adds tags, never removes them."""
    known = {label["tagFQN"] for label in old}
    return [*old, *(label for label in new if label["tagFQN"] not in known)]


@dataclass(slots=True)
class Draft:
    """A create request checked against the store, ready to be stored or merged."""

    name: str
    fqn: str
    doc: dict[str, Any]
    service: str | None = None
    database: str | None = None
    schema: str | None = None
    links: dict[str, list[str]] = field(default_factory=dict)


class EntityKind:
    """One entity type. Subclasses set the class attributes and `locate`."""

    type: str
    collection: str
    # Top-level properties of the entity's JSON schema: the legal names in `fields`.
    properties: tuple[str, ...]
    # The create request's properties (`CreateX` schema).
    create_props: dict[str, Prop]
    # Create-request properties a PUT replaces (and clears when left out).
    plain: tuple[str, ...]
    # Properties returned only when named in `fields`.
    optional: frozenset[str] = ASSET_OPTIONAL
    # Request properties stored as relationships; a PUT replaces them only when non-empty.
    links: tuple[str, ...] = ("owners", "domains", "dataProducts")
    # Document keys holding `{id, type}` references expanded when rendered.
    refs: tuple[str, ...] = ()
    # The column that names this entity in its descendants' rows (containers only).
    container: str | None = None
    # The types of those descendants, when the column may also name other types' rows.
    descendant_types: tuple[str, ...] | None = None
    # `(field, child type)` listing live children when requested, e.g. a schema's tables.
    children: tuple[str, str] | None = None
    # Requested-but-unknown list fields that come back empty (no such data here).
    empty_lists: frozenset[str] = frozenset()
    # Properties whose change is breaking (next major version).
    major: frozenset[str] = frozenset()
    # List query parameters filtering on an ancestor column (`service` -> `service_fqn`).
    list_params: Mapping[str, str] = {}
    versioned = True
    followable = False
    bulk = True
    has_status = True
    # `/name/{name}` takes the plain name (services, users), not an FQN.
    lookup_by_plain_name = False
    # Whether the type takes PATCH (see `patching`).
    patchable = False

    def __init__(self) -> None:
        self.create: Check = obj(self.create_props)
        # What a PATCH may change: the rest of the entity is restored as it was.
        self.editable: tuple[str, ...] = tuple(
            key for key in (*self.plain, "tags", "extension", *self.links) if key in self.properties
        )
        self.patch_check: Check | None = None
        if self.patchable:
            props = {**self.create_props, **self.patch_props()}
            self.patch_check = obj({key: props[key] for key in self.editable})

    @property
    def path(self) -> str:
        return f"/api/v1/{self.collection}"

    @property
    def snapshot_fields(self) -> frozenset[str]:
        """What version snapshots carry besides the stored properties."""
        excluded = {self.children[0]} if self.children else set()
        return self.optional - excluded

    @property
    def patch_fields(self) -> frozenset[str]:
        """What the full copy of an entity that a PATCH applies to holds besides the stored
        properties: every relationship field, an empty one as `[]`."""
        return self.snapshot_fields

    def patch_props(self) -> dict[str, Prop]:
        """Checks of the editable properties whose entity form differs from the create
        request's: domains and data products are references there, not names."""
        return {
            "domains": Prop(array(ENTITY_REFERENCE)),
            "dataProducts": Prop(array(ENTITY_REFERENCE)),
        }

    def patch_copy(self, body: dict[str, Any]) -> None:
        """Give the full copy's nested tag lists as `[]` when empty, so `/-` appends work."""

    def patched(self, doc: dict[str, Any], entity_fqn: str, resolver: Resolver) -> None:
        """Check and derive the nested parts of a patched document (FQNs, tag labels,
        references), as a create does."""

    def locate(self, body: dict[str, Any], resolver: Resolver) -> Draft:
        """Name the new entity and resolve its container (service, database, schema)."""
        raise NotImplementedError

    def complete(self, draft: Draft, resolver: Resolver) -> None:
        """Derive computed parts of the document (nested FQNs, resolved references)."""

    def merge(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        """Type-specific PUT merging of the new document with the stored one."""

    def diff(self, old: dict[str, Any], new: dict[str, Any], change: Change) -> None:
        for key in self.plain:
            before, after = old.get(key), new.get(key)
            if before != after:
                change.compare(key, before, after)
                if key in self.major:
                    change.major = True

    def shape(self, out: dict[str, Any], fields: frozenset[str], renderer: Renderer) -> None:
        """Type-specific touches to a rendered entity (hidden connection, column tags)."""

    def where(self, params: Mapping[str, str]) -> dict[str, Any]:
        """The store filter for a list request's query parameters."""
        where: dict[str, Any] = {}
        for param, column in self.list_params.items():
            value = params.get(param)
            if value:
                # `service` filters take a service name; the others take an FQN.
                where[column] = fqn.quote(value) if column == "service_fqn" else value
        return where

    def conflicts(self, store: Store, draft: Draft, entity_id: str | None) -> bool:
        """Whether a draft clashes with another stored entity beyond its FQN."""
        return False

    def on_saved(self, store: Store, entity: Entity) -> None:
        """Keep what mirrors the entity in step after a write (a tag's label index)."""

    def on_created(self, store: Store, entity: Entity) -> None:
        """Side effects of creating the entity (an ML model's feature-source lineage)."""

    def on_removed(self, store: Store, entity: Entity) -> None:
        """Drop what mirrors the entity after a hard delete."""

    # authorization (see `policies`)

    def owners_of(self, store: Store, entity: Entity) -> list[str]:
        """The ids `isOwner()` / `noOwner()` look at: the entity's own owners (the emulator
        does not inherit owners from containers)."""
        return store.sources(entity.id, RELATIONS["owners"])

    def authorize_create(self, subject: Subject, draft: Draft) -> None:
        subject.authorize(self.type, (CREATE,), ())

    def authorize_update(self, subject: Subject, draft: Draft, owners: list[str]) -> None:
        subject.authorize(self.type, (EDIT_ALL,), owners)

    def prepare(self, body: dict[str, Any], resolver: Resolver) -> Draft:
        draft = self.locate(body, resolver)
        for key in self.plain:
            value = body.get(key)
            if value is not None:
                draft.doc[key] = value
        self.complete(draft, resolver)
        if body.get("tags"):
            draft.doc["tags"] = resolver.tags(body["tags"])
        if body.get("extension"):
            draft.doc["extension"] = resolver.extension(self.type, body["extension"])
        if "owners" in self.links:
            draft.links["owners"] = resolver.owners(body.get("owners"))
        if "domains" in self.links:
            draft.links["domains"] = resolver.domains(body.get("domains"))
        if "dataProducts" in self.links:
            draft.links["dataProducts"] = resolver.data_products(
                body.get("dataProducts"), body.get("domains")
            )
        if "reviewers" in self.links:
            draft.links["reviewers"] = resolver.reviewers(body.get("reviewers"))
        if self.has_status:
            draft.doc["entityStatus"] = "Unprocessed"
        return draft
