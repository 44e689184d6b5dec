"""CORS for browser pages on other origins, limited to the configured allow-list."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.server.http.errors import CORS_REJECTED, error_body

ALLOWED_METHODS = ("GET", "POST")
PREFLIGHT_MAX_AGE = 600
_PREFLIGHT_VARY = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"


class Cors:
    """ASGI middleware: answers preflights and marks answers readable by allowed origins.

    `allow_origins` holds serialized origins (`https://app.example.com`) or `*` for any.
    Responses never allow credentials: callers authenticate with an `Authorization`
    header, which a preflight allows explicitly, never with cookies.
    """

    def __init__(self, app: ASGIApp, allow_origins: Iterable[str] = ()) -> None:
        self.app = app
        origins = frozenset(allow_origins)
        self.allow_any = "*" in origins
        self.origins = origins - {"*"}

    def allowed(self, origin: str) -> bool:
        return self.allow_any or origin in self.origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin is None:
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await self.preflight(origin, headers)(scope, receive, send)
            return
        allow_origin = ("*" if self.allow_any else origin) if self.allowed(origin) else None

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                if allow_origin is not None:
                    response_headers["Access-Control-Allow-Origin"] = allow_origin
                    response_headers["Access-Control-Expose-Headers"] = "X-Request-ID"
                if allow_origin != "*":
                    response_headers.add_vary_header("Origin")
            await send(message)

        await self.app(scope, receive, send_with_cors)

    def preflight(self, origin: str, headers: Headers) -> Response:
        method = headers["access-control-request-method"]
        if not self.allowed(origin):
            return self._reject("This origin may not call the API (setting cors_origins).")
        if method not in ALLOWED_METHODS:
            return self._reject(f"{method} is not allowed: use GET or POST.")
        answer = {
            "Access-Control-Allow-Origin": "*" if self.allow_any else origin,
            "Access-Control-Allow-Methods": ", ".join(ALLOWED_METHODS),
            "Access-Control-Max-Age": str(PREFLIGHT_MAX_AGE),
            "Vary": _PREFLIGHT_VARY,
        }
        # An allowed origin is trusted with any header it asks for; the allow-list of
        # origins is the boundary, and `Authorization` has to be named explicitly anyway.
        requested = headers.get("access-control-request-headers")
        if requested:
            answer["Access-Control-Allow-Headers"] = requested
        if headers.get("access-control-request-private-network") == "true":
            answer["Access-Control-Allow-Private-Network"] = "true"
        return Response(status_code=204, headers=answer)

    @staticmethod
    def _reject(message: str) -> Response:
        return Response(
            error_body(message, CORS_REJECTED),
            status_code=403,
            headers={"Vary": _PREFLIGHT_VARY},
            media_type="application/json",
        )
