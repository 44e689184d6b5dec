"""Root `Mutation`: one family per module (create, bulk, services, update, lifecycle,
follow, vote, promote_version)."""

from __future__ import annotations

import strawberry

from gateway.domain.mutations.bulk import BulkMutation
from gateway.domain.mutations.create import CreateMutation
from gateway.domain.mutations.follow import FollowMutation
from gateway.domain.mutations.lifecycle import LifecycleMutation
from gateway.domain.mutations.promote_version import PromoteVersionMutation
from gateway.domain.mutations.services import ServiceMutation
from gateway.domain.mutations.update import UpdateMutation
from gateway.domain.mutations.vote import VoteMutation


@strawberry.type(
    description="Write to the catalog and the model registry. Expected failures are answered "
    "as typed errors in each field's result union; unexpected ones (an upstream down or "
    "failing) are GraphQL errors with `extensions.code`."
)
class Mutation(
    CreateMutation,
    BulkMutation,
    ServiceMutation,
    UpdateMutation,
    LifecycleMutation,
    FollowMutation,
    VoteMutation,
    PromoteVersionMutation,
):
    pass


__all__ = ["Mutation"]
