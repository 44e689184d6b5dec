"""Services as the seeds write them: connections (masked on the way out), upsert and bulk."""

from __future__ import annotations

import copy
from typing import Any

from tests.conftest import EmulatorHandle, GatewayClient
from tests.gateway.rest import catalog_get
from tests.mutations.rest import user_id

SERVICE_FIELDS = """
  __typename kind name fullyQualifiedName serviceType description version
  connection owners { name } tags { tagFQN } domains { type name fullyQualifiedName }
"""
CREATE_SERVICE = f"""
mutation CreateService($input: ServiceInput!) {{
  createService(input: $input) {{
    __typename
    ... on CreateServiceSuccess {{ service {{ {SERVICE_FIELDS} }} }}
    ... on MutationError {{ message code }}
    ... on ValidationError {{ field }}
  }}
}}
"""
UPSERT_SERVICE = f"""
mutation UpsertService($input: ServiceInput!) {{
  upsertService(input: $input) {{
    __typename
    ... on UpsertServiceSuccess {{ created service {{ {SERVICE_FIELDS} }} }}
    ... on MutationError {{ message code }}
    ... on ValidationError {{ field }}
  }}
}}
"""
UPSERT_SERVICES = f"""
mutation UpsertServices($input: [ServiceInput!]!) {{
  upsertServices(input: $input) {{
    __typename
    ... on UpsertServicesSuccess {{
      status passed failed
      items {{
        index kind fullyQualifiedName
        error {{ __typename message code }}
        service {{ {SERVICE_FIELDS} }}
      }}
    }}
    ... on MutationError {{ message code }}
  }}
}}
"""
SERVICE = """
query Service($kind: ServiceKind!, $name: String!) {
  service(kind: $kind, name: $name) { connection version }
}
"""
MASK = "*********"


def mlflow_body(name: str, owner: str) -> dict[str, Any]:
    """An Mlflow service as the catalog's seed documents create one."""
    return {
        "kind": "ML_MODEL",
        "name": name,
        "serviceType": "Mlflow",
        "description": "Experiment tracking and model registry.",
        "connection": {
            "config": {
                "type": "Mlflow",
                "trackingUri": "http://mlflow:5000",
                "registryUri": "mysql+pymysql://u:p@db:3306/mlflow",
            }
        },
        "owners": [{"id": owner}],
        "domains": ["Marketing"],
        "tags": [],
    }


def sagemaker_body(name: str) -> dict[str, Any]:
    return {
        "kind": "ML_MODEL",
        "name": name,
        "serviceType": "SageMaker",
        "description": "Models trained and served on SageMaker.",
        "connection": {
            "config": {
                "type": "SageMaker",
                "awsConfig": {
                    "awsAccessKeyId": "AKIAEXAMPLE",
                    "awsSecretAccessKey": "wJalrXUtnFEMI/K7MDENG",
                    "awsRegion": "us-east-1",
                },
            }
        },
    }


def shown_mlflow(name: str, tracking: str = "http://mlflow:5000") -> dict[str, Any]:
    return {
        "__typename": "Service",
        "kind": "ML_MODEL",
        "name": name,
        "fullyQualifiedName": name,
        "serviceType": "Mlflow",
        "description": "Experiment tracking and model registry.",
        "version": 0.1,
        "connection": {
            "config": {
                "type": "Mlflow",
                "trackingUri": tracking,
                # The catalog keeps the URI as written; the gateway masks its password.
                "registryUri": f"mysql+pymysql://u:{MASK}@db:3306/mlflow",
                # The catalog stores the default its connection schema declares.
                "supportsMetadataExtraction": True,
            }
        },
        "owners": [{"name": "carol"}],
        "tags": [],
        "domains": [{"type": "domain", "name": "Marketing", "fullyQualifiedName": "Marketing"}],
    }


# With the defaults the connection schemas declare, which the catalog stores.
SHOWN_SAGEMAKER_CONNECTION = {
    "config": {
        "type": "SageMaker",
        "awsConfig": {
            "enabled": False,
            "awsAccessKeyId": "AKIAEXAMPLE",
            "awsSecretAccessKey": MASK,
            "awsRegion": "us-east-1",
            "assumeRoleSessionName": "OpenMetadataSession",
        },
        "supportsMetadataExtraction": True,
    }
}


def shown_sagemaker(name: str) -> dict[str, Any]:
    return {
        "__typename": "Service",
        "kind": "ML_MODEL",
        "name": name,
        "fullyQualifiedName": name,
        "serviceType": "SageMaker",
        "description": "Models trained and served on SageMaker.",
        "version": 0.1,
        "connection": SHOWN_SAGEMAKER_CONNECTION,
        "owners": [],
        "tags": [],
        "domains": [],
    }


