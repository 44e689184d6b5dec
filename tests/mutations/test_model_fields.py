"""Every field the catalog's ML model bodies carry is written and read back."""

from __future__ import annotations

from gateway.emulator.ids import seed_uuid
from tests.conftest import EmulatorHandle, GatewayClient
from tests.gateway.rest import catalog_get

FIELDS = """
  fullyQualifiedName sourceUrl href registryModelRid extension
  domains { type name fullyQualifiedName }
  dataProducts { type name }
  dashboard { id type name fullyQualifiedName displayName }
"""
CREATE = f"""
mutation Create($input: MlModelInput!) {{
  createMlModel(input: $input) {{
    __typename
    ... on CreateMlModelSuccess {{ mlModel {{ {FIELDS} }} }}
    ... on MutationError {{ message code }}
    ... on ValidationError {{ field }}
  }}
}}
"""
READ = f"""
query Read($fqn: String!) {{ mlModel(fullyQualifiedName: $fqn) {{ {FIELDS} }} }}
"""
RID = "ri.models.main.model.0a1b2c3d-0000-4000-8000-000000000001"


async def test_a_model_created_with_domains_dashboard_and_custom_properties_reads_them_back(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given
    body = {
        "name": "churn_explainer",
        "service": "mlflow_prod",
        "sourceUrl": "https://git.example.com/ml/churn-explainer",
        "domains": ["Marketing"],
        "dataProducts": ["CustomerInsights"],
        "dashboard": "superset_prod.churn_overview",
        "extension": {
            "modelCardUrl": "https://wiki.example.com/churn",
            "retrainingCadenceDays": 30,
        },
        "registryModelRid": RID,
    }
    # when
    created = await gateway.execute(CREATE, {"input": body})
    read = await gateway.execute(READ, {"fqn": "mlflow_prod.churn_explainer"})
    # then the write's answer and a later read show every field
    stored = catalog_get(emulator, "/v1/mlmodels/name/mlflow_prod.churn_explainer")
    model = {
        "fullyQualifiedName": "mlflow_prod.churn_explainer",
        "sourceUrl": "https://git.example.com/ml/churn-explainer",
        "href": stored["href"],
        "registryModelRid": RID,
        "extension": {
            "modelCardUrl": "https://wiki.example.com/churn",
            "retrainingCadenceDays": 30,
            "registryModelRid": RID,
        },
        "domains": [{"type": "domain", "name": "Marketing", "fullyQualifiedName": "Marketing"}],
        "dataProducts": [{"type": "dataProduct", "name": "CustomerInsights"}],
        "dashboard": {
            "id": seed_uuid("dashboard", "superset_prod.churn_overview"),
            "type": "dashboard",
            "name": "churn_overview",
            "fullyQualifiedName": "superset_prod.churn_overview",
            "displayName": "Churn overview",
        },
    }
    assert created == {
        "data": {"createMlModel": {"__typename": "CreateMlModelSuccess", "mlModel": model}}
    }
    assert read == {"data": {"mlModel": model}}
    assert stored["href"].endswith(f"/v1/mlmodels/{stored['id']}")


async def test_a_model_without_them_reads_empty_values_without_a_second_call(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    emulator.reset_counters()
    read = await gateway.execute(READ, {"fqn": "sagemaker_prod.fraud_detector"})
    model = read["data"]["mlModel"]
    assert (model["dashboard"], model["domains"], model["dataProducts"]) == (None, [], [])
    assert emulator.counters() == {"GET /api/v1/mlmodels/name/{fqn:path}": 1}


async def test_extension_must_be_an_object_and_agree_with_registry_model_rid(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    emulator.reset_counters()
    base = {"name": "m", "service": "mlflow_prod"}
    cases = [
        ({**base, "extension": ["x"]}, "input.extension"),
        (
            {**base, "extension": {"registryModelRid": RID}, "registryModelRid": RID[:-1] + "2"},
            "input.registryModelRid",
        ),
    ]
    fields = []
    for body, _ in cases:
        result = await gateway.execute(CREATE, {"input": body})
        answer = result["data"]["createMlModel"]
        assert answer["__typename"] == "ValidationError"
        fields.append(answer["field"])
    assert fields == [field for _, field in cases]
    assert emulator.counters() == {}


async def test_an_undefined_custom_property_is_the_catalogs_validation_error(
    gateway: GatewayClient,
) -> None:
    body = {"name": "m", "service": "mlflow_prod", "extension": {"nope": 1}}
    result = await gateway.execute(CREATE, {"input": body})
    assert result["data"]["createMlModel"] == {
        "__typename": "ValidationError",
        "message": "Unknown custom field nope",
        "code": "BAD_USER_INPUT",
        "field": None,
    }
