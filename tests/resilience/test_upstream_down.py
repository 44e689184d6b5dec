"""A registry that is down, hanging or slow: partial data in bounded time, fail fast, recover."""

from __future__ import annotations

import asyncio
import socket
import time
from typing import Any

import httpx

from gateway.emulator.ids import registry_model_rid, registry_version_rid
from tests.conftest import (
    EmulatorHandle,
    FakeClock,
    GatewayClient,
    gateway_settings,
    running_gateway,
    until,
)
from tests.gateway.rest import all_models

BOTH = """
query Both($rid: String!) {
  mlModels(first: 2) { nodes { name } }
  modelVersions(modelRid: $rid, first: 1) { nodes { rid } }
}
"""
VERSIONS = """
query Versions($rid: String!) { modelVersions(modelRid: $rid, first: 1) { nodes { rid } } }
"""
CATALOG_ONLY = "query CatalogOnly { mlModels(first: 2) { nodes { name } } }"

LIST_VERSIONS = "GET /api/v2/models/{modelRid}/versions"
RID = registry_model_rid("churn_predictor")
NEWEST_VERSION = registry_version_rid("churn_predictor", 4)
OPEN_MESSAGE = "The registry is unavailable (failing fast after repeated failures)"
TOO_MANY_IN_FLIGHT = [
    {
        "message": "The registry is unavailable (too many calls in flight)",
        "locations": [{"line": 2, "column": 33}],
        "path": ["modelVersions"],
        "extensions": {"code": "UPSTREAM_UNAVAILABLE", "upstream": "registry"},
    }
]


def first_two_names(emulator: EmulatorHandle) -> list[dict[str, str]]:
    return [{"name": m["name"]} for m in all_models(emulator)[:2]]


def registry_error(message: str, **extensions: str) -> list[dict[str, Any]]:
    return [
        {
            "message": message,
            "locations": [{"line": 4, "column": 3}],
            "path": ["modelVersions"],
            "extensions": {"code": "UPSTREAM_UNAVAILABLE", "upstream": "registry", **extensions},
        }
    ]


def registry_calls(emulator: EmulatorHandle) -> int:
    return sum(1 for entry in emulator.requests() if entry["route"] == LIST_VERSIONS)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_a_hanging_registry_yields_partial_data_within_the_timeout(
    emulator: EmulatorHandle,
) -> None:
    # given a registry that answers after 30 s and a 0.5 s upstream timeout
    names = first_two_names(emulator)
    emulator.reset_counters()
    emulator.add_fault(match="registry", delay_ms=30_000)
    settings = gateway_settings(emulator, upstream_timeout=0.5)
    async with running_gateway(settings, emulator) as gateway:
        # when
        started = time.monotonic()
        result = await gateway.execute(BOTH, {"rid": RID})
        elapsed = time.monotonic() - started
    # then the catalog half answers and the registry field fails after one attempt, well
    # before the hang is over
    assert result == {
        "data": {"mlModels": {"nodes": names}, "modelVersions": None},
        "errors": registry_error("The registry is unavailable (timeout)"),
    }
    assert emulator.counters() == {"GET /api/v1/mlmodels": 1, LIST_VERSIONS: 1}
    assert elapsed < 5


async def test_a_registry_nobody_listens_for_yields_partial_data_at_once(
    emulator: EmulatorHandle,
) -> None:
    # given a closed port, and timeouts far longer than a refused connection takes
    settings = gateway_settings(
        emulator,
        registry_url=f"http://127.0.0.1:{closed_port()}",
        connect_timeout=30.0,
        upstream_timeout=30.0,
    )
    async with running_gateway(settings, emulator) as gateway:
        # when
        started = time.monotonic()
        result = await gateway.execute(BOTH, {"rid": RID})
        elapsed = time.monotonic() - started
    # then the refusal is the answer: no timeout is waited for
    assert result == {
        "data": {"mlModels": {"nodes": first_two_names(emulator)}, "modelVersions": None},
        "errors": registry_error("The registry is unavailable (connection failed)"),
    }
    assert elapsed < 10


async def test_the_circuit_opens_fails_fast_without_requests_and_recovers(
    emulator: EmulatorHandle,
) -> None:
    # given a circuit that opens after two failed calls and probes after 10 s of its clock
    clock = FakeClock()
    settings = gateway_settings(
        emulator, breaker_failure_threshold=2, breaker_cooldown=10.0, upstream_retries=0
    )
    names = first_two_names(emulator)
    emulator.add_fault(match="registry", status=503)
    async with running_gateway(settings, emulator, clock=clock) as gateway:
        # when two calls fail with 503
        failed = [await gateway.execute(BOTH, {"rid": RID}) for _ in range(2)]
        # then each was a request answered 503
        for result in failed:
            assert result["errors"] == registry_error(
                "The registry failed to answer (HTTP 503)",
                code="UPSTREAM_ERROR",
                upstreamError="Default:Internal",
            )
        assert registry_calls(emulator) == 2
        assert await circuit_state(gateway) == 2.0

        # when the circuit is open, up to the last moment of its cool-down
        clock.advance(9.9)
        open_result = await gateway.execute(BOTH, {"rid": RID})
        # then the registry field fails fast, no request is made, the catalog still answers
        assert open_result == {
            "data": {"mlModels": {"nodes": names}, "modelVersions": None},
            "errors": registry_error(OPEN_MESSAGE),
        }
        assert registry_calls(emulator) == 2

        # when the registry recovers and the cool-down is over
        emulator.clear_faults()
        clock.advance(0.1)
        probe = await gateway.execute(VERSIONS, {"rid": RID})
        after = await gateway.execute(VERSIONS, {"rid": RID})
        # then the probe went through and closed the circuit; the next call flows too
        assert "errors" not in probe
        assert after == probe
        assert len(probe["data"]["modelVersions"]["nodes"]) == 1
        assert registry_calls(emulator) == 4
        assert await circuit_state(gateway) == 0.0


