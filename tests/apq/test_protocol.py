"""Automatic persisted queries in one process: the protocol over POST and GET, its errors, LRU."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Route

from gateway.graphql.schema import create_schema
from gateway.server.apq import MemoryStore
from gateway.server.http import GraphQLView
from tests.apq.apq import (
    FIRST_TWO,
    MODELS,
    NO_CACHE,
    NOT_FOUND,
    extensions,
    get,
    post,
    sha256,
)
from tests.conftest import EmulatorHandle, gateway_settings, running_gateway

N2 = {"n": 2}


def _models(name: str) -> str:
    return f"query {{ mlModels(first: 1) {{ nodes {{ {name}: name }} }} }}"


def _bad_request(message: str) -> dict[str, object]:
    return {"errors": [{"message": message, "extensions": {"code": "BAD_REQUEST"}}]}


Send = Callable[..., Awaitable[httpx.Response]]


@pytest.mark.parametrize("send", [post, get], ids=["POST", "GET"])
async def test_round_trip(emulator: EmulatorHandle, send: Send) -> None:
    async with running_gateway(gateway_settings(emulator), emulator) as gateway:
        # given: a hash the gateway has never seen
        emulator.reset_counters()
        unknown = await send(gateway.http, MODELS, send_query=False, variables=N2)
        assert (unknown.status_code, unknown.json()) == (200, NOT_FOUND)
        assert unknown.headers["cache-control"] == NO_CACHE
        assert emulator.counters() == {}
        # when: the client retries with the document, then sends the hash alone again
        registered = await send(gateway.http, MODELS, send_query=True, variables=N2)
        by_hash = await send(gateway.http, MODELS, send_query=False, variables=N2)
    # then
    assert (registered.status_code, registered.json()) == (200, FIRST_TWO)
    assert (by_hash.status_code, by_hash.json()) == (200, FIRST_TWO)


async def test_registered_over_post_runs_over_get(emulator: EmulatorHandle) -> None:
    async with running_gateway(gateway_settings(emulator), emulator) as gateway:
        await post(gateway.http, MODELS, send_query=True, variables=N2)
        response = await get(gateway.http, MODELS, send_query=False, variables=N2)
    assert (response.status_code, response.json()) == (200, FIRST_TWO)


async def test_a_hash_that_does_not_match_is_refused_and_not_stored(
    emulator: EmulatorHandle,
) -> None:
    async with running_gateway(gateway_settings(emulator), emulator) as gateway:
        # given: the hash of one document sent with another
        body = {"query": _models("other"), "extensions": extensions(MODELS)}
        emulator.reset_counters()
        # when
        mismatch = await gateway.http.post("/graphql", json=body)
        afterwards = await post(gateway.http, MODELS, send_query=False)
    # then
    assert (mismatch.status_code, mismatch.json()) == (
        400,
        _bad_request("provided sha does not match query"),
    )
    assert afterwards.json() == NOT_FOUND
    assert emulator.counters() == {}


@pytest.mark.parametrize(
    ("persisted_query", "message"),
    [
        ({"version": 2, "sha256Hash": sha256(MODELS)}, "Unsupported persisted query version"),
        (
            {"version": 1, "sha256Hash": "abc"},
            "`extensions.persistedQuery.sha256Hash` must be the SHA-256 of the query in hex.",
        ),
        ("abc", "`extensions.persistedQuery` must be an object."),
    ],
    ids=["version", "hash", "not-an-object"],
)
async def test_malformed_persisted_query_is_a_bad_request(
    emulator: EmulatorHandle, persisted_query: object, message: str
) -> None:
    async with running_gateway(gateway_settings(emulator), emulator) as gateway:
        response = await gateway.http.post(
            "/graphql", json={"extensions": {"persistedQuery": persisted_query}}
        )
    assert (response.status_code, response.json()) == (400, _bad_request(message))


async def test_a_document_that_fails_validation_is_not_stored(emulator: EmulatorHandle) -> None:
    async with running_gateway(gateway_settings(emulator), emulator) as gateway:
        invalid = "query { noSuchField }"
        first = await post(gateway.http, invalid, send_query=True)
        again = await post(gateway.http, invalid, send_query=False)
    assert first.status_code == 400
    assert first.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert again.json() == NOT_FOUND


async def test_a_persisted_mutation_cannot_run_over_get(emulator: EmulatorHandle) -> None:
    # given: a mutation registered over POST (its malformed id is refused before any write)
    mutation = 'mutation { follow(kind: ML_MODEL, id: "not-a-uuid") { __typename } }'
    async with running_gateway(gateway_settings(emulator), emulator) as gateway:
        registered = await post(gateway.http, mutation, send_query=True, headers=emulator.headers())
        # when
        response = await get(gateway.http, mutation, send_query=False)
    # then
    assert registered.json() == {"data": {"follow": {"__typename": "ValidationError"}}}
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


@pytest.mark.parametrize("send_query", [False, True], ids=["hash", "hash-and-query"])
async def test_disabled_answers_not_supported(emulator: EmulatorHandle, send_query: bool) -> None:
    settings = gateway_settings(emulator, persisted_queries=False)
    async with running_gateway(settings, emulator) as gateway:
        response = await post(gateway.http, MODELS, send_query=send_query)
        plain = await gateway.http.post("/graphql", json={"query": MODELS, "variables": N2})
    assert (response.status_code, response.json()) == (
        200,
        {
            "errors": [
                {
                    "message": "PersistedQueryNotSupported",
                    "extensions": {"code": "PERSISTED_QUERY_NOT_SUPPORTED"},
                }
            ]
        },
    )
    assert response.headers["cache-control"] == NO_CACHE
    assert plain.json() == FIRST_TWO


async def test_least_recently_used_documents_are_evicted(emulator: EmulatorHandle) -> None:
    a, b, c = _models("a"), _models("b"), _models("c")
    settings = gateway_settings(emulator, persisted_query_cache_size=2)
    async with running_gateway(settings, emulator) as gateway:
        # given: a and b stored, then a used, so b is the least recently used
        for query in (a, b):
            await post(gateway.http, query, send_query=True)
        await post(gateway.http, a, send_query=False)
        # when: a third document is stored
        await post(gateway.http, c, send_query=True)
        # then
        found = {q[-12:]: (await post(gateway.http, q, send_query=False)).json() for q in (a, b, c)}
    name = "ad_spend_allocator"
    assert found == {
        a[-12:]: {"data": {"mlModels": {"nodes": [{"a": name}]}}},
        b[-12:]: NOT_FOUND,
        c[-12:]: {"data": {"mlModels": {"nodes": [{"c": name}]}}},
    }


async def test_memory_store_keeps_the_most_recently_used() -> None:
    store = MemoryStore(max_entries=2)
    await store.set("a", "A")
    await store.set("b", "B")
    assert await store.get("a") == "A"
    await store.set("c", "C")
    assert [await store.get(key) for key in "abc"] == ["A", None, "C"]
    assert len(store) == 2


async def test_an_unknown_hash_costs_no_upstream_call(emulator: EmulatorHandle) -> None:
    async with running_gateway(gateway_settings(emulator), emulator) as gateway:
        emulator.reset_counters()
        response = await gateway.http.post(
            "/graphql",
            json={"extensions": extensions("query { me { name } }")},
            headers={"Accept": "application/graphql-response+json"},
        )
    assert (response.status_code, response.json()) == (200, NOT_FOUND)
    assert emulator.counters() == {}


async def test_query_alone_still_runs(emulator: EmulatorHandle) -> None:
    async with running_gateway(gateway_settings(emulator), emulator) as gateway:
        response = await gateway.http.post("/graphql", json={"query": MODELS, "variables": N2})
    assert response.json() == FIRST_TWO


async def test_a_view_without_persisted_queries_needs_the_query() -> None:
    # given: the bare protocol view, which knows nothing of persisted queries
    app = Starlette(routes=[Route("/graphql", GraphQLView(create_schema()))])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://view") as http:
        # when
        response = await post(http, MODELS, send_query=False)
    # then
    assert (response.status_code, response.json()) == (
        400,
        _bad_request("The request has no `query`: send the GraphQL document as a string."),
    )
