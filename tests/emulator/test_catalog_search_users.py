"""Catalog emulator: the user index (`user_search_index`, contract SEARCH_LINEAGE_AUTHZ §1.2b),
kept in step with every user write, and many entities looked up by id in one call."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from gateway.emulator.catalog.seed import seed_id
from tests.conftest import EmulatorHandle

USERS = "user_search_index"
MODELS = "mlmodel_search_index"
ALICE = seed_id("user", "alice")
LENA = seed_id("user", "lena")
BOB = seed_id("user", "bob")
CHURN = seed_id("mlmodel", "mlflow_prod.churn_predictor")
ML_PLATFORM = seed_id("team", "ml-platform")
DATA_ENGINEERING = seed_id("team", "data-engineering")
DATA_STEWARD = seed_id("role", "DataSteward")
# The user's fields a user document holds (§1.2b), besides `entityType`.
USER_FIELDS = (
    "id", "name", "fullyQualifiedName", "displayName", "email", "isAdmin", "isBot", "teams",
    "roles", "inheritedRoles", "domains", "deleted", "version", "updatedAt", "updatedBy", "href",
)  # fmt: skip
RELATION_FIELDS = "teams,roles,inheritedRoles,domains"


def by_ids(ids: list[str]) -> dict[str, Any]:
    return {"query": {"bool": {"filter": [{"ids": {"values": ids}}]}}}


def search(catalog: httpx.Client, **params: Any) -> dict[str, Any]:
    params.setdefault("index", USERS)
    params.setdefault("q", "*")
    params.setdefault("deleted", "false")
    if isinstance(params.get("query_filter"), dict):
        params["query_filter"] = json.dumps(params["query_filter"])
    response = catalog.get("/search/query", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def hit_ids(body: dict[str, Any]) -> list[str]:
    return sorted(hit["_id"] for hit in body["hits"]["hits"])


def sources(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {hit["_id"]: hit["_source"] for hit in body["hits"]["hits"]}


def without_href(ref: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in ref.items() if key != "href"}


def expected_document(user: dict[str, Any]) -> dict[str, Any]:
    """What the index holds of a user read with its relationship fields: those fields,
    references without hrefs, the display name falling back to the name, and `entityType`."""
    out = {key: user[key] for key in USER_FIELDS if key in user}
    out["displayName"] = user.get("displayName") or user["name"]
    for key in ("teams", "roles", "inheritedRoles", "domains"):
        out[key] = [without_href(ref) for ref in user[key]]
    out["entityType"] = "user"
    return out


def user_document(catalog: httpx.Client, user_id: str, deleted: str = "false") -> Any:
    found = sources(search(catalog, query_filter=by_ids([user_id]), deleted=deleted))
    return found.get(user_id)


def test_document_of_a_seeded_user_is_its_entity_fields(catalog: httpx.Client) -> None:
    # when alice (in a team) and lena (with a role) are read by id from the user index
    body = search(catalog, query_filter=by_ids([ALICE, LENA]))

    # then each hit's id is the user's and its source is exactly the user's indexed fields
    assert hit_ids(body) == sorted([ALICE, LENA])
    assert {hit["_index"] for hit in body["hits"]["hits"]} == {USERS}
    for user_id, source in sources(body).items():
        user = catalog.get(f"/users/{user_id}", params={"fields": RELATION_FIELDS}).json()
        assert source == expected_document(user)
    assert [team["name"] for team in sources(body)[ALICE]["teams"]] == ["ml-platform"]
    assert [role["name"] for role in sources(body)[LENA]["roles"]] == ["DataSteward"]


def test_ids_and_terms_on_id_return_the_asked_users_only(catalog: httpx.Client) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    asked = [ALICE, LENA, BOB, CHURN, unknown]
    for index in (USERS, "user"):
        for query in (by_ids(asked), {"query": {"terms": {"id": asked}}}):
            # when users are looked up by id, among them a model's id and an unknown one
            body = search(catalog, index=index, size=len(asked), query_filter=query)

            # then exactly the users come back, each once
            assert hit_ids(body) == sorted([ALICE, LENA, BOB])
            assert body["hits"]["total"] == {"value": 3, "relation": "eq"}
            assert {hit["_source"]["entityType"] for hit in body["hits"]["hits"]} == {"user"}


def test_users_are_found_by_name_and_email_but_not_among_data_assets(
    catalog: httpx.Client,
) -> None:
    assert hit_ids(search(catalog, q="alice")) == [ALICE]
    assert hit_ids(search(catalog, q="email:alice.nguyen@example.com")) == [ALICE]
    admins = search(catalog, query_filter={"query": {"term": {"isAdmin": True}}})
    assert [hit["_source"]["name"] for hit in admins["hits"]["hits"]] == ["admin"]
    assert search(catalog, size=0)["hits"]["total"]["value"] == 20
    for alias in ("all", "dataAsset"):
        body = search(catalog, index=alias, query_filter=by_ids([ALICE, CHURN]))
        assert hit_ids(body) == [CHURN]


def test_ids_query_reads_a_hundred_models_and_fifty_users_in_one_call(
    catalog: httpx.Client,
) -> None:
    # given 100 models and 50 users
    bulk = catalog.put(
        "/mlmodels/bulk",
        json=[{"name": f"bulk_model_{i:02d}", "service": "sklearn_lab"} for i in range(70)],
    )
    assert bulk.json()["status"] == "success"
    for i in range(30):
        created = catalog.post("/users", json={"name": f"reader{i:02d}", "email": f"r{i}@x.io"})
        assert created.status_code == 201
    every_model = search(catalog, index=MODELS, size=10_000, fetch_source="false")
    every_user = search(catalog, size=10_000, fetch_source="false")
    models = [hit["_id"] for hit in every_model["hits"]["hits"]]
    users = [hit["_id"] for hit in every_user["hits"]["hits"]]
    assert (len(models), len(users)) == (100, 50)

    for index, ids in ((MODELS, models), (USERS, users)):
        # when they are all read by id, with a size up to the result window
        for size in (len(ids), 10_000):
            started = time.perf_counter()
            body = search(catalog, index=index, size=size, query_filter=by_ids(ids))
            elapsed = time.perf_counter() - started

            # then every one comes back in that one call, quickly
            assert hit_ids(body) == sorted(ids)
            assert elapsed < 2.0, (index, elapsed)
            assert body["took"] < 1000
    # and a window past 10 000 is refused
    response = catalog.get(
        "/search/query",
        params={"q": "*", "index": USERS, "from": 1, "size": 10_000},
    )
    assert response.status_code == 400


def test_user_created_while_indexing_is_held_is_absent_until_release(
    emulator: EmulatorHandle, catalog: httpx.Client
) -> None:
    # given indexing is held
    emulator.admin.put("/search/hold", json={"hold": True}).raise_for_status()

    # when a user is created
    created = catalog.post("/users", json={"name": "olga", "email": "olga@example.com"})
    assert created.status_code == 201
    user_id = created.json()["id"]

    # then the entity API has her while the index does not yet
    assert user_document(catalog, user_id) is None
    assert catalog.get(f"/users/{user_id}").status_code == 200
    assert emulator.admin.get("/search/hold").json() == {"hold": True, "pending": 1}

    # and once released she is found, her display name falling back to her name
    emulator.admin.put("/search/hold", json={"hold": False}).raise_for_status()
    document = user_document(catalog, user_id)
    assert document is not None
    assert (document["name"], document["displayName"]) == ("olga", "olga")


def test_deleted_users_are_hidden_unless_asked_for(catalog: httpx.Client) -> None:
    # given a user
    created = catalog.post("/users", json={"name": "pavel", "email": "pavel@example.com"})
    user_id = created.json()["id"]
    assert user_document(catalog, user_id) is not None

    # when she is soft-deleted
    catalog.delete(f"/users/{user_id}").raise_for_status()

    # then `deleted=false` hides her, `deleted=true` shows her as deleted
    assert user_document(catalog, user_id) is None
    assert user_document(catalog, user_id, deleted="true")["deleted"] is True

    # and a restore brings her back, a hard delete removes her for good
    catalog.put("/users/restore", json={"id": user_id}).raise_for_status()
    restored = user_document(catalog, user_id)
    user = catalog.get(f"/users/{user_id}", params={"fields": RELATION_FIELDS}).json()
    assert restored == expected_document(user)
    catalog.delete(f"/users/{user_id}", params={"hardDelete": "true"}).raise_for_status()
    for deleted in ("true", "false"):
        assert user_document(catalog, user_id, deleted=deleted) is None


def test_put_and_team_and_role_links_update_the_document(catalog: httpx.Client) -> None:
    # given a user in one team
    created = catalog.post(
        "/users",
        json={"name": "quinn", "email": "quinn@example.com", "teams": [ML_PLATFORM]},
    )
    user_id = created.json()["id"]
    assert [t["name"] for t in user_document(catalog, user_id)["teams"]] == ["ml-platform"]

    # when a PUT renames her and moves her to another team with a role
    put = catalog.put(
        "/users",
        json={
            "name": "quinn",
            "email": "quinn@example.com",
            "displayName": "Quinn Ito",
            "teams": [DATA_ENGINEERING],
            "roles": [DATA_STEWARD],
        },
    )
    assert put.status_code == 200

    # then the document is the user's new state, found by her new words and team
    user = catalog.get(f"/users/{user_id}", params={"fields": RELATION_FIELDS}).json()
    assert user_document(catalog, user_id) == expected_document(user)
    assert [t["name"] for t in user["teams"]] == ["data-engineering"]
    assert hit_ids(search(catalog, q="Ito")) == [user_id]
    in_team = search(
        catalog,
        size=50,
        query_filter={"query": {"term": {"teams.name": "data-engineering"}}},
    )
    assert user_id in hit_ids(in_team)
    stewards = search(catalog, query_filter={"query": {"term": {"roles.name": "DataSteward"}}})
    assert hit_ids(stewards) == sorted([LENA, user_id])
