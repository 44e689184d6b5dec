"""Version snapshots and tags: the catalog tables beside its entities and relationships.

`catalog_version_state` keeps, beside each snapshot, what that version was made of as
stored (its document, its relationship ids, who wrote it and when): a PATCH consolidated
with the previous version is compared with it.
`catalog_tag` is the index of what a tag label may name: the classification tags (also
served as `tag` entities under `/v1/tags`, and kept in step with them) and the glossary
terms, by FQN.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import orjson

from gateway.emulator.catalog.rows import Tag


class SideTables:
    """The `catalog_version` and `catalog_tag` half of the store."""

    conn: sqlite3.Connection
    _tags: dict[str, Tag] | None

    def forget(self) -> None:
        """Empty every cache derived from the rows."""
        raise NotImplementedError

    # versions

    def save_version(self, entity_id: str, version: int, doc: dict[str, Any]) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO catalog_version (id, version, doc) VALUES (?, ?, ?)",
            (entity_id, version, orjson.dumps(doc).decode()),
        )

    def versions(self, entity_id: str, below: int) -> list[str]:
        """Stored snapshots older than `below`, newest first, as JSON text."""
        return [
            row[0]
            for row in self.conn.execute(
                "SELECT doc FROM catalog_version WHERE id = ? AND version < ? "
                "ORDER BY version DESC",
                (entity_id, below),
            )
        ]

    def version(self, entity_id: str, version: int) -> str | None:
        row = self.conn.execute(
            "SELECT doc FROM catalog_version WHERE id = ? AND version = ?", (entity_id, version)
        ).fetchone()
        return None if row is None else str(row[0])

    def drop_version(self, entity_id: str, version: int) -> None:
        """Forget a version (one that a consolidated PATCH replaced)."""
        for table in ("catalog_version", "catalog_version_state"):
            self.conn.execute(
                f"DELETE FROM {table} WHERE id = ? AND version = ?", (entity_id, version)
            )

    # what each version was made of (what a consolidated PATCH compares with)

    def save_state(self, entity_id: str, version: int, state: dict[str, Any]) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO catalog_version_state (id, version, state) VALUES (?, ?, ?)",
            (entity_id, version, orjson.dumps(state).decode()),
        )

    def state(self, entity_id: str, version: int) -> dict[str, Any] | None:
        row = self.conn.execute(
            "SELECT state FROM catalog_version_state WHERE id = ? AND version = ?",
            (entity_id, version),
        ).fetchone()
        if row is None:
            return None
        state: dict[str, Any] = orjson.loads(row[0])
        return state

    # tags

    def add_tag(self, tag: Tag) -> None:
        """Make a tag or glossary term one a label may name (or update the one of that FQN)."""
        self.conn.execute(
            "INSERT OR REPLACE INTO catalog_tag "
            "(fqn, id, source, name, display_name, description, style) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                tag.fqn,
                tag.id,
                tag.source,
                tag.name,
                tag.display_name,
                tag.description,
                None if tag.style is None else orjson.dumps(tag.style).decode(),
            ),
        )
        self.forget()

    def remove_tag(self, fqn: str) -> None:
        """A label may no longer name this tag (it was deleted)."""
        self.conn.execute("DELETE FROM catalog_tag WHERE fqn = ?", (fqn,))
        self.forget()

    def tags(self) -> dict[str, Tag]:
        """Every tag and glossary term a label may name, by FQN; cached, as tags change only
        when one is created, updated or deleted."""
        if self._tags is None:
            self._tags = {
                row[0]: Tag(
                    row[0],
                    row[1],
                    row[2],
                    row[3],
                    row[4],
                    row[5],
                    None if row[6] is None else orjson.loads(row[6]),
                )
                for row in self.conn.execute(
                    "SELECT fqn, id, source, name, display_name, description, style "
                    "FROM catalog_tag"
                )
            }
        return self._tags
