"""Fixtures the emulator tests share: clients for the registry and the catalog APIs."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import EmulatorHandle


@pytest.fixture(scope="module")
def preview_client(emulator_server: EmulatorHandle) -> Iterator[httpx.Client]:
    """One keep-alive client per module, sending the token and `preview=true`."""
    with httpx.Client(
        base_url=emulator_server.registry_url,
        headers=emulator_server.headers(),
        params={"preview": "true"},
        timeout=10,
    ) as client:
        yield client


@pytest.fixture
def registry(emulator: EmulatorHandle, preview_client: httpx.Client) -> httpx.Client:
    """The module's client, talking to the freshly reseeded emulator."""
    return preview_client


@pytest.fixture
def catalog(emulator: EmulatorHandle) -> Iterator[httpx.Client]:
    """A client of the freshly reseeded catalog's `/v1` API, sending the token."""
    with httpx.Client(
        base_url=f"{emulator.catalog_url}/v1", headers=emulator.headers(), timeout=10
    ) as client:
        yield client
