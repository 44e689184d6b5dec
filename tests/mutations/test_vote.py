"""`vote`: the caller votes up, down or withdraws, on ML models and tables; typed failures."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import EmulatorHandle, GatewayClient
from tests.mutations.rest import model_by_name, route_calls, table_by_name

VOTE = """
mutation Vote($kind: AssetKind!, $id: ID!, $vote: VoteType!) {
  vote(kind: $kind, id: $id, vote: $vote) {
    __typename
    ... on VoteSuccess {
      vote
      asset {
        __typename
        ... on MlModel { id version votes { ...Votes } }
        ... on Table { id version votes { ...Votes } }
      }
    }
    ... on MutationError { message code }
    ... on ValidationError { field }
  }
}

fragment Votes on Votes {
  upVotes downVotes myVote upVoters { name } downVoters { name }
}
"""

UP_THEN_DOWN = """
mutation Twice($id: ID!) {
  up: vote(kind: TABLE, id: $id, vote: UP) { ...Counts }
  down: vote(kind: TABLE, id: $id, vote: DOWN) { ...Counts }
}

fragment Counts on VoteResult {
  ... on VoteSuccess { asset { ... on Table { votes { upVotes downVotes } } } }
}
"""

# Seeded with three up votes and one down vote.
MODEL = "mlflow_prod.product_recommender"
CUSTOMERS = "postgres_shop.shop.public.customers"
MISSING = "5e5e5e5e-0000-4000-8000-000000000000"


def _entity(emulator: EmulatorHandle, kind: str) -> dict[str, Any]:
    if kind == "ML_MODEL":
        return model_by_name(emulator, MODEL, "votes")
    return table_by_name(emulator, CUSTOMERS, "votes")


def _voters(entity: dict[str, Any], side: str) -> list[str]:
    return [v["name"] for v in entity["votes"][side]]


def _expected_votes(entity: dict[str, Any], my_vote: str) -> dict[str, Any]:
    votes = entity["votes"]
    return {
        "upVotes": votes["upVotes"],
        "downVotes": votes["downVotes"],
        "myVote": my_vote,
        "upVoters": [{"name": n} for n in _voters(entity, "upVoters")],
        "downVoters": [{"name": n} for n in _voters(entity, "downVoters")],
    }


@pytest.mark.parametrize(("kind", "typename"), [("ML_MODEL", "MlModel"), ("TABLE", "Table")])
@pytest.mark.parametrize("vote", ["UP", "DOWN"])
async def test_caller_votes(
    gateway: GatewayClient, emulator: EmulatorHandle, kind: str, typename: str, vote: str
) -> None:
    # given: a caller who has not voted on the entity
    before = _entity(emulator, kind)
    voted = _voters(before, "upVoters") + _voters(before, "downVoters")
    caller = next(n for n in ("omar", "nina", "marco", "lena") if n not in voted)
    # when
    result = await gateway.execute(
        VOTE, {"kind": kind, "id": before["id"], "vote": vote}, user=caller
    )
    # then: the caller is counted once on their side, nothing else changed
    after = _entity(emulator, kind)
    side = "upVoters" if vote == "UP" else "downVoters"
    assert sorted(_voters(after, side)) == sorted([*_voters(before, side), caller])
    assert result == {
        "data": {
            "vote": {
                "__typename": "VoteSuccess",
                "vote": vote,
                "asset": {
                    "__typename": typename,
                    "id": before["id"],
                    "version": before["version"],
                    "votes": _expected_votes(after, vote),
                },
            }
        }
    }


async def test_a_new_vote_replaces_the_old_and_none_withdraws_it(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given: a seeded up-voter
    before = _entity(emulator, "ML_MODEL")
    voter = _voters(before, "upVoters")[0]
    variables = {"kind": "ML_MODEL", "id": before["id"]}
    # when
    down = await gateway.execute(VOTE, {**variables, "vote": "DOWN"}, user=voter)
    after_down = _entity(emulator, "ML_MODEL")
    withdrawn = await gateway.execute(VOTE, {**variables, "vote": "NONE"}, user=voter)
    after_none = _entity(emulator, "ML_MODEL")
    # then
    assert voter in _voters(after_down, "downVoters")
    assert voter not in _voters(after_down, "upVoters")
    assert down["data"]["vote"]["asset"]["votes"] == _expected_votes(after_down, "DOWN")
    assert (after_none["votes"]["upVotes"], after_none["votes"]["downVotes"]) == (
        before["votes"]["upVotes"] - 1,
        before["votes"]["downVotes"],
    )
    assert withdrawn["data"]["vote"]["asset"]["votes"] == _expected_votes(after_none, "NONE")


async def test_second_root_field_reads_the_first_vote(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given: the caller (admin) has not voted on the table
    before = _entity(emulator, "TABLE")["votes"]
    # when
    result = await gateway.execute(UP_THEN_DOWN, {"id": _entity(emulator, "TABLE")["id"]})
    # then
    up, down = before["upVotes"], before["downVotes"]
    assert result == {
        "data": {
            "up": {"asset": {"votes": {"upVotes": up + 1, "downVotes": down}}},
            "down": {"asset": {"votes": {"upVotes": up, "downVotes": down + 1}}},
        }
    }


async def test_vote_on_unknown_asset_is_not_found(gateway: GatewayClient) -> None:
    result = await gateway.execute(VOTE, {"kind": "TABLE", "id": MISSING, "vote": "UP"})
    assert result == {
        "data": {
            "vote": {
                "__typename": "NotFoundError",
                "message": f"No table {MISSING}, or the caller has no user record in the catalog.",
                "code": "NOT_FOUND",
            }
        }
    }


async def test_malformed_id_is_rejected_before_any_call(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    emulator.reset_counters()
    result = await gateway.execute(VOTE, {"kind": "ML_MODEL", "id": "x", "vote": "UP"})
    assert result == {
        "data": {
            "vote": {
                "__typename": "ValidationError",
                "message": "`id` must be a UUID, got 'x'.",
                "code": "BAD_USER_INPUT",
                "field": "id",
            }
        }
    }
    assert emulator.counters() == {}


async def test_unknown_vote_value_is_rejected_before_any_call(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    emulator.reset_counters()
    result = await gateway.execute(VOTE, {"kind": "ML_MODEL", "id": MISSING, "vote": "MAYBE"})
    assert "data" not in result
    assert [e["extensions"]["code"] for e in result["errors"]] == ["BAD_USER_INPUT"]
    assert emulator.counters() == {}


async def test_forbidden_vote_is_a_permission_error(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    table = _entity(emulator, "TABLE")
    emulator.add_fault(match="PUT /api/v1/tables/{id}/vote", status=403)
    result = await gateway.execute(VOTE, {"kind": "TABLE", "id": table["id"], "vote": "UP"})
    assert result["data"]["vote"]["code"] == "FORBIDDEN"


async def test_vote_upstream_down_is_a_top_level_error_after_retries(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given
    table = _entity(emulator, "TABLE")
    emulator.add_fault(match="PUT /api/v1/tables/{id}/vote", status=503)
    emulator.reset_counters()
    # when
    result = await gateway.execute(VOTE, {"kind": "TABLE", "id": table["id"], "vote": "UP"})
    # then: one retry (the vote PUT is idempotent), then the error table's code
    assert result["data"] is None
    assert [e["extensions"]["code"] for e in result["errors"]] == ["UPSTREAM_ERROR"]
    assert route_calls(emulator, "PUT /api/v1/tables/{id}/vote") == 2
