"""SQLite tables of the catalog: entities, relationships, version snapshots and tags.

One `catalog_entity` row per entity of any type: the columns are what lookups, paging,
filters and references need; `doc` holds the rest of the stored properties as JSON.
Relationships (owners, followers, votes, domains, data products, team members) are rows
`from_id -[relation]-> to_id`, so a page of entities needs one query per relation kind
rather than one per entity. Snapshots and tags are read and written in `side_tables`;
every write here also drops the cached values built from what it touched (see `cache`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import orjson

from gateway.emulator.catalog.cache import DependencyCache, children_key, type_key
from gateway.emulator.catalog.rows import Entity, Page, Ref, RowKey, Tag
from gateway.emulator.catalog.side_tables import SideTables
from gateway.emulator.db import Database

_DDL = """
CREATE TABLE IF NOT EXISTS catalog_entity (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    name TEXT NOT NULL,
    fqn TEXT NOT NULL,
    display_name TEXT,
    service_fqn TEXT,
    database_fqn TEXT,
    schema_fqn TEXT,
    deleted INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS catalog_entity_fqn ON catalog_entity (type, fqn);
CREATE INDEX IF NOT EXISTS catalog_entity_name ON catalog_entity (type, name, id);
CREATE INDEX IF NOT EXISTS catalog_entity_service
    ON catalog_entity (service_fqn, type, name, id);
CREATE INDEX IF NOT EXISTS catalog_entity_database
    ON catalog_entity (database_fqn, type, name, id);
CREATE INDEX IF NOT EXISTS catalog_entity_schema ON catalog_entity (schema_fqn, type, name, id);
CREATE TABLE IF NOT EXISTS catalog_relationship (
    from_id TEXT NOT NULL,
    to_id TEXT NOT NULL,
    relation TEXT NOT NULL,
    PRIMARY KEY (to_id, relation, from_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS catalog_relationship_from
    ON catalog_relationship (from_id, relation);
CREATE TABLE IF NOT EXISTS catalog_version (
    id TEXT NOT NULL,
    version INTEGER NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (id, version)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS catalog_version_state (
    id TEXT NOT NULL,
    version INTEGER NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (id, version)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS catalog_lineage (
    from_id TEXT NOT NULL,
    to_id TEXT NOT NULL,
    details TEXT,
    PRIMARY KEY (from_id, to_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS catalog_lineage_to ON catalog_lineage (to_id);
CREATE TABLE IF NOT EXISTS catalog_tag (
    fqn TEXT PRIMARY KEY,
    id TEXT NOT NULL,
    source TEXT NOT NULL,
    name TEXT NOT NULL,
    display_name TEXT,
    description TEXT,
    style TEXT
);
"""
_TABLES = (
    "catalog_entity",
    "catalog_relationship",
    "catalog_version",
    "catalog_version_state",
    "catalog_tag",
    "catalog_lineage",
)
_COLUMNS = (
    "id, type, name, fqn, service_fqn, database_fqn, schema_fqn, deleted, version, "
    "updated_at, updated_by, doc"
)
REF_COLUMNS = "e.id, e.type, e.name, e.fqn, e.display_name, e.deleted"
# Filters a list endpoint accepts, by the column holding the ancestor's FQN.
ANCESTOR_COLUMNS = frozenset({"service_fqn", "database_fqn", "schema_fqn"})
# The filter on everything whose FQN lies under a given FQN (a classification's tags).
FQN_PREFIX = "fqn_prefix"
_CHUNK = 500


def chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def marks(items: Sequence[str]) -> str:
    return ",".join("?" * len(items))


class Store(SideTables):
    """Row-level reads and writes; business rules live in the repository."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.conn = db.conn
        self._tags: dict[str, Tag] | None = None
        # List totals by (type, filter, deleted): counting a type reads each of its rows.
        self._counts: DependencyCache[tuple[str, tuple[tuple[str, Any], ...], bool | None], int]
        self._counts = DependencyCache()
        # Caches of values derived from rows, told of every write made through the store.
        self.caches: list[DependencyCache[Any, Any]] = [self._counts]
        # A database file may be shared with another emulator process, whose writes the
        # caches never hear of; SQLite's data_version tells when one has committed.
        self._shared = db.path != ":memory:"
        self._data_version: int | None = None
        # Told the ids of the entities each write may have changed the search document of
        # (set by the search index, which keeps its documents in step).
        self.touched: Callable[[Iterable[str]], None] | None = None
        # DDL and table names of the tables kept beside these (search index, lineage).
        self.extra_ddl: list[str] = []
        self.extra_tables: list[str] = []

    def create_tables(self) -> None:
        self.conn.executescript(_DDL)
        for ddl in self.extra_ddl:
            self.conn.executescript(ddl)

    def clear(self) -> None:
        for table in (*_TABLES, *self.extra_tables):
            self.conn.execute(f"DELETE FROM {table}")
        self.forget()

    def touch(self, ids: Iterable[str]) -> None:
        """Tell the search index these entities' documents may have changed."""
        if self.touched is not None:
            self.touched(ids)

    def _linked_from(self, entity_id: str) -> list[str]:
        return [
            row[0]
            for row in self.conn.execute(
                "SELECT to_id FROM catalog_relationship WHERE from_id = ?", (entity_id,)
            )
        ]

    def forget(self) -> None:
        """Empty every cache: the rows changed wholesale (cleared, restored, tags added)."""
        self._tags = None
        for cache in self.caches:
            cache.clear()

    # cache invalidation

    def sync(self) -> None:
        """Forget every cache if another connection has written since the last request."""
        if self._shared:
            version = self.conn.execute("PRAGMA data_version").fetchone()[0]
            if version != self._data_version:
                self._data_version = version
                self.forget()

    def _caching(self) -> bool:
        return any(len(cache) for cache in self.caches)

    def _changed(self, keys: Iterable[str]) -> None:
        keys = list(keys)
        for cache in self.caches:
            cache.drop(keys)

    def _entity_changed(
        self, entity_id: str, entity_type: str, ancestors: Iterable[str | None]
    ) -> None:
        """Drop what shows the entity: its own bodies, its referrers', its containers' child
        lists, its type's counts, and those of whoever links to it (a user's `follows`
        lists deleted ones too)."""
        if self._caching():
            sources = self.conn.execute(
                "SELECT from_id FROM catalog_relationship WHERE to_id = ?", (entity_id,)
            )
            containers = [children_key(fqn) for fqn in ancestors if fqn is not None]
            keys = [entity_id, type_key(entity_type), *containers]
            self._changed([*keys, *(row[0] for row in sources)])

    # entities

    def get(self, entity_id: str) -> Entity | None:
        row = self.conn.execute(
            f"SELECT {_COLUMNS} FROM catalog_entity WHERE id = ?", (entity_id,)
        ).fetchone()
        return None if row is None else Entity.from_row(row)

    def get_many(self, ids: Sequence[str]) -> dict[str, Entity]:
        entities = map(Entity.from_row, self._rows_by_id(_COLUMNS, ids))
        return {entity.id: entity for entity in entities}

    def _rows_by_id(self, columns: str, ids: Sequence[str]) -> Iterator[Any]:
        """`columns` of the entities with these ids (`e` names the table), in chunks."""
        for part in chunks(ids):
            yield from self.conn.execute(
                f"SELECT {columns} FROM catalog_entity e WHERE e.id IN ({marks(part)})", part
            )

    def id_by_fqn(self, entity_type: str, fqn: str) -> str | None:
        row = self.conn.execute(
            "SELECT id FROM catalog_entity WHERE type = ? AND fqn = ?", (entity_type, fqn)
        ).fetchone()
        return None if row is None else str(row[0])

    def get_by_fqn(self, entity_type: str, fqn: str) -> Entity | None:
        row = self.conn.execute(
            f"SELECT {_COLUMNS} FROM catalog_entity WHERE type = ? AND fqn = ?", (entity_type, fqn)
        ).fetchone()
        return None if row is None else Entity.from_row(row)

    def save(self, entity: Entity) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO catalog_entity (id, type, name, fqn, display_name, "
            "service_fqn, database_fqn, schema_fqn, deleted, version, updated_at, updated_by, doc) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                entity.id,
                entity.type,
                entity.name,
                entity.fqn,
                entity.doc.get("displayName"),
                entity.service,
                entity.database,
                entity.schema,
                int(entity.deleted),
                entity.version,
                entity.updated_at,
                entity.updated_by,
                orjson.dumps(entity.doc).decode(),
            ),
        )
        self._entity_changed(
            entity.id, entity.type, (entity.service, entity.database, entity.schema)
        )
        if self.touched is not None:
            # An owner's or a domain's name shows in the documents of what it links to.
            self.touched([entity.id, *self._linked_from(entity.id)])

    def remove(self, entity_id: str) -> None:
        row = self.conn.execute(
            "SELECT type, service_fqn, database_fqn, schema_fqn FROM catalog_entity WHERE id = ?",
            (entity_id,),
        ).fetchone()
        if row is not None:
            self._entity_changed(entity_id, row[0], tuple(row)[1:])
        affected: list[str] = []
        if self.touched is not None:
            downstream = self.conn.execute(
                "SELECT to_id FROM catalog_lineage WHERE from_id = ?", (entity_id,)
            )
            affected = [entity_id, *self._linked_from(entity_id), *(row[0] for row in downstream)]
        self.conn.execute("DELETE FROM catalog_entity WHERE id = ?", (entity_id,))
        self.conn.execute(
            "DELETE FROM catalog_relationship WHERE from_id = ? OR to_id = ?",
            (entity_id, entity_id),
        )
        self.conn.execute(
            "DELETE FROM catalog_lineage WHERE from_id = ? OR to_id = ?", (entity_id, entity_id)
        )
        self.conn.execute("DELETE FROM catalog_version WHERE id = ?", (entity_id,))
        self.conn.execute("DELETE FROM catalog_version_state WHERE id = ?", (entity_id,))
        self.touch(affected)

    def of_type(self, entity_type: str) -> list[Entity]:
        """Every entity of a type, live ones, ordered by name (small types only)."""
        return [
            Entity.from_row(row)
            for row in self.conn.execute(
                f"SELECT {_COLUMNS} FROM catalog_entity WHERE type = ? AND deleted = 0 "
                "ORDER BY name, id",
                (entity_type,),
            )
        ]

    def descendants(
        self,
        column: str,
        fqn: str,
        *,
        deleted: bool | None = None,
        types: Sequence[str] | None = None,
    ) -> list[Entity]:
        """Entities under a container (of `types` only, when given), deepest first (tables
        before schemas before databases)."""
        assert column in ANCESTOR_COLUMNS
        sql = f"SELECT {_COLUMNS} FROM catalog_entity WHERE {column} = ?"
        params: list[Any] = [fqn]
        if deleted is not None:
            sql += " AND deleted = ?"
            params.append(int(deleted))
        if types is not None:
            sql += f" AND type IN ({marks(types)})"
            params.extend(types)
        rows = [Entity.from_row(row) for row in self.conn.execute(sql, params)]
        return sorted(rows, key=lambda e: (e.schema is None, e.database is None, e.fqn))

    def children_of(self, column: str, child_type: str, fqn: str) -> list[Ref]:
        """Live children of a container, as references ordered by name."""
        assert column in ANCESTOR_COLUMNS
        return [
            Ref.from_row(row)
            for row in self.conn.execute(
                f"SELECT {REF_COLUMNS} FROM catalog_entity e WHERE e.{column} = ? "
                "AND e.type = ? AND e.deleted = 0 ORDER BY e.name, e.id",
                (fqn, child_type),
            )
        ]

    def refs(self, ids: Iterable[str]) -> dict[str, Ref]:
        refs = map(Ref.from_row, self._rows_by_id(REF_COLUMNS, sorted(set(ids))))
        return {ref.id: ref for ref in refs}

    def page(
        self,
        entity_type: str,
        where: dict[str, Any],
        deleted: bool | None,
        limit: int,
        after: tuple[str, str] | None = None,
        before: tuple[str, str] | None = None,
    ) -> Page:
        """Up to `limit` rows after / before a (name, id) cursor, in ascending order."""
        sql, params = self._filter(entity_type, where, deleted)
        if before is not None:
            sql += " AND (name, id) < (?, ?) ORDER BY name DESC, id DESC LIMIT ?"
            params += [*before, limit + 1]
        else:
            if after is not None:
                sql += " AND (name, id) > (?, ?)"
                params += list(after)
            sql += " ORDER BY name, id LIMIT ?"
            params.append(limit + 1)
        cursor = self.conn.cursor()
        # Plain tuples: a page of keys is read on every list request.
        cursor.row_factory = None
        rows = list(map(RowKey._make, cursor.execute(f"SELECT id, name {sql}", params)))
        more = len(rows) > limit
        rows = rows[:limit]
        if before is not None:
            rows.reverse()
        return Page(rows, more)

    def count(self, entity_type: str, where: dict[str, Any], deleted: bool | None) -> int:
        key = (entity_type, tuple(where.items()), deleted)
        total = self._counts.get(key)
        if total is None:
            sql, params = self._filter(entity_type, where, deleted)
            total = int(self.conn.execute(f"SELECT COUNT(*) {sql}", params).fetchone()[0])
            self._counts.put(key, total, (type_key(entity_type),))
        return total

    @staticmethod
    def _filter(
        entity_type: str, where: dict[str, Any], deleted: bool | None
    ) -> tuple[str, list[Any]]:
        sql = "FROM catalog_entity WHERE type = ?"
        params: list[Any] = [entity_type]
        for column, value in where.items():
            if column in ANCESTOR_COLUMNS:
                sql += f" AND {column} = ?"
            elif column == FQN_PREFIX:
                # Everything under an FQN (`PII.` for `PII`), compared case-sensitively.
                prefix = f"{value}."
                sql += " AND substr(fqn, 1, ?) = ?"
                params += [len(prefix), prefix]
                continue
            else:
                sql += f" AND json_extract(doc, '$.{column}') IS ?"
            params.append(value)
        if deleted is not None:
            sql += " AND deleted = ?"
            params.append(int(deleted))
        return sql, params

    def find_by_doc(self, entity_type: str, key: str, value: Any) -> Entity | None:
        row = self.conn.execute(
            f"SELECT {_COLUMNS} FROM catalog_entity WHERE type = ? "
            f"AND json_extract(doc, '$.{key}') = ?",
            (entity_type, value),
        ).fetchone()
        return None if row is None else Entity.from_row(row)

    # relationships

    def related(
        self, to_ids: Sequence[str], relations: Sequence[str]
    ) -> list[tuple[str, str, Ref]]:
        """(to_id, relation, ref of from) for every link into `to_ids`, ordered by name."""
        out: list[tuple[str, str, Ref]] = []
        for part in chunks(to_ids):
            rows = self.conn.execute(
                f"SELECT r.to_id, r.relation, {REF_COLUMNS} FROM catalog_relationship r "
                "JOIN catalog_entity e ON e.id = r.from_id "
                f"WHERE r.to_id IN ({marks(part)}) AND r.relation IN ({marks(relations)}) "
                "ORDER BY e.name, e.id",
                (*part, *relations),
            )
            out.extend((row[0], row[1], Ref.from_row(row, 2)) for row in rows)
        return out

    def targets(self, from_id: str, relation: str) -> list[Ref]:
        """Refs of what `from_id` links to (what a user follows or owns), live ones only."""
        return [
            Ref.from_row(row)
            for row in self.conn.execute(
                f"SELECT {REF_COLUMNS} FROM catalog_relationship r "
                "JOIN catalog_entity e ON e.id = r.to_id "
                "WHERE r.from_id = ? AND r.relation = ? AND e.deleted = 0 ORDER BY e.name, e.id",
                (from_id, relation),
            )
        ]

    def sources(self, to_id: str, relation: str) -> list[str]:
        return [
            row[0]
            for row in self.conn.execute(
                "SELECT from_id FROM catalog_relationship WHERE to_id = ? AND relation = ?",
                (to_id, relation),
            )
        ]

    def link(self, from_id: str, to_id: str, relation: str) -> None:
        self._changed((from_id, to_id))
        self.conn.execute(
            "INSERT OR IGNORE INTO catalog_relationship (from_id, to_id, relation) "
            "VALUES (?, ?, ?)",
            (from_id, to_id, relation),
        )
        self.touch((to_id,))

    def unlink(self, from_id: str, to_id: str, relations: Sequence[str]) -> None:
        self._changed((from_id, to_id))
        self.conn.execute(
            "DELETE FROM catalog_relationship WHERE from_id = ? AND to_id = ? "
            f"AND relation IN ({marks(relations)})",
            (from_id, to_id, *relations),
        )
        self.touch((to_id,))

    def relink(self, to_id: str, relation: str, from_ids: Sequence[str]) -> None:
        if self._caching():
            self._changed([to_id, *self.sources(to_id, relation), *from_ids])
        self.conn.execute(
            "DELETE FROM catalog_relationship WHERE to_id = ? AND relation = ?", (to_id, relation)
        )
        self.conn.executemany(
            "INSERT OR IGNORE INTO catalog_relationship (from_id, to_id, relation) "
            "VALUES (?, ?, ?)",
            [(from_id, to_id, relation) for from_id in from_ids],
        )
        self.touch((to_id,))
