"""Registry emulator: token, preview flag and scope checks, and the test hooks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from gateway.emulator.auth import make_jwt
from gateway.emulator.registry.seed import (
    CHURN_MODEL_RID,
    CHURN_PROD_MODEL_RID,
    ML_MODELS_FOLDER_RID,
    PRODUCTION_FOLDER_RID,
)
from tests.conftest import EmulatorHandle
from tests.contract.registry_records import error_of
from tests.emulator.registry import CHURN_REPOSITORY, LATEST_CHURN, MINIMAL_VERSION

# (method, path, body) for every endpoint, each valid when the checks pass
CALLS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("POST", "/api/v2/models", {"name": "m", "parentFolderRid": ML_MODELS_FOLDER_RID}),
    ("GET", f"/api/v2/models/{CHURN_MODEL_RID}", None),
    ("POST", f"/api/v2/models/{CHURN_MODEL_RID}/versions", MINIMAL_VERSION),
    ("GET", f"/api/v2/models/{CHURN_MODEL_RID}/versions?pageSize=1", None),
    ("GET", f"/api/v2/models/{CHURN_MODEL_RID}/versions/{LATEST_CHURN}", None),
    (
        "POST",
        f"/api/v2/models/{CHURN_PROD_MODEL_RID}/promoteVersion",
        {"sourceModelVersionRid": LATEST_CHURN},
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
    url = httpx.URL(path).copy_merge_params(params)
    return client.request(method, url, json=body, headers=headers)


class Like:
    """Equal to any string `pattern` matches in full: a generated rid or a timestamp."""

    def __init__(self, pattern: str) -> None:
        self.pattern = re.compile(pattern)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and self.pattern.fullmatch(other) is not None

    def __repr__(self) -> str:
        return f"Like({self.pattern.pattern!r})"


UUID4 = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
NEW_MODEL = Like(rf"ri\.models\.main\.model\.{UUID4}")
NEW_VERSION_RID = Like(rf"ri\.models\.main\.model-version\.{UUID4}")
NOW = Like(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
# The seeded churn_predictor's newest version, as the registry returns it
NEWEST_VERSION: dict[str, Any] = {
    "rid": LATEST_CHURN,
    "modelApi": {
        "inputs": [
            {
                "type": "tabular",
                "name": "customers",
                "required": True,
                "format": "PANDAS",
                "columns": [
                    {"name": "customer_id", "required": True, "dataType": {"type": "string"}},
                    {"name": "tenure_months", "required": True, "dataType": {"type": "integer"}},
                    {"name": "monthly_spend", "required": True, "dataType": {"type": "double"}},
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
                "required": True,
                "format": "PANDAS",
                "columns": [
                    {"name": "customer_id", "required": True, "dataType": {"type": "string"}},
                    {
                        "name": "churn_probability",
                        "required": True,
                        "dataType": {"type": "double"},
                    },
                ],
            }
        ],
    },
    "condaRequirements": ["python=3.11", "pandas=2.2.2", "scikit-learn==1.5.2", "joblib>=1.3,<2"],
    "backingRepositories": [CHURN_REPOSITORY],
    "createdTime": "2025-03-04T16:45:09.902Z",
    "source": {"type": "sdk"},
}
# What each call of CALLS answers with the token and the preview flag
ANSWERS: dict[str, dict[str, Any]] = {
    "create-model": {"rid": NEW_MODEL},
    "get-model": {"rid": CHURN_MODEL_RID},
    "create-version": {
        "rid": NEW_VERSION_RID,
        "modelApi": {"inputs": [], "outputs": []},
        "condaRequirements": [],
        "backingRepositories": [],
        "createdTime": NOW,
        "source": {"type": "sdk"},
    },
    "list-versions": {"data": [NEWEST_VERSION], "nextPageToken": Like(r"v1\.[\w=-]+")},
    "get-version": NEWEST_VERSION,
    "promote": {
        **NEWEST_VERSION,
        "rid": NEW_VERSION_RID,
        "createdTime": NOW,
        "source": {
            "type": "promoted",
            "previousModelRid": CHURN_MODEL_RID,
            "previousModelVersionRid": LATEST_CHURN,
        },
    },
}


@pytest.mark.parametrize(
    ("call", "answer"),
    [(call, ANSWERS[name]) for call, name in zip(CALLS, CALL_IDS, strict=True)],
    ids=CALL_IDS,
)
def test_every_endpoint_answers_with_token_and_preview(
    client: httpx.Client,
    emulator: EmulatorHandle,
    call: tuple[str, str, dict[str, Any] | None],
    answer: dict[str, Any],
) -> None:
    response = _call(client, call, emulator.headers(), {"preview": "true"})

    assert (response.status_code, response.json()) == (200, answer)


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


BAD_WRITABLE = 'the body must be {"writable": true} or {"writable": false}'
BAD_UNSUPPORTED = 'the body must be {"unsupported": true} or {"unsupported": false}'


@pytest.mark.parametrize(
    ("path", "body", "status", "error"),
    [
        (
            "models/ri.models.main.model.x/writable",
            {"writable": False},
            404,
            "unknown model ri.models.main.model.x",
        ),
        (
            "folders/ri.compass.main.folder.x/writable",
            {"writable": False},
            404,
            "unknown folder ri.compass.main.folder.x",
        ),
        (
            "versions/ri.models.main.model-version.x/unsupported",
            {"unsupported": True},
            404,
            "unknown version ri.models.main.model-version.x",
        ),
        (f"models/{CHURN_MODEL_RID}/writable", {"writable": "no"}, 400, BAD_WRITABLE),
        (f"models/{CHURN_MODEL_RID}/writable", {"unsupported": True}, 400, BAD_WRITABLE),
        (f"models/{CHURN_MODEL_RID}/writable", ["writable"], 400, BAD_WRITABLE),
        (f"versions/{LATEST_CHURN}/unsupported", {"unsupported": None}, 400, BAD_UNSUPPORTED),
    ],
)
def test_hooks_reject_unknown_rids_and_bad_bodies(
    emulator: EmulatorHandle, path: str, body: object, status: int, error: str
) -> None:
    response = emulator.admin.put(f"/registry/{path}", json=body)

    assert (response.status_code, response.json()) == (status, {"error": error})


def test_reset_restores_hook_flags(client: httpx.Client, emulator: EmulatorHandle) -> None:
    # given a read-only model and an unsupported version
    base = "/registry"
    emulator.admin.put(f"{base}/models/{CHURN_MODEL_RID}/writable", json={"writable": False})
    emulator.admin.put(f"{base}/versions/{LATEST_CHURN}/unsupported", json={"unsupported": True})

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
