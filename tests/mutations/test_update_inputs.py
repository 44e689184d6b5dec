"""updateMlModel and updateTable refuse invalid input before any upstream call, naming the
offending argument's path."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import EmulatorHandle, GatewayClient
from tests.gateway.rest import upstream_calls

MODEL_ID = "98c14013-4087-5dbe-83b4-89764ce8a1d4"
UPDATE_MODEL = """
mutation Update($id: ID, $fqn: String, $input: MlModelUpdate!, $version: Float) {
  updateMlModel(id: $id, fullyQualifiedName: $fqn, input: $input, expectedVersion: $version) {
    __typename
    ... on MutationError { code message }
    ... on ValidationError { field }
  }
}
"""
UPDATE_TABLE = """
mutation Update($id: ID, $fqn: String, $input: TableUpdate!) {
  updateTable(id: $id, fullyQualifiedName: $fqn, input: $input) {
    __typename
    ... on MutationError { code message }
    ... on ValidationError { field }
  }
}
"""
TAG = "must be a tag's fully qualified name, `<classification>.<tag>` such as PII.Sensitive"
FQN = "must be a fully qualified name of 1 to 3072 characters."
MODEL_CASES: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "malformed-id",
        {"id": "churn", "input": {"description": "x"}},
        "id",
        "`id` must be a UUID, got 'churn'.",
    ),
    (
        "id-and-name",
        {"id": MODEL_ID, "fqn": "mlflow_prod.churn_predictor", "input": {"description": "x"}},
        "id",
        "Pass exactly one of `id` or `fullyQualifiedName`.",
    ),
    (
        "no-key",
        {"input": {"description": "x"}},
        "id",
        "Pass exactly one of `id` or `fullyQualifiedName`.",
    ),
    (
        "empty-name",
        {"fqn": " ", "input": {"description": "x"}},
        "fullyQualifiedName",
        f"`fullyQualifiedName` {FQN}",
    ),
    (
        "empty-input",
        {"id": MODEL_ID, "input": {}},
        "input",
        "`input` changes nothing: give at least one field to change.",
    ),
    (
        "tag-without-classification",
        {"id": MODEL_ID, "input": {"addTags": [{"tagFQN": "PII.Sensitive"}, {"tagFQN": "PII"}]}},
        "input.addTags[1].tagFQN",
        f"`input.addTags[1].tagFQN` {TAG}, got 'PII'.",
    ),
    (
        "empty-tag-to-remove",
        {"id": MODEL_ID, "input": {"removeTags": [""]}},
        "input.removeTags[0]",
        f"`input.removeTags[0]` {FQN}",
    ),
    (
        "tag-added-and-removed",
        {
            "id": MODEL_ID,
            "input": {"addTags": [{"tagFQN": "Tier.Tier1"}], "removeTags": ["Tier.Tier1"]},
        },
        "input.removeTags[0]",
        "`input.removeTags[0]` is Tier.Tier1, which `input.addTags` adds: a tag is either "
        "added or removed in one edit.",
    ),
    (
        "owners-and-add-owners",
        {"id": MODEL_ID, "input": {"owners": [], "addOwners": [{"id": MODEL_ID}]}},
        "input.owners",
        "Give `input.owners` (the whole list) or `input.addOwners` / `input.removeOwners`, "
        "not both.",
    ),
    (
        "malformed-owner",
        {"id": MODEL_ID, "input": {"addOwners": [{"id": "alice"}]}},
        "input.addOwners[0].id",
        "`input.addOwners[0].id` must be a UUID, got 'alice'.",
    ),
    (
        "owner-added-and-removed",
        {"id": MODEL_ID, "input": {"addOwners": [{"id": MODEL_ID}], "removeOwners": [MODEL_ID]}},
        "input.removeOwners[0]",
        f"`input.removeOwners[0]` is {MODEL_ID}, which `input.addOwners` adds: an owner is "
        "either added or removed in one edit.",
    ),
    (
        "empty-domain",
        {"id": MODEL_ID, "input": {"domains": ["Marketing", ""]}},
        "input.domains[1]",
        f"`input.domains[1]` {FQN}",
    ),
    (
        "cleared-algorithm",
        {"id": MODEL_ID, "input": {"algorithm": None}},
        "input.algorithm",
        "`input.algorithm` cannot be cleared: the catalog requires an algorithm.",
    ),
    (
        "relative-server",
        {"id": MODEL_ID, "input": {"server": "serving/churn"}},
        "input.server",
        "`input.server` must be an absolute URI such as https://host/path, got 'serving/churn'.",
    ),
    (
        "extension-not-an-object",
        {"id": MODEL_ID, "input": {"extension": ["a"]}},
        "input.extension",
        "`input.extension` must be a JSON object, got an array.",
    ),
    (
        "extension-null",
        {"id": MODEL_ID, "input": {"extension": None}},
        "input.extension",
        "`input.extension` must be a JSON object of the properties to set (a property set to "
        "null is removed).",
    ),
    (
        "version-off-the-grid",
        {"id": MODEL_ID, "input": {"description": "x"}, "version": 0.25},
        "expectedVersion",
        "`expectedVersion` must be an entity version such as 0.2 or 1.0, as the entity's "
        "`version` reads, got 0.25.",
    ),
    (
        "version-zero",
        {"id": MODEL_ID, "input": {"description": "x"}, "version": 0},
        "expectedVersion",
        "`expectedVersion` must be an entity version such as 0.2 or 1.0, as the entity's "
        "`version` reads, got 0.0.",
    ),
]
COLUMN = "must be a column name, or the dotted path of a nested column such as `address.city`"
TABLE_CASES: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "malformed-column-path",
        {"fqn": "pg.t", "input": {"columns": [{"name": "address..city"}]}},
        "input.columns[0].name",
        f"`input.columns[0].name` {COLUMN} (quote a name that holds a dot), got 'address..city'.",
    ),
    (
        "column-twice",
        {
            "fqn": "pg.t",
            "input": {"columns": [{"name": '"address".city'}, {"name": "address.city"}]},
        },
        "input.columns[1].name",
        "`input.columns[1].name` names the same column as `input.columns[0]`: edit each "
        "column once.",
    ),
    (
        "column-tag",
        {"fqn": "pg.t", "input": {"columns": [{"name": "id", "addTags": [{"tagFQN": "x"}]}]}},
        "input.columns[0].addTags[0].tagFQN",
        f"`input.columns[0].addTags[0].tagFQN` {TAG}, got 'x'.",
    ),
    (
        "empty-table-input",
        {"fqn": "pg.t", "input": {}},
        "input",
        "`input` changes nothing: give at least one field to change.",
    ),
]


def refused(result: dict[str, Any], root: str, field: str, message: str) -> None:
    assert result == {
        "data": {
            root: {
                "__typename": "ValidationError",
                "code": "BAD_USER_INPUT",
                "message": message,
                "field": field,
            }
        }
    }


@pytest.mark.parametrize(
    ("variables", "field", "message"), [c[1:] for c in MODEL_CASES], ids=[c[0] for c in MODEL_CASES]
)
async def test_an_invalid_model_edit_is_refused_before_any_upstream_call(
    gateway: GatewayClient,
    emulator: EmulatorHandle,
    variables: dict[str, Any],
    field: str,
    message: str,
) -> None:
    emulator.reset_counters()
    result = await gateway.execute(UPDATE_MODEL, variables)
    refused(result, "updateMlModel", field, message)
    assert upstream_calls(emulator) == {}


@pytest.mark.parametrize(
    ("variables", "field", "message"), [c[1:] for c in TABLE_CASES], ids=[c[0] for c in TABLE_CASES]
)
async def test_an_invalid_table_edit_is_refused_before_any_upstream_call(
    gateway: GatewayClient,
    emulator: EmulatorHandle,
    variables: dict[str, Any],
    field: str,
    message: str,
) -> None:
    emulator.reset_counters()
    result = await gateway.execute(UPDATE_TABLE, variables)
    refused(result, "updateTable", field, message)
    assert upstream_calls(emulator) == {}
