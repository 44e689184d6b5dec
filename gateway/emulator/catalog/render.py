"""Stored entities -> JSON bodies: references, relationship fields, votes, tag labels, hrefs.

A page of entities costs one query per kind of data asked for (relationships, referenced
entities), never one per entity. `api` is the absolute API base (`http://host:port/api`)
for hrefs, or None where the upstream leaves hrefs out (version history, change events).
`traced` also answers the keys each body was built from, for the render cache.
"""

from __future__ import annotations

import uuid
from typing import Any

from gateway.emulator.catalog.cache import children_key
from gateway.emulator.catalog.changes import Change, as_number
from gateway.emulator.catalog.kinds import COLLECTIONS, RELATIONS, VOTE_RELATIONS, EntityKind
from gateway.emulator.catalog.rows import Entity, Ref
from gateway.emulator.catalog.store import Store

_TAG_COLLECTIONS = {"Classification": "tags", "Glossary": "glossaryTerms"}


class Renderer:
    """Renders entities for one request."""

    def __init__(self, store: Store, api: str | None, admin: bool = False) -> None:
        self.store = store
        self.api = api
        self.admin = admin
        # While `traced` renders one entity: the keys its body is built from.
        self._used: list[str] | None = None

    def depends_on(self, key: str) -> None:
        """Record that the body being rendered shows data kept under `key` (see `cache`)."""
        if self._used is not None:
            self._used.append(key)

    def href(self, entity_type: str, entity_id: str) -> str:
        return f"{self.api}/v1/{COLLECTIONS[entity_type]}/{entity_id}"

    def ref(self, ref: Ref, *, href: bool = True) -> dict[str, Any]:
        if self._used is not None:
            self._used.append(ref.id)
        with_href = href and self.api is not None
        return ref.to_json(self.href(ref.type, ref.id) if with_href else None)

    def labels(self, labels: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Tag labels as answered: the tag's current name, display name, description and
        style (it may have been edited since it was applied) and its href."""
        if self.api is None:
            return labels
        tags = self.store.tags()
        out = []
        for label in labels:
            tag = tags.get(label["tagFQN"])
            if tag is None:
                out.append(label)
                continue
            shown: dict[str, Any] = {"tagFQN": tag.fqn, "name": tag.name}
            if tag.display_name is not None:
                shown["displayName"] = tag.display_name
            if tag.description is not None:
                shown["description"] = tag.description
            if tag.style is not None:
                shown["style"] = tag.style
            shown.update(
                (key, value)
                for key, value in label.items()
                if key not in ("tagFQN", "name", "displayName", "description", "style")
            )
            shown["href"] = f"{self.api}/v1/{_TAG_COLLECTIONS[tag.source]}/{tag.id}"
            out.append(shown)
        return out

    def votes(self, up: list[Ref], down: list[Ref]) -> dict[str, Any]:
        return {
            "upVotes": len(up),
            "downVotes": len(down),
            "upVoters": [self.ref(r, href=False) for r in up],
            "downVoters": [self.ref(r, href=False) for r in down],
        }

    def entity(self, kind: EntityKind, entity: Entity, fields: frozenset[str]) -> dict[str, Any]:
        return self.entities(kind, [entity], fields)[0]

    def entities(
        self, kind: EntityKind, entities: list[Entity], fields: frozenset[str]
    ) -> list[dict[str, Any]]:
        want, linked, refs = self._load(kind, entities, fields)
        return [self._one(kind, e, fields, want, linked, refs) for e in entities]

    def traced(
        self, kind: EntityKind, entities: list[Entity], fields: frozenset[str]
    ) -> list[tuple[dict[str, Any], list[str]]]:
        """Each entity's body with the keys it depends on (see `cache`)."""
        want, linked, refs = self._load(kind, entities, fields)
        out = []
        for entity in entities:
            self._used = used = [entity.id]
            try:
                out.append((self._one(kind, entity, fields, want, linked, refs), used))
            finally:
                self._used = None
        return out

    def _load(
        self, kind: EntityKind, entities: list[Entity], fields: frozenset[str]
    ) -> tuple[frozenset[str], dict[tuple[str, str], list[Ref]], dict[str, Ref]]:
        """What a batch of bodies shows of other rows: relationships and referenced entities."""
        want = fields & kind.optional
        ids = [e.id for e in entities]
        relations = [RELATIONS[f] for f in want if f in RELATIONS]
        if "votes" in want:
            relations.extend(VOTE_RELATIONS)
        linked: dict[tuple[str, str], list[Ref]] = {}
        if relations and ids:
            for to_id, relation, ref in self.store.related(ids, relations):
                linked.setdefault((to_id, relation), []).append(ref)
        ref_keys = [k for k in kind.refs if k not in kind.optional or k in want]
        refs = self.store.refs(
            e.doc[key]["id"] for e in entities for key in ref_keys if key in e.doc
        )
        return want, linked, refs

    def _one(
        self,
        kind: EntityKind,
        entity: Entity,
        fields: frozenset[str],
        want: frozenset[str],
        linked: dict[tuple[str, str], list[Ref]],
        refs: dict[str, Ref],
    ) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": entity.id,
            "name": entity.name,
            "fullyQualifiedName": entity.fqn,
        }
        for key, value in entity.doc.items():
            if key in kind.optional and key not in want:
                continue
            if key in kind.refs:
                if self._used is not None:
                    # Also when the reference is dangling: it shows once the entity exists.
                    self._used.append(value["id"])
                ref = refs.get(value["id"])
                if ref is not None:
                    out[key] = self.ref(ref)
                continue
            out[key] = value
        if "changeDescription" in out and "incrementalChangeDescription" not in out:
            # Only a consolidated PATCH stores its own (what that call changed).
            out["incrementalChangeDescription"] = out["changeDescription"]
        out["version"] = as_number(entity.version)
        out["updatedAt"] = entity.updated_at
        out["updatedBy"] = entity.updated_by
        if self.api is not None:
            out["href"] = self.href(entity.type, entity.id)
        out["deleted"] = entity.deleted
        for name in want:
            relation = RELATIONS.get(name)
            if relation is not None:
                out[name] = [self.ref(r) for r in linked.get((entity.id, relation), ())]
            elif name == "votes":
                out[name] = self.votes(
                    linked.get((entity.id, "votedUp"), []),
                    linked.get((entity.id, "votedDown"), []),
                )
            elif name == "tags":
                out[name] = self.labels(entity.doc.get("tags", []))
            elif kind.children is not None and name == kind.children[0]:
                assert kind.container is not None
                if self._used is not None:
                    self._used.append(children_key(entity.fqn))
                children = self.store.children_of(kind.container, kind.children[1], entity.fqn)
                out[name] = [self.ref(r) for r in children]
            elif name in ("follows", "owns"):
                out[name] = [self.ref(r) for r in self.store.targets(entity.id, name)]
            elif name in kind.empty_lists:
                out[name] = []
        kind.shape(out, fields, self)
        return out

    def event(
        self,
        kind: EntityKind,
        entity: Entity,
        change: Change,
        fields: frozenset[str],
        *,
        user_name: str,
        timestamp: int,
    ) -> dict[str, Any]:
        """The ChangeEvent that follow / unfollow / vote answer with (version unchanged)."""
        described = change.describe(entity.version)
        body = self.entity(kind, entity, fields)
        body["changeDescription"] = described
        body["incrementalChangeDescription"] = described
        version = as_number(entity.version)
        return {
            "id": str(uuid.uuid4()),
            "eventType": "entityUpdated",
            "entityType": kind.type,
            "entityId": entity.id,
            "entityFullyQualifiedName": entity.fqn,
            "previousVersion": version,
            "currentVersion": version,
            "userName": user_name,
            "timestamp": timestamp,
            "changeDescription": described,
            "incrementalChangeDescription": described,
            "entity": body,
        }
