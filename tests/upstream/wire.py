"""A scripted HTTP/1.1 server on a real loopback socket: raw answers, pauses and hang-ups."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

# One step of an answer: bytes are written (one send each), a float pauses that many
# seconds, None closes the connection.
Step = bytes | float | None
Reply = Callable[[bytes], bytes | Sequence[Step] | None]


def ok(body: bytes, *headers: str) -> bytes:
    head = "".join(f"{h}\r\n" for h in headers)
    return f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n{head}\r\n".encode() + body


@dataclass
class ScriptedServer:
    """Answers each request with `reply(request)`: raw bytes, or steps (see `Step`); None
    closes the connection unanswered. `received` counts every byte a client sent."""

    reply: Reply
    delay: float = 0.0
    close_after: bool = False
    connections: int = 0
    open_now: int = 0
    most_open: int = 0
    received: int = 0
    requests: list[bytes] = field(default_factory=list)
    url: str = ""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.open_now += 1
        self.most_open = max(self.most_open, self.open_now)
        try:
            while await self._answer(reader, writer):
                pass
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            if isinstance(exc, asyncio.IncompleteReadError):
                self.received += len(exc.partial)
        finally:
            self.open_now -= 1
            writer.close()

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Read one request and play its answer; False once the connection is to close."""
        head = await reader.readuntil(b"\r\n\r\n")
        self.received += len(head)
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        request = head + (await reader.readexactly(length) if length else b"")
        self.received += length
        self.requests.append(request)
        if self.delay:
            await asyncio.sleep(self.delay)
        answer = self.reply(request)
        steps: Sequence[Step] = [answer] if answer is None or isinstance(answer, bytes) else answer
        written = b""
        for step in steps:
            if step is None:
                return False
            if isinstance(step, float):
                await asyncio.sleep(step)
                continue
            writer.write(step)
            await writer.drain()
            written += step
        return not (self.close_after or b"connection: close" in written.lower())


Serve = Callable[..., Awaitable[ScriptedServer]]
