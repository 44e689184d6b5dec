"""Registry emulator: create and get model versions, and their errors."""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from gateway.emulator.ids import registry_version_rid, seed_uuid
from gateway.emulator.registry.seed import CHURN_MODEL_RID, MODEL_RIDS
from tests.conftest import EmulatorHandle
from tests.contract.registry_records import decode_version, error_of
from tests.emulator.registry import (
    CHURN_REPOSITORY,
    UNKNOWN_MODEL,
    UNKNOWN_VERSION,
    create_version,
)

VERSION_RID = re.compile(r"^ri\.models\.main\.model-version\.[0-9a-f]{8}-[0-9a-f]{4}-4")
REPOSITORY = "ri.stemma.main.repository.0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

MODEL_API: dict[str, Any] = {
    "inputs": [
        {
            "type": "tabular",
            "name": "customers",
            "required": True,
            "format": "PANDAS",
            "columns": [
                {"name": "customer_id", "required": True, "dataType": {"type": "string"}},
                {"name": "tenure_months", "dataType": {"type": "integer"}},
                {
                    "name": "tags",
                    "required": False,
                    "dataType": {"type": "array", "itemType": {"type": "string"}},
                },
                {
                    "name": "attributes",
                    "dataType": {
                        "type": "map",
                        "keyType": {"type": "string"},
                        "valueType": {"type": "any"},
                    },
                },
            ],
        },
        {
            "type": "parameter",
            "name": "threshold",
            "required": False,
            "dataType": {"type": "double"},
        },
    ],
    "outputs": [
        {
            "type": "tabular",
            "name": "predictions",
            "format": "SPARK",
            "columns": [{"name": "churn_probability", "dataType": {"type": "double"}}],
        }
    ],
}
NEW_VERSION: dict[str, Any] = {
    "modelFiles": {
        "type": "dill",
        "serializedModelFunction": "gASVIAAAAAAAAACMCGJ1aWx0aW5zlIwDbGVulJOULg==",
    },
    "backingRepositories": [REPOSITORY],
    "condaRequirements": ["python=3.11", "pandas=2.1.4", "scikit-learn==1.5.2"],
    "modelApi": MODEL_API,
}


def test_create_version_echoes_the_version_published_by_the_sdk(registry: httpx.Client) -> None:
    # given a create-version body
    before = datetime.now(UTC) - timedelta(seconds=1)

    # when it is posted to a seeded model
    response = create_version(registry, NEW_VERSION)

    # then the answer is the new version: fresh RID, now, source sdk, files not echoed
    assert response.status_code == 200
    body = response.json()
    assert VERSION_RID.match(body["rid"])
    created = datetime.fromisoformat(body["createdTime"])
    assert body["createdTime"].endswith("Z")
    assert before <= created <= datetime.now(UTC)
    assert body == {
        "rid": body["rid"],
        "modelApi": MODEL_API,
        "condaRequirements": ["python=3.11", "pandas=2.1.4", "scikit-learn==1.5.2"],
        "backingRepositories": [REPOSITORY],
        "createdTime": body["createdTime"],
        "source": {"type": "sdk"},
    }
    decode_version(response.content)
    # and it reads back the same, and is the latest on master
    fetched = registry.get(f"/api/v2/models/{CHURN_MODEL_RID}/versions/{body['rid']}")
    assert (fetched.status_code, fetched.json()) == (200, body)
    listed = registry.get(f"/api/v2/models/{CHURN_MODEL_RID}/versions")
    assert listed.json()["data"][0] == body


def test_missing_lists_are_sent_back_empty(registry: httpx.Client) -> None:
    body = copy.deepcopy(NEW_VERSION)
    del body["backingRepositories"], body["condaRequirements"]

    response = create_version(registry, body)

    assert response.status_code == 200
    assert (response.json()["condaRequirements"], response.json()["backingRepositories"]) == (
        [],
        [],
    )


def test_create_version_of_unknown_model_is_model_not_found(registry: httpx.Client) -> None:
    response = registry.post(f"/api/v2/models/{UNKNOWN_MODEL}/versions", json=NEW_VERSION)

    assert error_of(response.status_code, response.content) == (
        404,
        "NOT_FOUND",
        "ModelNotFound",
        {"modelRid": UNKNOWN_MODEL},
    )


