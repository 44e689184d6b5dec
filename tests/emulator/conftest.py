"""Fixtures the emulator tests share: a client of the catalog API (the registry one is in
tests/conftest.py, shared with the contract tests)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import EmulatorHandle


@pytest.fixture
def catalog(emulator: EmulatorHandle) -> Iterator[httpx.Client]:
    """A client of the freshly reseeded catalog's `/v1` API, sending the token."""
    with httpx.Client(
        base_url=f"{emulator.catalog_url}/v1", headers=emulator.headers(), timeout=10
    ) as client:
        yield client
