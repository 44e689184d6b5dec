"""Catalog emulator: reads served from its render cache show every write at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from gateway.emulator.app import create_emulator_app
from gateway.emulator.catalog.seed import seed_id
from gateway.emulator.config import DEFAULT_TOKEN, EmulatorConfig
from tests.conftest import EmulatorHandle
from tests.emulator.catalog import ALICE, alice_ref
from tests.servers import ThreadedServer

MODEL_FQN = "sklearn_lab.lead_scoring"
MODEL_ID = seed_id("mlmodel", MODEL_FQN)
SCHEMA_FQN = "postgres_shop.shop.public"
SEEDED_FOLLOWERS = ["marco", "nina", "omar", "priya"]


def model(catalog: httpx.Client, fields: str = "followers,votes,tags") -> dict[str, Any]:
    response = catalog.get(f"/mlmodels/{MODEL_ID}", params={"fields": fields})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def listed(catalog: httpx.Client) -> dict[str, Any]:
    """The model as the list page with followers, votes and tags shows it."""
    page = catalog.get("/mlmodels", params={"limit": 50, "fields": "followers,votes,tags"})
    assert page.status_code == 200
    found: dict[str, Any] = next(m for m in page.json()["data"] if m["id"] == MODEL_ID)
    return found


def names(refs: list[dict[str, Any]]) -> list[str]:
    return [ref["name"] for ref in refs]


def test_follow_and_unfollow_show_at_once_by_id_by_name_and_in_lists(
    catalog: httpx.Client, emulator: EmulatorHandle
) -> None:
    # given the model read (and so cached) every way
    assert names(model(catalog)["followers"]) == SEEDED_FOLLOWERS
    assert names(listed(catalog)["followers"]) == SEEDED_FOLLOWERS

    # when alice follows it
    catalog.put(f"/mlmodels/{MODEL_ID}/followers", json=ALICE).raise_for_status()

    # then every read lists her, with her reference in full
    alice = {**alice_ref(), "href": f"{emulator.catalog_url}/v1/users/{ALICE}"}
    assert model(catalog)["followers"][0] == alice
    assert names(listed(catalog)["followers"]) == ["alice", *SEEDED_FOLLOWERS]
    by_name = catalog.get(f"/mlmodels/name/{MODEL_FQN}", params={"fields": "followers"})
    assert names(by_name.json()["followers"]) == ["alice", *SEEDED_FOLLOWERS]

    # and when she stops following, she is gone from them again
    catalog.delete(f"/mlmodels/{MODEL_ID}/followers/{ALICE}").raise_for_status()
    assert names(model(catalog)["followers"]) == SEEDED_FOLLOWERS
    assert names(listed(catalog)["followers"]) == SEEDED_FOLLOWERS


def test_a_vote_shows_at_once(catalog: httpx.Client, emulator: EmulatorHandle) -> None:
    # given the model's votes read
    assert model(catalog)["votes"]["upVotes"] == 1

    # when alice votes it down
    vote = catalog.put(
        f"/mlmodels/{MODEL_ID}/vote",
        json={"updatedVoteType": "votedDown"},
        headers=emulator.headers("alice"),
    )
    vote.raise_for_status()

    # then the votes count her
    votes = model(catalog)["votes"]
    assert (votes["upVotes"], votes["downVotes"]) == (1, 1)
    assert names(votes["downVoters"]) == ["alice"]
    assert listed(catalog)["votes"] == votes


def test_renaming_a_follower_shows_in_the_models_they_follow(catalog: httpx.Client) -> None:
    # given alice follows the model and the model was read
    catalog.put(f"/mlmodels/{MODEL_ID}/followers", json=ALICE).raise_for_status()
    assert model(catalog)["followers"][0]["displayName"] == "Alice Nguyen"
    assert listed(catalog)["followers"][0]["displayName"] == "Alice Nguyen"

    # when her display name changes
    body = {"name": "alice", "email": "alice.nguyen@example.com", "displayName": "Alice N."}
    catalog.put("/users", json=body).raise_for_status()

    # then the model's follower reference carries the new one
    assert model(catalog)["followers"][0]["displayName"] == "Alice N."
    assert listed(catalog)["followers"][0]["displayName"] == "Alice N."
    assert catalog.get(f"/users/{ALICE}").json()["displayName"] == "Alice N."


def test_renaming_a_service_shows_in_its_models(catalog: httpx.Client) -> None:
    # given the model read with its service reference
    assert "displayName" not in model(catalog)["service"]

    # when the service gets a display name
    body = {"name": "sklearn_lab", "serviceType": "Sklearn", "displayName": "Sklearn lab"}
    catalog.put("/services/mlmodelServices", json=body).raise_for_status()

    # then the model's service reference shows it
    assert model(catalog)["service"]["displayName"] == "Sklearn lab"
    assert listed(catalog)["service"]["displayName"] == "Sklearn lab"


def test_updating_the_model_shows_its_new_version(catalog: httpx.Client) -> None:
    # given the model read
    before = model(catalog, "")
    assert before["version"] == 0.1

    # when its description changes
    body = {"name": "lead_scoring", "service": "sklearn_lab", "description": "Rescored."}
    put = catalog.put("/mlmodels", json=body)
    put.raise_for_status()

    # then reads show the new description and version
    after = model(catalog, "")
    assert (after["description"], after["version"]) == ("Rescored.", put.json()["version"])
    assert after["version"] > before["version"]
    assert listed(catalog)["description"] == "Rescored."


def test_delete_restore_and_hard_delete_show_at_once(catalog: httpx.Client) -> None:
    # given the model read
    model(catalog)

    # when it is soft-deleted, it is hidden unless deleted ones are asked for
    catalog.delete(f"/mlmodels/{MODEL_ID}").raise_for_status()
    assert catalog.get(f"/mlmodels/{MODEL_ID}").status_code == 404
    assert catalog.get(f"/mlmodels/name/{MODEL_FQN}").status_code == 404
    deleted = catalog.get(f"/mlmodels/{MODEL_ID}", params={"include": "deleted"})
    assert (deleted.status_code, deleted.json()["deleted"]) == (200, True)
    assert all(m["id"] != MODEL_ID for m in catalog.get("/mlmodels?limit=50").json()["data"])

    # when it is restored, it is back
    catalog.put("/mlmodels/restore", json={"id": MODEL_ID}).raise_for_status()
    assert model(catalog)["deleted"] is False

    # when it is hard-deleted, it is gone for every include
    catalog.delete(f"/mlmodels/{MODEL_ID}", params={"hardDelete": "true"}).raise_for_status()
    assert catalog.get(f"/mlmodels/{MODEL_ID}", params={"include": "all"}).status_code == 404


def test_a_new_table_shows_in_its_schema(catalog: httpx.Client) -> None:
    # given the schema read with its tables
    schema = catalog.get(f"/databaseSchemas/name/{SCHEMA_FQN}", params={"fields": "tables"})
    before = names(schema.json()["tables"])

    # when a table is created in it
    body = {
        "name": "aaa_new",
        "databaseSchema": SCHEMA_FQN,
        "columns": [{"name": "id", "dataType": "INT"}],
    }
    catalog.post("/tables", json=body).raise_for_status()

    # then the schema lists it
    schema = catalog.get(f"/databaseSchemas/name/{SCHEMA_FQN}", params={"fields": "tables"})
    assert names(schema.json()["tables"]) == ["aaa_new", *before]


def test_what_a_user_follows_tracks_the_followed_models(catalog: httpx.Client) -> None:
    # given alice follows the model
    catalog.put(f"/mlmodels/{MODEL_ID}/followers", json=ALICE).raise_for_status()
    follows = catalog.get(f"/users/{ALICE}", params={"fields": "follows"})
    assert MODEL_ID in [ref["id"] for ref in follows.json()["follows"]]

    # when the model is soft-deleted, it leaves her follows; restored, it comes back
    catalog.delete(f"/mlmodels/{MODEL_ID}").raise_for_status()
    follows = catalog.get(f"/users/{ALICE}", params={"fields": "follows"})
    assert MODEL_ID not in [ref["id"] for ref in follows.json()["follows"]]
    catalog.put("/mlmodels/restore", json={"id": MODEL_ID}).raise_for_status()
    follows = catalog.get(f"/users/{ALICE}", params={"fields": "follows"})
    assert MODEL_ID in [ref["id"] for ref in follows.json()["follows"]]


def test_each_host_gets_its_own_hrefs(catalog: httpx.Client, emulator: EmulatorHandle) -> None:
    # when the model is read under two host names
    first = catalog.get(f"/mlmodels/{MODEL_ID}").json()
    other = catalog.get(f"/mlmodels/{MODEL_ID}", headers={"Host": "catalog.example:8585"})

    # then each answer's hrefs name the host it was asked at
    assert first["href"] == f"{emulator.catalog_url}/v1/mlmodels/{MODEL_ID}"
    assert other.json()["href"] == f"http://catalog.example:8585/api/v1/mlmodels/{MODEL_ID}"


def test_only_admins_see_a_service_connection(
    catalog: httpx.Client, emulator: EmulatorHandle
) -> None:
    # when the service is read by the admin, then by alice
    path = "/services/mlmodelServices/name/sklearn_lab"
    admin = catalog.get(path).json()
    alice = catalog.get(path, headers=emulator.headers("alice")).json()

    # then only the admin's answer carries the connection
    assert admin["connection"] == {
        "config": {"type": "Sklearn", "supportsMetadataExtraction": True}
    }
    assert "connection" not in alice


def test_a_deleted_user_is_not_found_at_once(
    catalog: httpx.Client, emulator: EmulatorHandle
) -> None:
    # given alice has been authenticated
    assert catalog.get("/users/loggedInUser", headers=emulator.headers("alice")).status_code == 200

    # when her user is deleted, her token names no user any more
    catalog.delete(f"/users/{ALICE}").raise_for_status()
    refused = catalog.get("/users/loggedInUser", headers=emulator.headers("alice"))
    assert refused.status_code == 404
    assert refused.json() == {"code": 404, "message": "user instance for alice not found"}


def test_reset_forgets_what_was_read_before(
    catalog: httpx.Client, emulator: EmulatorHandle
) -> None:
    # given alice follows the model and the model was read
    catalog.put(f"/mlmodels/{MODEL_ID}/followers", json=ALICE).raise_for_status()
    assert names(model(catalog)["followers"]) == ["alice", *SEEDED_FOLLOWERS]

    # when the emulator is reset
    emulator.reset()

    # then the model is as seeded again
    assert names(model(catalog)["followers"]) == SEEDED_FOLLOWERS
    assert names(listed(catalog)["followers"]) == SEEDED_FOLLOWERS


def totals(catalog: httpx.Client) -> list[int]:
    """List totals of live, deleted and all models."""
    return [
        catalog.get("/mlmodels", params={"limit": 0, "include": include}).json()["paging"]["total"]
        for include in ("non-deleted", "deleted", "all")
    ]


def test_list_totals_follow_creates_and_deletes(catalog: httpx.Client) -> None:
    # given the seeded totals read
    live, deleted, every = totals(catalog)
    assert (deleted, every) == (0, live)

    # when a model is created, soft-deleted, then hard-deleted
    created = catalog.post("/mlmodels", json={"name": "counted", "service": "mlflow_prod"})
    created.raise_for_status()
    after_create = totals(catalog)
    catalog.delete(f"/mlmodels/{created.json()['id']}").raise_for_status()
    after_soft_delete = totals(catalog)
    hard = {"hardDelete": "true"}
    catalog.delete(f"/mlmodels/{created.json()['id']}", params=hard).raise_for_status()

    # then each total moves with it
    assert after_create == [live + 1, 0, live + 1]
    assert after_soft_delete == [live, 1, live + 1]
    assert totals(catalog) == [live, 0, live]


def test_filtered_user_totals_follow_a_new_admin(catalog: httpx.Client) -> None:
    # given the admins counted
    admins = catalog.get("/users", params={"isAdmin": "true", "limit": 0})
    assert admins.json()["paging"]["total"] == 1

    # when another admin is created
    body = {"name": "root2", "email": "root2@example.com", "isAdmin": True}
    catalog.post("/users", json=body).raise_for_status()

    # then the filtered total counts them
    admins = catalog.get("/users", params={"isAdmin": "true", "limit": 0})
    assert admins.json()["paging"]["total"] == 2


def test_writes_of_another_emulator_on_the_same_file_show_at_once(tmp_path: Path) -> None:
    # given two emulators on one data directory, the first having read the model
    config = EmulatorConfig(data=str(tmp_path))
    first = ThreadedServer(create_emulator_app(config)).start()
    second = ThreadedServer(create_emulator_app(config)).start()
    headers = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
    try:
        with (
            httpx.Client(base_url=f"{first.url}/api/v1", headers=headers, timeout=10) as one,
            httpx.Client(base_url=f"{second.url}/api/v1", headers=headers, timeout=10) as two,
        ):
            assert names(model(one)["followers"]) == SEEDED_FOLLOWERS

            # when alice follows it through the second
            two.put(f"/mlmodels/{MODEL_ID}/followers", json=ALICE).raise_for_status()

            # then the first shows her too
            assert names(model(one)["followers"]) == ["alice", *SEEDED_FOLLOWERS]
    finally:
        second.stop()
        first.stop()
