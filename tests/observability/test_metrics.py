"""/metrics: operations, errors, upstream calls, rejections and circuits, with exact labels."""

from __future__ import annotations

from gateway.base.observability.metrics import OperationLabels
from gateway.emulator.ids import registry_model_rid
from tests.conftest import EmulatorHandle, GatewayClient, gateway_settings, running_gateway
from tests.observability.scrape import increments, labels, scrape

MODELS = "query ModelPage { mlModels(first: 2) { nodes { name } } }"
VERSIONS = """
query Versions($rid: String!) { modelVersions(modelRid: $rid, first: 1) { nodes { rid } } }
"""
INVALID = "query Bad { nope }"
RID = registry_model_rid("churn_predictor")
VERSIONS_ROUTE = "/api/v2/models/{modelRid}/versions"


async def test_operations_errors_and_upstream_calls_are_counted_with_their_labels(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given
    before = await scrape(gateway)
    # when: a catalog query, a registry query that answers, one that fails (503 twice,
    # retried once) and an invalid document
    await gateway.execute(MODELS)
    await gateway.execute(VERSIONS, {"rid": RID})
    emulator.add_fault(match="registry", status=503)
    await gateway.execute(VERSIONS, {"rid": RID})
    await gateway.execute(INVALID)
    after = await scrape(gateway)
    # then
    assert increments(before, after, "gateway_graphql_request_duration_seconds_count") == {
        labels(operation="ModelPage", type="query"): 1,
        labels(operation="Versions", type="query"): 2,
        labels(operation="Bad", type="query"): 1,
    }
    assert increments(before, after, "gateway_graphql_errors_total") == {
        labels(code="UPSTREAM_ERROR"): 1,
        labels(code="GRAPHQL_VALIDATION_FAILED"): 1,
    }
    assert increments(before, after, "gateway_upstream_request_duration_seconds_count") == {
        labels(upstream="catalog", method="GET", route="/v1/mlmodels", status="200"): 1,
        labels(upstream="registry", method="GET", route=VERSIONS_ROUTE, status="200"): 1,
        labels(upstream="registry", method="GET", route=VERSIONS_ROUTE, status="503"): 2,
    }
    durations = increments(before, after, "gateway_upstream_request_duration_seconds_sum")
    assert all(seconds > 0 for seconds in durations.values())
    assert after[("gateway_upstream_in_flight", labels(upstream="catalog"))] == 0
    assert after[("gateway_upstream_in_flight", labels(upstream="registry"))] == 0
    assert after[("gateway_upstream_circuit_state", labels(upstream="catalog"))] == 0
    assert after[("gateway_upstream_circuit_state", labels(upstream="registry"))] == 0


async def test_failing_fast_is_counted_as_a_rejection_and_the_circuit_shows_open(
    emulator: EmulatorHandle,
) -> None:
    # given a circuit that opens at the first failure
    settings = gateway_settings(emulator, breaker_failure_threshold=1, upstream_retries=0)
    emulator.add_fault(match="registry", status=503)
    async with running_gateway(settings, emulator) as gateway:
        before = await scrape(gateway)
        # when one call fails and two more come
        for _ in range(3):
            await gateway.execute(VERSIONS, {"rid": RID})
        after = await scrape(gateway)
    # then
    assert increments(before, after, "gateway_upstream_rejected_total") == {
        labels(upstream="registry", reason="circuit_open"): 2
    }
    assert increments(before, after, "gateway_upstream_request_duration_seconds_count") == {
        labels(upstream="registry", method="GET", route=VERSIONS_ROUTE, status="503"): 1,
    }
    assert after[("gateway_upstream_circuit_state", labels(upstream="registry"))] == 2


async def test_a_timeout_is_labelled_by_its_kind(emulator: EmulatorHandle) -> None:
    settings = gateway_settings(emulator, upstream_timeout=0.2)
    emulator.add_fault(match="registry", delay_ms=1000)
    async with running_gateway(settings, emulator) as gateway:
        before = await scrape(gateway)
        await gateway.execute(VERSIONS, {"rid": RID})
        after = await scrape(gateway)
    assert increments(before, after, "gateway_upstream_request_duration_seconds_count") == {
        labels(upstream="registry", method="GET", route=VERSIONS_ROUTE, status="timeout"): 1,
    }
    assert increments(before, after, "gateway_graphql_errors_total") == {
        labels(code="UPSTREAM_UNAVAILABLE"): 1
    }


async def test_loader_batches_are_counted_by_loader(gateway: GatewayClient) -> None:
    # given two tables and two users asked for by id in one request: one batch of two keys
    # for each loader (tables: a loader keyed by id and fields; users: by id alone)
    query = """
    query Two($a: ID!, $b: ID!, $u: ID!, $v: ID!) {
      a: table(id: $a) { name } b: table(id: $b) { name }
      u: user(id: $u) { name } v: user(id: $v) { name }
    }
    """
    ids = await gateway.execute(
        "{ tables(first: 2) { nodes { id } } users(first: 2) { nodes { id } } }"
    )
    a, b = (node["id"] for node in ids["data"]["tables"]["nodes"])
    u, v = (node["id"] for node in ids["data"]["users"]["nodes"])
    before = await scrape(gateway)
    # when
    await gateway.execute(query, {"a": a, "b": b, "u": u, "v": v})
    after = await scrape(gateway)
    # then
    assert increments(before, after, "gateway_loader_batch_size_count") == {
        labels(loader="TableByIdLoader"): 1,
        labels(loader="UserByIdLoader"): 1,
    }
    assert increments(before, after, "gateway_loader_batch_size_sum") == {
        labels(loader="TableByIdLoader"): 2,
        labels(loader="UserByIdLoader"): 2,
    }


def test_operation_labels_are_bounded() -> None:
    # given room for two names
    label = OperationLabels(2)
    # when / then
    assert [label(n) for n in ("A", "B", "C", "A", None, "not a name", "x" * 101)] == [
        "A",
        "B",
        "(other)",
        "A",
        "(anonymous)",
        "(invalid)",
        "(invalid)",
    ]


async def test_metrics_speak_openmetrics_when_asked(gateway: GatewayClient) -> None:
    response = await gateway.http.get(
        "/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/openmetrics-text")
    assert response.text.endswith("# EOF\n")
