"""Search documents of ML models and tables (contract SEARCH_LINEAGE_AUTHZ §1.2).

A document is the entity's JSON with every field (references without hrefs; the top-level
`href` is added when answering, from the request's base), less `changeDescription`,
`incrementalChangeDescription` and `votes` (tables also drop `sampleData`, `joins` and
`tableProfile`), plus `entityType`, `displayName` (falling back to `name`), `followers` as
user-id strings, `totalVotes` = max(up - down, 0), `tags` without the Tier tag (a table's
column tags folded in), `tier`, `descriptionStatus`, `fqnParts`, `fqnHash` and
`upstreamLineage`; tables add `columnNames`, `columnNamesFuzzy` and
`columnDescriptionStatus`.

A user's document (§1.2b, `user_search_index`) holds only the fields of the upstream's user
mapping: `id`, `name`, `fullyQualifiedName`, `displayName` (falling back to `name`, as the
upstream's `UserIndex` does), `email`, `isAdmin`, `isBot`, `teams`, `roles`,
`inheritedRoles`, `domains` (references without hrefs), `deleted`, `version`, `updatedAt`,
`updatedBy`, `href` (added when answering) and `entityType`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from gateway.emulator.catalog import fqn
from gateway.emulator.catalog.kinds import EntityKind
from gateway.emulator.catalog.lineage import Lineage, fqn_hash
from gateway.emulator.catalog.render import Renderer
from gateway.emulator.catalog.rows import Entity
from gateway.emulator.catalog.store import Store

# Index name of each indexed entity type.
INDEXES = {
    "mlmodel": "mlmodel_search_index",
    "table": "table_search_index",
    "user": "user_search_index",
}
_DROPPED = ("changeDescription", "incrementalChangeDescription", "votes")
_TABLE_DROPPED = ("sampleData", "joins", "tableProfile")
# What a user's document keeps of the user (`user_index_mapping.json`), besides `href`,
# which is added when answering, and `entityType`.
USER_FIELDS = (
    "id", "name", "fullyQualifiedName", "displayName", "email", "isAdmin", "isBot", "teams",
    "roles", "inheritedRoles", "domains", "deleted", "version", "updatedAt", "updatedBy",
)  # fmt: skip
_USER_RELATIONS = frozenset({"teams", "roles", "inheritedRoles", "domains"})
# Keyword values longer than this are not kept as terms (Elasticsearch's `ignore_above`).
_IGNORE_ABOVE = 256


@dataclass(slots=True)
class SearchDocument:
    """What the index keeps of one entity: its `_source`, the columns sorting reads, the
    free-text fields and the keyword terms filters and facets read."""

    id: str
    index: str
    source: dict[str, Any]
    followers: int
    text: dict[str, str]
    terms: list[tuple[str, str]]


def fqn_parts(entity_fqn: str) -> list[str]:
    """`SearchIndex.getFQNParts`: every prefix, suffix and single part of the FQN except
    the entity's own name (prefixes first, then the rest in the order found)."""
    parts = fqn.split(entity_fqn)
    out: list[str] = []
    candidates = [".".join(parts[: i + 1]) for i in range(len(parts))]
    candidates += [".".join(parts[i:]) for i in range(1, len(parts))]
    candidates += parts
    for part in candidates:
        if part != parts[-1] and part not in out:
            out.append(part)
    return out


def _columns(columns: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for column in columns:
        yield column
        yield from _columns(column.get("children", []))


def build_document(store: Store, kind: EntityKind, entity: Entity) -> SearchDocument:
    if kind.type == "user":
        return build_user_document(store, kind, entity)
    renderer = Renderer(store, None)
    body = renderer.entity(kind, entity, kind.snapshot_fields)
    for key in _DROPPED:
        body.pop(key, None)
    if kind.type == "table":
        for key in _TABLE_DROPPED:
            body.pop(key, None)
    votes = store.related([entity.id], ("votedUp", "votedDown"))
    up = sum(1 for _, relation, _ in votes if relation == "votedUp")
    body["entityType"] = kind.type
    body["displayName"] = body.get("displayName") or entity.name
    followers = [follower["id"] for follower in body.get("followers", [])]
    body["followers"] = followers
    body["totalVotes"] = max(up - (len(votes) - up), 0)
    labels = list(body.get("tags", []))
    columns = list(_columns(body.get("columns", []))) if kind.type == "table" else []
    for column in columns:
        labels.extend(column.get("tags", []))
    tags: list[dict[str, Any]] = []
    tier = None
    for label in labels:
        if label["tagFQN"].startswith("Tier."):
            tier = tier or label
        elif all(label["tagFQN"] != t["tagFQN"] for t in tags):
            tags.append(label)
    body["tags"] = tags
    body["tier"] = tier
    body["descriptionStatus"] = "COMPLETE" if body.get("description") else "INCOMPLETE"
    body["fqnParts"] = fqn_parts(entity.fqn)
    body["fqnHash"] = fqn_hash(entity.fqn)
    body["upstreamLineage"] = Lineage(store).upstream_documents(entity)
    extra: list[str] = []
    if kind.type == "table":
        names = [column["name"] for column in columns]
        body["columnNames"] = names
        body["columnNamesFuzzy"] = " ".join(names)
        described = all(column.get("description") for column in columns)
        body["columnDescriptionStatus"] = "COMPLETE" if described else "INCOMPLETE"
        extra += names
        extra += [label["tagFQN"] for label in tags]
    else:
        for feature in body.get("mlFeatures", []):
            extra.append(feature["name"])
            if feature.get("description"):
                extra.append(feature["description"])
    text = {
        "name": entity.name,
        "displayName": body["displayName"],
        "description": body.get("description") or "",
        "fullyQualifiedName": entity.fqn,
        "fqnParts": " ".join(body["fqnParts"]),
        "extra": " ".join(extra),
    }
    return SearchDocument(
        id=entity.id,
        index=INDEXES[kind.type],
        source=body,
        followers=len(followers),
        text=text,
        terms=sorted(set(flatten(body))),
    )


def build_user_document(store: Store, kind: EntityKind, entity: Entity) -> SearchDocument:
    rendered = Renderer(store, None).entity(kind, entity, _USER_RELATIONS)
    body = {key: rendered[key] for key in USER_FIELDS if key in rendered}
    body["displayName"] = rendered.get("displayName") or entity.name
    body["isAdmin"] = bool(rendered.get("isAdmin"))
    body["isBot"] = bool(rendered.get("isBot"))
    for key in _USER_RELATIONS:
        body.setdefault(key, [])
    body["entityType"] = kind.type
    text = {
        "name": entity.name,
        "displayName": body["displayName"],
        "description": "",
        "fullyQualifiedName": entity.fqn,
        "fqnParts": "",
        "extra": str(body.get("email") or ""),
    }
    return SearchDocument(
        id=entity.id,
        index=INDEXES[kind.type],
        source=body,
        followers=0,
        text=text,
        terms=sorted(set(flatten(body))),
    )


def flatten(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(dotted path, keyword value) of every scalar leaf, arrays flattened as Elasticsearch
    does (`tags.tagFQN`, `owners.name`, `columns.children.name`); booleans as `true`."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from flatten(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for item in value:
            yield from flatten(item, path)
    elif value is None:
        return
    elif isinstance(value, bool):
        yield path, "true" if value else "false"
    elif isinstance(value, int | float):
        yield path, str(value)
    elif isinstance(value, str) and len(value) <= _IGNORE_ABOVE:
        yield path, value
