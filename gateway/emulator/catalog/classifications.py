"""Classifications and their tags (`/api/v1/classifications`, `/api/v1/tags`).

Shapes follow OpenMetadata 1.13's JSON schemas `entity/classification/classification.json`,
`entity/classification/tag.json`, `api/classification/createClassification.json` and
`api/classification/createTag.json`, as published in open-metadata/OpenMetadataStandards
(`schemas/`, commit 6ef4ca6, "Sync schemas and RDF to OpenMetadata 1.13").

- A classification is named by its name (`PII`); its tags by `<classification>.<tag>`, or
  `<parent tag>.<tag>` for a tag nested under another (`parent` in the create request).
  A tag row keeps its classification's FQN in `schema_fqn` and its parent tag's, if any, in
  `database_fqn`: a classification's `termCount` counts the first, a tag's `children` lists
  the second, and deleting either cascades along them (to tags only).
- Creating either needs `Create` (admins only under the default policies); a tag under an
  unknown classification or parent tag is a 404, an FQN that exists a 409.
- `mutuallyExclusive` on a classification (or a parent tag) means an entity may carry at
  most one of its tags: `Tier`, `PII` and `Certification` are seeded so.
- Every live classification tag is also in the store's label index (`catalog_tag`), which
  is what tag labels on data assets are checked against and rendered from.
- `usageCount` (how many assets carry the tags) is not computed: asked for, it is left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gateway.emulator.catalog import fqn
from gateway.emulator.catalog.cache import children_key
from gateway.emulator.catalog.databases import ref_of
from gateway.emulator.catalog.errors import violations
from gateway.emulator.catalog.kinds import Draft, EntityKind
from gateway.emulator.catalog.render import Renderer
from gateway.emulator.catalog.resolve import Resolver
from gateway.emulator.catalog.rows import Entity, Tag
from gateway.emulator.catalog.shapes import OWNERS
from gateway.emulator.catalog.store import FQN_PREFIX, Store
from gateway.emulator.catalog.validation import (
    Check,
    Prop,
    array,
    boolean,
    entity_name,
    enum,
    fqn_text,
    integer,
    json_object,
    obj,
    text,
)

PROVIDERS = ("system", "user", "automation")
STYLE = obj({"color": Prop(text()), "iconURL": Prop(text()), "coverImage": Prop(json_object())})


def percent() -> Check:
    """An integer from 0 to 100 (`autoClassificationPriority`)."""
    whole = integer()

    def check(value: Any, path: str, errors: list[str]) -> Any:
        number = whole(value, path, errors)
        if number < 0:
            errors.append(f"{path} must be greater than or equal to 0")
        elif number > 100:
            errors.append(f"{path} must be less than or equal to 100")
        return number

    return check


class ClassificationKind(EntityKind):
    type = "classification"
    collection = "classifications"
    properties = (
        "id", "name", "fullyQualifiedName", "displayName", "description", "version", "termCount",
        "updatedAt", "updatedBy", "impersonatedBy", "href", "usageCount", "changeDescription",
        "incrementalChangeDescription", "deleted", "provider", "disabled", "mutuallyExclusive",
        "domains", "owners", "reviewers", "entityStatus", "autoClassificationConfig",
    )  # fmt: skip
    create_props = {
        "name": Prop(entity_name(), required=True),
        "displayName": Prop(text()),
        "description": Prop(text(), required=True),
        "provider": Prop(enum(PROVIDERS), default="user"),
        "mutuallyExclusive": Prop(boolean(), default=False),
        "domains": Prop(array(text())),
        "owners": Prop(OWNERS),
        "reviewers": Prop(OWNERS),
        "autoClassificationConfig": Prop(json_object()),
    }
    plain = (
        "displayName", "description", "provider", "mutuallyExclusive", "autoClassificationConfig",
    )  # fmt: skip
    optional = frozenset({"owners", "reviewers", "usageCount", "termCount", "domains"})
    links = ("owners", "domains", "reviewers")
    container = "schema_fqn"
    descendant_types = ("tag",)
    bulk = False
    has_status = False
    lookup_by_plain_name = True
    patchable = True

    def locate(self, body: dict[str, Any], resolver: Resolver) -> Draft:
        return Draft(name=body["name"], fqn=fqn.quote(body["name"]), doc={"disabled": False})

    def shape(self, out: dict[str, Any], fields: frozenset[str], renderer: Renderer) -> None:
        if "termCount" in fields:
            classification = out["fullyQualifiedName"]
            renderer.depends_on(children_key(classification))
            out["termCount"] = renderer.store.count("tag", {"schema_fqn": classification}, False)


class TagKind(EntityKind):
    type = "tag"
    collection = "tags"
    properties = (
        "id", "name", "displayName", "fullyQualifiedName", "description", "style",
        "classification", "parent", "children", "version", "updatedAt", "updatedBy",
        "impersonatedBy", "href", "usageCount", "deprecated", "deleted", "changeDescription",
        "incrementalChangeDescription", "provider", "disabled", "mutuallyExclusive", "domains",
        "dataProducts", "dataContract", "owners", "reviewers", "entityStatus", "recognizers",
        "autoClassificationEnabled", "autoClassificationPriority",
    )  # fmt: skip
    create_props = {
        "classification": Prop(fqn_text()),
        "parent": Prop(fqn_text()),
        "name": Prop(entity_name(), required=True),
        "displayName": Prop(text()),
        "description": Prop(text(), required=True),
        "style": Prop(STYLE),
        # Accepted as the upstream does, though the tag entity has no such property.
        "associatedTags": Prop(array(text())),
        "provider": Prop(enum(PROVIDERS), default="user"),
        "mutuallyExclusive": Prop(boolean(), default=False),
        "domains": Prop(array(text())),
        "owners": Prop(OWNERS),
        "reviewers": Prop(OWNERS),
        "recognizers": Prop(array(json_object())),
        "autoClassificationEnabled": Prop(boolean(), default=False),
        "autoClassificationPriority": Prop(percent(), default=50),
    }
    plain = (
        "displayName", "description", "style", "provider", "mutuallyExclusive", "recognizers",
        "autoClassificationEnabled", "autoClassificationPriority",
    )  # fmt: skip
    optional = frozenset(
        {"owners", "reviewers", "domains", "children", "usageCount", "recognizers", "dataProducts"}
    )
    links = ("owners", "domains", "reviewers")
    refs = ("classification", "parent")
    container = "database_fqn"
    children = ("children", "tag")
    descendant_types = ("tag",)
    bulk = False
    has_status = False
    patchable = True

    def locate(self, body: dict[str, Any], resolver: Resolver) -> Draft:
        doc: dict[str, Any] = {}
        parent: Entity | None = None
        if body.get("parent") is not None:
            parent = resolver.container("tag", body["parent"])
            classification = resolver.container("classification", parent.schema or "")
        elif body.get("classification") is not None:
            classification = resolver.container("classification", fqn.quote(body["classification"]))
        else:
            raise violations(["classification must not be null"])
        doc["classification"] = ref_of(classification.id, classification.type)
        if parent is not None:
            doc["parent"] = ref_of(parent.id, parent.type)
        doc.update(deprecated=False, disabled=False)
        return Draft(
            name=body["name"],
            fqn=fqn.add((parent or classification).fqn, body["name"]),
            doc=doc,
            database=None if parent is None else parent.fqn,
            schema=classification.fqn,
        )

    def where(self, params: Mapping[str, str]) -> dict[str, Any]:
        """`parent` (a classification's name or a tag's FQN) lists every tag under it."""
        parent = params.get("parent")
        return {FQN_PREFIX: parent} if parent else {}

    def conflicts(self, store: Store, draft: Draft, entity_id: str | None) -> bool:
        # A glossary term of that FQN is in the same label index.
        term = store.tags().get(draft.fqn)
        return term is not None and term.source != "Classification"

    def shape(self, out: dict[str, Any], fields: frozenset[str], renderer: Renderer) -> None:
        if "recognizers" in fields:
            out.setdefault("recognizers", [])

    def on_saved(self, store: Store, entity: Entity) -> None:
        if entity.deleted:
            store.remove_tag(entity.fqn)
            return
        doc = entity.doc
        store.add_tag(
            Tag(
                fqn=entity.fqn,
                id=entity.id,
                source="Classification",
                name=entity.name,
                display_name=doc.get("displayName"),
                description=doc.get("description"),
                style=doc.get("style"),
            )
        )

    def on_removed(self, store: Store, entity: Entity) -> None:
        store.remove_tag(entity.fqn)
