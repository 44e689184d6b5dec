"""Fuzzing the in-process gateway: random and malformed documents, variables and HTTP requests
never crash it; every answer is data or GraphQL-shaped errors, each with `extensions.code`.

Reproducible (derandomized); `GATEWAY_FUZZ_SCALE` scales the number of examples (default
1 = about 2,000 requests in all).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import HealthCheck, Phase, event, example, given, settings
from hypothesis import strategies as st

from tests.conftest import EmulatorHandle, gateway_settings, running_gateway
from tests.fuzz.strategies import (
    ACCEPTS,
    AUTHORIZATION,
    CONTENT_TYPES,
    DOCUMENTS,
    METHODS,
    PREFLIGHT_HEADERS,
    Operation,
    bodies,
    query_strings,
)

SCALE = float(os.environ.get("GATEWAY_FUZZ_SCALE", "1"))
# No shrinking: each step replays requests through the gateway, so it could outlast the
# test timeout; a failure reports the example as generated.
FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
JSON_TYPES = ("application/json", "application/graphql-response+json")
# A masked crash; and, with a healthy emulator and no fault injected, a request the gateway
# should never have sent (or an emulator bug).
BUGS = ("INTERNAL_SERVER_ERROR", "UPSTREAM_ERROR")


def fuzz(examples: int) -> settings:
    return settings(FUZZ, max_examples=max(1, int(examples * SCALE)))


@pytest.fixture(scope="module")
async def http(emulator_server: EmulatorHandle, executor: str) -> AsyncIterator[httpx.AsyncClient]:
    """One gateway for the module (per executor), over the shared emulator, which is
    reseeded afterwards (fuzzed mutations may write to it)."""
    # No playground: a browser's GET would get its HTML page (or a 503 without npm files).
    settings_ = gateway_settings(emulator_server, graphiql=False, executor=executor)
    try:
        async with running_gateway(settings_, emulator_server) as gateway:
            yield gateway.http
    finally:
        emulator_server.reset()


def assert_graphql_shaped(response: httpx.Response) -> None:
    """No 5xx; a JSON body of `data` and/or `errors`, each error `{message, extensions.code}`
    with a code in none of BUGS."""
    status = response.status_code
    context = f"{response.request.method} {response.request.url} -> {status}: {response.text[:500]}"
    assert status < 500, context
    if status == 204:
        return
    assert response.headers["content-type"].split(";")[0] in JSON_TYPES, context
    body: Any = orjson.loads(response.content)
    assert isinstance(body, dict), context
    assert set(body) <= {"data", "errors", "extensions"}, context
    assert "data" in body or "errors" in body, context
    if "errors" in body:
        errors = body["errors"]
        assert isinstance(errors, list), context
        assert errors, context
        for error in errors:
            assert isinstance(error["message"], str), context
            code = error["extensions"]["code"]
            assert isinstance(code, str), context
            assert code, context
            assert code not in BUGS, context
    if "data" not in body:
        assert status in (200, 400, 403, 405, 406, 413, 415), context
    # Shown by --hypothesis-show-statistics: how far the requests got.
    codes = sorted({error["extensions"]["code"] for error in body.get("errors", ())})
    event(f"{status} {'data' if body.get('data') else 'no data'} {' '.join(codes)}")


@fuzz(750)
@given(operation=DOCUMENTS, accept=ACCEPTS)
# Found by this test once; kept as explicit examples.
@example(operation=Operation("query { me { ...Undefined } }"), accept=None)
@example(operation=Operation('query { service(kind: DATABASE, name: "") { id } }'), accept=None)
@example(
    operation=Operation("query { _entities(representations: [{}]) { __typename } }"), accept=None
)
async def test_documents_and_variables(
    http: httpx.AsyncClient, operation: Operation, accept: str | None
) -> None:
    body = {
        "query": operation.query,
        "variables": operation.variables,
        "operationName": operation.operation_name,
    }
    headers = {"Content-Type": "application/json"} | ({"Accept": accept} if accept else {})
    response = await http.post("/graphql", content=orjson.dumps(body), headers=headers)
    assert_graphql_shaped(response)


@fuzz(800)
@given(
    method=METHODS,
    body=bodies(),
    content_type=CONTENT_TYPES,
    accept=ACCEPTS,
    preflight=PREFLIGHT_HEADERS,
    authorization=AUTHORIZATION,
)
async def test_http_bodies(
    http: httpx.AsyncClient,
    method: str,
    body: bytes,
    content_type: str | None,
    accept: str | None,
    preflight: dict[str, str],
    authorization: dict[str, str],
) -> None:
    headers = preflight | authorization
    if content_type is not None:
        headers["Content-Type"] = content_type
    if accept is not None:
        headers["Accept"] = accept
    response = await http.request(method, "/graphql", content=body, headers=headers)
    assert_graphql_shaped(response)


@fuzz(400)
@given(query_string=query_strings(), accept=ACCEPTS, preflight=PREFLIGHT_HEADERS)
async def test_get_query_strings(
    http: httpx.AsyncClient, query_string: str, accept: str | None, preflight: dict[str, str]
) -> None:
    headers = preflight | ({"Accept": accept} if accept else {})
    response = await http.get(f"/graphql?{query_string}", headers=headers)
    assert_graphql_shaped(response)


@fuzz(50)
@given(origin=st.sampled_from(["https://a.example", "null", ""]), method=METHODS)
async def test_preflights(http: httpx.AsyncClient, origin: str, method: str) -> None:
    headers = {"Origin": origin, "Access-Control-Request-Method": method}
    response = await http.options("/graphql", headers=headers)
    assert_graphql_shaped(response)
