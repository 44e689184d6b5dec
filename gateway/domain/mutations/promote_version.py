"""`promoteVersion`: copy a registry model version into a model as its latest on a branch."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.base.errors import BadUserInputError, GatewayError
from gateway.domain.context import Info
from gateway.domain.mutations.results import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    expected,
    invalid,
)
from gateway.domain.types.model_version import ModelVersion
from gateway.domain.validation import check_branch, check_rid
from gateway.upstream.registry import UNSUPPORTED_SOURCE


@strawberry.type(description="The version was promoted.")
class PromoteVersionSuccess:
    model_version: ModelVersion = strawberry.field(
        description="The new version in the target model; `promotedFrom` is the source."
    )


PromoteVersionResult = Annotated[
    PromoteVersionSuccess | NotFound | InvalidInput | PermissionDenied,
    strawberry.union(
        "PromoteVersionResult",
        description="NotFoundError: no such target model or source version. "
        "ValidationError: a malformed RID or branch, or a source version the registry "
        "cannot copy (unsupported source). PermissionError: the caller may not write to "
        "the target model.",
    ),
]


@strawberry.type
class PromoteVersionMutation:
    @strawberry.mutation(
        description="Copy any registry model version into `modelRid`, as the latest version "
        "on `branch` (default: the registry's default branch). The copy gets a new RID; the "
        "source is unchanged. Not retried (a retry would mint a second copy)."
    )
    async def promote_version(
        self,
        info: Info,
        model_rid: Annotated[
            str, strawberry.argument(description="RID of the model receiving the copy.")
        ],
        source_model_version_rid: Annotated[
            str, strawberry.argument(description="RID of the version to copy (any model).")
        ],
        branch: Annotated[
            str | None, strawberry.argument(description="Target model branch.")
        ] = None,
    ) -> PromoteVersionResult:
        try:
            target = check_rid(model_rid, "modelRid")
            source = check_rid(source_model_version_rid, "sourceModelVersionRid")
            if branch is not None:
                check_branch(branch, "branch")
        except BadUserInputError as exc:
            return invalid(exc)
        try:
            record = await info.context.registry.promote_version(target, source, branch=branch)
        except GatewayError as exc:
            problem = expected(exc)
            if problem is None or isinstance(problem, Conflict):
                raise
            upstream_error = exc.extensions.get("upstreamError")
            if isinstance(problem, NotFound):
                problem.message = (
                    f"No registry model {target}."
                    if upstream_error == "ModelNotFound"
                    else f"No registry model version {source}."
                )
            elif isinstance(problem, InvalidInput):
                problem.field = (
                    "sourceModelVersionRid" if upstream_error == UNSUPPORTED_SOURCE else None
                )
            return problem
        loaders = info.context.loaders
        # Every cached page of the target's versions is stale: the copy is now the latest.
        loaders.versions_by_model.clear_all()
        loaders.version_by_rid.prime((target, record.rid), record)
        return PromoteVersionSuccess(model_version=ModelVersion.from_record(record, target))
