"""Registry emulator: token, preview flag and scope checks, and the test hooks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from gateway.emulator.auth import make_jwt
from gateway.emulator.ids import registry_version_rid
from gateway.emulator.registry.seed import (
    CHURN_MODEL_RID,
    CHURN_PROD_MODEL_RID,
    ML_MODELS_FOLDER_RID,
    PRODUCTION_FOLDER_RID,
)
from tests.conftest import EmulatorHandle
from tests.contract.registry_records import error_of

VERSION = registry_version_rid("churn_predictor", 4)
NEW_VERSION = {
    "modelFiles": {"type": "dill", "serializedModelFunction": "gASVLg=="},
    "modelApi": {"inputs": [], "outputs": []},
}
# (method, path, body) for every endpoint, each valid when the checks pass
CALLS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("POST", "/api/v2/models", {"name": "m", "parentFolderRid": ML_MODELS_FOLDER_RID}),
    ("GET", f"/api/v2/models/{CHURN_MODEL_RID}", None),
    ("POST", f"/api/v2/models/{CHURN_MODEL_RID}/versions", NEW_VERSION),
    ("GET", f"/api/v2/models/{CHURN_MODEL_RID}/versions", None),
    ("GET", f"/api/v2/models/{CHURN_MODEL_RID}/versions/{VERSION}", None),
    (
        "POST",
        f"/api/v2/models/{CHURN_PROD_MODEL_RID}/promoteVersion",
        {"sourceModelVersionRid": VERSION},
    ),
]
CALL_IDS = [
    "create-model",
    "get-model",
    "create-version",
    "list-versions",
    "get-version",
    "promote",
]


@pytest.fixture(scope="module")
def bare_client(emulator_server: EmulatorHandle) -> Iterator[httpx.Client]:
    """One keep-alive client per module; it sends no token and no preview flag."""
    with httpx.Client(base_url=emulator_server.registry_url, timeout=10) as client:
        yield client


@pytest.fixture
def client(emulator: EmulatorHandle, bare_client: httpx.Client) -> httpx.Client:
    """The module's client, talking to the freshly reseeded emulator."""
    return bare_client


def _call(
    client: httpx.Client,
    call: tuple[str, str, dict[str, Any] | None],
    headers: dict[str, str],
    params: dict[str, str],
) -> httpx.Response:
    method, path, body = call
    return client.request(method, path, json=body, headers=headers, params=params)


@pytest.mark.parametrize("call", CALLS, ids=CALL_IDS)
def test_every_endpoint_answers_with_token_and_preview(
    client: httpx.Client, emulator: EmulatorHandle, call: tuple[str, str, dict[str, Any] | None]
) -> None:
    response = _call(client, call, emulator.headers(), {"preview": "true"})

    assert response.status_code == 200


@pytest.mark.parametrize("call", CALLS, ids=CALL_IDS)
def test_preview_is_required(
    client: httpx.Client, emulator: EmulatorHandle, call: tuple[str, str, dict[str, Any] | None]
) -> None:
    response = _call(client, call, emulator.headers(), {})

    assert error_of(response.status_code, response.content) == (
        400,
        "INVALID_ARGUMENT",
        "ApiFeaturePreviewUsageOnly",
        {},
    )


def test_preview_false_is_refused(client: httpx.Client, emulator: EmulatorHandle) -> None:
    response = _call(client, CALLS[3], emulator.headers(), {"preview": "false"})

    assert (response.status_code, response.json()["errorName"]) == (
        400,
        "ApiFeaturePreviewUsageOnly",
    )


@pytest.mark.parametrize("call", CALLS, ids=CALL_IDS)
def test_bearer_token_is_required(
    client: httpx.Client, emulator: EmulatorHandle, call: tuple[str, str, dict[str, Any] | None]
) -> None:
    response = _call(client, call, {}, {"preview": "true"})

    assert error_of(response.status_code, response.content) == (
        401,
        "UNAUTHORIZED",
        "Default:Unauthorized",
        {},
    )


@pytest.mark.parametrize(
    "authorization", ["Bearer", "Basic YWRtaW46YWRtaW4="], ids=["no-token", "basic"]
)
def test_other_authorization_headers_are_unauthorized(
    client: httpx.Client, emulator: EmulatorHandle, authorization: str
) -> None:
    response = _call(client, CALLS[1], {"Authorization": authorization}, {"preview": "true"})

    assert (response.status_code, response.json()["errorName"]) == (401, "Default:Unauthorized")


