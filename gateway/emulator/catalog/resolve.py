"""Checks a create request's references against the store: containers, owners, tags, domains."""

from __future__ import annotations

from typing import Any

from gateway.emulator.catalog.errors import CatalogError, bad_request, not_found
from gateway.emulator.catalog.fqn import parent as parent_fqn
from gateway.emulator.catalog.rows import Entity
from gateway.emulator.catalog.store import Store

# Custom properties defined per entity type (name -> JSON type); anything else in an
# `extension` is refused like the upstream refuses an undefined custom property.
CUSTOM_PROPERTIES: dict[str, dict[str, type]] = {
    "mlmodel": {"registryModelRid": str, "modelCardUrl": str, "retrainingCadenceDays": int}
}
_JSON_TYPE_NAMES = {str: "string", int: "integer", float: "number", bool: "boolean"}
_TAG_MISSING = {"Classification": "tag", "Glossary": "glossaryTerm"}


def json_type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return _JSON_TYPE_NAMES.get(type(value), "string")


def reference(entity: Entity) -> dict[str, Any]:
    """An EntityReference as the upstream stores it inside documents (no href)."""
    return entity.ref().to_json()


class Resolver:
    """Turns the names and references of a request into stored ids and labels."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def container(self, entity_type: str, fqn: str) -> Entity:
        entity = self.store.get_by_fqn(entity_type, fqn)
        if entity is None or entity.deleted:
            raise not_found(entity_type, fqn)
        return entity

    def entity(self, entity_type: str, entity_id: str) -> Entity:
        entity = self.store.get(entity_id)
        if entity is None or entity.type != entity_type:
            raise not_found(entity_type, entity_id)
        return entity

    def owners(self, refs: list[dict[str, Any]] | None) -> list[str]:
        ids: list[str] = []
        for ref in refs or ():
            owner_type = ref["type"]
            if owner_type not in ("user", "team"):
                raise bad_request(
                    f"Entity of type {owner_type} can't be the owner. "
                    "Only Team of type Group or a User can own entities."
                )
            owner = self.entity(owner_type, ref["id"])
            if owner.deleted:
                raise not_found(owner_type, ref["id"])
            team_type = owner.doc.get("teamType")
            if owner_type == "team" and team_type != "Group":
                raise bad_request(
                    f"Team of type {team_type} can't own entities. "
                    "Only Team of type Group can own entities."
                )
            if owner.id not in ids:
                ids.append(owner.id)
        return ids

    def tags(self, labels: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
        known = self.store.tags()
        out: list[dict[str, Any]] = []
        seen: set[str] = set()
        for label in labels or ():
            fqn, source = label["tagFQN"], label["source"]
            tag = known.get(fqn)
            if tag is None or tag.source != source:
                raise not_found(_TAG_MISSING[source], fqn)
            if fqn in seen:
                continue
            seen.add(fqn)
            stored: dict[str, Any] = {"tagFQN": fqn, "name": tag.name}
            if tag.display_name is not None:
                stored["displayName"] = tag.display_name
            if tag.description is not None:
                stored["description"] = tag.description
            if tag.style is not None:
                stored["style"] = tag.style
            stored.update(source=source, labelType=label["labelType"], state=label["state"])
            out.append(stored)
        self.check_exclusive(out)
        return out

    def check_exclusive(self, labels: list[dict[str, Any]]) -> None:
        """400 when two labels share a parent whose tags are mutually exclusive (`Tier`,
        `PII`, `Certification`, ...), naming the later label first, as the upstream does."""
        seen: dict[str, str] = {}
        for label in labels:
            tag_fqn = label["tagFQN"]
            parent = parent_fqn(tag_fqn)
            if parent is None:
                continue
            stored = seen.get(parent)
            seen[parent] = tag_fqn
            if stored is not None and self.mutually_exclusive(parent, label["source"]):
                raise bad_request(
                    f"Tag labels {tag_fqn} and {stored} are mutually exclusive and can't be "
                    "assigned together"
                )

    def mutually_exclusive(self, parent: str, source: str) -> bool:
        """Whether the tags under `parent` (a classification, or a tag when nested) exclude
        each other; glossary terms never do here."""
        if source != "Classification":
            return False
        holder_type = "tag" if parent_fqn(parent) is not None else "classification"
        holder = self.store.get_by_fqn(holder_type, parent)
        return holder is not None and bool(holder.doc.get("mutuallyExclusive"))

    def domains(self, names: list[str] | None) -> list[str]:
        return [self.container("domain", name).id for name in names or ()]

    def data_products(self, names: list[str] | None, domains: list[str] | None) -> list[str]:
        if names and not domains:
            raise bad_request("Domain cannot be empty when data products are provided.")
        return [self.container("dataProduct", name).id for name in names or ()]

    def reviewers(self, refs: list[dict[str, Any]] | None) -> list[str]:
        """Users or teams that exist and are not deleted, by id."""
        ids: list[str] = []
        for ref in refs or ():
            reviewer = self.entity(ref["type"], ref["id"])
            if reviewer.deleted or reviewer.type not in ("user", "team"):
                raise not_found(ref["type"], ref["id"])
            if reviewer.id not in ids:
                ids.append(reviewer.id)
        return ids

    def teams(self, ids: list[str] | None) -> list[str]:
        return [self.entity("team", team_id).id for team_id in ids or ()]

    def extension(self, entity_type: str, extension: dict[str, Any]) -> dict[str, Any]:
        defined = CUSTOM_PROPERTIES.get(entity_type, {})
        for key, value in extension.items():
            expected = defined.get(key)
            if expected is None:
                raise bad_request(f"Unknown custom field {key}")
            if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
                raise CatalogError(
                    400,
                    f"Custom field {key} has invalid JSON [$: {json_type_name(value)} found, "
                    f"{_JSON_TYPE_NAMES[expected]} expected]",
                )
        return extension
