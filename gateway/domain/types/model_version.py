"""`ModelVersion` from the registry, with its model API and source (`promotedFrom`)."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any

import orjson
import strawberry
from strawberry.federation.schema_directives import Key
from strawberry.federation.types import FieldSet

from gateway.base.errors import BadUserInputError, NotFoundError
from gateway.domain.context import Info
from gateway.domain.loaders import VersionPageKey
from gateway.domain.types.common import PageInfo, from_iso
from gateway.domain.types.connection import Connection, Edge
from gateway.domain.types.keys import ReferenceFetch, key_value
from gateway.domain.validation import check_rid
from gateway.upstream.records import (
    ModelApiColumnRecord,
    ModelApiIORecord,
    ModelVersionRecord,
    ModelVersionSourceRecord,
)


def render_data_type(data_type: dict[str, Any] | None) -> str | None:
    """A registry data type as text: `string`, `array<double>`, `map<string,long>`."""
    if not data_type:
        return None
    kind = str(data_type.get("type", "unknown"))
    if kind == "array":
        return f"array<{render_data_type(data_type.get('itemType'))}>"
    if kind == "map":
        key = render_data_type(data_type.get("keyType"))
        value = render_data_type(data_type.get("valueType"))
        return f"map<{key},{value}>"
    if kind == "unsupported":
        return f"unsupported<{data_type.get('unsupportedType', '')}>"
    return kind


@strawberry.type(description="A key and its value.")
class KeyValue:
    key: str = strawberry.field(description="The key.")
    value: str = strawberry.field(description="The value.")


@strawberry.type(description="A column of a tabular model input or output.")
class ModelApiColumn:
    name: str = strawberry.field(description="Column name.")
    required: bool = strawberry.field(description="Whether the column must be present.")
    data_type: str | None = strawberry.field(
        description="Data type, e.g. `double`, `array<string>`, `map<string,long>`."
    )

    @classmethod
    def from_record(cls, r: ModelApiColumnRecord) -> ModelApiColumn:
        return cls(name=r.name, required=r.required, data_type=render_data_type(r.data_type))


@strawberry.type(description="One input or output of a model's API.")
class ModelApiField:
    type: str = strawberry.field(description="`tabular`, `parameter` or `unsupported`.")
    name: str | None = strawberry.field(description="Input/output name.")
    required: bool = strawberry.field(description="Whether it must be given.")
    format: str | None = strawberry.field(description="Tabular only: PANDAS or SPARK.")
    columns: list[ModelApiColumn] = strawberry.field(description="Tabular only: the columns.")
    data_type: str | None = strawberry.field(description="Parameter only: its data type.")
    unsupported_type: str | None = strawberry.field(description="Unsupported only: its type.")
    params: list[KeyValue] = strawberry.field(description="Unsupported only: its parameters.")

    @classmethod
    def from_record(cls, r: ModelApiIORecord) -> ModelApiField:
        return cls(
            type=r.type,
            name=r.name,
            required=r.required,
            format=r.format or ("PANDAS" if r.type == "tabular" else None),
            columns=[ModelApiColumn.from_record(c) for c in r.columns or ()],
            data_type=render_data_type(r.data_type),
            unsupported_type=r.unsupported_type,
            params=[KeyValue(key=k, value=str(v)) for k, v in (r.params or {}).items()],
        )


@strawberry.type(description="The inputs and outputs a model version accepts and produces.")
class ModelApi:
    inputs: list[ModelApiField] = strawberry.field(description="Inputs.")
    outputs: list[ModelApiField] = strawberry.field(description="Outputs.")


@strawberry.type(description="Where a model version came from.")
class ModelVersionSource:
    type: str = strawberry.field(
        description="sdk, codeRepository, codeWorkspace, modelStudio, external, "
        "importedContainerizedModel or promoted."
    )
    repository_rid: str | None = strawberry.field(description="codeRepository: repository.")
    code_workspace_rid: str | None = strawberry.field(description="codeWorkspace: workspace.")
    branch: str | None = strawberry.field(description="Code branch it was published from.")
    model_studio_rid: str | None = strawberry.field(description="modelStudio: the studio.")
    previous_model_rid: str | None = strawberry.field(description="promoted: origin model.")
    previous_model_version_rid: str | None = strawberry.field(
        description="promoted: origin version."
    )

    @classmethod
    def from_record(cls, r: ModelVersionSourceRecord) -> ModelVersionSource:
        return cls(
            type=r.type,
            repository_rid=r.repository_rid,
            code_workspace_rid=r.code_workspace_rid,
            branch=r.branch,
            model_studio_rid=r.model_studio_rid,
            previous_model_rid=r.previous_model_rid,
            previous_model_version_rid=r.previous_model_version_rid,
        )


# The registry reads a version only under its model (GET .../models/{modelRid}/versions/{rid}),
# so only `rid modelRid` resolves here. `rid` alone is a key other subgraphs may resolve or
# extend by; composition rejects a supergraph that would ask this subgraph to resolve it.
@strawberry.federation.type(
    keys=[
        Key(fields=FieldSet("rid modelRid"), resolvable=strawberry.UNSET),
        Key(fields=FieldSet("rid"), resolvable=False),
    ],
    description="A version of a registry model.",
)
class ModelVersion:
    rid: strawberry.ID = strawberry.field(description="Model version RID.")
    model_rid: str = strawberry.field(description="RID of the registry model holding this version.")
    created_time: datetime = strawberry.field(description="When the version was created.")
    conda_requirements: list[str] = strawberry.field(description="Conda packages it needs.")
    backing_repositories: list[str] = strawberry.field(description="Repository RIDs.")
    linked_experiment: str | None = strawberry.field(description="Experiment RID, if any.")
    model_api: ModelApi = strawberry.field(description="Inputs and outputs.")
    source: ModelVersionSource | None = strawberry.field(description="Where it came from.")

    @classmethod
    def from_record(cls, r: ModelVersionRecord, model_rid: str) -> ModelVersion:
        return cls(
            rid=strawberry.ID(r.rid),
            model_rid=model_rid,
            created_time=from_iso(r.created_time),
            conda_requirements=list(r.conda_requirements),
            backing_repositories=list(r.backing_repositories),
            linked_experiment=r.linked_experiment,
            model_api=ModelApi(
                inputs=[ModelApiField.from_record(i) for i in r.model_api.inputs],
                outputs=[ModelApiField.from_record(o) for o in r.model_api.outputs],
            ),
            source=ModelVersionSource.from_record(r.source) if r.source else None,
        )

    @classmethod
    def fetch_reference(
        cls, info: Info, **key: object
    ) -> ReferenceFetch[ModelVersionRecord, ModelVersion]:
        """An `_entities` representation by `rid` and `modelRid`, via the loaders."""
        rid = key_value(key, "rid")
        model_rid = key_value(key, "modelRid")
        if rid is None or model_rid is None:
            raise BadUserInputError(
                "A representation of ModelVersion needs `rid` and `modelRid`: the registry reads "
                "a version only under its model."
            )
        pending = info.context.loaders.version_by_rid.load(
            (check_rid(model_rid, "modelRid"), check_rid(rid, "rid"))
        )
        return ReferenceFetch(pending, lambda record: cls.from_record(record, model_rid))

    @classmethod
    async def resolve_reference(cls, info: Info, **key: object) -> ModelVersion | None:
        return await cls.fetch_reference(info, **key).result()

    @strawberry.field(description="The version this one was promoted from, for promoted ones.")
    async def promoted_from(self, info: Info) -> ModelVersion | None:
        source = self.source
        if source is None or source.type != "promoted":
            return None
        if not source.previous_model_rid or not source.previous_model_version_rid:
            return None
        record = await info.context.loaders.version_by_rid.load(
            (source.previous_model_rid, source.previous_model_version_rid)
        )
        return ModelVersion.from_record(record, source.previous_model_rid) if record else None


ModelVersionConnection = Connection[ModelVersion]

# Descriptions of the arguments of the version pages (`modelVersions`, `MlModel.versions`).
BRANCH_DOC = (
    "Branch of the registry model whose versions to list; the gateway's default branch "
    "(GATEWAY_DEFAULT_BRANCH, `master` by default) when not given. A branch without "
    "versions is an empty page."
)
VERSIONS_FIRST_DOC = (
    "Page size: 1 to the gateway's maximum (GATEWAY_MAX_PAGE_SIZE, 1000 by default); 20 when "
    "not given. The registry pages forwards only, so there is no `last`/`before`."
)
VERSIONS_AFTER_DOC = (
    "Cursor to page forwards from (`pageInfo.endCursor` or an edge's `cursor`): the page "
    "starts after that version. A cursor the gateway cannot read is BAD_USER_INPUT."
)


def _encode(token: str | None, skip: int) -> str:
    return base64.urlsafe_b64encode(orjson.dumps({"p": token, "s": skip})).decode()


def _decode(cursor: str) -> tuple[str | None, int]:
    try:
        data = orjson.loads(base64.urlsafe_b64decode(cursor.encode()))
        token, skip = data["p"], data["s"]
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise BadUserInputError("Invalid cursor for model versions.") from exc
    if (token is not None and not isinstance(token, str)) or not isinstance(skip, int):
        raise BadUserInputError("Invalid cursor for model versions.")
    return token, max(skip, 0)


async def list_versions(
    info: Info, model_rid: str, branch: str | None, first: int | None, after: str | None
) -> Connection[ModelVersion]:
    """A Relay page over the registry's token paging.

    A cursor is (page token, items to skip within that page), so any item can be resumed
    from, whatever the page size of the next call.
    """
    size = 20 if first is None else first
    max_size = info.context.settings.max_page_size
    if size < 1 or size > max_size:
        raise BadUserInputError(f"`first` must be between 1 and {max_size}, got {size}.")
    token, skip = _decode(after) if after else (None, 0)
    key = VersionPageKey(
        model_rid=model_rid,
        branch=branch or info.context.settings.default_branch,
        page_size=skip + size,
        page_token=token,
    )
    page = await info.context.loaders.versions_by_model.load(key)
    if page is None:
        raise NotFoundError(f"No registry model {model_rid}.", upstream="registry")
    rows = page.data[skip:]
    edges = [
        Edge(key=_encode(token, skip + i + 1), node=ModelVersion.from_record(r, model_rid))
        for i, r in enumerate(rows)
    ]
    if edges and page.next_page_token:
        edges[-1].key = _encode(page.next_page_token, 0)
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.next_page_token is not None,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor() if edges else None,
            end_cursor=edges[-1].cursor() if edges else None,
        ),
        total_count=None,
    )
