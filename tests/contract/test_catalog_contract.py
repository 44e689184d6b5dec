"""Catalog emulator vs the OpenMetadata contract: every kind of body it sends.

One module-wide run drives the emulator through reads, writes, follows, votes, bulk,
history and failures, and keeps each body under a label. The schema tests validate the
bodies with the contract's JSON schemas (Draft 7, `$ref`s resolved against file URIs) and
need `$GATEWAY_CONTRACTS_DIR`; the record tests decode them with the strict records of
`catalog_records` and always run.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from jsonschema import Draft7Validator, FormatChecker, ValidationError, validators
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from gateway.emulator.catalog import entity_kinds
from gateway.emulator.catalog.seed import seed_id
from tests.conftest import EmulatorHandle
from tests.contract.catalog_records import (
    ENTITY_RECORDS,
    BulkOperationResultRecord,
    EntityHistoryRecord,
    ErrorRecord,
    decode,
    event_of,
    page_of,
)

SCHEMA_ID_PREFIX = "https://open-metadata.org/schema/"
ENTITY_SCHEMAS = {
    "mlmodel": "entity/data/mlmodel.json",
    "table": "entity/data/table.json",
    "database": "entity/data/database.json",
    "databaseSchema": "entity/data/databaseSchema.json",
    "mlmodelService": "entity/services/mlmodelService.json",
    "databaseService": "entity/services/databaseService.json",
    "user": "entity/teams/user.json",
}
COLLECTIONS = {
    "mlmodel": "/mlmodels",
    "table": "/tables",
    "database": "/databases",
    "databaseSchema": "/databaseSchemas",
    "mlmodelService": "/services/mlmodelServices",
    "databaseService": "/services/databaseServices",
    "user": "/users",
}
SEEDED = {
    "mlmodel": seed_id("mlmodel", "mlflow_prod.churn_predictor"),
    "table": seed_id("table", "postgres_shop.shop.public.customers"),
    "database": seed_id("database", "postgres_shop.shop"),
    "databaseSchema": seed_id("databaseSchema", "postgres_shop.shop.public"),
    "mlmodelService": seed_id("mlmodelService", "sagemaker_prod"),
    "databaseService": seed_id("databaseService", "snowflake_dw"),
    "user": seed_id("user", "alice"),
}
# Top-level properties of the served types whose schemas the contract does not copy, from
# OpenMetadata 1.13's `entity/classification/{classification,tag}.json`
# (open-metadata/OpenMetadataStandards@6ef4ca6, `schemas/`).
UNCONTRACTED_PROPERTIES: dict[str, tuple[str, ...]] = {
    "classification": (
        "id", "name", "fullyQualifiedName", "displayName", "description", "version", "termCount",
        "updatedAt", "updatedBy", "impersonatedBy", "href", "usageCount", "changeDescription",
        "incrementalChangeDescription", "deleted", "provider", "disabled", "mutuallyExclusive",
        "domains", "owners", "reviewers", "entityStatus", "autoClassificationConfig",
    ),
    "tag": (
        "id", "name", "displayName", "fullyQualifiedName", "description", "style",
        "classification", "parent", "children", "version", "updatedAt", "updatedBy",
        "impersonatedBy", "href", "usageCount", "deprecated", "deleted", "changeDescription",
        "incrementalChangeDescription", "provider", "disabled", "mutuallyExclusive", "domains",
        "dataProducts", "dataContract", "owners", "reviewers", "entityStatus", "recognizers",
        "autoClassificationEnabled", "autoClassificationPriority",
    ),
}  # fmt: skip
VERSIONED = ("mlmodel", "table", "database", "databaseSchema", "mlmodelService", "databaseService")
ALICE = seed_id("user", "alice")
LABELS = [
    *(f"{t} {what}" for t in ENTITY_SCHEMAS for what in ("entity", "page")),
    *(f"{t} history" for t in VERSIONED),
    "mlmodel written",
    "table written",
    "mlmodel follow event",
    "mlmodel unfollow event",
    "mlmodel vote event",
    "table follow event",
    "table vote event",
    "bulk result",
    "mlmodel patched",
    "table patched",
    "mlmodel patched history",
]
# Bodies of the types whose schemas the contract does not copy: decoded strictly only.
RECORD_LABELS = [
    *(f"{t} {what}" for t in UNCONTRACTED_PROPERTIES for what in ("entity", "page", "written")),
    "tag patched",
]


@dataclass
class Bodies:
    """Bodies by label: (schema path, instance) to validate, (record, raw JSON) to decode."""

    schema: dict[str, list[tuple[str, Any]]] = field(default_factory=dict)
    records: dict[str, list[tuple[Any, bytes]]] = field(default_factory=dict)
    errors: list[httpx.Response] = field(default_factory=list)

    def add(self, label: str, schema: str, instance: Any, record: Any, raw: bytes) -> None:
        self.schema.setdefault(label, []).append((schema, instance))
        self.records.setdefault(label, []).append((record, raw))

    def entity(self, label: str, entity_type: str, response: httpx.Response) -> None:
        assert response.status_code in (200, 201), response.text
        record = ENTITY_RECORDS[entity_type]
        if entity_type in UNCONTRACTED_PROPERTIES:
            self.records.setdefault(label, []).append((record, response.content))
            return
        self.add(label, ENTITY_SCHEMAS[entity_type], response.json(), record, response.content)

    def record_page(self, label: str, entity_type: str, response: httpx.Response) -> None:
        assert response.status_code == 200, response.text
        self.records.setdefault(label, []).append((page_of(entity_type), response.content))

    def page(self, label: str, entity_type: str, response: httpx.Response) -> None:
        assert response.status_code == 200, response.text
        body = response.json()
        self.add(label, "type/paging.json", body["paging"], page_of(entity_type), response.content)
        for item in body["data"]:
            self.schema[label].append((ENTITY_SCHEMAS[entity_type], item))

    def event(self, label: str, entity_type: str, response: httpx.Response) -> None:
        assert response.status_code == 200, response.text
        body = response.json()
        self.add(label, "type/changeEvent.json", body, event_of(entity_type), response.content)
        self.schema[label].append((ENTITY_SCHEMAS[entity_type], body["entity"]))

    def history(self, label: str, entity_type: str, response: httpx.Response) -> None:
        assert response.status_code == 200, response.text
        body = response.json()
        self.add(label, "type/entityHistory.json", body, EntityHistoryRecord, response.content)
        for version in body["versions"]:
            self.add(
                label,
                ENTITY_SCHEMAS[entity_type],
                json.loads(version),
                ENTITY_RECORDS[entity_type],
                version.encode(),
            )


def drive(client: httpx.Client) -> Bodies:
    """Make the catalog send every kind of body once."""
    bodies = Bodies()
    for entity_type, path in COLLECTIONS.items():
        entity_id = SEEDED[entity_type]
        for fields in ("*", None):
            params = {} if fields is None else {"fields": fields}
            response = client.get(f"{path}/{entity_id}", params=params)
            bodies.entity(f"{entity_type} entity", entity_type, response)
        label = f"{entity_type} page"
        bodies.page(label, entity_type, client.get(path, params={"fields": "*", "limit": 1000}))
        first = client.get(path, params={"limit": 2})
        second = client.get(path, params={"limit": 2, "after": first.json()["paging"]["after"]})
        bodies.page(label, entity_type, first)
        bodies.page(label, entity_type, second)
        back = client.get(path, params={"limit": 1, "before": second.json()["paging"]["before"]})
        bodies.page(label, entity_type, back)
        if entity_type in VERSIONED:
            bodies.history(
                f"{entity_type} history", entity_type, client.get(f"{path}/{entity_id}/versions")
            )
            bodies.entity(
                f"{entity_type} history",
                entity_type,
                client.get(f"{path}/{entity_id}/versions/0.1"),
            )
    model = {
        "name": "contract",
        "service": "mlflow_prod",
        "owners": [{"id": ALICE, "type": "user"}],
    }
    created = client.post("/mlmodels", json=model)
    bodies.entity("mlmodel written", "mlmodel", created)
    bodies.entity(
        "mlmodel written", "mlmodel", client.put("/mlmodels", json={**model, "target": "y"})
    )
    model_id = created.json()["id"]
    bodies.entity("mlmodel written", "mlmodel", client.delete(f"/mlmodels/{model_id}"))
    bodies.entity(
        "mlmodel written", "mlmodel", client.put("/mlmodels/restore", json={"id": model_id})
    )
    table = {
        "name": "contract",
        "databaseSchema": "postgres_shop.shop.public",
        "columns": [{"name": "id", "dataType": "INT", "tags": [_tag("PII.None")]}],
    }
    bodies.entity("table written", "table", client.post("/tables", json=table))
    bodies.entity("table written", "table", client.put("/tables", json={**table, "columns": []}))
    for entity_type in ("mlmodel", "table"):
        entity_id = SEEDED[entity_type]
        path = COLLECTIONS[entity_type]
        follow = client.put(f"{path}/{entity_id}/followers", json=ALICE)
        bodies.event(f"{entity_type} follow event", entity_type, follow)
        vote = client.put(f"{path}/{entity_id}/vote", json={"updatedVoteType": "votedDown"})
        bodies.event(f"{entity_type} vote event", entity_type, vote)
    unfollow = client.delete(f"/mlmodels/{SEEDED['mlmodel']}/followers/{ALICE}")
    bodies.event("mlmodel unfollow event", "mlmodel", unfollow)
    bulk = client.put("/mlmodels/bulk", json=[{"name": "b", "service": "mlflow_prod"}, {}])
    bodies.add(
        "bulk result",
        "type/bulkOperationResult.json",
        bulk.json(),
        BulkOperationResultRecord,
        bulk.content,
    )
    drive_tags(client, bodies)
    drive_patches(client, bodies)
    bodies.errors = [
        client.get("/mlmodels", params={"fields": "nope"}),
        client.get(f"/mlmodels/{seed_id('mlmodel', 'nope')}"),
        client.post("/mlmodels", json={}),
        client.post("/mlmodels", content=b"{"),
        client.post("/mlmodels", json={"name": "contract", "service": "mlflow_prod"}),
        client.put("/mlmodels/restore", json={"id": SEEDED["mlmodel"]}),
        client.get("/mlmodels", headers={"Authorization": "Bearer nope"}),
        client.get("/mlmodels/not-a-uuid"),
        _patch(client, f"/mlmodels/{SEEDED['mlmodel']}", [], {"If-Match": '"0"'}),
        client.patch(f"/mlmodels/{SEEDED['mlmodel']}", json=[]),
    ]
    return bodies


def _patch(
    client: httpx.Client,
    path: str,
    ops: list[dict[str, Any]],
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    return client.patch(
        path,
        content=json.dumps(ops).encode(),
        headers={"Content-Type": "application/json-patch+json", **(headers or {})},
    )


def drive_patches(client: httpx.Client, bodies: Bodies) -> None:
    """PATCH answers: a model edited twice in one session (its second answer consolidated,
    with an incremental change description of its own), a table's columns, a tag."""
    model = f"/mlmodels/{SEEDED['mlmodel']}"
    model_edits: list[list[dict[str, Any]]] = [
        [{"op": "add", "path": "/description", "value": "Patched."}],
        [
            {"op": "add", "path": "/tags/-", "value": _tag("PII.None")},
            {"op": "add", "path": "/mlFeatures/0/description", "value": "Tenure."},
        ],
    ]
    for ops in model_edits:
        bodies.entity("mlmodel patched", "mlmodel", _patch(client, model, ops))
    bodies.history("mlmodel patched history", "mlmodel", client.get(f"{model}/versions"))
    table_ops: list[dict[str, Any]] = [
        {"op": "add", "path": "/columns/0/description", "value": "Key."},
        {"op": "add", "path": "/columns/1/tags/-", "value": _tag("Subject.Customer")},
    ]
    table = _patch(client, f"/tables/{SEEDED['table']}", table_ops)
    bodies.entity("table patched", "table", table)
    tag_ops: list[dict[str, Any]] = [{"op": "add", "path": "/description", "value": "Patched."}]
    bodies.entity("tag patched", "tag", _patch(client, "/tags/name/PII.None", tag_ops))


