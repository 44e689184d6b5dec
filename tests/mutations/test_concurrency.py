"""Fifty callers at once through the gateway: no follow or vote is lost or double counted."""

from __future__ import annotations

import asyncio

from tests.conftest import EmulatorHandle, GatewayClient
from tests.mutations.rest import create_users, model_by_name, table_by_name

FOLLOW = """
mutation Follow($id: ID!) {
  follow(kind: ML_MODEL, id: $id) { __typename ... on FollowSuccess { user { name } } }
}
"""

VOTE = """
mutation Vote($id: ID!, $vote: VoteType!) {
  vote(kind: TABLE, id: $id, vote: $vote) {
    __typename ... on VoteSuccess { vote asset { ... on Table { votes { myVote } } } }
  }
}
"""

READ = """
query Read($model: String!, $table: String!) {
  mlModel(fullyQualifiedName: $model) { followerCount followers { name } }
  table(fullyQualifiedName: $table) {
    votes { upVotes downVotes upVoters { name } downVoters { name } }
  }
}
"""

MODEL = "mlflow_prod.product_recommender"
TABLE = "postgres_shop.shop.public.orders"
USERS = [f"crowd_{i:02d}" for i in range(50)]


async def test_fifty_concurrent_follows_and_votes_by_different_users(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given: fifty users on top of the seed, and the seeded followers and votes
    create_users(emulator, USERS)
    model = model_by_name(emulator, MODEL, "followers")
    table = table_by_name(emulator, TABLE, "votes")
    ups, downs = USERS[::2], USERS[1::2]
    # when: each user follows the model and votes on the table, all at once
    results = await asyncio.gather(
        *(gateway.execute(FOLLOW, {"id": model["id"]}, user=name) for name in USERS),
        *(
            gateway.execute(
                VOTE,
                {"id": table["id"], "vote": "UP" if name in ups else "DOWN"},
                user=name,
            )
            for name in USERS
        ),
    )
    # then: every call succeeded as its own caller
    follows, votes = results[:50], results[50:]
    assert [r["data"]["follow"] for r in follows] == [
        {"__typename": "FollowSuccess", "user": {"name": name}} for name in USERS
    ]
    assert [r["data"]["vote"] for r in votes] == [
        {
            "__typename": "VoteSuccess",
            "vote": vote,
            "asset": {"votes": {"myVote": vote}},
        }
        for vote in ("UP" if name in ups else "DOWN" for name in USERS)
    ]
    # and the final state holds all of them exactly once
    result = await gateway.execute(READ, {"model": MODEL, "table": TABLE})
    followers = sorted([f["name"] for f in model["followers"]] + USERS)
    up_voters = sorted([v["name"] for v in table["votes"]["upVoters"]] + ups)
    down_voters = sorted([v["name"] for v in table["votes"]["downVoters"]] + downs)
    data = result["data"]
    assert data["mlModel"]["followerCount"] == len(followers)
    assert sorted(f["name"] for f in data["mlModel"]["followers"]) == followers
    votes_now = data["table"]["votes"]
    assert (votes_now["upVotes"], votes_now["downVotes"]) == (len(up_voters), len(down_voters))
    assert sorted(v["name"] for v in votes_now["upVoters"]) == up_voters
    assert sorted(v["name"] for v in votes_now["downVoters"]) == down_voters
