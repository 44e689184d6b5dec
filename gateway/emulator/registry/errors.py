"""Foundry error envelope: every registry error as a typed exception and its JSON body.

Body: `errorCode`, `errorName`, `errorDescription` (a fixed sentence per name; the
platform's `Default:*` errors carry none), `errorInstanceId` (a fresh uuid4 per
occurrence) and `parameters` (typed JSON, `{}` when there are none). The HTTP status
follows from `errorCode` (Conjure rule).
"""

from __future__ import annotations

import uuid
from typing import Any, Final

from gateway.emulator.responses import JSONResponse

STATUS_BY_CODE: Final[dict[str, int]] = {
    "INVALID_ARGUMENT": 400,
    "UNAUTHORIZED": 401,
    "PERMISSION_DENIED": 403,
    "NOT_FOUND": 404,
    "CONFLICT": 409,
    "REQUEST_ENTITY_TOO_LARGE": 413,
    "INTERNAL": 500,
    "TIMEOUT": 500,
    "FAILED_PRECONDITION": 500,
}

# errorName -> (errorCode, errorDescription or None)
CATALOGUE: Final[dict[str, tuple[str, str | None]]] = {
    "ModelNotFound": ("NOT_FOUND", "The given Model could not be found."),
    "ModelVersionNotFound": ("NOT_FOUND", "The given ModelVersion could not be found."),
    "FolderNotFound": ("NOT_FOUND", "The given Folder could not be found."),
    "PromoteVersionModelPermissionDenied": (
        "PERMISSION_DENIED",
        "Could not promoteVersion the Model.",
    ),
    "CreateModelPermissionDenied": ("PERMISSION_DENIED", "Could not create the Model."),
    "CreateModelVersionPermissionDenied": (
        "PERMISSION_DENIED",
        "Could not create the ModelVersion.",
    ),
    "UnsupportedModelSource": (
        "INVALID_ARGUMENT",
        "The Model Version has a source type that is not supported by the API. This can occur "
        "when the model was created through a legacy or internal workflow that is not exposed "
        "through the public API.",
    ),
    "InvalidModelApi": ("INVALID_ARGUMENT", "The model api failed validations"),
    "CondaSolveFailureForProvidedPackages": (
        "INVALID_ARGUMENT",
        "Thrown when conda solve fails for the provided input packages.",
    ),
    "InvalidDisplayName": (
        "INVALID_ARGUMENT",
        "The display name of a resource should not be exactly `.` or `..`, contain a forward "
        "slash `/` and must be less than or equal to 700 characters.",
    ),
    "ResourceNameAlreadyExists": (
        "CONFLICT",
        "The provided resource name is already in use by another resource in the same folder.",
    ),
    "ApiFeaturePreviewUsageOnly": (
        "INVALID_ARGUMENT",
        "This feature is only supported in preview mode. Please use preview=true in the query "
        "parameters to call this endpoint.",
    ),
    "ApiUsageDenied": ("PERMISSION_DENIED", "You are not allowed to use Palantir APIs."),
    "InvalidPageSize": (
        "INVALID_ARGUMENT",
        "The provided page size was zero or negative. Page sizes must be greater than zero.",
    ),
    "InvalidPageToken": ("INVALID_ARGUMENT", "The provided page token is invalid."),
    "Default:Unauthorized": ("UNAUTHORIZED", None),
    # A body or query parameter that cannot be read at all (bad JSON, a missing required
    # field, a non-integer pageSize): the platform's generic argument error.
    "Default:InvalidArgument": ("INVALID_ARGUMENT", None),
}


class RegistryError(Exception):
    """A Foundry API error; `name` must be a key of `CATALOGUE`."""

    def __init__(self, name: str, **parameters: str | int) -> None:
        if name not in CATALOGUE:
            raise KeyError(f"unknown registry error {name!r}")
        super().__init__(name)
        self.name = name
        self.parameters = parameters

    @property
    def code(self) -> str:
        return CATALOGUE[self.name][0]

    @property
    def status(self) -> int:
        return STATUS_BY_CODE[self.code]

    def body(self) -> dict[str, Any]:
        description = CATALOGUE[self.name][1]
        body: dict[str, Any] = {"errorCode": self.code, "errorName": self.name}
        if description is not None:
            body["errorDescription"] = description
        body["errorInstanceId"] = str(uuid.uuid4())
        body["parameters"] = dict(self.parameters)
        return body

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status)


def bad_request(message: str) -> RegistryError:
    """A request the server cannot read (malformed JSON, wrong field types)."""
    return RegistryError("Default:InvalidArgument", message=message)
