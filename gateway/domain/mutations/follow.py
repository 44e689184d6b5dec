"""`follow` / `unfollow`: a user (the caller by default) follows an ML model or a table."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.base.errors import BadUserInputError, GatewayError, NotFoundError
from gateway.domain.context import Info
from gateway.domain.loaders import NO_FIELDS
from gateway.domain.mutations.assets import ASSET_LABELS, AssetKind, DataAsset, read_asset
from gateway.domain.mutations.results import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    expected,
    invalid,
)
from gateway.domain.types.user import User
from gateway.domain.validation import check_uuid


@strawberry.type(
    description="Who follows what now. Following twice or unfollowing a non-follower "
    "succeeds too (the calls are idempotent)."
)
class FollowSuccess:
    asset: DataAsset = strawberry.field(description="The asset, re-read after the change.")
    user_id: strawberry.Private[str]

    @strawberry.field(description="The follower.")
    async def user(self, info: Info) -> User:
        record = await info.context.loaders.user_by_id.load((self.user_id, NO_FIELDS))
        if record is None:
            raise NotFoundError(f"User {self.user_id} no longer exists.", upstream="catalog")
        return User.from_loaded(record)


FollowResult = Annotated[
    FollowSuccess | NotFound | InvalidInput | PermissionDenied,
    strawberry.union(
        "FollowResult",
        description="NotFoundError: no such asset (or it is soft-deleted), or no such user. "
        "ValidationError: a malformed id, or the user is soft-deleted. PermissionError: the "
        "catalog refused the change (e.g. following on behalf of someone else).",
    ),
]

_ARGS = {
    "kind": strawberry.argument(description="ML model or table."),
    "id": strawberry.argument(description="Catalog id (UUID) of the asset."),
    "user_id": strawberry.argument(
        description="Catalog id (UUID) of the follower; default: the caller."
    ),
}


async def _change_follower(
    info: Info, kind: AssetKind, id: strawberry.ID, user_id: strawberry.ID | None, *, add: bool
) -> FollowSuccess | NotFound | InvalidInput | PermissionDenied:
    try:
        asset_id = check_uuid(str(id), "id")
        follower = check_uuid(str(user_id), "userId") if user_id is not None else None
    except BadUserInputError as exc:
        return invalid(exc)
    context = info.context
    if follower is None:
        caller = await context.caller_id()
        if caller is None:
            return NotFound(message="The caller has no user record in the catalog.")
        follower, missing = caller, f"No {ASSET_LABELS[kind]} {asset_id}."
    else:
        missing = f"No {ASSET_LABELS[kind]} {asset_id}, or no user {follower}."
    catalog = context.catalog
    try:
        if add:
            await catalog.add_follower(kind.value, asset_id, follower)
        else:
            await catalog.remove_follower(kind.value, asset_id, follower)
        asset = await read_asset(info, kind, asset_id, "asset")
    except GatewayError as exc:
        problem = expected(exc)
        if problem is None or isinstance(problem, Conflict):
            raise
        if isinstance(problem, NotFound):
            problem.message = missing
        elif isinstance(problem, InvalidInput) and exc.upstream is not None:
            problem.field = "userId"
        return problem
    return FollowSuccess(asset=asset, user_id=follower)


@strawberry.type
class FollowMutation:
    @strawberry.mutation(
        description="Make a user (default: the caller) follow an ML model or a table. "
        "Idempotent; the entity's version does not change."
    )
    async def follow(
        self,
        info: Info,
        kind: Annotated[AssetKind, _ARGS["kind"]],
        id: Annotated[strawberry.ID, _ARGS["id"]],
        user_id: Annotated[strawberry.ID | None, _ARGS["user_id"]] = None,
    ) -> FollowResult:
        return await _change_follower(info, kind, id, user_id, add=True)

    @strawberry.mutation(
        description="Stop a user (default: the caller) following an ML model or a table. "
        "Idempotent; the entity's version does not change."
    )
    async def unfollow(
        self,
        info: Info,
        kind: Annotated[AssetKind, _ARGS["kind"]],
        id: Annotated[strawberry.ID, _ARGS["id"]],
        user_id: Annotated[strawberry.ID | None, _ARGS["user_id"]] = None,
    ) -> FollowResult:
        return await _change_follower(info, kind, id, user_id, add=False)
