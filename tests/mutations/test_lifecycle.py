"""Delete and restore: soft (hidden, restorable) and hard (gone for good)."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.emulator.ids import seed_uuid
from tests.conftest import EmulatorHandle, GatewayClient
from tests.gateway.rest import catalog_get

MODEL_FQN = "mlflow_prod.churn_predictor"
MODEL_ID = seed_uuid("mlmodel", MODEL_FQN)
TABLE_FQN = "postgres_shop.shop.public.orders"
DELETE_MODEL = """
mutation Delete($id: ID!, $hard: Boolean! = false) {
  deleteMlModel(id: $id, hard: $hard) {
    __typename
    ... on DeleteMlModelSuccess {
      id hard mlModel { fullyQualifiedName deleted version owners { name } }
    }
    ... on MutationError { message code }
    ... on ValidationError { field }
  }
}
"""
RESTORE_MODEL = """
mutation Restore($id: ID!) {
  restoreMlModel(id: $id) {
    __typename
    ... on RestoreMlModelSuccess { mlModel { fullyQualifiedName deleted version owners { name } } }
    ... on MutationError { message code }
    ... on ValidationError { field }
  }
}
"""
DELETE_TABLE = """
mutation Delete($id: ID!, $hard: Boolean! = false) {
  deleteTable(id: $id, hard: $hard) {
    __typename
    ... on DeleteTableSuccess { id hard table { fullyQualifiedName deleted version } }
    ... on MutationError { message code }
  }
}
"""
RESTORE_TABLE = """
mutation Restore($id: ID!) {
  restoreTable(id: $id) {
    __typename
    ... on RestoreTableSuccess { table { fullyQualifiedName deleted version } }
    ... on MutationError { message code }
    ... on ValidationError { field }
  }
}
"""
MODELS = """
query Models($include: Include!) {
  mlModels(first: 100, service: "mlflow_prod", include: $include) { nodes { fullyQualifiedName } }
}
"""
FOLLOW = """
mutation Follow($id: ID!) {
  follow(kind: ML_MODEL, id: $id) { __typename ... on MutationError { message code } }
}
"""


async def listed(gateway: GatewayClient, include: str) -> list[str]:
    result = await gateway.execute(MODELS, {"include": include})
    return [n["fullyQualifiedName"] for n in result["data"]["mlModels"]["nodes"]]


async def test_soft_delete_hides_and_restore_brings_back(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given
    before = catalog_get(emulator, f"/v1/mlmodels/{MODEL_ID}", fields="owners")
    owners = [{"name": o["name"]} for o in before["owners"]]
    version = before["version"]
    # when it is deleted
    deleted = await gateway.execute(DELETE_MODEL, {"id": MODEL_ID})
    # then it answers the soft-deleted model, hidden from lists but shown with DELETED
    assert deleted == {
        "data": {
            "deleteMlModel": {
                "__typename": "DeleteMlModelSuccess",
                "id": MODEL_ID,
                "hard": False,
                "mlModel": {
                    "fullyQualifiedName": MODEL_FQN,
                    "deleted": True,
                    "version": round(version + 0.1, 1),
                    "owners": owners,
                },
            }
        }
    }
    assert MODEL_FQN not in await listed(gateway, "NON_DELETED")
    assert MODEL_FQN in await listed(gateway, "DELETED")
    # when it is restored
    restored = await gateway.execute(RESTORE_MODEL, {"id": MODEL_ID})
    # then it is live again, one more version up
    assert restored == {
        "data": {
            "restoreMlModel": {
                "__typename": "RestoreMlModelSuccess",
                "mlModel": {
                    "fullyQualifiedName": MODEL_FQN,
                    "deleted": False,
                    "version": round(version + 0.2, 1),
                    "owners": owners,
                },
            }
        }
    }
    assert MODEL_FQN in await listed(gateway, "NON_DELETED")
    assert MODEL_FQN not in await listed(gateway, "DELETED")


async def test_hard_delete_is_for_good_and_a_follow_then_is_not_found(
    gateway: GatewayClient,
) -> None:
    deleted = await gateway.execute(DELETE_MODEL, {"id": MODEL_ID, "hard": True})
    assert deleted == {
        "data": {
            "deleteMlModel": {
                "__typename": "DeleteMlModelSuccess",
                "id": MODEL_ID,
                "hard": True,
                "mlModel": None,
            }
        }
    }
    assert MODEL_FQN not in await listed(gateway, "ALL")
    followed = await gateway.execute(FOLLOW, {"id": MODEL_ID})
    assert followed["data"]["follow"]["__typename"] == "NotFoundError"
    restored = await gateway.execute(RESTORE_MODEL, {"id": MODEL_ID})
    assert restored == {
        "data": {
            "restoreMlModel": {
                "__typename": "NotFoundError",
                "message": f"No ML model {MODEL_ID}.",
                "code": "NOT_FOUND",
            }
        }
    }


async def test_restoring_a_live_model_says_there_is_nothing_to_restore(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    emulator.reset_counters()
    result = await gateway.execute(RESTORE_MODEL, {"id": MODEL_ID})
    assert result == {
        "data": {
            "restoreMlModel": {
                "__typename": "ValidationError",
                "message": f"ML model {MODEL_ID} is not deleted: there is nothing to restore.",
                "code": "BAD_USER_INPUT",
                "field": "id",
            }
        }
    }
    assert "PUT /api/v1/mlmodels/restore" not in emulator.counters()


async def test_a_plain_user_may_not_delete_what_it_does_not_own(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    result = await gateway.execute(DELETE_MODEL, {"id": MODEL_ID}, user="kevin")
    assert result == {
        "data": {
            "deleteMlModel": {
                "__typename": "PermissionError",
                "message": "Principal: CatalogPrincipal{name='kevin'} operations [Delete] "
                "not allowed",
                "code": "FORBIDDEN",
            }
        }
    }
    assert catalog_get(emulator, f"/v1/mlmodels/{MODEL_ID}")["deleted"] is False


@pytest.mark.parametrize("mutation", [DELETE_MODEL, RESTORE_MODEL])
async def test_a_malformed_id_is_refused_before_any_call(
    gateway: GatewayClient, emulator: EmulatorHandle, mutation: str
) -> None:
    emulator.reset_counters()
    result = await gateway.execute(mutation, {"id": "nope"})
    answer: dict[str, Any] = next(iter(result["data"].values()))
    assert (answer["__typename"], answer["field"]) == ("ValidationError", "id")
    assert emulator.counters() == {}


async def test_a_table_is_deleted_and_restored_too(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    table = catalog_get(emulator, f"/v1/tables/name/{TABLE_FQN}")
    version = table["version"]
    deleted = await gateway.execute(DELETE_TABLE, {"id": table["id"]})
    restored = await gateway.execute(RESTORE_TABLE, {"id": table["id"]})
    assert deleted["data"]["deleteTable"] == {
        "__typename": "DeleteTableSuccess",
        "id": table["id"],
        "hard": False,
        "table": {
            "fullyQualifiedName": TABLE_FQN,
            "deleted": True,
            "version": round(version + 0.1, 1),
        },
    }
    assert restored["data"]["restoreTable"] == {
        "__typename": "RestoreTableSuccess",
        "table": {
            "fullyQualifiedName": TABLE_FQN,
            "deleted": False,
            "version": round(version + 0.2, 1),
        },
    }
    hard = await gateway.execute(DELETE_TABLE, {"id": table["id"], "hard": True})
    assert hard["data"]["deleteTable"] == {
        "__typename": "DeleteTableSuccess",
        "id": table["id"],
        "hard": True,
        "table": None,
    }
