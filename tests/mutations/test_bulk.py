"""`upsertMlModels`: one bulk call, an outcome per item, successes re-read in one round."""

from __future__ import annotations

from gateway.emulator.ids import seed_uuid
from tests.conftest import EmulatorHandle, GatewayClient
from tests.mutations.rest import model_by_name

BULK = """
mutation Bulk($input: [MlModelInput!]!) {
  upsertMlModels(input: $input) {
    __typename
    ... on UpsertMlModelsSuccess {
      status passed failed
      items {
        index fullyQualifiedName
        error { __typename message code ... on ValidationError { field } }
        mlModel { id name description version }
      }
    }
    ... on MutationError { message code }
    ... on ValidationError { field }
  }
}
"""


async def test_each_item_gets_its_outcome_and_successes_are_read_in_one_round(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given: a new model, an invalid one, an update, an unknown service, a bad owner
    ltv = model_by_name(emulator, "mlflow_prod.customer_ltv")
    items = [
        {"name": "bulk_a", "service": "mlflow_prod", "description": "A"},
        {"name": "a::b", "service": "mlflow_prod"},
        {
            "name": "customer_ltv",
            "service": "mlflow_prod",
            "description": "Updated in bulk.",
            "algorithm": ltv["algorithm"],
            "target": ltv["target"],
            "server": ltv["server"],
        },
        {"name": "orphan", "service": "no_such_service"},
        {
            "name": "badly_owned",
            "service": "sklearn_lab",
            "owners": [{"id": seed_uuid("team", "Engineering"), "type": "TEAM"}],
        },
    ]
    emulator.reset_counters()
    # when
    result = await gateway.execute(BULK, {"input": items})
    # then: one bulk PUT, then one concurrent round of reads for the two successes
    assert emulator.counters() == {
        "PUT /api/v1/mlmodels/bulk": 1,
        "GET /api/v1/mlmodels/name/{fqn:path}": 2,
    }
    created = model_by_name(emulator, "mlflow_prod.bulk_a")
    assert result == {
        "data": {
            "upsertMlModels": {
                "__typename": "UpsertMlModelsSuccess",
                "status": "PARTIAL_SUCCESS",
                "passed": 2,
                "failed": 3,
                "items": [
                    {
                        "index": 0,
                        "fullyQualifiedName": "mlflow_prod.bulk_a",
                        "error": None,
                        "mlModel": {
                            "id": created["id"],
                            "name": "bulk_a",
                            "description": "A",
                            "version": 0.1,
                        },
                    },
                    {
                        "index": 1,
                        "fullyQualifiedName": None,
                        "error": {
                            "__typename": "ValidationError",
                            "message": "`input[1].name` must be 1 to 256 characters without `::`.",
                            "code": "BAD_USER_INPUT",
                            "field": "input[1].name",
                        },
                        "mlModel": None,
                    },
                    {
                        "index": 2,
                        "fullyQualifiedName": "mlflow_prod.customer_ltv",
                        "error": None,
                        "mlModel": {
                            "id": ltv["id"],
                            "name": "customer_ltv",
                            "description": "Updated in bulk.",
                            "version": round(ltv["version"] + 0.1, 1),
                        },
                    },
                    {
                        "index": 3,
                        "fullyQualifiedName": "no_such_service.orphan",
                        "error": {
                            "__typename": "NotFoundError",
                            "message": "mlmodelService instance for no_such_service not found",
                            "code": "NOT_FOUND",
                        },
                        "mlModel": None,
                    },
                    {
                        "index": 4,
                        "fullyQualifiedName": "sklearn_lab.badly_owned",
                        "error": {
                            "__typename": "ValidationError",
                            "message": "Team of type BusinessUnit can't own entities. Only Team "
                            "of type Group can own entities.",
                            "code": "BAD_USER_INPUT",
                            "field": "input[4]",
                        },
                        "mlModel": None,
                    },
                ],
            }
        }
    }


async def test_all_items_invalid_makes_no_upstream_call(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    emulator.reset_counters()
    result = await gateway.execute(BULK, {"input": [{"name": "", "service": "mlflow_prod"}]})
    answer = result["data"]["upsertMlModels"]
    assert (answer["status"], answer["passed"], answer["failed"]) == ("FAILURE", 0, 1)
    assert answer["items"][0]["error"]["field"] == "input[0].name"
    assert emulator.counters() == {}


async def test_all_items_passing_is_a_success(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    items = [{"name": f"m{i}", "service": "vertex_ai"} for i in range(3)]
    result = await gateway.execute(BULK, {"input": items})
    answer = result["data"]["upsertMlModels"]
    assert (answer["status"], answer["passed"], answer["failed"]) == ("SUCCESS", 3, 0)
    assert [(i["index"], i["mlModel"]["name"]) for i in answer["items"]] == [
        (0, "m0"),
        (1, "m1"),
        (2, "m2"),
    ]


async def test_empty_list_is_a_validation_error(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    emulator.reset_counters()
    result = await gateway.execute(BULK, {"input": []})
    assert result == {
        "data": {
            "upsertMlModels": {
                "__typename": "ValidationError",
                "message": "`input` must hold 1 to 500 models, got 0.",
                "code": "BAD_USER_INPUT",
                "field": "input",
            }
        }
    }
    assert emulator.counters() == {}


async def test_forbidden_bulk_call_is_a_permission_error(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    emulator.add_fault(match="PUT /api/v1/mlmodels/bulk", status=403)
    result = await gateway.execute(BULK, {"input": [{"name": "m", "service": "mlflow_prod"}]})
    assert result == {
        "data": {
            "upsertMlModels": {
                "__typename": "PermissionError",
                "message": "The catalog does not allow this operation",
                "code": "FORBIDDEN",
            }
        }
    }


async def test_bulk_upstream_failure_is_a_top_level_error(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    emulator.add_fault(match="PUT /api/v1/mlmodels/bulk", status=500)
    result = await gateway.execute(BULK, {"input": [{"name": "m", "service": "mlflow_prod"}]})
    assert result["data"] is None
    assert [e["extensions"]["code"] for e in result["errors"]] == ["UPSTREAM_ERROR"]
