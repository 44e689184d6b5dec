"""The HTTP client `UpstreamHttp` can send through besides its own pool: httpx's.

It raises httpx's exception types, which retries and the error table speak (the pool
raises the same ones).
"""

from __future__ import annotations

from typing import Any

import httpx

from gateway.upstream.config import KEEPALIVE_EXPIRY, UpstreamConfig
from gateway.upstream.pool import Exchange


class HttpxSender:
    """Requests through an httpx transport: httpx's own pool, or a test's `MockTransport`
    or `ASGITransport`."""

    def __init__(self, config: UpstreamConfig, transport: httpx.AsyncBaseTransport | None) -> None:
        if transport is None:
            limits = httpx.Limits(
                max_connections=config.max_connections,
                max_keepalive_connections=config.max_connections,
                keepalive_expiry=KEEPALIVE_EXPIRY,
            )
            transport = httpx.AsyncHTTPTransport(limits=limits, trust_env=False)
        self._transport = transport
        timeout = httpx.Timeout(config.timeout, connect=config.connect_timeout)
        self._extensions: dict[str, Any] = {"timeout": timeout.as_dict()}

    async def send(
        self, method: str, url: str, headers: dict[str, str], content: bytes | None
    ) -> Exchange:
        request = httpx.Request(
            method, url, headers=headers, content=content, extensions=self._extensions
        )
        response = await self._transport.handle_async_request(request)
        try:
            body = await response.aread()
        finally:
            await response.aclose()
        return response.status_code, response.headers, body

    async def aclose(self) -> None:
        await self._transport.aclose()
