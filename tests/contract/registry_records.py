"""Strict typed records of the Foundry Models API wire JSON (contract API.md §2, §5, §6).

Every struct forbids unknown fields, and optional fields are `UNSET` when omitted, so a
`null` the API never sends fails to decode. Unions are tagged by `type`.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, UnsetType

RID = r"^ri\.[a-z][a-z0-9-]*\.([a-z0-9][a-z0-9\-]*)?\.[a-z][a-z0-9-]*\.[a-zA-Z0-9._-]+$"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

Rid = Annotated[str, msgspec.Meta(pattern=RID)]
ModelRid = Annotated[str, msgspec.Meta(pattern=rf"^ri\.models\.main\.model\.{UUID}$")]
ModelVersionRid = Annotated[
    str, msgspec.Meta(pattern=rf"^ri\.models\.main\.model-version\.{UUID}$")
]
AwareDatetime = Annotated[datetime, msgspec.Meta(tz=True)]


class Record(msgspec.Struct, forbid_unknown_fields=True, rename="camel"):
    """Base of every record: strict, camelCase on the wire."""


# ModelApiDataType


class DateType(Record, tag="date"):
    pass


class BooleanType(Record, tag="boolean"):
    pass


class StringType(Record, tag="string"):
    pass


class DoubleType(Record, tag="double"):
    pass


class IntegerType(Record, tag="integer"):
    pass


class FloatType(Record, tag="float"):
    pass


class LongType(Record, tag="long"):
    pass


class TimestampType(Record, tag="timestamp"):
    pass


class AnyType(Record, tag="any"):
    pass


class ArrayType(Record, tag="array"):
    item_type: DataType


class MapType(Record, tag="map"):
    key_type: DataType
    value_type: DataType


class UnsupportedType(Record, tag="unsupported"):
    unsupported_type: str
    params: dict[str, str]


DataType = (
    DateType
    | BooleanType
    | StringType
    | DoubleType
    | IntegerType
    | FloatType
    | LongType
    | TimestampType
    | AnyType
    | ArrayType
    | MapType
    | UnsupportedType
)


# ModelApiInput / ModelApiOutput


class ModelApiColumn(Record):
    name: str
    data_type: DataType
    required: bool | UnsetType = UNSET


class TabularIo(Record, tag="tabular"):
    name: str
    columns: list[ModelApiColumn]
    required: bool | UnsetType = UNSET
    format: Literal["PANDAS", "SPARK"] | UnsetType = UNSET


class ParameterIo(Record, tag="parameter"):
    name: str
    data_type: DataType
    required: bool | UnsetType = UNSET


class UnsupportedIo(Record, tag="unsupported"):
    unsupported_type: str
    params: dict[str, str]


ModelApiIo = TabularIo | ParameterIo | UnsupportedIo


class ModelApi(Record):
    inputs: list[ModelApiIo]
    outputs: list[ModelApiIo]


# ModelVersionSource


class ImportedContainerizedModelSource(Record, tag="importedContainerizedModel"):
    pass


class ExternalSource(Record, tag="external"):
    pass


class CodeWorkspaceSource(Record, tag="codeWorkspace"):
    code_workspace_rid: Rid
    branch: str


class ModelStudioSource(Record, tag="modelStudio"):
    model_studio_rid: Rid


class CodeRepositorySource(Record, tag="codeRepository"):
    repository_rid: Rid
    branch: str


class SdkSource(Record, tag="sdk"):
    pass


class PromotedSource(Record, tag="promoted"):
    previous_model_rid: ModelRid
    previous_model_version_rid: ModelVersionRid


ModelVersionSource = (
    ImportedContainerizedModelSource
    | ExternalSource
    | CodeWorkspaceSource
    | ModelStudioSource
    | CodeRepositorySource
    | SdkSource
    | PromotedSource
)


# Resources


class ModelRecord(Record):
    rid: ModelRid


class ModelVersionRecord(Record):
    rid: ModelVersionRid
    model_api: ModelApi
    conda_requirements: list[str]
    backing_repositories: list[Rid]
    created_time: AwareDatetime
    source: ModelVersionSource | UnsetType = UNSET
    linked_experiment: Rid | UnsetType = UNSET


class ListModelVersionsRecord(Record):
    data: list[ModelVersionRecord]
    next_page_token: str | UnsetType = UNSET


# Errors: the envelope, then the parameters of each error name


class NoParameters(Record):
    pass


class ModelParameters(Record):
    model_rid: ModelRid


class ModelVersionParameters(Record):
    model_rid: ModelRid
    model_version_rid: Annotated[str, msgspec.Meta(min_length=1)]


class FolderParameters(Record):
    folder_rid: str


class InvalidModelApiParameters(Record):
    error_type: str
    message: str


class CondaSolveParameters(Record):
    error_type: str
    error_message: str


class DisplayNameParameters(Record):
    display_name: str


class NameConflictParameters(Record):
    parent_folder_rid: Rid
    display_name: str


class ApiUsageDeniedParameters(Record):
    missing_scope: str | UnsetType = UNSET


class PageSizeParameters(Record):
    page_size: int


class PageTokenParameters(Record):
    page_token: str


class InvalidArgumentParameters(Record):
    message: str


ERROR_PARAMETERS: dict[str, tuple[str, int, type[Record]]] = {
    "ModelNotFound": ("NOT_FOUND", 404, ModelParameters),
    "ModelVersionNotFound": ("NOT_FOUND", 404, ModelVersionParameters),
    "FolderNotFound": ("NOT_FOUND", 404, FolderParameters),
    "PromoteVersionModelPermissionDenied": ("PERMISSION_DENIED", 403, ModelParameters),
    "CreateModelPermissionDenied": ("PERMISSION_DENIED", 403, NoParameters),
    "CreateModelVersionPermissionDenied": ("PERMISSION_DENIED", 403, ModelParameters),
    "UnsupportedModelSource": ("INVALID_ARGUMENT", 400, NoParameters),
    "InvalidModelApi": ("INVALID_ARGUMENT", 400, InvalidModelApiParameters),
    "CondaSolveFailureForProvidedPackages": ("INVALID_ARGUMENT", 400, CondaSolveParameters),
    "InvalidDisplayName": ("INVALID_ARGUMENT", 400, DisplayNameParameters),
    "ResourceNameAlreadyExists": ("CONFLICT", 409, NameConflictParameters),
    "ApiFeaturePreviewUsageOnly": ("INVALID_ARGUMENT", 400, NoParameters),
    "ApiUsageDenied": ("PERMISSION_DENIED", 403, ApiUsageDeniedParameters),
    "InvalidPageSize": ("INVALID_ARGUMENT", 400, PageSizeParameters),
    "InvalidPageToken": ("INVALID_ARGUMENT", 400, PageTokenParameters),
    "Default:Unauthorized": ("UNAUTHORIZED", 401, NoParameters),
    "Default:InvalidArgument": ("INVALID_ARGUMENT", 400, InvalidArgumentParameters),
}


class ErrorRecord(Record):
    error_code: Literal[
        "INVALID_ARGUMENT",
        "UNAUTHORIZED",
        "PERMISSION_DENIED",
        "NOT_FOUND",
        "CONFLICT",
        "REQUEST_ENTITY_TOO_LARGE",
        "INTERNAL",
        "TIMEOUT",
        "FAILED_PRECONDITION",
    ]
    error_name: str
    error_instance_id: uuid.UUID
    parameters: dict[str, Any]
    error_description: str | UnsetType = UNSET


def decode_error(status: int, content: bytes) -> ErrorRecord:
    """Decode an error body strictly: its status, code, name, description and parameters
    must agree with the catalogue (§5, §6)."""
    error = msgspec.json.decode(content, type=ErrorRecord)
    code, expected_status, parameters_type = ERROR_PARAMETERS[error.error_name]
    assert (error.error_code, status) == (code, expected_status), error
    # The platform's `Default:*` errors carry no description; the named ones always do.
    assert isinstance(error.error_description, str) != error.error_name.startswith("Default:")
    msgspec.convert(error.parameters, parameters_type)
    return error


def error_of(status: int, content: bytes) -> tuple[int, str, str, dict[str, Any]]:
    """(status, errorCode, errorName, parameters) of a strictly decoded error body."""
    error = decode_error(status, content)
    return status, error.error_code, error.error_name, error.parameters


def decode_version(content: bytes) -> ModelVersionRecord:
    return msgspec.json.decode(content, type=ModelVersionRecord)


def decode_page(content: bytes) -> ListModelVersionsRecord:
    return msgspec.json.decode(content, type=ListModelVersionsRecord)
