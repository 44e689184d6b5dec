"""The shipped example files fit the gateway's defaults and the embedded upstreams' seed.

So docs/federation.md's walk-through (reviews/sample.json, supergraph.example.json) works.
"""

from __future__ import annotations

import json
from typing import Any

from gateway.base.settings import Settings
from tests.conftest import EmulatorHandle
from tests.federation.environment import FEDERATION_DIR
from tests.gateway.rest import catalog_get


def load(name: str) -> Any:
    return json.loads((FEDERATION_DIR / name).read_text(encoding="utf-8"))


def test_sample_reviews_name_seeded_models_tables_and_users(emulator: EmulatorHandle) -> None:
    # given
    reviews = load("reviews/sample.json")["reviews"]
    # when
    found = [
        (
            catalog_get(emulator, f"/v1/users/{r['authorId']}")["name"],
            catalog_get(emulator, f"/v1/mlmodels/{r['modelId']}")["fullyQualifiedName"]
            if "modelId" in r
            else catalog_get(emulator, f"/v1/tables/name/{r['tableFqn']}")["fullyQualifiedName"],
        )
        for r in reviews
    ]
    # then
    assert found == [
        ("alice", "mlflow_prod.churn_predictor"),
        ("bob", "mlflow_prod.churn_predictor"),
        ("alice", "sagemaker_prod.fraud_detector"),
        ("bob", "bigquery_analytics.events_prod.marketing.ad_spend"),
    ]


def test_example_config_routes_to_the_gateway_defaults() -> None:
    # given
    fields = Settings.model_fields
    url = f"http://{fields['host'].default}:{fields['port'].default}/graphql"
    # when
    catalog = load("supergraph.example.json")["subgraphs"]["catalog"]
    # then
    assert catalog == {"routing_url": url, "schema": {"subgraph_url": url}}
