"""The keep-alive pool against a corpus of scripted upstream answers, each played over a real
socket to the pool and to aiohttp: both must come to the same outcome, but where listed."""

from __future__ import annotations

import asyncio
import gzip
import zlib
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass

import aiohttp
import httpx
import pytest
from aiohttp.http_exceptions import ContentEncodingError, HttpProcessingError, LineTooLong

from gateway.upstream.pool import MAX_HEADER_BYTES, ConnectionPool, ResponseTooLargeError
from tests.upstream.wire import Serve, Step, ok

READ_TIMEOUT = 0.3
MAX_BODY = 100_000

# What one request came to: (status, body, its X-* headers), or the kind of failure.
Answered = tuple[int, bytes, dict[str, str]]
Outcome = Answered | str
PROTOCOL = "protocol error"
READ = "read error"
TIMEOUT = "timeout"
TOO_LARGE = "too large"
DECODING = "decoding error"


@dataclass(frozen=True)
class Script:
    """A server's answers, one per request (`steps[i]` for the i-th request on any
    connection), and what the pool must make of them. `pause` seconds pass between
    requests."""

    name: str
    steps: Sequence[Sequence[Step]]
    expected: Sequence[Outcome]
    method: str = "GET"
    pause: float = 0.0


def head(status: str = "200 OK", *headers: str) -> bytes:
    fields = "".join(f"{field}\r\n" for field in headers)
    return f"HTTP/1.1 {status}\r\n{fields}\r\n".encode()


def chunked(*chunks: bytes) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n"


JSON = b'{"data":[{"id":"1"}]}'
HELLO = b"hello world"
GZIPPED = gzip.compress(HELLO)
BOMB = gzip.compress(b"\0" * (MAX_BODY * 50))
EARLY_HINTS = head("103 Early Hints", "Link: </style.css>; rel=preload", "X-Interim: yes")
CHUNKED = "Transfer-Encoding: chunked"
CLOSE = "Connection: close"


def trickle(data: bytes, gap: float) -> list[Step]:
    """`data` a byte at a time, `gap` seconds apart."""
    steps: list[Step] = []
    for byte in data:
        steps += [gap, bytes([byte])]
    return steps


def answered(body: bytes, status: int = 200, **headers: str) -> Answered:
    return (status, body, {name.replace("_", "-"): value for name, value in headers.items()})


