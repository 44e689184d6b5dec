"""Per HTTP request: the request id, the caller's trace context and one access log line.

The request id is the caller's `X-Request-ID` when it is a sane token (printable ASCII,
no spaces, at most 128 characters), else a new UUID. It is returned in the response's
`X-Request-ID`, sent upstream with every call the request makes and named in every log
line written while serving it.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Final

from opentelemetry import context as otel_context
from opentelemetry import propagate
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.base.observability.logs import RequestRecord, begin_request, end_request

HEADER: Final = b"x-request-id"
# Probes and scrapes come every few seconds; their lines would drown the others.
QUIET_PATHS: Final = frozenset({"/healthz", "/readyz", "/metrics"})

_VALID_ID = re.compile(rb"[\x21-\x7e]{1,128}")

access_log = logging.getLogger("gateway.access")


def request_id_of(headers: list[tuple[bytes, bytes]]) -> str:
    """The caller's request id if it is acceptable, else a new one."""
    for name, value in headers:
        if name == HEADER:
            if _VALID_ID.fullmatch(value):
                return value.decode("ascii")
            break
    return str(uuid.uuid4())


class RequestContext:
    """ASGI middleware; outermost, so every answer (errors and preflights too) has the id."""

    def __init__(self, app: ASGIApp, *, access_log: bool = True, tracing: bool = False) -> None:
        self.app = app
        self.access_log = access_log
        self.tracing = tracing

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope["headers"])
        record, token = begin_request(request_id)
        trace_token = None
        if self.tracing:
            carrier = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            trace_token = otel_context.attach(propagate.extract(carrier))
        header = (HEADER, request_id.encode("ascii"))
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), header]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if self.access_log and scope["path"] not in QUIET_PATHS:
                _log_access(scope, status, time.perf_counter() - started, record)
            if trace_token is not None:
                otel_context.detach(trace_token)
            end_request(token)


def _log_access(scope: Scope, status: int, seconds: float, record: RequestRecord) -> None:
    if not access_log.isEnabledFor(logging.INFO):
        return
    method: str = scope["method"]
    path: str = scope["path"]
    ms = seconds * 1000
    fields = {
        "method": method,
        "path": path,
        "status": status,
        "duration_ms": round(ms, 2),
        "operation": record.operation,
    }
    access_log.info(
        "%s %s %d %.1f ms%s",
        method,
        path,
        status,
        ms,
        f" {record.operation}" if record.operation else "",
        extra={"fields": fields},
    )
