"""`vote`: the caller votes an ML model or a table up or down, or withdraws their vote."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.base.errors import BadUserInputError, GatewayError
from gateway.domain.context import Info
from gateway.domain.mutations.assets import ASSET_LABELS, AssetKind, DataAsset, read_asset
from gateway.domain.mutations.results import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    expected,
    invalid,
)
from gateway.domain.types.common import VoteType
from gateway.domain.validation import check_uuid


@strawberry.type(description="The caller's vote is recorded.")
class VoteSuccess:
    asset: DataAsset = strawberry.field(description="The asset, re-read after the vote.")
    vote: VoteType = strawberry.field(description="The caller's vote now.")


VoteResult = Annotated[
    VoteSuccess | NotFound | InvalidInput | PermissionDenied,
    strawberry.union(
        "VoteResult",
        description="NotFoundError: no such asset (or it is soft-deleted), or the caller has "
        "no user record in the catalog. ValidationError: a malformed id. PermissionError: "
        "the catalog refused the vote.",
    ),
]


@strawberry.type
class VoteMutation:
    @strawberry.mutation(
        description="Vote as the caller (the catalog takes the voter from the credentials): "
        "UP or DOWN replaces the caller's previous vote, NONE withdraws it. One vote per "
        "user and asset; the entity's version does not change."
    )
    async def vote(
        self,
        info: Info,
        kind: Annotated[AssetKind, strawberry.argument(description="ML model or table.")],
        id: Annotated[
            strawberry.ID, strawberry.argument(description="Catalog id (UUID) of the asset.")
        ],
        vote: Annotated[VoteType, strawberry.argument(description="The vote to record.")],
    ) -> VoteResult:
        try:
            asset_id = check_uuid(str(id), "id")
        except BadUserInputError as exc:
            return invalid(exc)
        try:
            await info.context.catalog.cast_vote(kind.value, asset_id, vote.value)
            asset = await read_asset(info, kind, asset_id, "asset")
        except GatewayError as exc:
            problem = expected(exc)
            if problem is None or isinstance(problem, Conflict):
                raise
            if isinstance(problem, NotFound):
                problem.message = (
                    f"No {ASSET_LABELS[kind]} {asset_id}, or the caller has no user record in the "
                    "catalog."
                )
            return problem
        return VoteSuccess(asset=asset, vote=vote)
