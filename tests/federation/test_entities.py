"""`_entities` and `_service` as a router calls them: loaders, upstream call counts, nulls."""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from gateway.emulator.ids import registry_model_rid, registry_version_rid
from tests.conftest import EmulatorHandle, GatewayClient
from tests.gateway.rest import all_models, catalog_get, registry_get, upstream_calls

ROOT = Path(__file__).resolve().parents[2]

SERVICE_SDL = "query { _service { sdl } }"

ENTITIES = """
query Entities($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on MlModel { id fullyQualifiedName followerCount }
    ... on Table { id fullyQualifiedName columns { name } }
    ... on User { id name email }
    ... on Service { id kind name }
    ... on ModelVersion { rid modelRid createdTime }
  }
}
"""


def unknown_uuid(i: int) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://example.invalid/unknown/{i}"))


def entities(result: dict[str, Any]) -> list[Any]:
    assert "errors" not in result, result["errors"]
    data: list[Any] = result["data"]["_entities"]
    return data


async def test_service_sdl_is_schema_graphql(gateway: GatewayClient) -> None:
    # when
    result = await gateway.execute(SERVICE_SDL)
    # then
    committed = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert result["data"]["_service"]["sdl"] + "\n" == committed


async def test_hundred_model_representations_cost_one_get_per_distinct_id(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given: 90 representations cycling through the seeded models, 10 of unknown ids
    models = all_models(emulator, fields="followers")
    assert 10 <= len(models) <= 90
    known = [models[i % len(models)] for i in range(90)]
    unknown = [unknown_uuid(i) for i in range(10)]
    ids = [m["id"] for m in known]
    for i, missing in enumerate(unknown):
        ids.insert(i * 10 + 3, missing)
    representations = [{"__typename": "MlModel", "id": i} for i in ids]
    by_id = {m["id"]: m for m in models}
    emulator.reset_counters()
    # when
    result = await gateway.execute(ENTITIES, {"representations": representations})
    # then: one round of GETs, one per distinct id; unknown ids are null entries
    assert len(representations) == 100
    assert entities(result) == [
        {
            "__typename": "MlModel",
            "id": i,
            "fullyQualifiedName": by_id[i]["fullyQualifiedName"],
            "followerCount": len(by_id[i].get("followers", [])),
        }
        if i in by_id
        else None
        for i in ids
    ]
    distinct = len(models) + len(unknown)
    assert upstream_calls(emulator) == {"GET /api/v1/mlmodels/{id}": distinct}
    queries = [parse_qs(str(r["query"])) for r in emulator.requests()]
    assert queries == [{"fields": ["followers"]}] * distinct


async def test_tables_resolve_by_id_and_by_fully_qualified_name(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given: every table by id and by FQN, twice over, and one unknown FQN
    tables = catalog_get(emulator, "/v1/tables", limit=1000, fields="columns")["data"]
    unknown_fqn = "no_service.no_db.no_schema.no_table"
    representations: list[dict[str, str]] = []
    for _ in range(2):
        for t in tables:
            representations.append({"__typename": "Table", "id": t["id"]})
            representations.append(
                {"__typename": "Table", "fullyQualifiedName": t["fullyQualifiedName"]}
            )
    representations.append({"__typename": "Table", "fullyQualifiedName": unknown_fqn})
    emulator.reset_counters()
    # when
    result = await gateway.execute(ENTITIES, {"representations": representations})
    # then
    expected_table = [
        {
            "__typename": "Table",
            "id": t["id"],
            "fullyQualifiedName": t["fullyQualifiedName"],
            "columns": [{"name": c["name"]} for c in t["columns"]],
        }
        for t in tables
    ]
    twice = [entry for t in expected_table for entry in (t, t)]
    assert entities(result) == [*twice, *twice, None]
    assert upstream_calls(emulator) == {
        "GET /api/v1/tables/{id}": len(tables),
        "GET /api/v1/tables/name/{fqn:path}": len(tables) + 1,
    }


async def test_users_services_and_model_versions(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given
    users = catalog_get(emulator, "/v1/users", limit=3)["data"]
    ml_service = catalog_get(emulator, "/v1/services/mlmodelServices", limit=1)["data"][0]
    db_service = catalog_get(emulator, "/v1/services/databaseServices", limit=1)["data"][0]
    model_rid = registry_model_rid("churn_predictor")
    version_rid = registry_version_rid("churn_predictor", 1)
    version = registry_get(emulator, f"/api/v2/models/{model_rid}/versions/{version_rid}")
    representations = [
        *({"__typename": "User", "id": u["id"]} for u in users + users),
        {"__typename": "User", "id": unknown_uuid(0)},
        {"__typename": "Service", "id": ml_service["id"]},
        {"__typename": "Service", "id": db_service["id"]},
        {"__typename": "Service", "id": unknown_uuid(1)},
        {"__typename": "ModelVersion", "rid": version_rid, "modelRid": model_rid},
        {"__typename": "ModelVersion", "rid": version_rid, "modelRid": model_rid},
        {"__typename": "ModelVersion", "rid": registry_version_rid("x", 9), "modelRid": model_rid},
    ]
    emulator.reset_counters()
    # when
    result = await gateway.execute(ENTITIES, {"representations": representations})
    # then
    user_entries = [
        {"__typename": "User", "id": u["id"], "name": u["name"], "email": u["email"]} for u in users
    ]
    version_entry = {
        "__typename": "ModelVersion",
        "rid": version_rid,
        "modelRid": model_rid,
        "createdTime": datetime.fromisoformat(version["createdTime"]).isoformat(),
    }
    assert entities(result) == [
        *user_entries,
        *user_entries,
        None,
        {
            "__typename": "Service",
            "id": ml_service["id"],
            "kind": "ML_MODEL",
            "name": ml_service["name"],
        },
        {
            "__typename": "Service",
            "id": db_service["id"],
            "kind": "DATABASE",
            "name": db_service["name"],
        },
        None,
        version_entry,
        version_entry,
        None,
    ]
    # A service id names no kind, so each distinct id is looked up in both collections.
    assert upstream_calls(emulator) == {
        "GET /api/v1/users/{id}": len(users) + 1,
        "GET /api/v1/services/mlmodelServices/{id}": 3,
        "GET /api/v1/services/databaseServices/{id}": 3,
        "GET /api/v2/models/{modelRid}/versions/{modelVersionRid}": 2,
    }


async def test_a_bad_representation_fails_alone_without_an_upstream_call(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given
    model = all_models(emulator, fields="followers")[0]
    representations = [
        {"__typename": "ModelVersion", "rid": registry_version_rid("churn_predictor", 0)},
        {"__typename": "MlModel", "id": "not-a-uuid"},
        {"__typename": "MlModel", "name": model["name"]},
        {"__typename": "MlModel", "id": model["id"]},
        {"id": model["id"]},
        {"__typename": "Query"},
        "MlModel",
    ]
    emulator.reset_counters()
    # when
    result = await gateway.execute(ENTITIES, {"representations": representations})
    # then
    assert result["data"]["_entities"] == [
        None,
        None,
        None,
        {
            "__typename": "MlModel",
            "id": model["id"],
            "fullyQualifiedName": model["fullyQualifiedName"],
            "followerCount": len(model.get("followers", [])),
        },
        None,
        None,
        None,
    ]
    not_an_entity = (
        "A representation must be an object whose `__typename` is an entity type "
        "(MlModel, ModelVersion, Service, Table, User)."
    )
    errors = sorted(result["errors"], key=lambda e: int(e["path"][1]))
    assert [(e["path"], e["message"], e["extensions"]) for e in errors] == [
        (
            ["_entities", 0],
            "A representation of ModelVersion needs `rid` and `modelRid`: the registry reads "
            "a version only under its model.",
            {"code": "BAD_USER_INPUT"},
        ),
        (
            ["_entities", 1],
            "`id` must be a UUID, got 'not-a-uuid'.",
            {"code": "BAD_USER_INPUT", "argument": "id"},
        ),
        (
            ["_entities", 2],
            "A representation of MlModel needs `id` or `fullyQualifiedName`.",
            {"code": "BAD_USER_INPUT"},
        ),
        *((["_entities", i], not_an_entity, {"code": "BAD_USER_INPUT"}) for i in (4, 5, 6)),
    ]
    assert upstream_calls(emulator) == {"GET /api/v1/mlmodels/{id}": 1}


async def test_an_entity_whose_upstream_fails_is_null_alone(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given two models, and a table the catalog answers with garbage
    models = all_models(emulator, fields="followers")[:2]
    table = catalog_get(emulator, "/v1/tables", limit=1)["data"][0]
    representations = [
        {"__typename": "MlModel", "id": models[0]["id"]},
        {"__typename": "Table", "id": table["id"]},
        {"__typename": "MlModel", "id": models[1]["id"]},
    ]
    emulator.add_fault(match="GET /api/v1/tables/{id}", body="non-json")
    # when
    result = await gateway.execute(ENTITIES, {"representations": representations})
    # then the table's entry is null with the catalog's error; the models answer
    assert result == {
        "data": {
            "_entities": [
                {
                    "__typename": "MlModel",
                    "id": m["id"],
                    "fullyQualifiedName": m["fullyQualifiedName"],
                    "followerCount": len(m.get("followers", [])),
                }
                if m is not None
                else None
                for m in (models[0], None, models[1])
            ]
        },
        "errors": [
            {
                "message": "The catalog sent an invalid response",
                "locations": [{"line": 3, "column": 3}],
                "path": ["_entities", 1],
                "extensions": {"code": "UPSTREAM_ERROR", "upstream": "catalog"},
            }
        ],
    }
