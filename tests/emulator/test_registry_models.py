"""Registry emulator: create and get models, and their errors."""

from __future__ import annotations

import re

import httpx
import pytest

from gateway.emulator.registry.seed import (
    CHURN_MODEL_RID,
    ML_MODELS_FOLDER_RID,
    MODEL_RIDS,
    PRODUCTION_FOLDER_RID,
)
from tests.conftest import EmulatorHandle
from tests.contract.registry_records import error_of
from tests.emulator.registry import UNKNOWN_MODEL

MODEL_RID = re.compile(r"^ri\.models\.main\.model\.[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab]")


def test_create_model_answers_a_new_rid_that_can_be_read_back(registry: httpx.Client) -> None:
    # given a new model name in a seeded folder
    body = {"name": "Churn Classifier (prod)", "parentFolderRid": ML_MODELS_FOLDER_RID}

    # when it is created
    created = registry.post("/api/v2/models", json=body)

    # then the answer is the whole Model object, with a fresh uuid4 RID
    assert created.status_code == 200
    assert list(created.json()) == ["rid"]
    rid = created.json()["rid"]
    assert MODEL_RID.match(rid)
    # and the model exists, with no versions yet
    fetched = registry.get(f"/api/v2/models/{rid}")
    assert (fetched.status_code, fetched.json()) == (200, {"rid": rid})
    versions = registry.get(f"/api/v2/models/{rid}/versions")
    assert (versions.status_code, versions.json()) == (200, {"data": []})


def test_every_seeded_model_can_be_read(registry: httpx.Client) -> None:
    # given the seeded models
    # when each is fetched
    answers = {name: registry.get(f"/api/v2/models/{rid}") for name, rid in MODEL_RIDS.items()}

    # then each answers its own RID
    assert {n: (r.status_code, r.json()) for n, r in answers.items()} == {
        name: (200, {"rid": rid}) for name, rid in MODEL_RIDS.items()
    }


def test_get_unknown_model_is_model_not_found(registry: httpx.Client) -> None:
    # when an unknown model is fetched
    response = registry.get(f"/api/v2/models/{UNKNOWN_MODEL}")

    # then
    assert error_of(response.status_code, response.content) == (
        404,
        "NOT_FOUND",
        "ModelNotFound",
        {"modelRid": UNKNOWN_MODEL},
    )


@pytest.mark.parametrize("name", [".", "..", "models/churn", "x" * 701, ""])
def test_invalid_display_name(registry: httpx.Client, name: str) -> None:
    # when a model is created with a name the filesystem refuses
    response = registry.post(
        "/api/v2/models", json={"name": name, "parentFolderRid": ML_MODELS_FOLDER_RID}
    )

    # then
    assert error_of(response.status_code, response.content) == (
        400,
        "INVALID_ARGUMENT",
        "InvalidDisplayName",
        {"displayName": name},
    )


def test_a_700_character_name_is_valid(registry: httpx.Client) -> None:
    # when a model is created with the longest name allowed
    body = {"name": "x" * 700, "parentFolderRid": ML_MODELS_FOLDER_RID}
    response = registry.post("/api/v2/models", json=body)

    # then it answers the new model, whose name is taken from then on, in full
    rid = response.json()["rid"]
    assert MODEL_RID.match(rid)
    assert (response.status_code, response.json()) == (200, {"rid": rid})
    again = registry.post("/api/v2/models", json=body)
    assert error_of(again.status_code, again.content) == (
        409,
        "CONFLICT",
        "ResourceNameAlreadyExists",
        {"parentFolderRid": ML_MODELS_FOLDER_RID, "displayName": "x" * 700},
    )


def test_name_taken_in_the_folder_is_a_conflict(registry: httpx.Client) -> None:
    # given the seeded model "churn_predictor" in the ML Models folder
    body = {"name": "churn_predictor", "parentFolderRid": ML_MODELS_FOLDER_RID}

    # when a model of that name is created in the same folder
    response = registry.post("/api/v2/models", json=body)

    # then
    assert error_of(response.status_code, response.content) == (
        409,
        "CONFLICT",
        "ResourceNameAlreadyExists",
        {"parentFolderRid": ML_MODELS_FOLDER_RID, "displayName": "churn_predictor"},
    )


def test_the_same_name_in_another_folder_is_allowed(registry: httpx.Client) -> None:
    body = {"name": "churn_predictor", "parentFolderRid": PRODUCTION_FOLDER_RID}

    response = registry.post("/api/v2/models", json=body)

    assert response.status_code == 200
    assert response.json()["rid"] != CHURN_MODEL_RID


def test_a_created_name_is_taken_afterwards(registry: httpx.Client) -> None:
    body = {"name": "Forecast v2", "parentFolderRid": PRODUCTION_FOLDER_RID}
    assert registry.post("/api/v2/models", json=body).status_code == 200

    again = registry.post("/api/v2/models", json=body)

    assert again.status_code == 409


def test_unknown_folder_is_folder_not_found(registry: httpx.Client) -> None:
    folder = "ri.compass.main.folder.3b8f2c1e-7d4a-4e5b-9c6f-1a2b3c4d5e6f"

    response = registry.post("/api/v2/models", json={"name": "m", "parentFolderRid": folder})

    assert error_of(response.status_code, response.content) == (
        404,
        "NOT_FOUND",
        "FolderNotFound",
        {"folderRid": folder},
    )


def test_unwritable_folder_denies_create(registry: httpx.Client, emulator: EmulatorHandle) -> None:
    # given the production folder made read-only through the test hook
    hook = emulator.admin.put(
        f"/registry/folders/{PRODUCTION_FOLDER_RID}/writable",
        json={"writable": False},
    )
    assert (hook.status_code, hook.json()) == (
        200,
        {"rid": PRODUCTION_FOLDER_RID, "writable": False},
    )

    # when a model is created in it
    response = registry.post(
        "/api/v2/models", json={"name": "new", "parentFolderRid": PRODUCTION_FOLDER_RID}
    )

    # then
    assert error_of(response.status_code, response.content) == (
        403,
        "PERMISSION_DENIED",
        "CreateModelPermissionDenied",
        {},
    )
    # and the other folder still accepts models
    other = registry.post(
        "/api/v2/models", json={"name": "new", "parentFolderRid": ML_MODELS_FOLDER_RID}
    )
    assert other.status_code == 200


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "body: not valid JSON"),
        (b'["a"]', "body: expected an object"),
        (b'{"name": "m"}', "body: missing required field 'parentFolderRid'"),
        (b'{"name": 5, "parentFolderRid": "x"}', "name: expected a string"),
        (
            b'{"name": "m", "parentFolderRid": "x", "description": "d"}',
            "body: unknown field 'description'",
        ),
    ],
)
def test_unreadable_create_body_is_invalid_argument(
    registry: httpx.Client, content: bytes, message: str
) -> None:
    response = registry.post(
        "/api/v2/models", content=content, headers={"Content-Type": "application/json"}
    )

    assert error_of(response.status_code, response.content) == (
        400,
        "INVALID_ARGUMENT",
        "Default:InvalidArgument",
        {"message": message},
    )
