"""Lineage edges between entities (contract SEARCH_LINEAGE_AUTHZ §2).

An edge `from -> to` is one `catalog_lineage` row; `details` holds its `lineageDetails`
as JSON, or NULL for an edge stored without any (the ML model feature-source edges, §2.4).
Edges go when either end is hard-deleted (`Store.remove`); soft-deleted ends keep theirs.
Every change tells the search index that the `to` entity's document changed (it lists its
upstream edges in `upstreamLineage`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from gateway.emulator.catalog import fqn
from gateway.emulator.catalog.rows import Entity
from gateway.emulator.catalog.store import Store, chunks, marks


@dataclass(frozen=True, slots=True)
class Edge:
    from_id: str
    to_id: str
    details: dict[str, Any] | None

    def to_json(self) -> dict[str, Any]:
        """An edge as the database-backed lineage answer lists it (ids only)."""
        out: dict[str, Any] = {"fromEntity": self.from_id, "toEntity": self.to_id}
        if self.details is not None:
            out["lineageDetails"] = self.details
        return out


def fqn_hash(entity_fqn: str) -> str:
    """`FullyQualifiedName.buildHash`: the MD5 of each part, joined by `.`."""
    return ".".join(
        hashlib.md5(part.encode(), usedforsecurity=False).hexdigest()
        for part in fqn.split(entity_fqn)
    )


class Lineage:
    """Reads and writes of `catalog_lineage`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.conn = store.conn

    def get(self, from_id: str, to_id: str) -> Edge | None:
        row = self.conn.execute(
            "SELECT details FROM catalog_lineage WHERE from_id = ? AND to_id = ?",
            (from_id, to_id),
        ).fetchone()
        if row is None:
            return None
        return Edge(from_id, to_id, None if row[0] is None else orjson.loads(row[0]))

    def put(self, from_id: str, to_id: str, details: dict[str, Any] | None) -> None:
        text = None if details is None else orjson.dumps(details).decode()
        self.conn.execute(
            "INSERT OR REPLACE INTO catalog_lineage (from_id, to_id, details) VALUES (?, ?, ?)",
            (from_id, to_id, text),
        )
        self.store.touch((to_id,))

    def add_plain(self, from_id: str, to_id: str) -> None:
        """An edge without details, unless one (with or without) is there already."""
        self.conn.execute(
            "INSERT OR IGNORE INTO catalog_lineage (from_id, to_id, details) VALUES (?, ?, NULL)",
            (from_id, to_id),
        )
        self.store.touch((to_id,))

    def remove(self, from_id: str, to_id: str) -> bool:
        cursor = self.conn.execute(
            "DELETE FROM catalog_lineage WHERE from_id = ? AND to_id = ?", (from_id, to_id)
        )
        self.store.touch((to_id,))
        return cursor.rowcount > 0

    def _edges(self, column: str, ids: Sequence[str]) -> list[Edge]:
        assert column in ("from_id", "to_id")
        out: list[Edge] = []
        for part in chunks(ids):
            for row in self.conn.execute(
                "SELECT from_id, to_id, details FROM catalog_lineage "
                f"WHERE {column} IN ({marks(part)}) ORDER BY from_id, to_id",
                part,
            ):
                details = None if row[2] is None else orjson.loads(row[2])
                out.append(Edge(row[0], row[1], details))
        return out

    def into(self, ids: Sequence[str]) -> list[Edge]:
        """Edges whose `to` end is one of `ids`."""
        return self._edges("to_id", ids)

    def out_of(self, ids: Sequence[str]) -> list[Edge]:
        """Edges whose `from` end is one of `ids`."""
        return self._edges("from_id", ids)

    def walk(self, root: str, depth: int, upstream: bool) -> tuple[list[Edge], list[str]]:
        """Edges up to `depth` hops from `root`, level by level without repeats, and the
        ids of the nodes reached (the root excluded), in the order they were reached."""
        edges: list[Edge] = []
        seen_edges: set[tuple[str, str]] = set()
        reached: list[str] = []
        visited = {root}
        frontier = [root]
        for _ in range(depth):
            if not frontier:
                break
            found = self.into(frontier) if upstream else self.out_of(frontier)
            following: list[str] = []
            for edge in found:
                key = (edge.from_id, edge.to_id)
                if key in seen_edges:
                    continue
                seen_edges.add(key)
                edges.append(edge)
                other = edge.from_id if upstream else edge.to_id
                if other not in visited:
                    visited.add(other)
                    reached.append(other)
                    following.append(other)
            frontier = following
        return edges, reached

    def upstream_documents(self, entity: Entity) -> list[dict[str, Any]]:
        """`upstreamLineage` of an entity's search document: its upstream edges, each
        without `toEntity` (contract §1.2, §1.4)."""
        edges = self.into([entity.id])
        refs = self.store.refs(edge.from_id for edge in edges)
        out: list[dict[str, Any]] = []
        for edge in edges:
            ref = refs.get(edge.from_id)
            if ref is None:
                continue
            doc: dict[str, Any] = {
                "fromEntity": {
                    "id": ref.id,
                    "type": ref.type,
                    "fullyQualifiedName": ref.fqn,
                    "fqnHash": fqn_hash(ref.fqn),
                },
                "docId": f"{ref.fqn}--->{entity.fqn}",
                "docUniqueId": f"{ref.id}--->{entity.id}",
            }
            if edge.details is not None:
                columns = edge.details.get("columnsLineage", [])
                doc["columns"] = columns
                doc["source"] = edge.details.get("source", "Manual")
            out.append(doc)
        return out


def feature_source_tables(doc: dict[str, Any]) -> Iterable[str]:
    """Ids of the tables an ML model's feature sources read, each once, in order."""
    seen: set[str] = set()
    for feature in doc.get("mlFeatures", ()):
        for source in feature.get("featureSources", ()):
            data_source = source.get("dataSource")
            if data_source is not None and data_source["id"] not in seen:
                seen.add(data_source["id"])
                yield data_source["id"]