def test_unwritable_model_denies_create_version(
    registry: httpx.Client, emulator: EmulatorHandle
) -> None:
    # given the model made read-only through the test hook
    hook = emulator.admin.put(
        f"/registry/models/{CHURN_MODEL_RID}/writable",
        json={"writable": False},
    )
    assert hook.json() == {"rid": CHURN_MODEL_RID, "writable": False}

    # when a version is created
    response = create_version(registry, NEW_VERSION)

    # then
    assert error_of(response.status_code, response.content) == (
        403,
        "PERMISSION_DENIED",
        "CreateModelVersionPermissionDenied",
        {"modelRid": CHURN_MODEL_RID},
    )
    # and made writable again, it accepts versions
    emulator.admin.put(
        f"/registry/models/{CHURN_MODEL_RID}/writable",
        json={"writable": True},
    )
    assert create_version(registry, NEW_VERSION).status_code == 200


def test_get_seeded_version(registry: httpx.Client) -> None:
    # given the second seeded version of churn_predictor (from a code repository)
    rid = registry_version_rid("churn_predictor", 2)

    # when it is fetched
    response = registry.get(f"/api/v2/models/{CHURN_MODEL_RID}/versions/{rid}")

    # then
    assert response.status_code == 200
    assert response.json() == {
        "rid": rid,
        "modelApi": {
            "inputs": [
                {
                    "type": "tabular",
                    "name": "customers",
                    "columns": [
                        {"name": "customer_id", "dataType": {"type": "string"}},
                        {"name": "tenure_months", "dataType": {"type": "integer"}},
                        {"name": "monthly_spend", "dataType": {"type": "double"}},
                        {
                            "name": "last_login",
                            "required": False,
                            "dataType": {"type": "timestamp"},
                        },
                    ],
                },
                {
                    "type": "parameter",
                    "name": "threshold",
                    "required": False,
                    "dataType": {"type": "double"},
                },
            ],
            "outputs": [
                {
                    "type": "tabular",
                    "name": "predictions",
                    "columns": [
                        {"name": "customer_id", "dataType": {"type": "string"}},
                        {"name": "churn_probability", "dataType": {"type": "double"}},
                    ],
                }
            ],
        },
        "condaRequirements": ["python=3.11", "pandas=2.1.4", "scikit-learn==1.4.2"],
        "backingRepositories": [CHURN_REPOSITORY],
        "createdTime": "2024-11-05T14:12:31.250Z",
        "source": {
            "type": "codeRepository",
            "repositoryRid": CHURN_REPOSITORY,
            "branch": "master",
        },
        "linkedExperiment": "ri.models.main.experiment."
        + seed_uuid("registry-experiment", "churn#2"),
    }


@pytest.mark.parametrize(
    ("model", "version"),
    [
        (CHURN_MODEL_RID, UNKNOWN_VERSION),
        (UNKNOWN_MODEL, registry_version_rid("churn_predictor", 1)),
        (MODEL_RIDS["fraud_detector"], registry_version_rid("churn_predictor", 1)),
    ],
    ids=["unknown-version", "unknown-model", "version-of-another-model"],
)
def test_get_version_not_found(registry: httpx.Client, model: str, version: str) -> None:
    response = registry.get(f"/api/v2/models/{model}/versions/{version}")

    assert error_of(response.status_code, response.content) == (
        404,
        "NOT_FOUND",
        "ModelVersionNotFound",
        {"modelRid": model, "modelVersionRid": version},
    )


def test_unsupported_source_hook_fails_get(
    registry: httpx.Client, emulator: EmulatorHandle
) -> None:
    # given a version marked as having a source the API cannot show
    rid = registry_version_rid("churn_predictor", 1)
    hook = emulator.admin.put(
        f"/registry/versions/{rid}/unsupported",
        json={"unsupported": True},
    )
    assert hook.json() == {"rid": rid, "unsupported": True}

    # when it is fetched
    response = registry.get(f"/api/v2/models/{CHURN_MODEL_RID}/versions/{rid}")

    # then
    assert error_of(response.status_code, response.content) == (
        400,
        "INVALID_ARGUMENT",
        "UnsupportedModelSource",
        {},
    )
