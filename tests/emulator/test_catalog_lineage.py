"""Catalog emulator: `/v1/lineage` graphs from ML model feature sources, adding and deleting
edges under `EditLineage`."""

from __future__ import annotations

from typing import Any

import httpx

from gateway.emulator.catalog.seed import seed_id
from tests.conftest import EmulatorHandle

CHURN_FQN = "mlflow_prod.churn_predictor"
CHURN = seed_id("mlmodel", CHURN_FQN)
FEATURES = seed_id("table", "bigquery_analytics.events_prod.ml_features.customer_features")
LABELS = seed_id("table", "snowflake_dw.analytics.marts.churn_labels")
ORDERS_FQN = "postgres_shop.shop.public.orders"
ORDERS = seed_id("table", ORDERS_FQN)
CUSTOMERS_FQN = "postgres_shop.shop.public.customers"
AGE = seed_id("mlmodel", "mlflow_prod.customer_age_estimator")


def edge(from_id: str, to_id: str, **more: Any) -> dict[str, Any]:
    return {"fromEntity": from_id, "toEntity": to_id, **more}


def add(catalog: httpx.Client, from_id: str, from_type: str, to_id: str, to_type: str,
        **details: Any) -> httpx.Response:  # fmt: skip
    body: dict[str, Any] = {
        "edge": {
            "fromEntity": {"id": from_id, "type": from_type},
            "toEntity": {"id": to_id, "type": to_type},
        }
    }
    if details:
        body["edge"]["lineageDetails"] = details
    return catalog.put("/lineage", json=body)


def test_model_lineage_lists_its_feature_source_tables(catalog: httpx.Client) -> None:
    response = catalog.get(f"/lineage/mlmodel/{CHURN}")

    assert response.status_code == 200
    body = response.json()
    assert body["entity"] == {
        "id": CHURN,
        "type": "mlmodel",
        "name": "churn_predictor",
        "fullyQualifiedName": CHURN_FQN,
        "displayName": "Churn predictor",
        "deleted": False,
        "href": f"{str(catalog.base_url).rstrip('/')}/mlmodels/{CHURN}",
    }
    assert [node["id"] for node in body["nodes"]] == sorted([FEATURES, LABELS])
    assert {node["type"] for node in body["nodes"]} == {"table"}
    assert body["upstreamEdges"] == [edge(i, CHURN) for i in sorted([FEATURES, LABELS])]
    assert body["downstreamEdges"] == []
    by_name = catalog.get(f"/lineage/mlmodel/name/{CHURN_FQN}")
    assert by_name.json() == body


def test_depth_two_reaches_further_upstream(catalog: httpx.Client) -> None:
    # given orders feeds the feature table
    assert add(catalog, ORDERS, "table", FEATURES, "table").status_code == 200

    # then depth 1 stops at the feature sources, depth 2 reaches orders
    one = catalog.get(f"/lineage/mlmodel/{CHURN}").json()
    assert ORDERS not in [node["id"] for node in one["nodes"]]
    two = catalog.get(f"/lineage/mlmodel/{CHURN}", params={"upstreamDepth": 2}).json()
    assert ORDERS in [node["id"] for node in two["nodes"]]
    stored = two["upstreamEdges"][-1]
    assert (stored["fromEntity"], stored["toEntity"]) == (ORDERS, FEATURES)
    assert stored["lineageDetails"]["source"] == "Manual"
    assert stored["lineageDetails"]["columnsLineage"] == []
    assert stored["lineageDetails"]["createdBy"] == "admin"


def test_table_downstream_lists_the_models_reading_it(catalog: httpx.Client) -> None:
    response = catalog.get(f"/lineage/table/name/{CUSTOMERS_FQN}", params={"upstreamDepth": 0})

    body = response.json()
    customers = seed_id("table", CUSTOMERS_FQN)
    assert body["upstreamEdges"] == []
    assert body["downstreamEdges"] == [edge(customers, AGE)]
    assert [node["fullyQualifiedName"] for node in body["nodes"]] == [
        "mlflow_prod.customer_age_estimator"
    ]


