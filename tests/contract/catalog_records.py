"""Strict typed records of every body the catalog emulator sends.

Unknown keys, missing required keys and wrong types all fail decoding, so these pin the
shapes the gateway reads without needing the contract's JSON schemas beside the clone.
"""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

import msgspec

T = TypeVar("T")


class Record(msgspec.Struct, forbid_unknown_fields=True, rename="camel"):
    """Base: camelCase keys, nothing unknown; subclasses are keyword-only so optional and
    required fields can mix across the hierarchy."""


class EntityReferenceRecord(Record, kw_only=True):
    id: str
    type: str
    name: str
    fully_qualified_name: str
    display_name: str | None = None
    deleted: bool
    href: str | None = None


class StyleRecord(Record, kw_only=True):
    color: str


class TagLabelRecord(Record, kw_only=True):
    tag_fqn: str = msgspec.field(name="tagFQN")
    name: str
    display_name: str | None = None
    description: str | None = None
    style: StyleRecord | None = None
    source: Literal["Classification", "Glossary"]
    label_type: Literal["Manual", "Propagated", "Automated", "Derived", "Generated"]
    state: Literal["Suggested", "Confirmed"]
    href: str | None = None


class VotesRecord(Record, kw_only=True):
    up_votes: int
    down_votes: int
    up_voters: list[EntityReferenceRecord]
    down_voters: list[EntityReferenceRecord]


class FieldChangeRecord(Record, kw_only=True):
    name: str
    old_value: Any = None
    new_value: Any = None


class ChangeDescriptionRecord(Record, kw_only=True):
    fields_added: list[FieldChangeRecord]
    fields_updated: list[FieldChangeRecord]
    fields_deleted: list[FieldChangeRecord]
    previous_version: float


class EntityRecord(Record, kw_only=True):
    """What every catalog entity carries."""

    id: str
    name: str
    fully_qualified_name: str
    display_name: str | None = None
    description: str | None = None
    version: float
    updated_at: int
    updated_by: str
    href: str | None = None
    deleted: bool
    change_description: ChangeDescriptionRecord | None = None
    incremental_change_description: ChangeDescriptionRecord | None = None
    owners: list[EntityReferenceRecord] | None = None
    followers: list[EntityReferenceRecord] | None = None
    tags: list[TagLabelRecord] | None = None
    domains: list[EntityReferenceRecord] | None = None
    data_products: list[EntityReferenceRecord] | None = None


class AssetRecord(EntityRecord, kw_only=True):
    """Data assets: status, votes, custom properties and the common optional metadata."""

    entity_status: Literal["Unprocessed"]
    votes: VotesRecord | None = None
    extension: dict[str, str] | None = None
    source_url: str | None = None
    source_hash: str | None = None
    life_cycle: dict[str, Any] | None = None


class FeatureSourceRecord(Record, kw_only=True):
    name: str
    data_type: str | None = None
    description: str | None = None
    fully_qualified_name: str
    data_source: EntityReferenceRecord | None = None
    tags: list[TagLabelRecord] | None = None


class MlFeatureRecord(Record, kw_only=True):
    name: str
    data_type: Literal["numerical", "categorical"] | None = None
    description: str | None = None
    fully_qualified_name: str
    feature_sources: list[FeatureSourceRecord] | None = None
    feature_algorithm: str | None = None
    tags: list[TagLabelRecord] | None = None


class HyperParameterRecord(Record, kw_only=True):
    name: str
    value: str
    description: str | None = None


class MlStoreRecord(Record, kw_only=True):
    storage: str | None = None
    image_repository: str | None = None


class MlModelRecord(AssetRecord, kw_only=True):
    algorithm: str
    ml_features: list[MlFeatureRecord] | None = None
    ml_hyper_parameters: list[HyperParameterRecord] | None = None
    target: str | None = None
    dashboard: EntityReferenceRecord | None = None
    ml_store: MlStoreRecord | None = None
    server: str | None = None
    service: EntityReferenceRecord
    service_type: Literal["Mlflow", "Sklearn", "CustomMlModel", "SageMaker", "VertexAI"]


class ColumnRecord(Record, kw_only=True):
    name: str
    display_name: str | None = None
    data_type: str
    array_data_type: str | None = None
    data_length: int | None = None
    precision: int | None = None
    scale: int | None = None
    data_type_display: str | None = None
    description: str | None = None
    fully_qualified_name: str
    tags: list[TagLabelRecord] | None = None
    constraint: Literal["NULL", "NOT_NULL", "UNIQUE", "PRIMARY_KEY"] | None = None
    ordinal_position: int | None = None
    children: list[ColumnRecord] | None = None


class TableConstraintRecord(Record, kw_only=True):
    constraint_type: str
    columns: list[str]


