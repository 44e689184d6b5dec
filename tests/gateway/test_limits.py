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
    # given an operation six fields deep, under a limit of 4
    query = "query { mlModels { nodes { service { mlModels { nodes { name } } } } } }"
    # when
    status, body = await _run(emulator, query, max_depth=4)
    # then a request error (no data: execution never started) pointing at the deepest field
    assert (status, body) == (
        400,
        {
            "errors": [
                {
                    "message": "'anonymous' exceeds maximum operation depth of 4",
                    "locations": [{"line": 1, "column": 57}],
                    "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
                }
            ]
        },
    )


async def test_alias_limit(emulator: EmulatorHandle) -> None:
    # given five aliases under a limit of 3
    query = "query { " + " ".join(f"a{i}: me {{ name }}" for i in range(5)) + " }"
    # when
    status, body = await _run(emulator, query, max_aliases=3)
    # then
    assert (status, body) == (
        400,
        {
            "errors": [
                {
                    "message": "5 aliases found. Allowed: 3",
                    "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
                }
            ]
        },
    )


async def test_token_limit(emulator: EmulatorHandle) -> None:
    # given 403 tokens under a limit of 50
    query = "query { " + " ".join("me { name }" for _ in range(100)) + " }"
    # when
    status, body = await _run(emulator, query, max_tokens=50)
    # then parsing stops at the 51st token
    assert (status, body) == (
        400,
        {
            "errors": [
                {
                    "message": (
                        "Syntax Error: Document contains more than 50 tokens. Parsing aborted."
                    ),
                    "locations": [{"line": 1, "column": 153}],
                    "extensions": {"code": "GRAPHQL_PARSE_FAILED"},
                }
            ]
        },
    )


async def test_body_size_limit(emulator: EmulatorHandle) -> None:
    settings = gateway_settings(emulator, max_body_bytes=2048)
    async with running_gateway(settings, emulator) as gateway:
        emulator.reset_counters()
        response = await gateway.http.post(
            "/graphql", json={"query": "query { me { name } }", "padding": "x" * 5000}
        )
        assert emulator.counters() == {}
    assert (response.status_code, response.json()) == (
        413,
        {
            "errors": [
                {
                    "message": "Request body is larger than 2048 bytes.",
                    "extensions": {"code": "PAYLOAD_TOO_LARGE"},
                }
            ]
        },
    )


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
