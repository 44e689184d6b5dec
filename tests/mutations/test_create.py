"""`createMlModel`: success, every typed failure, retries, and reads of the new state."""

from __future__ import annotations

from typing import Any

from gateway.emulator.ids import seed_uuid
from tests.conftest import EmulatorHandle, GatewayClient
from tests.mutations.rest import model_by_name, route_calls, user_id

CREATE = """
mutation Create($input: MlModelInput!) {
  createMlModel(input: $input) {
    __typename
    ... on CreateMlModelSuccess {
      mlModel {
        __typename id name fullyQualifiedName displayName description algorithm target server
        sourceUrl version deleted
        mlStore { storage imageRepository }
        mlFeatures {
          name dataType description featureAlgorithm
          featureSources { name dataType fullyQualifiedName table { name } }
        }
        mlHyperParameters { name value }
        owners { name }
        tags { tagFQN source labelType state }
        followerCount
        votes { upVotes downVotes }
        registryModelRid
        service { name kind }
      }
    }
    ... on MutationError { message code }
    ... on ValidationError { field }
  }
}
"""

CREATE_ID_ONLY = """
mutation Create($input: MlModelInput!) {
  createMlModel(input: $input) {
    __typename
    ... on CreateMlModelSuccess { mlModel { id version } }
    ... on MutationError { message code }
  }
}
"""

CREATE_THEN_UPSERT = """
mutation Both($create: MlModelInput!, $upsert: MlModelInput!) {
  createMlModel(input: $create) {
    ... on CreateMlModelSuccess { mlModel { id version description } }
  }
  upsertMlModel(input: $upsert) {
    ... on UpsertMlModelSuccess { created mlModel { id version description } }
  }
}
"""

READ = """
query Read($fqn: String!) {
  mlModel(fullyQualifiedName: $fqn) { id name version algorithm tags { tagFQN } owners { name } }
}
"""

CUSTOMERS = "postgres_shop.shop.public.customers"
RID = "ri.models.main.model.7d4c1c0e-3a8e-4c59-9d0b-5a2f6c1e9b11"


def _full_input(emulator: EmulatorHandle) -> dict[str, Any]:
    table = model_by_name(emulator, "mlflow_prod.churn_predictor")["mlFeatures"][0]
    table_id = table["featureSources"][0]["dataSource"]["id"]
    return {
        "name": "upsell_ranker",
        "service": "mlflow_prod",
        "displayName": "Upsell ranker",
        "description": "Ranks **upsell** offers.",
        "algorithm": "LambdaMART",
        "target": "accepted",
        "server": "http://serving.internal/upsell",
        "sourceUrl": "https://git.example.com/ml/upsell",
        "mlStore": {"storage": "s3://models/upsell", "imageRepository": "registry/upsell"},
        "mlFeatures": [
            {
                "name": "tenure",
                "dataType": "NUMERICAL",
                "description": "Days since signup.",
                "featureAlgorithm": "identity",
                "featureSources": [
                    {"name": "tenure_days", "dataType": "INTEGER", "tableId": table_id}
                ],
            }
        ],
        "mlHyperParameters": [{"name": "eta", "value": "0.1"}],
        "owners": [{"id": user_id(emulator, "alice")}],
        "tags": [{"tagFQN": "Tier.Tier2"}, {"tagFQN": "Business.Churn", "source": "GLOSSARY"}],
        "registryModelRid": RID,
    }


