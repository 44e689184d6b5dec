"""A lean HTTP/1.1 keep-alive client for one upstream origin: asyncio protocols + httptools.

The gateway talks to two known origins with small GETs and JSON bodies, thousands of times
a second. aiohttp's `ClientSession.request` spends most of a call's CPU on what these
calls never use (URL parsing and quoting, cookie jars, multidict headers, tracing hooks,
payload writers): ~130 µs a GET here, more than the rest of the client layer. This pool
writes a request as one buffer and parses the answer with llhttp (httptools, which the
server side already uses), so a call costs what the socket costs. Failures are raised as
the httpx exceptions the retry and error-mapping code speaks (see `UpstreamHttp._send`).
"""

from __future__ import annotations

import asyncio
import ssl
import zlib
from collections import deque
from collections.abc import Mapping
from typing import cast
from urllib.parse import urlsplit

import httptools
import httpx

Exchange = tuple[int, Mapping[str, str], bytes]

_DECOMPRESSORS = {"gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


class _Answer:
    """One response as it is parsed."""

    __slots__ = ("body", "headers", "headers_done", "started")

    def __init__(self) -> None:
        self.headers: dict[str, str] = {}
        self.body: list[bytes] = []
        self.started = False
        self.headers_done = False

    def ends_at_close(self) -> bool:
        """Whether the body is delimited by the connection closing (HTTP/1.0 style: no
        Content-Length and no chunked encoding)."""
        headers = self.headers
        return (
            self.headers_done
            and "content-length" not in headers
            and "transfer-encoding" not in headers
        )


class Connection(asyncio.Protocol):
    """One keep-alive connection; one request at a time."""

    def __init__(self, loop: asyncio.AbstractEventLoop, read_timeout: float) -> None:
        self._loop = loop
        self._read_timeout = read_timeout
        self._parser = httptools.HttpResponseParser(self)
        self._transport: asyncio.Transport | None = None
        self._waiter: asyncio.Future[_Answer] | None = None
        self._answer = _Answer()
        self._timer: asyncio.TimerHandle | None = None
        self._last_read = 0.0
        self.closed = False
        self.idle_since = 0.0
        self.keep_alive = False

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports implement asyncio.Transport without subclassing it.
        self._transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        if self._waiter is None:
            # Nothing was asked: a server talking out of turn cannot be trusted further.
            self.close()
            return
        self._last_read = self._loop.time()
        self._answer.started = True
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(httpx.RemoteProtocolError(f"malformed HTTP response: {exc}"))

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._transport = None
        if self._waiter is not None and not self._waiter.done():
            if self._answer.ends_at_close():
                self._waiter.set_result(self._answer)
            elif self._answer.started:
                self._fail(httpx.ReadError("the connection closed in the middle of a response"))
            else:
                # No byte of an answer: the request was not processed (or a kept-alive
                # connection was closed by the server as it was reused).
                self._fail(httpx.ConnectError("the connection closed before a response"))

    # httptools callbacks

    def on_header(self, name: bytes, value: bytes) -> None:
        self._answer.headers[name.decode("latin-1").lower()] = value.decode("latin-1")

    def on_headers_complete(self) -> None:
        self._answer.headers_done = True

    def on_body(self, body: bytes) -> None:
        self._answer.body.append(body)

    def on_message_complete(self) -> None:
        self.keep_alive = self._parser.should_keep_alive()
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(self._answer)

    # requests

    async def exchange(self, request: bytes) -> Exchange:
        """Send `request` and wait for its whole answer."""
        transport = self._transport
        if transport is None or self.closed:
            raise httpx.ConnectError("the connection is closed")
        self._answer = _Answer()
        self.keep_alive = False
        waiter = self._waiter = self._loop.create_future()
        self._last_read = self._loop.time()
        self._timer = self._loop.call_at(self._last_read + self._read_timeout, self._check_read)
        try:
            transport.write(request)
            answer = await waiter
        finally:
            self._timer.cancel()
            self._waiter = None
        status = self._parser.get_status_code()
        body = b"".join(answer.body)
        encoding = answer.headers.get("content-encoding")
        if encoding and encoding != "identity":
            body = _decompress(body, encoding)
        return status, answer.headers, body

    def _check_read(self) -> None:
        # One timer per request, moved on only when it fires: cheaper than re-arming it for
        # every chunk read.
        waited = self._loop.time() - self._last_read
        if waited >= self._read_timeout:
            self._fail(httpx.ReadTimeout(f"no response data for {self._read_timeout:g} s"))
        else:
            self._timer = self._loop.call_later(self._read_timeout - waited, self._check_read)

    def _fail(self, error: httpx.TransportError) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(error)
        self.close()

    def close(self) -> None:
        self.closed = True
        if self._transport is not None:
            self._transport.close()
            self._transport = None


def _decompress(body: bytes, encoding: str) -> bytes:
    wbits = _DECOMPRESSORS.get(encoding)
    if wbits is None:
        raise httpx.DecodingError(f"unsupported content encoding {encoding!r}")
    try:
        return zlib.decompress(body, wbits)
    except zlib.error as exc:
        raise httpx.DecodingError(f"undecodable {encoding} body") from exc


class ConnectionPool:
    """Keep-alive connections to one origin, at most `max_connections` open at once.

    Connections idle for `keepalive_expiry` seconds are dropped before reuse (below the
    server's own idle timeout, so a reused connection is rarely closed under a request).
    """

    def __init__(
        self,
        base_url: str,
        *,
        max_connections: int,
        connect_timeout: float,
        read_timeout: float,
        pool_timeout: float,
        keepalive_expiry: float,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {base_url!r}")
        self._tls = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port or (443 if self._tls else 80)
        self._origin = f"{parts.scheme}://{parts.netloc}"
        # As written in the URL (IPv6 brackets and any port kept), without credentials.
        self._host_header = parts.netloc.rpartition("@")[2]
        self._max = max_connections
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._pool_timeout = pool_timeout
        self._expiry = keepalive_expiry
        self._ssl: ssl.SSLContext | None = (
            httpx.create_ssl_context(trust_env=False) if self._tls else None
        )
        self._idle: list[Connection] = []
        self._open = 0
        self._waiters: deque[asyncio.Future[Connection | None]] = deque()
        self._closing = False

    def encode(
        self, method: str, url: str, headers: Mapping[str, str], content: bytes | None
    ) -> bytes:
        """The request as bytes on the wire (`url` is absolute, on this pool's origin)."""
        target = url[len(self._origin) :] if url.startswith(self._origin) else None
        if not target or target[0] != "/":
            parts = urlsplit(url)
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        lines = [f"{method} {target} HTTP/1.1\r\nHost: {self._host_header}\r\n"]
        for name, value in headers.items():
            if "\n" in value or "\r" in value:
                raise httpx.LocalProtocolError(f"header {name} holds a line break")
            lines.append(f"{name}: {value}\r\n")
        if content is not None:
            lines.append(f"Content-Length: {len(content)}\r\n")
        elif method in ("POST", "PUT", "PATCH"):
            lines.append("Content-Length: 0\r\n")
        lines.append("\r\n")
        try:
            head = "".join(lines).encode("latin-1")
        except UnicodeEncodeError as exc:
            raise httpx.LocalProtocolError("a header is not latin-1 text") from exc
        return head + content if content else head

    async def send(
        self, method: str, url: str, headers: Mapping[str, str], content: bytes | None
    ) -> Exchange:
        request = self.encode(method, url, headers, content)
        connection = await self._acquire()
        try:
            exchange = await connection.exchange(request)
        except BaseException:
            connection.close()
            self._release(connection)
            raise
        self._release(connection)
        return exchange

    async def _acquire(self) -> Connection:
        if self._closing:
            raise httpx.ConnectError("the connection pool is closed")
        now = asyncio.get_running_loop().time()
        while self._idle:
            connection = self._idle.pop()
            if not connection.closed and now - connection.idle_since < self._expiry:
                return connection
            connection.close()
            self._open -= 1
        if self._open < self._max:
            self._open += 1
        else:
            handed = await self._wait()
            if handed is not None:
                return handed
            # Woken with a slot reserved for a new connection.
        try:
            return await self._connect()
        except BaseException:
            self._open -= 1
            self._wake(None)
            raise

    async def _wait(self) -> Connection | None:
        """A connection handed over by `_release`, or None: a slot to open one."""
        waiter: asyncio.Future[Connection | None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            return await asyncio.wait_for(waiter, self._pool_timeout)
        except BaseException as exc:
            if waiter in self._waiters:
                self._waiters.remove(waiter)
            elif waiter.done() and not waiter.cancelled():
                # Handed something just as the wait ended: pass it on.
                handed = waiter.result()
                if handed is None:
                    self._open -= 1
                    self._wake(None)
                else:
                    self._release(handed)
            if isinstance(exc, TimeoutError):
                raise httpx.PoolTimeout(f"no free connection in {self._pool_timeout:g} s") from None
            raise

    async def _connect(self) -> Connection:
        loop = asyncio.get_running_loop()
        read_timeout = self._read_timeout
        try:
            async with asyncio.timeout(self._connect_timeout):
                _, connection = await loop.create_connection(
                    lambda: Connection(loop, read_timeout),
                    self._host,
                    self._port,
                    ssl=self._ssl,
                    server_hostname=self._host if self._tls else None,
                )
        except TimeoutError:
            raise httpx.ConnectTimeout(
                f"no connection to {self._origin} in {self._connect_timeout:g} s"
            ) from None
        except OSError as exc:
            raise httpx.ConnectError(f"cannot connect to {self._origin}: {exc}") from exc
        return connection

    def _release(self, connection: Connection) -> None:
        if connection.closed or not connection.keep_alive or self._closing:
            connection.close()
            self._open -= 1
            self._wake(None)
            return
        connection.idle_since = asyncio.get_running_loop().time()
        if not self._wake(connection):
            self._idle.append(connection)

    def _wake(self, connection: Connection | None) -> bool:
        """Hand `connection`, or with None a reserved slot to open one, to the longest
        waiter; False when nobody waits."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                if connection is None:
                    self._open += 1
                waiter.set_result(connection)
                return True
        return False

    async def aclose(self) -> None:
        self._closing = True
        for connection in self._idle:
            connection.close()
        self._open -= len(self._idle)
        self._idle.clear()
