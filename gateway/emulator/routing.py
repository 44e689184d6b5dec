"""A Starlette router that tries only the routes whose literal prefix a request path starts with.

The emulator serves about a hundred routes; Starlette's router tries each one's regex in
turn, which cost more than the handler behind the route. A route can only match a path
that starts with the text before its first `{param}`, so routes are indexed by that text
and tried in their declared order, as before. Anything no candidate answers (404s and
trailing-slash redirects) goes to Starlette's own routing, which finds the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette._utils import get_route_path
from starlette.routing import BaseRoute, Match, Route, Router
from starlette.types import Receive, Scope, Send

Indexed = list[tuple[int, BaseRoute]]


class PrefixRouter(Router):
    """`Router` with routes looked up by their literal prefix instead of one by one."""

    def __init__(self, routes: Sequence[BaseRoute], **options: Any) -> None:
        super().__init__(routes, **options)
        self._indexed = -1
        self._exact: dict[str, Indexed] = {}
        self._prefixed: dict[str, Indexed] = {}
        self._anywhere: Indexed = []

    def _index(self) -> None:
        self._exact, self._prefixed, self._anywhere = {}, {}, []
        for order, route in enumerate(self.routes):
            if not isinstance(route, Route):
                self._anywhere.append((order, route))
                continue
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
        found = [*self._exact.get(path, ()), *self._anywhere]
        slash = path.find("/")
        while slash != -1:
            found += self._prefixed.get(path[: slash + 1], ())
            slash = path.find("/", slash + 1)
        found.sort(key=lambda indexed: indexed[0])
        return [route for _, route in found]

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().app(scope, receive, send)
            return
        if "router" not in scope:
            scope["router"] = self
        partial: BaseRoute | None = None
        partial_scope: Scope = {}
        for route in self.candidates(get_route_path(scope)):
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                scope["route"] = route
                scope.update(child_scope)
                await route.handle(scope, receive, send)
                return
            if match is Match.PARTIAL and partial is None:
                partial, partial_scope = route, child_scope
        if partial is not None:
            # A route for the path but not the method: it answers 405.
            scope["route"] = partial
            scope.update(partial_scope)
            await partial.handle(scope, receive, send)
            return
        await super().app(scope, receive, send)
