"""The Foundry Models API endpoints (`/api/v2/models...`) over the registry store.

Each endpoint checks the token, `preview=true` and the scope first (see `access`), then
follows the contract's order of checks. Choices the contract leaves open:
- create model: an unknown parent folder answers `404 FolderNotFound {folderRid}`; only
  the seeded folders exist.
- create version: checks the model, then write permission, then the body; the version is
  published to `master` with source `{"type": "sdk"}`.
- get version: an unknown model, or a version of another model, is `ModelVersionNotFound`.
- list versions: an unknown branch is an empty page; the page fails with
  `UnsupportedModelSource` when one of its versions cannot be shown.
- promoteVersion: the copy keeps the source version's `linkedExperiment` (the contract
  leaves it open; the copy is the same trained model, so it stays linked to the experiment
  that produced it).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.emulator.knobs import Knobs, route
from gateway.emulator.registry import access, paging, validation
from gateway.emulator.registry.errors import RegistryError, bad_request
from gateway.emulator.registry.store import (
    ModelRow,
    RegistryStore,
    VersionRow,
    now_timestamp,
    version_body,
)
from gateway.emulator.responses import JSONResponse

Endpoint = Callable[[Request], Awaitable[Response]]
DEFAULT_BRANCH = "master"


def new_model_rid() -> str:
    return f"ri.models.main.model.{uuid.uuid4()}"


def new_version_rid() -> str:
    return f"ri.models.main.model-version.{uuid.uuid4()}"


async def _json_body(request: Request) -> object:
    try:
        return orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        raise bad_request("body: not valid JSON") from None


def _version_response(version: VersionRow) -> JSONResponse:
    return JSONResponse(orjson.Fragment(version.wire))


class RegistryApi:
    """Handlers of the Models API; every one answers JSON, errors in the Foundry envelope."""

    def __init__(self, store: RegistryStore) -> None:
        self.store = store

    def _model(self, rid: str) -> ModelRow:
        model = self.store.model(rid)
        if model is None:
            raise RegistryError("ModelNotFound", modelRid=rid)
        return model

    async def create_model(self, request: Request) -> Response:
        new = validation.new_model(await _json_body(request))
        if validation.invalid_display_name(new.name):
            raise RegistryError("InvalidDisplayName", displayName=new.name)
        folder = self.store.folder(new.parent_folder_rid)
        if folder is None:
            raise RegistryError("FolderNotFound", folderRid=new.parent_folder_rid)
        if not folder.writable:
            raise RegistryError("CreateModelPermissionDenied")
        rid = new_model_rid()
        if not self.store.add_model(rid, new.name, folder.rid):
            raise RegistryError(
                "ResourceNameAlreadyExists", parentFolderRid=folder.rid, displayName=new.name
            )
        return JSONResponse({"rid": rid})

    async def get_model(self, request: Request) -> Response:
        model = self._model(request.path_params["modelRid"])
        return JSONResponse({"rid": model.rid})

    async def create_version(self, request: Request) -> Response:
        model = self._model(request.path_params["modelRid"])
        if not model.writable:
            raise RegistryError("CreateModelVersionPermissionDenied", modelRid=model.rid)
        new = validation.new_version(await _json_body(request))
        body = version_body(
            rid=new_version_rid(),
            model_api=new.model_api,
            conda_requirements=new.conda_requirements,
            backing_repositories=new.backing_repositories,
            created_time=now_timestamp(),
            source={"type": "sdk"},
        )
        return _version_response(self.store.add_version(model.rid, DEFAULT_BRANCH, body))

    async def get_version(self, request: Request) -> Response:
        model_rid = request.path_params["modelRid"]
        version_rid = request.path_params["modelVersionRid"]
        version = self.store.version(version_rid)
        if version is None or version.model_rid != model_rid:
            raise RegistryError(
                "ModelVersionNotFound", modelRid=model_rid, modelVersionRid=version_rid
            )
        if version.unsupported:
            raise RegistryError("UnsupportedModelSource")
        return _version_response(version)

    async def list_versions(self, request: Request) -> Response:
        model = self._model(request.path_params["modelRid"])
        query = request.query_params
        branch = query.get("branch") or DEFAULT_BRANCH
        size = paging.page_size(query.get("pageSize"))
        token = query.get("pageToken")
        after = None if token is None else paging.decode(token, model.rid, branch)
        rows = self.store.page(model.rid, branch, after, size + 1)
        page = rows[:size]
        if any(v.unsupported for v in page):
            raise RegistryError("UnsupportedModelSource")
        body: dict[str, Any] = {"data": [orjson.Fragment(v.wire) for v in page]}
        if len(rows) > size:
            last = page[-1]
            body["nextPageToken"] = paging.encode(model.rid, branch, last.created_time, last.seq)
        return JSONResponse(body)

    async def promote_version(self, request: Request) -> Response:
        promotion = validation.promotion(await _json_body(request))
        target = self._model(request.path_params["modelRid"])
        source = self.store.version(promotion.source_model_version_rid)
        if source is None:
            raise RegistryError(
                "ModelVersionNotFound",
                modelRid=target.rid,
                modelVersionRid=promotion.source_model_version_rid,
            )
        if not target.writable:
            raise RegistryError("PromoteVersionModelPermissionDenied", modelRid=target.rid)
        if source.unsupported:
            raise RegistryError("UnsupportedModelSource")
        origin = source.body()
        body = version_body(
            rid=new_version_rid(),
            model_api=origin["modelApi"],
            conda_requirements=origin["condaRequirements"],
            backing_repositories=origin["backingRepositories"],
            created_time=now_timestamp(),
            source={
                "type": "promoted",
                "previousModelRid": source.model_rid,
                "previousModelVersionRid": source.rid,
            },
            linked_experiment=origin.get("linkedExperiment"),
        )
        return _version_response(self.store.add_version(target.rid, promotion.branch, body))


def _guarded(handler: Endpoint) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        try:
            access.check(request)
            return await handler(request)
        except RegistryError as error:
            return error.response()

    endpoint.__name__ = handler.__name__
    return endpoint


def api_routes(knobs: Knobs, store: RegistryStore) -> list[Route]:
    """The Models API routes, counted and fault-injectable through the knobs."""
    api = RegistryApi(store)
    base = "/api/v2/models"
    table: list[tuple[str, str, Endpoint]] = [
        ("POST", base, api.create_model),
        ("GET", base + "/{modelRid}", api.get_model),
        ("POST", base + "/{modelRid}/versions", api.create_version),
        ("GET", base + "/{modelRid}/versions", api.list_versions),
        ("GET", base + "/{modelRid}/versions/{modelVersionRid}", api.get_version),
        ("POST", base + "/{modelRid}/promoteVersion", api.promote_version),
    ]
    return [
        route(knobs, "registry", method, path, _guarded(handler)) for method, path, handler in table
    ]
