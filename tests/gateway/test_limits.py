"""Query limits answer clear errors before any upstream call."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import EmulatorHandle, gateway_settings, running_gateway


async def _run(
    emulator: EmulatorHandle, query: str, **settings: object
) -> tuple[int, dict[str, Any]]:
    async with running_gateway(gateway_settings(emulator, **settings), emulator) as gateway:
        emulator.reset_counters()
        response = await gateway.http.post("/graphql", json={"query": query})
        assert emulator.counters() == {}
        return response.status_code, response.json()


async def test_depth_limit(emulator: EmulatorHandle) -> None:
    query = "query { mlModels { nodes { service { mlModels { nodes { name } } } } } }"
    _, body = await _run(emulator, query, max_depth=4)
    assert "data" not in body  # a request error: execution never started
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "exceeds maximum operation depth of 4" in error["message"]


async def test_alias_limit(emulator: EmulatorHandle) -> None:
    query = "query { " + " ".join(f"a{i}: me {{ name }}" for i in range(5)) + " }"
    _, body = await _run(emulator, query, max_aliases=3)
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "aliases" in error["message"]


async def test_token_limit(emulator: EmulatorHandle) -> None:
    query = "query { " + " ".join("me { name }" for _ in range(100)) + " }"
    _, body = await _run(emulator, query, max_tokens=50)
    (error,) = body["errors"]
    assert "token" in error["message"].lower()
    assert error["extensions"]["code"] in {"GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED"}


async def test_body_size_limit(emulator: EmulatorHandle) -> None:
    settings = gateway_settings(emulator, max_body_bytes=2048)
    async with running_gateway(settings, emulator) as gateway:
        response = await gateway.http.post(
            "/graphql", json={"query": "query { me { name } }", "padding": "x" * 5000}
        )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


@pytest.mark.parametrize("enabled", [True, False])
async def test_introspection_switch(emulator: EmulatorHandle, enabled: bool) -> None:
    _, body = await _run(
        emulator, "query { __schema { queryType { name } } }", introspection=enabled
    )
    if enabled:
        assert body == {"data": {"__schema": {"queryType": {"name": "Query"}}}}
    else:
        assert "data" not in body
        assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_malformed_document_is_parse_failed(emulator: EmulatorHandle) -> None:
    _, body = await _run(emulator, "query { mlModels { ")
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


async def test_wrong_variable_type_is_bad_user_input(emulator: EmulatorHandle) -> None:
    async with running_gateway(gateway_settings(emulator), emulator) as gateway:
        result = await gateway.execute(
            "query Q($n: Int!) { mlModels(first: $n) { totalCount } }", {"n": "ten"}
        )
    assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_unused_variable_is_a_validation_error(emulator: EmulatorHandle) -> None:
    _, body = await _run(emulator, "query Q($a: Int) { me { name } }")
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
