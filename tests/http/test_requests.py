"""GraphQL over HTTP, the request side: methods, Content-Type, and the request parameters."""

from __future__ import annotations

import httpx
import orjson
import pytest

from tests.http.conftest import GatewayFactory

TYPENAME = "{ __typename }"
TYPENAME_DATA = {"data": {"__typename": "Query"}}
GRAPHQL_RESPONSE = "application/graphql-response+json; charset=utf-8"
PREFLIGHT = {"Apollo-Require-Preflight": "true"}


def error(message: str, code: str) -> dict[str, object]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


def bad_request(message: str) -> dict[str, object]:
    return error(message, "BAD_REQUEST")


async def test_post_application_json_executes(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": TYPENAME})

    assert response.status_code == 200
    assert response.headers["content-type"] == GRAPHQL_RESPONSE
    assert response.json() == TYPENAME_DATA


async def test_post_accepts_utf8_with_or_without_charset(http: httpx.AsyncClient) -> None:
    # given a document with characters outside ASCII, encoded as UTF-8
    body = orjson.dumps({"query": '{ __type(name: "Run🏃Swim🏊") { name } }'})

    for content_type in ("application/json", "application/json; charset=utf-8"):
        response = await http.post("/graphql", content=body, headers={"Content-Type": content_type})

        assert response.status_code == 200
        assert response.json() == {"data": {"__type": None}}


async def test_get_executes_a_query_from_the_query_string(http: httpx.AsyncClient) -> None:
    response = await http.get(
        "/graphql",
        params={
            "query": "query Type($name: String!) { __type(name: $name) { name } }",
            "variables": '{"name": "Query"}',
            "operationName": "Type",
            "extensions": '{"some": "value"}',
        },
        headers=PREFLIGHT,
    )

    assert response.status_code == 200
    assert response.headers["content-type"] == GRAPHQL_RESPONSE
    assert response.json() == {"data": {"__type": {"name": "Query"}}}


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
async def test_other_methods_answer_405_allow_get_post(
    http: httpx.AsyncClient, method: str
) -> None:
    response = await http.request(method, "/graphql", json={"query": TYPENAME})

    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    if method != "HEAD":
        assert response.json() == error(
            f"{method} is not supported: send queries with GET or POST, mutations with POST.",
            "METHOD_NOT_ALLOWED",
        )


@pytest.mark.parametrize(
    ("params", "headers"),
    [
        ({"query": "mutation { __typename }"}, PREFLIGHT),
        # 405 comes first, whether or not the request would pass CSRF prevention
        ({"query": "mutation { __typename }"}, {}),
        ({"query": "query Q { __typename } mutation M { __typename }", "operationName": "M"}, {}),
    ],
)
async def test_get_refuses_mutations_with_405_allow_post(
    http: httpx.AsyncClient, params: dict[str, str], headers: dict[str, str]
) -> None:
    response = await http.get("/graphql", params=params, headers=headers)

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json() == error(
        "Mutations cannot be sent with GET: use POST.", "METHOD_NOT_ALLOWED"
    )


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/graphql",
        "application/json; charset=utf-16",
        "application/json; charset",
    ],
)
async def test_post_with_another_content_type_answers_415(
    http: httpx.AsyncClient, content_type: str | None
) -> None:
    # given a request that passes CSRF prevention, so only its body type is wrong
    headers = dict(PREFLIGHT)
    if content_type is not None:
        headers["Content-Type"] = content_type

    response = await http.post(
        "/graphql", content=orjson.dumps({"query": TYPENAME}), headers=headers
    )

    assert response.status_code == 415
    assert response.headers["content-type"] == GRAPHQL_RESPONSE
    assert response.json() == error(
        "POST bodies must be Content-Type: application/json (UTF-8).", "UNSUPPORTED_MEDIA_TYPE"
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "The request body is empty: send a JSON object with a `query`."),
        (b'{ "not a JSON', "The request body is not valid UTF-8 JSON."),
        (b'{"query": "\xff"}', "The request body is not valid UTF-8 JSON."),
        (b'"{ __typename }"', "The request body must be a JSON object with a `query`."),
        (
            b'[{"query": "{ __typename }"}]',
            "Batched requests (a JSON array) are not supported: send one operation per request.",
        ),
        (b"{}", "The request has no `query`: send the GraphQL document as a string."),
        (
            b'{"qeury": "{ __typename }"}',
            "The request has no `query`: send the GraphQL document as a string.",
        ),
        (b'{"query": null}', "The request has no `query`: send the GraphQL document as a string."),
        (b'{"query": {"obj": "ect"}}', "`query` must be a string holding the GraphQL document."),
        (b'{"query": 0}', "`query` must be a string holding the GraphQL document."),
        (b'{"query": false}', "`query` must be a string holding the GraphQL document."),
        (b'{"query": ["array"]}', "`query` must be a string holding the GraphQL document."),
        (
            b'{"query": "{ __typename }", "operationName": 0}',
            "`operationName` must be a string or null.",
        ),
        (
            b'{"query": "{ __typename }", "operationName": {}}',
            "`operationName` must be a string or null.",
        ),
        (
            b'{"query": "{ __typename }", "operationName": ["Q"]}',
            "`operationName` must be a string or null.",
        ),
        (
            b'{"query": "{ __typename }", "variables": "string"}',
            "`variables` must be an object (map) or null.",
        ),
        (
            b'{"query": "{ __typename }", "variables": 0}',
            "`variables` must be an object (map) or null.",
        ),
        (
            b'{"query": "{ __typename }", "variables": false}',
            "`variables` must be an object (map) or null.",
        ),
        (
            b'{"query": "{ __typename }", "variables": [7]}',
            "`variables` must be an object (map) or null.",
        ),
        (
            b'{"query": "{ __typename }", "extensions": "string"}',
            "`extensions` must be an object (map) or null.",
        ),
        (
            b'{"query": "{ __typename }", "extensions": [1]}',
            "`extensions` must be an object (map) or null.",
        ),
    ],
)
@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        ("application/graphql-response+json", GRAPHQL_RESPONSE),
        ("application/json", "application/json; charset=utf-8"),
    ],
)
async def test_malformed_post_bodies_answer_400_for_both_media_types(
    http: httpx.AsyncClient, body: bytes, message: str, accept: str, content_type: str
) -> None:
    response = await http.post(
        "/graphql", content=body, headers={"Content-Type": "application/json", "Accept": accept}
    )

    assert response.status_code == 400
    assert response.headers["content-type"] == content_type
    assert response.json() == bad_request(message)


