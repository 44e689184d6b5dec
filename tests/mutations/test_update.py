"""updateMlModel and updateTable against the catalog: each edit changes its fields alone,
columns (nested too) included, and an edit that changes nothing writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from gateway.emulator.catalog.seed import seed_id
from tests.conftest import EmulatorHandle, GatewayClient
from tests.gateway.rest import catalog_get, upstream_calls
from tests.mutations.rest import catalog_write

CHURN = "mlflow_prod.churn_predictor"
LEAD_SCORING = "sklearn_lab.lead_scoring"  # kevin owns it alone
CUSTOMERS = "postgres_shop.shop.public.customers"
MODEL_FIELDS = "owners,tags,domains,extension,followers,votes,dataProducts,dashboard"
TABLE_FIELDS = "owners,tags,domains,extension,followers,votes,columns,dataProducts"
# What every write moves on; the rest of the entity is compared whole.
VOLATILE = (
    "version",
    "updatedAt",
    "updatedBy",
    "changeDescription",
    "incrementalChangeDescription",
)
ALICE = seed_id("user", "alice")
KEVIN = seed_id("user", "kevin")
MARKETING = seed_id("domain", "Marketing")

UPDATE_MODEL = """
mutation Update($id: ID, $fqn: String, $input: MlModelUpdate!) {
  updateMlModel(id: $id, fullyQualifiedName: $fqn, input: $input) {
    __typename
    ... on UpdateMlModelSuccess {
      changed
      mlModel {
        id version description displayName algorithm target server sourceUrl
        tags { tagFQN } owners { id } domains { fullyQualifiedName } extension
      }
    }
    ... on MutationError { code message }
    ... on ValidationError { field }
  }
}
"""
UPDATE_TABLE = """
mutation Update($id: ID, $fqn: String, $input: TableUpdate!) {
  updateTable(id: $id, fullyQualifiedName: $fqn, input: $input) {
    __typename
    ... on UpdateTableSuccess {
      changed
      table {
        id version description displayName tags { tagFQN }
        columns { name description tags { tagFQN } children { name description tags { tagFQN } } }
      }
    }
    ... on MutationError { code message }
    ... on ValidationError { field }
  }
}
"""


def label(fqn: str, source: str = "Classification") -> dict[str, str]:
    return {"tagFQN": fqn, "source": source, "labelType": "Manual", "state": "Confirmed"}


def _reference(ref: dict[str, Any]) -> dict[str, Any]:
    return {"id": ref["id"], "type": ref["type"]}


def _column(column: dict[str, Any]) -> dict[str, Any]:
    out = {**column, "tags": [_label(t) for t in column.get("tags", [])]}
    if "children" in column:
        out["children"] = [_column(c) for c in column["children"]]
    return out


def _label(tag: dict[str, Any]) -> dict[str, Any]:
    return {key: tag[key] for key in ("tagFQN", "source", "labelType", "state")}


def stable(entity: dict[str, Any]) -> dict[str, Any]:
    """The entity without what every write moves on, references and tag labels reduced to
    what an edit sets (the catalog renders the rest from the tag or the owner)."""
    doc = {key: value for key, value in entity.items() if key not in VOLATILE}
    doc["tags"] = [_label(t) for t in doc.get("tags", [])]
    doc["owners"] = [_reference(o) for o in doc.get("owners", [])]
    doc["domains"] = [_reference(d) for d in doc.get("domains", [])]
    doc["extension"] = doc.get("extension", {})
    if "columns" in doc:
        doc["columns"] = [_column(c) for c in doc["columns"]]
    return doc


def read_model(emulator: EmulatorHandle, fqn: str) -> dict[str, Any]:
    result: dict[str, Any] = catalog_get(emulator, f"/v1/mlmodels/name/{fqn}", fields=MODEL_FIELDS)
    return result


def read_table(emulator: EmulatorHandle, fqn: str) -> dict[str, Any]:
    result: dict[str, Any] = catalog_get(emulator, f"/v1/tables/name/{fqn}", fields=TABLE_FIELDS)
    return result


def answered_model(entity: dict[str, Any]) -> dict[str, Any]:
    """What UPDATE_MODEL selects of a model the catalog answers."""
    return {
        "id": entity["id"],
        "version": entity["version"],
        "description": entity.get("description"),
        "displayName": entity.get("displayName"),
        "algorithm": entity.get("algorithm"),
        "target": entity.get("target"),
        "server": entity.get("server"),
        "sourceUrl": entity.get("sourceUrl"),
        "tags": [{"tagFQN": t["tagFQN"]} for t in entity.get("tags", [])],
        "owners": [{"id": o["id"]} for o in entity.get("owners", [])],
        "domains": [
            {"fullyQualifiedName": d["fullyQualifiedName"]} for d in entity.get("domains", [])
        ],
        "extension": entity.get("extension", {}),
    }


def _answered_column(column: dict[str, Any], nested: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": column["name"],
        "description": column.get("description"),
        "tags": [{"tagFQN": t["tagFQN"]} for t in column.get("tags", [])],
    }
    if nested:
        out["children"] = [_answered_column(c, False) for c in column.get("children", [])]
    return out


def answered_table(entity: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": entity["id"],
        "version": entity["version"],
        "description": entity.get("description"),
        "displayName": entity.get("displayName"),
        "tags": [{"tagFQN": t["tagFQN"]} for t in entity.get("tags", [])],
        "columns": [_answered_column(c) for c in entity["columns"]],
    }


Change = Callable[[dict[str, Any]], None]


def setting(key: str, value: object) -> Change:
    return lambda doc: doc.__setitem__(key, value)


def dropping(key: str) -> Change:
    return lambda doc: doc.pop(key)


def tags_becoming(*labels: dict[str, str]) -> Change:
    return setting("tags", list(labels))


def owners_becoming(*ids: str) -> Change:
    return setting("owners", [{"id": i, "type": "user"} for i in ids])


def extension_becoming(extension: dict[str, Any]) -> Change:
    return setting("extension", extension)


CHURN_RID = "ri.models.main.model.0e07706a-9f6a-562d-aca6-15c15e2e990b"
# (case, model, input, the change to the model as read); CHURN has the tags Tier.Tier1 and
# Business.Churn (a glossary term), the domain Marketing and a registry link.
MODEL_EDITS: list[tuple[str, str, dict[str, Any], Change]] = [
    (
        "description",
        CHURN,
        {"description": "Retrained weekly."},
        setting("description", "Retrained weekly."),
    ),
    ("description-cleared", CHURN, {"description": None}, dropping("description")),
    ("display-name", CHURN, {"displayName": "Churn (v2)"}, setting("displayName", "Churn (v2)")),
    ("algorithm", CHURN, {"algorithm": "XGBoost"}, setting("algorithm", "XGBoost")),
    ("target-cleared", CHURN, {"target": None}, dropping("target")),
    (
        "server",
        CHURN,
        {"server": "https://serving.example/churn"},
        setting("server", "https://serving.example/churn"),
    ),
    (
        "source-url-added",
        CHURN,
        {"sourceUrl": "https://git.example/ml/churn"},
        setting("sourceUrl", "https://git.example/ml/churn"),
    ),
    (
        "tag-added",
        CHURN,
        {"addTags": [{"tagFQN": "PII.Sensitive"}, {"tagFQN": "Tier.Tier1"}]},
        tags_becoming(
            label("Tier.Tier1"), label("Business.Churn", "Glossary"), label("PII.Sensitive")
        ),
    ),
    (
        "tag-removed",
        CHURN,
        {"removeTags": ["Tier.Tier1", "PII.None"]},
        tags_becoming(label("Business.Churn", "Glossary")),
    ),
    (
        "tags-added-and-removed",
        CHURN,
        {"addTags": [{"tagFQN": "Lifecycle.Production"}], "removeTags": ["Business.Churn"]},
        tags_becoming(label("Tier.Tier1"), label("Lifecycle.Production")),
    ),
    (
        "custom-property-set",
        CHURN,
        {"extension": {"retrainingCadenceDays": 7}},
        extension_becoming({"registryModelRid": CHURN_RID, "retrainingCadenceDays": 7}),
    ),
    (
        "custom-property-removed",
        CHURN,
        {"extension": {"registryModelRid": None}},
        extension_becoming({}),
    ),
    ("domains-cleared", CHURN, {"domains": []}, setting("domains", [])),
    (
        "owners-replaced",
        LEAD_SCORING,
        {"owners": [{"id": ALICE}]},
        owners_becoming(ALICE),
    ),
    ("owners-cleared", LEAD_SCORING, {"owners": []}, owners_becoming()),
    # the catalog lists owners by name
    ("owner-added", LEAD_SCORING, {"addOwners": [{"id": ALICE}]}, owners_becoming(ALICE, KEVIN)),
    ("owner-removed", LEAD_SCORING, {"removeOwners": [KEVIN, ALICE]}, owners_becoming()),
]


@pytest.mark.parametrize(
    ("model", "update", "change"), [c[1:] for c in MODEL_EDITS], ids=[c[0] for c in MODEL_EDITS]
)
async def test_a_model_edit_changes_its_fields_and_nothing_else(
    gateway: GatewayClient,
    emulator: EmulatorHandle,
    model: str,
    update: dict[str, Any],
    change: Change,
) -> None:
    # given the model as the catalog has it
    before = read_model(emulator, model)
    # when
    result = await gateway.execute(UPDATE_MODEL, {"id": before["id"], "input": update})
    # then the catalog has the edit, and every other field as it was
    after = read_model(emulator, model)
    expected = stable(before)
    change(expected)
    assert stable(after) == expected
    assert after["version"] > before["version"]
    # and the answer is the model as stored now
    assert result == {
        "data": {
            "updateMlModel": {
                "__typename": "UpdateMlModelSuccess",
                "changed": True,
                "mlModel": answered_model(after),
            }
        }
    }


async def test_an_edit_by_name_reads_and_patches_once(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # when the description of a model named by its FQN is set, the answer selecting no
    # relationship field
    emulator.reset_counters()
    result = await gateway.execute(
        """mutation($fqn: String!) {
          updateMlModel(fullyQualifiedName: $fqn, input: {description: "Weekly."}) {
            ... on UpdateMlModelSuccess { changed mlModel { description } }
          }
        }""",
        {"fqn": CHURN},
    )
    # then one read and one patch were made
    assert result == {
        "data": {"updateMlModel": {"changed": True, "mlModel": {"description": "Weekly."}}}
    }
    assert upstream_calls(emulator) == {
        "GET /api/v1/mlmodels/name/{fqn:path}": 1,
        "PATCH /api/v1/mlmodels/{id}": 1,
    }


async def test_the_answer_comes_from_the_patch_when_it_holds_the_selection(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given the model's id
    model_id = read_model(emulator, CHURN)["id"]
    emulator.reset_counters()
    # when an edit selects relationship fields (tags, owners, domains, custom properties)
    result = await gateway.execute(
        UPDATE_MODEL, {"id": model_id, "input": {"addTags": [{"tagFQN": "PII.Sensitive"}]}}
    )
    # then the catalog's answer to the patch holds them: no read after the write
    assert upstream_calls(emulator) == {
        "GET /api/v1/mlmodels/{id}": 1,
        "PATCH /api/v1/mlmodels/{id}": 1,
    }
    assert result["data"]["updateMlModel"]["mlModel"] == answered_model(read_model(emulator, CHURN))


async def test_an_edit_that_changes_nothing_writes_nothing(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given the model as the catalog has it
    before = read_model(emulator, CHURN)
    emulator.reset_counters()
    # when an edit asks for what it already has
    result = await gateway.execute(
        UPDATE_MODEL,
        {
            "id": before["id"],
            "input": {
                "description": before["description"],
                "sourceUrl": None,
                "addTags": [{"tagFQN": "Tier.Tier1"}],
                "removeTags": ["PII.Sensitive"],
                "domains": ["Marketing"],
                "extension": {"registryModelRid": CHURN_RID, "modelCardUrl": None},
            },
        },
    )
    # then it answers the model as it is, read once and not patched
    assert result == {
        "data": {
            "updateMlModel": {
                "__typename": "UpdateMlModelSuccess",
                "changed": False,
                "mlModel": answered_model(before),
            }
        }
    }
    assert upstream_calls(emulator) == {"GET /api/v1/mlmodels/{id}": 1}
    assert read_model(emulator, CHURN) == before


async def test_an_unknown_model_is_not_found(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    result = await gateway.execute(UPDATE_MODEL, {"id": unknown, "input": {"description": "x"}})
    assert result == {
        "data": {
            "updateMlModel": {
                "__typename": "NotFoundError",
                "code": "NOT_FOUND",
                "message": f"mlmodel instance for {unknown} not found",
            }
        }
    }


async def test_an_unknown_tag_is_not_found_and_nothing_is_written(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    before = read_model(emulator, CHURN)
    result = await gateway.execute(
        UPDATE_MODEL,
        {"id": before["id"], "input": {"description": "x", "addTags": [{"tagFQN": "PII.Nope"}]}},
    )
    assert result == {
        "data": {
            "updateMlModel": {
                "__typename": "NotFoundError",
                "code": "NOT_FOUND",
                "message": "The tag PII.Nope named in the input does not exist in the catalog "
                "(or is soft-deleted).",
            }
        }
    }
    assert read_model(emulator, CHURN) == before


# Tables

TABLE_EDITS: list[tuple[str, dict[str, Any], Change]] = [
    (
        "description",
        {"description": "Customers of the shop."},
        setting("description", "Customers of the shop."),
    ),
    ("display-name", {"displayName": "Customers"}, setting("displayName", "Customers")),
    (
        "tags",
        {"addTags": [{"tagFQN": "Subject.Customer"}], "removeTags": ["Tier.Tier1"]},
        tags_becoming(label("PII.Sensitive"), label("Subject.Customer")),
    ),
]


@pytest.mark.parametrize(
    ("update", "change"), [c[1:] for c in TABLE_EDITS], ids=[c[0] for c in TABLE_EDITS]
)
async def test_a_table_edit_changes_its_fields_and_nothing_else(
    gateway: GatewayClient, emulator: EmulatorHandle, update: dict[str, Any], change: Change
) -> None:
    before = read_table(emulator, CUSTOMERS)
    result = await gateway.execute(UPDATE_TABLE, {"fqn": CUSTOMERS, "input": update})
    after = read_table(emulator, CUSTOMERS)
    expected = stable(before)
    change(expected)
    assert stable(after) == expected
    assert result == {
        "data": {
            "updateTable": {
                "__typename": "UpdateTableSuccess",
                "changed": True,
                "table": answered_table(after),
            }
        }
    }


def column_named(doc: dict[str, Any], *path: str) -> dict[str, Any]:
    columns: list[dict[str, Any]] = doc["columns"]
    found: dict[str, Any] = {}
    for name in path:
        found = next(c for c in columns if c["name"] == name)
        columns = found.get("children", [])
    return found


async def test_column_descriptions_and_tags_change_column_by_column(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given the table as the catalog has it (email carries PII.Sensitive)
    before = read_table(emulator, CUSTOMERS)
    update = {
        "columns": [
            {"name": "email", "description": "Primary email.", "removeTags": ["PII.Sensitive"]},
            {"name": "age", "description": None},
            {"name": "customer_id", "addTags": [{"tagFQN": "Tier.Tier2"}]},
        ]
    }
    # when
    result = await gateway.execute(UPDATE_TABLE, {"fqn": CUSTOMERS, "input": update})
    # then those columns changed, and nothing else
    after = read_table(emulator, CUSTOMERS)
    expected = stable(before)
    column_named(expected, "email").update(description="Primary email.", tags=[])
    column_named(expected, "age").pop("description")
    column_named(expected, "customer_id")["tags"] = [label("Tier.Tier2")]
    assert stable(after) == expected
    assert result["data"]["updateTable"] == {
        "__typename": "UpdateTableSuccess",
        "changed": True,
        "table": answered_table(after),
    }


ADDRESS = [
    {"name": "street", "dataType": "STRING"},
    {"name": "city", "dataType": "STRING", "tags": [label("PII.Sensitive")]},
]


async def test_a_nested_column_is_named_by_its_dotted_path(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given a table with a struct column
    catalog_write(
        emulator,
        "POST",
        "/v1/tables",
        {
            "name": "people",
            "databaseSchema": "postgres_shop.shop.public",
            "columns": [
                {"name": "id", "dataType": "INT"},
                {"name": "address", "dataType": "STRUCT", "children": ADDRESS},
            ],
        },
    )
    fqn = "postgres_shop.shop.public.people"
    before = read_table(emulator, fqn)
    # when its nested column address.city is edited
    update = {
        "columns": [
            {
                "name": "address.city",
                "description": "Town or city.",
                "addTags": [{"tagFQN": "PII.NonSensitive"}],
                "removeTags": ["PII.Sensitive"],
            }
        ]
    }
    result = await gateway.execute(UPDATE_TABLE, {"fqn": fqn, "input": update})
    # then only that column changed
    after = read_table(emulator, fqn)
    expected = stable(before)
    column_named(expected, "address", "city").update(
        description="Town or city.", tags=[label("PII.NonSensitive")]
    )
    assert stable(after) == expected
    assert result["data"]["updateTable"]["table"] == answered_table(after)


async def test_a_column_the_table_does_not_have_is_invalid_and_nothing_is_written(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    before = read_table(emulator, CUSTOMERS)
    emulator.reset_counters()
    result = await gateway.execute(
        UPDATE_TABLE,
        {"fqn": CUSTOMERS, "input": {"columns": [{"name": "email.domain", "description": "x"}]}},
    )
    assert result == {
        "data": {
            "updateTable": {
                "__typename": "ValidationError",
                "code": "BAD_USER_INPUT",
                "message": "`input.columns[0].name`: the table has no column email.domain.",
                "field": "input.columns[0].name",
            }
        }
    }
    assert upstream_calls(emulator) == {"GET /api/v1/tables/name/{fqn:path}": 1}
    assert read_table(emulator, CUSTOMERS) == before


# Domains: the catalog takes them by id, so a domain the entity is not in is looked up.


DOMAIN_LOOKUP = "GET /api/v1/domains/name/{name}"


async def test_a_domain_the_entity_is_not_in_is_looked_up_by_name(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given a model in Marketing
    before = read_model(emulator, CHURN)
    emulator.reset_counters()
    # when it is moved to Finance
    result = await gateway.execute(
        UPDATE_MODEL, {"id": before["id"], "input": {"domains": ["Finance"]}}
    )
    # then Finance was looked up once, by name, and the model is in it alone
    assert upstream_calls(emulator)[DOMAIN_LOOKUP] == 1
    after = read_model(emulator, CHURN)
    expected = stable(before)
    expected["domains"] = [{"id": seed_id("domain", "Finance"), "type": "domain"}]
    assert stable(after) == expected
    answer = result["data"]["updateMlModel"]["mlModel"]
    assert answer["domains"] == [{"fullyQualifiedName": "Finance"}]


async def test_an_unknown_domain_is_not_found_and_nothing_is_written(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    before = read_model(emulator, CHURN)
    emulator.reset_counters()
    result = await gateway.execute(
        UPDATE_MODEL, {"id": before["id"], "input": {"description": "x", "domains": ["Nowhere"]}}
    )
    assert result == {
        "data": {
            "updateMlModel": {
                "__typename": "NotFoundError",
                "code": "NOT_FOUND",
                "message": "The domain Nowhere named in the input does not exist in the catalog "
                "(or is soft-deleted).",
            }
        }
    }
    assert upstream_calls(emulator) == {"GET /api/v1/mlmodels/{id}": 1, DOMAIN_LOOKUP: 1}
    assert read_model(emulator, CHURN) == before