# (type, collection, a seeded one's name, a create body) of the types the contract leaves out.
UNCONTRACTED_SAMPLES: tuple[tuple[str, str, str, dict[str, Any]], ...] = (
    (
        "classification",
        "/classifications",
        "Tier",
        {"name": "Contract", "description": "c", "mutuallyExclusive": True},
    ),
    (
        "tag",
        "/tags",
        "Tier.Tier1",
        {"name": "C", "classification": "Contract", "description": "c", "style": {"color": "#0"}},
    ),
)


def drive_tags(client: httpx.Client, bodies: Bodies) -> None:
    """Classification and tag bodies: reads, pages, a create and a PUT of each."""
    for entity_type, path, key, request in UNCONTRACTED_SAMPLES:
        for fields in ("*", None):
            params = {} if fields is None else {"fields": fields}
            response = client.get(f"{path}/name/{key}", params=params)
            bodies.entity(f"{entity_type} entity", entity_type, response)
        queries: list[dict[str, str | int]] = [{"fields": "*", "limit": 1000}, {"limit": 2}]
        for query in queries:
            bodies.record_page(f"{entity_type} page", entity_type, client.get(path, params=query))
        bodies.entity(f"{entity_type} written", entity_type, client.post(path, json=request))
        again = client.put(path, json={**request, "description": "again"})
        bodies.entity(f"{entity_type} written", entity_type, again)