async def test_a_failed_probe_keeps_failing_fast(emulator: EmulatorHandle) -> None:
    # given an open circuit whose cool-down is over, the registry still down
    clock = FakeClock()
    settings = gateway_settings(
        emulator, breaker_failure_threshold=1, breaker_cooldown=10.0, upstream_retries=0
    )
    emulator.add_fault(match="registry", status=503)
    async with running_gateway(settings, emulator, clock=clock) as gateway:
        await gateway.execute(VERSIONS, {"rid": RID})
        clock.advance(10.0)
        # when the probe fails
        probe = await gateway.execute(VERSIONS, {"rid": RID})
        after = await gateway.execute(VERSIONS, {"rid": RID})
    # then it reopened: the next call made no request
    assert probe["errors"][0]["extensions"]["code"] == "UPSTREAM_ERROR"
    assert after["errors"][0]["message"] == OPEN_MESSAGE
    assert registry_calls(emulator) == 2


async def test_a_slow_registry_holds_a_bounded_number_of_calls_and_never_slows_the_catalog(
    emulator: EmulatorHandle,
) -> None:
    # given a registry that takes 3 s, at most 2 calls to it at once, 0.2 s to wait for a slot
    settings = gateway_settings(
        emulator, upstream_max_concurrency=2, upstream_queue_timeout=0.2, upstream_timeout=30
    )
    names = first_two_names(emulator)
    emulator.reset_counters()
    emulator.add_fault(match=LIST_VERSIONS, delay_ms=3000)
    async with running_gateway(settings, emulator) as gateway:
        finished: list[dict[str, Any]] = []

        async def registry_query() -> None:
            finished.append(await gateway.execute(VERSIONS, {"rid": RID}))

        # when five registry queries start and two of them reach the registry
        hanging = [asyncio.create_task(registry_query()) for _ in range(5)]
        await until(lambda: emulator.counters().get(LIST_VERSIONS) == 2, "two registry calls")
        # and a catalog-only query runs meanwhile
        catalog = await gateway.execute(CATALOG_ONLY)
        # then the catalog answered while both registry calls were still hanging
        assert catalog == {"data": {"mlModels": {"nodes": names}}}
        assert registry_calls(emulator) == 0
        await asyncio.gather(*hanging)
    # three registry queries gave up without a request and before the hang was over; the
    # two that held a slot were answered last
    assert [result.get("errors") for result in finished[:3]] == [TOO_MANY_IN_FLIGHT] * 3
    assert ["errors" in result for result in finished[3:]] == [False, False]
    assert emulator.counters() == {LIST_VERSIONS: 2, "GET /api/v1/mlmodels": 1}


class HoldingTransport(httpx.AsyncBaseTransport):
    """Real HTTP to the emulator; the answer to the first registry request is held back
    until `release` is set, so that call stays in flight while others come and go."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.release = asyncio.Event()
        self.holding = False
        self._to_hold = 1

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if self._to_hold and request.url.path.startswith("/api/v2/"):
            self._to_hold -= 1
            await response.aread()
            self.holding = True
            await self.release.wait()
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_a_call_failing_after_the_circuit_opened_does_not_extend_the_cooldown(
    emulator: EmulatorHandle,
) -> None:
    # given a circuit that opens at the first failure for 10 s, a registry answering 503,
    # and a first registry call whose 503 is held back on its way to the gateway
    clock = FakeClock()
    settings = gateway_settings(
        emulator, breaker_failure_threshold=1, breaker_cooldown=10.0, upstream_retries=0
    )
    emulator.add_fault(match="registry", status=503)
    transport = HoldingTransport()
    async with running_gateway(settings, emulator, clock=clock, transport=transport) as gateway:
        late = asyncio.create_task(gateway.execute(VERSIONS, {"rid": RID}))
        await until(lambda: transport.holding, "the held registry answer")
        # and a second call, admitted after the first, whose failure opens the circuit
        opening = await gateway.execute(VERSIONS, {"rid": RID})
        assert await circuit_state(gateway) == 2.0
        # when the first call's failure arrives 5 s into the cool-down
        clock.advance(5.0)
        transport.release.set()
        late_result = await late
        # and the registry has recovered when the cool-down is over
        emulator.clear_faults()
        clock.advance(5.0)
        probe = await gateway.execute(VERSIONS, {"rid": RID})
        state = await circuit_state(gateway)
    # then the late failure did not restart the cool-down: the probe went out and closed it
    assert (
        opening
        == late_result
        == {
            "data": {"modelVersions": None},
            "errors": [
                {
                    "message": "The registry failed to answer (HTTP 503)",
                    "locations": [{"line": 2, "column": 33}],
                    "path": ["modelVersions"],
                    "extensions": {
                        "code": "UPSTREAM_ERROR",
                        "upstream": "registry",
                        "upstreamError": "Default:Internal",
                    },
                }
            ],
        }
    )
    assert probe == {"data": {"modelVersions": {"nodes": [{"rid": NEWEST_VERSION}]}}}
    assert registry_calls(emulator) == 3
    assert state == 0.0


async def circuit_state(gateway: GatewayClient) -> float:
    text = (await gateway.http.get("/metrics")).text
    line = 'gateway_upstream_circuit_state{upstream="registry"} '
    values = [float(row[len(line) :]) for row in text.splitlines() if row.startswith(line)]
    assert len(values) == 1
    return values[0]
