"""Catalog emulator: ML model service connections checked against their service type's schema."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import EmulatorHandle

MASK = "*********"
# Per service type: a valid config as sent, and as the admin reads it back (defaults filled
# in, secrets masked).
VALID: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "Mlflow": (
        {"trackingUri": "http://mlflow:5000", "registryUri": "mysql+pymysql://u:p@db/mlflow"},
        {
            "type": "Mlflow",
            "trackingUri": "http://mlflow:5000",
            "registryUri": "mysql+pymysql://u:p@db/mlflow",
            "supportsMetadataExtraction": True,
        },
    ),
    "SageMaker": (
        {
            "type": "SageMaker",
            "awsConfig": {
                "awsAccessKeyId": "AKIA",
                "awsSecretAccessKey": "s3cret",
                "awsRegion": "eu-west-1",
            },
            "mlModelFilterPattern": {"includes": ["churn.*"]},
        },
        {
            "type": "SageMaker",
            "awsConfig": {
                "enabled": False,
                "awsAccessKeyId": "AKIA",
                "awsSecretAccessKey": MASK,
                "awsRegion": "eu-west-1",
                "assumeRoleSessionName": "OpenMetadataSession",
            },
            "mlModelFilterPattern": {"includes": ["churn.*"]},
            "supportsMetadataExtraction": True,
        },
    ),
    "VertexAI": (
        {
            "credentials": {
                "gcpConfig": {"projectId": "shop-ml", "privateKey": "-----BEGIN KEY-----"},
                "gcpImpersonateServiceAccount": {"impersonateServiceAccount": "sa@shop"},
            },
            "location": "europe-west4",
            "supportsMetadataExtraction": False,
        },
        {
            "type": "VertexAI",
            "credentials": {
                "gcpConfig": {
                    "type": "service_account",
                    "projectId": "shop-ml",
                    "privateKey": MASK,
                    "authUri": "https://accounts.google.com/o/oauth2/auth",
                    "tokenUri": "https://oauth2.googleapis.com/token",
                    "authProviderX509CertUrl": "https://www.googleapis.com/oauth2/v1/certs",
                },
                "gcpImpersonateServiceAccount": {
                    "impersonateServiceAccount": "sa@shop",
                    "lifetime": 3600,
                },
            },
            "location": "europe-west4",
            "supportsMetadataExtraction": False,
        },
    ),
    "Sklearn": ({}, {"type": "Sklearn", "supportsMetadataExtraction": True}),
    "CustomMlModel": (
        {"sourcePythonClass": "my.Source", "connectionOptions": {"k": "v"}, "region": "x"},
        {
            "type": "CustomMlModel",
            "sourcePythonClass": "my.Source",
            "connectionOptions": {"k": "v"},
            "supportsMetadataExtraction": True,
            "region": "x",
        },
    ),
}
UNRECOGNIZED = "Failed to encrypt '{0}' connection stored in DB due to an unrecognized field: '{1}'"
NOT_CONVERTED = (
    "InvalidServiceConnectionException for service [{0}] due to "
    "[Failed to encrypt connection instance of {0}]."
)


def service(service_type: str, config: Any) -> dict[str, Any]:
    return {"name": "conn", "serviceType": service_type, "connection": {"config": config}}


def refused(response: httpx.Response) -> tuple[int, str]:
    assert response.json()["code"] == response.status_code
    return response.status_code, response.json()["message"]


@pytest.mark.parametrize("service_type", list(VALID))
def test_a_valid_connection_is_stored_and_read_back_masked(
    catalog: httpx.Client, emulator: EmulatorHandle, service_type: str
) -> None:
    sent, shown = VALID[service_type]

    # when a service of this type is created with a valid connection
    created = catalog.post("/services/mlmodelServices", json=service(service_type, sent))

    # then it is stored with the schema's defaults, and shown masked to the admin only
    assert created.status_code == 201, created.text
    assert created.json()["connection"] == {"config": shown}
    read = catalog.get("/services/mlmodelServices/name/conn").json()
    assert read["connection"] == {"config": shown}
    plain = catalog.get("/services/mlmodelServices/name/conn", headers=emulator.headers("bob"))
    assert "connection" not in plain.json()


@pytest.mark.parametrize(
    ("service_type", "config", "message"),
    [
        ("Mlflow", {"trackingUri": "http://m"}, "[connection.config.registryUri must not be null]"),
        (
            "Mlflow",
            {},
            "[connection.config.trackingUri must not be null, "
            "connection.config.registryUri must not be null]",
        ),
        ("SageMaker", {}, "[connection.config.awsConfig must not be null]"),
        (
            "SageMaker",
            {"awsConfig": {"awsAccessKeyId": "AKIA"}},
            "[connection.config.awsConfig.awsRegion must not be null]",
        ),
        (
            "VertexAI",
            {"credentials": {"gcpConfig": {}}},
            "[connection.config.location must not be null]",
        ),
        (
            "VertexAI",
            {"credentials": {}, "location": "eu"},
            "[connection.config.credentials.gcpConfig must not be null]",
        ),
    ],
)
def test_a_missing_required_property_is_refused(
    catalog: httpx.Client, service_type: str, config: dict[str, Any], message: str
) -> None:
    response = catalog.post("/services/mlmodelServices", json=service(service_type, config))

    assert refused(response) == (400, message)


@pytest.mark.parametrize(
    ("service_type", "config", "field"),
    [
        ("Mlflow", {**VALID["Mlflow"][0], "colour": "red"}, "colour"),
        ("SageMaker", {"awsConfig": {"awsRegion": "eu", "awsSecret": "x"}}, "awsSecret"),
        ("VertexAI", {**VALID["VertexAI"][0], "projectId": "p"}, "projectId"),
        (
            "VertexAI",
            {"credentials": {"gcpConfig": {"type": "external_account", "x": 1}}, "location": "e"},
            "x",
        ),
        ("Sklearn", {"trackingUri": "http://m"}, "trackingUri"),
        ("CustomMlModel", {"mlModelFilterPattern": {"include": ["a"]}}, "include"),
    ],
)
def test_an_unknown_property_is_refused(
    catalog: httpx.Client, service_type: str, config: dict[str, Any], field: str
) -> None:
    response = catalog.post("/services/mlmodelServices", json=service(service_type, config))

    assert refused(response) == (400, UNRECOGNIZED.format(service_type, field))


@pytest.mark.parametrize(
    ("service_type", "config"),
    [
        ("Mlflow", {**VALID["Mlflow"][0], "type": "SageMaker"}),
        ("SageMaker", {**VALID["SageMaker"][0], "type": "Mlflow"}),
        ("VertexAI", {**VALID["VertexAI"][0], "type": "Sklearn"}),
        ("Sklearn", {"type": "VertexAI"}),
        ("CustomMlModel", {"type": "Mlflow"}),
        ("Mlflow", {**VALID["Mlflow"][0], "trackingUri": 5000}),
        ("Sklearn", "Sklearn"),
        ("VertexAI", {"credentials": {"gcpConfig": {"type": "kerberos"}}, "location": "e"}),
    ],
)
def test_a_config_of_another_type_is_refused(
    catalog: httpx.Client, service_type: str, config: Any
) -> None:
    response = catalog.post("/services/mlmodelServices", json=service(service_type, config))

    assert refused(response) == (400, NOT_CONVERTED.format(service_type))


def test_a_put_is_checked_like_a_create(catalog: httpx.Client) -> None:
    # when the seeded Mlflow service is PUT with a SageMaker config
    body = service("Mlflow", VALID["SageMaker"][0]) | {"name": "mlflow_prod"}
    response = catalog.put("/services/mlmodelServices", json=body)

    # then it is refused and the stored connection is unchanged
    assert refused(response) == (400, NOT_CONVERTED.format("Mlflow"))
    stored = catalog.get("/services/mlmodelServices/name/mlflow_prod").json()
    assert stored["connection"]["config"]["trackingUri"] == "http://mlflow.internal:5000"


def test_a_connection_without_config_and_database_connections_are_not_checked(
    catalog: httpx.Client,
) -> None:
    no_config = catalog.post(
        "/services/mlmodelServices", json={**service("Mlflow", None), "connection": {}}
    )
    database = catalog.post(
        "/services/databaseServices",
        json={"name": "pg", "serviceType": "Postgres", "connection": {"config": {"any": 1}}},
    )

    assert (no_config.status_code, no_config.json()["connection"]) == (201, {})
    assert (database.status_code, database.json()["connection"]) == (201, {"config": {"any": 1}})
