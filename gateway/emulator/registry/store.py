"""SQLite tables of the registry: folders, models and model versions per branch.

A version row keeps its wire JSON ready to send, so reads cost no re-encoding. Versions
of one (model, branch) are listed newest `createdTime` first; `seq` (insertion order)
breaks ties between versions created in the same millisecond.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from gateway.emulator.db import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS registry_folders (
    rid TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    writable INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS registry_models (
    rid TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    folder_rid TEXT NOT NULL REFERENCES registry_folders(rid),
    writable INTEGER NOT NULL DEFAULT 1,
    UNIQUE (folder_rid, display_name)
);
CREATE TABLE IF NOT EXISTS registry_versions (
    seq INTEGER PRIMARY KEY,
    rid TEXT NOT NULL UNIQUE,
    model_rid TEXT NOT NULL REFERENCES registry_models(rid),
    branch TEXT NOT NULL,
    created_time TEXT NOT NULL,
    unsupported INTEGER NOT NULL DEFAULT 0,
    wire TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS registry_versions_by_branch
    ON registry_versions (model_rid, branch, created_time DESC, seq DESC);
"""


def now_timestamp() -> str:
    """The current time as the API writes it: ISO-8601, milliseconds, `Z`."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def version_body(
    rid: str,
    model_api: dict[str, Any],
    conda_requirements: list[str],
    backing_repositories: list[str],
    created_time: str,
    source: dict[str, Any] | None = None,
    linked_experiment: str | None = None,
) -> dict[str, Any]:
    """A ModelVersion in wire form: lists always present, absent optionals left out."""
    body: dict[str, Any] = {
        "rid": rid,
        "modelApi": model_api,
        "condaRequirements": conda_requirements,
        "backingRepositories": backing_repositories,
        "createdTime": created_time,
    }
    if source is not None:
        body["source"] = source
    if linked_experiment is not None:
        body["linkedExperiment"] = linked_experiment
    return body


@dataclass(frozen=True, slots=True)
class FolderRow:
    rid: str
    display_name: str
    writable: bool


@dataclass(frozen=True, slots=True)
class ModelRow:
    rid: str
    display_name: str
    folder_rid: str
    writable: bool


@dataclass(frozen=True, slots=True)
class VersionRow:
    rid: str
    model_rid: str
    branch: str
    seq: int
    created_time: str
    unsupported: bool
    wire: str

    def body(self) -> dict[str, Any]:
        data: dict[str, Any] = orjson.loads(self.wire)
        return data


def _version(row: sqlite3.Row) -> VersionRow:
    return VersionRow(
        rid=row["rid"],
        model_rid=row["model_rid"],
        branch=row["branch"],
        seq=row["seq"],
        created_time=row["created_time"],
        unsupported=bool(row["unsupported"]),
        wire=row["wire"],
    )


class RegistryStore:
    """Reads and writes of the registry tables; every write runs in a transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def create_tables(self) -> None:
        # One statement at a time: executescript() would commit an enclosing transaction.
        for statement in SCHEMA.split(";"):
            if statement.strip():
                self.db.conn.execute(statement)

    def clear(self) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM registry_versions")
            conn.execute("DELETE FROM registry_models")
            conn.execute("DELETE FROM registry_folders")

    def add_folder(self, rid: str, display_name: str) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO registry_folders (rid, display_name) VALUES (?, ?)",
                (rid, display_name),
            )

    def folders(self) -> list[FolderRow]:
        rows = self.db.conn.execute(
            "SELECT rid, display_name, writable FROM registry_folders ORDER BY display_name"
        ).fetchall()
        return [FolderRow(r["rid"], r["display_name"], bool(r["writable"])) for r in rows]

    def folder(self, rid: str) -> FolderRow | None:
        row = self.db.conn.execute(
            "SELECT rid, display_name, writable FROM registry_folders WHERE rid = ?", (rid,)
        ).fetchone()
        return None if row is None else FolderRow(rid, row["display_name"], bool(row["writable"]))

    def set_folder_writable(self, rid: str, writable: bool) -> bool:
        with self.db.transaction() as conn:
            cursor = conn.execute(
                "UPDATE registry_folders SET writable = ? WHERE rid = ?", (int(writable), rid)
            )
        return cursor.rowcount == 1

    def add_model(self, rid: str, display_name: str, folder_rid: str) -> bool:
        """Insert a model; False when the folder already holds that name."""
        with self.db.transaction() as conn:
            cursor = conn.execute(
                "INSERT OR IGNORE INTO registry_models (rid, display_name, folder_rid) "
                "VALUES (?, ?, ?)",
                (rid, display_name, folder_rid),
            )
        return cursor.rowcount == 1

    def model(self, rid: str) -> ModelRow | None:
        row = self.db.conn.execute(
            "SELECT display_name, folder_rid, writable FROM registry_models WHERE rid = ?", (rid,)
        ).fetchone()
        if row is None:
            return None
        return ModelRow(rid, row["display_name"], row["folder_rid"], bool(row["writable"]))

    def set_model_writable(self, rid: str, writable: bool) -> bool:
        with self.db.transaction() as conn:
            cursor = conn.execute(
                "UPDATE registry_models SET writable = ? WHERE rid = ?", (int(writable), rid)
            )
        return cursor.rowcount == 1

    def add_version(self, model_rid: str, branch: str, body: dict[str, Any]) -> VersionRow:
        """Append a version (wire `body`, holding its rid and createdTime) to a branch."""
        wire = orjson.dumps(body).decode()
        with self.db.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO registry_versions (rid, model_rid, branch, created_time, wire) "
                "VALUES (?, ?, ?, ?, ?)",
                (body["rid"], model_rid, branch, body["createdTime"], wire),
            )
        seq = cursor.lastrowid
        assert seq is not None
        return VersionRow(body["rid"], model_rid, branch, seq, body["createdTime"], False, wire)

    def version(self, rid: str) -> VersionRow | None:
        row = self.db.conn.execute(
            "SELECT * FROM registry_versions WHERE rid = ?", (rid,)
        ).fetchone()
        return None if row is None else _version(row)

    def set_unsupported(self, rid: str, unsupported: bool) -> bool:
        with self.db.transaction() as conn:
            cursor = conn.execute(
                "UPDATE registry_versions SET unsupported = ? WHERE rid = ?",
                (int(unsupported), rid),
            )
        return cursor.rowcount == 1

    def page(
        self, model_rid: str, branch: str, after: tuple[str, int] | None, limit: int
    ) -> list[VersionRow]:
        """Up to `limit` versions of a branch, newest first, strictly after the `after` key."""
        if after is None:
            rows = self.db.conn.execute(
                "SELECT * FROM registry_versions WHERE model_rid = ? AND branch = ? "
                "ORDER BY created_time DESC, seq DESC LIMIT ?",
                (model_rid, branch, limit),
            ).fetchall()
        else:
            rows = self.db.conn.execute(
                "SELECT * FROM registry_versions WHERE model_rid = ? AND branch = ? "
                "AND (created_time, seq) < (?, ?) "
                "ORDER BY created_time DESC, seq DESC LIMIT ?",
                (model_rid, branch, after[0], after[1], limit),
            ).fetchall()
        return [_version(r) for r in rows]
