"""A catalog UI's flow: list page -> model detail -> the model's registry versions."""

from __future__ import annotations

from typing import Any

from gateway.emulator.catalog.seed import SEED_MODEL_COUNT
from gateway.emulator.ids import registry_model_rid, registry_version_rid, seed_uuid
from tests.conftest import EmulatorHandle, GatewayClient
from tests.gateway.rest import catalog_get

LIST_PAGE = """
query ModelsPage($service: String, $first: Int, $after: String) {
  mlModels(service: $service, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node { id name algorithm service { name serviceType } followerCount } }
  }
}
"""

DETAIL = """
query ModelDetail($fqn: String!) {
  mlModel(fullyQualifiedName: $fqn) {
    __typename id fullyQualifiedName displayName algorithm target version
    service { kind name serviceType }
    mlHyperParameters { name value }
    mlFeatures {
      name dataType
      featureSources { name dataType table { fullyQualifiedName columns { name dataType } } }
    }
    followers { name email }
    tags { tagFQN }
    registryModelRid
  }
}
"""

VERSIONS = """
query Versions($fqn: String!, $first: Int, $after: String) {
  mlModel(fullyQualifiedName: $fqn) {
    versions(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes {
        rid modelRid condaRequirements
        source { type previousModelRid previousModelVersionRid }
        modelApi { inputs { type name columns { name dataType } } outputs { type name } }
        promotedFrom { rid modelRid }
      }
    }
  }
}
"""


def _data(result: dict[str, Any]) -> Any:
    assert "errors" not in result, result.get("errors")
    return result["data"]


async def test_list_pages_cover_the_service_without_gaps(gateway: GatewayClient) -> None:
    # given: the seeded mlflow_prod models, in the catalog's order (name, then id)
    names = []
    after = None
    pages = 0
    while True:
        # when
        page = _data(
            await gateway.execute(LIST_PAGE, {"service": "mlflow_prod", "first": 3, "after": after})
        )["mlModels"]
        pages += 1
        names += [edge["node"]["name"] for edge in page["edges"]]
        assert {e["node"]["service"]["name"] for e in page["edges"]} == {"mlflow_prod"}
        assert {e["node"]["service"]["serviceType"] for e in page["edges"]} == {"Mlflow"}
        assert page["pageInfo"]["hasPreviousPage"] == (pages > 1)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    # then
    assert names == sorted(names)
    assert len(names) == len(set(names)) == page["totalCount"]
    assert {"churn_predictor", "churn_predictor_prod", "customer_ltv"} <= set(names)
    everything = _data(await gateway.execute(LIST_PAGE, {"first": 100}))["mlModels"]
    assert everything["totalCount"] == SEED_MODEL_COUNT


async def test_edge_cursors_resume_after_any_row(gateway: GatewayClient) -> None:
    first = _data(await gateway.execute(LIST_PAGE, {"first": 6}))["mlModels"]["edges"]
    resumed = _data(await gateway.execute(LIST_PAGE, {"first": 3, "after": first[2]["cursor"]}))
    assert [e["node"]["name"] for e in resumed["mlModels"]["edges"]] == [
        e["node"]["name"] for e in first[3:6]
    ]


async def test_model_detail_page(gateway: GatewayClient, emulator: EmulatorHandle) -> None:
    # given
    fqn = "mlflow_prod.churn_predictor"
    rest = catalog_get(emulator, f"/v1/mlmodels/name/{fqn}", fields="followers,tags,extension")
    follower_emails = {
        f["name"]: catalog_get(emulator, f"/v1/users/{f['id']}")["email"] for f in rest["followers"]
    }
    # when
    model = _data(await gateway.execute(DETAIL, {"fqn": fqn}))["mlModel"]
    # then
    assert model["__typename"] == "MlModel"
    assert model["id"] == seed_uuid("mlmodel", fqn)
    assert model["fullyQualifiedName"] == fqn
    assert model["displayName"] == "Churn predictor"
    # The seed's history moved it from XGBoost (0.1) to LightGBM (major bump, 1.0), then
    # added a tag (1.1).
    assert (model["algorithm"], model["target"], model["version"]) == ("LightGBM", "churned", 1.1)
    assert model["service"] == {"kind": "ML_MODEL", "name": "mlflow_prod", "serviceType": "Mlflow"}
    assert model["mlHyperParameters"] == [
        {"name": "num_leaves", "value": "31"},
        {"name": "learning_rate", "value": "0.05"},
        {"name": "n_estimators", "value": "600"},
    ]
    features = {f["name"]: f for f in model["mlFeatures"]}
    assert list(features) == [
        "tenure_days",
        "orders_90d",
        "days_since_last_order",
        "support_tickets_90d",
        "country",
    ]
    sources = features["days_since_last_order"]["featureSources"]
    assert [s["table"]["fullyQualifiedName"] for s in sources] == [
        "bigquery_analytics.events_prod.ml_features.customer_features",
        "snowflake_dw.analytics.marts.churn_labels",
    ]
    for source in sources:
        assert source["name"] in [c["name"] for c in source["table"]["columns"]]
    assert {f["name"]: f["email"] for f in model["followers"]} == follower_emails
    assert [t["tagFQN"] for t in model["tags"]] == [t["tagFQN"] for t in rest["tags"]]
    assert model["registryModelRid"] == registry_model_rid("churn_predictor")


async def test_versions_of_a_promoted_model(gateway: GatewayClient) -> None:
    # when: page through the production model's versions one at a time
    rids = []
    nodes = []
    after = None
    while True:
        versions = _data(
            await gateway.execute(
                VERSIONS,
                {"fqn": "mlflow_prod.churn_predictor_prod", "first": 1, "after": after},
            )
        )["mlModel"]["versions"]
        nodes += versions["nodes"]
        rids += [n["rid"] for n in versions["nodes"]]
        if not versions["pageInfo"]["hasNextPage"]:
            break
        after = versions["pageInfo"]["endCursor"]
    # then: three versions, two promoted from the development model
    prod = registry_model_rid("churn_predictor_prod")
    dev = registry_model_rid("churn_predictor")
    assert sorted(rids) == sorted(
        registry_version_rid("churn_predictor_prod", i) for i in (1, 2, 3)
    )
    promoted = {n["rid"]: n for n in nodes if n["source"]["type"] == "promoted"}
    assert set(promoted) == {registry_version_rid("churn_predictor_prod", i) for i in (2, 3)}
    for i in (2, 3):
        node = promoted[registry_version_rid("churn_predictor_prod", i)]
        origin = registry_version_rid("churn_predictor", i)
        assert node["modelRid"] == prod
        assert node["source"] == {
            "type": "promoted",
            "previousModelRid": dev,
            "previousModelVersionRid": origin,
        }
        assert node["promotedFrom"] == {"rid": origin, "modelRid": dev}
    external = [n for n in nodes if n["source"]["type"] == "external"]
    assert [n["promotedFrom"] for n in external] == [None]
    assert all(n["modelApi"]["inputs"] for n in nodes)
