"""Catalog emulator: followers and votes answer ChangeEvents, stay exact under concurrency."""

from __future__ import annotations

import asyncio

import httpx

from gateway.emulator.catalog.seed import SEED_PEOPLE, seed_id
from tests.conftest import EmulatorHandle
from tests.emulator.catalog import ALICE, alice_ref

MODEL_FQN = "sklearn_lab.lead_scoring"
MODEL_ID = seed_id("mlmodel", MODEL_FQN)
TABLE_ID = seed_id("table", "postgres_shop.shop.public.orders")


def test_follow_answers_a_change_event_without_a_new_version(catalog: httpx.Client) -> None:
    # given the model's current version
    before = catalog.get(f"/mlmodels/{MODEL_ID}").json()

    # when alice is added as follower
    response = catalog.put(f"/mlmodels/{MODEL_ID}/followers", json=ALICE)

    # then a ChangeEvent says so and the version is unchanged
    assert response.status_code == 200
    assert response.headers["X-OpenMetadata-Change"] == "entityFieldsChanged"
    event = response.json()
    change = {
        "fieldsAdded": [{"name": "followers", "newValue": [alice_ref()]}],
        "fieldsUpdated": [],
        "fieldsDeleted": [],
        "previousVersion": before["version"],
    }
    assert event["eventType"] == "entityUpdated"
    assert event["entityType"] == "mlmodel"
    assert event["entityId"] == MODEL_ID
    assert event["entityFullyQualifiedName"] == MODEL_FQN
    assert event["previousVersion"] == event["currentVersion"] == before["version"]
    assert event["userName"] == "admin"
    assert event["changeDescription"] == event["incrementalChangeDescription"] == change
    assert event["entity"]["id"] == MODEL_ID
    assert event["entity"]["changeDescription"] == change
    assert "followers" not in event["entity"]
    after = catalog.get(f"/mlmodels/{MODEL_ID}", params={"fields": "followers"}).json()
    assert after["version"] == before["version"]
    assert ALICE in [f["id"] for f in after["followers"]]


def test_follow_and_unfollow_are_idempotent(catalog: httpx.Client) -> None:
    # when alice follows twice, then unfollows twice
    follows = [catalog.put(f"/mlmodels/{MODEL_ID}/followers", json=ALICE) for _ in range(2)]
    unfollows = [catalog.delete(f"/mlmodels/{MODEL_ID}/followers/{ALICE}") for _ in range(2)]

    # then every call succeeds with the same kind of event
    assert [r.status_code for r in follows + unfollows] == [200, 200, 200, 200]
    assert [r.json()["changeDescription"]["fieldsAdded"] for r in follows] == [
        [{"name": "followers", "newValue": [alice_ref()]}]
    ] * 2
    assert [r.json()["changeDescription"]["fieldsDeleted"] for r in unfollows] == [
        [{"name": "followers", "oldValue": [alice_ref()]}]
    ] * 2
    followers = catalog.get(f"/mlmodels/{MODEL_ID}", params={"fields": "followers"}).json()
    assert ALICE not in [f["id"] for f in followers["followers"]]


def test_followed_entities_show_up_in_the_users_follows(catalog: httpx.Client) -> None:
    # when alice follows a table
    catalog.put(f"/tables/{TABLE_ID}/followers", json=ALICE)

    # then the table is in her follows and she is among its followers
    follows = catalog.get(f"/users/{ALICE}", params={"fields": "follows"}).json()["follows"]
    assert TABLE_ID in [f["id"] for f in follows]
    table = catalog.get(f"/tables/{TABLE_ID}", params={"fields": "followers"}).json()
    assert ALICE in [f["id"] for f in table["followers"]]


def test_follower_errors(catalog: httpx.Client) -> None:
    # given a soft-deleted user and an unknown one
    bob = seed_id("user", "bob")
    catalog.delete(f"/users/{bob}")
    unknown = "0c7d2e5e-9a0b-4c1d-8e2f-3a4b5c6d7e8f"

    # when they are used as followers, and when the body is not a UUID
    deleted_put = catalog.put(f"/mlmodels/{MODEL_ID}/followers", json=bob)
    deleted_delete = catalog.delete(f"/mlmodels/{MODEL_ID}/followers/{bob}")
    unknown_put = catalog.put(f"/mlmodels/{MODEL_ID}/followers", json=unknown)
    not_uuid = catalog.put(f"/mlmodels/{MODEL_ID}/followers", json="alice")
    no_model = catalog.put(f"/mlmodels/{unknown}/followers", json=ALICE)

    # then each answers the upstream's status and message
    assert deleted_put.json() == {"code": 400, "message": f"User {bob} is deleted"}
    assert deleted_delete.json() == {"code": 404, "message": f"user instance for {bob} not found"}
    assert unknown_put.json() == {"code": 404, "message": f"user instance for {unknown} not found"}
    assert not_uuid.json() == {"code": 400, "message": "Invalid request format"}
    assert no_model.json() == {"code": 404, "message": f"mlmodel instance for {unknown} not found"}


