"""Upstream clients wired to the shared emulator over real HTTP, once per transport; scripted
servers for the wire-level tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Literal

import pytest

from gateway.upstream.catalog import CatalogClient
from gateway.upstream.http import UpstreamConfig, UpstreamHttp
from gateway.upstream.registry import RegistryClient
from tests.conftest import EmulatorHandle
from tests.upstream.wire import Reply, ScriptedServer, Serve

Transport = Literal["pool", "httpx"]


@pytest.fixture(params=["pool", "httpx"])
def transport(request: pytest.FixtureRequest) -> Transport:
    kind: Transport = request.param
    return kind


@pytest.fixture
async def catalog_http(
    emulator: EmulatorHandle, transport: Transport
) -> AsyncIterator[UpstreamHttp]:
    http = UpstreamHttp(UpstreamConfig("catalog", emulator.catalog_url, transport=transport))
    yield http
    await http.aclose()


@pytest.fixture
async def registry_http(
    emulator: EmulatorHandle, transport: Transport
) -> AsyncIterator[UpstreamHttp]:
    http = UpstreamHttp(UpstreamConfig("registry", emulator.registry_url, transport=transport))
    yield http
    await http.aclose()


@pytest.fixture
def catalog(catalog_http: UpstreamHttp, emulator: EmulatorHandle) -> CatalogClient:
    """The catalog as the emulator's admin sees it."""
    return CatalogClient(catalog_http, auth=emulator.headers()["Authorization"])


@pytest.fixture
def registry(registry_http: UpstreamHttp, emulator: EmulatorHandle) -> RegistryClient:
    return RegistryClient(registry_http, auth=emulator.headers()["Authorization"])


def logged(emulator: EmulatorHandle, route: str) -> list[tuple[str, int]]:
    """(query string, status) of each logged request to `route`, oldest first."""
    return [
        (str(entry["query"]), int(str(entry["status"])))
        for entry in emulator.requests()
        if entry["route"] == route
    ]


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    """Starts scripted servers on free loopback ports; closes them after the test."""
    servers: list[asyncio.Server] = []

    async def start(reply: Reply, delay: float = 0.0) -> ScriptedServer:
        scripted = ScriptedServer(reply, delay)
        server = await asyncio.start_server(scripted.handle, "127.0.0.1", 0)
        servers.append(server)
        scripted.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        return scripted

    yield start
    for server in servers:
        server.close()
