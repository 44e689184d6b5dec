"""The protocol view over a small schema of its own: mutations, and failures before execution."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import strawberry
from starlette.applications import Starlette
from starlette.routing import Route
from strawberry.extensions import SchemaExtension

from gateway.graphql.schema import GatewaySchema
from gateway.server.http import GraphQLView

PREFLIGHT = {"Apollo-Require-Preflight": "true"}
BOTH = "query Q { count } mutation M { bump }"


@strawberry.type
class Query:
    @strawberry.field
    def count(self) -> int:
        return 0


@strawberry.type
class Mutation:
    @strawberry.mutation
    def bump(self) -> int:
        return 1


def break_the_executor() -> None:
    raise RuntimeError("the executor broke")


class FailingExecution(SchemaExtension):
    """Fails outside any resolver, as a bug in the gateway's own machinery would."""

    def on_execute(self) -> Iterator[None]:
        break_the_executor()
        yield


async def _client(schema: GatewaySchema) -> AsyncIterator[httpx.AsyncClient]:
    app = Starlette(routes=[Route("/graphql", GraphQLView(schema))])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://view") as client:
        yield client


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(GatewaySchema(query=Query, mutation=Mutation)):
        yield client


@pytest.fixture
async def failing() -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(GatewaySchema(query=Query, extensions=[FailingExecution])):
        yield client


async def test_post_executes_mutations(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": BOTH, "operationName": "M"})

    assert response.status_code == 200
    assert response.json() == {"data": {"bump": 1}}


async def test_get_executes_the_query_picked_beside_a_mutation(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/graphql", params={"query": BOTH, "operationName": "Q"}, headers=PREFLIGHT
    )

    assert response.status_code == 200
    assert response.json() == {"data": {"count": 0}}


async def test_get_refuses_the_mutation_picked_beside_a_query(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/graphql", params={"query": BOTH, "operationName": "M"}, headers=PREFLIGHT
    )

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


async def test_page_less_view_does_not_serve_html(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"Accept": "text/html"})

    assert response.status_code == 406


@pytest.mark.parametrize(
    ("accept", "status"),
    [("application/graphql-response+json", 500), ("application/json", 200)],
)
async def test_a_failure_before_execution_is_a_5xx_only_with_graphql_response_json(
    failing: httpx.AsyncClient, accept: str, status: int
) -> None:
    response = await failing.post(
        "/graphql", json={"query": "{ count }"}, headers={"Accept": accept}
    )

    assert response.status_code == status
    assert response.json() == {
        "errors": [
            {"message": "Internal server error.", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}
        ]
    }
