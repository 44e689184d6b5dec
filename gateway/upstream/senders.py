"""The HTTP clients `UpstreamHttp` can send through besides its own pool: aiohttp, httpx.

Both raise httpx's exception types, which retries and the error table speak.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import httpx
from aiohttp.http_exceptions import ContentEncodingError, HttpProcessingError

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


class AiohttpSender:
    """Requests straight through an aiohttp pool (`http_transport=aiohttp`).

    Wrapping aiohttp in httpx's Request and Response (what an httpx transport over aiohttp
    does) costs more CPU per call than the rest of the client layer: URL parsing, header
    normalisation and a chunked body stream; see docs/performance.md. Failures are raised
    as the httpx exceptions that retries and error mapping speak, as such a transport would.
    """

    def __init__(self, config: UpstreamConfig) -> None:
        self._config = config
        self._timeout = aiohttp.ClientTimeout(
            sock_connect=config.connect_timeout, sock_read=config.timeout, connect=config.timeout
        )
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        # Made on first use: a session belongs to the event loop that runs the requests.
        connector = aiohttp.TCPConnector(
            limit=self._config.max_connections,
            keepalive_timeout=KEEPALIVE_EXPIRY,
            ssl=httpx.create_ssl_context(trust_env=False),
        )
        # One session serves every caller: a cookie set for one must never go out with
        # another's request, so none is kept.
        self._session = aiohttp.ClientSession(
            connector=connector, trust_env=False, cookie_jar=aiohttp.DummyCookieJar()
        )
        return self._session

    async def send(
        self, method: str, url: str, headers: dict[str, str], content: bytes | None
    ) -> Exchange:
        session = self._session or self._open()
        try:
            async with session.request(
                method,
                url,
                headers=headers,
                data=content,
                allow_redirects=False,
                timeout=self._timeout,
            ) as response:
                body = await response.read()
        except (aiohttp.ClientError, HttpProcessingError) as exc:
            raise as_httpx_error(exc) from exc
        return response.status, response.headers, body

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()


def as_httpx_error(exc: aiohttp.ClientError | HttpProcessingError) -> httpx.RequestError:
    message = str(exc)
    if isinstance(exc, HttpProcessingError):
        if isinstance(exc.__cause__, ContentEncodingError):
            return httpx.DecodingError(message)
        return httpx.RemoteProtocolError(message)
    if isinstance(exc, aiohttp.SocketTimeoutError):
        return httpx.ReadTimeout(message)
    if isinstance(exc, aiohttp.ClientConnectionError):
        # Refused, dropped and timed-out connections alike: the request was not processed.
        return httpx.ConnectTimeout(message)
    if isinstance(exc, aiohttp.ClientPayloadError):
        return httpx.ReadError(message)
    return httpx.TransportError(message)