SCRIPTS = [
    Script(
        "plain",
        [[ok(JSON, "Content-Type: application/json", "X-Script: plain")]],
        [answered(JSON, x_script="plain")],
    ),
    Script(
        "two on one connection", [[ok(b"one")], [ok(b"two")]], [answered(b"one"), answered(b"two")]
    ),
    Script(
        "no reason phrase", [[b"HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok"]], [answered(b"ok")]
    ),
    Script(
        "server error",
        [[ok(b"oops").replace(b"200 OK", b"500 Internal Server Error")]],
        [answered(b"oops", 500)],
    ),
    Script(
        "chunked with extensions and trailers",
        [
            [
                head("200 OK", CHUNKED, "X-Script: chunked")
                + b"5;name=value\r\nhello\r\n6;x\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n"
            ],
            [ok(b"next")],
        ],
        [answered(HELLO, x_script="chunked"), answered(b"next")],
    ),
    Script(
        "chunked, a segment per chunk",
        [
            [
                head("200 OK", CHUNKED),
                b"5\r\nhello\r\n",
                0.02,
                b"6\r\n world\r\n",
                0.02,
                b"0\r\n\r\n",
            ],
            [ok(b"next")],
        ],
        [answered(HELLO), answered(b"next")],
    ),
    Script("gzip", [[ok(GZIPPED, "Content-Encoding: gzip")]], [answered(HELLO)]),
    Script(
        "gzip, chunked",
        [[head("200 OK", CHUNKED, "Content-Encoding: gzip") + chunked(GZIPPED[:10], GZIPPED[10:])]],
        [answered(HELLO)],
    ),
    Script("deflate", [[ok(zlib.compress(HELLO), "Content-Encoding: deflate")]], [answered(HELLO)]),
    Script(
        "raw deflate",
        [[ok(zlib.compress(HELLO, wbits=-zlib.MAX_WBITS), "Content-Encoding: deflate")]],
        [answered(HELLO)],
    ),
    Script("identity encoding", [[ok(HELLO, "Content-Encoding: identity")]], [answered(HELLO)]),
    Script("undecodable gzip", [[ok(b"not gzip at all", "Content-Encoding: gzip")]], [DECODING]),
    Script(
        "truncated gzip",
        [[ok(gzip.compress(HELLO * 50)[:-12], "Content-Encoding: gzip")]],
        [DECODING],
    ),
    Script("unknown encoding", [[ok(HELLO, "Content-Encoding: x-unknown")]], [DECODING]),
    Script(
        "103 in the answer's segment",
        [[EARLY_HINTS + ok(b"final")], [ok(b"next")]],
        [answered(b"final"), answered(b"next")],
    ),
    Script(
        "103 in its own segment",
        [[EARLY_HINTS, 0.05, ok(b"final")], [ok(b"next")]],
        [answered(b"final"), answered(b"next")],
    ),
    Script(
        "100 then 103, own segments",
        [[head("100 Continue"), 0.02, EARLY_HINTS, 0.02, ok(b"final")]],
        [answered(b"final")],
    ),
    Script(
        "204 without a body",
        [[head("204 No Content", "X-Script: 204")], [ok(b"next")]],
        [answered(b"", 204, x_script="204"), answered(b"next")],
    ),
    Script(
        "304 with a length but no body",
        [[head("304 Not Modified", "Content-Length: 5")], [ok(b"next")]],
        [answered(b"", 304), answered(b"next")],
    ),
    Script(
        "HEAD with a length but no body",
        [[head("200 OK", "Content-Length: 5")]],
        [answered(b"")],
        method="HEAD",
    ),
    Script(
        "close-delimited body",
        [[head("200 OK", CLOSE) + b"all of it", None]],
        [answered(b"all of it")],
    ),
    Script(
        "close-delimited, in segments",
        [[head("200 OK"), b"all ", 0.02, b"of it", None], [ok(b"next")]],
        [answered(b"all of it"), answered(b"next")],
    ),
    Script(
        "HTTP/1.0 with a length",
        [[b"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\none"], [ok(b"two")]],
        [answered(b"one"), answered(b"two")],
    ),
    Script("closed before any byte", [[None]], [READ]),
    Script("closed in the head", [[b"HTTP/1.1 200 OK\r\nContent-Le", None]], [READ]),
    Script("closed in the body", [[head("200 OK", "Content-Length: 10") + b"abc", None]], [READ]),
    Script("closed between chunks", [[head("200 OK", CHUNKED) + b"5\r\nhello\r\n", None]], [READ]),
    Script(
        "bytes after the answer, same segment",
        [
            [
                ok(b"asked", "X-Which: asked")
                + head("500 Oops", "X-Which: unasked", "Content-Length: 3")
                + b"bad"
            ],
            [ok(b"next")],
        ],
        [answered(b"asked", x_which="asked"), answered(b"next")],
    ),
    Script(
        "bytes after the answer, later segment",
        [[ok(b"asked"), 0.05, head("500 Oops", "Content-Length: 3") + b"bad"], [ok(b"next")]],
        [answered(b"asked"), answered(b"next")],
        pause=0.2,
    ),
    Script(
        "oversized header",
        [[head("200 OK", "X-Big: " + "a" * 70_000, "Content-Length: 2") + b"ok"]],
        [TOO_LARGE],
    ),
    Script("oversized body", [[ok(b"x" * (MAX_BODY + 1))]], [TOO_LARGE]),
    Script(
        "oversized chunked body",
        [[head("200 OK", CHUNKED) + chunked(*[b"x" * 10_000] * 11)]],
        [TOO_LARGE],
    ),
    Script("body at the limit", [[ok(b"x" * MAX_BODY)]], [answered(b"x" * MAX_BODY)]),
    Script("gzip bomb", [[ok(BOMB, "Content-Encoding: gzip")]], [TOO_LARGE]),
    Script(
        "malformed status line", [[b"HTTP/1.1 abc OK\r\nContent-Length: 2\r\n\r\nok"]], [PROTOCOL]
    ),
    Script("not HTTP", [[b"SSH-2.0-OpenSSH_9.6\r\n\r\n"]], [PROTOCOL]),
    Script("LF line ends", [[b"HTTP/1.1 200 OK\nContent-Length: 2\n\nok"]], [PROTOCOL]),
    Script(
        "conflicting lengths",
        [[head("200 OK", "Content-Length: 3", "Content-Length: 4") + b"abcd"]],
        [PROTOCOL],
    ),
    Script(
        "equal lengths twice",
        [[head("200 OK", "Content-Length: 2", "Content-Length: 2") + b"ok"]],
        [PROTOCOL],
    ),
    Script(
        "length and chunked",
        [[head("200 OK", "Content-Length: 5", CHUNKED) + chunked(b"hello")]],
        [PROTOCOL],
    ),
    Script(
        "gzip transfer coding",
        [[head("200 OK", "Transfer-Encoding: gzip, chunked") + chunked(GZIPPED)]],
        [PROTOCOL],
    ),
    Script(
        "gzip then chunked, in two fields",
        [[head("200 OK", "Transfer-Encoding: gzip", CHUNKED) + chunked(GZIPPED)]],
        [PROTOCOL],
    ),
    Script(
        "unknown transfer coding",
        [[head("200 OK", "Transfer-Encoding: xchunked") + chunked(HELLO)]],
        [PROTOCOL],
    ),
    Script("status below 100", [[head("099 Early", "Content-Length: 2") + b"ok"]], [PROTOCOL]),
    Script(
        "unasked protocol switch",
        [[head("101 Switching Protocols", "Upgrade: websocket", "Connection: upgrade")]],
        [PROTOCOL],
    ),
    Script(
        "70 headers of 1 kB",
        [
            [
                head(
                    "200 OK", *[f"X-Pad-{n}: {'p' * 1000}" for n in range(70)], "Content-Length: 2"
                )
                + b"ok"
            ]
        ],
        [TOO_LARGE],
    ),
    Script("bad chunk size", [[head("200 OK", CHUNKED) + b"zz\r\nhello\r\n0\r\n\r\n"]], [PROTOCOL]),
    Script(
        "trickle past the read timeout",
        [[head("200 OK", "Content-Length: 8"), *trickle(b"x" * 8, READ_TIMEOUT / 6)]],
        [answered(b"x" * 8)],
    ),
    Script("stall before the answer", [[0.6, ok(b"late")]], [TIMEOUT]),
    Script(
        "stall in the body", [[head("200 OK", "Content-Length: 5") + b"ab", 0.6, b"cde"]], [TIMEOUT]
    ),
]

