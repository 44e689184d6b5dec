"""RegistryClient against the emulator: every method round-trips and decodes the seed."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.base.errors import (
    BadUserInputError,
    ConflictError,
    NotFoundError,
    UnauthenticatedError,
)
from gateway.emulator.ids import registry_version_rid, seed_uuid
from gateway.emulator.registry.seed import (
    CHURN_MODEL_RID,
    CHURN_PROD_MODEL_RID,
    MASTER_VERSION_RIDS,
    ML_MODELS_FOLDER_RID,
    PROMOTED_FROM_VERSION_RID,
    PROMOTED_VERSION_RID,
    STAGING_MODEL_RID,
    STAGING_VERSION_RID,
)
from gateway.upstream.http import UpstreamHttp
from gateway.upstream.records import (
    ModelApiColumnRecord,
    ModelApiIORecord,
    ModelVersionSourceRecord,
    RegistryModelRecord,
)
from gateway.upstream.registry import RegistryClient
from tests.conftest import EmulatorHandle
from tests.upstream.conftest import logged

UNKNOWN_MODEL = "ri.models.main.model.00000000-1111-4222-8333-444444444444"
CHURN_VERSION_2 = registry_version_rid("churn_predictor", 2)
CHURN_REPOSITORY = f"ri.stemma.main.repository.{seed_uuid('registry-repository', 'churn')}"
NEW_VERSION: dict[str, Any] = {
    "modelFiles": {"type": "dill", "serializedModelFunction": "gASVIAAAAAAAAACMCGJ1aWx0aW5zlC4="},
    "backingRepositories": [],
    "condaRequirements": ["python=3.11", "pandas=2.2.2"],
    "modelApi": {
        "inputs": [{"type": "parameter", "name": "x", "dataType": {"type": "double"}}],
        "outputs": [{"type": "parameter", "name": "y", "dataType": {"type": "double"}}],
    },
}


async def test_get_model(registry: RegistryClient) -> None:
    assert await registry.get_model(CHURN_MODEL_RID) == RegistryModelRecord(rid=CHURN_MODEL_RID)


async def test_get_version_decodes_every_field(registry: RegistryClient) -> None:
    # when
    version = await registry.get_version(CHURN_MODEL_RID, CHURN_VERSION_2)
    # then
    assert version.rid == CHURN_VERSION_2
    assert version.created_time == "2024-11-05T14:12:31.250Z"
    assert version.conda_requirements == ["python=3.11", "pandas=2.1.4", "scikit-learn==1.4.2"]
    assert version.backing_repositories == [CHURN_REPOSITORY]
    assert version.linked_experiment == (
        f"ri.models.main.experiment.{seed_uuid('registry-experiment', 'churn#2')}"
    )
    assert version.source == ModelVersionSourceRecord(
        type="codeRepository", repository_rid=CHURN_REPOSITORY, branch="master"
    )
    customers, threshold = version.model_api.inputs
    assert customers.columns is not None
    assert [c.name for c in customers.columns] == [
        "customer_id",
        "tenure_months",
        "monthly_spend",
        "last_login",
    ]
    assert customers.columns[3] == ModelApiColumnRecord(
        name="last_login", required=False, data_type={"type": "timestamp"}
    )
    assert threshold == ModelApiIORecord(
        type="parameter", name="threshold", required=False, data_type={"type": "double"}
    )


async def test_get_version_of_a_promotion_names_its_origin(registry: RegistryClient) -> None:
    version = await registry.get_version(CHURN_PROD_MODEL_RID, PROMOTED_VERSION_RID)
    assert version.source == ModelVersionSourceRecord(
        type="promoted",
        previous_model_rid=CHURN_MODEL_RID,
        previous_model_version_rid=PROMOTED_FROM_VERSION_RID,
    )


async def test_list_versions_pages_through_master(
    registry: RegistryClient, emulator: EmulatorHandle
) -> None:
    # given the seeded churn model's versions on master, newest first
    expected = list(MASTER_VERSION_RIDS["churn_predictor"])
    # when
    first = await registry.list_versions(CHURN_MODEL_RID, page_size=3)
    assert first.next_page_token is not None
    rest = await registry.list_versions(
        CHURN_MODEL_RID, page_size=3, page_token=first.next_page_token
    )
    # then
    assert [v.rid for v in first.data + rest.data] == expected
    assert rest.next_page_token is None
    queries = [query for query, _ in logged(emulator, "GET /api/v2/models/{modelRid}/versions")]
    assert queries == [
        "preview=true&pageSize=3",
        f"preview=true&pageSize=3&pageToken={first.next_page_token}",
    ]


async def test_list_versions_of_a_branch(registry: RegistryClient) -> None:
    page = await registry.list_versions(STAGING_MODEL_RID, branch="staging")
    assert [v.rid for v in page.data] == [STAGING_VERSION_RID]
    assert page.next_page_token is None


async def test_create_promote_and_read_back(registry: RegistryClient) -> None:
    # given a new model with one version
    model = await registry.create_model("churn canary", ML_MODELS_FOLDER_RID)
    created = await registry.create_version(model.rid, NEW_VERSION)
    # when a seeded version is promoted into it on another branch
    promoted = await registry.promote_version(model.rid, CHURN_VERSION_2, branch="canary")
    # then
    assert created.source == ModelVersionSourceRecord(type="sdk")
    assert created.conda_requirements == ["python=3.11", "pandas=2.2.2"]
    assert created.model_api.outputs == [
        ModelApiIORecord(type="parameter", name="y", data_type={"type": "double"})
    ]
    assert await registry.get_version(model.rid, created.rid) == created
    assert promoted.source == ModelVersionSourceRecord(
        type="promoted",
        previous_model_rid=CHURN_MODEL_RID,
        previous_model_version_rid=CHURN_VERSION_2,
    )
    canary = await registry.list_versions(model.rid, branch="canary")
    master = await registry.list_versions(model.rid)
    assert [v.rid for v in canary.data] == [promoted.rid]
    assert [v.rid for v in master.data] == [created.rid]


async def test_every_call_is_a_preview_call(
    registry: RegistryClient, emulator: EmulatorHandle
) -> None:
    await registry.get_model(CHURN_MODEL_RID)
    await registry.promote_version(CHURN_PROD_MODEL_RID, CHURN_VERSION_2)
    assert [str(entry["query"]) for entry in emulator.requests()] == [
        "preview=true",
        "preview=true",
    ]


async def test_an_unknown_model_is_not_found(registry: RegistryClient) -> None:
    with pytest.raises(NotFoundError) as caught:
        await registry.get_model(UNKNOWN_MODEL)
    assert caught.value.to_extensions() == {
        "code": "NOT_FOUND",
        "upstream": "registry",
        "upstreamError": "ModelNotFound",
    }


async def test_a_duplicate_model_name_is_a_conflict(registry: RegistryClient) -> None:
    with pytest.raises(ConflictError) as caught:
        await registry.create_model("churn_predictor", ML_MODELS_FOLDER_RID)
    assert caught.value.to_extensions() == {
        "code": "CONFLICT",
        "upstream": "registry",
        "upstreamError": "ResourceNameAlreadyExists",
    }


async def test_a_bad_page_size_is_bad_user_input(registry: RegistryClient) -> None:
    with pytest.raises(BadUserInputError) as caught:
        await registry.list_versions(CHURN_MODEL_RID, page_size=0)
    assert caught.value.message == "InvalidPageSize: pageSize=0"
    assert caught.value.extensions == {"upstreamError": "InvalidPageSize"}


async def test_no_credentials_is_unauthenticated(registry_http: UpstreamHttp) -> None:
    anonymous = RegistryClient(registry_http, auth=None)
    with pytest.raises(UnauthenticatedError) as caught:
        await anonymous.get_model(CHURN_MODEL_RID)
    assert caught.value.to_extensions() == {
        "code": "UNAUTHENTICATED",
        "upstream": "registry",
        "upstreamError": "Default:Unauthorized",
    }