@pytest.mark.parametrize("parameter", ["operationName", "variables", "extensions"])
async def test_null_optional_parameters_mean_omitted(
    http: httpx.AsyncClient, parameter: str
) -> None:
    for accept in ("application/graphql-response+json", "application/json"):
        response = await http.post(
            "/graphql", json={"query": TYPENAME, parameter: None}, headers={"Accept": accept}
        )

        assert response.status_code == 200
        assert response.json() == TYPENAME_DATA


async def test_map_variables_and_extensions_are_accepted(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/graphql",
        json={
            "query": "query Type($name: String!) { __type(name: $name) { name } }",
            "variables": {"name": "sometype"},
            "extensions": {"some": "value"},
        },
    )

    assert response.status_code == 200
    assert response.json() == {"data": {"__type": None}}


async def test_empty_operation_name_means_omitted(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": TYPENAME, "operationName": ""})

    assert response.status_code == 200
    assert response.json() == TYPENAME_DATA


@pytest.mark.parametrize(
    ("query_string", "message"),
    [
        ("", "The request has no `query`: send the GraphQL document as a string."),
        ("variables=%7B%7D", "The request has no `query`: send the GraphQL document as a string."),
        (
            "query=%7B__typename%7D&query=%7B__typename%7D",
            "The parameter `query` is given more than once.",
        ),
        ("query=%7B__typename%7D&variables=%7Bnot", "`variables` must be a JSON-encoded object."),
        (
            "query=%7B__typename%7D&variables=%5B7%5D",
            "`variables` must be an object (map) or null.",
        ),
        (
            "query=%7B__typename%7D&variables=%22s%22",
            "`variables` must be an object (map) or null.",
        ),
        ("query=%7B__typename%7D&extensions=1", "`extensions` must be an object (map) or null."),
        ("query=%7B__typename%7D&extensions=nope", "`extensions` must be a JSON-encoded object."),
        ("query=%FF", "The query string is not valid UTF-8."),
    ],
)
async def test_malformed_get_parameters_answer_400(
    http: httpx.AsyncClient, query_string: str, message: str
) -> None:
    response = await http.get(f"/graphql?{query_string}", headers=PREFLIGHT)

    assert response.status_code == 400
    assert response.headers["content-type"] == GRAPHQL_RESPONSE
    assert response.json() == bad_request(message)


async def test_get_treats_empty_variables_and_operation_name_as_omitted(
    http: httpx.AsyncClient,
) -> None:
    response = await http.get(
        "/graphql?query=%7B__typename%7D&variables=&extensions=&operationName=",
        headers=PREFLIGHT,
    )

    assert response.status_code == 200
    assert response.json() == TYPENAME_DATA


async def test_oversized_body_answers_413_with_a_graphql_error(
    gateway_with: GatewayFactory,
) -> None:
    async with gateway_with(max_body_bytes=2048) as gateway:
        response = await gateway.http.post(
            "/graphql", json={"query": "{ __typename }" + " " * 4096}
        )

    assert response.status_code == 413
    assert response.json() == error("Request body is larger than 2048 bytes.", "PAYLOAD_TOO_LARGE")
