"""One SQLite connection shared by the emulator's components.

All handlers run on the event loop thread and call SQLite synchronously, so every
request's reads and writes happen one after another: concurrent follows and votes
cannot interleave and lose an update.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

log = logging.getLogger("gateway.emulator")

# The layout and seed of the database this emulator writes, kept in SQLite's
# `user_version`. A database file written by an emulator of another data version (older
# tables, a seed without roles, tags or a search index) is set aside, not read: see
# `set_aside_outdated`. Raise it whenever tables or the seed change.
DATA_VERSION = 2


class Database:
    """A thin wrapper around one `sqlite3.Connection` in autocommit mode."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        if path != ":memory:":
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        # Run inside every transaction just before it commits (derived tables catching up
        # with the rows the transaction wrote, so they commit together).
        self.before_commit: list[Callable[[], None]] = []

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run a block atomically; nested use joins the outer transaction."""
        if self.conn.in_transaction:
            yield self.conn
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        try:
            for hook in self.before_commit:
                hook()
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()


def set_aside_outdated(path: str) -> Path | None:
    """Move a database file of another `DATA_VERSION` out of the way (kept beside it as
    `<name>.v<version>.bak`, with its WAL files), so the emulator starts afresh and seeds
    again; the file it moved, or None when there was nothing to move."""
    file = Path(path)
    if path == ":memory:" or not file.exists():
        return None
    with closing(sqlite3.connect(path)) as conn:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        tables = conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'")
        empty = int(tables.fetchone()[0]) == 0
    if empty or version == DATA_VERSION:
        return None
    kept = file.with_name(f"{file.name}.v{version}.bak")
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{path}{suffix}")
        if source.exists():
            source.replace(Path(f"{kept}{suffix}"))
    log.warning(
        "emulator data at %s was written by another emulator version (data version %d, "
        "this one writes %d): kept as %s, starting from a fresh seed",
        path,
        version,
        DATA_VERSION,
        kept,
    )
    return kept
