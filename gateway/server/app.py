"""`create_app(settings)`: the Starlette app serving /graphql, /healthz, /readyz and /metrics."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.base.errors import GatewayError
from gateway.base.observability import tracing
from gateway.base.observability.logs import current_request_id
from gateway.base.observability.metrics import metrics_endpoint
from gateway.base.settings import Settings, secret
from gateway.domain.callers import CallerCache
from gateway.domain.context import Context
from gateway.domain.loaders import Loaders
from gateway.graphql.schema import GatewaySchema, create_schema
from gateway.server.apq import PersistedQueries, create_persisted_queries
from gateway.server.http import Cors, GraphQLView
from gateway.server.middleware import RequestContext
from gateway.server.playground import Playground
from gateway.server.stock_view import StockGraphQLView
from gateway.upstream.catalog import CatalogClient
from gateway.upstream.http import UpstreamConfig, UpstreamHttp
from gateway.upstream.registry import RegistryClient
from gateway.upstream.resilience import Clock

log = logging.getLogger("gateway")


@dataclass(slots=True)
class Upstreams:
    """The long-lived pooled HTTP clients, one per upstream."""

    catalog: UpstreamHttp
    registry: UpstreamHttp

    @classmethod
    def create(
        cls, settings: Settings, transport: Any = None, clock: Clock = time.monotonic
    ) -> Upstreams:
        def config(
            name: Literal["catalog", "registry"], url: str | None, token: str | None
        ) -> UpstreamConfig:
            if url is None:
                raise ValueError(f"no {name} URL configured")
            return UpstreamConfig(
                name=name,
                base_url=url,
                token=token,
                timeout=settings.upstream_timeout,
                connect_timeout=settings.connect_timeout,
                max_connections=settings.upstream_max_connections,
                retries=settings.upstream_retries,
                transport=settings.http_transport,
                max_concurrency=settings.upstream_max_concurrency,
                queue_timeout=settings.upstream_queue_timeout,
                failure_threshold=settings.breaker_failure_threshold,
                cooldown=settings.breaker_cooldown,
                max_response_bytes=settings.upstream_max_response_bytes,
                tracing=settings.tracing,
            )

        return cls(
            catalog=UpstreamHttp(
                config("catalog", settings.catalog_url, secret(settings.catalog_token)),
                transport=transport,
                clock=clock,
            ),
            registry=UpstreamHttp(
                config("registry", settings.registry_url, secret(settings.registry_token)),
                transport=transport,
                clock=clock,
            ),
        )

    async def aclose(self) -> None:
        await asyncio.gather(self.catalog.aclose(), self.registry.aclose())


class RequestContexts:
    """Builds each request's `Context`: the caller's clients and loaders over the pools."""

    def __init__(self, settings: Settings, clock: Clock = time.monotonic) -> None:
        self.settings = settings
        self.callers = CallerCache(settings.caller_cache_ttl, clock=clock)

    async def __call__(self, request: Request) -> Context:
        upstreams: Upstreams = request.app.state.upstreams
        # A blank header is no credentials: the caller is anonymous (see `anonymous`).
        auth = request.headers.get("authorization") or None
        if auth is not None and not auth.strip():
            auth = None
        request_id = current_request_id()
        catalog = CatalogClient(upstreams.catalog, auth=auth, request_id=request_id)
        registry = RegistryClient(upstreams.registry, auth=auth, request_id=request_id)
        return Context(
            request=request,
            settings=self.settings,
            catalog=catalog,
            registry=registry,
            loaders=Loaders.create(catalog, registry),
            credentials=auth,
            callers=self.callers,
        )


class GatewayGraphQL(GraphQLView):
    """The /graphql endpoint with the gateway's per-request context."""

    def __init__(
        self,
        schema: GatewaySchema,
        settings: Settings,
        persisted_queries: PersistedQueries,
        contexts: RequestContexts,
    ) -> None:
        playground = (
            Playground(
                Path(settings.playground_assets) if settings.playground_assets else None,
                token=secret(settings.playground_token),
            )
            if settings.graphiql
            else None
        )
        super().__init__(
            schema,
            csrf_prevention=settings.csrf_prevention,
            page=playground.page if playground is not None else None,
            max_tokens=settings.max_tokens,
            persisted_queries=persisted_queries,
        )
        self.playground = playground
        self.contexts = contexts

    async def get_context(self, request: Request) -> Context:
        return await self.contexts(request)


def graphql_endpoint(
    schema: GatewaySchema,
    settings: Settings,
    persisted_queries: PersistedQueries,
    contexts: RequestContexts,
) -> tuple[ASGIApp, Playground | None]:
    """The /graphql view `settings.http_view` names, and the playground it serves."""
    if settings.http_view == "strawberry":
        stock = StockGraphQLView(schema, contexts, csrf_prevention=settings.csrf_prevention)
        return stock, None
    view = GatewayGraphQL(schema, settings, persisted_queries, contexts)
    return view, view.playground


class BodySizeLimit:
    """Answers 413 for request bodies over the limit, before they are read in full."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await self._reject(scope, receive, send)
                return
        seen = 0

        async def limited() -> Any:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await self._reject(scope, receive, send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = {
            "errors": [
                {
                    "message": f"Request body is larger than {self.max_bytes} bytes.",
                    "extensions": {"code": "PAYLOAD_TOO_LARGE"},
                }
            ]
        }
        await JSONResponse(body, status_code=413)(scope, receive, send)


class _TooLarge(Exception):
    pass


def create_app(
    settings: Settings | None = None, *, transport: Any = None, clock: Clock = time.monotonic
) -> Starlette:
    """The gateway app. `transport` replaces the HTTP transport and `clock` the time of
    the circuit breakers and the caller cache (tests only)."""
    settings = settings or Settings()
    if settings.tracing:
        tracing.setup_tracing(settings.tracing_exporter)
    schema = create_schema(settings)
    persisted_queries = create_persisted_queries(settings)
    graphql, playground = graphql_endpoint(
        schema, settings, persisted_queries, RequestContexts(settings, clock)
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.upstreams = Upstreams.create(settings, transport, clock)
        try:
            yield
        finally:
            await asyncio.gather(app.state.upstreams.aclose(), persisted_queries.aclose())
            if settings.tracing:
                tracing.flush()

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        upstreams: Upstreams = request.app.state.upstreams
        names = ("catalog", "registry")
        results = await asyncio.gather(
            upstreams.catalog.ping(), upstreams.registry.ping(), return_exceptions=True
        )
        checks: dict[str, str] = {}
        for name, result in zip(names, results, strict=True):
            if isinstance(result, GatewayError):
                checks[name] = result.code
            elif isinstance(result, BaseException):
                log.error("readiness check of %s failed", name, exc_info=result)
                checks[name] = "INTERNAL_SERVER_ERROR"
            else:
                checks[name] = "ok"
        ready = all(v == "ok" for v in checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "unavailable", "upstreams": checks},
            status_code=200 if ready else 503,
        )

    app = Starlette(
        routes=[
            # No `methods`: the view answers every method itself (405 with a GraphQL body).
            Route("/graphql", graphql),
            *(playground.routes() if playground is not None else ()),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/metrics", metrics_endpoint, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.schema = schema
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    # Around the body limit, so preflights are answered first and every answer (413 too) is
    # readable.
    app.add_middleware(Cors, allow_origins=settings.cors_origins)
    # Outermost: every answer, preflights and 413s included, carries the request id.
    app.add_middleware(RequestContext, access_log=settings.access_log, tracing=settings.tracing)
    return app