def _tag(fqn: str) -> dict[str, str]:
    return {"tagFQN": fqn, "source": "Classification", "labelType": "Manual", "state": "Confirmed"}


@pytest.fixture(scope="module")
def bodies(emulator_server: EmulatorHandle) -> Iterator[Bodies]:
    emulator_server.reset()
    with httpx.Client(
        base_url=f"{emulator_server.catalog_url}/v1",
        headers=emulator_server.headers(),
        timeout=10,
    ) as client:
        yield drive(client)


@pytest.fixture(scope="module")
def schema_root(contracts_dir: Path) -> Path:
    return contracts_dir / "openmetadata" / "schema"


@pytest.fixture(scope="module")
def schemas(schema_root: Path) -> Registry:
    """Schemas keyed by file URI; their `https://open-metadata.org/...` ids map to files."""

    def retrieve(uri: str) -> Resource:
        if uri.startswith(SCHEMA_ID_PREFIX):
            path = schema_root / uri.removeprefix(SCHEMA_ID_PREFIX)
        else:
            path = Path(uri.removeprefix("file://"))
        contents = json.loads(path.read_text())
        contents["$id"] = path.as_uri()
        # Without `$schema` a referenced file keeps the validator that reached it (the
        # decimal-aware one) instead of switching back to the stock Draft 7 class.
        contents.pop("$schema", None)
        return Resource.from_contents(contents, default_specification=DRAFT7)

    return Registry(retrieve=retrieve)  # type: ignore[call-arg]


