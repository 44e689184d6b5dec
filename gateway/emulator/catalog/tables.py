"""Tables (`/api/v1/tables`): columns with computed FQNs, column tag merging, breaking changes."""

from __future__ import annotations

from typing import Any

from gateway.emulator.catalog import fqn
from gateway.emulator.catalog.changes import Change
from gateway.emulator.catalog.databases import ref_of
from gateway.emulator.catalog.errors import bad_request
from gateway.emulator.catalog.kinds import ASSET_OPTIONAL, Draft, EntityKind, merge_tags
from gateway.emulator.catalog.render import Renderer
from gateway.emulator.catalog.resolve import Resolver
from gateway.emulator.catalog.shapes import TAGS, asset_props
from gateway.emulator.catalog.validation import (
    ENTITY_NAME_PATTERN,
    Check,
    Prop,
    array,
    enum,
    fqn_text,
    integer,
    json_object,
    lazy,
    obj,
    text,
)

DATA_TYPES = (
    "NUMBER", "TINYINT", "SMALLINT", "INT", "BIGINT", "BYTEINT", "BYTES", "FLOAT", "DOUBLE",
    "DECIMAL", "NUMERIC", "TIMESTAMP", "TIMESTAMPZ", "TIME", "DATE", "DATETIME", "INTERVAL",
    "STRING", "MEDIUMTEXT", "TEXT", "CHAR", "LONG", "VARCHAR", "BOOLEAN", "BINARY", "VARBINARY",
    "ARRAY", "BLOB", "LONGBLOB", "MEDIUMBLOB", "MAP", "STRUCT", "UNION", "SET", "GEOGRAPHY",
    "ENUM", "JSON", "UUID", "VARIANT", "GEOMETRY", "BYTEA", "AGGREGATEFUNCTION", "ERROR", "FIXED",
    "RECORD", "NULL", "SUPER", "HLLSKETCH", "PG_LSN", "PG_SNAPSHOT", "TSQUERY", "TXID_SNAPSHOT",
    "XML", "MACADDR", "TSVECTOR", "UNKNOWN", "CIDR", "INET", "CLOB", "ROWID", "LOWCARDINALITY",
    "YEAR", "POINT", "POLYGON", "TUPLE", "SPATIAL", "TABLE", "NTEXT", "IMAGE", "IPV4", "IPV6",
    "DATETIMERANGE", "HLL", "LARGEINT", "QUANTILE_STATE", "AGG_STATE", "BITMAP", "UINT", "BIT",
    "MONEY", "MEASURE HIDDEN", "MEASURE VISIBLE", "MEASURE", "KPI", "HEIRARCHY", "HIERARCHYID",
)  # fmt: skip
TABLE_TYPES = (
    "Regular", "External", "Dynamic", "View", "SecureView", "MaterializedView", "Iceberg",
    "Local", "Partitioned", "Foreign", "Transient", "Stream", "Stage",
)  # fmt: skip
FILE_FORMATS = (
    "csv", "csv.gz", "tsv", "avro", "parquet", "pq", "pqt", "parq", "parquet.snappy", "json",
    "json.gz", "json.zip", "jsonl", "jsonl.gz", "jsonl.zip", "MF4",
)  # fmt: skip
_SIZED_TYPES = frozenset({"CHAR", "VARCHAR", "BINARY", "VARBINARY"})
_SIZES = ("dataLength", "precision", "scale")
_COLUMN_ATTRIBUTES = (
    "displayName", "description", "dataTypeDisplay", "arrayDataType", "dataLength", "precision",
    "scale", "constraint", "ordinalPosition", "jsonSchema",
)  # fmt: skip


def _column() -> Check:
    return COLUMN


