"""The registry's (Foundry Models API) JSON shapes as msgspec records, decoded straight from bytes.

Unions keyed by `type` (model API inputs/outputs, version sources) are one loose record
each, so a variant added upstream decodes instead of failing the whole response (the
Conjure forward-compatibility rule). Data types stay plain JSON objects: they nest
(`array`, `map`) and only get displayed.
"""

from __future__ import annotations

from typing import Any

import msgspec

from gateway.upstream.records_catalog import Record


class RegistryModelRecord(Record, kw_only=True, frozen=True):
    """A registry model: the API returns nothing but its RID (no name)."""

    rid: str


class ModelApiColumnRecord(Record, kw_only=True, frozen=True):
    name: str
    required: bool = True
    data_type: dict[str, Any]


class ModelApiIORecord(Record, kw_only=True, frozen=True):
    """One model API input or output; which fields are set depends on `type`.

    `tabular`: name, required, columns, format. `parameter`: name, required, data_type.
    `unsupported`: unsupported_type, params. Unknown variants keep just `type`.
    """

    type: str
    name: str | None = None
    required: bool = True
    columns: list[ModelApiColumnRecord] | None = None
    format: str | None = None
    data_type: dict[str, Any] | None = None
    unsupported_type: str | None = None
    params: dict[str, str] | None = None


class ModelApiRecord(Record, kw_only=True, frozen=True):
    inputs: list[ModelApiIORecord]
    outputs: list[ModelApiIORecord]


class ModelVersionSourceRecord(Record, kw_only=True, frozen=True):
    """Where a version came from; `promoted` names the version it was copied from."""

    type: str
    previous_model_rid: str | None = None
    previous_model_version_rid: str | None = None
    code_workspace_rid: str | None = None
    branch: str | None = None
    model_studio_rid: str | None = None
    repository_rid: str | None = None


class ModelVersionRecord(Record, kw_only=True, frozen=True):
    rid: str
    model_api: ModelApiRecord
    conda_requirements: list[str]
    backing_repositories: list[str]
    created_time: str
    source: ModelVersionSourceRecord | None = None
    linked_experiment: str | None = None


class ModelVersionPageRecord(Record, kw_only=True, frozen=True):
    """One page of versions; `next_page_token` is absent on the last page."""

    data: list[ModelVersionRecord]
    next_page_token: str | None = None


class RegistryErrorRecord(Record, kw_only=True, frozen=True):
    """The registry's error envelope; `errorDescription` and `errorInstanceId` are not used."""

    error_code: str | None = None
    error_name: str | None = None
    parameters: dict[str, Any] = msgspec.field(default_factory=dict)
