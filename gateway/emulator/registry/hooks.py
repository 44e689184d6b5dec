"""Registry test hooks under `/_emulator/registry/` (not counted, not fault-injected).

- `GET  /_emulator/registry/folders` -> `{"folders": [{"rid", "displayName", "writable"}]}`
- `PUT  /_emulator/registry/folders/{rid}/writable {"writable": false}`: creating a model
  in that folder answers 403 `CreateModelPermissionDenied`.
- `PUT  /_emulator/registry/models/{rid}/writable {"writable": false}`: creating a version
  answers 403 `CreateModelVersionPermissionDenied`, promoting into the model 403
  `PromoteVersionModelPermissionDenied`.
- `PUT  /_emulator/registry/versions/{rid}/unsupported {"unsupported": true}`: getting the
  version, listing a page holding it or promoting it answers 400 `UnsupportedModelSource`.

Each PUT answers `{"rid": ..., "<flag>": bool}`, 404 for an unknown rid, 400 for a bad body.
The flags live in the database, so `POST /_emulator/reset` restores them.
"""

from __future__ import annotations

from collections.abc import Callable

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.emulator.registry.store import RegistryStore
from gateway.emulator.responses import JSONResponse

Setter = Callable[[str, bool], bool]


def _flag_route(path: str, flag: str, kind: str, setter: Setter) -> Route:
    async def endpoint(request: Request) -> Response:
        try:
            body = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            body = None
        value = body.get(flag) if isinstance(body, dict) else None
        if not isinstance(value, bool):
            error = f'the body must be {{"{flag}": true}} or {{"{flag}": false}}'
            return JSONResponse({"error": error}, status_code=400)
        rid = request.path_params["rid"]
        if not setter(rid, value):
            return JSONResponse({"error": f"unknown {kind} {rid}"}, status_code=404)
        return JSONResponse({"rid": rid, flag: value})

    endpoint.__name__ = f"set_{kind}_{flag}"
    return Route(path, endpoint, methods=["PUT"])


def hook_routes(store: RegistryStore) -> list[Route]:
    async def folders(_: Request) -> Response:
        return JSONResponse(
            {
                "folders": [
                    {"rid": f.rid, "displayName": f.display_name, "writable": f.writable}
                    for f in store.folders()
                ]
            }
        )

    base = "/_emulator/registry"
    return [
        Route(f"{base}/folders", folders, methods=["GET"]),
        _flag_route(
            f"{base}/folders/{{rid}}/writable", "writable", "folder", store.set_folder_writable
        ),
        _flag_route(
            f"{base}/models/{{rid}}/writable", "writable", "model", store.set_model_writable
        ),
        _flag_route(
            f"{base}/versions/{{rid}}/unsupported", "unsupported", "version", store.set_unsupported
        ),
    ]
