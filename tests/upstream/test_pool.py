"""The keep-alive pool against a scripted HTTP server: framing, reuse, limits and failures."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import httpx
import pytest
import uvloop

from gateway.upstream.pool import ConnectionPool
from tests.conftest import until

Reply = Callable[[bytes], bytes | None]


def ok(body: bytes, *headers: str) -> bytes:
    head = "".join(f"{h}\r\n" for h in headers)
    return f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n{head}\r\n".encode() + body


@dataclass
class ScriptedServer:
    """Answers each request with `reply(request)`; None closes the connection unanswered."""

    reply: Reply
    delay: float = 0.0
    close_after: bool = False
    connections: int = 0
    open_now: int = 0
    most_open: int = 0
    requests: list[bytes] = field(default_factory=list)
    url: str = ""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.open_now += 1
        self.most_open = max(self.most_open, self.open_now)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                request = head + (await reader.readexactly(length) if length else b"")
                self.requests.append(request)
                if self.delay:
                    await asyncio.sleep(self.delay)
                answer = self.reply(request)
                if answer is None:
                    break
                writer.write(answer)
                await writer.drain()
                if self.close_after or b"connection: close" in answer.lower():
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.open_now -= 1
            writer.close()


Serve = Callable[..., Awaitable[ScriptedServer]]


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


def _pool(url: str, **overrides: float) -> ConnectionPool:
    options: dict[str, float] = {
        "max_connections": 10,
        "connect_timeout": 1.0,
        "read_timeout": 1.0,
        "pool_timeout": 1.0,
        "keepalive_expiry": 4.0,
    }
    options.update(overrides)
    return ConnectionPool(
        f"{url}/api",
        max_connections=int(options["max_connections"]),
        connect_timeout=options["connect_timeout"],
        read_timeout=options["read_timeout"],
        pool_timeout=options["pool_timeout"],
        keepalive_expiry=options["keepalive_expiry"],
    )


async def test_requests_are_framed_and_one_connection_is_reused(
    serve: Serve,
) -> None:
    # given
    server = await serve(lambda _: ok(b'{"n":1}', "Content-Type: application/json"))
    pool = _pool(server.url)
    # when
    answers = [
        await pool.send("GET", f"{server.url}/api/v1/x?fields=a,b", {"Accept": "*/*"}, None),
        await pool.send("POST", f"{server.url}/api/v1/y", {"A": "1"}, b'{"k":2}'),
        await pool.send("PUT", f"{server.url}/api/v1/z", {}, None),
    ]
    # then
    assert [(status, body) for status, _, body in answers] == [(200, b'{"n":1}')] * 3
    assert answers[0][1]["content-type"] == "application/json"
    port = server.url.rsplit(":", 1)[1]
    host = f"Host: 127.0.0.1:{port}\r\n"
    assert [r.decode() for r in server.requests] == [
        f"GET /api/v1/x?fields=a,b HTTP/1.1\r\n{host}Accept: */*\r\n\r\n",
        f'POST /api/v1/y HTTP/1.1\r\n{host}A: 1\r\nContent-Length: 7\r\n\r\n{{"k":2}}',
        f"PUT /api/v1/z HTTP/1.1\r\n{host}Content-Length: 0\r\n\r\n",
    ]
    assert server.connections == 1
    await pool.aclose()


async def test_chunked_and_gzip_bodies_are_decoded(serve: Serve) -> None:
    # given
    packed = gzip.compress(b"hello world")
    chunked = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    )
    zipped = ok(packed, "Content-Encoding: gzip")
    replies = iter([chunked, zipped])
    server = await serve(lambda _: next(replies))
    pool = _pool(server.url)
    # when
    first = await pool.send("GET", f"{server.url}/a", {}, None)
    second = await pool.send("GET", f"{server.url}/b", {}, None)
    # then
    assert (first[0], first[2]) == (200, b"hello world")
    assert (second[0], second[2]) == (200, b"hello world")
    assert server.connections == 1
    await pool.aclose()


async def test_a_body_that_ends_when_the_connection_closes_is_read_whole(serve: Serve) -> None:
    # given an HTTP/1.0-style answer: no length, no chunks, then the connection closes
    server = await serve(lambda _: b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it")
    server.close_after = True
    pool = _pool(server.url)
    # when
    status, _, body = await pool.send("GET", f"{server.url}/x", {}, None)
    # then
    assert (status, body) == (200, b"all of it")
    await pool.aclose()


async def test_a_connection_the_server_closes_is_not_reused(
    serve: Serve,
) -> None:
    # given
    server = await serve(lambda _: ok(b"bye", "Connection: close"))
    pool = _pool(server.url)
    # when
    bodies = [(await pool.send("GET", f"{server.url}/x", {}, None))[2] for _ in range(3)]
    # then
    assert bodies == [b"bye"] * 3
    assert server.connections == 3
    await pool.aclose()


async def test_no_more_connections_than_the_limit(serve: Serve) -> None:
    # given
    server = await serve(lambda _: ok(b"ok"), delay=0.02)
    pool = _pool(server.url, max_connections=2)
    # when
    answers = await asyncio.gather(
        *(pool.send("GET", f"{server.url}/x", {}, None) for _ in range(7))
    )
    # then
    assert [a[2] for a in answers] == [b"ok"] * 7
    assert (server.most_open, server.connections) == (2, 2)
    await pool.aclose()


async def test_waiting_longer_than_the_pool_timeout_fails(
    serve: Serve,
) -> None:
    # given the only connection busy with a request the server answers after 0.5 s
    server = await serve(lambda _: ok(b"late"), delay=0.5)
    pool = _pool(server.url, max_connections=1, pool_timeout=0.1)
    first = asyncio.ensure_future(pool.send("GET", f"{server.url}/x", {}, None))
    await until(lambda: server.requests, "the first request")
    # when / then (the server's delay began before the pool timeout, and ends after it)
    with pytest.raises(httpx.PoolTimeout):
        await pool.send("GET", f"{server.url}/y", {}, None)
    # then
    assert (await first)[2] == b"late"
    await pool.aclose()


async def test_a_silent_server_is_a_read_timeout(serve: Serve) -> None:
    # given
    server = await serve(lambda _: ok(b"too late"), delay=0.6)
    pool = _pool(server.url, read_timeout=0.2)
    # when
    with pytest.raises(httpx.ReadTimeout):
        await pool.send("GET", f"{server.url}/x", {}, None)
    # then: the timed-out connection is dropped, a new one answers
    server.delay = 0
    assert (await pool.send("GET", f"{server.url}/x", {}, None))[2] == b"too late"
    assert server.connections == 2
    await pool.aclose()


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (None, httpx.ConnectError),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", httpx.ReadError),
        (b"NOT HTTP AT ALL\r\n\r\n", httpx.RemoteProtocolError),
        (ok(b"xx", "Content-Encoding: gzip"), httpx.DecodingError),
        (ok(b"xx", "Content-Encoding: br"), httpx.DecodingError),
    ],
)
async def test_broken_answers_are_transport_errors(
    serve: Serve, answer: bytes | None, error: type[Exception]
) -> None:
    # given: the answer, then the connection closes
    server = await serve(lambda _: answer)
    server.close_after = True
    pool = _pool(server.url)
    # when / then
    with pytest.raises(error):
        await pool.send("GET", f"{server.url}/x", {}, None)
    await pool.aclose()


async def test_a_refused_connection_is_a_connect_error() -> None:
    # given
    probe = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = probe.sockets[0].getsockname()[1]
    probe.close()
    await probe.wait_closed()
    pool = _pool(f"http://127.0.0.1:{port}")
    # when / then
    with pytest.raises(httpx.ConnectError):
        await pool.send("GET", f"http://127.0.0.1:{port}/x", {}, None)


async def test_a_header_with_a_line_break_is_refused_before_sending(
    serve: Serve,
) -> None:
    # given
    server = await serve(lambda _: ok(b"ok"))
    pool = _pool(server.url)
    # when / then
    with pytest.raises(httpx.LocalProtocolError):
        await pool.send("GET", f"{server.url}/x", {"Authorization": "a\r\nX-Evil: 1"}, None)
    assert server.requests == []
    await pool.aclose()


def test_on_uvloop_as_gateway_serve_runs_it() -> None:
    """uvloop's transports are not asyncio's classes: reuse, framing and failures there."""

    async def scenario() -> None:
        replies = iter(
            [
                ok(b"one"),
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\ntwo\r\n0\r\n\r\n",
                ok(b"three", "Connection: close"),
                None,
            ]
        )
        scripted = ScriptedServer(lambda _: next(replies))
        server = await asyncio.start_server(scripted.handle, "127.0.0.1", 0)
        url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        pool = _pool(url)
        bodies = [(await pool.send("GET", f"{url}/x", {}, None))[2] for _ in range(3)]
        with pytest.raises(httpx.ConnectError):
            await pool.send("GET", f"{url}/x", {}, None)
        await pool.aclose()
        server.close()
        assert bodies == [b"one", b"two", b"three"]
        assert scripted.connections == 2

    uvloop.run(scenario())


async def test_an_ipv6_origin_keeps_its_brackets_in_the_host_header() -> None:
    # given a server on the IPv6 loopback
    scripted = ScriptedServer(lambda _: ok(b"v6"))
    try:
        server = await asyncio.start_server(scripted.handle, "::1", 0)
    except OSError as exc:
        pytest.skip(f"no IPv6 loopback on this machine: {exc}")
    url = f"http://[::1]:{server.sockets[0].getsockname()[1]}"
    pool = _pool(url)
    # when
    status, _, body = await pool.send("GET", f"{url}/x", {}, None)
    # then
    assert (status, body) == (200, b"v6")
    assert scripted.requests[0].split(b"\r\n")[1] == f"Host: {url[7:]}".encode()
    await pool.aclose()
    server.close()
