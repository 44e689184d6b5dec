"""Batch reads through the catalog's search index (`batch_via_search`).

The same queries against the same data answer alike with the setting on and off; on,
users, ML models and tables a request needs by id cost one search call per batch instead
of one GET each, and whatever the index misses (held indexing, soft deletes) or cannot
hold exactly (follower references, tags beside a Tier tag) is read by id.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from tests.conftest import (
    EmulatorHandle,
    GatewayClient,
    gateway_settings,
    running_gateway,
)
from tests.gateway.rest import all_models, catalog_delete, upstream_calls

SEARCH = "GET /api/v1/search/query"
GET_MODEL = "GET /api/v1/mlmodels/{id}"
GET_USER = "GET /api/v1/users/{id}"
LIST_MODELS = "GET /api/v1/mlmodels"

FOLLOWERS_EMAILS = "query { mlModels(first: 50) { nodes { name followers { id email } } } }"
ENTITIES = """
query($r: [_Any!]!) {
  _entities(representations: $r) {
    ... on MlModel {
      id name displayName description algorithm version deleted href
      owners { id name ... on User { email } }
      domains { name }
      extension
      registryModelRid
    }
  }
}
"""
ENTITIES_EVERYTHING = """
query($r: [_Any!]!) {
  _entities(representations: $r) {
    ... on MlModel {
      id name displayName
      owners { id name ... on User { email displayName description isAdmin isBot } }
      followers { id name email description }
      followerCount
      votes { upVotes downVotes }
      tags { tagFQN source labelType state }
      domains { name }
      dataProducts { name }
      dashboard { id }
      extension
    }
  }
}
"""
USERS = """
query($r: [_Any!]!) {
  _entities(representations: $r) {
    ... on User { id name fullyQualifiedName displayName email isAdmin isBot deleted }
  }
}
"""
USERS_DESCRIBED = USERS.replace("isBot", "isBot description")


@asynccontextmanager
async def _gateway(
    emulator: EmulatorHandle, executor: str, *, on: bool
) -> AsyncIterator[GatewayClient]:
    settings = gateway_settings(emulator, executor=executor, batch_via_search=on)
    async with running_gateway(settings, emulator) as client:
        yield client


async def _both(
    emulator: EmulatorHandle,
    executor: str,
    query: str,
    variables: dict[str, object] | None = None,
) -> tuple[dict[str, Any], dict[str, int], dict[str, Any], dict[str, int]]:
    """The answer and the upstream calls with the setting on, then off."""
    out: list[Any] = []
    for on in (True, False):
        async with _gateway(emulator, executor, on=on) as gateway:
            emulator.reset_counters()
            result = await gateway.execute(query, variables)
            out += [result, upstream_calls(emulator)]
    return out[0], out[1], out[2], out[3]


def _models(ids: list[str]) -> dict[str, object]:
    return {"r": [{"__typename": "MlModel", "id": i} for i in ids]}


def _catalog(emulator: EmulatorHandle) -> httpx.Client:
    return httpx.Client(base_url=f"{emulator.catalog_url}/v1", headers=emulator.headers())


def _create_models(emulator: EmulatorHandle, count: int) -> list[str]:
    with _catalog(emulator) as catalog:
        ids = []
        for n in range(count):
            body = {
                "name": f"batch_model_{n:03}",
                "displayName": f"Batch model {n}",
                "service": "sklearn_lab",
                "algorithm": "GLM",
            }
            created = catalog.post("/mlmodels", json=body)
            created.raise_for_status()
            ids.append(created.json()["id"])
        return ids


def _hold(emulator: EmulatorHandle, hold: bool) -> None:
    emulator.admin.put("/search/hold", json={"hold": hold}).raise_for_status()


def _total(calls: dict[str, int]) -> int:
    return sum(calls.values())


async def test_followers_emails_of_a_page_cost_a_list_and_one_users_search(
    emulator: EmulatorHandle, executor: str
) -> None:
    # when a page of 50 models is asked for with its followers' emails, on and off
    on, on_calls, off, off_calls = await _both(emulator, executor, FOLLOWERS_EMAILS)
    # then both answer alike
    assert "errors" not in on
    assert on == off
    followers = {f["id"] for n in on["data"]["mlModels"]["nodes"] for f in n["followers"]}
    assert len(followers) > 3
    # and on, it costs the list and one users search; off, one GET per distinct follower
    assert on_calls == {LIST_MODELS: 1, SEARCH: 1}
    assert off_calls == {LIST_MODELS: 1, GET_USER: len(followers)}


async def test_hundred_model_representations_cost_one_search(
    emulator: EmulatorHandle, executor: str
) -> None:
    # given 100 models, all indexed
    ids = [m["id"] for m in all_models(emulator)]
    ids += _create_models(emulator, 100 - len(ids))
    assert len(set(ids)) == 100
    # when _entities resolves all of them, on and off
    on, on_calls, off, off_calls = await _both(emulator, executor, ENTITIES, _models(ids))
    # then both answer alike, every model found
    assert "errors" not in on
    assert on == off
    assert [e["id"] for e in on["data"]["_entities"]] == ids
    # and on, the models cost one search (their owners' emails one more); off, a GET each
    assert on_calls.get(SEARCH) == 2
    assert _total(on_calls) <= 2
    assert off_calls[GET_MODEL] == 100


async def test_fields_the_index_does_not_hold_are_read_by_id_and_answer_alike(
    emulator: EmulatorHandle, executor: str
) -> None:
    # given every seeded model (some with a Tier tag, followers and votes)
    ids = [m["id"] for m in all_models(emulator)]
    # when everything about them is asked for, on and off
    on, on_calls, off, _ = await _both(emulator, executor, ENTITIES_EVERYTHING, _models(ids))
    # then both answer alike: followers and votes are never taken from the index
    assert "errors" not in on
    assert on == off
    assert on_calls.get(GET_MODEL) == len(ids)


async def test_users_by_id_answer_alike(emulator: EmulatorHandle, executor: str) -> None:
    # given every seeded user
    with _catalog(emulator) as catalog:
        users = catalog.get("/users", params={"limit": 1000}).json()["data"]
    representations: dict[str, object] = {
        "r": [{"__typename": "User", "id": u["id"]} for u in users]
    }
    # when all of them are resolved, on and off
    on, on_calls, off, off_calls = await _both(emulator, executor, USERS, representations)
    # then both answer alike, from one search on and one GET each off
    assert "errors" not in on
    assert on == off
    assert [u["email"] for u in on["data"]["_entities"]] == [u["email"] for u in users]
    assert on_calls == {SEARCH: 1}
    assert off_calls == {GET_USER: len(users)}


async def test_a_user_description_is_read_by_id(emulator: EmulatorHandle, executor: str) -> None:
    # given every seeded user and a described one
    with _catalog(emulator) as catalog:
        body = {"name": "okapi", "email": "okapi@example.com", "displayName": "Okapi"}
        created = catalog.post("/users", json={**body, "description": "Keeps models running."})
        created.raise_for_status()
        users = catalog.get("/users", params={"limit": 1000}).json()["data"]
    users.sort(key=lambda u: u["name"] != "okapi")
    representations: dict[str, object] = {
        "r": [{"__typename": "User", "id": u["id"]} for u in users]
    }
    # when their descriptions are asked for too, on and off
    on, on_calls, off, off_calls = await _both(emulator, executor, USERS_DESCRIBED, representations)
    # then both answer alike: the users' index holds no description, so no search is made
    assert "errors" not in on
    assert on == off
    assert on["data"]["_entities"][0]["description"] == "Keeps models running."
    assert on_calls == off_calls == {GET_USER: len(users)}


@pytest.mark.parametrize("what", ["held", "soft-deleted"])
async def test_keys_the_index_misses_are_read_by_id(
    emulator: EmulatorHandle, executor: str, what: str
) -> None:
    # given a model and a user the index does not hold (yet, or any longer)
    ids = [m["id"] for m in all_models(emulator)][:5]
    if what == "held":
        _hold(emulator, True)
    with _catalog(emulator) as catalog:
        user = catalog.post("/users", json={"name": "okapi", "email": "okapi@example.com"})
        user.raise_for_status()
        user_id = user.json()["id"]
        body = {
            "name": "okapi_ranker",
            "service": "sklearn_lab",
            "algorithm": "GLM",
            "owners": [{"id": user_id, "type": "user"}],
        }
        created = catalog.post("/mlmodels", json=body)
        created.raise_for_status()
        model_id = created.json()["id"]
    if what == "soft-deleted":
        catalog_delete(emulator, f"/v1/mlmodels/{model_id}")
    try:
        # when they are resolved with indexed ones, on and off
        on, on_calls, off, _ = await _both(emulator, executor, ENTITIES, _models([*ids, model_id]))
    finally:
        _hold(emulator, False)
    # then both answer alike: the missing model by id (found, or null once deleted)
    assert "errors" not in on
    assert on == off
    entities = on["data"]["_entities"]
    if what == "held":
        assert entities[-1]["name"] == "okapi_ranker"
        owner = {"id": user_id, "name": "okapi", "email": "okapi@example.com"}
        assert entities[-1]["owners"] == [owner]
    else:
        assert entities[-1] is None
    assert on_calls[GET_MODEL] == 1


async def test_a_mutation_reads_through_the_entity_api(
    emulator: EmulatorHandle, executor: str
) -> None:
    # given indexing is held, so the index trails what the mutation writes
    model = all_models(emulator, fields="followers")[0]
    _hold(emulator, True)
    mutation = """
    mutation($id: ID!, $user: ID!) {
      follow(kind: ML_MODEL, id: $id, userId: $user) {
        ... on FollowSuccess { asset { ... on MlModel { followers { id email } } } }
      }
    }
    """
    with _catalog(emulator) as catalog:
        users = catalog.get("/users", params={"limit": 1000}).json()["data"]
    new = next(u for u in users if u["id"] not in {f["id"] for f in model["followers"]})
    try:
        async with _gateway(emulator, executor, on=True) as gateway:
            emulator.reset_counters()
            result = await gateway.execute(mutation, {"id": model["id"], "user": new["id"]})
            calls = upstream_calls(emulator)
    finally:
        _hold(emulator, False)
    # then the answer holds the new follower, and nothing was read from the index
    assert "errors" not in result, result
    followers = result["data"]["follow"]["asset"]["followers"]
    assert {"id": new["id"], "email": new["email"]} in followers
    assert SEARCH not in calls


TABLES = """
query($r: [_Any!]!) {
  _entities(representations: $r) {
    ... on Table {
      id name displayName description
      owners { id name }
      tags { tagFQN }
      columns { name dataType tags { tagFQN } }
    }
  }
}
"""


async def test_tables_by_id_answer_alike(emulator: EmulatorHandle, executor: str) -> None:
    # given every seeded table, and two with display names of their own
    with _catalog(emulator) as catalog:
        tables = catalog.get("/tables", params={"limit": 1000}).json()["data"]
        for table in tables[:2]:
            patch = [{"op": "add", "path": "/displayName", "value": f"The {table['name']}"}]
            catalog.patch(
                f"/tables/{table['id']}",
                json=patch,
                headers={"Content-Type": "application/json-patch+json"},
            ).raise_for_status()
    representations: dict[str, object] = {
        "r": [{"__typename": "Table", "id": t["id"]} for t in tables]
    }
    # when they are resolved, on and off
    on, on_calls, off, _ = await _both(emulator, executor, TABLES, representations)
    # then both answer alike, with one search on
    assert "errors" not in on
    assert on == off
    assert on["data"]["_entities"][0]["displayName"] == f"The {tables[0]['name']}"
    assert on_calls[SEARCH] == 1
