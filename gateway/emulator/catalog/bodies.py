"""Entity bodies for read requests as JSON bytes, each rendered once and then served from cache.

A body depends on stored rows (dropped by the store's writes, see `cache`) and on its
variant: the API base of its hrefs, whether the caller is an admin (services show their
connection to admins only) and the fields asked for. Each keeps the entity's ETag, which a
single-entity read answers with (see `etags`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from gateway.emulator.catalog.cache import DependencyCache
from gateway.emulator.catalog.errors import not_found
from gateway.emulator.catalog.etags import etag
from gateway.emulator.catalog.kinds import EntityKind
from gateway.emulator.catalog.query import deleted_filter
from gateway.emulator.catalog.render import Renderer
from gateway.emulator.catalog.rows import Entity
from gateway.emulator.catalog.store import Store

Variant = tuple[str | None, bool, frozenset[str]]


@dataclass(frozen=True, slots=True)
class Body:
    """One rendered entity, with what a lookup checks before answering it."""

    type: str
    deleted: bool
    json: bytes
    etag: str


def list_json(bodies: list[bytes], paging: dict[str, Any]) -> bytes:
    """`{"data": [...], "paging": {...}}`, byte for byte as orjson writes it."""
    return b'{"data":[' + b",".join(bodies) + b'],"paging":' + orjson.dumps(paging) + b"}"


class Bodies:
    """Cached bodies by (entity id, variant)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.cache: DependencyCache[tuple[str, Variant], Body] = DependencyCache()
        store.caches.append(self.cache)

    def one(
        self,
        kind: EntityKind,
        entity_id: str,
        include: str,
        renderer: Renderer,
        fields: frozenset[str],
        missing: str,
    ) -> Body:
        """The body of one entity of `kind`; 404 naming `missing` when there is none."""
        variant = (renderer.api, renderer.admin, fields)
        body = self.cache.get((entity_id, variant))
        if body is None:
            entity = self.store.get(entity_id)
            # Only an entity of this kind is rendered: its body is cached for any caller.
            if entity is None or entity.type != kind.type:
                raise not_found(kind.type, missing)
            body = self._render(kind, [entity], renderer, fields, variant)[0]
        wanted = deleted_filter(include)
        if body.type != kind.type or (wanted is not None and body.deleted != wanted):
            raise not_found(kind.type, missing)
        return body

    def many(
        self, kind: EntityKind, ids: list[str], renderer: Renderer, fields: frozenset[str]
    ) -> list[bytes]:
        """Bodies of a page of entities of `kind`, in order; one query for those not cached."""
        variant = (renderer.api, renderer.admin, fields)
        found = [self.cache.get((entity_id, variant)) for entity_id in ids]
        misses = [entity_id for entity_id, body in zip(ids, found, strict=True) if body is None]
        if misses:
            rows = self.store.get_many(misses)
            entities = [rows[entity_id] for entity_id in misses]
            rendered = iter(self._render(kind, entities, renderer, fields, variant))
            found = [next(rendered) if body is None else body for body in found]
        return [body.json for body in found if body is not None]

    def _render(
        self,
        kind: EntityKind,
        entities: list[Entity],
        renderer: Renderer,
        fields: frozenset[str],
        variant: Variant,
    ) -> list[Body]:
        out = []
        for entity, (body, used) in zip(
            entities, renderer.traced(kind, entities, fields), strict=True
        ):
            rendered = Body(
                entity.type,
                entity.deleted,
                orjson.dumps(body),
                etag(entity.version, entity.updated_at),
            )
            self.cache.put((entity.id, variant), rendered, used)
            out.append(rendered)
        return out