# Script name -> why aiohttp comes to another outcome than the pool's expected one.
DIFFERENCES: dict[str, str] = {
    "truncated gzip": "aiohttp returns what decompresses; a cut stream is a corrupt answer",
    "unknown encoding": "aiohttp returns the bytes undecoded, as if they were the body",
    "bytes after the answer, later segment": "aiohttp keeps the connection and answers the "
    "next request with the unasked 500",
    "LF line ends": "llhttp's strict mode wants CRLF (RFC 9112 allows, not requires, a bare "
    "LF); aiohttp's parser is lenient",
    "gzip transfer coding": "aiohttp reads the chunks and returns the gzip bytes as the body",
    "gzip then chunked, in two fields": "as for the gzip transfer coding",
    "unknown transfer coding": "aiohttp reads to the close, which never comes: a timeout",
    "status below 100": "aiohttp answers status 99",
    "unasked protocol switch": "aiohttp answers the 101 as a final answer",
    "70 headers of 1 kB": "the pool bounds the head as a whole (64 KiB); aiohttp bounds each "
    "line and field, and their count",
}


async def through_pool(url: str, script: Script) -> list[Outcome]:
    pool = ConnectionPool(
        f"{url}/api",
        max_connections=1,
        connect_timeout=1.0,
        read_timeout=READ_TIMEOUT,
        pool_timeout=1.0,
        keepalive_expiry=4.0,
        max_response_bytes=MAX_BODY,
    )
    outcomes: list[Outcome] = []
    for n in range(len(script.expected)):
        await asyncio.sleep(script.pause if n else 0)
        try:
            status, headers, body = await pool.send(script.method, f"{url}/x/{n}", {}, None)
        except ResponseTooLargeError:
            outcomes.append(TOO_LARGE)
        except httpx.TimeoutException:
            outcomes.append(TIMEOUT)
        except httpx.DecodingError:
            outcomes.append(DECODING)
        except httpx.RemoteProtocolError:
            outcomes.append(PROTOCOL)
        except (httpx.ConnectError, httpx.ReadError):
            outcomes.append(READ)
        else:
            outcomes.append((status, body, _x_headers(headers.items())))
    await pool.aclose()
    return outcomes


