"""A Starlette router that tries only the routes whose literal prefix a request path starts with.

The emulator serves about a hundred routes; Starlette's router tries each one's regex in
turn, which cost more than the handler behind the route. A route can only match a path
that starts with the text before its first `{param}`, so routes are indexed by that text
and tried in their declared order, as before. Anything no candidate answers (404s and
trailing-slash redirects) goes to Starlette's own routing, which finds the same.

`direct()` hands the app the endpoint of a fully matched route, for it to await without
Starlette's middleware stack (see `gateway.emulator.app.EmulatorApp`).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from starlette._utils import get_route_path
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route, Router
from starlette.types import Receive, Scope, Send

Endpoint = Callable[[Request], Awaitable[Response]]

Indexed = list[tuple[int, BaseRoute]]


class PrefixRouter(Router):
    """`Router` with routes looked up by their literal prefix instead of one by one."""

    def __init__(self, routes: Sequence[BaseRoute], **options: Any) -> None:
        super().__init__(routes, **options)
        self._indexed = -1
        self._exact: dict[str, Indexed] = {}
        self._prefixed: dict[str, Indexed] = {}
        self._anywhere: Indexed = []
        # Candidate lists by the index keys a path hit: few, however many paths there are.
        self._merged: dict[tuple[str, ...], list[BaseRoute]] = {}
        # ids of the routes whose endpoint is awaited directly (routes are not hashable).
        self._direct: set[int] = set()

    def _index(self) -> None:
        self._exact, self._prefixed, self._anywhere = {}, {}, []
        self._merged, self._direct = {}, set()
        for order, route in enumerate(self.routes):
            if not isinstance(route, Route):
                self._anywhere.append((order, route))
                continue
            if _awaitable_endpoint(route.endpoint):
                self._direct.add(id(route))
            path = route.path
            literal = path.partition("{")[0]
            if literal == path:
                self._exact.setdefault(path, []).append((order, route))
            elif literal.endswith("/"):
                self._prefixed.setdefault(literal, []).append((order, route))
            else:
                self._anywhere.append((order, route))
        self._indexed = len(self.routes)

    def candidates(self, path: str) -> list[BaseRoute]:
        """The routes that may match `path`, in declared order."""
        if self._indexed != len(self.routes):
            # Routes were added after the app was built.
            self._index()
        # The key: the exact path when routes have it (marked so as not to be taken for a
        # prefix), then each prefix of the path that routes start with.
        prefixed = self._prefixed
        keys: tuple[str, ...] = ("=" + path,) if path in self._exact else ()
        slash = path.find("/")
        while slash != -1:
            prefix = path[: slash + 1]
            if prefix in prefixed:
                keys += (prefix,)
            slash = path.find("/", slash + 1)
        merged = self._merged.get(keys)
        if merged is None:
            found = [*self._exact.get(path, ()), *self._anywhere]
            for prefix in keys:
                if prefix[0] != "=":
                    found += prefixed[prefix]
            found.sort(key=lambda indexed: indexed[0])
            merged = self._merged[keys] = [route for _, route in found]
        return merged

    def resolve(self, scope: Scope) -> tuple[BaseRoute, Match, Scope] | None:
        """The first route that fully matches, else the first that matches all but the
        method; None when no candidate matches at all."""
        partial: tuple[BaseRoute, Match, Scope] | None = None
        for route in self.candidates(get_route_path(scope)):
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                return route, match, child_scope
            if match is Match.PARTIAL and partial is None:
                partial = (route, match, child_scope)
        return partial

    def direct(self, scope: Scope) -> Endpoint | None:
        """The endpoint to await for an HTTP request, when its route fully matches and is an
        async function of a `Request`; the route and path parameters are set in `scope`."""
        resolved = self.resolve(scope)
        if resolved is None or resolved[1] is not Match.FULL:
            return None
        route, _, child_scope = resolved
        if id(route) not in self._direct or not isinstance(route, Route):
            return None
        scope["router"] = self
        scope["route"] = route
        scope.update(child_scope)
        endpoint: Endpoint = route.endpoint
        return endpoint

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().app(scope, receive, send)
            return
        if "router" not in scope:
            scope["router"] = self
        resolved = self.resolve(scope)
        if resolved is None:
            await super().app(scope, receive, send)
            return
        # A PARTIAL match is a route for the path but not the method: it answers 405.
        route, _, child_scope = resolved
        scope["route"] = route
        scope.update(child_scope)
        await route.handle(scope, receive, send)


def _awaitable_endpoint(endpoint: Any) -> bool:
    return (inspect.isfunction(endpoint) or inspect.ismethod(endpoint)) and (
        inspect.iscoroutinefunction(endpoint)
    )
