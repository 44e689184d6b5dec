"""Graceful shutdown: SIGTERM drains in-flight requests, within the shutdown timeout."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from tests.conftest import EmulatorHandle, until
from tests.resilience.processes import ServeProcess

QUERY = "query Drained { mlModels(first: 1) { nodes { name } } }"
LIST_MODELS = "GET /api/v1/mlmodels"


def serve(emulator: EmulatorHandle, log: Path, shutdown_timeout: int) -> ServeProcess:
    return ServeProcess(
        [
            "--catalog-url", emulator.catalog_url,
            "--registry-url", emulator.registry_url,
            "--catalog-token", emulator.token,
            "--registry-token", emulator.token,
            "--upstream-timeout", "10",
            "--shutdown-timeout", str(shutdown_timeout),
            "--log-format", "json",
        ],
        log,
    )  # fmt: skip


def post(url: str, request_id: str) -> httpx.Response:
    return httpx.post(
        f"{url}/graphql", json={"query": QUERY}, headers={"X-Request-ID": request_id}, timeout=30
    )


async def wait_until_refused(url: str) -> None:
    """Poll `url` until connecting fails: the listener closes soon after SIGTERM."""
    deadline = time.monotonic() + 10
    async with httpx.AsyncClient(timeout=5) as client:
        while time.monotonic() < deadline:
            try:
                await client.get(f"{url}/healthz")
            except httpx.ConnectError:
                return
            except httpx.TransportError:
                pass  # accepted just before the listener closed, then dropped: poll again
            await asyncio.sleep(0.05)
    raise AssertionError(f"{url} still accepted connections 10 s after SIGTERM")


async def test_sigterm_lets_an_in_flight_request_finish_then_exits(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    # given a gateway whose catalog call takes 1.5 s
    gateway = serve(emulator, tmp_path / "stderr.log", shutdown_timeout=10)
    try:
        gateway.wait_healthy()
        emulator.reset_counters()
        emulator.add_fault(match=LIST_MODELS, delay_ms=1500)
        in_flight = asyncio.create_task(asyncio.to_thread(post, gateway.url, "drain-1"))
        await until(lambda: emulator.counters().get(LIST_MODELS), "the catalog call")
        # when
        gateway.process.send_signal(signal.SIGTERM)
        # then new connections are refused while the request in flight still completes
        await wait_until_refused(gateway.url)
        response = await in_flight
        assert response.status_code == 200
        assert response.headers["x-request-id"] == "drain-1"
        assert len(response.json()["data"]["mlModels"]["nodes"]) == 1
        assert await asyncio.to_thread(gateway.wait_exit, 15) == 0
    finally:
        gateway.stop()
    # and every log line is JSON; the drained request's line names it
    lines: list[dict[str, Any]] = [
        orjson.loads(line) for line in (tmp_path / "stderr.log").read_text().splitlines()
    ]
    access = [line for line in lines if line["logger"] == "gateway.access"]
    assert [(a["request_id"], a["status"], a["operation"]) for a in access] == [
        ("drain-1", 200, "Drained")
    ]
    assert [e.get("request_id") for e in emulator.requests() if e["route"] == LIST_MODELS] == [
        "drain-1"
    ]


async def test_a_request_longer_than_the_shutdown_timeout_is_cut_short(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    # given a catalog call of 20 s and 1 s to shut down
    gateway = serve(emulator, tmp_path / "stderr.log", shutdown_timeout=1)
    try:
        gateway.wait_healthy()
        emulator.reset_counters()
        emulator.add_fault(match=LIST_MODELS, delay_ms=20_000)
        in_flight = asyncio.create_task(asyncio.to_thread(post, gateway.url, "cut-1"))
        await until(lambda: emulator.counters().get(LIST_MODELS), "the catalog call")
        # when
        started = time.monotonic()
        gateway.process.send_signal(signal.SIGTERM)
        code = await asyncio.to_thread(gateway.wait_exit, 15)
        # then the process did not wait for the upstream
        assert time.monotonic() - started < 10
        assert code == 0
        with pytest.raises(httpx.HTTPError):
            (await in_flight).raise_for_status()
    finally:
        gateway.stop()
