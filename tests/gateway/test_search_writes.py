"""Search follows writes: a model created, tagged, deleted and restored through the gateway
is found, found by its tag, hidden and found again, at each step (the embedded catalog
indexes a write at once)."""

from __future__ import annotations

from typing import Any

from tests.conftest import GatewayClient

FIND = """
query Find($query: String, $filters: SearchFilters) {
  search(query: $query, kinds: [ML_MODEL], filters: $filters, first: 50) {
    nodes { ... on MlModel { fullyQualifiedName } }
  }
}
"""
CREATE = """
mutation Create($input: MlModelInput!) {
  createMlModel(input: $input) { ... on CreateMlModelSuccess { mlModel { id } } }
}
"""
TAG = """
mutation Tag($id: ID!) {
  updateMlModel(id: $id, input: {addTags: [{tagFQN: "Lifecycle.Experimental"}]}) {
    __typename
  }
}
"""
DELETE = "mutation Delete($id: ID!) { deleteMlModel(id: $id) { __typename } }"
RESTORE = "mutation Restore($id: ID!) { restoreMlModel(id: $id) { __typename } }"
FQN = "mlflow_prod.quasar_ranker"


async def found(gateway: GatewayClient, **variables: Any) -> list[str]:
    result = await gateway.execute(FIND, variables)
    assert "errors" not in result, result
    return [node["fullyQualifiedName"] for node in result["data"]["search"]["nodes"]]


async def test_search_follows_create_tag_delete_and_restore(gateway: GatewayClient) -> None:
    by_text = {"query": "quasar"}
    by_tag = {"filters": {"tags": ["Lifecycle.Experimental"]}}
    # before: nothing of the name, and the tag on other models only
    assert await found(gateway, **by_text) == []
    assert FQN not in await found(gateway, **by_tag)
    # created: found by its words, not yet by the tag
    body = {"name": "quasar_ranker", "service": "mlflow_prod", "description": "Quasar ranking."}
    created = await gateway.execute(CREATE, {"input": body})
    model_id = created["data"]["createMlModel"]["mlModel"]["id"]
    assert await found(gateway, **by_text) == [FQN]
    assert FQN not in await found(gateway, **by_tag)
    # tagged: found by the tag too
    tagged = await gateway.execute(TAG, {"id": model_id})
    assert tagged["data"]["updateMlModel"]["__typename"] == "UpdateMlModelSuccess"
    assert FQN in await found(gateway, **by_tag)
    # soft-deleted: gone from search, unless deleted ones are asked for
    deleted = await gateway.execute(DELETE, {"id": model_id})
    assert deleted["data"]["deleteMlModel"]["__typename"] == "DeleteMlModelSuccess"
    assert await found(gateway, **by_text) == []
    assert FQN not in await found(gateway, **by_tag)
    with_deleted = {"query": "quasar", "filters": {"includeDeleted": True}}
    assert await found(gateway, **with_deleted) == [FQN]
    # restored: found again
    restored = await gateway.execute(RESTORE, {"id": model_id})
    assert restored["data"]["restoreMlModel"]["__typename"] == "RestoreMlModelSuccess"
    assert await found(gateway, **by_text) == [FQN]