class _TooLarge(Exception):
    """The body read through aiohttp passed the limit the pool is given."""


async def through_aiohttp(url: str, script: Script) -> list[Outcome]:
    timeout = aiohttp.ClientTimeout(sock_read=READ_TIMEOUT, sock_connect=1.0)
    outcomes: list[Outcome] = []
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=1),
        timeout=timeout,
        auto_decompress=True,
        max_line_size=MAX_HEADER_BYTES,
        max_field_size=MAX_HEADER_BYTES,
    ) as session:
        for n in range(len(script.expected)):
            await asyncio.sleep(script.pause if n else 0)
            try:
                async with session.request(script.method, f"{url}/x/{n}") as response:
                    body = bytearray()
                    async for data in response.content.iter_any():
                        body += data
                        if len(body) > MAX_BODY:
                            raise _TooLarge
                headers = _x_headers(response.headers.items())
                outcomes.append((response.status, bytes(body), headers))
            except Exception as exc:
                outcomes.append(_aiohttp_kind(exc))
    return outcomes


def _aiohttp_kind(exc: Exception) -> str:
    """The outcome kind of an aiohttp failure, found along its chain of causes."""
    chain: list[BaseException] = []
    cause: BaseException | None = exc
    while cause is not None:
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    for kinds, outcome in _AIOHTTP_KINDS:
        if any(isinstance(link, kinds) for link in chain):
            return outcome
    return f"{type(exc).__name__}: {exc}"


_AIOHTTP_KINDS: list[tuple[type[BaseException] | tuple[type[BaseException], ...], str]] = [
    ((_TooLarge, LineTooLong), TOO_LARGE),
    (ContentEncodingError, DECODING),
    ((aiohttp.ServerTimeoutError, TimeoutError), TIMEOUT),
    ((aiohttp.ClientPayloadError, aiohttp.ServerDisconnectedError), READ),
    ((HttpProcessingError, aiohttp.ClientResponseError), PROTOCOL),
]


def _x_headers(items: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {name.lower(): value for name, value in items if name.lower().startswith("x-")}


Client = Callable[[str, Script], Awaitable[list[Outcome]]]


async def play(serve: Serve, script: Script, client: Client) -> list[Outcome]:
    requests = 0

    def reply(_: bytes) -> Sequence[Step]:
        nonlocal requests
        requests += 1
        return script.steps[min(requests, len(script.steps)) - 1]

    server = await serve(reply)
    return await client(server.url, script)


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.name for s in SCRIPTS])
async def test_the_pool_comes_to_aiohttps_outcome(serve: Serve, script: Script) -> None:
    # when
    pool = await play(serve, script, through_pool)
    other = await play(serve, script, through_aiohttp)
    # then
    assert pool == list(script.expected)
    if script.name in DIFFERENCES:
        assert other != pool, f"aiohttp now agrees: drop {script.name!r} from DIFFERENCES"
    else:
        assert other == pool