def test_vote_is_cast_by_the_caller_and_counted(
    catalog: httpx.Client, emulator: EmulatorHandle
) -> None:
    # given a new model nobody voted on
    model = catalog.post("/mlmodels", json={"name": "voted", "service": "mlflow_prod"}).json()

    # when alice votes up, bob votes down, then alice changes her mind and carol unvotes
    up = catalog.put(
        f"/mlmodels/{model['id']}/vote",
        json={"updatedVoteType": "votedUp"},
        headers=emulator.headers("alice"),
    )
    catalog.put(
        f"/mlmodels/{model['id']}/vote",
        json={"updatedVoteType": "votedDown"},
        headers=emulator.headers("bob"),
    )
    catalog.put(
        f"/mlmodels/{model['id']}/vote",
        json={"updatedVoteType": "votedDown"},
        headers=emulator.headers("alice"),
    )
    catalog.put(f"/mlmodels/{model['id']}/vote", json={}, headers=emulator.headers("carol"))

    # then the event of the first vote carries the totals, and the counts end exact
    assert up.status_code == 200
    assert up.headers["X-OpenMetadata-Change"] == "entityFieldsChanged"
    event = up.json()
    assert event["userName"] == "alice"
    assert event["changeDescription"]["fieldsUpdated"] == [{"name": "votes", "newValue": "votedUp"}]
    assert event["entity"]["votes"]["upVotes"] == 1
    assert [v["name"] for v in event["entity"]["votes"]["upVoters"]] == ["alice"]
    votes = catalog.get(f"/mlmodels/{model['id']}", params={"fields": "votes"}).json()
    assert (votes["votes"]["upVotes"], votes["votes"]["downVotes"]) == (0, 2)
    assert [v["name"] for v in votes["votes"]["downVoters"]] == ["alice", "bob"]
    assert votes["version"] == 0.1


def test_vote_with_a_bad_type_is_invalid_request_format(catalog: httpx.Client) -> None:
    # when the vote type is not one of the enum values
    response = catalog.put(f"/mlmodels/{MODEL_ID}/vote", json={"updatedVoteType": "love"})

    # then the body cannot be mapped
    assert response.json() == {"code": 400, "message": "Invalid request format"}


def test_table_votes(catalog: httpx.Client) -> None:
    # given the seeded votes on the orders table
    before = catalog.get(f"/tables/{TABLE_ID}", params={"fields": "votes"}).json()["votes"]

    # when the admin votes up
    catalog.put(f"/tables/{TABLE_ID}/vote", json={"updatedVoteType": "votedUp"})

    # then one more up-vote is counted
    after = catalog.get(f"/tables/{TABLE_ID}", params={"fields": "votes"}).json()["votes"]
    assert after["upVotes"] == before["upVotes"] + 1
    assert after["downVotes"] == before["downVotes"]


async def test_one_hundred_concurrent_follows_and_votes_are_all_counted(
    emulator: EmulatorHandle,
) -> None:
    # given 100 users: the 19 seeded people plus 81 created ones
    names = [name for name, _ in SEED_PEOPLE]
    base = f"{emulator.catalog_url}/v1"
    async with httpx.AsyncClient(base_url=base, headers=emulator.headers(), timeout=30) as admin:
        for i in range(100 - len(names)):
            created = await admin.post(
                "/users", json={"name": f"load{i}", "email": f"load{i}@example.com"}
            )
            assert created.status_code == 201
        names += [f"load{i}" for i in range(100 - len(SEED_PEOPLE))]
        model = (
            await admin.post("/mlmodels", json={"name": "hot", "service": "mlflow_prod"})
        ).json()
        ids = {
            u["name"]: u["id"]
            for u in (await admin.get("/users", params={"limit": 200})).json()["data"]
        }

        # when each follows and votes at the same time (two thirds up, one third down)
        async def act(i: int, name: str) -> tuple[int, int]:
            headers = emulator.headers(name)
            follow = await admin.put(f"/mlmodels/{model['id']}/followers", json=ids[name])
            vote = await admin.put(
                f"/mlmodels/{model['id']}/vote",
                json={"updatedVoteType": "votedDown" if i % 3 == 0 else "votedUp"},
                headers=headers,
            )
            return follow.status_code, vote.status_code

        results = await asyncio.gather(*(act(i, name) for i, name in enumerate(names)))

        # then every call succeeded and the totals are exact
        assert set(results) == {(200, 200)}
        body = (
            await admin.get(f"/mlmodels/{model['id']}", params={"fields": "followers,votes"})
        ).json()
    assert len(body["followers"]) == 100
    assert (body["votes"]["upVotes"], body["votes"]["downVotes"]) == (66, 34)
    assert body["version"] == 0.1
