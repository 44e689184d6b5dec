"""Version history (`history`) and version snapshots (`mlModel(version:)`, `table(version:)`)."""

from __future__ import annotations

from typing import Any

from tests.conftest import EmulatorHandle, GatewayClient
from tests.gateway.rest import catalog_get

CREATE = """
mutation Create($input: MlModelInput!) {
  createMlModel(input: $input) { ... on CreateMlModelSuccess { mlModel { id } } }
}
"""
UPSERT = """
mutation Upsert($input: MlModelInput!) {
  upsertMlModel(input: $input) { __typename }
}
"""
HISTORY = """
query History($id: ID!, $first: Int, $after: String) {
  mlModel(id: $id) {
    history(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        version updatedBy
        changeDescription {
          previousVersion
          fieldsAdded { name oldValue newValue }
          fieldsUpdated { name oldValue newValue }
          fieldsDeleted { name oldValue newValue }
        }
      }
    }
  }
}
"""
SNAPSHOT = """
query Snapshot($id: ID, $fqn: String, $version: String!) {
  mlModel(id: $id, fullyQualifiedName: $fqn, version: $version) {
    version description tags { tagFQN }
  }
}
"""
TABLE_HISTORY = """
query TableHistory($fqn: String!) {
  table(fullyQualifiedName: $fqn) {
    history { totalCount nodes { version updatedBy changeDescription { previousVersion } } }
  }
}
"""


def change(
    previous: float,
    added: list[dict[str, Any]] | None = None,
    updated: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "previousVersion": previous,
        "fieldsAdded": added or [],
        "fieldsUpdated": updated or [],
        "fieldsDeleted": [],
    }


async def edited_model(gateway: GatewayClient) -> str:
    """A new model, then three edits by three users: four versions."""
    base = {"name": "history_demo", "service": "mlflow_prod", "description": "First."}
    created = await gateway.execute(CREATE, {"input": base})
    model_id: str = created["data"]["createMlModel"]["mlModel"]["id"]
    await gateway.execute(UPSERT, {"input": {**base, "description": "Second."}}, user="admin")
    tagged = {**base, "description": "Second.", "tags": [{"tagFQN": "PII.Sensitive"}]}
    await gateway.execute(UPSERT, {"input": tagged})
    await gateway.execute(UPSERT, {"input": {**tagged, "description": "Third."}})
    return model_id


async def test_history_after_three_edits_lists_four_versions_newest_first(
    gateway: GatewayClient,
) -> None:
    # given
    model_id = await edited_model(gateway)
    # when
    result = await gateway.execute(HISTORY, {"id": model_id})
    # then
    tag = {
        "tagFQN": "PII.Sensitive",
        "name": "Sensitive",
        "description": "Personal data whose loss could harm the person.",
        "source": "Classification",
        "labelType": "Manual",
        "state": "Confirmed",
    }
    history = result["data"]["mlModel"]["history"]
    assert history == {
        "totalCount": 4,
        "pageInfo": {"hasNextPage": False, "endCursor": history["pageInfo"]["endCursor"]},
        "nodes": [
            {
                "version": 0.4,
                "updatedBy": "admin",
                "changeDescription": change(
                    0.3,
                    updated=[{"name": "description", "oldValue": "Second.", "newValue": "Third."}],
                ),
            },
            {
                "version": 0.3,
                "updatedBy": "admin",
                "changeDescription": change(
                    0.2, added=[{"name": "tags", "oldValue": None, "newValue": [tag]}]
                ),
            },
            {
                "version": 0.2,
                "updatedBy": "admin",
                "changeDescription": change(
                    0.1,
                    updated=[{"name": "description", "oldValue": "First.", "newValue": "Second."}],
                ),
            },
            {"version": 0.1, "updatedBy": "admin", "changeDescription": None},
        ],
    }


async def test_history_pages_with_after_and_each_version_comes_once(
    gateway: GatewayClient,
) -> None:
    model_id = await edited_model(gateway)
    seen: list[float] = []
    after: str | None = None
    while True:
        result = await gateway.execute(HISTORY, {"id": model_id, "first": 3, "after": after})
        page = result["data"]["mlModel"]["history"]
        seen += [node["version"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [0.4, 0.3, 0.2, 0.1]


async def test_a_snapshot_answers_the_old_values(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    model_id = await edited_model(gateway)
    by_id = await gateway.execute(SNAPSHOT, {"id": model_id, "version": "0.2"})
    by_name = await gateway.execute(SNAPSHOT, {"fqn": "mlflow_prod.history_demo", "version": "0.1"})
    missing = await gateway.execute(SNAPSHOT, {"id": model_id, "version": "0.9"})
    assert by_id == {"data": {"mlModel": {"version": 0.2, "description": "Second.", "tags": []}}}
    assert by_name == {"data": {"mlModel": {"version": 0.1, "description": "First.", "tags": []}}}
    assert missing == {"data": {"mlModel": None}}
    # and the current version is untouched
    current = catalog_get(emulator, f"/v1/mlmodels/{model_id}")
    assert (current["version"], current["description"]) == (0.4, "Third.")


async def test_a_malformed_version_is_refused_before_any_call(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    emulator.reset_counters()
    result = await gateway.execute(SNAPSHOT, {"fqn": "mlflow_prod.x", "version": "latest"})
    assert result["data"] == {"mlModel": None}
    assert [e["extensions"] for e in result["errors"]] == [
        {"code": "BAD_USER_INPUT", "argument": "version"}
    ]
    assert emulator.counters() == {}


async def test_a_tables_history_comes_from_its_own_versions(gateway: GatewayClient) -> None:
    # the seed edited `customers` once (a column added by farah)
    result = await gateway.execute(TABLE_HISTORY, {"fqn": "postgres_shop.shop.public.customers"})
    assert result["data"]["table"]["history"] == {
        "totalCount": 2,
        "nodes": [
            {"version": 0.2, "updatedBy": "farah", "changeDescription": {"previousVersion": 0.1}},
            {"version": 0.1, "updatedBy": "admin", "changeDescription": None},
        ],
    }
