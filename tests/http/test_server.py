"""The served HTTP/1.1 protocol: a response's head and body leave in one write."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from uvicorn.config import Config
from uvicorn.server import ServerState

from gateway.server.http.server import CoalescingHttpToolsProtocol, CoalescingTransport
from tests.servers import ThreadedServer


class RecordingTransport(asyncio.Transport):
    """Records what is written; never pauses."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: Any) -> None:
        self.writes.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def get_write_buffer_size(self) -> int:
        return 0

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8000)}.get(
            name, default
        )

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def test_a_write_waits_for_the_next_and_both_leave_together() -> None:
    # given
    inner = RecordingTransport()
    transport = CoalescingTransport(inner, asyncio.get_running_loop())
    # when
    transport.write(b"head")
    held = list(inner.writes)
    transport.write(b"body")
    # then
    assert held == []
    assert inner.writes == [b"headbody"]


async def test_a_write_left_alone_leaves_at_the_end_of_the_loop_iteration() -> None:
    # given
    inner = RecordingTransport()
    transport = CoalescingTransport(inner, asyncio.get_running_loop())
    # when
    transport.write(b"last chunk")
    assert transport.get_write_buffer_size() == len(b"last chunk")
    await asyncio.sleep(0)
    # then
    assert inner.writes == [b"last chunk"]
    assert transport.get_write_buffer_size() == 0


async def test_closing_sends_what_is_held_first() -> None:
    # given
    inner = RecordingTransport()
    transport = CoalescingTransport(inner, asyncio.get_running_loop())
    transport.write(b"held")
    # when
    transport.close()
    await asyncio.sleep(0)
    # then
    assert inner.writes == [b"held"]
    assert inner.closed


async def _hello(_: Request) -> Response:
    return PlainTextResponse("hello")


async def _stream(_: Request) -> Response:
    async def chunks() -> AsyncIterator[bytes]:
        for chunk in (b"one ", b"two ", b"three"):
            await asyncio.sleep(0.01)
            yield chunk

    return StreamingResponse(chunks(), media_type="text/plain")


APP = Starlette(routes=[Route("/hello", _hello), Route("/stream", _stream)])


async def test_uvicorn_writes_a_whole_response_in_one_send() -> None:
    # given the protocol as uvicorn runs it, over a transport that records each send
    config = Config(APP, log_level="warning", access_log=False, lifespan="off")
    config.load()
    protocol = CoalescingHttpToolsProtocol(config=config, server_state=ServerState(), app_state={})
    transport = RecordingTransport()
    protocol.connection_made(transport)
    # when two requests come one after the other on the connection
    for _ in range(2):
        protocol.data_received(b"GET /hello HTTP/1.1\r\nHost: test\r\n\r\n")
        for _ in range(20):
            await asyncio.sleep(0)
    protocol.connection_lost(None)
    # then each response went out in one send: status line, headers and body
    assert len(transport.writes) == 2
    for sent in transport.writes:
        assert sent.startswith(b"HTTP/1.1 200 OK\r\n")
        assert sent.endswith(b"\r\n\r\nhello")
        assert b"content-length: 5\r\n" in sent


async def test_responses_read_back_whole_over_a_real_socket() -> None:
    # given a real server with the protocol
    server = ThreadedServer(APP).start()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        # when a plain and a streamed response are asked for on one kept-alive connection
        writer.write(b"GET /hello HTTP/1.1\r\nHost: test\r\n\r\n")
        head = await reader.readuntil(b"\r\n\r\n")
        body = await reader.readexactly(5)
        writer.write(b"GET /stream HTTP/1.1\r\nHost: test\r\n\r\n")
        stream_head = await reader.readuntil(b"\r\n\r\n")
        chunked = await reader.readuntil(b"0\r\n\r\n")
        writer.close()
        await writer.wait_closed()
    finally:
        server.stop()
    # then
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert body == b"hello"
    assert b"transfer-encoding: chunked\r\n" in stream_head
    assert chunked == b"4\r\none \r\n4\r\ntwo \r\n5\r\nthree\r\n0\r\n\r\n"
