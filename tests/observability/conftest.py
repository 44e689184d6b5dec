"""Fixtures for observability tests: recorded spans, and a transport that records headers."""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from gateway.observability.logs import JsonFormatter, RequestContextFilter
from gateway.settings import Settings
from tests.conftest import EmulatorHandle, GatewayClient


@pytest.fixture(scope="session")
def span_exporter() -> InMemorySpanExporter:
    """Spans of this test session; the gateway keeps a tracer provider installed before it."""
    exporter = InMemorySpanExporter()
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return exporter


@pytest.fixture
def spans(span_exporter: InMemorySpanExporter) -> Iterator[InMemorySpanExporter]:
    span_exporter.clear()
    yield span_exporter
    span_exporter.clear()


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """Gateway log lines written as `log_format=json` writes them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    logger = logging.getLogger("gateway")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield stream
    logger.removeHandler(handler)
    logger.setLevel(level)


class RecordingTransport(httpx.AsyncBaseTransport):
    """A real HTTP transport that keeps the headers of every request it sends upstream."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.sent: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@asynccontextmanager
async def recording_gateway(
    settings: Settings, emulator: EmulatorHandle
) -> AsyncIterator[tuple[GatewayClient, RecordingTransport]]:
    from gateway.app import create_app

    transport = RecordingTransport()
    app = create_app(settings, transport=transport)
    async with app.router.lifespan_context(app):
        asgi = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=asgi, base_url="http://gateway") as client:
            yield GatewayClient(client, emulator), transport