async def test_create_service_keeps_the_connection_and_answers_it_masked(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given the seed documents' two bodies
    carol = user_id(emulator, "carol")
    # when each is created
    mlflow = await gateway.execute(CREATE_SERVICE, {"input": mlflow_body("mlflow_dev", carol)})
    sagemaker = await gateway.execute(CREATE_SERVICE, {"input": sagemaker_body("sagemaker_dev")})
    # then each answers its connection with the secrets masked
    assert mlflow == {
        "data": {
            "createService": {
                "__typename": "CreateServiceSuccess",
                "service": shown_mlflow("mlflow_dev"),
            }
        }
    }
    assert sagemaker == {
        "data": {
            "createService": {
                "__typename": "CreateServiceSuccess",
                "service": shown_sagemaker("sagemaker_dev"),
            }
        }
    }
    # and the catalog keeps them (its own answer to an admin masks the password property)
    stored = catalog_get(emulator, "/v1/services/mlmodelServices/name/sagemaker_dev")
    assert stored["connection"] == SHOWN_SAGEMAKER_CONNECTION
    # and a later query reads them back, masked
    read = await gateway.execute(SERVICE, {"kind": "ML_MODEL", "name": "sagemaker_dev"})
    assert read == {"data": {"service": {"connection": SHOWN_SAGEMAKER_CONNECTION, "version": 0.1}}}


async def test_upsert_services_writes_both_and_a_second_upsert_changes_the_tracking_uri(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given
    carol = user_id(emulator, "carol")
    bodies = [mlflow_body("mlflow_bulk", carol), sagemaker_body("sagemaker_bulk")]
    # when both go through the bulk upsert
    first = await gateway.execute(UPSERT_SERVICES, {"input": bodies})
    # then each item is written and reads back with its connection masked
    assert first == {
        "data": {
            "upsertServices": {
                "__typename": "UpsertServicesSuccess",
                "status": "SUCCESS",
                "passed": 2,
                "failed": 0,
                "items": [
                    {
                        "index": 0,
                        "kind": "ML_MODEL",
                        "fullyQualifiedName": "mlflow_bulk",
                        "error": None,
                        "service": shown_mlflow("mlflow_bulk"),
                    },
                    {
                        "index": 1,
                        "kind": "ML_MODEL",
                        "fullyQualifiedName": "sagemaker_bulk",
                        "error": None,
                        "service": shown_sagemaker("sagemaker_bulk"),
                    },
                ],
            }
        }
    }
    # when the Mlflow service is upserted again with another tracking URI
    moved = copy.deepcopy(bodies[0])
    moved["connection"]["config"]["trackingUri"] = "http://mlflow-2:5000"
    second = await gateway.execute(UPSERT_SERVICE, {"input": moved})
    # then it is updated in place, one version up
    expected = shown_mlflow("mlflow_bulk", tracking="http://mlflow-2:5000")
    expected["version"] = 0.2
    assert second == {
        "data": {
            "upsertService": {
                "__typename": "UpsertServiceSuccess",
                "created": False,
                "service": expected,
            }
        }
    }
    stored = catalog_get(emulator, "/v1/services/mlmodelServices/name/mlflow_bulk")
    assert stored["connection"]["config"]["trackingUri"] == "http://mlflow-2:5000"


async def test_a_database_service_takes_its_connection_too(gateway: GatewayClient) -> None:
    body = {
        "kind": "DATABASE",
        "name": "mysql_dev",
        "serviceType": "Mysql",
        "connection": {
            "config": {
                "type": "Mysql",
                "username": "etl",
                "authType": {"password": "hunter2"},
                "hostPort": "mysql:3306",
            }
        },
    }
    result = await gateway.execute(UPSERT_SERVICE, {"input": body})
    service = result["data"]["upsertService"]["service"]
    assert result["data"]["upsertService"]["created"] is True
    assert service["connection"] == {
        "config": {
            "type": "Mysql",
            "username": "etl",
            "authType": {"password": MASK},
            "hostPort": "mysql:3306",
        }
    }


async def test_a_malformed_connection_is_refused_before_any_upstream_call(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given
    emulator.reset_counters()
    cases = [
        ({"type": "Mlflow"}, "input.connection"),
        ({"config": "x"}, "input.connection"),
        ([], "input.connection"),
        ({"config": {"type": "SageMaker"}}, "input.connection.config.type"),
    ]
    # when
    fields = []
    for connection, _ in cases:
        body = {**mlflow_body("mlflow_bad", user_id(emulator, "carol")), "connection": connection}
        emulator.reset_counters()
        result = await gateway.execute(CREATE_SERVICE, {"input": body})
        answer = result["data"]["createService"]
        assert answer["__typename"] == "ValidationError"
        assert emulator.counters() == {}
        fields.append(answer["field"])
    # then each names the offending part
    assert fields == [field for _, field in cases]
