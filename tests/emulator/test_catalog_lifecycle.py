"""Catalog emulator: soft and hard delete, include, restore, cascades and version history."""

from __future__ import annotations

import json

import httpx

from gateway.emulator.catalog.seed import seed_id

CHURN_ID = seed_id("mlmodel", "mlflow_prod.churn_predictor")


def new_model(catalog: httpx.Client, name: str, **extra: object) -> dict[str, object]:
    response = catalog.post("/mlmodels", json={"name": name, "service": "mlflow_prod", **extra})
    assert response.status_code == 201
    body: dict[str, object] = response.json()
    return body


def test_soft_delete_hides_the_model_unless_included(catalog: httpx.Client) -> None:
    # given a model
    model_id = new_model(catalog, "doomed")["id"]

    # when it is soft deleted
    deleted = catalog.delete(f"/mlmodels/{model_id}")

    # then it answers the deleted entity one version up, hidden from default reads
    assert deleted.status_code == 200
    assert deleted.headers["X-OpenMetadata-Change"] == "entitySoftDeleted"
    assert (deleted.json()["deleted"], deleted.json()["version"]) == (True, 0.2)
    assert catalog.get(f"/mlmodels/{model_id}").json() == {
        "code": 404,
        "message": f"mlmodel instance for {model_id} not found",
    }
    assert catalog.get("/mlmodels/name/mlflow_prod.doomed").status_code == 404
    assert catalog.get(f"/mlmodels/{model_id}", params={"include": "deleted"}).status_code == 200
    assert catalog.get(f"/mlmodels/{model_id}", params={"include": "all"}).status_code == 200
    names = {m["name"] for m in catalog.get("/mlmodels", params={"limit": 100}).json()["data"]}
    deleted_names = [
        m["name"]
        for m in catalog.get("/mlmodels", params={"include": "deleted", "limit": 100}).json()[
            "data"
        ]
    ]
    assert "doomed" not in names
    assert deleted_names == ["doomed"]


def test_deleting_a_soft_deleted_model_again_is_200_without_a_new_version(
    catalog: httpx.Client,
) -> None:
    # given a soft-deleted model
    model_id = new_model(catalog, "twice")["id"]
    catalog.delete(f"/mlmodels/{model_id}")

    # when it is deleted again
    again = catalog.delete(f"/mlmodels/{model_id}")

    # then it succeeds and stays at the same version
    assert again.status_code == 200
    assert (again.json()["deleted"], again.json()["version"]) == (True, 0.2)


def test_include_on_a_live_model_with_deleted_only_is_404(catalog: httpx.Client) -> None:
    # when a live model is read with include=deleted
    response = catalog.get(f"/mlmodels/{CHURN_ID}", params={"include": "deleted"})

    # then it is not found
    assert response.status_code == 404


def test_restore_brings_the_model_back_one_version_up(catalog: httpx.Client) -> None:
    # given a soft-deleted model
    model_id = new_model(catalog, "phoenix")["id"]
    catalog.delete(f"/mlmodels/{model_id}")

    # when it is restored
    restored = catalog.put("/mlmodels/restore", json={"id": model_id})

    # then it is live again at 0.3
    assert restored.status_code == 200
    assert restored.headers["X-OpenMetadata-Change"] == "entityRestored"
    assert (restored.json()["deleted"], restored.json()["version"]) == (False, 0.3)
    assert catalog.get(f"/mlmodels/{model_id}").status_code == 200


def test_restore_of_a_live_model_fails_like_upstream(catalog: httpx.Client) -> None:
    # when a model that is not deleted is restored
    response = catalog.put("/mlmodels/restore", json={"id": CHURN_ID})

    # then the upstream's unhandled error surfaces as a 500
    assert response.status_code == 500
    assert response.json() == {
        "code": 500,
        "message": f"mlmodel instance for {CHURN_ID} is not deleted",
    }


def test_upsert_of_a_soft_deleted_model_restores_it(catalog: httpx.Client) -> None:
    # given a soft-deleted model
    model_id = new_model(catalog, "lazarus", description="a")["id"]
    catalog.delete(f"/mlmodels/{model_id}")

    # when it is PUT again
    put = catalog.put(
        "/mlmodels", json={"name": "lazarus", "service": "mlflow_prod", "description": "a"}
    )

    # then it is live, same id, one version up
    assert put.status_code == 200
    assert (put.json()["id"], put.json()["deleted"], put.json()["version"]) == (
        model_id,
        False,
        0.3,
    )
    assert put.json()["changeDescription"]["fieldsUpdated"] == [
        {"name": "deleted", "oldValue": True, "newValue": False}
    ]


def test_hard_delete_removes_the_model(catalog: httpx.Client) -> None:
    # given a model
    model_id = new_model(catalog, "gone")["id"]

    # when it is hard deleted
    deleted = catalog.delete(f"/mlmodels/{model_id}", params={"hardDelete": "true"})

    # then it is gone even with include=all, and its name is free again
    assert deleted.status_code == 200
    assert deleted.headers["X-OpenMetadata-Change"] == "entityDeleted"
    assert catalog.get(f"/mlmodels/{model_id}", params={"include": "all"}).status_code == 404
    assert (
        catalog.post("/mlmodels", json={"name": "gone", "service": "mlflow_prod"}).status_code
        == 201
    )


def test_delete_by_name_soft_deletes(catalog: httpx.Client) -> None:
    # given a model
    new_model(catalog, "by_name")

    # when it is deleted by FQN
    deleted = catalog.delete("/mlmodels/name/mlflow_prod.by_name")

    # then it is soft deleted
    assert deleted.status_code == 200
    assert deleted.json()["deleted"] is True