async def test_create_answers_the_new_model_with_everything_it_was_given(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given
    model_input = _full_input(emulator)
    # when
    result = await gateway.execute(CREATE, {"input": model_input})
    # then
    stored = model_by_name(emulator, "mlflow_prod.upsell_ranker")
    assert result == {
        "data": {
            "createMlModel": {
                "__typename": "CreateMlModelSuccess",
                "mlModel": {
                    "__typename": "MlModel",
                    "id": stored["id"],
                    "name": "upsell_ranker",
                    "fullyQualifiedName": "mlflow_prod.upsell_ranker",
                    "displayName": "Upsell ranker",
                    "description": "Ranks **upsell** offers.",
                    "algorithm": "LambdaMART",
                    "target": "accepted",
                    "server": "http://serving.internal/upsell",
                    "sourceUrl": "https://git.example.com/ml/upsell",
                    "version": 0.1,
                    "deleted": False,
                    "mlStore": {
                        "storage": "s3://models/upsell",
                        "imageRepository": "registry/upsell",
                    },
                    "mlFeatures": [
                        {
                            "name": "tenure",
                            "dataType": "NUMERICAL",
                            "description": "Days since signup.",
                            "featureAlgorithm": "identity",
                            "featureSources": [
                                {
                                    "name": "tenure_days",
                                    "dataType": "INTEGER",
                                    "fullyQualifiedName": "bigquery_analytics.events_prod."
                                    "ml_features.customer_features.tenure_days",
                                    "table": {"name": "customer_features"},
                                }
                            ],
                        }
                    ],
                    "mlHyperParameters": [{"name": "eta", "value": "0.1"}],
                    "owners": [{"name": "alice"}],
                    "tags": [
                        {
                            "tagFQN": "Tier.Tier2",
                            "source": "CLASSIFICATION",
                            "labelType": "MANUAL",
                            "state": "CONFIRMED",
                        },
                        {
                            "tagFQN": "Business.Churn",
                            "source": "GLOSSARY",
                            "labelType": "MANUAL",
                            "state": "CONFIRMED",
                        },
                    ],
                    "followerCount": 0,
                    "votes": {"upVotes": 0, "downVotes": 0},
                    "registryModelRid": RID,
                    "service": {"name": "mlflow_prod", "kind": "ML_MODEL"},
                },
            }
        }
    }


async def test_minimal_create_costs_one_post_and_no_read(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given
    emulator.reset_counters()
    # when
    result = await gateway.execute(
        CREATE_ID_ONLY, {"input": {"name": "tiny", "service": "sklearn_lab"}}
    )
    # then: the POST's own answer holds everything selected
    assert emulator.counters() == {"POST /api/v1/mlmodels": 1}
    model = result["data"]["createMlModel"]["mlModel"]
    assert model == {"id": model_by_name(emulator, "sklearn_lab.tiny")["id"], "version": 0.1}


async def test_duplicate_name_is_a_conflict(gateway: GatewayClient) -> None:
    # when: the seed already has mlflow_prod.churn_predictor
    result = await gateway.execute(
        CREATE, {"input": {"name": "churn_predictor", "service": "mlflow_prod"}}
    )
    # then
    assert result == {
        "data": {
            "createMlModel": {
                "__typename": "ConflictError",
                "message": "The service mlflow_prod already has an ML model named churn_predictor.",
                "code": "CONFLICT",
            }
        }
    }


async def test_unknown_service_is_not_found(gateway: GatewayClient) -> None:
    result = await gateway.execute(CREATE, {"input": {"name": "m", "service": "no_such"}})
    assert result == {
        "data": {
            "createMlModel": {
                "__typename": "NotFoundError",
                "message": "The ML model service no_such named in the input does not exist in "
                "the catalog (or is soft-deleted).",
                "code": "NOT_FOUND",
            }
        }
    }


async def test_unknown_tag_is_not_found(gateway: GatewayClient) -> None:
    result = await gateway.execute(
        CREATE,
        {"input": {"name": "m", "service": "mlflow_prod", "tags": [{"tagFQN": "No.Such"}]}},
    )
    assert result == {
        "data": {
            "createMlModel": {
                "__typename": "NotFoundError",
                "message": "The tag No.Such named in the input does not exist in the catalog "
                "(or is soft-deleted).",
                "code": "NOT_FOUND",
            }
        }
    }


async def test_an_unknown_owner_is_named_not_the_service(gateway: GatewayClient) -> None:
    owner = "0b0b0b0b-0000-4000-8000-000000000000"
    result = await gateway.execute(
        CREATE,
        {"input": {"name": "m", "service": "mlflow_prod", "owners": [{"id": owner}]}},
    )
    assert result == {
        "data": {
            "createMlModel": {
                "__typename": "NotFoundError",
                "message": f"The owner (user) {owner} named in the input does not exist in the "
                "catalog (or is soft-deleted).",
                "code": "NOT_FOUND",
            }
        }
    }


async def test_invalid_input_is_rejected_with_its_path_before_any_upstream_call(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given
    cases = [
        ({"name": "a::b", "service": "mlflow_prod"}, "input.name"),
        ({"name": "", "service": "mlflow_prod"}, "input.name"),
        ({"name": "m", "service": " "}, "input.service"),
        ({"name": "m", "service": "s", "server": "not a uri"}, "input.server"),
        ({"name": "m", "service": "s", "owners": [{"id": "x"}]}, "input.owners[0].id"),
        (
            {
                "name": "m",
                "service": "s",
                "mlFeatures": [
                    {"name": "f"},
                    {"name": "g", "featureSources": [{"name": "c", "tableId": "nope"}]},
                ],
            },
            "input.mlFeatures[1].featureSources[0].tableId",
        ),
        ({"name": "m", "service": "s", "registryModelRid": "model-1"}, "input.registryModelRid"),
        ({"name": "m", "service": "s", "domains": ["ok", ""]}, "input.domains[1]"),
    ]
    emulator.reset_counters()
    for model_input, field in cases:
        # when
        result = await gateway.execute(CREATE, {"input": model_input})
        # then
        answer = result["data"]["createMlModel"]
        assert (answer["__typename"], answer["code"], answer["field"]) == (
            "ValidationError",
            "BAD_USER_INPUT",
            field,
        )
    assert emulator.counters() == {}


async def test_input_the_catalog_rejects_is_a_validation_error_with_its_message(
    gateway: GatewayClient,
) -> None:
    # given: a team that is not of type Group cannot own entities
    business_unit = seed_uuid("team", "Engineering")
    # when
    result = await gateway.execute(
        CREATE,
        {
            "input": {
                "name": "m",
                "service": "mlflow_prod",
                "owners": [{"id": business_unit, "type": "TEAM"}],
            }
        },
    )
    # then
    assert result == {
        "data": {
            "createMlModel": {
                "__typename": "ValidationError",
                "message": "Team of type BusinessUnit can't own entities. Only Team of type "
                "Group can own entities.",
                "code": "BAD_USER_INPUT",
                "field": None,
            }
        }
    }


async def test_forbidden_write_is_a_permission_error(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    emulator.add_fault(match="POST /api/v1/mlmodels", status=403)
    result = await gateway.execute(CREATE, {"input": {"name": "m", "service": "mlflow_prod"}})
    assert result == {
        "data": {
            "createMlModel": {
                "__typename": "PermissionError",
                "message": "The catalog does not allow this operation",
                "code": "FORBIDDEN",
            }
        }
    }


async def test_upstream_failure_is_a_top_level_error_and_the_post_is_not_retried(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given
    emulator.add_fault(match="POST /api/v1/mlmodels", status=503)
    emulator.reset_counters()
    # when
    result = await gateway.execute(CREATE, {"input": {"name": "m", "service": "mlflow_prod"}})
    # then
    assert result["data"] is None
    errors = result["errors"]
    assert [(e["path"], e["extensions"]["code"]) for e in errors] == [
        (["createMlModel"], "UPSTREAM_ERROR")
    ]
    assert route_calls(emulator, "POST /api/v1/mlmodels") == 1


async def test_create_then_upsert_in_one_request_sees_the_created_model(
    gateway: GatewayClient,
) -> None:
    # given
    model = {"name": "twice", "service": "vertex_ai", "description": "first"}
    # when
    result = await gateway.execute(
        CREATE_THEN_UPSERT, {"create": model, "upsert": {**model, "description": "second"}}
    )
    # then
    created = result["data"]["createMlModel"]["mlModel"]
    assert created["version"] == 0.1
    assert created["description"] == "first"
    assert result["data"]["upsertMlModel"] == {
        "created": False,
        "mlModel": {"id": created["id"], "version": 0.2, "description": "second"},
    }


async def test_create_then_read_in_the_next_request(gateway: GatewayClient) -> None:
    # given
    created = await gateway.execute(
        CREATE_ID_ONLY,
        {
            "input": {
                "name": "later",
                "service": "sagemaker_prod",
                "tags": [{"tagFQN": "PII.None"}],
                "owners": [{"id": (await _alice_id(gateway))}],
            }
        },
    )
    model_id = created["data"]["createMlModel"]["mlModel"]["id"]
    # when
    result = await gateway.execute(READ, {"fqn": "sagemaker_prod.later"})
    # then
    assert result == {
        "data": {
            "mlModel": {
                "id": model_id,
                "name": "later",
                "version": 0.1,
                "algorithm": "mlmodel",
                "tags": [{"tagFQN": "PII.None"}],
                "owners": [{"name": "alice"}],
            }
        }
    }


async def _alice_id(gateway: GatewayClient) -> str:
    return user_id(gateway.emulator, "alice")


TABLE_READERS = "query($id: ID!) { table(id: $id) { mlModels { name } } }"


async def test_a_created_model_is_among_its_tables_models_at_once(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given the models reading the feature table, as the gateway sees them before the write
    model_input = _full_input(emulator)
    table_id = model_input["mlFeatures"][0]["featureSources"][0]["tableId"]
    before = await gateway.execute(TABLE_READERS, {"id": table_id})
    readers = sorted(m["name"] for m in before["data"]["table"]["mlModels"])
    assert "upsell_ranker" not in readers
    # when a model reading it is created, the answer walking back to the table's models
    result = await gateway.execute(
        """
        mutation Create($input: MlModelInput!) {
          createMlModel(input: $input) {
            ... on CreateMlModelSuccess {
              mlModel { mlFeatures { featureSources { table { mlModels { name } } } } }
            }
          }
        }
        """,
        {"input": model_input},
    )
    # then it lists the new model too
    (feature,) = result["data"]["createMlModel"]["mlModel"]["mlFeatures"]
    (source,) = feature["featureSources"]
    assert sorted(m["name"] for m in source["table"]["mlModels"]) == sorted(
        [*readers, "upsell_ranker"]
    )
