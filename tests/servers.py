"""Run an ASGI app on a real loopback port in a background thread, for tests."""

from __future__ import annotations

import threading
import time
from typing import Any

import uvicorn

from gateway.server.http.server import CoalescingHttpToolsProtocol


class ThreadedServer:
    """A uvicorn server on 127.0.0.1 with a free port, in its own thread and event loop."""

    def __init__(self, app: Any) -> None:
        # Served as `gateway emulator` and `gateway serve` serve: head and body in one send.
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=0,
            log_level="warning",
            access_log=False,
            lifespan="on",
            http=CoalescingHttpToolsProtocol,
            # Stopping cancels handlers still sleeping in an injected delay (tests hang an
            # upstream for longer than they wait) instead of waiting them out.
            timeout_graceful_shutdown=1,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ThreadedServer:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("test server did not start")
            time.sleep(0.01)
        self.port = self.server.servers[0].sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