@pytest.mark.parametrize("token", ["some-opaque-token", make_jwt("alice")], ids=["opaque", "jwt"])
def test_any_bearer_token_is_accepted(client: httpx.Client, token: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}

    without_preview = _call(client, CALLS[1], headers, {})
    with_preview = _call(client, CALLS[1], headers, {"preview": "true"})

    # the token gets past authentication: the next check is the preview flag
    assert without_preview.json()["errorName"] == "ApiFeaturePreviewUsageOnly"
    assert with_preview.status_code == 200


@pytest.mark.parametrize(
    ("scope", "call", "missing"),
    [
        ("api:models-read", CALLS[0], "api:models-write"),
        ("api:models-read", CALLS[5], "api:models-write"),
        ("api:models-write", CALLS[1], "api:models-read"),
        (["api:ontologies-read"], CALLS[3], "api:models-read"),
    ],
    ids=["create-with-read", "promote-with-read", "get-with-write", "other-api-scope"],
)
def test_token_scopes_are_enforced(
    client: httpx.Client,
    emulator: EmulatorHandle,
    scope: str | list[str],
    call: tuple[str, str, dict[str, Any] | None],
    missing: str,
) -> None:
    # given a JWT granting Foundry API scopes without the one the endpoint needs
    headers = {"Authorization": f"Bearer {make_jwt('alice', scope=scope)}"}

    # when the endpoint is called
    response = _call(client, call, headers, {"preview": "true"})

    # then
    assert error_of(response.status_code, response.content) == (
        403,
        "PERMISSION_DENIED",
        "ApiUsageDenied",
        {"missingScope": missing},
    )


@pytest.mark.parametrize(
    "scope", ["api:models-read api:models-write", "openid profile"], ids=["both", "no-api-scopes"]
)
def test_tokens_with_enough_or_no_api_scopes_pass(
    client: httpx.Client, emulator: EmulatorHandle, scope: str
) -> None:
    headers = {"Authorization": f"Bearer {make_jwt('alice', scope=scope)}"}

    read = _call(client, CALLS[1], headers, {"preview": "true"})
    write = _call(client, CALLS[2], headers, {"preview": "true"})

    assert (read.status_code, write.status_code) == (200, 200)


def test_folders_hook_lists_the_seeded_folders(emulator: EmulatorHandle) -> None:
    response = emulator.admin.get("/registry/folders")

    assert response.json() == {
        "folders": [
            {"rid": ML_MODELS_FOLDER_RID, "displayName": "ML Models", "writable": True},
            {"rid": PRODUCTION_FOLDER_RID, "displayName": "Production Models", "writable": True},
        ]
    }


@pytest.mark.parametrize(
    ("path", "body", "expected"),
    [
        ("models/ri.models.main.model.x/writable", {"writable": False}, 404),
        ("folders/ri.compass.main.folder.x/writable", {"writable": False}, 404),
        ("versions/ri.models.main.model-version.x/unsupported", {"unsupported": True}, 404),
        (f"models/{CHURN_MODEL_RID}/writable", {"writable": "no"}, 400),
        (f"models/{CHURN_MODEL_RID}/writable", {"unsupported": True}, 400),
    ],
)
def test_hooks_reject_unknown_rids_and_bad_bodies(
    emulator: EmulatorHandle, path: str, body: dict[str, object], expected: int
) -> None:
    response = emulator.admin.put(f"/registry/{path}", json=body)

    assert response.status_code == expected
    assert list(response.json()) == ["error"]


def test_reset_restores_hook_flags(client: httpx.Client, emulator: EmulatorHandle) -> None:
    # given a read-only model and an unsupported version
    base = "/registry"
    emulator.admin.put(f"{base}/models/{CHURN_MODEL_RID}/writable", json={"writable": False})
    emulator.admin.put(f"{base}/versions/{VERSION}/unsupported", json={"unsupported": True})

    # when the emulator is reset
    emulator.reset()

    # then both answer normally again
    assert _call(client, CALLS[2], emulator.headers(), {"preview": "true"}).status_code == 200
    assert _call(client, CALLS[4], emulator.headers(), {"preview": "true"}).status_code == 200


def test_hook_calls_are_not_counted(emulator: EmulatorHandle) -> None:
    emulator.reset_counters()

    emulator.admin.get("/registry/folders")
    emulator.admin.put(
        f"/registry/models/{CHURN_MODEL_RID}/writable",
        json={"writable": True},
    )

    assert emulator.counters() == {}
