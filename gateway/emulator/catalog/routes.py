"""HTTP endpoints of the catalog: authentication, parameters, status codes and change headers.

Every entity type gets the same family of routes (list, get by id / name, POST, PUT,
PUT /bulk, DELETE, PUT /restore, versions, and PATCH, followers / vote where the upstream
has them), each built with `knobs.route` so counters, latency and faults apply.
`GET /api/v1/system/version` answers without authentication, as the upstream does: the
official SDK calls it when a client is built, to compare its version with the server's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from gateway.emulator.auth import Authenticator
from gateway.emulator.catalog import fqn
from gateway.emulator.catalog.bodies import Bodies, list_json
from gateway.emulator.catalog.calls import ApiBases, Call, Endpoint, changed, json_bytes, path_id
from gateway.emulator.catalog.changes import Change, as_number, parse_version
from gateway.emulator.catalog.domains import READ_ONLY, ReadOnly
from gateway.emulator.catalog.errors import CatalogError, bad_request, not_found
from gateway.emulator.catalog.etags import etag
from gateway.emulator.catalog.jsonpatches import check_media_type
from gateway.emulator.catalog.kinds import EntityKind
from gateway.emulator.catalog.lineage_routes import LineageRoutes
from gateway.emulator.catalog.patching import Patcher
from gateway.emulator.catalog.policies import VIEW_BASIC
from gateway.emulator.catalog.principals import Principals
from gateway.emulator.catalog.query import (
    deleted_filter,
    paging,
    parse_cursors,
    parse_include,
    parse_limit,
)
from gateway.emulator.catalog.render import Renderer
from gateway.emulator.catalog.repository import Repository
from gateway.emulator.catalog.rows import Entity
from gateway.emulator.catalog.search_index import SearchIndex
from gateway.emulator.catalog.search_routes import SearchRoutes
from gateway.emulator.headers import header
from gateway.emulator.knobs import Knobs, route
from gateway.emulator.responses import JSONResponse

SYSTEM_VERSION_PATH = "/api/v1/system/version"
# The build the version endpoint reports besides the version: a fixed revision and build
# time (2025-01-01T00:00Z), so the answer is the same on every run.
CATALOG_REVISION = "5e0d1c3a9b7f4e2d8c6a1b0f3e5d7c9a2b4f6e81"
CATALOG_BUILD_MS = 1_735_689_600_000
# Relationship fields a create / PUT answer carries (when set), as the upstream's
# in-memory entity does.
_WRITTEN_FIELDS = frozenset({"owners", "tags", "domains", "dataProducts", "extension"})


class CatalogRoutes:
    """Builds the catalog's Starlette routes over one repository."""

    def __init__(
        self,
        repo: Repository,
        knobs: Knobs,
        auth: Authenticator,
        version: str,
        search: SearchIndex,
    ) -> None:
        self.repo = repo
        self.search = SearchRoutes(search)
        self.lineage = LineageRoutes(repo)
        self.version = {
            "version": version,
            "revision": CATALOG_REVISION,
            "timestamp": CATALOG_BUILD_MS,
        }
        self.store = repo.store
        self.knobs = knobs
        self.principals = Principals(repo.store, auth, knobs.clock)
        self.bodies = Bodies(repo.store)
        self.patcher = Patcher(repo)
        self.api_bases = ApiBases()

    def endpoint(self, handler: Endpoint) -> Callable[[Request], Awaitable[Response]]:
        async def handle(request: Request) -> Response:
            try:
                self.store.sync()
                actor = self.principals.actor(request)
                renderer = Renderer(self.store, self.api_bases.of(request), actor.is_admin)
                return await handler(Call(request, actor, renderer))
            except CatalogError as exc:
                return exc.response()

        handle.__name__ = handler.__name__
        return handle

    async def system_version(self, _: Request) -> Response:
        return JSONResponse(self.version)

    def routes(self) -> list[BaseRoute]:
        out: list[BaseRoute] = [
            route(self.knobs, "catalog", "GET", SYSTEM_VERSION_PATH, self.system_version)
        ]
        for kind in self.repo.kinds.values():
            handlers = KindHandlers(kind, self.repo, self.bodies, self.patcher)
            for method, path, handler in handlers.table():
                out.append(route(self.knobs, "catalog", method, path, self.endpoint(handler)))
        for entity_type in READ_ONLY:
            for method, path, handler in ReadOnly(self.store, entity_type).table():
                out.append(route(self.knobs, "catalog", method, path, self.endpoint(handler)))
        for method, path, handler in [*self.search.table(), *self.lineage.table()]:
            out.append(route(self.knobs, "catalog", method, path, self.endpoint(handler)))
        out += self.search.knob_routes()
        return out


