"""The keep-alive pool against a scripted HTTP server: framing, reuse, limits and failures."""

from __future__ import annotations

import asyncio
import gzip
import zlib

import httpx
import pytest
import uvloop

from gateway.base.errors import UpstreamError
from gateway.upstream.http import UpstreamConfig, UpstreamHttp, UpstreamName
from gateway.upstream.pool import ConnectionPool, ResponseTooLargeError
from tests.conftest import until
from tests.upstream.wire import ScriptedServer, Serve, ok


def _pool(url: str, **overrides: float) -> ConnectionPool:
    options: dict[str, float] = {
        "max_response_bytes": 64 * 1024 * 1024,
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
        max_response_bytes=int(options["max_response_bytes"]),
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


CHUNKS = b"3\r\nabc\r\n0\r\n\r\n"
EARLY_HINTS = b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


@pytest.mark.parametrize(
    "steps",
    [
        [EARLY_HINTS + ok(b"final")],
        [EARLY_HINTS, 0.05, ok(b"final")],
        [CONTINUE, 0.05, ok(b"final")],
        [CONTINUE, 0.05, EARLY_HINTS + EARLY_HINTS, 0.05, ok(b"final")],
    ],
    ids=["103 in the answer's segment", "103 alone", "100 alone", "100 then two 103"],
)
async def test_interim_answers_are_skipped(serve: Serve, steps: list[bytes | float]) -> None:
    # given a server that sends 1xx answers before each final one
    server = await serve(lambda _: steps)
    pool = _pool(server.url)
    # when
    first = await pool.send("GET", f"{server.url}/a", {}, None)
    second = await pool.send("GET", f"{server.url}/b", {}, None)
    # then: the final answers, without the interim answers' headers, on one connection
    assert [(status, body) for status, _, body in (first, second)] == [(200, b"final")] * 2
    assert "link" not in first[1]
    assert server.connections == 1
    await pool.aclose()


async def test_an_answer_followed_by_more_bytes_in_the_same_read_is_answered_alone(
    serve: Serve,
) -> None:
    # given an answer and a second, unasked one, in one segment
    unasked = (
        b"HTTP/1.1 500 Internal Server Error\r\nX-Which: unasked\r\nContent-Length: 3\r\n\r\nbad"
    )
    replies = iter([ok(b"ok", "X-Which: asked") + unasked, ok(b"fresh")])
    server = await serve(lambda _: next(replies))
    pool = _pool(server.url)
    # when
    status, headers, body = await pool.send("GET", f"{server.url}/a", {}, None)
    second = await pool.send("GET", f"{server.url}/b", {}, None)
    # then: the asked answer as it was sent; the talkative connection is dropped
    assert (status, headers["x-which"], body) == (200, "asked", b"ok")
    assert (second[0], second[2]) == (200, b"fresh")
    assert server.connections == 2
    await pool.aclose()


async def test_bytes_after_an_answer_close_the_idle_connection(serve: Serve) -> None:
    # given an answer, then more bytes a moment later while no request is pending
    unasked = b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 3\r\n\r\nbad"
    replies = iter([[ok(b"ok"), 0.05, unasked], ok(b"fresh")])
    server = await serve(lambda _: next(replies))
    pool = _pool(server.url)
    first = await pool.send("GET", f"{server.url}/a", {}, None)
    await until(lambda: server.open_now == 0, "the pool to drop the connection")
    # when
    second = await pool.send("GET", f"{server.url}/b", {}, None)
    # then
    assert [(a[0], a[2]) for a in (first, second)] == [(200, b"ok"), (200, b"fresh")]
    assert server.connections == 2
    await pool.aclose()


async def _nothing_sent_but(pool: ConnectionPool, server: ScriptedServer) -> None:
    """Sends one good request after refused ones: the server has read every byte sent
    before its answer, and must have read that request alone."""
    status, _, _ = await pool.send("GET", f"{server.url}/good", {}, None)
    assert status == 200
    assert [r.split(b"\r\n")[0] for r in server.requests] == [b"GET /good HTTP/1.1"]
    assert server.received == len(server.requests[0])


@pytest.mark.parametrize(
    "path",
    ["/a b", "/a\r\nX-Injected: 1", "/a\nb", "/a\rb", "/a\x00b", "/a\tb", "/a\x7fb", "/café"],
    ids=["space", "CRLF", "LF", "CR", "NUL", "tab", "DEL", "non-ASCII"],
)
async def test_a_request_target_that_is_not_visible_ascii_is_refused_before_sending(
    serve: Serve, path: str
) -> None:
    # given
    server = await serve(lambda _: ok(b"ok"))
    pool = _pool(server.url)
    # when / then
    with pytest.raises(httpx.InvalidURL):
        await pool.send("GET", f"{server.url}{path}", {}, None)
    await _nothing_sent_but(pool, server)
    await pool.aclose()


@pytest.mark.parametrize(
    ("method", "headers"),
    [
        ("GET", {"X-A\r\nX-Injected": "1"}),
        ("GET", {"X A": "1"}),
        ("GET", {"X-A:": "1"}),
        ("GET", {"": "1"}),
        ("GET", {"X-A": "a\x00b"}),
        ("GET", {"X-A": "a\rb"}),
        ("GET", {"X-A": "a\x7fb"}),
        ("GET", {"X-A": "€"}),
        ("GET /x HTTP/1.1\r\nX-Injected: 1\r\n\r\nGET", {}),
    ],
    ids=[
        "CRLF in a name",
        "space in a name",
        "colon in a name",
        "empty name",
        "NUL in a value",
        "CR in a value",
        "DEL in a value",
        "value beyond latin-1",
        "CRLF in the method",
    ],
)
async def test_a_header_or_method_that_is_not_http_is_refused_before_sending(
    serve: Serve, method: str, headers: dict[str, str]
) -> None:
    # given
    server = await serve(lambda _: ok(b"ok"))
    pool = _pool(server.url)
    # when / then
    with pytest.raises(httpx.LocalProtocolError):
        await pool.send(method, f"{server.url}/x", headers, None)
    await _nothing_sent_but(pool, server)
    await pool.aclose()


def _big_headers(size: int) -> bytes:
    return b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * size + b"\r\nContent-Length: 2\r\n\r\nok"


@pytest.mark.parametrize(
    ("steps", "max_response_bytes"),
    [
        ([_big_headers(70_000)], 1000),
        ([b"HTTP/1.1 200 OK\r\nX-Big: ", *[b"a" * 40_000, 0.02] * 3, 5.0], 1000),
        ([b"HTTP/1.1 200 OK\r\n", *[b"X-Pad: " + b"p" * 1000 + b"\r\n"] * 70, b"\r\n"], 1000),
        ([EARLY_HINTS * 3000, ok(b"ok")], 1000),
        ([ok(b"x" * 1001)], 1000),
        ([b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n", b"x" * 1001], 1000),
        (
            [
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                *[b"1f4\r\n" + b"x" * 500 + b"\r\n"] * 3,
            ],
            1000,
        ),
        ([b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + b"x" * 1001, None], 1000),
        ([ok(gzip.compress(b"\0" * 10_000_000), "Content-Encoding: gzip")], 1_000_000),
        ([ok(zlib.compress(b"\0" * 10_000_000), "Content-Encoding: deflate")], 1_000_000),
    ],
    ids=[
        "one header of 70 kB",
        "a header that never ends",
        "70 headers of 1 kB",
        "3,000 interim answers",
        "Content-Length over the limit",
        "a long body on its way",
        "chunked",
        "close-delimited",
        "gzip bomb",
        "deflate bomb",
    ],
)
async def test_an_answer_over_the_size_limits_is_refused(
    serve: Serve, steps: list[bytes | float | None], max_response_bytes: int
) -> None:
    # given
    server = await serve(lambda _: steps)
    pool = _pool(server.url, max_response_bytes=max_response_bytes)
    # when / then
    with pytest.raises(ResponseTooLargeError) as raised:
        await pool.send("GET", f"{server.url}/x", {}, None)
    assert isinstance(raised.value, httpx.RemoteProtocolError)
    await pool.aclose()


async def test_an_answer_at_the_size_limits_is_read(serve: Serve) -> None:
    # given a body and a decoded body of exactly the limit, and 60 kB of headers
    replies = iter(
        [
            ok(b"x" * 1000),
            ok(gzip.compress(b"y" * 1000), "Content-Encoding: gzip"),
            _big_headers(60_000),
        ]
    )
    server = await serve(lambda _: next(replies))
    pool = _pool(server.url, max_response_bytes=1000)
    # when
    answers = [await pool.send("GET", f"{server.url}/x", {}, None) for _ in range(3)]
    # then
    assert [body for _, _, body in answers] == [b"x" * 1000, b"y" * 1000, b"ok"]
    assert server.connections == 1
    await pool.aclose()


@pytest.mark.parametrize(
    ("name", "answer", "message"),
    [
        (
            "catalog",
            ok(b'{"data": "' + b"x" * 2000 + b'"}'),
            "The catalog's answer is larger than 1024 bytes",
        ),
        (
            "registry",
            ok(gzip.compress(b" " * 2000), "Content-Encoding: gzip"),
            "The registry's answer is larger than 1024 bytes",
        ),
        (
            "catalog",
            _big_headers(70_000),
            "The catalog's answer has headers larger than 65536 bytes",
        ),
    ],
    ids=["body", "decoded body", "headers"],
)
async def test_an_answer_over_the_limits_is_the_upstreams_error(
    serve: Serve, name: UpstreamName, answer: bytes, message: str
) -> None:
    # given
    server = await serve(lambda _: answer)
    config = UpstreamConfig(name, f"{server.url}/api", max_response_bytes=1024)
    http = UpstreamHttp(config)
    # when
    with pytest.raises(UpstreamError) as raised:
        await http.request("GET", "/v1/x", dict, auth=None, idempotent=True)
    # then: named for what it is, and not retried (the upstream is up)
    assert (raised.value.code, raised.value.message) == ("UPSTREAM_ERROR", message)
    assert len(server.requests) == 1
    await http.aclose()


@pytest.mark.parametrize(
    "answer",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n" + CHUNKS,
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n" + CHUNKS,
        b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
        b"HTTP/1.1 200 OK\r\nContent-Length: 3, 4\r\n\r\nabcd",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n" + CHUNKS,
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nabc",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"
        + CHUNKS,
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: xchunked\r\n\r\n" + CHUNKS,
        b"HTTP/1.1 099 Early\r\nContent-Length: 0\r\n\r\n",
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",
        b"HTTP/1.1 101 Switching Protocols\r\n\r\n",
    ],
    ids=[
        "Content-Length then Transfer-Encoding",
        "Transfer-Encoding then Content-Length",
        "two Content-Lengths",
        "a list of Content-Lengths",
        "gzip transfer coding, then chunked",
        "gzip transfer coding",
        "gzip then chunked, in two fields",
        "unknown transfer coding",
        "status below 100",
        "unasked protocol switch",
        "101 without Upgrade",
    ],
)
async def test_an_answer_whose_framing_is_ambiguous_is_a_protocol_error(
    serve: Serve, answer: bytes
) -> None:
    # given a server that would keep the connection open
    server = await serve(lambda _: answer)
    pool = _pool(server.url)
    # when / then
    with pytest.raises(httpx.RemoteProtocolError):
        await pool.send("GET", f"{server.url}/x", {}, None)
    # then: the connection is closed at once, not left to the server
    await until(lambda: server.open_now == 0, "the pool to close the connection", within=0.4)
    await pool.aclose()


async def test_a_head_answer_has_no_body_whatever_its_length(serve: Serve) -> None:
    # given
    replies = iter([b"HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n", ok(b"after")])
    server = await serve(lambda _: next(replies))
    pool = _pool(server.url)
    # when
    head = await pool.send("HEAD", f"{server.url}/x", {}, None)
    after = await pool.send("GET", f"{server.url}/x", {}, None)
    # then
    assert (head[0], head[1]["content-length"], head[2]) == (200, "1234", b"")
    assert (after[0], after[2]) == (200, b"after")
    await pool.aclose()


@pytest.mark.parametrize(
    ("encoding", "packed"),
    [
        ("gzip", gzip.compress(b"hello")),
        ("GZIP", gzip.compress(b"hello")),
        ("deflate", zlib.compress(b"hello")),
        ("deflate", zlib.compress(b"hello", wbits=-zlib.MAX_WBITS)),
        ("identity", b"hello"),
    ],
    ids=["gzip", "upper-case name", "deflate", "raw deflate", "identity"],
)
async def test_content_encodings_are_decoded(serve: Serve, encoding: str, packed: bytes) -> None:
    # given
    server = await serve(lambda _: ok(packed, f"Content-Encoding: {encoding}"))
    pool = _pool(server.url)
    # when
    status, _, body = await pool.send("GET", f"{server.url}/x", {}, None)
    # then
    assert (status, body) == (200, b"hello")
    await pool.aclose()


async def test_a_truncated_gzip_body_is_a_decoding_error(serve: Serve) -> None:
    # given
    server = await serve(
        lambda _: ok(gzip.compress(b"hello" * 100)[:-12], "Content-Encoding: gzip")
    )
    pool = _pool(server.url)
    # when / then
    with pytest.raises(httpx.DecodingError):
        await pool.send("GET", f"{server.url}/x", {}, None)
    await pool.aclose()


async def test_trailer_fields_are_not_taken_for_headers(serve: Serve) -> None:
    # given a chunked answer whose trailer names a content encoding after the body
    server = await serve(
        lambda _: (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Which: head\r\n\r\n"
            b"5\r\nhello\r\n0\r\nContent-Encoding: gzip\r\nX-Which: trailer\r\n\r\n"
        )
    )
    pool = _pool(server.url)
    # when
    status, headers, body = await pool.send("GET", f"{server.url}/x", {}, None)
    # then
    assert (status, body, headers["x-which"], "content-encoding" in headers) == (
        200,
        b"hello",
        "head",
        False,
    )
    await pool.aclose()
