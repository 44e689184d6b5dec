"""`createService`: ML model and database services, and the typed failures."""

from __future__ import annotations

from tests.conftest import EmulatorHandle, GatewayClient
from tests.gateway.rest import catalog_get
from tests.mutations.rest import route_calls, user_id

CREATE_SERVICE = """
mutation CreateService($input: ServiceInput!) {
  createService(input: $input) {
    __typename
    ... on CreateServiceSuccess {
      service { __typename id kind name fullyQualifiedName displayName serviceType description
                version owners { name } tags { tagFQN } }
    }
    ... on MutationError { message code }
    ... on ValidationError { field }
  }
}
"""


async def test_create_ml_model_service(gateway: GatewayClient, emulator: EmulatorHandle) -> None:
    # given
    carol = user_id(emulator, "carol")
    # when
    result = await gateway.execute(
        CREATE_SERVICE,
        {
            "input": {
                "kind": "ML_MODEL",
                "name": "mlflow_staging",
                "serviceType": "Mlflow",
                "displayName": "MLflow staging",
                "description": "Staging tracking server.",
                "owners": [{"id": carol}],
                "tags": [{"tagFQN": "Lifecycle.Staging"}],
            }
        },
    )
    # then
    stored = catalog_get(emulator, "/v1/services/mlmodelServices/name/mlflow_staging")
    assert result == {
        "data": {
            "createService": {
                "__typename": "CreateServiceSuccess",
                "service": {
                    "__typename": "Service",
                    "id": stored["id"],
                    "kind": "ML_MODEL",
                    "name": "mlflow_staging",
                    "fullyQualifiedName": "mlflow_staging",
                    "displayName": "MLflow staging",
                    "serviceType": "Mlflow",
                    "description": "Staging tracking server.",
                    "version": 0.1,
                    "owners": [{"name": "carol"}],
                    "tags": [{"tagFQN": "Lifecycle.Staging"}],
                },
            }
        }
    }


async def test_create_database_service(gateway: GatewayClient, emulator: EmulatorHandle) -> None:
    # when
    result = await gateway.execute(
        CREATE_SERVICE,
        {"input": {"kind": "DATABASE", "name": "pg_reporting", "serviceType": "Postgres"}},
    )
    # then
    service = result["data"]["createService"]["service"]
    assert (service["kind"], service["serviceType"], service["owners"]) == (
        "DATABASE",
        "Postgres",
        [],
    )
    stored = catalog_get(emulator, "/v1/services/databaseServices/name/pg_reporting")
    assert service["id"] == stored["id"]


async def test_duplicate_service_is_a_conflict_and_the_post_is_sent_once(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    emulator.reset_counters()
    result = await gateway.execute(
        CREATE_SERVICE,
        {"input": {"kind": "ML_MODEL", "name": "mlflow_prod", "serviceType": "Mlflow"}},
    )
    assert result == {
        "data": {
            "createService": {
                "__typename": "ConflictError",
                "message": "An ML model service named mlflow_prod already exists.",
                "code": "CONFLICT",
            }
        }
    }
    assert route_calls(emulator, "POST /api/v1/services/mlmodelServices") == 1


async def test_service_type_of_the_other_kind_is_rejected_before_any_call(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    emulator.reset_counters()
    result = await gateway.execute(
        CREATE_SERVICE,
        {"input": {"kind": "ML_MODEL", "name": "pg", "serviceType": "Postgres"}},
    )
    answer = result["data"]["createService"]
    assert (answer["__typename"], answer["code"], answer["field"]) == (
        "ValidationError",
        "BAD_USER_INPUT",
        "input.serviceType",
    )
    assert answer["message"].startswith("`input.serviceType` must be one of CustomMlModel, ")
    assert emulator.counters() == {}


async def test_unknown_owner_is_not_found(gateway: GatewayClient) -> None:
    result = await gateway.execute(
        CREATE_SERVICE,
        {
            "input": {
                "kind": "DATABASE",
                "name": "x",
                "serviceType": "Mysql",
                "owners": [{"id": "0b0b0b0b-0000-4000-8000-000000000000"}],
            }
        },
    )
    assert result == {
        "data": {
            "createService": {
                "__typename": "NotFoundError",
                "message": "The owner (user) 0b0b0b0b-0000-4000-8000-000000000000 named in the "
                "input does not exist in the catalog (or is soft-deleted).",
                "code": "NOT_FOUND",
            }
        }
    }


async def test_forbidden_service_creation_is_a_permission_error(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    emulator.add_fault(match="POST /api/v1/services/databaseServices", status=403)
    result = await gateway.execute(
        CREATE_SERVICE,
        {"input": {"kind": "DATABASE", "name": "x", "serviceType": "Mysql"}},
    )
    assert result["data"]["createService"]["__typename"] == "PermissionError"
    assert result["data"]["createService"]["code"] == "FORBIDDEN"