class TableRecord(AssetRecord, kw_only=True):
    table_type: str | None = None
    columns: list[ColumnRecord]
    table_constraints: list[TableConstraintRecord] | None = None
    custom_metrics: list[dict[str, Any]] | None = None
    service: EntityReferenceRecord
    service_type: str
    database: EntityReferenceRecord
    database_schema: EntityReferenceRecord


class DatabaseRecord(AssetRecord, kw_only=True):
    service: EntityReferenceRecord
    service_type: str
    default: bool
    database_schemas: list[EntityReferenceRecord] | None = None


class DatabaseSchemaRecord(AssetRecord, kw_only=True):
    service: EntityReferenceRecord
    service_type: str
    database: EntityReferenceRecord
    tables: list[EntityReferenceRecord] | None = None


class ConnectionRecord(Record, kw_only=True):
    config: dict[str, Any]


class ServiceRecord(EntityRecord, kw_only=True):
    entity_status: Literal["Unprocessed"]
    service_type: str
    connection: ConnectionRecord | None = None
    pipelines: list[EntityReferenceRecord] | None = None


class UserRecord(EntityRecord, kw_only=True):
    email: str
    is_admin: bool
    is_bot: bool
    teams: list[EntityReferenceRecord] | None = None
    follows: list[EntityReferenceRecord] | None = None
    owns: list[EntityReferenceRecord] | None = None
    roles: list[EntityReferenceRecord] | None = None
    inherited_roles: list[EntityReferenceRecord] | None = None
    personas: list[EntityReferenceRecord] | None = None
    inherited_personas: list[EntityReferenceRecord] | None = None
    persona_preferences: list[dict[str, Any]] | None = None


class ClassificationRecord(EntityRecord, kw_only=True):
    """`entity/classification/classification.json` (1.13), as the emulator sends it."""

    provider: Literal["system", "user", "automation"]
    disabled: bool
    mutually_exclusive: bool
    term_count: int | None = None
    usage_count: int | None = None
    reviewers: list[EntityReferenceRecord] | None = None
    auto_classification_config: dict[str, Any] | None = None


class TagRecord(EntityRecord, kw_only=True):
    """`entity/classification/tag.json` (1.13), as the emulator sends it."""

    style: StyleRecord | None = None
    classification: EntityReferenceRecord
    parent: EntityReferenceRecord | None = None
    children: list[EntityReferenceRecord] | None = None
    deprecated: bool
    provider: Literal["system", "user", "automation"]
    disabled: bool
    mutually_exclusive: bool
    usage_count: int | None = None
    reviewers: list[EntityReferenceRecord] | None = None
    recognizers: list[dict[str, Any]] | None = None
    auto_classification_enabled: bool
    auto_classification_priority: int


class PagingRecord(Record, kw_only=True):
    before: str | None = None
    after: str | None = None
    total: int


class ResultListRecord(Record, Generic[T], kw_only=True):
    data: list[T]
    paging: PagingRecord


class ChangeEventRecord(Record, Generic[T], kw_only=True):
    id: str
    event_type: Literal["entityUpdated"]
    entity_type: str
    entity_id: str
    entity_fully_qualified_name: str
    previous_version: float
    current_version: float
    user_name: str
    timestamp: int
    change_description: ChangeDescriptionRecord
    incremental_change_description: ChangeDescriptionRecord
    entity: T


class BulkResponseRecord(Record, kw_only=True):
    request: Any
    message: str | None = None
    status: int


class BulkOperationResultRecord(Record, kw_only=True):
    status: Literal["success", "failure", "partialSuccess"]
    number_of_rows_processed: int
    number_of_rows_passed: int
    number_of_rows_failed: int
    success_request: list[BulkResponseRecord]
    failed_request: list[BulkResponseRecord]


class EntityHistoryRecord(Record, kw_only=True):
    entity_type: str
    versions: list[str]


class ErrorRecord(Record, kw_only=True):
    code: int
    message: str


# The record of each entity type, by the type string the catalog uses.
ENTITY_RECORDS: dict[str, type[EntityRecord]] = {
    "mlmodel": MlModelRecord,
    "table": TableRecord,
    "database": DatabaseRecord,
    "databaseSchema": DatabaseSchemaRecord,
    "mlmodelService": ServiceRecord,
    "databaseService": ServiceRecord,
    "user": UserRecord,
    "classification": ClassificationRecord,
    "tag": TagRecord,
}


def page_of(entity_type: str) -> Any:
    """The ResultList record of one entity type (parametrised at run time)."""
    generic: Any = ResultListRecord
    return generic[ENTITY_RECORDS[entity_type]]


def event_of(entity_type: str) -> Any:
    """The ChangeEvent record whose `entity` is of one entity type."""
    generic: Any = ChangeEventRecord
    return generic[ENTITY_RECORDS[entity_type]]


def decode(record: Any, body: bytes) -> Any:
    """Decode a body strictly into `record`; raises `msgspec.ValidationError` on drift."""
    return msgspec.json.decode(body, type=record, strict=True)