class KindHandlers:
    """The handlers of one entity type."""

    def __init__(
        self, kind: EntityKind, repo: Repository, bodies: Bodies, patcher: Patcher
    ) -> None:
        self.kind = kind
        self.repo = repo
        self.store = repo.store
        self.bodies = bodies
        self.patcher = patcher

    def table(self) -> list[tuple[str, str, Endpoint]]:
        kind, p = self.kind, self.kind.path
        name = "{name}" if kind.lookup_by_plain_name else "{fqn:path}"
        out: list[tuple[str, str, Endpoint]] = [
            ("GET", p, self.list),
            ("POST", p, self.create),
            ("PUT", p, self.upsert),
        ]
        if kind.bulk:
            out.append(("PUT", f"{p}/bulk", self.bulk))
        out += [
            ("PUT", f"{p}/restore", self.restore),
            ("GET", f"{p}/name/{name}", self.get_by_name),
            ("DELETE", f"{p}/name/{name}", self.delete_by_name),
        ]
        if kind.patchable:
            out.append(("PATCH", f"{p}/name/{name}", self.patch_by_name))
        if kind.type == "user":
            out.append(("GET", f"{p}/loggedInUser", self.logged_in_user))
        out += [("GET", f"{p}/{{id}}", self.get), ("DELETE", f"{p}/{{id}}", self.delete)]
        if kind.patchable:
            out.append(("PATCH", f"{p}/{{id}}", self.patch))
        if kind.versioned:
            out += [
                ("GET", f"{p}/{{id}}/versions", self.versions),
                ("GET", f"{p}/{{id}}/versions/{{version}}", self.version),
            ]
        if kind.followable:
            out += [
                ("PUT", f"{p}/{{id}}/followers", self.follow),
                ("DELETE", f"{p}/{{id}}/followers/{{userId}}", self.unfollow),
                ("PUT", f"{p}/{{id}}/vote", self.vote),
            ]
        return out

    def _view(self, call: Call) -> None:
        """What a read checks: a live user allowed `ViewBasic`. Under the default policies
        everyone may view everything, so no owner is looked up."""
        subject = call.actor.subject
        subject.require_user()
        if not subject.views_freely(self.kind.type):
            subject.authorize(self.kind.type, (VIEW_BASIC,), ())

    def _name_key(self, call: Call) -> str:
        params = call.request.path_params
        return fqn.quote(params["name"]) if self.kind.lookup_by_plain_name else params["fqn"]

    def _written(self, call: Call, entity: Entity) -> dict[str, Any]:
        fields = _WRITTEN_FIELDS & frozenset(self.kind.properties)
        body = call.renderer.entity(self.kind, entity, fields)
        for field in fields:
            if body.get(field) in ([], None):
                body.pop(field, None)
        return body

    # reads

    async def list(self, call: Call) -> Response:
        self._view(call)
        kind, params = self.kind, call.params
        limit = parse_limit(params)
        fields = call.fields(kind)
        include = parse_include(params)
        after, before = parse_cursors(params)
        where = kind.where(params)
        deleted = deleted_filter(include)
        total = self.store.count(kind.type, where, deleted)
        if limit == 0:
            return JSONResponse({"data": [], "paging": {"total": total}})
        page = self.store.page(kind.type, where, deleted, limit, after=after, before=before)
        bodies = self.bodies.many(kind, [row.id for row in page.rows], call.renderer, fields)
        cursors = paging(page, total, after=after is not None, before=before is not None)
        return json_bytes(list_json(bodies, cursors))

    async def get(self, call: Call) -> Response:
        self._view(call)
        entity_id = path_id(call)
        fields = call.fields(self.kind)
        include = parse_include(call.params)
        body = self.bodies.one(self.kind, entity_id, include, call.renderer, fields, entity_id)
        return json_bytes(body.json, body.etag)

    async def get_by_name(self, call: Call) -> Response:
        self._view(call)
        fields = call.fields(self.kind)
        name = self._name_key(call)
        include = parse_include(call.params)
        entity_id = self.store.id_by_fqn(self.kind.type, name)
        if entity_id is None:
            raise not_found(self.kind.type, name)
        body = self.bodies.one(self.kind, entity_id, include, call.renderer, fields, name)
        return json_bytes(body.json, body.etag)

    async def logged_in_user(self, call: Call) -> Response:
        self._view(call)
        fields = call.fields(self.kind)
        user_id = call.actor.user_id
        body = self.bodies.one(self.kind, user_id, "non-deleted", call.renderer, fields, user_id)
        return json_bytes(body.json)

    async def versions(self, call: Call) -> Response:
        self._view(call)
        entity = self.repo.find(self.kind, path_id(call), "all")
        current = Renderer(self.store, None).entity(self.kind, entity, self.kind.snapshot_fields)
        older = self.store.versions(entity.id, below=entity.version)
        return JSONResponse(
            {"entityType": self.kind.type, "versions": [orjson.dumps(current).decode(), *older]}
        )

    async def version(self, call: Call) -> Response:
        self._view(call)
        entity = self.repo.find(self.kind, path_id(call), "all")
        text = call.request.path_params["version"]
        try:
            wanted = parse_version(text)
        except ValueError:
            raise bad_request(f'For input string: "{text}"') from None
        if wanted == entity.version:
            renderer = Renderer(self.store, None)
            current = renderer.entity(self.kind, entity, self.kind.snapshot_fields)
            return JSONResponse(current, headers={"ETag": etag(entity.version, entity.updated_at)})
        stored = self.store.version(entity.id, wanted)
        if stored is None:
            raise CatalogError(
                404,
                f"{self.kind.type} instance for {entity.id} and version "
                f"{as_number(wanted)} not found",
            )
        snapshot = orjson.loads(stored)
        tag = etag(parse_version(str(snapshot["version"])), snapshot["updatedAt"])
        return json_bytes(stored.encode(), tag)

    # writes

    async def create(self, call: Call) -> Response:
        entity = self.repo.create(self.kind, await call.json(), call.actor)
        body = self._written(call, entity)
        return JSONResponse(body, status_code=201, headers={"Location": body["href"]})

    async def upsert(self, call: Call) -> Response:
        entity, change_type = self.repo.upsert(self.kind, await call.json(), call.actor)
        status = 201 if change_type == "entityCreated" else 200
        return changed(self._written(call, entity), change_type, status)

    async def bulk(self, call: Call) -> Response:
        run_async = call.flag("async")
        result = self.repo.bulk(self.kind, await call.json(), call.actor, run_async=run_async)
        return JSONResponse(result, status_code=202 if run_async else 200)

    async def delete(self, call: Call) -> Response:
        call.actor.subject.require_user()
        entity = self.repo.find(self.kind, path_id(call), "all")
        return self._delete(call, entity)

    async def delete_by_name(self, call: Call) -> Response:
        call.actor.subject.require_user()
        entity = self.repo.find_by_fqn(self.kind, self._name_key(call), "all")
        return self._delete(call, entity)

    def _delete(self, call: Call, entity: Entity) -> Response:
        entity, change_type = self.repo.delete(
            self.kind,
            entity,
            call.actor,
            hard=call.flag("hardDelete"),
            recursive=call.flag("recursive"),
        )
        return changed(call.renderer.entity(self.kind, entity, frozenset()), change_type)

    async def patch(self, call: Call) -> Response:
        check_media_type(header(call.request, b"content-type"))
        return await self._patch(call, self.repo.find(self.kind, path_id(call)))

    async def patch_by_name(self, call: Call) -> Response:
        check_media_type(header(call.request, b"content-type"))
        return await self._patch(call, self.repo.find_by_fqn(self.kind, self._name_key(call)))

    async def _patch(self, call: Call, entity: Entity) -> Response:
        if_match = header(call.request, b"if-match")
        entity, change_type = self.patcher.patch(
            self.kind, entity, await call.json(), call.actor, if_match
        )
        return changed(call.renderer.entity(self.kind, entity, self.kind.patch_fields), change_type)

    async def restore(self, call: Call) -> Response:
        entity = self.repo.restore(self.kind, await call.json(), call.actor)
        return changed(call.renderer.entity(self.kind, entity, frozenset()), "entityRestored")

    # followers and votes

    async def follow(self, call: Call) -> Response:
        entity_id = path_id(call)
        entity, change = self.repo.follow(self.kind, entity_id, await call.json(), call.actor)
        return self._event(call, entity, change, frozenset())

    async def unfollow(self, call: Call) -> Response:
        entity_id, user_id = path_id(call), path_id(call, "userId")
        entity, change = self.repo.unfollow(self.kind, entity_id, user_id, call.actor)
        return self._event(call, entity, change, frozenset())

    async def vote(self, call: Call) -> Response:
        entity_id = path_id(call)
        entity, change = self.repo.vote(self.kind, entity_id, await call.json(), call.actor)
        return self._event(call, entity, change, frozenset({"votes"}))

    def _event(
        self, call: Call, entity: Entity, change: Change, fields: frozenset[str]
    ) -> Response:
        event = Renderer(self.store, None).event(
            self.kind,
            entity,
            change,
            fields,
            user_name=call.actor.name,
            timestamp=call.actor.now,
        )
        return changed(event, "entityFieldsChanged")
