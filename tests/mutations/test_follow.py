"""`follow` / `unfollow` of ML models and tables: caller by default, idempotent, typed failures."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import (
    EmulatorHandle,
    FakeClock,
    GatewayClient,
    gateway_settings,
    running_gateway,
)
from tests.gateway.rest import catalog_get
from tests.mutations.rest import (
    catalog_write,
    model_by_name,
    route_calls,
    table_by_name,
    user_id,
)

FOLLOW = """
mutation Follow($kind: AssetKind!, $id: ID!, $userId: ID) {
  follow(kind: $kind, id: $id, userId: $userId) {
    __typename
    ... on FollowSuccess {
      user { name }
      asset {
        __typename
        ... on MlModel { id version followerCount followers { name } }
        ... on Table { id version followerCount followers { name } }
      }
    }
    ... on MutationError { message code }
    ... on ValidationError { field }
  }
}
"""

UNFOLLOW = FOLLOW.replace("follow(", "unfollow(").replace("Follow(", "Unfollow(")

FOLLOW_THEN_UNFOLLOW = """
mutation Both($id: ID!) {
  follow(kind: ML_MODEL, id: $id) { ...Count }
  unfollow(kind: ML_MODEL, id: $id) { ...Count }
}

fragment Count on FollowResult {
  ... on FollowSuccess { asset { ... on MlModel { followerCount } } }
}
"""

# Seeded with three followers.
MODEL = "mlflow_prod.product_recommender"
CUSTOMERS = "postgres_shop.shop.public.customers"
MISSING = "5e5e5e5e-0000-4000-8000-000000000000"


def _entity(emulator: EmulatorHandle, kind: str) -> dict[str, Any]:
    if kind == "ML_MODEL":
        return model_by_name(emulator, MODEL, "followers")
    return table_by_name(emulator, CUSTOMERS, "followers")


def _names(entity: dict[str, Any]) -> list[str]:
    return [f["name"] for f in entity["followers"]]


@pytest.mark.parametrize(("kind", "typename"), [("ML_MODEL", "MlModel"), ("TABLE", "Table")])
async def test_caller_follows_by_default(
    gateway: GatewayClient, emulator: EmulatorHandle, kind: str, typename: str
) -> None:
    # given: a caller who does not follow the entity yet
    before = _entity(emulator, kind)
    caller = next(n for n in ("sam", "rosa", "quentin") if n not in _names(before))
    # when
    result = await gateway.execute(FOLLOW, {"kind": kind, "id": before["id"]}, user=caller)
    # then
    after = _entity(emulator, kind)
    assert sorted(_names(after)) == sorted([*_names(before), caller])
    assert result == {
        "data": {
            "follow": {
                "__typename": "FollowSuccess",
                "user": {"name": caller},
                "asset": {
                    "__typename": typename,
                    "id": before["id"],
                    "version": before["version"],
                    "followerCount": len(after["followers"]),
                    "followers": [{"name": n} for n in _names(after)],
                },
            }
        }
    }


async def test_follow_on_behalf_of_a_user_and_twice_is_idempotent(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given
    before = _entity(emulator, "TABLE")
    follower = next(n for n in ("sam", "rosa", "quentin") if n not in _names(before))
    variables = {"kind": "TABLE", "id": before["id"], "userId": user_id(emulator, follower)}
    # when
    first = await gateway.execute(FOLLOW, variables)
    second = await gateway.execute(FOLLOW, variables)
    # then
    assert first == second
    assert first["data"]["follow"]["user"] == {"name": follower}
    assert first["data"]["follow"]["asset"]["followerCount"] == len(before["followers"]) + 1


async def test_unfollow_removes_and_repeating_it_is_harmless(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given: a seeded follower
    before = _entity(emulator, "ML_MODEL")
    follower = _names(before)[0]
    # when
    first = await gateway.execute(UNFOLLOW, {"kind": "ML_MODEL", "id": before["id"]}, user=follower)
    second = await gateway.execute(
        UNFOLLOW, {"kind": "ML_MODEL", "id": before["id"]}, user=follower
    )
    # then
    remaining = [n for n in _names(before) if n != follower]
    assert _names(_entity(emulator, "ML_MODEL")) == remaining
    for result in (first, second):
        assert result["data"]["unfollow"]["asset"]["followers"] == [{"name": n} for n in remaining]


async def test_second_root_field_reads_the_state_the_first_wrote(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given: the caller (admin) does not follow the model
    before = _entity(emulator, "ML_MODEL")
    assert "admin" not in _names(before)
    # when: both fields select the same data, so a stale loader would answer the same count
    result = await gateway.execute(FOLLOW_THEN_UNFOLLOW, {"id": before["id"]})
    # then
    count = len(before["followers"])
    assert result == {
        "data": {
            "follow": {"asset": {"followerCount": count + 1}},
            "unfollow": {"asset": {"followerCount": count}},
        }
    }


@pytest.mark.parametrize(("operation", "field"), [(FOLLOW, "follow"), (UNFOLLOW, "unfollow")])
async def test_unknown_asset_is_not_found(
    gateway: GatewayClient, operation: str, field: str
) -> None:
    result = await gateway.execute(operation, {"kind": "ML_MODEL", "id": MISSING})
    assert result == {
        "data": {
            field: {
                "__typename": "NotFoundError",
                "message": f"No ML model {MISSING}.",
                "code": "NOT_FOUND",
            }
        }
    }


async def test_unknown_user_is_not_found(gateway: GatewayClient, emulator: EmulatorHandle) -> None:
    table = _entity(emulator, "TABLE")
    result = await gateway.execute(FOLLOW, {"kind": "TABLE", "id": table["id"], "userId": MISSING})
    assert result == {
        "data": {
            "follow": {
                "__typename": "NotFoundError",
                "message": f"No table {table['id']}, or no user {MISSING}.",
                "code": "NOT_FOUND",
            }
        }
    }


async def test_soft_deleted_user_cannot_follow(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given
    model = _entity(emulator, "ML_MODEL")
    gone = user_id(emulator, "priya")
    catalog_write(emulator, "DELETE", f"/v1/users/{gone}")
    # when
    result = await gateway.execute(FOLLOW, {"kind": "ML_MODEL", "id": model["id"], "userId": gone})
    # then
    assert result == {
        "data": {
            "follow": {
                "__typename": "ValidationError",
                "message": f"User {gone} is deleted",
                "code": "BAD_USER_INPUT",
                "field": "userId",
            }
        }
    }


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"kind": "ML_MODEL", "id": "churn"}, "id"),
        ({"kind": "TABLE", "id": MISSING, "userId": "alice"}, "userId"),
    ],
)
async def test_malformed_ids_are_rejected_before_any_call(
    gateway: GatewayClient, emulator: EmulatorHandle, variables: dict[str, object], field: str
) -> None:
    emulator.reset_counters()
    result = await gateway.execute(FOLLOW, variables)
    answer = result["data"]["follow"]
    assert (answer["__typename"], answer["code"], answer["field"]) == (
        "ValidationError",
        "BAD_USER_INPUT",
        field,
    )
    assert emulator.counters() == {}


async def test_forbidden_follow_is_a_permission_error(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    model = _entity(emulator, "ML_MODEL")
    emulator.add_fault(match="PUT /api/v1/mlmodels/{id}/followers", status=403)
    result = await gateway.execute(FOLLOW, {"kind": "ML_MODEL", "id": model["id"]})
    assert result["data"]["follow"] == {
        "__typename": "PermissionError",
        "message": "The catalog does not allow this operation",
        "code": "FORBIDDEN",
    }


async def test_follow_is_retried_on_503(gateway: GatewayClient, emulator: EmulatorHandle) -> None:
    # given
    model = _entity(emulator, "ML_MODEL")
    emulator.add_fault(match="PUT /api/v1/mlmodels/{id}/followers", status=503, times=1)
    emulator.reset_counters()
    # when
    result = await gateway.execute(FOLLOW, {"kind": "ML_MODEL", "id": model["id"]})
    # then
    assert result["data"]["follow"]["__typename"] == "FollowSuccess"
    assert route_calls(emulator, "PUT /api/v1/mlmodels/{id}/followers") == 2


async def test_follow_without_credentials_is_unauthenticated(emulator: EmulatorHandle) -> None:
    from tests.conftest import gateway_settings, running_gateway

    model = _entity(emulator, "ML_MODEL")
    settings = gateway_settings(emulator, catalog_token=None, registry_token=None)
    async with running_gateway(settings, emulator) as gateway:
        result = await gateway.execute(
            FOLLOW, {"kind": "ML_MODEL", "id": model["id"]}, anonymous=True
        )
    # refused before execution: no `data` at all
    assert "data" not in result
    assert [e["extensions"]["code"] for e in result["errors"]] == ["UNAUTHENTICATED"]


LOGGED_IN = "GET /api/v1/users/loggedInUser"
QUICK_FOLLOW = "mutation($id: ID!) { follow(kind: ML_MODEL, id: $id) { __typename } }"
QUICK_UNFOLLOW = QUICK_FOLLOW.replace("follow(", "unfollow(")


async def test_the_callers_id_is_asked_once_per_credentials(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given
    model = model_by_name(emulator, MODEL, "followers")
    emulator.reset_counters()
    # when: sam follows and unfollows twice, rosa once, and the service token once
    answers = [
        await gateway.execute(QUICK_FOLLOW, {"id": model["id"]}, user="sam"),
        await gateway.execute(QUICK_UNFOLLOW, {"id": model["id"]}, user="sam"),
        await gateway.execute(QUICK_FOLLOW, {"id": model["id"]}, user="sam"),
        await gateway.execute(QUICK_FOLLOW, {"id": model["id"]}, user="rosa"),
        await gateway.execute(QUICK_FOLLOW, {"id": model["id"]}),
    ]
    # then
    success = {"__typename": "FollowSuccess"}
    assert [a["data"] for a in answers] == [
        {"follow": success},
        {"unfollow": success},
        {"follow": success},
        {"follow": success},
        {"follow": success},
    ]
    assert route_calls(emulator, LOGGED_IN) == 3
    followers = _names(model_by_name(emulator, MODEL, "followers"))
    assert {"sam", "rosa", "admin"} <= set(followers)


async def test_without_the_cache_every_default_follow_asks(emulator: EmulatorHandle) -> None:
    # given
    model = model_by_name(emulator, MODEL, "followers")
    settings = gateway_settings(emulator, caller_cache_ttl=0)
    async with running_gateway(settings, emulator) as gateway:
        emulator.reset_counters()
        # when
        for _ in range(3):
            answer = await gateway.execute(QUICK_FOLLOW, {"id": model["id"]}, user="sam")
            assert answer["data"] == {"follow": {"__typename": "FollowSuccess"}}
    # then
    assert route_calls(emulator, LOGGED_IN) == 3


async def test_the_callers_id_is_asked_again_once_its_time_to_live_is_over(
    emulator: EmulatorHandle,
) -> None:
    # given a caller cache keeping ids for 60 s of a hand-driven clock
    model = model_by_name(emulator, MODEL, "followers")
    clock = FakeClock()
    settings = gateway_settings(emulator, caller_cache_ttl=60)
    async with running_gateway(settings, emulator, clock=clock) as gateway:
        emulator.reset_counters()

        async def follow_and_count() -> int:
            answer = await gateway.execute(QUICK_FOLLOW, {"id": model["id"]}, user="sam")
            assert answer["data"] == {"follow": {"__typename": "FollowSuccess"}}
            return route_calls(emulator, LOGGED_IN)

        # when / then: asked once, remembered up to the last instant of the 60 s, then asked
        assert await follow_and_count() == 1
        clock.advance(59.999)
        assert await follow_and_count() == 1
        clock.advance(0.001)
        assert await follow_and_count() == 2
        clock.advance(30)
        assert await follow_and_count() == 2


FOLLOW_WITH_MY_DETAILS = """
mutation($id: ID!) {
  follow(kind: ML_MODEL, id: $id) { ... on FollowSuccess { user { id name email } } }
}
"""


async def test_the_caller_found_for_a_follow_answers_its_user_without_another_call(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given
    model = model_by_name(emulator, MODEL)
    carol = catalog_get(emulator, "/v1/users/name/carol")
    emulator.reset_counters()
    # when
    answer = await gateway.execute(FOLLOW_WITH_MY_DETAILS, {"id": model["id"]}, user="carol")
    # then: the caller's record, as loggedInUser gave it, answers `user`
    assert answer == {
        "data": {"follow": {"user": {"id": carol["id"], "name": "carol", "email": carol["email"]}}}
    }
    assert route_calls(emulator, LOGGED_IN) == 1
    assert route_calls(emulator, "GET /api/v1/users/{id}") == 0
