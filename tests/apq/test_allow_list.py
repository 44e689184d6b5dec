"""Operations files and allow-list mode (`persisted_queries_only`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from pydantic import ValidationError

from gateway.base.settings import Settings
from gateway.server.app import create_app
from tests.apq.apq import FIRST_TWO, MODELS, NOT_FOUND, post, sha256
from tests.conftest import EmulatorHandle, gateway_settings, running_gateway

UNLISTED = "query { me { name } }"
NOT_IN_LIST = {
    "errors": [
        {
            "message": "Only registered operations run on this gateway "
            "(persisted_queries_only), and this document is not one of them.",
            "extensions": {"code": "PERSISTED_QUERY_NOT_IN_LIST"},
        }
    ]
}
N2 = {"n": 2}


def _apollo_manifest(path: Path, *queries: str) -> Path:
    operations = [
        {"id": sha256(query), "name": "Models", "type": "query", "body": query} for query in queries
    ]
    manifest = {"format": "apollo-persisted-query-manifest", "version": 1, "operations": operations}
    path.write_bytes(orjson.dumps(manifest))
    return path


def _allow_list(emulator: EmulatorHandle, tmp_path: Path) -> Settings:
    manifest = _apollo_manifest(tmp_path / "operations.json", MODELS)
    return gateway_settings(
        emulator, persisted_queries_only=True, persisted_queries_file=str(manifest)
    )


async def test_listed_operations_run_by_hash_or_in_full(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    async with running_gateway(_allow_list(emulator, tmp_path), emulator) as gateway:
        by_hash = await post(gateway.http, MODELS, send_query=False, variables=N2)
        in_full = await gateway.http.post("/graphql", json={"query": MODELS, "variables": N2})
    assert (by_hash.status_code, by_hash.json()) == (200, FIRST_TWO)
    assert (in_full.status_code, in_full.json()) == (200, FIRST_TWO)


@pytest.mark.parametrize("with_hash", [False, True], ids=["query", "hash-and-query"])
async def test_other_operations_are_refused_before_any_upstream_call(
    emulator: EmulatorHandle, tmp_path: Path, with_hash: bool
) -> None:
    # given
    body: dict[str, Any] = {"query": UNLISTED}
    if with_hash:
        body["extensions"] = {"persistedQuery": {"version": 1, "sha256Hash": sha256(UNLISTED)}}
    async with running_gateway(_allow_list(emulator, tmp_path), emulator) as gateway:
        emulator.reset_counters()
        # when
        response = await gateway.http.post("/graphql", json=body)
        afterwards = await post(gateway.http, UNLISTED, send_query=False)
    # then: refused, and not registered either
    assert (response.status_code, response.json()) == (403, NOT_IN_LIST)
    assert afterwards.json() == NOT_FOUND
    assert emulator.counters() == {}


async def test_a_hash_map_file_preregisters_operations(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    # given: graphql-codegen's persisted documents format, without allow-list mode
    path = tmp_path / "persisted-documents.json"
    path.write_bytes(orjson.dumps({sha256(MODELS): MODELS}))
    settings = gateway_settings(emulator, persisted_queries_file=str(path))
    async with running_gateway(settings, emulator) as gateway:
        # when: the very first request names it by hash
        listed = await post(gateway.http, MODELS, send_query=False, variables=N2)
        unlisted = await gateway.http.post("/graphql", json={"query": UNLISTED})
    # then
    assert listed.json() == FIRST_TWO
    assert unlisted.json() == {"data": {"me": {"name": "admin"}}}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            orjson.dumps({"0" * 64: MODELS}),
            f"persisted queries file {{path}}: id {'0' * 64} is not the SHA-256 of its document",
        ),
        (b"[]", "persisted queries file {path}: expected a JSON object"),
        (
            orjson.dumps({"operations": {}}),
            "persisted queries file {path}: `operations` must be a list",
        ),
        (
            orjson.dumps({sha256(MODELS): 1}),
            "persisted queries file {path}: ids and bodies must be strings",
        ),
    ],
    ids=["wrong-id", "array", "operations-not-a-list", "body-not-a-string"],
)
def test_a_bad_operations_file_stops_start_up(
    emulator_server: EmulatorHandle, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "operations.json"
    path.write_bytes(content)
    settings = gateway_settings(emulator_server, persisted_queries_file=str(path))
    with pytest.raises(ValueError) as error:
        create_app(settings)
    assert str(error.value) == message.format(path=path)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"persisted_queries_only": True},
            "persisted_queries_only needs persisted_queries_file or redis_url to hold the "
            "allowed operations",
        ),
        (
            {"persisted_queries_only": True, "persisted_queries": False},
            "persisted_queries_only needs persisted_queries",
        ),
        ({"redis_url": "http://127.0.0.1:6379"}, "must start with redis://, rediss:// or unix://"),
    ],
    ids=["nothing-listed", "apq-off", "redis-scheme"],
)
def test_inconsistent_settings_are_refused(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError) as error:
        Settings(**overrides)  # type: ignore[arg-type]
    assert message in str(error.value)
