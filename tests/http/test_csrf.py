"""CSRF prevention: requests a foreign page could send without a CORS preflight are refused."""

from __future__ import annotations

import httpx
import orjson
import pytest
from starlette.datastructures import Headers

from gateway.server.http.csrf import MESSAGE, may_be_forged
from tests.http.conftest import GatewayFactory

TYPENAME = orjson.dumps({"query": "{ __typename }"})
BLOCKED = {"errors": [{"message": MESSAGE, "extensions": {"code": "CSRF_BLOCKED"}}]}
SIMPLE_TYPES = [
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
]
PREFLIGHT_HEADERS = [
    "Apollo-Require-Preflight",
    "X-Apollo-Operation-Name",
    "GraphQL-Require-Preflight",
]


async def test_get_without_a_preflight_header_is_blocked(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", params={"query": "{ __typename }"})

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/graphql-response+json; charset=utf-8"
    assert response.json() == BLOCKED


@pytest.mark.parametrize("header", PREFLIGHT_HEADERS)
async def test_get_with_a_preflight_header_executes(http: httpx.AsyncClient, header: str) -> None:
    response = await http.get("/graphql", params={"query": "{ __typename }"}, headers={header: "Q"})

    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_get_declaring_a_non_simple_content_type_executes(http: httpx.AsyncClient) -> None:
    response = await http.get(
        "/graphql",
        params={"query": "{ __typename }"},
        headers={"Content-Type": "application/json"},
    )

    assert (response.status_code, response.json()) == (200, {"data": {"__typename": "Query"}})


@pytest.mark.parametrize("content_type", [*SIMPLE_TYPES, None])
async def test_post_a_form_could_send_is_blocked(
    http: httpx.AsyncClient, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type is not None else {}

    response = await http.post("/graphql", content=TYPENAME, headers=headers)

    assert response.status_code == 400
    assert response.json() == BLOCKED


@pytest.mark.parametrize("content_type", SIMPLE_TYPES)
async def test_post_with_a_preflight_header_passes_csrf_but_needs_json(
    http: httpx.AsyncClient, content_type: str
) -> None:
    response = await http.post(
        "/graphql",
        content=TYPENAME,
        headers={"Content-Type": content_type, "X-Apollo-Operation-Name": "Q"},
    )

    assert response.status_code == 415


async def test_post_application_json_needs_no_preflight_header(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/graphql", content=TYPENAME, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_turned_off_lets_simple_requests_through(gateway_with: GatewayFactory) -> None:
    async with gateway_with(csrf_prevention=False) as gateway:
        get = await gateway.http.get("/graphql", params={"query": "{ __typename }"})
        post = await gateway.http.post(
            "/graphql", content=TYPENAME, headers={"Content-Type": "text/plain"}
        )

    assert get.status_code == 200
    assert get.json() == {"data": {"__typename": "Query"}}
    # the body type is still wrong, but no longer refused as a forgery
    assert post.status_code == 415


@pytest.mark.parametrize(
    ("headers", "forged"),
    [
        ({}, True),
        ({"content-type": "text/plain;charset=UTF-8"}, True),
        ({"content-type": "TEXT/PLAIN"}, True),
        ({"content-type": "application/json"}, False),
        # a browser cannot send an unparsable Content-Type without a preflight
        ({"content-type": "text/plain; charset"}, False),
        ({"content-type": "text/plain", "apollo-require-preflight": ""}, False),
    ],
)
def test_may_be_forged(headers: dict[str, str], forged: bool) -> None:
    assert may_be_forged(Headers(headers)) is forged
