"""Assembles the emulator: catalog + registry + knobs on one Starlette app."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute
from starlette.types import Receive, Scope, Send

from gateway.emulator.auth import Authenticator
from gateway.emulator.config import EmulatorConfig
from gateway.emulator.db import DATA_VERSION, Database, set_aside_outdated
from gateway.emulator.knobs import Knobs, admin_routes, catalog_error_body, registry_error_body
from gateway.emulator.responses import JSONResponse
from gateway.emulator.routing import PrefixRouter


class Component(Protocol):
    """One emulated upstream: its routes and its slice of the database."""

    def routes(self) -> list[BaseRoute]: ...

    def create_tables(self) -> None: ...

    def seed(self) -> None: ...

    def clear(self) -> None: ...

    def restored(self) -> None:
        """The database was replaced from a snapshot: drop whatever was derived from it."""


class Emulator:
    """The state of one running emulator: database, knobs, components."""

    def __init__(self, config: EmulatorConfig) -> None:
        # Imported here so that each component module can import this one's helpers.
        from gateway.emulator.catalog import CatalogEmulator
        from gateway.emulator.registry import RegistryEmulator

        self.config = config
        path = config.database_path
        set_aside_outdated(path)
        self.db = Database(path)
        self.knobs = Knobs(config.latency_ms)
        self.auth = Authenticator(config.tokens)
        self.catalog = CatalogEmulator(self.db, self.knobs, self.auth, config.catalog_version)
        self.registry = RegistryEmulator(self.db, self.knobs, self.auth)
        self.components: list[Component] = [self.catalog, self.registry]
        self._snapshot: sqlite3.Connection | None = None
        self.db.conn.execute("CREATE TABLE IF NOT EXISTS seed_marker (done INTEGER)")
        for component in self.components:
            component.create_tables()
        self.db.conn.execute(f"PRAGMA user_version = {DATA_VERSION}")
        if config.seed and self._empty():
            self.seed()

    def _empty(self) -> bool:
        row = self.db.conn.execute("SELECT COUNT(*) FROM seed_marker").fetchone()
        return bool(row[0] == 0)

    def seed(self) -> None:
        with self.db.transaction():
            for component in self.components:
                component.seed()
            self.db.conn.execute("INSERT INTO seed_marker VALUES (1)")
        # A copy of the freshly seeded database makes later resets a page copy, not a reseed.
        self._snapshot = sqlite3.connect(":memory:", check_same_thread=False)
        self.db.conn.backup(self._snapshot)

    def reset(self) -> None:
        """Back to the seeded state (or empty with seeding off)."""
        if self.config.seed and self._snapshot is not None:
            self._snapshot.backup(self.db.conn)
            for component in self.components:
                component.restored()
            return
        with self.db.transaction():
            for component in self.components:
                component.clear()
            self.db.conn.execute("DELETE FROM seed_marker")
        if self.config.seed:
            self.seed()


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    message = "Not Found" if status == 404 else str(exc.detail)
    if request.url.path.startswith("/api/v2"):
        return JSONResponse(registry_error_body(status, message), status_code=status)
    return JSONResponse(catalog_error_body(status, message), status_code=status)


class EmulatorApp(Starlette):
    """A Starlette app whose routed HTTP requests go straight to their endpoint.

    Starlette's middleware stack (two exception layers, the router, `request_response`)
    wrapped every request and every `send` of its answer, in about a third of the
    emulator's CPU per request. A request the prefix router fully matches to an async
    endpoint is answered here instead, with errors answered as those layers would: an
    `HTTPException` with the upstream's error body, anything else with a bare 500 and
    raised on to the server's log. The rest (404s, 405s, redirects, lifespan) still
    goes through the stack.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        router = self.router
        endpoint = None
        if scope["type"] == "http" and isinstance(router, PrefixRouter):
            endpoint = router.direct(scope)
        if endpoint is None:
            await super().__call__(scope, receive, send)
            return
        scope["app"] = self
        request = Request(scope, receive, send)
        try:
            response = await endpoint(request)
        except HTTPException as exc:
            response = await _http_error(request, exc)
        except Exception:
            await PlainTextResponse("Internal Server Error", status_code=500)(scope, receive, send)
            raise
        await response(scope, receive, send)


def create_emulator_app(config: EmulatorConfig | None = None) -> Starlette:
    """The emulator as an ASGI app; `app.state.emulator` holds its state."""
    config = config or EmulatorConfig()
    # Built before the app so the seed is ready before the first request, even when the
    # app is served without lifespan events.
    emulator = Emulator(config)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        emulator.db.close()

    routes: list[BaseRoute] = [
        *admin_routes(emulator.knobs, emulator.reset),
        *emulator.catalog.routes(),
        *emulator.registry.routes(),
    ]
    app = EmulatorApp(lifespan=lifespan, exception_handlers={HTTPException: _http_error})
    app.router = PrefixRouter(routes, lifespan=lifespan)
    app.state.emulator = emulator
    return app
