"""One authenticated catalog request as the handlers see it, and the helpers they share."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response

from gateway.emulator.catalog.errors import path_not_found
from gateway.emulator.catalog.kinds import EntityKind
from gateway.emulator.catalog.query import parse_fields
from gateway.emulator.catalog.render import Renderer
from gateway.emulator.catalog.repository import Actor
from gateway.emulator.catalog.validation import MappingError, decode_json, parse_uuid
from gateway.emulator.headers import header
from gateway.emulator.responses import JSONResponse

CHANGE_HEADER = "X-OpenMetadata-Change"
# Shared by every request without a query string (the mapping is immutable).
_NO_PARAMS = QueryParams()
# Past this many distinct hosts the memo of API bases starts over.
_MAX_BASES = 1_000


@dataclass(slots=True)
class Call:
    """One authenticated request."""

    request: Request
    actor: Actor
    renderer: Renderer

    @property
    def params(self) -> QueryParams:
        if not self.request.scope.get("query_string"):
            return _NO_PARAMS
        return self.request.query_params

    async def json(self) -> Any:
        return decode_json(await self.request.body())

    def fields(self, kind: EntityKind) -> frozenset[str]:
        return parse_fields(self.params.get("fields"), kind.properties)

    def flag(self, name: str) -> bool:
        return self.params.get(name, "false").lower() == "true"


Endpoint = Callable[[Call], Awaitable[Response]]


def path_id(call: Call, name: str = "id") -> str:
    try:
        return parse_uuid(call.request.path_params[name])
    except MappingError:
        raise path_not_found() from None


def changed(body: dict[str, Any], change_type: str, status: int = 200) -> Response:
    return JSONResponse(body, status_code=status, headers={CHANGE_HEADER: change_type})


def json_bytes(body: bytes, etag: str | None = None) -> Response:
    """A 200 `application/json` answer of already serialized JSON, with an `ETag` if given."""
    headers = None if etag is None else {"ETag": etag}
    return Response(body, media_type="application/json", headers=headers)


class ApiBases:
    """`http://host:port/api` of a request, for hrefs; built once per host it was asked at."""

    def __init__(self) -> None:
        self._bases: dict[tuple[Any, ...], str] = {}

    def of(self, request: Request) -> str:
        scope = request.scope
        host = header(request, b"host")
        if host is None:
            return self._build(request)
        # What Starlette builds `base_url` from (the server only counts for a bad host).
        root = scope.get("app_root_path", scope.get("root_path", ""))
        server = scope.get("server")
        key = (scope.get("scheme", "http"), host, root, None if server is None else tuple(server))
        base = self._bases.get(key)
        if base is None:
            if len(self._bases) >= _MAX_BASES:
                self._bases.clear()
            base = self._bases[key] = self._build(request)
        return base

    @staticmethod
    def _build(request: Request) -> str:
        return f"{str(request.base_url).rstrip('/')}/api"