def _multiple_of(validator: Any, step: float, instance: Any, schema: Any) -> Iterator[Any]:
    """`multipleOf` on decimals: 1.2 / 0.1 is 11.999... in binary floating point."""
    if validator.is_type(instance, "number"):
        quotient = instance / step
        if abs(quotient - round(quotient)) > 1e-9:
            yield ValidationError(f"{instance} is not a multiple of {step}")


ContractValidator = validators.extend(Draft7Validator, {"multipleOf": _multiple_of})


def schema_errors(registry: Registry, root: Path, schema: str, instance: Any) -> list[str]:
    validator = ContractValidator(
        {"$ref": (root / schema).as_uri()}, registry=registry, format_checker=FormatChecker()
    )
    return [
        f"{schema} at {list(e.absolute_path)}: {e.message[:200]}"
        for e in validator.iter_errors(instance)
    ]


@pytest.mark.parametrize("label", LABELS)
def test_bodies_validate_against_the_contract_schemas(
    bodies: Bodies, schemas: Registry, schema_root: Path, label: str
) -> None:
    # given every body sent under this label
    samples = bodies.schema[label]
    assert samples

    # when each is validated against its contract schema
    errors = [
        e for schema, body in samples for e in schema_errors(schemas, schema_root, schema, body)
    ]

    # then none violates it
    assert errors == []


