"""Fixtures for the HTTP protocol tests: gateways over the emulator with chosen settings."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

import httpx
import pytest

from tests.conftest import EmulatorHandle, GatewayClient, gateway_settings, running_gateway

GatewayFactory = Callable[..., AbstractAsyncContextManager[GatewayClient]]


@pytest.fixture(scope="module")
async def http(emulator_server: EmulatorHandle) -> AsyncIterator[httpx.AsyncClient]:
    """A client of one default gateway per module, for requests whose answers need no data
    that other tests change (the shared emulator is not reseeded for each)."""
    settings = gateway_settings(emulator_server)
    async with running_gateway(settings, emulator_server) as gateway:
        yield gateway.http


@pytest.fixture
def gateway_with(emulator: EmulatorHandle) -> GatewayFactory:
    """`async with gateway_with(csrf_prevention=False) as gateway:` a gateway with overrides."""

    def start(**overrides: object) -> AbstractAsyncContextManager[GatewayClient]:
        return running_gateway(gateway_settings(emulator, **overrides), emulator)

    return start
