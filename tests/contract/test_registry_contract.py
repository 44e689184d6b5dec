"""Registry emulator vs the Foundry contract: example shapes and strict typed records.

Shape tests replay the examples' story (create a model, publish a version, promote it,
list and page) and compare every body with the example file of the same call: the same
keys at every level, values of the same JSON types. List elements must match the shape
of some element of the example's list (union variants differ in keys). They need
`$GATEWAY_CONTRACTS_DIR`. The record tests decode every seeded and every answered body
with strict msgspec records and always run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import msgspec
import orjson
import pytest

from gateway.emulator.auth import make_jwt
from gateway.emulator.config import DEFAULT_TOKEN
from gateway.emulator.ids import REGISTRY_LINKED_MODELS, registry_version_rid
from gateway.emulator.registry.seed import (
    CHURN_MODEL_RID,
    CHURN_PROD_MODEL_RID,
    ML_MODELS_FOLDER_RID,
    MODEL_RIDS,
    STAGING_MODEL_RID,
)
from tests.conftest import EmulatorHandle
from tests.contract.registry_records import (
    ERROR_PARAMETERS,
    ModelRecord,
    decode_error,
    decode_page,
    decode_version,
)

UNKNOWN_MODEL = "ri.models.main.model.00000000-1111-4222-8333-444444444444"
UNKNOWN_VERSION = "ri.models.main.model-version.0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"
UNKNOWN_FOLDER = "ri.compass.main.folder.3b8f2c1e-7d4a-4e5b-9c6f-1a2b3c4d5e6f"


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    return "object" if isinstance(value, dict) else "null"


@dataclass
class Shapes:
    """Key sets and JSON types seen at each path of some example bodies.

    Paths are JSONPath-like with `[]` for any list index; `outputs` counts as `inputs`,
    since both hold the same union (API.md §2).
    """

    keys: dict[str, set[frozenset[str]]] = field(default_factory=dict)
    types: dict[str, set[str]] = field(default_factory=dict)


def _step(path: str, key: str) -> str:
    return f"{path}.{'inputs' if key == 'outputs' else key}"


def shapes_of(*examples: Any) -> Shapes:
    shapes = Shapes()

    def visit(value: Any, path: str) -> None:
        shapes.types.setdefault(path, set()).add(_json_type(value))
        if isinstance(value, dict):
            shapes.keys.setdefault(path, set()).add(frozenset(value))
            for key, item in value.items():
                visit(item, _step(path, key))
        elif isinstance(value, list):
            for item in value:
                visit(item, f"{path}[]")

    for example in examples:
        visit(example, "$")
    return shapes


def shape_mismatch(actual: Any, shapes: Shapes, path: str = "$") -> str | None:
    """Why `actual` does not have the example shapes, or None when it has them."""
    kind = _json_type(actual)
    if kind not in shapes.types.get(path, set()):
        return f"{path}: {kind} is not among the example types {sorted(shapes.types.get(path, []))}"
    if isinstance(actual, dict):
        if frozenset(actual) not in shapes.keys[path]:
            return f"{path}: keys {sorted(actual)} are not an example key set"
        reasons = (shape_mismatch(v, shapes, _step(path, k)) for k, v in actual.items())
        return next((r for r in reasons if r), None)
    if isinstance(actual, list):
        reasons = (shape_mismatch(item, shapes, f"{path}[]") for item in actual)
        return next((r for r in reasons if r), None)
    return None


def assert_shape(actual: Any, *examples: Any) -> None:
    why = shape_mismatch(actual, shapes_of(*examples))
    assert why is None, why


@pytest.fixture
def examples(contracts_dir: Path) -> Path:
    return contracts_dir / "foundry" / "examples"


def load(examples: Path, name: str) -> Any:
    return orjson.loads((examples / name).read_bytes())


def test_shape_mismatch_finds_differences() -> None:
    shapes = shapes_of({"a": [{"type": "x", "n": 1}, {"type": "y"}], "b": "s"})

    assert shape_mismatch({"a": [{"type": "y"}, {"type": "z", "n": 2}], "b": "t"}, shapes) is None
    assert shape_mismatch({"a": [], "b": "t", "c": None}, shapes) == (
        "$: keys ['a', 'b', 'c'] are not an example key set"
    )
    assert shape_mismatch({"a": [{"type": "x", "n": "1"}], "b": "t"}, shapes) == (
        "$.a[].n: string is not among the example types ['number']"
    )
    assert shape_mismatch({"a": [{"type": "x", "n": True}], "b": "t"}, shapes) == (
        "$.a[].n: boolean is not among the example types ['number']"
    )
    assert shape_mismatch({"a": [{"n": 1}], "b": "t"}, shapes) == (
        "$.a[]: keys ['n'] are not an example key set"
    )


def test_example_story_matches_the_example_shapes(registry: httpx.Client, examples: Path) -> None:
    # given the examples' requests, with a folder the emulator knows
    create_model = load(examples, "create-model.request.json")
    create_model["parentFolderRid"] = ML_MODELS_FOLDER_RID
    create_version = load(examples, "create-model-version.request.json")

    # when the story is replayed: a dev and a prod model, a version published to dev
    dev = registry.post("/api/v2/models", json=create_model)
    prod = registry.post("/api/v2/models", json={**create_model, "name": "prod"})
    dev_rid, prod_rid = dev.json()["rid"], prod.json()["rid"]
    published = registry.post(f"/api/v2/models/{dev_rid}/versions", json=create_version)
    version_rid = published.json()["rid"]
    fetched_model = registry.get(f"/api/v2/models/{dev_rid}")
    fetched_version = registry.get(f"/api/v2/models/{dev_rid}/versions/{version_rid}")
    promote = load(examples, "promote-version.request.json")
    promote["sourceModelVersionRid"] = version_rid
    promoted = registry.post(f"/api/v2/models/{prod_rid}/promoteVersion", json=promote)
    minimal = load(examples, "promote-version.request.minimal.json")
    minimal["sourceModelVersionRid"] = version_rid
    promoted_again = registry.post(f"/api/v2/models/{prod_rid}/promoteVersion", json=minimal)
    page1 = registry.get(f"/api/v2/models/{prod_rid}/versions", params={"pageSize": 1})
    page2 = registry.get(
        f"/api/v2/models/{prod_rid}/versions",
        params={"pageSize": 1, "pageToken": page1.json()["nextPageToken"]},
    )
    empty = registry.get(f"/api/v2/models/{dev_rid}/versions", params={"branch": "none"})

    # then every answer has the shape of its example
    answers = [dev, prod, published, fetched_model, fetched_version, promoted, promoted_again]
    assert [a.status_code for a in [*answers, page1, page2, empty]] == [200] * 10
    assert_shape(dev.json(), load(examples, "create-model.response.json"))
    assert_shape(fetched_model.json(), load(examples, "get-model.response.json"))
    assert_shape(published.json(), load(examples, "create-model-version.response.json"))
    assert_shape(fetched_version.json(), load(examples, "create-model-version.response.json"))
    assert_shape(promoted.json(), load(examples, "promote-version.response.json"))
    assert_shape(promoted_again.json(), load(examples, "promote-version.response.json"))
    page_example = load(examples, "list-model-versions.page1.response.json")
    page_example["data"] = [load(examples, "promote-version.response.json")]
    assert_shape(page1.json(), page_example)
    last_example = load(examples, "list-model-versions.page2.response.json")
    last_example["data"] = page_example["data"]
    assert_shape(page2.json(), last_example)
    assert_shape(empty.json(), load(examples, "list-model-versions.empty.response.json"))
    # and the published version echoes the request's contents, as in the example
    expected = load(examples, "create-model-version.response.json")
    assert published.json() == {
        **expected,
        "rid": version_rid,
        "createdTime": published.json()["createdTime"],
    }


def test_seeded_versions_of_the_example_model_match_the_example_shapes(
    registry: httpx.Client, examples: Path
) -> None:
    # given every version the examples show (sdk and code-repository sources)
    versions = [
        *load(examples, "list-model-versions.page1.response.json")["data"],
        *load(examples, "list-model-versions.page2.response.json")["data"],
        load(examples, "get-model-version.response.json"),
        load(examples, "create-model-version.response.json"),
    ]
    page_example = {"data": versions, "nextPageToken": "v1.x"}

    # when churn_predictor (the examples' "dev" model) is paged through
    first = registry.get(f"/api/v2/models/{CHURN_MODEL_RID}/versions", params={"pageSize": 2})
    token = first.json()["nextPageToken"]
    last = registry.get(
        f"/api/v2/models/{CHURN_MODEL_RID}/versions", params={"pageSize": 2, "pageToken": token}
    )

    # then each page has the example pages' shape
    assert_shape(first.json(), page_example)
    assert_shape(last.json(), {"data": versions})


@dataclass(frozen=True, slots=True)
class Call:
    method: str
    path: str
    body: dict[str, Any] | None = None
    token: str | None = DEFAULT_TOKEN
    preview: bool = True
    query: dict[str, str] = field(default_factory=dict)

    def send(self, client: httpx.Client) -> httpx.Response:
        headers = {} if self.token is None else {"Authorization": f"Bearer {self.token}"}
        params = {"preview": "true", **self.query} if self.preview else self.query
        return client.request(
            self.method, self.path, json=self.body, headers=headers, params=params
        )


VERSION = registry_version_rid("churn_predictor", 4)
VERSIONS = f"/api/v2/models/{CHURN_MODEL_RID}/versions"
NEW_VERSION = {
    "modelFiles": {"type": "dill", "serializedModelFunction": "gASVLg=="},
    "modelApi": {"inputs": [], "outputs": []},
}
DUPLICATE_INPUTS = {
    "inputs": [
        {"type": "parameter", "name": "a", "dataType": {"type": "string"}},
        {"type": "parameter", "name": "a", "dataType": {"type": "string"}},
    ],
    "outputs": [],
}
# errorName -> a call that answers it, made before the test hooks are set
ERROR_CALLS: dict[str, Call] = {
    "ModelNotFound": Call("GET", f"/api/v2/models/{UNKNOWN_MODEL}"),
    "ModelVersionNotFound": Call("GET", f"{VERSIONS}/{UNKNOWN_VERSION}"),
    "FolderNotFound": Call(
        "POST", "/api/v2/models", {"name": "m", "parentFolderRid": UNKNOWN_FOLDER}
    ),
    "InvalidDisplayName": Call(
        "POST", "/api/v2/models", {"name": "models/churn", "parentFolderRid": ML_MODELS_FOLDER_RID}
    ),
    "ResourceNameAlreadyExists": Call(
        "POST",
        "/api/v2/models",
        {"name": "churn_predictor", "parentFolderRid": ML_MODELS_FOLDER_RID},
    ),
    "InvalidModelApi": Call("POST", VERSIONS, {**NEW_VERSION, "modelApi": DUPLICATE_INPUTS}),
    "CondaSolveFailureForProvidedPackages": Call(
        "POST",
        VERSIONS,
        {**NEW_VERSION, "condaRequirements": ["scikit-learn=0.0.1", "scikit-learn=1.5.2"]},
    ),
    "InvalidPageSize": Call("GET", VERSIONS, query={"pageSize": "0"}),
    "InvalidPageToken": Call("GET", VERSIONS, query={"pageToken": "not-a-real-token"}),
    "ApiUsageDenied": Call(
        "POST", VERSIONS, NEW_VERSION, token=make_jwt("alice", scope="api:models-read")
    ),
    "Default:Unauthorized": Call("GET", VERSIONS, token=None),
    "ApiFeaturePreviewUsageOnly": Call("GET", VERSIONS, preview=False),
    "Default:InvalidArgument": Call("POST", "/api/v2/models", {"name": "m"}),
}
# errorName -> a call that answers it once the test hooks are set
HOOKED_CALLS: dict[str, Call] = {
    "UnsupportedModelSource": Call("GET", f"{VERSIONS}/{VERSION}"),
    "CreateModelPermissionDenied": Call(
        "POST", "/api/v2/models", {"name": "x", "parentFolderRid": ML_MODELS_FOLDER_RID}
    ),
    "CreateModelVersionPermissionDenied": Call(
        "POST", f"/api/v2/models/{STAGING_MODEL_RID}/versions", NEW_VERSION
    ),
    "PromoteVersionModelPermissionDenied": Call(
        "POST",
        f"/api/v2/models/{CHURN_PROD_MODEL_RID}/promoteVersion",
        {"sourceModelVersionRid": VERSION},
    ),
}
HOOKS = [
    (f"folders/{ML_MODELS_FOLDER_RID}/writable", {"writable": False}),
    (f"models/{STAGING_MODEL_RID}/writable", {"writable": False}),
    (f"models/{CHURN_PROD_MODEL_RID}/writable", {"writable": False}),
    (f"versions/{VERSION}/unsupported", {"unsupported": True}),
]
STATUS = {"INVALID_ARGUMENT": 400, "UNAUTHORIZED": 401, "PERMISSION_DENIED": 403}
STATUS |= {"NOT_FOUND": 404, "CONFLICT": 409}


def _answer_every_error(emulator: EmulatorHandle) -> dict[str, httpx.Response]:
    client = httpx.Client(base_url=emulator.registry_url, timeout=10)
    answers = {name: call.send(client) for name, call in ERROR_CALLS.items()}
    for path, body in HOOKS:
        emulator.admin.put(f"/registry/{path}", json=body).raise_for_status()
    answers |= {name: call.send(client) for name, call in HOOKED_CALLS.items()}
    client.close()
    return answers


def test_every_example_error_is_answered_with_its_shape(
    emulator: EmulatorHandle, examples: Path
) -> None:
    # given the example error files
    files = {p.name: load(examples, p.name) for p in examples.glob("error.*.json")}
    assert len(files) == 15

    # when every error is provoked
    answers = _answer_every_error(emulator)

    # then each example's error is answered with the example's shape, status and text
    for file, example in sorted(files.items()):
        response = answers[example["errorName"]]
        assert response.status_code == STATUS[example["errorCode"]], file
        assert_shape(response.json(), example)
        assert response.json()["errorName"] == example["errorName"]
        assert response.json().get("errorDescription") == example.get("errorDescription"), file


def test_every_error_body_decodes_strictly(emulator: EmulatorHandle) -> None:
    # when every error the registry can answer is provoked
    answers = _answer_every_error(emulator)

    # then each decodes strictly, named as asked, with parameters typed for its name
    names = {n: decode_error(r.status_code, r.content).error_name for n, r in answers.items()}
    assert names == {name: name for name in ERROR_PARAMETERS}
    # and each occurrence has its own errorInstanceId
    assert len({r.json()["errorInstanceId"] for r in answers.values()}) == len(answers)


def test_every_seeded_version_decodes_strictly(registry: httpx.Client) -> None:
    # given every seeded model, on both branches in use
    decoded = 0
    for name in REGISTRY_LINKED_MODELS:
        model = registry.get(f"/api/v2/models/{MODEL_RIDS[name]}")
        assert msgspec.json.decode(model.content, type=ModelRecord).rid == MODEL_RIDS[name]
        for branch in ("master", "staging"):
            # when its versions are listed and each is fetched
            page = registry.get(
                f"/api/v2/models/{MODEL_RIDS[name]}/versions", params={"branch": branch}
            )
            # then the page and every version decode into the strict records
            for version in decode_page(page.content).data:
                single = registry.get(f"/api/v2/models/{MODEL_RIDS[name]}/versions/{version.rid}")
                assert decode_version(single.content) == version
                decoded += 1
    assert decoded == 21
