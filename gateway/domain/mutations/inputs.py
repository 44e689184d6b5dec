"""Input types of the mutations, and their checked translation into catalog request bodies.

The checks run before any upstream call and report the offending argument's path
(`input.mlFeatures[0].name`) through `BadUserInputError.extensions["argument"]`.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry
from strawberry.scalars import JSON

from gateway.base.errors import BadUserInputError
from gateway.domain.types.common import ServiceKind
from gateway.domain.types.enums import (
    FeatureDataType,
    FeatureSourceDataType,
    TagSource,
    described,
)
from gateway.domain.validation import (
    check_choice,
    check_fqn,
    check_name,
    check_object,
    check_rid,
    check_uri,
    check_uuid,
)

ML_SERVICE_TYPES = frozenset({"Mlflow", "Sklearn", "CustomMlModel", "SageMaker", "VertexAI"})
# `databaseServiceType` of the catalog's databaseService.json.
DATABASE_SERVICE_TYPES = frozenset(
    {
        "BigQuery", "BigTable", "Mysql", "Redshift", "Snowflake", "Postgres", "Timescale",
        "Mssql", "MicrosoftAccess", "Oracle", "Athena", "Hive", "Impala", "Presto", "Trino",
        "Vertica", "Glue", "MariaDB", "Druid", "Db2", "Clickhouse", "Databricks", "AzureSQL",
        "DynamoDB", "SingleStore", "SQLite", "DeltaLake", "Salesforce", "PinotDB", "Datalake",
        "DomoDatabase", "QueryLog", "CustomDatabase", "Dbt", "SapHana", "MongoDB", "Cassandra",
        "Couchbase", "Greenplum", "Doris", "StarRocks", "UnityCatalog", "SAS", "Teradata",
        "SapErp", "Synapse", "Exasol", "Cockroach", "SSAS", "Epic", "ServiceNow", "Dremio",
        "MicrosoftFabric", "BurstIQ", "Informix", "Iomete",
    }
)  # fmt: skip
SERVICE_TYPES: dict[ServiceKind, frozenset[str]] = {
    ServiceKind.ML_MODEL: ML_SERVICE_TYPES,
    ServiceKind.DATABASE: DATABASE_SERVICE_TYPES,
}


@strawberry.enum(description="Kind of an owner.")
class OwnerType(Enum):
    USER = described("user", "A user (`User`).")
    TEAM = described("team", "A team (`Team`); only teams of type Group may own entities.")


@strawberry.input(description="A tag to attach (applied manually, confirmed).")
class TagInput:
    tag_fqn: str = strawberry.field(
        name="tagFQN", description="Fully qualified name of an existing tag, e.g. `PII.Sensitive`."
    )
    source: TagSource = strawberry.field(
        default=TagSource.CLASSIFICATION, description="Classification tag or glossary term."
    )


@strawberry.input(description="An owner: a user, or a team of type Group.")
class OwnerInput:
    id: strawberry.ID = strawberry.field(description="Catalog id (UUID) of the user or team.")
    type: OwnerType = strawberry.field(default=OwnerType.USER, description="User or team.")


@strawberry.input(description="Where a feature's values come from.")
class FeatureSourceInput:
    name: str = strawberry.field(description="Source name, usually the column name.")
    data_type: FeatureSourceDataType | None = strawberry.field(
        default=None, description="Data type of the source."
    )
    description: str | None = strawberry.field(default=None, description="Notes (Markdown).")
    table_id: strawberry.ID | None = strawberry.field(
        default=None, description="Catalog id of the table the column belongs to."
    )


@strawberry.input(description="A feature the model consumes.")
class MlFeatureInput:
    name: str = strawberry.field(description="Feature name, unique within the model.")
    data_type: FeatureDataType | None = strawberry.field(
        default=None, description="Numerical or categorical."
    )
    description: str | None = strawberry.field(default=None, description="Meaning (Markdown).")
    feature_algorithm: str | None = strawberry.field(
        default=None, description="How it is derived, e.g. PCA, bucketing."
    )
    feature_sources: list[FeatureSourceInput] | None = strawberry.field(
        default=None, description="Columns it is computed from."
    )
    tags: list[TagInput] | None = strawberry.field(default=None, description="Tags.")


@strawberry.input(description="A training hyper-parameter.")
class HyperParameterInput:
    name: str = strawberry.field(description="Parameter name.")
    value: str | None = strawberry.field(default=None, description="Value as text.")
    description: str | None = strawberry.field(default=None, description="What it controls.")


@strawberry.input(description="Where the model's artifacts are stored.")
class MlStoreInput:
    storage: str | None = strawberry.field(default=None, description="e.g. s3://bucket/path.")
    image_repository: str | None = strawberry.field(
        default=None, description="Container image repository."
    )


@strawberry.input(
    description="An ML model as written to the catalog. On create every field is stored as "
    "given. On upsert (PUT) the catalog applies its merge rules: `displayName`, "
    "`description`, `algorithm`, `target`, `server`, `sourceUrl`, `mlStore`, `mlFeatures` and "
    "`mlHyperParameters` are replaced, so leaving one out CLEARS it (`algorithm` falls back to "
    "`mlmodel`); `tags` are merged (an upsert can add tags, never remove them); `owners` and "
    "`domains` are replaced only by a non-empty list and cannot be cleared; "
    "`registryModelRid` is kept when left out and cannot be cleared; a bot caller cannot "
    "overwrite a non-empty `description`; upserting a soft-deleted model restores it."
)
class MlModelInput:
    name: str = strawberry.field(description="Model name: 1-256 characters, no `::`.")
    service: str = strawberry.field(
        description="Fully qualified name of the ML model service (its name)."
    )
    display_name: str | None = strawberry.field(default=None, description="Human-readable name.")
    description: str | None = strawberry.field(
        default=None, description="What the model does (Markdown)."
    )
    algorithm: str | None = strawberry.field(
        default=None, description="Training algorithm; the catalog stores `mlmodel` if unset."
    )
    target: str | None = strawberry.field(
        default=None, description="What a supervised model predicts (an entity name)."
    )
    server: str | None = strawberry.field(
        default=None, description="Serving endpoint (absolute URI)."
    )
    source_url: str | None = strawberry.field(
        default=None, description="Link to the model's source (absolute URI)."
    )
    ml_store: MlStoreInput | None = strawberry.field(default=None, description="Artifact storage.")
    ml_features: list[MlFeatureInput] | None = strawberry.field(
        default=None, description="Features it consumes."
    )
    ml_hyper_parameters: list[HyperParameterInput] | None = strawberry.field(
        default=None, description="Training hyper-parameters."
    )
    owners: list[OwnerInput] | None = strawberry.field(
        default=None, description="Owners (users or Group teams)."
    )
    tags: list[TagInput] | None = strawberry.field(default=None, description="Tags.")
    domains: list[str] | None = strawberry.field(
        default=None, description="Fully qualified names of domains."
    )
    data_products: list[str] | None = strawberry.field(
        default=None,
        description="Fully qualified names of data products (each of one of the model's domains).",
    )
    dashboard: str | None = strawberry.field(
        default=None,
        description="Fully qualified name of the dashboard showing the model's results.",
    )
    extension: JSON | None = strawberry.field(
        default=None,
        description="Custom properties, a JSON object from property name to value; each "
        "property must be defined for ML models in the catalog (with a value of its type). "
        "`registryModelRid` may be given here or as its own field, not both with different "
        "values.",
    )
    registry_model_rid: str | None = strawberry.field(
        default=None,
        description="RID of the model's registry model (stored as the catalog custom "
        "property that links the two).",
    )


@strawberry.input(description="A catalog service to create.")
class ServiceInput:
    kind: ServiceKind = strawberry.field(description="ML model service or database service.")
    name: str = strawberry.field(description="Service name: 1-256 characters, no `::`.")
    service_type: str = strawberry.field(
        description="Connector type. ML model services: Mlflow, Sklearn, CustomMlModel, "
        "SageMaker, VertexAI. Database services: Postgres, Mysql, Snowflake, BigQuery, ... "
        "(the catalog's list)."
    )
    display_name: str | None = strawberry.field(default=None, description="Human-readable name.")
    description: str | None = strawberry.field(
        default=None, description="What the service is (Markdown)."
    )
    owners: list[OwnerInput] | None = strawberry.field(
        default=None, description="Owners (users or Group teams)."
    )
    tags: list[TagInput] | None = strawberry.field(default=None, description="Tags.")
    domains: list[str] | None = strawberry.field(
        default=None, description="Fully qualified names of domains."
    )
    connection: JSON | None = strawberry.field(
        default=None,
        description="How the catalog's ingestion connects to the source, as the catalog "
        "defines it for the service type: `{config: {type, ...}}`. ML model services: "
        "Mlflow (`trackingUri`, `registryUri`), SageMaker (`awsConfig`), VertexAI "
        "(`credentials`, `location`), Sklearn, CustomMlModel (`sourcePythonClass`). The "
        "catalog validates it against the type's connection schema; secrets are stored "
        "and never answered in clear.",
    )


def _put(body: dict[str, Any], key: str, value: object) -> None:
    if value is not None:
        body[key] = value


def _tags(tags: list[TagInput] | None, path: str) -> list[dict[str, str]] | None:
    if tags is None:
        return None
    return [
        {
            "tagFQN": check_fqn(t.tag_fqn, f"{path}[{i}].tagFQN"),
            "source": t.source.value,
            "labelType": "Manual",
            "state": "Confirmed",
        }
        for i, t in enumerate(tags)
    ]


def _owners(owners: list[OwnerInput] | None, path: str) -> list[dict[str, str]] | None:
    if owners is None:
        return None
    return [
        {"id": check_uuid(str(o.id), f"{path}[{i}].id"), "type": o.type.value}
        for i, o in enumerate(owners)
    ]


def _source(source: FeatureSourceInput, path: str) -> dict[str, Any]:
    body: dict[str, Any] = {"name": check_name(source.name, f"{path}.name")}
    _put(body, "dataType", source.data_type.value if source.data_type else None)
    _put(body, "description", source.description)
    if source.table_id is not None:
        table_id = check_uuid(str(source.table_id), f"{path}.tableId")
        body["dataSource"] = {"id": table_id, "type": "table"}
    return body


def _feature(feature: MlFeatureInput, path: str) -> dict[str, Any]:
    body: dict[str, Any] = {"name": check_name(feature.name, f"{path}.name")}
    _put(body, "dataType", feature.data_type.value if feature.data_type else None)
    _put(body, "description", feature.description)
    _put(body, "featureAlgorithm", feature.feature_algorithm)
    if feature.feature_sources is not None:
        body["featureSources"] = [
            _source(s, f"{path}.featureSources[{i}]") for i, s in enumerate(feature.feature_sources)
        ]
    _put(body, "tags", _tags(feature.tags, f"{path}.tags"))
    return body


def model_body(model: MlModelInput, path: str, link_property: str) -> dict[str, Any]:
    """The catalog's `CreateMlModel` body; raises `BadUserInputError` naming the field."""
    body: dict[str, Any] = {
        "name": check_name(model.name, f"{path}.name"),
        "service": check_fqn(model.service, f"{path}.service"),
    }
    _put(body, "displayName", model.display_name)
    _put(body, "description", model.description)
    _put(body, "algorithm", model.algorithm)
    if model.target is not None:
        body["target"] = check_name(model.target, f"{path}.target")
    if model.server is not None:
        body["server"] = check_uri(model.server, f"{path}.server")
    if model.source_url is not None:
        body["sourceUrl"] = check_uri(model.source_url, f"{path}.sourceUrl")
    if model.ml_store is not None:
        store: dict[str, Any] = {}
        _put(store, "storage", model.ml_store.storage)
        _put(store, "imageRepository", model.ml_store.image_repository)
        body["mlStore"] = store
    if model.ml_features is not None:
        body["mlFeatures"] = [
            _feature(f, f"{path}.mlFeatures[{i}]") for i, f in enumerate(model.ml_features)
        ]
    if model.ml_hyper_parameters is not None:
        body["mlHyperParameters"] = [
            {
                "name": h.name,
                **({"value": h.value} if h.value is not None else {}),
                **({"description": h.description} if h.description is not None else {}),
            }
            for h in model.ml_hyper_parameters
        ]
    _put(body, "owners", _owners(model.owners, f"{path}.owners"))
    _put(body, "tags", _tags(model.tags, f"{path}.tags"))
    if model.domains is not None:
        body["domains"] = [
            check_fqn(d, f"{path}.domains[{i}]") for i, d in enumerate(model.domains)
        ]
    if model.data_products is not None:
        body["dataProducts"] = [
            check_fqn(d, f"{path}.dataProducts[{i}]") for i, d in enumerate(model.data_products)
        ]
    if model.dashboard is not None:
        body["dashboard"] = check_fqn(model.dashboard, f"{path}.dashboard")
    extension = dict(check_object(model.extension, f"{path}.extension") or {})
    if model.registry_model_rid is not None:
        rid = check_rid(model.registry_model_rid, f"{path}.registryModelRid")
        if extension.get(link_property, rid) != rid:
            raise BadUserInputError(
                f"`{path}.registryModelRid` and `{path}.extension.{link_property}` differ: "
                "give the registry model RID once.",
                extensions={"argument": f"{path}.registryModelRid"},
            )
        extension[link_property] = rid
    if extension:
        body["extension"] = extension
    return body


