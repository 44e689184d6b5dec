"""The emulator's prefix router picks the route Starlette's router would, for every path."""

from __future__ import annotations

import httpx
from starlette.routing import BaseRoute, Match

from gateway.emulator.app import create_emulator_app
from gateway.emulator.config import EmulatorConfig
from gateway.emulator.routing import PrefixRouter
from tests.conftest import EmulatorHandle

SAMPLES = {
    "{id}": "0b6c1a52-6f0e-4d53-9f7e-4a7b9a1b2c3d",
    "{userId}": "1123f417-2b88-5ad0-bf13-cfea12ea5454",
    "{version}": "0.2",
    "{name}": "alice",
    "{fqn:path}": 'svc.db."a.b".tbl',
}


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