@pytest.mark.parametrize("label", [*LABELS, *RECORD_LABELS])
def test_bodies_decode_into_strict_records(bodies: Bodies, label: str) -> None:
    # given every body sent under this label
    samples = bodies.records[label]
    assert samples

    # when each is decoded strictly
    failures = []
    for record, raw in samples:
        try:
            decode(record, raw)
        except msgspec.ValidationError as exc:
            failures.append(f"{record}: {exc}")

    # then all fit their records
    assert failures == []


def test_error_bodies_are_exactly_code_and_message(bodies: Bodies) -> None:
    # given the error responses collected
    statuses = [r.status_code for r in bodies.errors]

    # then each body is {"code": <its status>, "message": <text>} and nothing else
    assert statuses == [400, 404, 400, 400, 409, 500, 401, 404, 412, 415]
    for response in bodies.errors:
        body = response.json()
        assert set(body) == {"code", "message"}
        assert body["code"] == response.status_code
        assert isinstance(body["message"], str)
        assert decode(ErrorRecord, response.content) == ErrorRecord(
            code=response.status_code, message=body["message"]
        )


def test_fields_accept_exactly_the_schema_properties(schema_root: Path) -> None:
    # given the entity types the catalog serves
    kinds = {kind.type: kind for kind in entity_kinds()}

    # when their legal `fields` are compared with the top-level properties of their schemas
    # (the contract's, or the 1.13 ones recorded here for types the contract leaves out)
    def schema_properties(entity_type: str) -> tuple[str, ...]:
        if entity_type in UNCONTRACTED_PROPERTIES:
            return UNCONTRACTED_PROPERTIES[entity_type]
        schema = json.loads((schema_root / ENTITY_SCHEMAS[entity_type]).read_text())
        return tuple(schema["properties"])

    mismatched = {
        entity_type: kind.properties
        for entity_type, kind in kinds.items()
        if schema_properties(entity_type) != kind.properties
    }

    # then they are the same names in the same order
    assert set(kinds) == set(ENTITY_SCHEMAS) | set(UNCONTRACTED_PROPERTIES)
    assert mismatched == {}


def test_the_schema_check_catches_drift(
    bodies: Bodies, schemas: Registry, schema_root: Path
) -> None:
    # given a real model body, drifted three ways
    _, body = bodies.schema["mlmodel entity"][0]
    drifted = {**body, "id": "not-a-uuid", "version": 1.25, "colour": "red"}

    # when it is validated
    errors = schema_errors(schemas, schema_root, ENTITY_SCHEMAS["mlmodel"], drifted)

    # then each drift is reported
    assert len(errors) == 3
    assert any("'not-a-uuid' is not a 'uuid'" in e for e in errors)
    assert any("1.25 is not a multiple of 0.1" in e for e in errors)
    assert any("'colour' was unexpected" in e for e in errors)


def test_the_records_catch_drift(bodies: Bodies) -> None:
    # given a real model body with an unknown key
    record, raw = bodies.records["mlmodel entity"][0]
    drifted = json.dumps({**json.loads(raw), "colour": "red"}).encode()

    # when it is decoded, then the record refuses it
    with pytest.raises(msgspec.ValidationError, match="unknown field `colour`"):
        decode(record, drifted)
