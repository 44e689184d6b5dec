"""`upsertMlModel`: create or update with the catalog's PUT rules, and its typed failures."""

from __future__ import annotations

from tests.conftest import EmulatorHandle, GatewayClient
from tests.mutations.rest import model_by_name, route_calls, user_id

UPSERT = """
mutation Upsert($input: MlModelInput!) {
  upsertMlModel(input: $input) {
    __typename
    ... on UpsertMlModelSuccess {
      created
      mlModel {
        id version description algorithm server
        owners { name } tags { tagFQN } registryModelRid
      }
    }
    ... on MutationError { message code }
    ... on ValidationError { field }
  }
}
"""

CHURN = "mlflow_prod.churn_predictor"


async def test_upsert_of_a_new_name_creates(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    result = await gateway.execute(
        UPSERT, {"input": {"name": "fresh", "service": "vertex_ai", "description": "new"}}
    )
    assert result == {
        "data": {
            "upsertMlModel": {
                "__typename": "UpsertMlModelSuccess",
                "created": True,
                "mlModel": {
                    "id": model_by_name(emulator, "vertex_ai.fresh")["id"],
                    "version": 0.1,
                    "description": "new",
                    "algorithm": "mlmodel",
                    "server": None,
                    "owners": [],
                    "tags": [],
                    "registryModelRid": None,
                },
            }
        }
    }


async def test_upsert_applies_the_put_rules(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given: the seeded model has owners, tags, a server and a registry link
    before = model_by_name(emulator, CHURN, "owners,tags,extension")
    assert before["server"]
    # when: a body with only a description, one more tag and no owners, server or link
    result = await gateway.execute(
        UPSERT,
        {
            "input": {
                "name": "churn_predictor",
                "service": "mlflow_prod",
                "description": "Rewritten.",
                "algorithm": before["algorithm"],
                "tags": [{"tagFQN": "PII.None"}],
            }
        },
    )
    # then: the description is replaced, the server cleared (a breaking change: next major),
    # tags merged, owners and the registry link kept
    answer = result["data"]["upsertMlModel"]
    assert answer == {
        "__typename": "UpsertMlModelSuccess",
        "created": False,
        "mlModel": {
            "id": before["id"],
            "version": float(int(before["version"]) + 1),
            "description": "Rewritten.",
            "algorithm": before["algorithm"],
            "server": None,
            "owners": [{"name": o["name"]} for o in before["owners"]],
            "tags": [{"tagFQN": t["tagFQN"]} for t in before["tags"]] + [{"tagFQN": "PII.None"}],
            "registryModelRid": before["extension"]["registryModelRid"],
        },
    }


async def test_upsert_replaces_owners_with_a_non_empty_list(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    before = model_by_name(emulator, CHURN)
    bob = user_id(emulator, "bob")
    result = await gateway.execute(
        UPSERT,
        {
            "input": {
                "name": "churn_predictor",
                "service": "mlflow_prod",
                "description": before["description"],
                "algorithm": before["algorithm"],
                "server": before["server"],
                "target": before["target"],
                "owners": [{"id": bob}],
            }
        },
    )
    model = result["data"]["upsertMlModel"]["mlModel"]
    assert model["owners"] == [{"name": "bob"}]
    assert model["version"] == round(before["version"] + 0.1, 1)


async def test_upsert_of_an_unknown_service_is_not_found(gateway: GatewayClient) -> None:
    result = await gateway.execute(UPSERT, {"input": {"name": "m", "service": "nope"}})
    assert result == {
        "data": {
            "upsertMlModel": {
                "__typename": "NotFoundError",
                "message": "The ML model service nope named in the input does not exist in "
                "the catalog (or is soft-deleted).",
                "code": "NOT_FOUND",
            }
        }
    }


async def test_invalid_upsert_makes_no_upstream_call(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    emulator.reset_counters()
    result = await gateway.execute(
        UPSERT, {"input": {"name": "m", "service": "s", "target": "a::b"}}
    )
    answer = result["data"]["upsertMlModel"]
    assert (answer["__typename"], answer["code"], answer["field"]) == (
        "ValidationError",
        "BAD_USER_INPUT",
        "input.target",
    )
    assert emulator.counters() == {}


async def test_forbidden_upsert_is_a_permission_error(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    emulator.add_fault(match="PUT /api/v1/mlmodels", status=403)
    result = await gateway.execute(UPSERT, {"input": {"name": "m", "service": "mlflow_prod"}})
    assert result["data"]["upsertMlModel"] == {
        "__typename": "PermissionError",
        "message": "The catalog does not allow this operation",
        "code": "FORBIDDEN",
    }


async def test_upsert_is_retried_on_503_because_put_is_idempotent(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given: one transient failure
    emulator.add_fault(match="PUT /api/v1/mlmodels", status=503, times=1)
    emulator.reset_counters()
    # when
    result = await gateway.execute(UPSERT, {"input": {"name": "retry", "service": "mlflow_prod"}})
    # then
    assert result["data"]["upsertMlModel"]["created"] is True
    assert route_calls(emulator, "PUT /api/v1/mlmodels") == 2
