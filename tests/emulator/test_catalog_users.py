"""Catalog emulator: users, the logged-in user, and what users own and follow."""

from __future__ import annotations

import httpx

from gateway.emulator.catalog.seed import SEED_ADMIN_ID, seed_id
from tests.conftest import EmulatorHandle


def test_logged_in_user_is_the_caller(catalog: httpx.Client, emulator: EmulatorHandle) -> None:
    # when the admin token and alice's JWT ask who they are
    admin = catalog.get("/users/loggedInUser").json()
    alice = catalog.get("/users/loggedInUser", headers=emulator.headers("alice")).json()

    # then each gets its own record
    assert (admin["id"], admin["name"], admin["isAdmin"]) == (SEED_ADMIN_ID, "admin", True)
    assert (alice["name"], alice["email"], alice["isAdmin"]) == (
        "alice",
        "alice.nguyen@example.com",
        False,
    )
    assert alice["displayName"] == "Alice Nguyen"


def test_user_by_name_with_teams_and_owns(catalog: httpx.Client) -> None:
    # when alice is read with her teams and what she owns
    alice = catalog.get("/users/name/alice", params={"fields": "teams,owns,roles"}).json()

    # then her team and owned assets are references
    assert [t["name"] for t in alice["teams"]] == ["ml-platform"]
    owned = {(o["type"], o["fullyQualifiedName"]) for o in alice["owns"]}
    assert ("mlmodel", "mlflow_prod.churn_predictor") in owned
    assert ("mlmodelService", "sagemaker_prod") in owned
    assert alice["roles"] == []


def test_admin_filter(catalog: httpx.Client) -> None:
    # when users are listed by the admin flag
    admins = catalog.get("/users", params={"isAdmin": "true"}).json()
    people = catalog.get("/users", params={"isAdmin": "false", "limit": 0}).json()

    # then the seed has one admin and nineteen people
    assert [u["name"] for u in admins["data"]] == ["admin"]
    assert people["paging"]["total"] == 19


def test_create_user_and_duplicate_email(catalog: httpx.Client) -> None:
    # given a new user
    created = catalog.post(
        "/users",
        json={"name": "tom", "email": "tom@example.com", "teams": [seed_id("team", "ml-platform")]},
    )
    assert created.status_code == 201
    assert (created.json()["fullyQualifiedName"], created.json()["isBot"]) == ("tom", False)

    # when another user takes the same email
    twin = catalog.post("/users", json={"name": "tommy", "email": "tom@example.com"})

    # then it is a conflict
    assert twin.status_code == 409
    assert twin.json() == {"code": 409, "message": "Entity already exists"}


def test_a_new_user_can_call_and_is_recorded_as_updater(
    catalog: httpx.Client, emulator: EmulatorHandle
) -> None:
    # given a new user, an admin (only admins may create models)
    catalog.post("/users", json={"name": "uma", "email": "uma@example.com", "isAdmin": True})

    # when she creates a model with her JWT
    created = catalog.post(
        "/mlmodels",
        json={"name": "umas", "service": "sklearn_lab"},
        headers=emulator.headers("uma"),
    )

    # then she is its updater
    assert created.status_code == 201
    assert created.json()["updatedBy"] == "uma"


def test_user_names_with_a_dot_are_quoted_in_fqn_and_looked_up_plain(
    catalog: httpx.Client,
) -> None:
    # given a user whose name holds a dot
    created = catalog.post("/users", json={"name": "jane.doe", "email": "jane.doe@example.com"})

    # when it is looked up by its plain name
    found = catalog.get("/users/name/jane.doe")

    # then the FQN is quoted and the lookup works
    assert created.json()["fullyQualifiedName"] == '"jane.doe"'
    assert found.json()["id"] == created.json()["id"]
