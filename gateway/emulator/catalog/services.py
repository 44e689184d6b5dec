"""ML model services and database services (`/api/v1/services/...`).

An ML model service's `connection.config` is checked and converted against the connection
schema of its `serviceType` (see `connections`); a database service's stays an opaque
object. Answers never show a connection to non-admins, and show it to admins with every
secret masked.
"""

from __future__ import annotations

from typing import Any

from gateway.emulator.catalog import fqn
from gateway.emulator.catalog.changes import Change
from gateway.emulator.catalog.connections import ml_connection
from gateway.emulator.catalog.kinds import Draft, EntityKind
from gateway.emulator.catalog.render import Renderer
from gateway.emulator.catalog.resolve import Resolver
from gateway.emulator.catalog.shapes import common_props
from gateway.emulator.catalog.validation import Check, Prop, anything, enum, json_object, obj

ML_SERVICE_TYPES = ("Mlflow", "Sklearn", "CustomMlModel", "SageMaker", "VertexAI")
DATABASE_SERVICE_TYPES = (
    "BigQuery", "BigTable", "Mysql", "Redshift", "Snowflake", "Postgres", "Timescale", "Mssql",
    "MicrosoftAccess", "Oracle", "Athena", "Hive", "Impala", "Presto", "Trino", "Vertica", "Glue",
    "MariaDB", "Druid", "Db2", "Clickhouse", "Databricks", "AzureSQL", "DynamoDB", "SingleStore",
    "SQLite", "DeltaLake", "Salesforce", "PinotDB", "Datalake", "DomoDatabase", "QueryLog",
    "CustomDatabase", "Dbt", "SapHana", "MongoDB", "Cassandra", "Couchbase", "Greenplum", "Doris",
    "StarRocks", "UnityCatalog", "SAS", "Teradata", "SapErp", "Synapse", "Exasol", "Cockroach",
    "SSAS", "Epic", "ServiceNow", "Dremio", "MicrosoftFabric", "BurstIQ", "Informix", "Iomete",
)  # fmt: skip
# Connection properties declared `"format": "password"`: `awsSecretAccessKey`
# (awsCredentials.json) and `privateKey` (gcpValues.json) are the only ones the ML model
# connection schemas reach; the others are those of database connection schemas.
_SECRETS = frozenset(
    {
        "awsSecretAccessKey",
        "clientSecret",
        "keyStorePassword",
        "password",
        "privateKey",
        "secretKey",
        "spPrivateKey",
    }
)
_MASK = "*********"
_SERVICE_OPTIONAL = frozenset(
    {
        "owners",
        "followers",
        "tags",
        "domains",
        "dataProducts",
        "pipelines",
        "testConnectionResult",
        "dataContract",
        "ingestionRunner",
    }
)


def mask(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _MASK if k in _SECRETS and v is not None else mask(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask(v) for v in value]
    return value


class ServiceKind(EntityKind):
    """A service: top of a hierarchy, named by its own name."""

    container = "service_fqn"
    optional = _SERVICE_OPTIONAL
    empty_lists = frozenset({"pipelines"})
    plain = ("displayName", "description", "serviceType", "connection")
    lookup_by_plain_name = True

    def __init__(self, service_types: tuple[str, ...], config: Check) -> None:
        self.create_props = {
            **common_props(),
            "serviceType": Prop(enum(service_types), required=True),
            "connection": Prop(obj({"config": Prop(config)})),
        }
        super().__init__()

    def locate(self, body: dict[str, Any], resolver: Resolver) -> Draft:
        name = body["name"]
        return Draft(name=name, fqn=fqn.quote(name), doc={})

    def diff(self, old: dict[str, Any], new: dict[str, Any], change: Change) -> None:
        # Connections hold credentials: a change is reported without its values.
        for key in self.plain:
            before, after = old.get(key), new.get(key)
            if before == after:
                continue
            if key != "connection":
                change.compare(key, before, after)
            elif before is None:
                change.added.append({"name": key})
            elif after is None:
                change.deleted.append({"name": key})
            else:
                change.updated.append({"name": key})

    def shape(self, out: dict[str, Any], fields: frozenset[str], renderer: Renderer) -> None:
        # Non-admin callers never see a connection; admins see it with secrets masked.
        connection = out.pop("connection", None)
        if renderer.admin and connection is not None:
            out["connection"] = mask(connection)


class MlModelServiceKind(ServiceKind):
    type = "mlmodelService"
    collection = "services/mlmodelServices"
    properties = (
        "id", "name", "fullyQualifiedName", "serviceType", "description", "displayName",
        "version", "updatedAt", "updatedBy", "impersonatedBy", "pipelines", "connection",
        "testConnectionResult", "tags", "owners", "href", "changeDescription",
        "incrementalChangeDescription", "deleted", "entityStatus", "dataProducts", "dataContract",
        "followers", "domains", "ingestionRunner",
    )  # fmt: skip

    def __init__(self) -> None:
        # Any JSON here: the config is converted to the service type's class afterwards.
        super().__init__(ML_SERVICE_TYPES, anything())

    def complete(self, draft: Draft, resolver: Resolver) -> None:
        connection = draft.doc.get("connection")
        if connection is not None:
            draft.doc["connection"] = ml_connection(draft.doc["serviceType"], connection)


class DatabaseServiceKind(ServiceKind):
    type = "databaseService"
    collection = "services/databaseServices"
    properties = (
        "id", "name", "fullyQualifiedName", "displayName", "serviceType", "description",
        "connection", "pipelines", "testConnectionResult", "tags", "version", "updatedAt",
        "updatedBy", "impersonatedBy", "owners", "href", "followers", "changeDescription",
        "incrementalChangeDescription", "deleted", "entityStatus", "dataProducts", "dataContract",
        "domains", "ingestionRunner",
    )  # fmt: skip

    def __init__(self) -> None:
        super().__init__(DATABASE_SERVICE_TYPES, json_object())
