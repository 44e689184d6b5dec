"""GATEWAY_HTTP_VIEW: the gateway's own /graphql view against Strawberry's stock one.

Both serve the same schema, context and CSRF prevention over the same emulator. Each case
is sent to both; where the views agree the answers must be equal, body and status (media
type parameters aside); where they differ, the difference is listed with its reason and
both answers are asserted exactly, so a change on either side shows.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.conftest import EmulatorHandle, gateway_settings, running_gateway

JSON = {"Accept": "application/json"}
PREFLIGHT = {**JSON, "GraphQL-Require-Preflight": "1"}
Request = tuple[str, dict[str, str], dict[str, Any]]


def post(query: str | None, headers: dict[str, str] = JSON, **body: object) -> Request:
    payload = {"query": query, **body} if query is not None else body
    return ("POST", headers, {"json": payload})


def error(message: str, code: str, **extra: object) -> dict[str, object]:
    return {"message": message, **extra, "extensions": {"code": code}}


AT_1_3 = {"locations": [{"line": 1, "column": 3}]}
CSRF = (
    "This request has been blocked as a potential Cross-Site Request Forgery (CSRF). Send it "
    "with a Content-Type other than application/x-www-form-urlencoded, multipart/form-data or "
    "text/plain (e.g. POST application/json), or with one of the headers "
    "Apollo-Require-Preflight, X-Apollo-Operation-Name or GraphQL-Require-Preflight."
)
BAD_N = "Variable '$n' has invalid value: Int cannot represent non-integer value: 'x'"
SEVERAL = "The document contains several operations: name the one to execute in `operationName`."
TWO = "query M($n: Int) { mlModels(first: $n) { totalCount nodes { name } } }"
FIRST_TWO = {
    "totalCount": 30,
    "nodes": [{"name": "ad_spend_allocator"}, {"name": "address_validator"}],
}

# name: (request, the answer of both views)
AGREE: dict[str, tuple[Request, tuple[int, object]]] = {
    "query with variables": (
        post(TWO, variables={"n": 2}),
        (200, {"data": {"mlModels": FIRST_TWO}}),
    ),
    "GET query": (
        ("GET", PREFLIGHT, {"params": {"query": "{ mlModels(first: 1) { nodes { name } } }"}}),
        (200, {"data": {"mlModels": {"nodes": [{"name": "ad_spend_allocator"}]}}}),
    ),
    "field error": (
        post('{ mlModel(id: "nope") { name } }'),
        (
            200,
            {
                "data": {"mlModel": None},
                "errors": [
                    {
                        "message": "`id` must be a UUID, got 'nope'.",
                        **AT_1_3,
                        "path": ["mlModel"],
                        "extensions": {"code": "BAD_USER_INPUT", "argument": "id"},
                    }
                ],
            },
        ),
    ),
    "unknown id": (
        post('{ mlModel(id: "00000000-0000-0000-0000-000000000000") { name } }'),
        (200, {"data": {"mlModel": None}}),
    ),
    "CSRF": (
        ("POST", {**JSON, "Content-Type": "text/plain"}, {"content": b'{"query": "{ a }"}'}),
        (400, {"errors": [error(CSRF, "CSRF_BLOCKED")]}),
    ),
}

NOPE = error("Cannot query field 'nope' on type 'Query'.", "GRAPHQL_VALIDATION_FAILED", **AT_1_3)
BAD_N_ERROR = error(BAD_N, "BAD_USER_INPUT", locations=[{"line": 1, "column": 9}])

# name: (request, the gateway view's answer, Strawberry's answer, why they differ)
DIFFER: dict[str, tuple[Request, tuple[int, object], tuple[int, object], str]] = {
    "validation error": (
        post("{ nope }"),
        (
            200,
            {"errors": [NOPE]},
        ),
        (
            200,
            {"data": None, "errors": [NOPE]},
        ),
        "a request error has no `data` entry (GraphQL spec, 'Response'); Strawberry adds null",
    ),
    "validation error, graphql-response+json": (
        post("{ nope }", {"Accept": "application/graphql-response+json"}),
        (
            400,
            {"errors": [NOPE]},
        ),
        (
            200,
            {"data": None, "errors": [NOPE]},
        ),
        "the GraphQL-over-HTTP draft's media type and its 4xx for request errors: Strawberry "
        "answers application/json, 200",
    ),
    "bad variable": (
        post(TWO, variables={"n": "x"}),
        (
            200,
            {"errors": [BAD_N_ERROR]},
        ),
        (
            200,
            {"data": None, "errors": [BAD_N_ERROR]},
        ),
        "a request error has no `data` entry",
    ),
    "two operations, no operationName": (
        post("query A { __typename } query B { __typename }"),
        (
            200,
            {
                "errors": [
                    error(
                        SEVERAL,
                        "OPERATION_RESOLUTION_FAILURE",
                    )
                ]
            },
        ),
        (200, {"data": {"__typename": "Query"}}),
        "the spec requires operationName here (GetOperation); Strawberry runs one of them",
    ),
    "mutation over GET": (
        (
            "GET",
            PREFLIGHT,
            {"params": {"query": 'mutation { vote(entityId: "x", vote: UP) { __typename } }'}},
        ),
        (
            405,
            {
                "errors": [
                    error("Mutations cannot be sent with GET: use POST.", "METHOD_NOT_ALLOWED")
                ]
            },
        ),
        (400, "mutations are not allowed when using GET"),
        "the draft's 405 with a GraphQL error body; Strawberry answers 400 text/plain",
    ),
    "no query": (
        post(None, variables={}),
        (
            400,
            {
                "errors": [
                    error(
                        "The request has no `query`: send the GraphQL document as a string.",
                        "BAD_REQUEST",
                    )
                ]
            },
        ),
        (400, "No GraphQL query found in the request"),
        "protocol errors as GraphQL error bodies with a code; Strawberry's are text/plain",
    ),
    "persisted query hash only": (
        post(None, extensions={"persistedQuery": {"version": 1, "sha256Hash": "a" * 64}}),
        (200, {"errors": [error("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")]}),
        (400, "No GraphQL query found in the request"),
        "persisted queries are served by the gateway's view only",
    ),
    "PUT": (
        ("PUT", JSON, {"json": {"query": "{ __typename }"}}),
        (
            405,
            {
                "errors": [
                    error(
                        "PUT is not supported: send queries with GET or POST, mutations with POST.",
                        "METHOD_NOT_ALLOWED",
                    )
                ]
            },
        ),
        (405, "GraphQL only supports GET and POST requests."),
        "protocol errors as GraphQL error bodies with a code",
    ),
    "body not JSON": (
        ("POST", {**JSON, "Content-Type": "application/json"}, {"content": b"{"}),
        (400, {"errors": [error("The request body is not valid UTF-8 JSON.", "BAD_REQUEST")]}),
        (400, "Unable to parse request body as JSON"),
        "protocol errors as GraphQL error bodies with a code",
    ),
}


@pytest.fixture(scope="module")
async def views(emulator_server: EmulatorHandle) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    """One gateway per view over the shared emulator (these requests change nothing)."""
    async with (
        running_gateway(gateway_settings(emulator_server), emulator_server) as own,
        running_gateway(
            gateway_settings(emulator_server, http_view="strawberry"), emulator_server
        ) as stock,
    ):
        yield {"gateway": own.http, "strawberry": stock.http}


async def answer(client: httpx.AsyncClient, request: Request) -> tuple[int, object]:
    method, headers, options = request
    response = await client.request(method, "/graphql", headers=headers, **options)
    media_type = response.headers["content-type"].split(";")[0]
    body = response.json() if media_type.endswith("json") else response.text
    return response.status_code, body


@pytest.mark.parametrize("case", list(AGREE))
async def test_both_views_answer_alike(views: dict[str, httpx.AsyncClient], case: str) -> None:
    request, expected = AGREE[case]
    assert await answer(views["gateway"], request) == expected
    assert await answer(views["strawberry"], request) == expected


@pytest.mark.parametrize("case", list(DIFFER))
async def test_where_the_views_differ(views: dict[str, httpx.AsyncClient], case: str) -> None:
    request, own, stock, _reason = DIFFER[case]
    assert await answer(views["gateway"], request) == own
    assert await answer(views["strawberry"], request) == stock


async def test_the_views_name_their_media_types(views: dict[str, httpx.AsyncClient]) -> None:
    headers = {"Accept": "application/graphql-response+json"}
    body = {"query": "{ __typename }"}
    own = await views["gateway"].post("/graphql", headers=headers, json=body)
    stock = await views["strawberry"].post("/graphql", headers=headers, json=body)
    assert own.headers["content-type"] == "application/graphql-response+json; charset=utf-8"
    assert stock.headers["content-type"] == "application/json"
    assert own.json() == stock.json() == {"data": {"__typename": "Query"}}


async def test_the_stock_view_serves_no_playground(views: dict[str, httpx.AsyncClient]) -> None:
    browser = {"Accept": "text/html", "GraphQL-Require-Preflight": "1"}
    own = await views["gateway"].get("/graphql", headers=browser)
    stock = await views["strawberry"].get("/graphql", headers=browser)
    assert (own.status_code, own.headers["content-type"]) == (200, "text/html; charset=utf-8")
    assert (stock.status_code, stock.text) == (404, "Not Found")


def test_the_allow_list_needs_the_gateway_view(emulator_server: EmulatorHandle) -> None:
    with pytest.raises(ValueError, match="persisted_queries_only needs http_view gateway"):
        gateway_settings(
            emulator_server,
            http_view="strawberry",
            persisted_queries_only=True,
            persisted_queries_file="ops.json",
        )
