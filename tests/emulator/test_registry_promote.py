"""Registry emulator: promoteVersion, its order of checks and the promoted seed."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from gateway.emulator.ids import registry_version_rid, seed_uuid
from gateway.emulator.registry.seed import (
    CHURN_MODEL_RID,
    CHURN_PROD_MODEL_RID,
    MASTER_VERSION_RIDS,
    PROMOTED_FROM_VERSION_RID,
    PROMOTED_VERSION_RID,
)
from tests.conftest import EmulatorHandle
from tests.contract.registry_records import decode_version, error_of
from tests.emulator.registry import LATEST_CHURN, UNKNOWN_MODEL, UNKNOWN_VERSION

# The experiment the seed links churn_predictor #3 to.
CHURN_3_EXPERIMENT = f"ri.models.main.experiment.{seed_uuid('registry-experiment', 'churn#3')}"


def _promote(registry: httpx.Client, target: str, body: object) -> httpx.Response:
    return registry.post(f"/api/v2/models/{target}/promoteVersion", json=body)


def _version(registry: httpx.Client, model: str, rid: str) -> dict[str, object]:
    response = registry.get(f"/api/v2/models/{model}/versions/{rid}")
    assert response.status_code == 200
    body: dict[str, object] = response.json()
    return body


def _master(registry: httpx.Client, model: str, branch: str = "master") -> list[str]:
    response = registry.get(f"/api/v2/models/{model}/versions", params={"branch": branch})
    return [v["rid"] for v in response.json()["data"]]


def test_promote_copies_the_version_as_the_latest_of_master(registry: httpx.Client) -> None:
    # given the latest churn_predictor version
    origin = _version(registry, CHURN_MODEL_RID, LATEST_CHURN)

    # when it is promoted into churn_predictor_prod without a branch
    response = _promote(registry, CHURN_PROD_MODEL_RID, {"sourceModelVersionRid": LATEST_CHURN})

    # then the answer is a new version with the same contents and a promoted source
    assert response.status_code == 200
    copy = response.json()
    decode_version(response.content)
    assert copy["rid"] not in (LATEST_CHURN, *MASTER_VERSION_RIDS["churn_predictor_prod"])
    assert copy == {
        "rid": copy["rid"],
        "modelApi": origin["modelApi"],
        "condaRequirements": origin["condaRequirements"],
        "backingRepositories": origin["backingRepositories"],
        "createdTime": copy["createdTime"],
        "source": {
            "type": "promoted",
            "previousModelRid": CHURN_MODEL_RID,
            "previousModelVersionRid": LATEST_CHURN,
        },
    }
    assert copy["createdTime"] > str(origin["createdTime"])
    # and it heads the target's master, before the versions it had
    assert _master(registry, CHURN_PROD_MODEL_RID) == [
        copy["rid"],
        *MASTER_VERSION_RIDS["churn_predictor_prod"],
    ]
    assert _version(registry, CHURN_PROD_MODEL_RID, copy["rid"]) == copy
    # and the source is unchanged
    assert _version(registry, CHURN_MODEL_RID, LATEST_CHURN) == origin


def test_promote_to_a_branch_leaves_master_alone(registry: httpx.Client) -> None:
    body = {"sourceModelVersionRid": LATEST_CHURN, "branch": "staging"}

    response = _promote(registry, CHURN_PROD_MODEL_RID, body)

    assert response.status_code == 200
    assert _master(registry, CHURN_PROD_MODEL_RID, "staging") == [response.json()["rid"]]
    assert _master(registry, CHURN_PROD_MODEL_RID) == list(
        MASTER_VERSION_RIDS["churn_predictor_prod"]
    )


def test_promote_within_the_same_model(registry: httpx.Client) -> None:
    oldest = registry_version_rid("churn_predictor", 1)

    response = _promote(registry, CHURN_MODEL_RID, {"sourceModelVersionRid": oldest})

    assert response.status_code == 200
    assert _master(registry, CHURN_MODEL_RID)[0] == response.json()["rid"]
    assert response.json()["source"]["previousModelRid"] == CHURN_MODEL_RID


def test_linked_experiment_is_carried_over(registry: httpx.Client) -> None:
    # given a churn_predictor version linked to an experiment
    with_experiment = registry_version_rid("churn_predictor", 3)
    origin = _version(registry, CHURN_MODEL_RID, with_experiment)
    assert origin["linkedExperiment"] == CHURN_3_EXPERIMENT

    # when it is promoted into churn_predictor_prod
    response = _promote(registry, CHURN_PROD_MODEL_RID, {"sourceModelVersionRid": with_experiment})

    # then the copy is linked to the same experiment, in the answer and when read back
    assert response.status_code == 200
    copy = response.json()
    assert copy["linkedExperiment"] == CHURN_3_EXPERIMENT
    assert _version(registry, CHURN_PROD_MODEL_RID, copy["rid"])["linkedExperiment"] == (
        CHURN_3_EXPERIMENT
    )


def test_seeded_prod_model_holds_a_promoted_churn_version(registry: httpx.Client) -> None:
    # given the seed's promotion from churn_predictor to churn_predictor_prod
    promoted = _version(registry, CHURN_PROD_MODEL_RID, PROMOTED_VERSION_RID)
    origin = _version(registry, CHURN_MODEL_RID, PROMOTED_FROM_VERSION_RID)

    # then it is the latest on prod's master and points at its origin
    assert _master(registry, CHURN_PROD_MODEL_RID)[0] == PROMOTED_VERSION_RID
    assert promoted["source"] == {
        "type": "promoted",
        "previousModelRid": CHURN_MODEL_RID,
        "previousModelVersionRid": PROMOTED_FROM_VERSION_RID,
    }
    assert (promoted["modelApi"], promoted["condaRequirements"]) == (
        origin["modelApi"],
        origin["condaRequirements"],
    )
    assert promoted["linkedExperiment"] == origin["linkedExperiment"]


def _set(emulator: EmulatorHandle, path: str, body: dict[str, bool]) -> None:
    emulator.admin.put(f"/registry/{path}", json=body).raise_for_status()


def _read_only_target(emulator: EmulatorHandle) -> None:
    _set(emulator, f"models/{CHURN_PROD_MODEL_RID}/writable", {"writable": False})


def _unsupported_source(emulator: EmulatorHandle) -> None:
    _set(emulator, f"versions/{LATEST_CHURN}/unsupported", {"unsupported": True})


@pytest.mark.parametrize(
    ("target", "source", "hooks", "expected"),
    [
        (
            UNKNOWN_MODEL,
            UNKNOWN_VERSION,
            [_read_only_target, _unsupported_source],
            (404, "NOT_FOUND", "ModelNotFound", {"modelRid": UNKNOWN_MODEL}),
        ),
        (
            CHURN_PROD_MODEL_RID,
            UNKNOWN_VERSION,
            [_read_only_target],
            (
                404,
                "NOT_FOUND",
                "ModelVersionNotFound",
                {"modelRid": CHURN_PROD_MODEL_RID, "modelVersionRid": UNKNOWN_VERSION},
            ),
        ),
        (
            CHURN_PROD_MODEL_RID,
            LATEST_CHURN,
            [_read_only_target, _unsupported_source],
            (
                403,
                "PERMISSION_DENIED",
                "PromoteVersionModelPermissionDenied",
                {"modelRid": CHURN_PROD_MODEL_RID},
            ),
        ),
        (
            CHURN_PROD_MODEL_RID,
            LATEST_CHURN,
            [_unsupported_source],
            (400, "INVALID_ARGUMENT", "UnsupportedModelSource", {}),
        ),
    ],
    ids=["model-first", "then-version", "then-permission", "then-source-type"],
)
def test_promote_checks_in_contract_order(
    registry: httpx.Client,
    emulator: EmulatorHandle,
    target: str,
    source: str,
    hooks: list[Callable[[EmulatorHandle], None]],
    expected: tuple[int, str, str, dict[str, str]],
) -> None:
    # given the conditions for this and every later check
    for hook in hooks:
        hook(emulator)

    # when the version is promoted
    response = _promote(registry, target, {"sourceModelVersionRid": source})

    # then the earliest failing check answers
    assert error_of(response.status_code, response.content) == expected
    assert _master(registry, CHURN_PROD_MODEL_RID) == list(
        MASTER_VERSION_RIDS["churn_predictor_prod"]
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "body: missing required field 'sourceModelVersionRid'"),
        ({"sourceModelVersionRid": LATEST_CHURN, "branch": ""}, "branch: empty"),
        ({"sourceModelVersionRid": LATEST_CHURN, "branch": 1}, "branch: expected a string"),
        (
            {"sourceModelVersionRid": LATEST_CHURN, "targetModelRid": CHURN_MODEL_RID},
            "body: unknown field 'targetModelRid'",
        ),
    ],
)
def test_unreadable_promote_body_is_invalid_argument(
    registry: httpx.Client, body: object, message: str
) -> None:
    response = _promote(registry, CHURN_PROD_MODEL_RID, body)

    assert error_of(response.status_code, response.content) == (
        400,
        "INVALID_ARGUMENT",
        "Default:InvalidArgument",
        {"message": message},
    )
