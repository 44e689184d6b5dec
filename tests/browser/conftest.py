"""A real headless Chromium (Debian's, driven by Playwright) with a fresh profile per test."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from gateway.emulator.config import DEFAULT_TOKEN
from gateway.server.app import create_app
from tests.browser.environment import CHROMIUM, require_assets, unavailable
from tests.conftest import EmulatorHandle, gateway_settings
from tests.servers import ThreadedServer

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Names other than the loopback address resolve to nothing: nothing can leave the
    # machine, and a stray request fails at once instead of waiting on DNS.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
LAUNCH_TIMEOUT_MS = 30_000
ACTION_TIMEOUT_MS = 15_000


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[BrowserContext]:
    """Chromium with a fresh --user-data-dir (Playwright passes it for a persistent context)."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        unavailable(f"headless Chromium is missing at {CHROMIUM}")
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        unavailable("the Python package playwright is not installed")
    require_assets()
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1440, "height": 900},
            timeout=LAUNCH_TIMEOUT_MS,
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        try:
            yield context
        finally:
            await context.close()


@pytest.fixture
def gateway_server(emulator: EmulatorHandle) -> Iterator[ThreadedServer]:
    """The gateway on a real loopback port (a browser needs one), over the seeded emulator."""
    server = ThreadedServer(create_app(gateway_settings(emulator))).start()
    yield server
    server.stop()


@pytest.fixture
def gateway_server_with_token(emulator: EmulatorHandle) -> Iterator[ThreadedServer]:
    """The gateway as `gateway serve` starts it over the embedded upstreams: the playground
    starts with the emulator's development token."""
    settings = gateway_settings(emulator, playground_token=DEFAULT_TOKEN)
    server = ThreadedServer(create_app(settings)).start()
    yield server
    server.stop()
