"""schema.graphql is the exported SDL; it must not drift from the code."""

from __future__ import annotations

from pathlib import Path

from gateway.graphql.schema import export_sdl
from gateway.server.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_schema_graphql_matches_the_code() -> None:
    committed = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert committed == export_sdl(), (
        "schema.graphql is stale: run `gateway export-schema -o schema.graphql`"
    )


def test_export_schema_command_writes_the_sdl(tmp_path: Path) -> None:
    target = tmp_path / "schema.graphql"
    main(["export-schema", "-o", str(target)])
    assert target.read_text(encoding="utf-8") == export_sdl()
