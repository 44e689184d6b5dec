"""GraphQL over HTTP, the response side: media type negotiation and status codes per type."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import EmulatorHandle, GatewayClient

TYPENAME = {"query": "{ __typename }"}
GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"

# (Accept, Content-Type answered, status of a request error under that type)
MEDIA_TYPES = [
    (GRAPHQL_RESPONSE, f"{GRAPHQL_RESPONSE}; charset=utf-8", 400),
    (JSON, f"{JSON}; charset=utf-8", 200),
]
VOTE_ON_NOTHING = (
    'mutation { vote(kind: TABLE, id: "00000000-0000-0000-0000-000000000000", vote: UP) '
    "{ __typename } }"
)
ANSWER_TYPES = [(accept, content_type) for accept, content_type, _ in MEDIA_TYPES]


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (JSON, JSON),
        ("*/*", GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE}; charset=utf-8, {JSON}; charset=utf-8", GRAPHQL_RESPONSE),
        (f"{JSON}, {GRAPHQL_RESPONSE}", JSON),
        (f"{JSON};q=0.9, {GRAPHQL_RESPONSE};q=0.8", JSON),
    ],
)
async def test_answers_in_the_accepted_media_type_as_utf8(
    http: httpx.AsyncClient, accept: str, content_type: str
) -> None:
    response = await http.post("/graphql", json=TYPENAME, headers={"Accept": accept})

    assert response.status_code == 200
    assert response.headers["content-type"] == f"{content_type}; charset=utf-8"
    assert response.headers["vary"] == "Accept"
    assert response.content.decode("utf-8") == '{"data":{"__typename":"Query"}}'


async def test_no_accept_header_means_graphql_response_json(http: httpx.AsyncClient) -> None:
    # given a request without Accept (httpx adds `*/*` unless removed)
    request = http.build_request("POST", "/graphql", json=TYPENAME)
    del request.headers["accept"]

    response = await http.send(request)

    assert response.status_code == 200
    assert response.headers["content-type"] == f"{GRAPHQL_RESPONSE}; charset=utf-8"
    assert response.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize(
    "accept",
    ["text/plain", "application/xml", f"{GRAPHQL_RESPONSE}; charset=iso-8859-1", f"{JSON};q=0"],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_nothing_acceptable_answers_406(
    http: httpx.AsyncClient, accept: str, method: str
) -> None:
    response = await http.request(
        method,
        "/graphql",
        params={"query": "{ __typename }"} if method == "GET" else None,
        json=TYPENAME if method == "POST" else None,
        headers={"Accept": accept, "Apollo-Require-Preflight": "true"},
    )

    assert response.status_code == 406
    assert response.headers["content-type"] == f"{JSON}; charset=utf-8"
    assert response.headers["accept"] == (
        f"{GRAPHQL_RESPONSE}; charset=utf-8, {JSON}; charset=utf-8"
    )
    assert response.json() == {
        "errors": [
            {
                "message": "None of the media types in Accept can be served: accept "
                "application/graphql-response+json or application/json (UTF-8).",
                "extensions": {"code": "NOT_ACCEPTABLE"},
            }
        ]
    }


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        # document parsing failure
        (
            {"query": "{"},
            [
                {
                    "message": "Syntax Error: Expected Name, found <EOF>.",
                    "locations": [{"line": 1, "column": 2}],
                    "extensions": {"code": "GRAPHQL_PARSE_FAILED"},
                }
            ],
        ),
        (
            {"query": ""},
            [
                {
                    "message": "Syntax Error: Unexpected <EOF>.",
                    "extensions": {"code": "GRAPHQL_PARSE_FAILED"},
                }
            ],
        ),
        # document validation failure
        (
            {"query": "{ notAField }"},
            [
                {
                    "message": "Cannot query field 'notAField' on type 'Query'.",
                    "locations": [{"line": 1, "column": 3}],
                    "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
                }
            ],
        ),
        # variable coercion failure
        (
            {
                "query": "query CoerceFailure($id: ID!) { mlModel(id: $id) { name } }",
                "variables": {"id": None},
            },
            [
                {
                    "message": "Variable '$id' has invalid value: Expected value of non-null "
                    "type 'ID!' not to be None.",
                    "locations": [{"line": 1, "column": 21}],
                    "extensions": {"code": "BAD_USER_INPUT"},
                }
            ],
        ),
        # the operation cannot be determined (GetOperation())
        (
            {"query": "query A { __typename }", "operationName": "B"},
            [
                {
                    "message": 'Unknown operation named "B".',
                    "extensions": {"code": "OPERATION_RESOLUTION_FAILURE"},
                }
            ],
        ),
        (
            {"query": "query A { __typename } query B { __typename }"},
            [
                {
                    "message": "The document contains several operations: name the one to "
                    "execute in `operationName`.",
                    "extensions": {"code": "OPERATION_RESOLUTION_FAILURE"},
                }
            ],
        ),
        (
            {"query": "fragment F on Query { __typename }"},
            [
                {
                    "message": "The document contains no operation to execute.",
                    "extensions": {"code": "OPERATION_RESOLUTION_FAILURE"},
                }
            ],
        ),
        # no subscriptions over HTTP
        (
            {"query": "subscription S { __typename }"},
            [
                {
                    "message": "Subscriptions are not supported over HTTP.",
                    "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
                }
            ],
        ),
    ],
)
@pytest.mark.parametrize(("accept", "content_type", "status"), MEDIA_TYPES)
async def test_request_errors_have_no_data_and_a_status_per_media_type(
    http: httpx.AsyncClient,
    body: dict[str, object],
    errors: list[dict[str, object]],
    accept: str,
    content_type: str,
    status: int,
) -> None:
    response = await http.post("/graphql", json=body, headers={"Accept": accept})

    assert response.status_code == status
    assert response.headers["content-type"] == content_type
    assert response.json() == {"errors": errors}


async def test_operation_name_picks_one_of_several_operations(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/graphql",
        json={
            "query": "query A { a: __typename } query B { b: __typename }",
            "operationName": "B",
        },
    )

    assert response.status_code == 200
    assert response.json() == {"data": {"b": "Query"}}


@pytest.mark.parametrize(("accept", "content_type"), ANSWER_TYPES)
async def test_field_errors_keep_partial_data_and_answer_200(
    gateway: GatewayClient, emulator: EmulatorHandle, accept: str, content_type: str
) -> None:
    # given a catalog that fails every call
    emulator.add_fault(match="catalog", status=500)

    response = await gateway.http.post(
        "/graphql",
        json={
            "query": '{ __typename mlModel(fullyQualifiedName: "mlflow_prod.basket_affinity") '
            "{ name } }"
        },
        headers={"Accept": accept},
    )

    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    assert response.json() == {
        "data": {"__typename": "Query", "mlModel": None},
        "errors": [
            {
                "message": "The catalog failed to answer (HTTP 500)",
                "locations": [{"line": 1, "column": 14}],
                "path": ["mlModel"],
                "extensions": {"code": "UPSTREAM_ERROR", "upstream": "catalog"},
            }
        ],
    }


@pytest.mark.parametrize(("accept", "content_type"), ANSWER_TYPES)
async def test_a_field_error_that_nulls_all_data_is_still_a_200_response(
    gateway: GatewayClient, emulator: EmulatorHandle, accept: str, content_type: str
) -> None:
    # given a catalog that fails, under a non-null root field (a mutation's result)
    emulator.add_fault(match="catalog", status=500)

    response = await gateway.http.post(
        "/graphql",
        json={"query": VOTE_ON_NOTHING},
        headers={"Accept": accept, **emulator.headers("sam")},
    )

    # then `data` is present and null: execution ran, so it is not a request error
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    assert response.json() == {
        "data": None,
        "errors": [
            {
                "message": "The catalog failed to answer (HTTP 500)",
                "locations": [{"line": 1, "column": 12}],
                "path": ["vote"],
                "extensions": {"code": "UPSTREAM_ERROR", "upstream": "catalog"},
            }
        ],
    }
