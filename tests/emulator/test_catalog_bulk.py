"""Catalog emulator: PUT /bulk answers a BulkOperationResult with per-item outcomes."""

from __future__ import annotations

import httpx


def test_bulk_with_one_bad_item_is_a_partial_success(catalog: httpx.Client) -> None:
    # given a batch: a new model, an update of a seeded one, an unknown service, a bad body
    items = [
        {"name": "bulk_new", "service": "mlflow_prod", "algorithm": "kNN"},
        {"name": "churn_baseline", "service": "sklearn_lab", "algorithm": "LogisticRegression"},
        {"name": "x", "service": "nope"},
        {"service": "mlflow_prod"},
    ]

    # when it is sent
    response = catalog.put("/mlmodels/bulk", json=items)

    # then valid items are written and failures carry the original request
    assert response.status_code == 200
    assert response.json() == {
        "status": "partialSuccess",
        "numberOfRowsProcessed": 4,
        "numberOfRowsPassed": 2,
        "numberOfRowsFailed": 2,
        "successRequest": [
            {"request": "mlflow_prod.bulk_new", "status": 200},
            {"request": "sklearn_lab.churn_baseline", "status": 200},
        ],
        "failedRequest": [
            {
                "request": {"name": "x", "service": "nope"},
                "message": "mlmodelService instance for nope not found",
                "status": 400,
            },
            {
                "request": {"service": "mlflow_prod"},
                "message": "[name must not be null]",
                "status": 400,
            },
        ],
    }
    assert catalog.get("/mlmodels/name/mlflow_prod.bulk_new").json()["algorithm"] == "kNN"
    # the update cleared what the item left out, as any PUT does: losing the target is breaking
    baseline = catalog.get("/mlmodels/name/sklearn_lab.churn_baseline").json()
    assert (baseline["version"], "description" in baseline, "target" in baseline) == (
        1.0,
        False,
        False,
    )


def test_bulk_where_everything_fails_is_still_200(catalog: httpx.Client) -> None:
    # when every item is invalid
    response = catalog.put("/mlmodels/bulk", json=[{"name": "a", "service": "nope"}])

    # then the result says failure
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["numberOfRowsFailed"]) == ("failure", 1)


def test_async_bulk_is_accepted_with_a_provisional_result(catalog: httpx.Client) -> None:
    # when tables are bulk upserted asynchronously
    items = [
        {
            "name": "async_t",
            "databaseSchema": "postgres_shop.shop.public",
            "columns": [{"name": "id", "dataType": "INT"}],
        }
    ]
    response = catalog.put("/tables/bulk", params={"async": "true"}, json=items)

    # then the answer is 202 with nothing passed yet, and the write happens
    assert response.status_code == 202
    assert response.json() == {
        "status": "success",
        "numberOfRowsProcessed": 1,
        "numberOfRowsPassed": 0,
        "numberOfRowsFailed": 0,
        "successRequest": [],
        "failedRequest": [],
    }
    found = catalog.get("/tables/name/postgres_shop.shop.public.async_t")
    assert found.status_code == 200


def test_bulk_services(catalog: httpx.Client) -> None:
    # when ML model services are bulk upserted
    response = catalog.put(
        "/services/mlmodelServices/bulk",
        json=[{"name": "s1", "serviceType": "Mlflow"}, {"name": "s2", "serviceType": "Sklearn"}],
    )

    # then both exist
    assert response.json()["status"] == "success"
    assert catalog.get("/services/mlmodelServices/name/s2").json()["serviceType"] == "Sklearn"
