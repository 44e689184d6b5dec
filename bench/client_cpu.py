"""Client CPU per upstream GET, per transport, against the emulator in its own process.

    .venv/bin/python bench/client_cpu.py [--calls 2000] [--rounds 3]

Starts `python -m gateway emulator --data :memory:` on a free port, then times
sequential GETs with `time.process_time()` in this process only (the emulator's CPU is
not counted). Rows: the gateway's clients over both transports (pool, httpx), and plain
aiohttp / httpx calls of the same URL as references, so the numbers can be compared across
machines. Each row reports the median of `--rounds` rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any, Literal

import aiohttp
import httpx

from gateway.emulator.config import DEFAULT_TOKEN
from gateway.emulator.ids import PROMOTION, registry_model_rid, registry_version_rid
from gateway.upstream.catalog import CatalogClient
from gateway.upstream.http import UpstreamConfig, UpstreamHttp
from gateway.upstream.registry import RegistryClient

AUTH = f"Bearer {DEFAULT_TOKEN}"
WARMUP = 200
Call = Callable[[], Awaitable[Any]]
Transport = Literal["pool", "httpx"]
TRANSPORTS: tuple[Transport, ...] = ("pool", "httpx")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_emulator(port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "gateway", "emulator", "--data", ":memory:"]
    process = subprocess.Popen([*command, "--port", str(port)], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/_emulator/health", timeout=1).raise_for_status()
            return process
        except httpx.HTTPError:
            if process.poll() is not None:
                raise RuntimeError("the emulator exited during startup") from None
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("the emulator did not start in 30 s")


async def measure(call: Call, calls: int, rounds: int) -> tuple[float, float]:
    """Median CPU and wall microseconds per call."""
    for _ in range(WARMUP):
        await call()
    cpu: list[float] = []
    wall: list[float] = []
    for _ in range(rounds):
        cpu0, wall0 = time.process_time(), time.perf_counter()
        for _ in range(calls):
            await call()
        cpu.append((time.process_time() - cpu0) / calls * 1e6)
        wall.append((time.perf_counter() - wall0) / calls * 1e6)
    return statistics.median(cpu), statistics.median(wall)


async def run(port: int, calls: int, rounds: int) -> list[tuple[str, float, float]]:
    url = f"http://127.0.0.1:{port}"
    rows: list[tuple[str, float, float]] = []
    setup = UpstreamHttp(UpstreamConfig("catalog", f"{url}/api", token=DEFAULT_TOKEN))
    model_id = (await CatalogClient(setup, auth=None).list_models(limit=1)).data[0].id
    await setup.aclose()
    model_url = f"{url}/api/v1/mlmodels/{model_id}"

    async with aiohttp.ClientSession() as session:

        async def raw_aiohttp() -> bytes:
            async with session.get(model_url, headers={"Authorization": AUTH}) as response:
                return await response.read()

        rows.append(
            ("aiohttp ClientSession.get (reference)", *await measure(raw_aiohttp, calls, rounds))
        )

    async with httpx.AsyncClient() as client:

        async def raw_httpx() -> bytes:
            response = await client.get(model_url, headers={"Authorization": AUTH})
            return response.content

        rows.append(("httpx.AsyncClient.get (reference)", *await measure(raw_httpx, calls, rounds)))

    for kind in TRANSPORTS:
        rows.extend(await client_rows(url, kind, model_id, calls, rounds))
    return rows


async def client_rows(
    url: str, kind: Transport, model_id: str, calls: int, rounds: int
) -> list[tuple[str, float, float]]:
    catalog_http = UpstreamHttp(UpstreamConfig("catalog", f"{url}/api", transport=kind))
    registry_http = UpstreamHttp(UpstreamConfig("registry", url, transport=kind))
    catalog = CatalogClient(catalog_http, auth=AUTH)
    registry = RegistryClient(registry_http, auth=AUTH)
    model_rid = registry_model_rid(PROMOTION[0])
    version_rid = registry_version_rid(PROMOTION[0], 1)

    async def get_model() -> object:
        return await catalog.get_model(model_id)

    async def get_model_fields() -> object:
        return await catalog.get_model(model_id, fields=("owners", "tags"))

    async def get_version() -> object:
        return await registry.get_version(model_rid, version_rid)

    rows = [
        (f"CatalogClient.get_model, {kind}", *await measure(get_model, calls, rounds)),
        (
            f"CatalogClient.get_model(fields=owners,tags), {kind}",
            *await measure(get_model_fields, calls, rounds),
        ),
        (f"RegistryClient.get_version, {kind}", *await measure(get_version, calls, rounds)),
    ]
    await catalog_http.aclose()
    await registry_http.aclose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000, help="timed calls per round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per row (median kept)")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    port = free_port()
    emulator = start_emulator(port)
    try:
        rows = asyncio.run(run(port, args.calls, args.rounds))
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)
    print(
        f"client CPU per sequential upstream GET: {args.calls} calls x {args.rounds} rounds, "
        f"median; Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"{platform.machine()}, load average {load:.2f} at start"
    )
    width = max(len(name) for name, _, _ in rows)
    print(f"{'call':<{width}}  {'CPU us/call':>11}  {'wall us/call':>12}")
    for name, cpu, wall in rows:
        print(f"{name:<{width}}  {cpu:>11.1f}  {wall:>12.1f}")


if __name__ == "__main__":
    main()
