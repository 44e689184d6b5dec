"""The catalog's search index: one document per ML model, table and user, kept in step with
writes.

Every store write names the entities whose document it may change (`Store.touch`); their
ids wait in `pending` until the transaction commits, when `flush` rebuilds their documents
inside it (a write outside a transaction flushes at once). So a search always sees the
last write. `hold()` stops flushing, as if the upstream's asynchronous indexing lagged;
`release()` catches up.

Tables: `search_doc` (the `_source` and the columns sorting reads), `search_term` (every
scalar leaf of a document by dotted path, for term filters and facets, indexed by
(field, lower-cased value)) and `search_fts` (FTS5 over the free-text fields, ranked by
bm25), so a query reads indexes rather than every document.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson

from gateway.emulator.catalog.kinds import EntityKind
from gateway.emulator.catalog.search_docs import INDEXES, SearchDocument, build_document
from gateway.emulator.catalog.search_query import TEXT_COLUMNS, TEXT_WEIGHTS, Cond
from gateway.emulator.catalog.store import Store, chunks, marks

SEARCH_DDL = f"""
CREATE TABLE IF NOT EXISTS search_doc (
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    idx TEXT NOT NULL,
    deleted INTEGER NOT NULL,
    name_key TEXT NOT NULL,
    display_key TEXT NOT NULL,
    fqn_key TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    total_votes INTEGER NOT NULL,
    followers INTEGER NOT NULL,
    source TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS search_doc_idx ON search_doc (idx, deleted);
CREATE TABLE IF NOT EXISTS search_term (
    field TEXT NOT NULL,
    norm TEXT NOT NULL,
    id TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (field, norm, id, value)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS search_term_id ON search_term (id);
CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5({", ".join(TEXT_COLUMNS)});
"""
SEARCH_TABLES = ("search_doc", "search_term", "search_fts")
# Sort fields -> the `search_doc` column (or score) they read; `followers` sorts by count.
SORT_COLUMNS = {
    "_score": "score",
    "name": "d.name_key",
    "displayName": "d.display_key",
    "fullyQualifiedName": "d.fqn_key",
    "updatedAt": "d.updated_at",
    "totalVotes": "d.total_votes",
    "followers": "d.followers",
}
_TEXT_SORTS = frozenset({"name", "displayName", "fullyQualifiedName"})
# What a field missing from the mapping sorts as (`unmappedType: integer`, missing last).
_LONG_MIN, _LONG_MAX = -(2**63), 2**63 - 1
MAX_WINDOW = 10_000
# The CTE of the documents a facet statement counts the terms of.
FACET_MATCHES = "facet_match"
_BM25 = ", ".join(str(w) for w in TEXT_WEIGHTS)


# How many documents' `_source` were decoded (a search decodes only its page's).
decoded = 0


def decode_source(text: str) -> dict[str, Any]:
    global decoded
    decoded += 1
    result: dict[str, Any] = orjson.loads(text)
    return result


@dataclass(slots=True)
class Hit:
    id: str
    index: str
    source: dict[str, Any]
    score: float | None
    sort: list[Any]


@dataclass(slots=True)
class Sort:
    field: str
    descending: bool


class SearchIndex:
    """Maintains the search tables and answers queries over them."""

    def __init__(self, store: Store, kinds: dict[str, EntityKind]) -> None:
        self.store = store
        self.conn = store.conn
        self.kinds = {t: kinds[t] for t in INDEXES}
        self.pending: set[str] = set()
        self.held = False
        self._flushing = False
        store.extra_ddl.append(SEARCH_DDL)
        store.extra_tables.extend(SEARCH_TABLES)
        store.touched = self.touch
        store.db.before_commit.append(self.flush)

    # keeping in step

    def touch(self, ids: Iterable[str]) -> None:
        self.pending.update(ids)
        if not self.conn.in_transaction:
            self.flush()

    def hold(self) -> None:
        self.held = True

    def release(self) -> None:
        self.held = False
        self.flush()

    def reset(self) -> None:
        """The tables were cleared or restored: nothing waits, nothing is held."""
        self.pending.clear()
        self.held = False

    def lag(self) -> int:
        return len(self.pending)

    def flush(self) -> None:
        if self.held or self._flushing or not self.pending:
            return
        self._flushing = True
        try:
            with self.store.db.transaction():
                while self.pending:
                    ids = sorted(self.pending)
                    self.pending.clear()
                    self._reindex(ids)
        finally:
            self._flushing = False

    def _reindex(self, ids: list[str]) -> None:
        entities = self.store.get_many(ids)
        for part in chunks(ids):
            rids = [
                row[0]
                for row in self.conn.execute(
                    f"SELECT rid FROM search_doc WHERE id IN ({marks(part)})", part
                )
            ]
            for rid_part in chunks([str(r) for r in rids]):
                self.conn.execute(
                    f"DELETE FROM search_fts WHERE rowid IN ({marks(rid_part)})", rid_part
                )
            self.conn.execute(f"DELETE FROM search_doc WHERE id IN ({marks(part)})", part)
            self.conn.execute(f"DELETE FROM search_term WHERE id IN ({marks(part)})", part)
        for entity_id in ids:
            entity = entities.get(entity_id)
            if entity is None or entity.type not in self.kinds:
                continue
            self._insert(build_document(self.store, self.kinds[entity.type], entity))

    def _insert(self, doc: SearchDocument) -> None:
        source = doc.source
        cursor = self.conn.execute(
            "INSERT INTO search_doc (id, idx, deleted, name_key, display_key, fqn_key, "
            "updated_at, total_votes, followers, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                doc.id,
                doc.index,
                int(source["deleted"]),
                source["name"].lower(),
                source["displayName"].lower(),
                source["fullyQualifiedName"].lower(),
                source["updatedAt"],
                source.get("totalVotes", 0),
                doc.followers,
                orjson.dumps(source).decode(),
            ),
        )
        rid = cursor.lastrowid
        self.conn.execute(
            f"INSERT INTO search_fts (rowid, {', '.join(TEXT_COLUMNS)}) "
            f"VALUES (?, {marks(TEXT_COLUMNS)})",
            (rid, *(doc.text[c] for c in TEXT_COLUMNS)),
        )
        self.conn.executemany(
            "INSERT OR IGNORE INTO search_term (field, norm, id, value) VALUES (?, ?, ?, ?)",
            [(path, value.lower(), doc.id, value) for path, value in doc.terms],
        )

    # querying

    def _where(self, indexes: list[str], deleted: bool | None, conds: list[Cond]) -> Cond:
        """The documents of `indexes` meeting every condition. When one lists the ids it
        can match, the (index, deleted) columns are only checked (`+` keeps SQLite from
        reading them through `search_doc_idx`), so the documents are read by id instead of
        scanning the index's."""
        by_id = any(cond.by_id for cond in conds)
        plain = "+" if by_id else ""
        sql = f"{plain}d.idx IN ({marks(indexes)})"
        params: list[Any] = list(indexes)
        if deleted is not None:
            sql += f" AND {plain}d.deleted = ?"
            params.append(int(deleted))
        for cond in conds:
            sql += f" AND {cond.sql}"
            params += cond.params
        return Cond(sql, params, by_id=by_id)

    def count(self, indexes: list[str], deleted: bool | None, conds: list[Cond]) -> int:
        where = self._where(indexes, deleted, conds)
        row = self.conn.execute(
            f"SELECT COUNT(*) FROM search_doc d WHERE {where.sql}", where.params
        ).fetchone()
        return int(row[0])

    def hits(
        self,
        indexes: list[str],
        deleted: bool | None,
        conds: list[Cond],
        scoring: list[str],
        sort: Sort,
        start: int,
        size: int,
        after: list[str] | None,
    ) -> tuple[list[Hit], float | None]:
        """A page of hits in sort order, and the best score (None unless sorted by score)."""
        where = self._where(indexes, deleted, conds)
        join, join_params = "", []
        score = "1.0"
        if scoring:
            join = (
                f"LEFT JOIN (SELECT rowid AS r, -bm25(search_fts, {_BM25}) AS s FROM search_fts "
                "WHERE search_fts MATCH ?) sc ON sc.r = d.rid"
            )
            join_params = [" OR ".join(f"({expr})" for expr in scoring)]
            score = "(COALESCE(sc.s, 0.0) + 1.0)"
        column = SORT_COLUMNS.get(sort.field)
        if column is None:
            missing = _LONG_MIN if sort.descending else _LONG_MAX
            column = str(missing)
        elif column == "score":
            column = score
        by_score = sort.field == "_score"
        inner = (
            f"SELECT d.id AS id, d.idx AS idx, d.source AS source, {score} AS score, "
            f"{column} AS sv FROM search_doc d {join} WHERE {where.sql}"
        )
        params = [*join_params, *where.params]
        direction = "DESC" if sort.descending else "ASC"
        outer = f"SELECT id, idx, source, score, sv FROM ({inner})"
        if after:
            value = self._after_value(sort, after[0])
            op = "<" if sort.descending else ">"
            if len(after) > 1:
                outer += f" WHERE (sv {op} ? OR (sv = ? AND id > ?))"
                params += [value, value, after[1]]
            else:
                outer += f" WHERE sv {op} ?"
                params.append(value)
        outer += f" ORDER BY sv {direction}, id LIMIT ? OFFSET ?"
        params += [size, start]
        out = []
        for row in self.conn.execute(outer, params):
            hit_score = round(float(row[3]), 6) if by_score else None
            sort_value = hit_score if by_score else row[4]
            out.append(Hit(row[0], row[1], decode_source(row[2]), hit_score, [sort_value]))
        best = None
        if by_score:
            row = self.conn.execute(
                f"SELECT MAX({score}) FROM search_doc d {join} WHERE {where.sql}",
                [*join_params, *where.params],
            ).fetchone()
            best = None if row[0] is None else round(float(row[0]), 6)
        return out, best

    @staticmethod
    def _after_value(sort: Sort, text: str) -> Any:
        if sort.field in _TEXT_SORTS:
            return text.lower()
        try:
            number = float(text)
        except ValueError:
            return text
        return int(number) if number.is_integer() and sort.field != "_score" else number

    def buckets(
        self,
        indexes: list[str],
        deleted: bool | None,
        conds: list[Cond],
        field: str,
        *,
        lower: bool,
    ) -> list[tuple[str, int]]:
        """(key, number of documents) of every value at `field`, most documents first."""
        return self.facets(indexes, deleted, conds, [(field, lower)])[(field, lower)]

    def facets(
        self,
        indexes: list[str],
        deleted: bool | None,
        conds: list[Cond],
        fields: list[tuple[str, bool]],
    ) -> dict[tuple[str, bool], list[tuple[str, int]]]:
        """`buckets` of each (field, lower) in one statement: the matching documents' ids
        are read once (a materialized CTE), then each one's terms at the fields through
        `search_term_id` (id, field), counted by `GROUP BY`. Only the matching documents'
        terms are read, so the work follows the matches, not the index's size."""
        where = self._where(indexes, deleted, conds)
        out: dict[tuple[str, bool], list[tuple[str, int]]] = {pair: [] for pair in fields}
        parts: list[str] = []
        params: list[Any] = list(where.params)
        for lower in (True, False):
            paths = sorted({path for path, low in fields if low is lower})
            if not paths:
                continue
            key = "t.norm" if lower else "t.value"
            parts.append(
                f"SELECT {int(lower)} AS low, t.field AS field, {key} AS k, "
                f"COUNT(DISTINCT t.id) AS n FROM {FACET_MATCHES} m CROSS JOIN search_term t "
                f"ON t.id = m.id WHERE t.field IN ({marks(paths)}) GROUP BY t.field, {key}"
            )
            params += paths
        if not parts:
            return out
        sql = (
            f"WITH {FACET_MATCHES}(id) AS MATERIALIZED "
            f"(SELECT d.id FROM search_doc d WHERE {where.sql}) "
            f"{' UNION ALL '.join(parts)} ORDER BY low, field, n DESC, k"
        )
        for low, path, key, count in self.conn.execute(sql, params):
            out[(str(path), bool(low))].append((str(key), int(count)))
        return out

    def facet_plan(
        self, indexes: list[str], deleted: bool | None, conds: list[Cond], field: str
    ) -> list[str]:
        """SQLite's plan of a facet's statement (`EXPLAIN QUERY PLAN` details)."""
        where = self._where(indexes, deleted, conds)
        sql = (
            f"WITH {FACET_MATCHES}(id) AS MATERIALIZED "
            f"(SELECT d.id FROM search_doc d WHERE {where.sql}) "
            f"SELECT t.norm, COUNT(DISTINCT t.id) FROM {FACET_MATCHES} m CROSS JOIN "
            "search_term t ON t.id = m.id WHERE t.field IN (?) GROUP BY t.field, t.norm"
        )
        rows = self.conn.execute(f"EXPLAIN QUERY PLAN {sql}", [*where.params, field])
        return [str(row[3]) for row in rows]

    def sources(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for part in chunks(ids):
            for row in self.conn.execute(
                f"SELECT id, source FROM search_doc WHERE id IN ({marks(part)})", part
            ):
                out[row[0]] = decode_source(row[1])
        return out
