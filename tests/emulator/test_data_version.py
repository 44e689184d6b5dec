"""A data directory written by another emulator version is set aside, never half-read."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from gateway.emulator.app import Emulator
from gateway.emulator.config import EmulatorConfig
from gateway.emulator.db import DATA_VERSION


def counts(path: Path) -> tuple[int, int, int]:
    """(data version, catalog entities, search documents) of a database file."""
    with closing(sqlite3.connect(path)) as conn:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        entities = conn.execute("SELECT COUNT(*) FROM catalog_entity").fetchone()[0]
        documents = conn.execute("SELECT COUNT(*) FROM search_doc").fetchone()[0]
    return int(version), int(entities), int(documents)


def test_an_older_database_is_kept_aside_and_the_emulator_starts_from_a_fresh_seed(
    tmp_path: Path,
) -> None:
    # given a data directory an older emulator wrote (no data version, no search index)
    old = tmp_path / "emulator.sqlite3"
    with closing(sqlite3.connect(old)) as conn:
        conn.execute("CREATE TABLE catalog_entity (id TEXT PRIMARY KEY, doc TEXT)")
        conn.execute("INSERT INTO catalog_entity VALUES ('x', '{}')")
        conn.execute("CREATE TABLE seed_marker (done INTEGER)")
        conn.execute("INSERT INTO seed_marker VALUES (1)")
        conn.commit()
    # when an emulator starts on it
    emulator = Emulator(EmulatorConfig(data=str(tmp_path)))
    emulator.db.close()
    # then the old file is kept beside, untouched, and the new one is seeded and indexed
    kept = tmp_path / "emulator.sqlite3.v0.bak"
    with closing(sqlite3.connect(kept)) as conn:
        assert conn.execute("SELECT id FROM catalog_entity").fetchall() == [("x",)]
    version, entities, documents = counts(old)
    assert version == DATA_VERSION
    assert entities > 100
    assert documents > 0


def test_a_database_of_this_version_is_reopened_as_it_is(tmp_path: Path) -> None:
    # given a data directory this emulator wrote, with a write of its own
    first = Emulator(EmulatorConfig(data=str(tmp_path)))
    first.db.conn.execute("INSERT INTO seed_marker VALUES (2)")
    first.db.close()
    # when an emulator starts on it again
    second = Emulator(EmulatorConfig(data=str(tmp_path)))
    markers = second.db.conn.execute("SELECT COUNT(*) FROM seed_marker").fetchone()[0]
    second.db.close()
    # then nothing was set aside or reseeded
    assert markers == 2
    assert sorted(p.name for p in tmp_path.iterdir() if ".bak" in p.name) == []