def service_body(service: ServiceInput, path: str) -> dict[str, Any]:
    """The catalog's `CreateMlModelService` / `CreateDatabaseService` body."""
    body: dict[str, Any] = {
        "name": check_name(service.name, f"{path}.name"),
        "serviceType": check_choice(
            service.service_type, SERVICE_TYPES[service.kind], f"{path}.serviceType"
        ),
    }
    _put(body, "displayName", service.display_name)
    _put(body, "description", service.description)
    _put(body, "owners", _owners(service.owners, f"{path}.owners"))
    _put(body, "tags", _tags(service.tags, f"{path}.tags"))
    if service.domains is not None:
        body["domains"] = [
            check_fqn(d, f"{path}.domains[{i}]") for i, d in enumerate(service.domains)
        ]
    if service.connection is not None:
        body["connection"] = _connection(service.connection, body["serviceType"], path)
    return body


def _connection(connection: object, service_type: str, path: str) -> dict[str, Any]:
    """`{config: {...}}`, its `type` (when given) the service's; the catalog checks the rest."""
    checked = check_object(connection, f"{path}.connection")
    config = checked.get("config") if checked is not None else None
    if checked is None or set(checked) != {"config"} or not isinstance(config, dict):
        raise BadUserInputError(
            f"`{path}.connection` must be an object `{{config: {{type, ...}}}}` holding the "
            "connection settings of the service type.",
            extensions={"argument": f"{path}.connection"},
        )
    if config.get("type", service_type) != service_type:
        raise BadUserInputError(
            f"`{path}.connection.config.type` is {config['type']!r}, not the service type "
            f"{service_type!r}.",
            extensions={"argument": f"{path}.connection.config.type"},
        )
    return {"config": config}


def model_fqn(body: dict[str, Any]) -> str:
    """The FQN the catalog gives a model: `<service FQN>.<name>`, the name quoted if dotted."""
    name: str = body["name"]
    part = f'"{name}"' if "." in name else name
    return f"{body['service']}.{part}"
