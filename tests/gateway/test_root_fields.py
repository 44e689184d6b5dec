"""Every root field and every argument of it, answered exactly as the upstreams hold the data.

Expected values come from the emulator's REST API (or from the seed where a fixed anchor
says more), so each assert compares the whole answer of the gateway with its source.
Paging arguments of the connections are covered in test_paging.py.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from gateway.emulator.ids import registry_model_rid, registry_version_rid, seed_uuid
from tests.conftest import EmulatorHandle, GatewayClient
from tests.gateway.rest import catalog_delete, catalog_get, graphql_enum_name, registry_get
from tests.mutations.rest import registry_hook

MODEL_FIELDS = """
    id name fullyQualifiedName displayName description algorithm target server
    serviceType version updatedBy deleted updatedAt
"""
ML_MODEL = f"""
query Model($id: ID, $fqn: String, $include: Include! = NON_DELETED) {{
  mlModel(id: $id, fullyQualifiedName: $fqn, include: $include) {{ {MODEL_FIELDS} }}
}}
"""
ML_MODELS = f"""
query Models($include: Include!, $service: String) {{
  mlModels(first: 100, include: $include, service: $service) {{
    totalCount nodes {{ {MODEL_FIELDS} }}
  }}
}}
"""
SERVICE_FIELDS = "id kind name fullyQualifiedName serviceType description deleted version"
SERVICE = f"""
query Service($kind: ServiceKind!, $id: ID, $name: String) {{
  service(kind: $kind, id: $id, name: $name) {{ {SERVICE_FIELDS} }}
}}
"""
SERVICES = f"""
query Services($kind: ServiceKind!, $include: Include!) {{
  services(kind: $kind, first: 100, include: $include) {{ totalCount nodes {{ {SERVICE_FIELDS} }} }}
}}
"""
TABLE_FIELDS = "id name fullyQualifiedName description tableType serviceType version deleted"
TABLE = f"""
query Table($id: ID, $fqn: String) {{
  table(id: $id, fullyQualifiedName: $fqn) {{ {TABLE_FIELDS} }}
}}
"""
TABLES = f"""
query Tables($include: Include!) {{
  tables(first: 100, include: $include) {{ totalCount nodes {{ {TABLE_FIELDS} }} }}
}}
"""
USER_FIELDS = "id name fullyQualifiedName displayName email isAdmin isBot deleted"
USER = f"query User($id: ID, $name: String) {{ user(id: $id, name: $name) {{ {USER_FIELDS} }} }}"
ME = f"query {{ me {{ {USER_FIELDS} }} }}"
MODEL_VERSION = """
query Version($model: String!, $version: String!) {
  modelVersion(modelRid: $model, versionRid: $version) {
    rid modelRid createdTime condaRequirements backingRepositories linkedExperiment
    modelApi {
      inputs { type name required format columns { name required dataType } }
      outputs { type name required format columns { name required dataType } }
    }
    source { type previousModelRid previousModelVersionRid }
    promotedFrom { rid modelRid }
  }
}
"""
MODEL_VERSIONS = """
query Versions($model: String!, $branch: String, $first: Int, $after: String) {
  modelVersions(modelRid: $model, branch: $branch, first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { rid modelRid }
  }
}
"""

CHURN = "mlflow_prod.churn_predictor"
CHURN_ID = seed_uuid("mlmodel", CHURN)
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


def iso(epoch_ms: int) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC).isoformat()


def model_from(rest: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": rest["id"],
        "name": rest["name"],
        "fullyQualifiedName": rest["fullyQualifiedName"],
        "displayName": rest.get("displayName"),
        "description": rest.get("description"),
        "algorithm": rest["algorithm"],
        "target": rest.get("target"),
        "server": rest.get("server"),
        "serviceType": rest.get("serviceType"),
        "version": rest["version"],
        "updatedBy": rest["updatedBy"],
        "deleted": rest["deleted"],
        "updatedAt": iso(rest["updatedAt"]),
    }


def service_from(kind: str, rest: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": rest["id"],
        "kind": kind,
        "name": rest["name"],
        "fullyQualifiedName": rest["fullyQualifiedName"],
        "serviceType": rest["serviceType"],
        "description": rest.get("description"),
        "deleted": rest["deleted"],
        "version": rest["version"],
    }


def table_from(rest: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": rest["id"],
        "name": rest["name"],
        "fullyQualifiedName": rest["fullyQualifiedName"],
        "description": rest.get("description"),
        "tableType": graphql_enum_name(rest.get("tableType")),
        "serviceType": rest.get("serviceType"),
        "version": rest["version"],
        "deleted": rest["deleted"],
    }


def user_from(rest: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": rest["id"],
        "name": rest["name"],
        "fullyQualifiedName": rest["fullyQualifiedName"],
        "displayName": rest.get("displayName"),
        "email": rest["email"],
        "isAdmin": rest["isAdmin"],
        "isBot": rest["isBot"],
        "deleted": rest["deleted"],
    }


def data(result: dict[str, Any]) -> Any:
    assert "errors" not in result, result["errors"]
    return result["data"]


def error_of(result: dict[str, Any]) -> tuple[str, list[str | int], dict[str, Any]]:
    (error,) = result["errors"]
    return error["message"], error["path"], error["extensions"]


# mlModel / mlModels


async def test_ml_model_by_id_and_by_name_is_the_catalogs_model(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given
    expected = model_from(catalog_get(emulator, f"/v1/mlmodels/name/{CHURN}"))
    # when
    by_id = data(await gateway.execute(ML_MODEL, {"id": CHURN_ID}))
    by_name = data(await gateway.execute(ML_MODEL, {"fqn": CHURN}))
    # then
    assert by_id == by_name == {"mlModel": expected}
    assert (expected["id"], expected["algorithm"], expected["version"]) == (
        CHURN_ID,
        "LightGBM",
        1.1,
    )


async def test_an_unknown_ml_model_is_null(gateway: GatewayClient) -> None:
    assert await gateway.execute(ML_MODEL, {"id": UNKNOWN_ID}) == {"data": {"mlModel": None}}
    assert await gateway.execute(ML_MODEL, {"fqn": "mlflow_prod.nope"}) == {
        "data": {"mlModel": None}
    }


async def test_a_soft_deleted_ml_model_is_found_only_when_deleted_ones_are_included(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given a soft-deleted model
    catalog_delete(emulator, f"/v1/mlmodels/{CHURN_ID}")
    deleted = model_from(catalog_get(emulator, f"/v1/mlmodels/{CHURN_ID}", include="deleted"))
    assert deleted["deleted"] is True
    # when / then, by id and by name
    keys: list[dict[str, object]] = [{"id": CHURN_ID}, {"fqn": CHURN}]
    for key in keys:
        assert data(await gateway.execute(ML_MODEL, key)) == {"mlModel": None}
        for include in ("DELETED", "ALL"):
            answer = data(await gateway.execute(ML_MODEL, {**key, "include": include}))
            assert answer == {"mlModel": deleted}


async def test_a_live_ml_model_is_not_among_the_deleted_ones(gateway: GatewayClient) -> None:
    for key in ({"id": CHURN_ID}, {"fqn": CHURN}):
        result = await gateway.execute(ML_MODEL, {**key, "include": "DELETED"})
        assert result == {"data": {"mlModel": None}}


@pytest.mark.parametrize(
    ("include", "rest_include"),
    [("NON_DELETED", "non-deleted"), ("DELETED", "deleted"), ("ALL", "all")],
)
async def test_ml_models_include_the_asked_for_state(
    gateway: GatewayClient, emulator: EmulatorHandle, include: str, rest_include: str
) -> None:
    # given one soft-deleted model among the live ones
    catalog_delete(emulator, f"/v1/mlmodels/{CHURN_ID}")
    rest = catalog_get(emulator, "/v1/mlmodels", limit=100, include=rest_include)
    # when
    answer = data(await gateway.execute(ML_MODELS, {"include": include}))
    # then
    assert answer == {
        "mlModels": {
            "totalCount": rest["paging"]["total"],
            "nodes": [model_from(m) for m in rest["data"]],
        }
    }
    names = [n["name"] for n in answer["mlModels"]["nodes"]]
    assert ("churn_predictor" in names) == (include != "NON_DELETED")
    assert len(names) == {"NON_DELETED": 29, "DELETED": 1, "ALL": 30}[include]


async def test_ml_models_of_one_service(gateway: GatewayClient, emulator: EmulatorHandle) -> None:
    rest = catalog_get(emulator, "/v1/mlmodels", limit=100, service="vertex_ai")
    answer = data(await gateway.execute(ML_MODELS, {"include": "ALL", "service": "vertex_ai"}))
    assert answer["mlModels"]["nodes"] == [model_from(m) for m in rest["data"]]
    assert {n["serviceType"] for n in answer["mlModels"]["nodes"]} == {"VertexAI"}
    assert answer["mlModels"]["totalCount"] == rest["paging"]["total"] > 0


# service / services

SERVICE_KINDS = [
    ("ML_MODEL", "mlmodelServices", "sagemaker_prod"),
    ("DATABASE", "databaseServices", "snowflake_dw"),
]


@pytest.mark.parametrize(("kind", "path", "name"), SERVICE_KINDS)
async def test_service_by_id_and_by_name(
    gateway: GatewayClient, emulator: EmulatorHandle, kind: str, path: str, name: str
) -> None:
    # given
    rest = catalog_get(emulator, f"/v1/services/{path}/name/{name}")
    expected = {"service": service_from(kind, rest)}
    # when
    by_id = data(await gateway.execute(SERVICE, {"kind": kind, "id": rest["id"]}))
    by_name = data(await gateway.execute(SERVICE, {"kind": kind, "name": name}))
    # then
    assert by_id == by_name == expected


@pytest.mark.parametrize(("kind", "path", "name"), SERVICE_KINDS)
async def test_an_unknown_service_or_one_of_another_kind_is_null(
    gateway: GatewayClient, emulator: EmulatorHandle, kind: str, path: str, name: str
) -> None:
    other = "DATABASE" if kind == "ML_MODEL" else "ML_MODEL"
    rest = catalog_get(emulator, f"/v1/services/{path}/name/{name}")
    lookups: list[dict[str, object]] = [
        {"kind": kind, "id": UNKNOWN_ID},
        {"kind": kind, "name": "no_such_service"},
        {"kind": other, "id": rest["id"]},
        {"kind": other, "name": name},
    ]
    for variables in lookups:
        assert await gateway.execute(SERVICE, variables) == {"data": {"service": None}}


@pytest.mark.parametrize(("kind", "path", "name"), SERVICE_KINDS)
@pytest.mark.parametrize(
    ("include", "rest_include"),
    [("NON_DELETED", "non-deleted"), ("DELETED", "deleted"), ("ALL", "all")],
)
async def test_services_include_the_asked_for_state(
    gateway: GatewayClient,
    emulator: EmulatorHandle,
    kind: str,
    path: str,
    name: str,
    include: str,
    rest_include: str,
) -> None:
    # given one soft-deleted service (with what it holds)
    service_id = catalog_get(emulator, f"/v1/services/{path}/name/{name}")["id"]
    catalog_delete(emulator, f"/v1/services/{path}/{service_id}", recursive="true")
    rest = catalog_get(emulator, f"/v1/services/{path}", limit=100, include=rest_include)
    # when
    answer = data(await gateway.execute(SERVICES, {"kind": kind, "include": include}))
    # then
    assert answer == {
        "services": {
            "totalCount": rest["paging"]["total"],
            "nodes": [service_from(kind, s) for s in rest["data"]],
        }
    }
    names = [s["name"] for s in answer["services"]["nodes"]]
    assert (name in names) == (include != "NON_DELETED")
    assert (names == [name]) == (include == "DELETED")


# table / tables

CUSTOMER_FEATURES = "bigquery_analytics.events_prod.ml_features.customer_features"
CUSTOMER_LTV = "mlflow_prod.customer_ltv"


async def test_table_by_id_and_by_name(gateway: GatewayClient, emulator: EmulatorHandle) -> None:
    # given
    rest = catalog_get(emulator, f"/v1/tables/name/{CUSTOMER_FEATURES}")
    # when
    by_id = data(await gateway.execute(TABLE, {"id": rest["id"]}))
    by_name = data(await gateway.execute(TABLE, {"fqn": CUSTOMER_FEATURES}))
    # then
    assert by_id == by_name == {"table": table_from(rest)}
    assert by_id["table"]["id"] == seed_uuid("table", CUSTOMER_FEATURES)


async def test_an_unknown_table_is_null(gateway: GatewayClient) -> None:
    assert await gateway.execute(TABLE, {"id": UNKNOWN_ID}) == {"data": {"table": None}}
    assert await gateway.execute(TABLE, {"fqn": "a.b.c.d"}) == {"data": {"table": None}}


@pytest.mark.parametrize(
    ("include", "rest_include", "count"),
    [("NON_DELETED", "non-deleted", 59), ("DELETED", "deleted", 1), ("ALL", "all", 60)],
)
async def test_tables_include_the_asked_for_state(
    gateway: GatewayClient, emulator: EmulatorHandle, include: str, rest_include: str, count: int
) -> None:
    # given one soft-deleted table
    catalog_delete(emulator, f"/v1/tables/{seed_uuid('table', CUSTOMER_FEATURES)}")
    rest = catalog_get(emulator, "/v1/tables", limit=100, include=rest_include)
    # when
    answer = data(await gateway.execute(TABLES, {"include": include}))
    # then
    assert answer == {
        "tables": {
            "totalCount": rest["paging"]["total"],
            "nodes": [table_from(t) for t in rest["data"]],
        }
    }
    assert len(answer["tables"]["nodes"]) == count
    fqns = [t["fullyQualifiedName"] for t in answer["tables"]["nodes"]]
    assert (CUSTOMER_FEATURES in fqns) == (include != "NON_DELETED")


# user / me


@pytest.mark.parametrize("name", ["bob", "admin", "lena"])
async def test_user_by_id_and_by_name_is_that_user(
    gateway: GatewayClient, emulator: EmulatorHandle, name: str
) -> None:
    # given
    rest = catalog_get(emulator, f"/v1/users/name/{name}")
    # when: asked as the service account (admin)
    by_id = data(await gateway.execute(USER, {"id": rest["id"]}))
    by_name = data(await gateway.execute(USER, {"name": name}))
    # then
    assert by_id == by_name == {"user": user_from(rest)}
    assert by_name["user"]["name"] == name


async def test_user_bob_is_bob(gateway: GatewayClient) -> None:
    # given / when: the caller is the service account, the user asked for is bob
    answer = data(await gateway.execute(USER, {"name": "bob"}))
    # then
    assert answer == {
        "user": {
            "id": seed_uuid("user", "bob"),
            "name": "bob",
            "fullyQualifiedName": "bob",
            "displayName": "Bob Martin",
            "email": "bob.martin@example.com",
            "isAdmin": False,
            "isBot": False,
            "deleted": False,
        }
    }


async def test_an_unknown_user_is_null(gateway: GatewayClient) -> None:
    assert await gateway.execute(USER, {"id": UNKNOWN_ID}) == {"data": {"user": None}}
    assert await gateway.execute(USER, {"name": "nobody"}) == {"data": {"user": None}}


@pytest.mark.parametrize(("caller", "name"), [(None, "admin"), ("carol", "carol")])
async def test_me_is_the_caller(
    gateway: GatewayClient, emulator: EmulatorHandle, caller: str | None, name: str
) -> None:
    rest = catalog_get(emulator, f"/v1/users/name/{name}")
    assert data(await gateway.execute(ME, user=caller)) == {"me": user_from(rest)}


# modelVersion / modelVersions


def version_from(rest: dict[str, Any], model_rid: str) -> dict[str, Any]:
    def io(field: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": field["type"],
            "name": field.get("name"),
            "required": field.get("required", True),
            # The registry's contract: a tabular input's format defaults to PANDAS.
            "format": field.get("format", "PANDAS" if field["type"] == "tabular" else None),
            "columns": [
                {
                    "name": c["name"],
                    "required": c.get("required", True),
                    "dataType": c["dataType"]["type"],
                }
                for c in field.get("columns", [])
            ],
        }

    source = rest["source"]
    return {
        "rid": rest["rid"],
        "modelRid": model_rid,
        "createdTime": datetime.fromisoformat(rest["createdTime"]).isoformat(),
        "condaRequirements": rest["condaRequirements"],
        "backingRepositories": rest["backingRepositories"],
        "linkedExperiment": rest.get("linkedExperiment"),
        "modelApi": {
            "inputs": [io(f) for f in rest["modelApi"]["inputs"]],
            "outputs": [io(f) for f in rest["modelApi"]["outputs"]],
        },
        "source": {
            "type": source["type"],
            "previousModelRid": source.get("previousModelRid"),
            "previousModelVersionRid": source.get("previousModelVersionRid"),
        },
        "promotedFrom": (
            {"rid": source["previousModelVersionRid"], "modelRid": source["previousModelRid"]}
            if source["type"] == "promoted"
            else None
        ),
    }


@pytest.mark.parametrize(
    ("model", "index"),
    [("churn_predictor", 1), ("churn_predictor_prod", 2), ("customer_ltv", 1)],
)
async def test_model_version_is_the_registrys_version(
    gateway: GatewayClient, emulator: EmulatorHandle, model: str, index: int
) -> None:
    # given
    model_rid, version_rid = registry_model_rid(model), registry_version_rid(model, index)
    rest = registry_get(emulator, f"/api/v2/models/{model_rid}/versions/{version_rid}")
    # when
    answer = data(
        await gateway.execute(MODEL_VERSION, {"model": model_rid, "version": version_rid})
    )
    # then
    assert answer == {"modelVersion": version_from(rest, model_rid)}
    assert answer["modelVersion"]["rid"] == version_rid


async def test_an_unknown_model_version_is_null(gateway: GatewayClient) -> None:
    model_rid = registry_model_rid("churn_predictor")
    for model, version in (
        (model_rid, registry_version_rid("churn_predictor", 99)),
        (registry_model_rid("nope"), registry_version_rid("churn_predictor", 1)),
        # a version of another model is not this model's version
        (model_rid, registry_version_rid("customer_ltv", 1)),
    ):
        result = await gateway.execute(MODEL_VERSION, {"model": model, "version": version})
        assert result == {"data": {"modelVersion": None}}


@pytest.mark.parametrize(
    ("variables", "message", "argument"),
    [
        (
            {"model": "not-a-rid", "version": registry_version_rid("churn_predictor", 1)},
            "`modelRid` must be a Foundry RID (ri.<service>.<instance>.<type>.<locator>), "
            "got 'not-a-rid'.",
            "modelRid",
        ),
        (
            {"model": registry_model_rid("churn_predictor"), "version": "ri.x"},
            "`versionRid` must be a Foundry RID (ri.<service>.<instance>.<type>.<locator>), "
            "got 'ri.x'.",
            "versionRid",
        ),
    ],
)
async def test_a_malformed_rid_is_bad_user_input(
    gateway: GatewayClient,
    emulator: EmulatorHandle,
    variables: dict[str, object],
    message: str,
    argument: str,
) -> None:
    emulator.reset_counters()
    result = await gateway.execute(MODEL_VERSION, variables)
    assert result["data"] == {"modelVersion": None}
    assert error_of(result) == (
        message,
        ["modelVersion"],
        {"code": "BAD_USER_INPUT", "argument": argument},
    )
    assert emulator.counters() == {}


@pytest.mark.parametrize("branch", [None, "master"])
async def test_model_versions_page_through_the_registrys_versions(
    gateway: GatewayClient, emulator: EmulatorHandle, branch: str | None
) -> None:
    # given
    model_rid = registry_model_rid("churn_predictor_prod")
    rest = registry_get(
        emulator, f"/api/v2/models/{model_rid}/versions", pageSize=100, branch="master"
    )
    expected = [v["rid"] for v in rest["data"]]
    assert len(expected) == 3
    # when: one version a page
    seen: list[str] = []
    after: str | None = None
    pages = 0
    while True:
        answer = data(
            await gateway.execute(
                MODEL_VERSIONS, {"model": model_rid, "branch": branch, "first": 1, "after": after}
            )
        )["modelVersions"]
        pages += 1
        assert [n["modelRid"] for n in answer["nodes"]] == [model_rid]
        seen += [n["rid"] for n in answer["nodes"]]
        if not answer["pageInfo"]["hasNextPage"]:
            break
        after = answer["pageInfo"]["endCursor"]
    # then
    assert (seen, pages) == (expected, 3)


async def test_model_versions_of_a_branch_without_versions_are_an_empty_page(
    gateway: GatewayClient,
) -> None:
    model_rid = registry_model_rid("churn_predictor_prod")
    result = await gateway.execute(MODEL_VERSIONS, {"model": model_rid, "branch": "nope"})
    assert result == {
        "data": {
            "modelVersions": {"pageInfo": {"hasNextPage": False, "endCursor": None}, "nodes": []}
        }
    }


async def test_model_versions_of_an_unknown_model_are_null_and_not_found(
    gateway: GatewayClient,
) -> None:
    unknown = "ri.models.main.model.00000000-1111-4222-8333-444444444444"
    result = await gateway.execute(MODEL_VERSIONS, {"model": unknown})
    assert result == {
        "data": {"modelVersions": None},
        "errors": [
            {
                "message": f"No registry model {unknown}.",
                "locations": [{"line": 3, "column": 3}],
                "path": ["modelVersions"],
                "extensions": {"code": "NOT_FOUND", "upstream": "registry"},
            }
        ],
    }


async def test_a_version_page_the_registry_cannot_show_is_an_upstream_error_in_words(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given a version of the page whose source the Models API does not support
    model_rid = registry_model_rid("churn_predictor_prod")
    rest = registry_get(emulator, f"/api/v2/models/{model_rid}/versions", pageSize=100)
    version = rest["data"][0]["rid"]
    registry_hook(emulator, f"versions/{version}/unsupported", {"unsupported": True})
    # when
    result = await gateway.execute(MODEL_VERSIONS, {"model": model_rid})
    # then
    assert result == {
        "data": {"modelVersions": None},
        "errors": [
            {
                "message": "The registry holds a model version it cannot show: the Models API "
                "does not support the version's source type (UnsupportedModelSource).",
                "locations": [{"line": 3, "column": 3}],
                "path": ["modelVersions"],
                "extensions": {
                    "code": "UPSTREAM_ERROR",
                    "upstream": "registry",
                    "upstreamError": "UnsupportedModelSource",
                },
            }
        ],
    }


# argument rules shared by the lookups

ONE_OF = [
    pytest.param(ML_MODEL, {}, "mlModel", "`id` or `fullyQualifiedName`", id="mlModel-neither"),
    pytest.param(
        ML_MODEL,
        {"id": CHURN_ID, "fqn": CHURN},
        "mlModel",
        "`id` or `fullyQualifiedName`",
        id="mlModel-both",
    ),
    pytest.param(TABLE, {}, "table", "`id` or `fullyQualifiedName`", id="table-neither"),
    pytest.param(
        TABLE,
        {"id": UNKNOWN_ID, "fqn": "a.b.c.d"},
        "table",
        "`id` or `fullyQualifiedName`",
        id="table-both",
    ),
    pytest.param(USER, {}, "user", "`id` or `name`", id="user-neither"),
    pytest.param(USER, {"id": UNKNOWN_ID, "name": "bob"}, "user", "`id` or `name`", id="user-both"),
    pytest.param(SERVICE, {"kind": "ML_MODEL"}, "service", "`id` or `name`", id="service-neither"),
    pytest.param(
        SERVICE,
        {"kind": "ML_MODEL", "id": UNKNOWN_ID, "name": "x"},
        "service",
        "`id` or `name`",
        id="service-both",
    ),
]


@pytest.mark.parametrize(("query", "variables", "field", "keys"), ONE_OF)
async def test_a_lookup_takes_exactly_one_key(
    gateway: GatewayClient,
    emulator: EmulatorHandle,
    query: str,
    variables: dict[str, object],
    field: str,
    keys: str,
) -> None:
    emulator.reset_counters()
    result = await gateway.execute(query, variables)
    assert result["data"] == {field: None}
    assert error_of(result) == (
        f"Pass exactly one of {keys}.",
        [field],
        {"code": "BAD_USER_INPUT"},
    )
    assert emulator.counters() == {}


@pytest.mark.parametrize(
    ("query", "variables", "field"),
    [
        (ML_MODEL, {"id": "not-a-uuid"}, "mlModel"),
        (TABLE, {"id": "not-a-uuid"}, "table"),
        (USER, {"id": "not-a-uuid"}, "user"),
        (SERVICE, {"kind": "DATABASE", "id": "not-a-uuid"}, "service"),
    ],
)
async def test_a_malformed_id_is_bad_user_input(
    gateway: GatewayClient,
    emulator: EmulatorHandle,
    query: str,
    variables: dict[str, object],
    field: str,
) -> None:
    emulator.reset_counters()
    result = await gateway.execute(query, variables)
    assert result["data"] == {field: None}
    assert error_of(result) == (
        "`id` must be a UUID, got 'not-a-uuid'.",
        [field],
        {"code": "BAD_USER_INPUT", "argument": "id"},
    )
    assert emulator.counters() == {}


TABLE_MODELS = """
query TableModels($fqn: String!) { table(fullyQualifiedName: $fqn) { mlModels { name } } }
"""


@pytest.mark.parametrize(
    "fqn", [CUSTOMER_FEATURES, "snowflake_dw.analytics.marts.churn_labels", "a.b.c.d"]
)
async def test_a_tables_ml_models_are_those_whose_features_read_it(
    gateway: GatewayClient, emulator: EmulatorHandle, fqn: str
) -> None:
    # given: the models whose feature sources name the table, straight from the catalog
    models = catalog_get(emulator, "/v1/mlmodels", limit=1000)["data"]
    readers = sorted(
        m["name"]
        for m in models
        if any(
            source.get("dataSource", {}).get("fullyQualifiedName") == fqn
            for feature in m.get("mlFeatures", [])
            for source in feature.get("featureSources", [])
        )
    )
    # when
    answer = data(await gateway.execute(TABLE_MODELS, {"fqn": fqn}))
    # then
    if fqn == "a.b.c.d":
        assert answer == {"table": None}
        return
    assert sorted(m["name"] for m in answer["table"]["mlModels"]) == readers
    assert readers, "the seed has models reading this table"


TWO_MODELS = """
query Two($a: ID!, $b: ID!) { a: mlModel(id: $a) { name } b: mlModel(id: $b) { name } }
"""


async def test_a_model_whose_call_fails_fails_alone(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given two models loaded in one batch; the catalog fails the first GET it receives
    other = catalog_get(emulator, f"/v1/mlmodels/name/{CUSTOMER_LTV}")
    emulator.add_fault(match="GET /api/v1/mlmodels/{id}", status=500, times=1)
    # when
    result = await gateway.execute(TWO_MODELS, {"a": CHURN_ID, "b": other["id"]})
    # then one answers, the other is null with the catalog's error
    answers = result["data"]
    failed = [alias for alias, model in answers.items() if model is None]
    assert len(failed) == 1
    assert sorted(m["name"] for m in answers.values() if m is not None) in (
        ["churn_predictor"],
        ["customer_ltv"],
    )
    (error,) = result["errors"]
    assert (error["path"], error["extensions"]["code"]) == (failed, "UPSTREAM_ERROR")


COLUMN_TAGS = """
query ColumnTags($fqn: String!) {
  table(fullyQualifiedName: $fqn) { columns { name tags { tagFQN } children { name } } }
}
"""


async def test_column_tags_are_answered(gateway: GatewayClient, emulator: EmulatorHandle) -> None:
    # given a seeded table with tagged columns, as the catalog answers it
    fqn = "postgres_shop.shop.public.customers"
    rest = catalog_get(emulator, f"/v1/tables/name/{fqn}", fields="columns,tags")
    expected = [
        {
            "name": c["name"],
            "tags": [{"tagFQN": t["tagFQN"]} for t in c.get("tags", [])],
            "children": [{"name": child["name"]} for child in c.get("children", [])],
        }
        for c in rest["columns"]
    ]
    assert any(column["tags"] for column in expected)
    # when
    result = await gateway.execute(COLUMN_TAGS, {"fqn": fqn})
    # then
    assert result == {"data": {"table": {"columns": expected}}}
