"""The emulator's prefix router picks the route Starlette's router would, for every path."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import Receive, Scope, Send

from gateway.emulator.app import EmulatorApp, create_emulator_app
from gateway.emulator.config import DEFAULT_TOKEN, EmulatorConfig
from gateway.emulator.routing import PrefixRouter
from tests.conftest import EmulatorHandle

SAMPLES = {
    "{id}": "0b6c1a52-6f0e-4d53-9f7e-4a7b9a1b2c3d",
    "{userId}": "1123f417-2b88-5ad0-bf13-cfea12ea5454",
    "{version}": "0.2",
    "{name}": "alice",
    "{fqn:path}": 'svc.db."a.b".tbl',
}

Answer = tuple[int, list[tuple[str, str]], bytes]
INSTANCE_ID = re.compile(rb'"errorInstanceId":"[^"]*"')


def first_match(routes: list[BaseRoute], path: str, method: str) -> tuple[BaseRoute, Match] | None:
    """What Starlette's router dispatches to: the first full match, else the first partial."""
    scope = {"type": "http", "path": path, "root_path": "", "method": method}
    partial = None
    for route in routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return route, match
        if match is Match.PARTIAL and partial is None:
            partial = (route, match)
    return partial


def sample_paths(routes: list[BaseRoute]) -> set[str]:
    paths: set[str] = set()
    for route in routes:
        path = str(getattr(route, "path", ""))
        for param, value in SAMPLES.items():
            path = path.replace(param, value)
        paths |= {path, path + "/", path + "/extra", path.rsplit("/", 1)[0] or "/"}
    return paths | {"/", "/api", "/api/v1/unknown", "/api/v1/mlmodels/name/"}


def test_candidates_dispatch_like_starlette_for_every_route_and_method() -> None:
    # given the emulator's routes behind the prefix router
    app = create_emulator_app(EmulatorConfig(data=":memory:", seed=False))
    router = app.router
    assert isinstance(router, PrefixRouter)
    routes = list(router.routes)

    # then for paths built from every route, with and without slashes, any method,
    # the candidates hold the route (and match kind) that trying them all would find
    checked = 0
    for path in sorted(sample_paths(routes)):
        for method in ("GET", "PUT", "POST", "DELETE", "PATCH"):
            assert first_match(router.candidates(path), path, method) == first_match(
                routes, path, method
            ), (method, path)
            checked += 1
    assert checked > 500


def test_unknown_paths_methods_and_trailing_slashes_answer_as_before(
    emulator: EmulatorHandle,
) -> None:
    with httpx.Client(base_url=emulator.url, headers=emulator.headers(), timeout=10) as client:
        # when a path no route has is asked for, then the catalog's 404 body answers
        missing = client.get("/api/v1/nothing-here")
        assert (missing.status_code, missing.json()) == (404, {"code": 404, "message": "Not Found"})

        # when a route is asked with a method it lacks, then it answers 405
        wrong = client.patch("/api/v1/mlmodels")
        assert (wrong.status_code, wrong.json()) == (
            405,
            {"code": 405, "message": "Method Not Allowed"},
        )

        # when a trailing slash is added, then it redirects to the path without it
        slashed = client.get("/api/v1/mlmodels/", follow_redirects=False)
        assert (slashed.status_code, slashed.headers["location"]) == (
            307,
            f"{emulator.url}/api/v1/mlmodels",
        )


async def _answers(app: Any, requests: list[tuple[str, str, dict[str, str]]]) -> list[Answer]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator.test") as client:
        out = []
        for method, path, headers in requests:
            response = await client.request(method, path, headers=headers)
            # The registry's error bodies carry a fresh instance id each time.
            body = INSTANCE_ID.sub(b'"errorInstanceId":"-"', response.content)
            out.append((response.status_code, sorted(response.headers.items()), body))
        return out


async def test_routed_requests_answer_exactly_as_through_starlettes_stack() -> None:
    # given an emulator app, and the same app served through Starlette's full stack
    app = create_emulator_app(EmulatorConfig(data=":memory:"))
    assert isinstance(app, EmulatorApp)

    async def through_stack(scope: Scope, receive: Receive, send: Send) -> None:
        await Starlette.__call__(app, scope, receive, send)

    emulator = app.state.emulator
    model = emulator.db.conn.execute(
        "SELECT id, fqn FROM catalog_entity WHERE type = 'mlmodel'"
    ).fetchone()
    registry_model = emulator.db.conn.execute("SELECT rid FROM registry_models").fetchone()[0]
    auth = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
    requests = [
        ("GET", f"/api/v1/mlmodels/{model[0]}", auth),
        ("GET", f"/api/v1/mlmodels/{model[0]}?fields=followers,votes,tags", auth),
        ("GET", f"/api/v1/mlmodels/name/{model[1]}?fields=owners", auth),
        ("GET", "/api/v1/mlmodels?limit=3&fields=followers", auth),
        ("GET", "/api/v1/mlmodels/not-a-uuid", auth),
        ("GET", f"/api/v1/mlmodels/{SAMPLES['{id}']}", auth),
        ("GET", f"/api/v1/mlmodels/{model[0]}", {}),
        ("GET", f"/api/v1/mlmodels/{model[0]}", {"Authorization": "Bearer nope"}),
        ("GET", f"/api/v2/models/{registry_model}?preview=true", auth),
        ("GET", f"/api/v2/models/{registry_model}", {}),
        ("GET", "/api/v2/models/ri.models.main.model.nope?preview=true", auth),
        ("PATCH", "/api/v1/mlmodels", auth),
        ("GET", "/api/v1/nothing-here", auth),
        ("GET", "/_emulator/latency", {}),
    ]

    # when each is asked of both, then status, headers and body are the same
    assert await _answers(app, requests) == await _answers(through_stack, requests)


async def test_an_endpoint_error_is_a_bare_500_and_an_http_exception_its_upstream_body() -> None:
    # given routes whose endpoints fail
    app = create_emulator_app(EmulatorConfig(data=":memory:", seed=False))

    async def broken(_: Request) -> Response:
        raise RuntimeError("broken endpoint")

    async def teapot(_: Request) -> Response:
        raise HTTPException(418, "short and stout")

    app.router.routes.append(Route("/api/v1/broken", broken, methods=["GET"]))
    app.router.routes.append(Route("/api/v2/teapot", teapot, methods=["GET"]))
    auth = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}

    # when they are asked, then the error is a plain 500, and the HTTPException the
    # registry's error body with its status
    broken_answer, teapot_answer = await _answers(
        app, [("GET", "/api/v1/broken", auth), ("GET", "/api/v2/teapot", auth)]
    )
    # (answered without Starlette's middleware stack, which is built on first use)
    assert app.middleware_stack is None
    assert broken_answer[0] == 500
    assert broken_answer[2] == b"Internal Server Error"
    assert teapot_answer[0] == 418
    body = json.loads(teapot_answer[2])
    assert (body["errorCode"], body["parameters"]) == (
        "INTERNAL",
        {"message": "short and stout"},
    )
