"""`promoteVersion`: the new registry version with `promotedFrom`, and the typed failures."""

from __future__ import annotations

from gateway.emulator.ids import registry_version_rid, seed_uuid
from gateway.emulator.registry.seed import CHURN_MODEL_RID, CHURN_PROD_MODEL_RID
from tests.conftest import EmulatorHandle, GatewayClient
from tests.gateway.rest import registry_get
from tests.mutations.rest import registry_hook, route_calls

PROMOTE = """
mutation Promote($model: String!, $source: String!, $branch: String) {
  promoteVersion(modelRid: $model, sourceModelVersionRid: $source, branch: $branch) {
    __typename
    ... on PromoteVersionSuccess {
      modelVersion {
        __typename rid modelRid condaRequirements backingRepositories linkedExperiment
        source { type previousModelRid previousModelVersionRid }
        promotedFrom { rid modelRid condaRequirements }
      }
    }
    ... on MutationError { message code }
    ... on ValidationError { field }
  }
}
"""

READ_PROMOTE_READ = """
mutation Around($id: ID!, $model: String!, $source: String!) {
  before: follow(kind: ML_MODEL, id: $id) { ...Latest }
  promoteVersion(modelRid: $model, sourceModelVersionRid: $source) {
    ... on PromoteVersionSuccess { modelVersion { rid } }
  }
  after: follow(kind: ML_MODEL, id: $id) { ...Latest }
}

fragment Latest on FollowResult {
  ... on FollowSuccess { asset { ... on MlModel { versions(first: 1) { nodes { rid } } } } }
}
"""

LATEST_VERSIONS = """
query Latest($model: String!, $branch: String) {
  modelVersions(modelRid: $model, branch: $branch, first: 1) { nodes { rid } }
}
"""

LATEST_CHURN = registry_version_rid("churn_predictor", 4)
UNKNOWN_MODEL = "ri.models.main.model.00000000-1111-4222-8333-444444444444"
UNKNOWN_VERSION = "ri.models.main.model-version.0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"