def test_created_model_records_lineage_and_search_shows_it(catalog: httpx.Client) -> None:
    created = catalog.post(
        "/mlmodels",
        json={
            "name": "orders_model",
            "service": "sklearn_lab",
            "mlFeatures": [
                {
                    "name": "total",
                    "featureSources": [
                        {"name": "total", "dataSource": {"id": ORDERS, "type": "table"}},
                        {"name": "status", "dataSource": {"id": ORDERS, "type": "table"}},
                    ],
                }
            ],
        },
    )
    assert created.status_code == 201
    model_id = created.json()["id"]

    body = catalog.get(f"/lineage/table/{ORDERS}").json()
    assert edge(ORDERS, model_id) in body["downstreamEdges"]
    hits = catalog.get(
        "/search/query",
        params={"q": "orders_model", "index": "mlmodel", "deleted": "false"},
    ).json()["hits"]["hits"]
    upstream = hits[0]["_source"]["upstreamLineage"]
    assert [e["docId"] for e in upstream] == [f"{ORDERS_FQN}--->sklearn_lab.orders_model"]


def test_column_lineage_is_checked_and_stored(catalog: httpx.Client) -> None:
    bad = add(
        catalog, ORDERS, "table", CHURN, "mlmodel",
        columnsLineage=[{"fromColumns": [f"{ORDERS_FQN}.nope"], "toColumn": f"{CHURN_FQN}.x"}],
    )  # fmt: skip
    assert bad.status_code == 400
    assert bad.json() == {"code": 400, "message": f"Invalid column name {ORDERS_FQN}.nope"}

    model = catalog.get(f"/mlmodels/{CHURN}").json()
    feature = model["mlFeatures"][0]["fullyQualifiedName"]
    columns = [{"fromColumns": [f"{ORDERS_FQN}.order_id"], "toColumn": feature}]
    good = add(catalog, ORDERS, "table", CHURN, "mlmodel", columnsLineage=columns)
    assert good.status_code == 200
    assert good.content == b""
    body = catalog.get(f"/lineage/mlmodel/{CHURN}").json()
    stored = next(e for e in body["upstreamEdges"] if e["fromEntity"] == ORDERS)
    assert stored["lineageDetails"]["columnsLineage"] == columns


def test_delete_edge_then_404(catalog: httpx.Client) -> None:
    path = f"/lineage/table/{LABELS}/mlmodel/{CHURN}"
    assert catalog.delete(path).status_code == 200
    assert LABELS not in [n["id"] for n in catalog.get(f"/lineage/mlmodel/{CHURN}").json()["nodes"]]
    again = catalog.delete(path)
    assert again.status_code == 404
    assert again.json() == {"code": 404, "message": "Lineage edge not found"}


def test_plain_user_may_not_edit_lineage(emulator: EmulatorHandle) -> None:
    with httpx.Client(
        base_url=f"{emulator.catalog_url}/v1", headers=emulator.headers("bob"), timeout=10
    ) as bob:
        response = add(bob, ORDERS, "table", CHURN, "mlmodel")
        assert response.status_code == 403
        principal = "Principal: CatalogPrincipal{name='bob'}"
        assert response.json() == {
            "code": 403,
            "message": f"{principal} operations [EditLineage] not allowed",
        }
        assert bob.delete(f"/lineage/table/{LABELS}/mlmodel/{CHURN}").status_code == 403
        # reading needs no permission
        assert bob.get(f"/lineage/mlmodel/{CHURN}").status_code == 200


def test_depth_limits_and_missing_roots(catalog: httpx.Client) -> None:
    too_deep = catalog.get(f"/lineage/mlmodel/{CHURN}", params={"upstreamDepth": 4})
    assert too_deep.status_code == 400
    assert too_deep.json() == {
        "code": 400,
        "message": "[query param upstreamDepth must be less than or equal to 3]",
    }
    missing = catalog.get("/lineage/mlmodel/name/mlflow_prod.nope")
    assert missing.status_code == 404
    assert missing.json() == {
        "code": 404,
        "message": "mlmodel instance for mlflow_prod.nope not found",
    }
    gone = add(catalog, ORDERS, "table", "6f1c1f9e-0000-4000-8000-000000000000", "mlmodel")
    assert gone.status_code == 404