COLUMN: Check = obj(
    {
        "name": Prop(text(1, None, ENTITY_NAME_PATTERN), required=True),
        "displayName": Prop(text()),
        "dataType": Prop(enum(DATA_TYPES), required=True),
        "arrayDataType": Prop(enum(DATA_TYPES)),
        "dataLength": Prop(integer()),
        "precision": Prop(integer()),
        "scale": Prop(integer()),
        "dataTypeDisplay": Prop(text()),
        "description": Prop(text()),
        "fullyQualifiedName": Prop(text()),
        "tags": Prop(TAGS),
        "constraint": Prop(enum(("NULL", "NOT_NULL", "UNIQUE", "PRIMARY_KEY"))),
        "ordinalPosition": Prop(integer()),
        "jsonSchema": Prop(text()),
        "children": Prop(array(lazy(_column))),
        "profile": Prop(json_object()),
        "customMetrics": Prop(array(json_object())),
        "extension": Prop(json_object()),
    }
)
TABLE_CONSTRAINT: Check = obj(
    {
        "constraintType": Prop(
            enum(("UNIQUE", "PRIMARY_KEY", "FOREIGN_KEY", "SORT_KEY", "DIST_KEY", "CLUSTER_KEY"))
        ),
        "columns": Prop(array(text())),
        "referredColumns": Prop(array(fqn_text())),
        "relationshipType": Prop(
            enum(("ONE_TO_ONE", "ONE_TO_MANY", "MANY_TO_ONE", "MANY_TO_MANY"))
        ),
    }
)


def _column_key(column: dict[str, Any]) -> tuple[str, str]:
    return column["name"], column["dataType"]


def _tag_key(label: dict[str, Any]) -> str:
    return str(label["tagFQN"])