async def test_promote_answers_the_copy_and_where_it_came_from(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given
    source = registry_get(emulator, f"/api/v2/models/{CHURN_MODEL_RID}/versions/{LATEST_CHURN}")
    assert "linkedExperiment" not in source
    # when
    result = await gateway.execute(PROMOTE, {"model": CHURN_PROD_MODEL_RID, "source": LATEST_CHURN})
    # then: the copy is the latest on master
    latest = registry_get(emulator, f"/api/v2/models/{CHURN_PROD_MODEL_RID}/versions")["data"][0]
    assert latest["rid"] != LATEST_CHURN
    assert result == {
        "data": {
            "promoteVersion": {
                "__typename": "PromoteVersionSuccess",
                "modelVersion": {
                    "__typename": "ModelVersion",
                    "rid": latest["rid"],
                    "modelRid": CHURN_PROD_MODEL_RID,
                    "condaRequirements": source["condaRequirements"],
                    "backingRepositories": source["backingRepositories"],
                    "linkedExperiment": None,
                    "source": {
                        "type": "promoted",
                        "previousModelRid": CHURN_MODEL_RID,
                        "previousModelVersionRid": LATEST_CHURN,
                    },
                    "promotedFrom": {
                        "rid": LATEST_CHURN,
                        "modelRid": CHURN_MODEL_RID,
                        "condaRequirements": source["condaRequirements"],
                    },
                },
            }
        }
    }


async def test_the_copy_keeps_the_source_versions_linked_experiment(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given a version trained in an experiment
    version = registry_version_rid("churn_predictor", 3)
    source = registry_get(emulator, f"/api/v2/models/{CHURN_MODEL_RID}/versions/{version}")
    assert source["linkedExperiment"].startswith("ri.models.main.experiment.")
    # when it is promoted
    result = await gateway.execute(PROMOTE, {"model": CHURN_PROD_MODEL_RID, "source": version})
    # then the copy names the same experiment, and so does the registry's copy
    copy = result["data"]["promoteVersion"]["modelVersion"]
    assert copy["linkedExperiment"] == source["linkedExperiment"]
    stored = registry_get(emulator, f"/api/v2/models/{CHURN_PROD_MODEL_RID}/versions/{copy['rid']}")
    assert stored["linkedExperiment"] == source["linkedExperiment"]


async def test_promote_to_a_branch_then_read_it_in_the_next_request(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given
    variables: dict[str, object] = {
        "model": CHURN_PROD_MODEL_RID,
        "source": LATEST_CHURN,
        "branch": "canary",
    }
    # when
    result = await gateway.execute(PROMOTE, variables)
    latest = await gateway.execute(
        LATEST_VERSIONS, {"model": CHURN_PROD_MODEL_RID, "branch": "canary"}
    )
    # then
    rid = result["data"]["promoteVersion"]["modelVersion"]["rid"]
    assert latest == {"data": {"modelVersions": {"nodes": [{"rid": rid}]}}}


async def test_a_later_root_field_sees_the_promoted_version(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given: the catalog model linked to the target registry model
    model_id = seed_uuid("mlmodel", "mlflow_prod.churn_predictor_prod")
    latest = registry_get(emulator, f"/api/v2/models/{CHURN_PROD_MODEL_RID}/versions")["data"]
    # when: the same versions page is read before and after the promotion
    result = await gateway.execute(
        READ_PROMOTE_READ,
        {"id": model_id, "model": CHURN_PROD_MODEL_RID, "source": LATEST_CHURN},
    )
    # then
    copy = result["data"]["promoteVersion"]["modelVersion"]["rid"]
    assert result == {
        "data": {
            "before": {"asset": {"versions": {"nodes": [{"rid": latest[0]["rid"]}]}}},
            "promoteVersion": {"modelVersion": {"rid": copy}},
            "after": {"asset": {"versions": {"nodes": [{"rid": copy}]}}},
        }
    }


async def test_unknown_target_model_is_not_found(gateway: GatewayClient) -> None:
    result = await gateway.execute(PROMOTE, {"model": UNKNOWN_MODEL, "source": LATEST_CHURN})
    assert result == {
        "data": {
            "promoteVersion": {
                "__typename": "NotFoundError",
                "message": f"No registry model {UNKNOWN_MODEL}.",
                "code": "NOT_FOUND",
            }
        }
    }


async def test_unknown_source_version_is_not_found(gateway: GatewayClient) -> None:
    result = await gateway.execute(
        PROMOTE, {"model": CHURN_PROD_MODEL_RID, "source": UNKNOWN_VERSION}
    )
    assert result == {
        "data": {
            "promoteVersion": {
                "__typename": "NotFoundError",
                "message": f"No registry model version {UNKNOWN_VERSION}.",
                "code": "NOT_FOUND",
            }
        }
    }


async def test_unwritable_target_is_a_permission_error(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    registry_hook(emulator, f"models/{CHURN_PROD_MODEL_RID}/writable", {"writable": False})
    result = await gateway.execute(PROMOTE, {"model": CHURN_PROD_MODEL_RID, "source": LATEST_CHURN})
    assert result == {
        "data": {
            "promoteVersion": {
                "__typename": "PermissionError",
                "message": "The registry does not allow this operation",
                "code": "FORBIDDEN",
            }
        }
    }


async def test_unsupported_source_is_a_validation_error_on_the_source(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    registry_hook(emulator, f"versions/{LATEST_CHURN}/unsupported", {"unsupported": True})
    result = await gateway.execute(PROMOTE, {"model": CHURN_PROD_MODEL_RID, "source": LATEST_CHURN})
    assert result == {
        "data": {
            "promoteVersion": {
                "__typename": "ValidationError",
                "message": "The source version cannot be copied: the registry's Models API "
                "does not support its source type (UnsupportedModelSource); only versions "
                "created through the API (sdk, codeRepository, codeWorkspace, modelStudio, "
                "external, importedContainerizedModel, promoted) can be.",
                "code": "BAD_USER_INPUT",
                "field": "sourceModelVersionRid",
            }
        }
    }


async def test_malformed_arguments_are_rejected_before_any_call(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    cases: list[tuple[dict[str, object], str]] = [
        ({"model": "churn", "source": LATEST_CHURN}, "modelRid"),
        ({"model": CHURN_PROD_MODEL_RID, "source": "v4"}, "sourceModelVersionRid"),
        ({"model": CHURN_PROD_MODEL_RID, "source": LATEST_CHURN, "branch": "a b"}, "branch"),
    ]
    emulator.reset_counters()
    for variables, field in cases:
        result = await gateway.execute(PROMOTE, variables)
        answer = result["data"]["promoteVersion"]
        assert (answer["__typename"], answer["code"], answer["field"]) == (
            "ValidationError",
            "BAD_USER_INPUT",
            field,
        )
    assert emulator.counters() == {}


async def test_promote_is_never_retried(gateway: GatewayClient, emulator: EmulatorHandle) -> None:
    # given
    emulator.add_fault(match="POST /api/v2/models/{modelRid}/promoteVersion", status=503)
    emulator.reset_counters()
    # when
    result = await gateway.execute(PROMOTE, {"model": CHURN_PROD_MODEL_RID, "source": LATEST_CHURN})
    # then
    assert result["data"] is None
    assert [e["extensions"]["code"] for e in result["errors"]] == ["UPSTREAM_ERROR"]
    assert route_calls(emulator, "POST /api/v2/models/{modelRid}/promoteVersion") == 1
