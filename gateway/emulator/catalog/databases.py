"""Databases and database schemas: what a table hangs off (`/api/v1/databases[Schemas]`)."""

from __future__ import annotations

from typing import Any

from gateway.emulator.catalog import fqn
from gateway.emulator.catalog.kinds import ASSET_OPTIONAL, Draft, EntityKind
from gateway.emulator.catalog.resolve import Resolver
from gateway.emulator.catalog.shapes import asset_props
from gateway.emulator.catalog.validation import Prop, boolean, fqn_text, text


def ref_of(entity_id: str, entity_type: str) -> dict[str, str]:
    """The `{id, type}` form references take inside stored documents."""
    return {"id": entity_id, "type": entity_type}


class DatabaseKind(EntityKind):
    type = "database"
    collection = "databases"
    properties = (
        "id", "name", "fullyQualifiedName", "displayName", "description", "dataProducts",
        "dataContract", "tags", "version", "updatedAt", "updatedBy", "impersonatedBy", "href",
        "owners", "service", "serviceType", "location", "usageSummary", "databaseSchemas",
        "changeDescription", "incrementalChangeDescription", "default", "deleted",
        "retentionPeriod", "extension", "sourceUrl", "domains", "votes", "lifeCycle",
        "certification", "followers", "sourceHash", "databaseProfilerConfig", "entityStatus",
    )  # fmt: skip
    create_props = {
        **asset_props(),
        "service": Prop(fqn_text(), required=True),
        "default": Prop(boolean(), default=False),
        "retentionPeriod": Prop(text()),
    }
    plain = (
        "displayName", "description", "default", "retentionPeriod", "sourceUrl", "lifeCycle",
        "sourceHash",
    )  # fmt: skip
    optional = ASSET_OPTIONAL | {"databaseSchemas", "location", "databaseProfilerConfig"}
    refs = ("service",)
    list_params = {"service": "service_fqn"}
    container = "database_fqn"
    children = ("databaseSchemas", "databaseSchema")
    patchable = True

    def locate(self, body: dict[str, Any], resolver: Resolver) -> Draft:
        service = resolver.container("databaseService", body["service"])
        doc = {
            "service": ref_of(service.id, service.type),
            "serviceType": service.doc["serviceType"],
        }
        return Draft(
            name=body["name"],
            fqn=fqn.add(service.fqn, body["name"]),
            doc=doc,
            service=service.fqn,
        )


class DatabaseSchemaKind(EntityKind):
    type = "databaseSchema"
    collection = "databaseSchemas"
    properties = (
        "id", "name", "fullyQualifiedName", "displayName", "description", "dataProducts",
        "dataContract", "version", "updatedAt", "updatedBy", "impersonatedBy", "href", "owners",
        "service", "serviceType", "database", "tables", "usageSummary", "tags",
        "changeDescription", "incrementalChangeDescription", "deleted", "retentionPeriod",
        "extension", "sourceUrl", "domains", "votes", "lifeCycle", "followers", "certification",
        "sourceHash", "databaseSchemaProfilerConfig", "entityStatus",
    )  # fmt: skip
    create_props = {
        **asset_props(),
        "database": Prop(fqn_text(), required=True),
        "retentionPeriod": Prop(text()),
    }
    plain = (
        "displayName",
        "description",
        "retentionPeriod",
        "sourceUrl",
        "lifeCycle",
        "sourceHash",
    )
    optional = ASSET_OPTIONAL | {"tables", "databaseSchemaProfilerConfig"}
    refs = ("service", "database")
    list_params = {"database": "database_fqn"}
    container = "schema_fqn"
    children = ("tables", "table")
    patchable = True

    def locate(self, body: dict[str, Any], resolver: Resolver) -> Draft:
        database = resolver.container("database", body["database"])
        doc = {
            "service": database.doc["service"],
            "serviceType": database.doc["serviceType"],
            "database": ref_of(database.id, database.type),
        }
        return Draft(
            name=body["name"],
            fqn=fqn.add(database.fqn, body["name"]),
            doc=doc,
            service=database.service,
            database=database.fqn,
        )