class TableKind(EntityKind):
    type = "table"
    collection = "tables"
    properties = (
        "id", "name", "displayName", "fullyQualifiedName", "description", "version", "updatedAt",
        "updatedBy", "impersonatedBy", "href", "tableType", "columns", "tableConstraints",
        "tablePartition", "owners", "databaseSchema", "database", "service", "serviceType",
        "location", "locationPath", "schemaDefinition", "tags", "usageSummary", "followers",
        "joins", "sampleData", "tableProfilerConfig", "customMetrics", "profile", "testSuite",
        "dataModel", "changeDescription", "incrementalChangeDescription", "deleted",
        "retentionPeriod", "compressionEnabled", "compressionCodec", "compressionStrategy",
        "extension", "sourceUrl", "domains", "dataProducts", "dataContract", "fileFormat", "votes",
        "lifeCycle", "certification", "sourceHash", "processedLineage", "queries",
        "pipelineObservability", "entityStatus",
    )  # fmt: skip
    create_props = {
        **asset_props(),
        "tableType": Prop(enum(TABLE_TYPES)),
        "columns": Prop(array(COLUMN), required=True),
        "dataModel": Prop(json_object()),
        "locationPath": Prop(text()),
        "tableConstraints": Prop(array(TABLE_CONSTRAINT)),
        "tablePartition": Prop(json_object()),
        "tableProfilerConfig": Prop(json_object()),
        "databaseSchema": Prop(fqn_text(), required=True),
        "schemaDefinition": Prop(text()),
        "retentionPeriod": Prop(text()),
        "fileFormat": Prop(enum(FILE_FORMATS)),
    }
    plain = (
        "displayName", "description", "tableType", "columns", "dataModel", "locationPath",
        "tableConstraints", "tablePartition", "tableProfilerConfig", "schemaDefinition",
        "retentionPeriod", "sourceUrl", "fileFormat", "lifeCycle", "sourceHash",
    )  # fmt: skip
    optional = ASSET_OPTIONAL | {
        "tableConstraints",
        "tablePartition",
        "joins",
        "schemaDefinition",
        "tableProfilerConfig",
        "testSuite",
        "customMetrics",
        "dataModel",
        "sampleData",
        "profile",
        "location",
    }
    empty_lists = frozenset({"customMetrics"})
    refs = ("service", "database", "databaseSchema")
    list_params = {"database": "database_fqn", "databaseSchema": "schema_fqn"}
    followable = True
    patchable = True

    def locate(self, body: dict[str, Any], resolver: Resolver) -> Draft:
        schema = resolver.container("databaseSchema", body["databaseSchema"])
        doc = {
            "service": schema.doc["service"],
            "serviceType": schema.doc["serviceType"],
            "database": schema.doc["database"],
            "databaseSchema": ref_of(schema.id, schema.type),
        }
        return Draft(
            name=body["name"],
            fqn=fqn.add(schema.fqn, body["name"]),
            doc=doc,
            service=schema.service,
            database=schema.database,
            schema=schema.fqn,
        )

    def complete(self, draft: Draft, resolver: Resolver) -> None:
        self._columns(draft.doc["columns"], draft.fqn, resolver)

    @property
    def patch_fields(self) -> frozenset[str]:
        # With `columns` and `tags` both asked for, every column (nested too) has its tags.
        return super().patch_fields | {"columns"}

    def patched(self, doc: dict[str, Any], entity_fqn: str, resolver: Resolver) -> None:
        self._columns(doc["columns"], entity_fqn, resolver)
        _drop_empty_tags(doc["columns"])

    def _columns(self, columns: list[dict[str, Any]], parent: str, resolver: Resolver) -> None:
        for column in columns:
            data_type = column["dataType"]
            if data_type in _SIZED_TYPES and column.get("dataLength") is None:
                raise bad_request(
                    "For column data types char, varchar, binary, varbinary dataLength "
                    "must not be null"
                )
            if data_type == "ARRAY" and column.get("arrayDataType") is None:
                raise bad_request("For column data type array, arrayDataType must not be null")
            column["fullyQualifiedName"] = fqn.add(parent, column["name"])
            if column.get("tags"):
                column["tags"] = resolver.tags(column["tags"])
            if column.get("children"):
                self._columns(column["children"], column["fullyQualifiedName"], resolver)

    def merge(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        _merge_columns(old.get("columns", []), new.get("columns", []))

    def diff(self, old: dict[str, Any], new: dict[str, Any], change: Change) -> None:
        for key in self.plain:
            if key != "columns" and old.get(key) != new.get(key):
                change.compare(key, old.get(key), new.get(key))
        _diff_columns("columns", old.get("columns", []), new.get("columns", []), change)

    def shape(self, out: dict[str, Any], fields: frozenset[str], renderer: Renderer) -> None:
        # Column tags come back only when both `columns` and `tags` are asked for.
        with_tags = "columns" in fields and "tags" in fields
        out["columns"] = _shape_columns(out.get("columns", []), with_tags, renderer)


def _drop_empty_tags(columns: list[dict[str, Any]]) -> None:
    """The patch copy's empty column tag lists are not stored."""
    for column in columns:
        if not column.get("tags"):
            column.pop("tags", None)
        _drop_empty_tags(column.get("children", []))


def _shape_columns(
    columns: list[dict[str, Any]], with_tags: bool, renderer: Renderer
) -> list[dict[str, Any]]:
    out = []
    for column in columns:
        shaped = {k: v for k, v in column.items() if k != "tags"}
        if with_tags:
            shaped["tags"] = renderer.labels(column.get("tags", []))
        if column.get("children"):
            shaped["children"] = _shape_columns(column["children"], with_tags, renderer)
        out.append(shaped)
    return out


def _merge_columns(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> None:
    stored = {_column_key(column): column for column in old}
    for column in new:
        before = stored.get(_column_key(column))
        if before is None:
            continue
        tags = merge_tags(before.get("tags", []), column.get("tags", []))
        if tags:
            column["tags"] = tags
        _merge_columns(before.get("children", []), column.get("children", []))


def _diff_columns(
    name: str, old: list[dict[str, Any]], new: list[dict[str, Any]], change: Change
) -> None:
    """Columns match by name and data type; a removed or narrowed column is breaking."""
    before = {_column_key(column): column for column in old}
    after = {_column_key(column): column for column in new}
    change.compare_items(name, old, new, key=_column_key)
    if before.keys() - after.keys():
        change.major = True
    for key, column in after.items():
        previous = before.get(key)
        if previous is None:
            continue
        prefix = f"{name}.{fqn.quote(column['name'])}"
        for attribute in _COLUMN_ATTRIBUTES:
            if previous.get(attribute) != column.get(attribute):
                change.compare(
                    f"{prefix}.{attribute}", previous.get(attribute), column.get(attribute)
                )
        for size in _SIZES:
            old_size, new_size = previous.get(size), column.get(size)
            if old_size is not None and new_size is not None and new_size < old_size:
                change.major = True
        change.compare_items(
            f"{prefix}.tags", previous.get("tags", []), column.get("tags", []), key=_tag_key
        )
        _diff_columns(
            f"{prefix}.children", previous.get("children", []), column.get("children", []), change
        )
