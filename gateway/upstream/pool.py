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
import re
import ssl
import zlib
from collections import deque
from collections.abc import Mapping
from typing import Literal, cast
from urllib.parse import urlsplit

import httptools
import httpx

Exchange = tuple[int, Mapping[str, str], bytes]

# The header fields of an answer (its interim answers' included) may hold this many bytes,
# as aiohttp and h11 bound a line or a field; a body, decoded or not, by default this many.
MAX_HEADER_BYTES = 64 * 1024
MAX_RESPONSE_BYTES = 64 * 1024 * 1024

_DECOMPRESSORS = {"gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# What a request head may hold besides its line ends: tab, visible ASCII and obs-text.
_FIELD_BYTES = b"\t" + bytes(range(0x20, 0x7F)) + bytes(range(0x80, 0x100))
# Methods and header names already found to be tokens: the gateway sends a handful, and a
# set lookup costs less than a match per request.
_TOKENS_SEEN = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
_TOKENS_SEEN_MAX = 256


class ResponseTooLargeError(httpx.RemoteProtocolError):
    """An answer past the pool's limits: its headers, or its body (decoded or not)."""

    def __init__(self, part: Literal["headers", "body"], limit: int) -> None:
        verb = "are" if part == "headers" else "is"
        super().__init__(f"the response {part} {verb} larger than {limit} bytes")
        self.part = part
        self.limit = limit


class _Answer:
    """One response message as it is parsed."""

    __slots__ = ("body", "headers", "status")

    def __init__(self) -> None:
        self.headers: dict[str, str] = {}
        self.body: list[bytes] = []
        self.status = 0

    def ends_at_close(self) -> bool:
        """Whether the body is delimited by the connection closing (HTTP/1.0 style: no
        Content-Length and no chunked encoding, the only transfer coding let through)."""
        headers = self.headers
        return "content-length" not in headers and "transfer-encoding" not in headers


class Connection(asyncio.Protocol):
    """One keep-alive connection; one request at a time.

    Each answer is taken whole from the message it was parsed from: interim (1xx) answers
    are skipped, and any byte past the final answer closes the connection, so an answer
    never carries another's status, headers or body.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, read_timeout: float, max_body: int) -> None:
        self._loop = loop
        self._read_timeout = read_timeout
        self._max_body = max_body
        self._parser = httptools.HttpResponseParser(self)
        self._transport: asyncio.Transport | None = None
        self._waiter: asyncio.Future[_Answer] | None = None
        self._answer = _Answer()
        self._timer: asyncio.TimerHandle | None = None
        self._last_read = 0.0
        # Per request: whether it was a HEAD, whether the final answer's head is still
        # awaited, bytes read and header bytes parsed meanwhile, body bytes still allowed.
        self._head_only = False
        self._heading = False
        self._head_read = 0
        self._head_size = 0
        self._room = max_body
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
        if self._heading:
            # The parser keeps a field it has not seen the end of: bound what it holds
            # across reads (the fields themselves are counted in on_header).
            if self._head_read > MAX_HEADER_BYTES:
                self._fail(ResponseTooLargeError("headers", MAX_HEADER_BYTES))
                return
            self._head_read += len(data)
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserCallbackError as exc:
            # A callback refused the answer with an httpx error (see on_message_begin).
            error = exc.__context__
            if not isinstance(error, httpx.TransportError):
                error = httpx.RemoteProtocolError(f"unreadable HTTP response: {error!r}")
            self._fail(error)
        except (httptools.HttpParserError, httptools.HttpParserUpgrade) as exc:
            self._fail(httpx.RemoteProtocolError(f"malformed HTTP response: {exc!r}"))

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._transport = None
        if self._waiter is None or self._waiter.done():
            return
        if not self._heading and self._answer.ends_at_close():
            self._finish(self._answer, keep_alive=False)
        elif self._head_read:
            self._fail(httpx.ReadError("the connection closed in the middle of a response"))
        else:
            # No byte of an answer: the request was not processed (or a kept-alive
            # connection was closed by the server as it was reused).
            self._fail(httpx.ConnectError("the connection closed before a response"))

    # httptools callbacks

    def on_message_begin(self) -> None:
        if self._waiter is None:
            # Bytes past the answer, read along with it.
            raise httpx.RemoteProtocolError("data after the end of a response")
        self._answer = _Answer()

    def on_header(self, name: bytes, value: bytes) -> None:
        self._head_size += len(name) + len(value)
        if self._head_size > MAX_HEADER_BYTES:
            raise ResponseTooLargeError("headers", MAX_HEADER_BYTES)
        if self._heading:
            headers = self._answer.headers
            text = value.decode("latin-1")
            key = name.decode("latin-1").lower()
            if key in headers:
                # A repeated field is one list (RFC 9110 5.3), as httpx reads it: a
                # transfer coding cannot hide in a second Transfer-Encoding field.
                headers[key] += ", " + text
            else:
                headers[key] = text
        # Otherwise a trailer field, after a chunked body: not a header (one naming a
        # content coding must not change how the body is read), and dropped as aiohttp
        # drops them.

    def on_headers_complete(self) -> None:
        answer = self._answer
        status = answer.status = self._parser.get_status_code()
        if status < 200:
            if status < 100 or status == 101:
                raise httpx.RemoteProtocolError(f"unexpected HTTP status {status}")
            return  # an interim answer: the final one follows
        self._heading = False
        coding = answer.headers.get("transfer-encoding")
        if coding is not None and coding.strip().lower() != "chunked":
            # llhttp reads chunks under any list ending in chunked, and anything else to
            # the close, undecoded: refused, as h11 does.
            raise httpx.RemoteProtocolError(f"unsupported transfer coding {coding!r}")
        if self._head_only:
            # The answer to a HEAD has no body whatever its framing says, and the parser
            # cannot be told so: answered now, and the connection is not reused.
            self._finish(answer, keep_alive=False)
            raise httpx.RemoteProtocolError("no body after a HEAD answer")

    def on_body(self, body: bytes) -> None:
        room = self._room - len(body)
        if room < 0:
            raise ResponseTooLargeError("body", self._max_body)
        self._room = room
        self._answer.body.append(body)

    def on_message_complete(self) -> None:
        answer = self._answer
        if answer.status < 200:
            return  # an interim answer
        # _finish, inlined: this runs once per response.
        self.keep_alive = self._parser.should_keep_alive()
        waiter = self._waiter
        self._waiter = None
        if waiter is not None and not waiter.done():
            waiter.set_result(answer)

    # requests

    async def exchange(self, request: bytes, head_only: bool = False) -> Exchange:
        """Send `request` and wait for its whole answer (`head_only`: no body, for HEAD)."""
        transport = self._transport
        if transport is None or self.closed:
            raise httpx.ConnectError("the connection is closed")
        self.keep_alive = False
        self._head_only = head_only
        self._heading = True
        self._head_read = self._head_size = 0
        self._room = self._max_body
        waiter = self._waiter = self._loop.create_future()
        self._last_read = self._loop.time()
        self._timer = self._loop.call_at(self._last_read + self._read_timeout, self._check_read)
        try:
            transport.write(request)
            answer = await waiter
        finally:
            self._timer.cancel()
            self._waiter = None
        body = b"".join(answer.body)
        encoding = answer.headers.get("content-encoding")
        if encoding and body:
            body = _decode(body, encoding, self._max_body)
        return answer.status, answer.headers, body

    def _finish(self, answer: _Answer, keep_alive: bool) -> None:
        self.keep_alive = keep_alive
        waiter = self._waiter
        self._waiter = None
        if waiter is not None and not waiter.done():
            waiter.set_result(answer)

    def _check_read(self) -> None:
        # One timer per request, moved on only when it fires: cheaper than re-arming it for
        # every chunk read.
        waited = self._loop.time() - self._last_read
        if waited >= self._read_timeout:
            self._fail(httpx.ReadTimeout(f"no response data for {self._read_timeout:g} s"))
        else:
            self._timer = self._loop.call_later(self._read_timeout - waited, self._check_read)

    def _fail(self, error: httpx.TransportError) -> None:
        waiter = self._waiter
        self._waiter = None
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)
        self.close()

    def close(self) -> None:
        self.closed = True
        if self._transport is not None:
            self._transport.close()
            self._transport = None


def _invalid_target() -> httpx.InvalidURL:
    return httpx.InvalidURL("the request target holds a space, a control or a non-ASCII character")


def _check_token(text: str) -> None:
    if not _TOKEN.fullmatch(text):
        raise httpx.LocalProtocolError(f"{text!r} is not an HTTP token (method or header name)")
    if len(_TOKENS_SEEN) < _TOKENS_SEEN_MAX:
        _TOKENS_SEEN.add(text)


def _decode(body: bytes, encoding: str, limit: int) -> bytes:
    """`body` decoded from its content `encoding`, refused once it passes `limit` bytes."""
    encoding = encoding.strip().lower()
    if encoding == "identity":
        return body
    wbits = _DECOMPRESSORS.get(encoding)
    if wbits is None:
        raise httpx.DecodingError(f"unsupported content encoding {encoding!r}")
    if encoding == "deflate" and body[0] & 0x0F != 8:
        # Raw deflate without the zlib header, as some servers send it (and aiohttp and
        # httpx accept it).
        wbits = -zlib.MAX_WBITS
    decoder = zlib.decompressobj(wbits)
    try:
        # Never more than the limit and one byte: a small bomb cannot fill the memory.
        decoded = decoder.decompress(body, limit + 1)
    except zlib.error as exc:
        raise httpx.DecodingError(f"undecodable {encoding} body") from exc
    if len(decoded) > limit:
        raise ResponseTooLargeError("body", limit)
    if not decoder.eof:
        raise httpx.DecodingError(f"truncated {encoding} body")
    return decoded


class ConnectionPool:
    """Keep-alive connections to one origin, at most `max_connections` open at once.

    Connections idle for `keepalive_expiry` seconds are dropped before reuse (below the
    server's own idle timeout, so a reused connection is rarely closed under a request).
    An answer's body may hold `max_response_bytes`, decoded or not, and its headers
    `MAX_HEADER_BYTES`; past either, `ResponseTooLargeError`.
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
        max_response_bytes: int = MAX_RESPONSE_BYTES,
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
        self._max_body = max_response_bytes
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
        """The request as bytes on the wire (`url` is absolute, on this pool's origin).

        Nothing that could end a line or a field early goes out: the request target must
        be visible ASCII (`httpx.InvalidURL`), the method and header names tokens and the
        values free of control characters (`httpx.LocalProtocolError`).
        """
        target = url[len(self._origin) :] if url.startswith(self._origin) else None
        if not target or target[0] != "/":
            parts = urlsplit(url)
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if not target.isascii() or " " in target or "\t" in target:
            raise _invalid_target()
        if method not in _TOKENS_SEEN:
            _check_token(method)
        lines = [f"{method} {target} HTTP/1.1\r\nHost: {self._host_header}\r\n"]
        for name, value in headers.items():
            if name not in _TOKENS_SEEN:
                _check_token(name)
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
        # One pass finds any control character (the target's included) but the line ends
        # written above: cheaper than a check of each part.
        if head.translate(None, _FIELD_BYTES) != b"\r\n" * (len(lines) + 1):
            if not target.isprintable():
                raise _invalid_target()
            raise httpx.LocalProtocolError("a header value holds a control character")
        return head + content if content else head

    async def send(
        self, method: str, url: str, headers: Mapping[str, str], content: bytes | None
    ) -> Exchange:
        request = self.encode(method, url, headers, content)
        connection = await self._acquire()
        try:
            exchange = await connection.exchange(request, method == "HEAD")
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
        max_body = self._max_body
        try:
            async with asyncio.timeout(self._connect_timeout):
                _, connection = await loop.create_connection(
                    lambda: Connection(loop, read_timeout, max_body),
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