def test_a_service_with_live_models_needs_recursive_delete(catalog: httpx.Client) -> None:
    # given a service with one model
    service = catalog.post(
        "/services/mlmodelServices", json={"name": "tmp", "serviceType": "CustomMlModel"}
    ).json()
    model = catalog.post("/mlmodels", json={"name": "m", "service": "tmp"}).json()

    # when it is deleted without, then with recursive
    refused = catalog.delete(f"/services/mlmodelServices/{service['id']}")
    cascaded = catalog.delete(
        f"/services/mlmodelServices/{service['id']}", params={"recursive": "true"}
    )

    # then the first is refused and the second soft-deletes the model too
    assert refused.status_code == 400
    assert refused.json() == {"code": 400, "message": "mlmodelService is not empty"}
    assert cascaded.status_code == 200
    child = catalog.get(f"/mlmodels/{model['id']}", params={"include": "all"}).json()
    assert (child["deleted"], child["version"]) == (True, 0.2)

    # and restoring the service restores the model
    catalog.put("/services/mlmodelServices/restore", json={"id": service["id"]})
    child = catalog.get(f"/mlmodels/{model['id']}").json()
    assert (child["deleted"], child["version"]) == (False, 0.3)


def test_hard_recursive_delete_of_a_database_service_removes_its_tree(
    catalog: httpx.Client,
) -> None:
    # given the seeded Postgres service, its database, schemas and tables
    service_id = seed_id("databaseService", "postgres_shop")
    table_id = seed_id("table", "postgres_shop.shop.public.orders")

    # when it is hard deleted recursively
    response = catalog.delete(
        f"/services/databaseServices/{service_id}",
        params={"recursive": "true", "hardDelete": "true"},
    )

    # then its tables are gone too
    assert response.status_code == 200
    assert catalog.get(f"/tables/{table_id}", params={"include": "all"}).status_code == 404
    tables = catalog.get("/tables", params={"database": "postgres_shop.shop"}).json()
    assert tables["paging"]["total"] == 0


def test_version_history_lists_json_strings_newest_first(catalog: httpx.Client) -> None:
    # when the seeded churn model's history is read
    history = catalog.get(f"/mlmodels/{CHURN_ID}/versions")

    # then each element is a JSON string of one version, newest first
    assert history.status_code == 200
    body = history.json()
    assert body["entityType"] == "mlmodel"
    assert all(isinstance(v, str) for v in body["versions"])
    versions = [json.loads(v) for v in body["versions"]]
    assert [v["version"] for v in versions] == [1.1, 1.0, 0.2, 0.1]
    assert [v["algorithm"] for v in versions] == ["LightGBM", "LightGBM", "XGBoost", "XGBoost"]
    assert versions[1]["changeDescription"]["previousVersion"] == 0.2
    assert {"name": "algorithm", "oldValue": "XGBoost", "newValue": "LightGBM"} in versions[1][
        "changeDescription"
    ]["fieldsUpdated"]
    assert "changeDescription" not in versions[3]
    assert [t["tagFQN"] for t in versions[0]["tags"]] == ["Tier.Tier1", "Business.Churn"]
    assert [t["tagFQN"] for t in versions[3]["tags"]] == ["Tier.Tier1"]
    assert "href" not in versions[0]


def test_version_arithmetic_minor_major_delete_and_restore(catalog: httpx.Client) -> None:
    # given a new model
    body = {"name": "arith", "service": "mlflow_prod", "algorithm": "a", "target": "t"}
    model_id = catalog.put("/mlmodels", json=body).json()["id"]

    # when it goes through a minor change, three breaking ones, a follow, a delete and a restore
    versions = []
    for change in (
        {"description": "x"},
        {"algorithm": "b"},
        {"server": "http://s"},
        {"target": "u"},
    ):
        body = {**body, **change}
        versions.append(catalog.put("/mlmodels", json=body).json()["version"])
    catalog.put(f"/mlmodels/{model_id}/followers", json=seed_id("user", "alice"))
    versions.append(catalog.get(f"/mlmodels/{model_id}").json()["version"])
    versions.append(catalog.delete(f"/mlmodels/{model_id}").json()["version"])
    versions.append(catalog.put("/mlmodels/restore", json={"id": model_id}).json()["version"])

    # then minor adds 0.1, breaking jumps to the next major, following changes nothing
    assert versions == [0.2, 1.0, 2.0, 3.0, 3.0, 3.1, 3.2]


def test_a_single_version_and_the_missing_one(catalog: httpx.Client) -> None:
    # when an old, the current and a missing version are read
    old = catalog.get(f"/mlmodels/{CHURN_ID}/versions/0.2")
    current = catalog.get(f"/mlmodels/{CHURN_ID}/versions/1.1")
    missing = catalog.get(f"/mlmodels/{CHURN_ID}/versions/0.5")

    # then the entities come back as objects and the missing one is a 404
    assert (old.status_code, old.json()["version"], old.json()["algorithm"]) == (
        200,
        0.2,
        "XGBoost",
    )
    assert current.json()["version"] == 1.1
    assert missing.status_code == 404
    assert missing.json() == {
        "code": 404,
        "message": f"mlmodel instance for {CHURN_ID} and version 0.5 not found",
    }


def test_history_of_a_soft_deleted_model_is_readable(catalog: httpx.Client) -> None:
    # given a soft-deleted model
    model_id = new_model(catalog, "archived")["id"]
    catalog.delete(f"/mlmodels/{model_id}")

    # when its history is read
    history = catalog.get(f"/mlmodels/{model_id}/versions").json()

    # then both versions are there
    assert [json.loads(v)["deleted"] for v in history["versions"]] == [True, False]
