"""The auth boundary: no write as the gateway's service account, and GATEWAY_ANONYMOUS."""

from __future__ import annotations

from typing import Any

import httpx

from gateway.emulator.ids import seed_uuid
from tests.conftest import EmulatorHandle, GatewayClient, gateway_settings, running_gateway

MODEL_ID = seed_uuid("mlmodel", "mlflow_prod.churn_predictor")
VOTE = "mutation($id: ID!) { vote(kind: ML_MODEL, id: $id, vote: UP) { __typename } }"
MODELS = "query Models { mlModels(first: 2) { nodes { name } } }"
INTROSPECTION = "query Types { __schema { queryType { name } } __typename }"
MUTATION_REFUSED = {
    "errors": [
        {
            "message": "A mutation needs the caller's own credentials: send an "
            "`Authorization: Bearer <token>` header. The gateway does not act for anonymous "
            "callers here.",
            "extensions": {"code": "UNAUTHENTICATED"},
        }
    ]
}
QUERY_REFUSED = {
    "errors": [
        {
            "message": "This operation needs the caller's own credentials: send an "
            "`Authorization: Bearer <token>` header. The gateway does not act for anonymous "
            "callers here.",
            "extensions": {"code": "UNAUTHENTICATED"},
        }
    ]
}


async def post(
    gateway: GatewayClient, query: str, variables: dict[str, Any], headers: dict[str, str]
) -> httpx.Response:
    return await gateway.http.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Accept": "application/json", **headers},
    )


async def test_an_anonymous_mutation_is_refused_before_any_upstream_call(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given a gateway holding service tokens for both upstreams
    emulator.reset_counters()
    # when a caller without credentials votes (and one with a blank header)
    answers = [
        await post(gateway, VOTE, {"id": MODEL_ID}, {}),
        await post(gateway, VOTE, {"id": MODEL_ID}, {"Authorization": "  "}),
    ]
    # then both are refused and nothing reached an upstream
    assert [(a.status_code, a.json()) for a in answers] == [(200, MUTATION_REFUSED)] * 2
    assert emulator.counters() == {}


async def test_the_same_mutation_with_credentials_runs_as_the_caller(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    answer = await post(gateway, VOTE, {"id": MODEL_ID}, emulator.headers("sam"))
    assert answer.json() == {"data": {"vote": {"__typename": "VoteSuccess"}}}


async def test_anonymous_reads_use_the_service_token_by_default(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    emulator.reset_counters()
    answer = await post(gateway, "{ me { name } }", {}, {})
    # the service token names the emulator's admin
    assert answer.json() == {"data": {"me": {"name": "admin"}}}
    assert emulator.counters() == {"GET /api/v1/users/loggedInUser": 1}


async def test_anonymous_none_refuses_anonymous_queries_but_not_introspection(
    emulator: EmulatorHandle,
) -> None:
    settings = gateway_settings(emulator, anonymous="none")
    async with running_gateway(settings, emulator) as gateway:
        emulator.reset_counters()
        # when an anonymous caller queries, votes, and introspects
        query = await post(gateway, MODELS, {}, {})
        mutation = await post(gateway, VOTE, {"id": MODEL_ID}, {})
        introspection = await post(gateway, INTROSPECTION, {}, {})
        refused_calls = emulator.counters()
        # and a caller with credentials queries
        allowed = await post(gateway, MODELS, {}, emulator.headers("sam"))
    # then the query and the mutation are refused before any upstream call
    assert query.json() == QUERY_REFUSED
    assert mutation.json() == MUTATION_REFUSED
    assert refused_calls == {}
    # and introspection and the caller's own query run
    assert introspection.json() == {
        "data": {"__schema": {"queryType": {"name": "Query"}}, "__typename": "Query"}
    }
    assert allowed.json() == {
        "data": {
            "mlModels": {"nodes": [{"name": "ad_spend_allocator"}, {"name": "address_validator"}]}
        }
    }
