"""The GraphQL engine's own floor: Q1's selection executed by Strawberry over prebuilt objects.

Plain data fields, no resolvers, no I/O, parse and validation cached: what executing the
selection costs before the gateway does anything, so the gateway's CPU per query can be
read against it.
"""

from __future__ import annotations

import time
from typing import Any

import orjson
import strawberry
import uvloop
from strawberry.extensions import ParserCache, ValidationCache

from bench._queries import LIST_PAGE
from gateway.graphql.execution import GatewayExecutor

ROUNDS = 5
TARGET_SECONDS = 0.3


@strawberry.type
class Tag:
    tag_fqn: str = strawberry.field(name="tagFQN")


@strawberry.type
class Votes:
    up_votes: int
    down_votes: int


@strawberry.type
class Service:
    name: str
    service_type: str | None


@strawberry.type
class MlModel:
    id: strawberry.ID
    name: str
    display_name: str | None
    algorithm: str | None
    service: Service
    follower_count: int
    votes: Votes
    tags: list[Tag]


@strawberry.type
class Edge:
    cursor: str
    node: MlModel


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Connection:
    edges: list[Edge]
    page_info: PageInfo


def _page(size: int) -> Connection:
    edges = [
        Edge(
            cursor=str(i),
            node=MlModel(
                id=strawberry.ID(str(i)),
                name=f"model_{i}",
                display_name=f"Model {i}",
                algorithm="XGBoost",
                service=Service(name="mlflow_prod", service_type="Mlflow"),
                follower_count=2,
                votes=Votes(up_votes=1, down_votes=0),
                tags=[Tag(tag_fqn="PII.Sensitive")] if i % 2 else [],
            ),
        )
        for i in range(size)
    ]
    return Connection(edges=edges, page_info=PageInfo(has_next_page=True, end_cursor="x"))


@strawberry.type
class Query:
    @strawberry.field
    async def ml_models(self, first: int) -> Connection:
        return _page(first)


async def _measure(sizes: tuple[int, ...], executor: type[Any] | None) -> dict[int, float]:
    # Cached parse and validation, as the gateway's schema has.
    schema = strawberry.Schema(
        query=Query, extensions=[ParserCache, ValidationCache], execution_context_class=executor
    )
    found: dict[int, float] = {}
    for size in sizes:
        variables = {"first": size}
        started = time.process_time()
        calls = 0
        while time.process_time() - started < TARGET_SECONDS or calls < 3:
            result = await schema.execute(LIST_PAGE, variable_values=variables)
            if result.errors:
                raise SystemExit(f"engine floor query failed: {result.errors}")
            orjson.dumps(result.data)
            calls += 1
        best = float("inf")
        for _ in range(ROUNDS):
            cpu = time.process_time()
            for _ in range(calls):
                orjson.dumps((await schema.execute(LIST_PAGE, variable_values=variables)).data)
            best = min(best, (time.process_time() - cpu) / calls * 1000)
        found[size] = best
    return found


def engine_floor(sizes: tuple[int, ...], *, gateway_executor: bool = False) -> dict[int, float]:
    """CPU ms per query by page size (the best of a few rounds: noise only adds time), with
    Strawberry's standard executor or the gateway's (`gateway.graphql.execution`)."""
    return uvloop.run(_measure(sizes, GatewayExecutor if gateway_executor else None))
