"""Test and benchmark knobs: per-route request counters, latency and fault injection.

Every emulator route is built with `route()`, which wraps its handler so that the
knobs cost one dict lookup when they are off. The knobs are driven over HTTP under
`/_emulator/`, a path the real APIs do not have:

- `GET /_emulator/counters` -> `{"total": n, "routes": {"GET /api/v1/mlmodels/{id}": n}}`;
  `DELETE` resets counters and the request log.
- `GET /_emulator/requests` -> `{"requests": [{"method", "route", "path", "query", "status"}]}`
  (the most recent 10,000), plus `"request_id"` when the request carried `X-Request-ID` and
  `"traceparent"` when it carried one.
- `GET /_emulator/faults`; `POST /_emulator/faults` adds one fault (body below);
  `DELETE /_emulator/faults` clears them all.
- `GET|PUT /_emulator/latency` `{"ms": 5}`: added to every API response.
- `GET /_emulator/clock` -> `{"now": <ms since the epoch>, "frozen": bool}`: the time the
  emulator stamps its writes with (see `gateway.emulator.clock`). `PUT /_emulator/clock`
  `{"now": 1714000000000}` freezes it at that instant; `POST /_emulator/clock/advance`
  `{"ms": 660000}` moves it on (frozen or running); `DELETE /_emulator/clock` puts it back on
  the real time. Each answers the clock's state. The catalog consolidates PATCH edits one
  user makes within ten minutes of their last one into one version: advancing the clock
  past that between edits makes each its own version, with no sleeping.
- `POST /_emulator/reset`: empties the database and reseeds it (unless started with
  `--no-seed`), clears counters and faults, and puts the clock back on the real time.

A fault: `{"match": "GET /api/v1/mlmodels/{id}" | "catalog" | "registry" | "*",
"status": 503, "delay_ms": 3000, "body": "non-json" | "schema-violation", "times": 2}`.
`status` answers with that status and the upstream's error body; `delay_ms` waits first
(longer than the client's timeout to simulate a hang); `body` answers 200 with garbage;
`times` limits how many requests it hits (default: until cleared).
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Any, Literal

import orjson
from starlette.datastructures import URL
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.emulator.clock import Clock
from gateway.emulator.headers import header
from gateway.emulator.responses import JSONResponse

Upstream = Literal["catalog", "registry"]
Handler = Callable[[Request], Awaitable[Response]]

MAX_LOG = 10_000


# One logged request: (method, route, scheme, server host, server port, path, query
# string, Host header, status, X-Request-ID, traceparent). A flat tuple of immutable
# values, which the cyclic collector stops tracking the first time it sees it: 10,000
# tracked entries churning through the old generation set off a full collection every
# few thousand requests, ~60 ms each once the catalog has grown.
Logged = tuple[str, str, str, Any, Any, str, bytes, str | None, int, str | None, str | None]


def log_entry(logged: Logged) -> dict[str, Any]:
    """A logged request as `GET /_emulator/requests` lists it; its URL parsed only now."""
    (
        method,
        route,
        scheme,
        server_host,
        server_port,
        path,
        query,
        host,
        status,
        request_id,
        traceparent,
    ) = logged
    headers = [] if host is None else [(b"host", host.encode("latin-1"))]
    scope = {
        "scheme": scheme,
        "server": None if server_host is None else (server_host, server_port),
        "path": path,
        "query_string": query,
        "headers": headers,
    }
    url = URL(scope=scope)
    out: dict[str, Any] = {
        "method": method,
        "route": route,
        "path": url.path,
        "query": url.query,
        "status": status,
    }
    if request_id is not None:
        out["request_id"] = request_id
    if traceparent is not None:
        out["traceparent"] = traceparent
    return out


@dataclass(slots=True)
class Fault:
    match: str
    status: int | None = None
    delay_ms: float | None = None
    body: Literal["non-json", "schema-violation"] | None = None
    times: int | None = None
    id: int = 0


class Knobs:
    """Mutable knob state of one emulator instance."""

    def __init__(self, latency_ms: float = 0.0) -> None:
        self.latency_ms = latency_ms
        self.counters: Counter[str] = Counter()
        self.log: deque[Logged] = deque(maxlen=MAX_LOG)
        self.faults: list[Fault] = []
        self._ids = itertools.count(1)
        self.generation = 0
        self.clock = Clock()

    def reset_counters(self) -> None:
        self.counters.clear()
        self.log.clear()
        # Requests still in flight belong to before the reset: they must not be logged after.
        self.generation += 1

    def add_fault(self, fault: Fault) -> Fault:
        fault.id = next(self._ids)
        self.faults.append(fault)
        return fault

    def take_fault(self, key: str, upstream: Upstream) -> Fault | None:
        for fault in self.faults:
            if fault.match in (key, upstream, "*"):
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                return fault
        return None


def catalog_error_body(status: int, message: str) -> dict[str, Any]:
    return {"code": status, "message": message}


def registry_error_body(status: int, message: str) -> dict[str, Any]:
    code = {400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 404: "NOT_FOUND", 409: "CONFLICT"}
    return {
        "errorCode": code.get(status, "INTERNAL"),
        "errorName": "Default:Internal" if status >= 500 else "Default:InjectedFault",
        "errorInstanceId": str(uuid.uuid4()),
        "parameters": {"message": message},
    }


def _fault_response(fault: Fault, upstream: Upstream) -> Response | None:
    if fault.body == "non-json":
        return Response(b"<html><body>502 Bad Gateway</body></html>", 200, media_type="text/html")
    if fault.body == "schema-violation":
        return JSONResponse({"id": 42, "data": 42, "rid": 42, "name": ["not", "a", "string"]})
    if fault.status is not None:
        make = catalog_error_body if upstream == "catalog" else registry_error_body
        return JSONResponse(make(fault.status, "Injected fault"), status_code=fault.status)
    return None


def route(
    knobs: Knobs,
    upstream: Upstream,
    method: str,
    path: str,
    handler: Handler,
) -> Route:
    """A Starlette route whose handler counts, delays and fails on demand."""
    key = f"{method} {path}"

    async def endpoint(request: Request) -> Response:
        knobs.counters[key] += 1
        generation = knobs.generation
        if knobs.latency_ms:
            await asyncio.sleep(knobs.latency_ms / 1000)
        response: Response | None = None
        if knobs.faults:
            fault = knobs.take_fault(key, upstream)
            if fault is not None:
                if fault.delay_ms:
                    await asyncio.sleep(fault.delay_ms / 1000)
                response = _fault_response(fault, upstream)
        if response is None:
            response = await handler(request)
        if generation == knobs.generation:
            # Only what `URL(scope=...)` reads, not the whole scope with its app and state.
            scope = request.scope
            server_host, server_port = scope.get("server") or (None, None)
            knobs.log.append(
                (
                    method,
                    key,
                    scope.get("scheme", "http"),
                    server_host,
                    server_port,
                    scope["path"],
                    scope.get("query_string", b""),
                    header(request, b"host"),
                    response.status_code,
                    header(request, b"x-request-id"),
                    header(request, b"traceparent"),
                )
            )
        return response

    endpoint.__name__ = getattr(handler, "__name__", "endpoint")
    return Route(path, endpoint, methods=[method])


def admin_routes(knobs: Knobs, reset: Callable[[], None]) -> list[Route]:
    """The `/_emulator/*` routes that drive the knobs."""

    async def counters(request: Request) -> Response:
        if request.method == "DELETE":
            knobs.reset_counters()
        return JSONResponse({"total": sum(knobs.counters.values()), "routes": knobs.counters})

    async def requests(_: Request) -> Response:
        return JSONResponse({"requests": [log_entry(logged) for logged in knobs.log]})

    async def faults(request: Request) -> Response:
        if request.method == "POST":
            try:
                data = orjson.loads(await request.body())
                fault = knobs.add_fault(Fault(**{k: v for k, v in data.items() if k != "id"}))
            except (orjson.JSONDecodeError, TypeError, AttributeError) as exc:
                return JSONResponse({"error": f"bad fault: {exc}"}, status_code=400)
            return JSONResponse(asdict(fault), status_code=201)
        if request.method == "DELETE":
            knobs.faults.clear()
        return JSONResponse({"faults": [asdict(f) for f in knobs.faults]})

    async def latency(request: Request) -> Response:
        if request.method == "PUT":
            try:
                ms = orjson.loads(await request.body())["ms"]
                knobs.latency_ms = float(ms)
            except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                return JSONResponse({"error": f"bad latency: {exc}"}, status_code=400)
        return JSONResponse({"ms": knobs.latency_ms})

    async def clock(request: Request) -> Response:
        if request.method == "PUT":
            try:
                now = orjson.loads(await request.body())["now"]
                if isinstance(now, bool) or not isinstance(now, int):
                    raise TypeError("now must be an integer of milliseconds")
            except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
                return JSONResponse({"error": f"bad clock: {exc}"}, status_code=400)
            knobs.clock.set(now)
        elif request.method == "DELETE":
            knobs.clock.reset()
        return JSONResponse(knobs.clock.state())

    async def advance(request: Request) -> Response:
        try:
            ms = orjson.loads(await request.body())["ms"]
            if isinstance(ms, bool) or not isinstance(ms, int):
                raise TypeError("ms must be an integer")
        except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
            return JSONResponse({"error": f"bad advance: {exc}"}, status_code=400)
        knobs.clock.advance(ms)
        return JSONResponse(knobs.clock.state())

    async def do_reset(_: Request) -> Response:
        reset()
        knobs.reset_counters()
        knobs.faults.clear()
        knobs.clock.reset()
        return JSONResponse({"reset": True})

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    return [
        Route("/_emulator/counters", counters, methods=["GET", "DELETE"]),
        Route("/_emulator/requests", requests, methods=["GET"]),
        Route("/_emulator/faults", faults, methods=["GET", "POST", "DELETE"]),
        Route("/_emulator/latency", latency, methods=["GET", "PUT"]),
        Route("/_emulator/clock", clock, methods=["GET", "PUT", "DELETE"]),
        Route("/_emulator/clock/advance", advance, methods=["POST"]),
        Route("/_emulator/reset", do_reset, methods=["POST"]),
        Route("/_emulator/health", health, methods=["GET"]),
    ]
