"""RegistryClient: the Foundry Models API paths the gateway uses, one method per call."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from gateway.base.errors import BadUserInputError, UpstreamError
from gateway.upstream.http import UpstreamHttp, segment
from gateway.upstream.records import (
    ModelVersionPageRecord,
    ModelVersionRecord,
    RegistryModelRecord,
)

T = TypeVar("T")

MODELS = "/api/v2/models"
# Every endpoint used here is a preview endpoint: without this the registry answers 400.
PREVIEW: dict[str, str] = {"preview": "true"}
UNSUPPORTED_SOURCE = "UnsupportedModelSource"


def _unsupported_source(error: BadUserInputError, read: bool) -> BadUserInputError | UpstreamError:
    """The registry's bare `UnsupportedModelSource` (400), in words. On a read the caller
    did nothing wrong: the registry holds a version its Models API cannot show, an upstream
    failure. On a promotion it is the source version the caller named."""
    extensions: dict[str, object] = {"upstreamError": UNSUPPORTED_SOURCE}
    if read:
        return UpstreamError(
            "The registry holds a model version it cannot show: the Models API does not "
            "support the version's source type (UnsupportedModelSource).",
            upstream="registry",
            status=error.status,
            extensions=extensions,
        )
    return BadUserInputError(
        "The source version cannot be copied: the registry's Models API does not support "
        "its source type (UnsupportedModelSource); only versions created through the API "
        "(sdk, codeRepository, codeWorkspace, modelStudio, external, "
        "importedContainerizedModel, promoted) can be.",
        upstream="registry",
        status=error.status,
        extensions=extensions,
    )


class RegistryClient:
    """The registry as one caller sees it: cheap to build, one per GraphQL request.

    GETs are retried on connection failures and 502/503/504; the POSTs (create, promote)
    never are, since a retry could mint a second model or version.
    """

    __slots__ = ("_auth", "_http", "_request_id")

    def __init__(
        self, http: UpstreamHttp, *, auth: str | None, request_id: str | None = None
    ) -> None:
        self._http = http
        self._auth = auth
        self._request_id = request_id

    async def _call(
        self,
        method: str,
        path: str,
        decode: type[T],
        *,
        params: Mapping[str, str] = PREVIEW,
        json: object = None,
    ) -> T:
        try:
            reply = await self._http.request(
                method,
                path,
                decode,
                auth=self._auth,
                idempotent=method == "GET",
                params=params,
                json=json,
                request_id=self._request_id,
            )
        except BadUserInputError as error:
            if error.extensions.get("upstreamError") != UNSUPPORTED_SOURCE:
                raise
            raise _unsupported_source(error, read=method == "GET") from None
        return reply.data

    async def create_model(self, name: str, parent_folder_rid: str) -> RegistryModelRecord:
        body = {"name": name, "parentFolderRid": parent_folder_rid}
        return await self._call("POST", MODELS, RegistryModelRecord, json=body)

    async def get_model(self, model_rid: str) -> RegistryModelRecord:
        return await self._call("GET", f"{MODELS}/{segment(model_rid)}", RegistryModelRecord)

    async def create_version(self, model_rid: str, body: Mapping[str, Any]) -> ModelVersionRecord:
        path = f"{MODELS}/{segment(model_rid)}/versions"
        return await self._call("POST", path, ModelVersionRecord, json=body)

    async def get_version(self, model_rid: str, version_rid: str) -> ModelVersionRecord:
        path = f"{MODELS}/{segment(model_rid)}/versions/{segment(version_rid)}"
        return await self._call("GET", path, ModelVersionRecord)

    async def list_versions(
        self,
        model_rid: str,
        *,
        branch: str | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> ModelVersionPageRecord:
        """One page of the versions on `branch` (the registry's default branch when None)."""
        params = dict(PREVIEW)
        if branch is not None:
            params["branch"] = branch
        if page_size is not None:
            params["pageSize"] = str(page_size)
        if page_token is not None:
            params["pageToken"] = page_token
        path = f"{MODELS}/{segment(model_rid)}/versions"
        return await self._call("GET", path, ModelVersionPageRecord, params=params)

    async def promote_version(
        self, model_rid: str, source_version_rid: str, *, branch: str | None = None
    ) -> ModelVersionRecord:
        """Copy any version into `model_rid` as the latest on `branch`; answers the copy."""
        body: dict[str, str] = {"sourceModelVersionRid": source_version_rid}
        if branch is not None:
            body["branch"] = branch
        path = f"{MODELS}/{segment(model_rid)}/promoteVersion"
        return await self._call("POST", path, ModelVersionRecord, json=body)
