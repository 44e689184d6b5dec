"""`GATEWAY_HTTP_VIEW=strawberry`: /graphql served by Strawberry's stock ASGI view.

The way back should the gateway's own view (gateway/server/http/) ever answer wrongly. The
schema, the per-request context, error shaping, limits, CORS, the body limit, request ids
and metrics are the same; CSRF prevention is checked before Strawberry's view runs. What
only the gateway's view does is absent: `application/graphql-response+json` and its status
codes (Strawberry answers `application/json`), persisted queries, the token limit of the
operation-picking parse, and the playground (`Settings` refuses the allow-list mode here).
tests/http/test_stock_view.py compares the two views' answers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.schema.base import BaseSchema

from gateway.server.http.csrf import MESSAGE as CSRF_MESSAGE
from gateway.server.http.csrf import may_be_forged
from gateway.server.http.errors import CSRF_BLOCKED, error_body

ContextFactory = Callable[[Request], Awaitable[object]]


class StockGraphQLView(GraphQL[object, None]):
    """Strawberry's ASGI view with the gateway's context and CSRF prevention."""

    def __init__(
        self, schema: BaseSchema, context: ContextFactory, *, csrf_prevention: bool = True
    ) -> None:
        super().__init__(schema, graphql_ide=None, allow_queries_via_get=True)
        self._context = context
        self.csrf_prevention = csrf_prevention

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> object:
        if not isinstance(request, Request):  # subscriptions are not served
            raise TypeError("the gateway serves no WebSocket")
        return await self._context(request)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.csrf_prevention:
            request = Request(scope, receive)
            if may_be_forged(request.headers):
                refused = Response(
                    error_body(CSRF_MESSAGE, CSRF_BLOCKED),
                    status_code=400,
                    media_type="application/json",
                )
                await refused(scope, receive, send)
                return
        await super().__call__(scope, receive, send)
