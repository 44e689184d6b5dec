"""Closed sets of catalog values are GraphQL enums in outputs too: each value the catalog
sends is answered as its UPPER_SNAKE name, and a value outside the enum (a newer catalog)
as null with a warning, never as a failed field."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from gateway.domain.types.common import Tag
from gateway.domain.types.enums import (
    CatalogValues,
    ColumnConstraint,
    ColumnDataType,
    TableType,
    TagState,
)
from gateway.domain.types.ml_model import MlFeature
from gateway.domain.types.table import Column, Table
from gateway.upstream.records import (
    ColumnRecord,
    FeatureSourceRecord,
    MlFeatureRecord,
    TableRecord,
    TagLabelRecord,
)
from tests.conftest import EmulatorHandle, gateway_settings, running_gateway
from tests.gateway.rest import catalog_get, graphql_enum_name

TAG = "tags { tagFQN source labelType state }"
# Column tags are left out: the gateway asks the catalog for `fields=tags`, and the catalog
# answers column tags only for `fields=columns,tags`, so they are always empty (the same
# `Tag` conversion is checked on tables, models and features).
COLUMN = "name dataType arrayDataType constraint"
TABLES = f"""
query {{
  tables(first: 100, include: ALL) {{
    nodes {{
      fullyQualifiedName tableType {TAG}
      columns {{ {COLUMN} children {{ {COLUMN} children {{ {COLUMN} }} }} }}
    }}
  }}
}}
"""
MODELS = f"""
query {{
  mlModels(first: 100, include: ALL) {{
    nodes {{
      fullyQualifiedName {TAG}
      mlFeatures {{ name dataType {TAG} featureSources {{ name dataType }} }}
    }}
  }}
}}
"""

# A table holding what the seed lacks: an array, a struct with children, a type whose
# catalog spelling has a space, and tags applied otherwise than by hand.
PROBE = {
    "name": "enum_probe",
    "databaseSchema": "bigquery_analytics.events_prod.marketing",
    "tableType": "SecureView",
    "columns": [
        {
            "name": "ids",
            "dataType": "ARRAY",
            "arrayDataType": "BIGINT",
            "constraint": "NULL",
        },
        {
            "name": "info",
            "dataType": "STRUCT",
            "children": [
                {"name": "at", "dataType": "TIMESTAMPZ"},
                {"name": "spend", "dataType": "MEASURE HIDDEN"},
            ],
        },
    ],
    "tags": [
        {
            "tagFQN": "Business.Churn",
            "source": "Glossary",
            "labelType": "Propagated",
            "state": "Suggested",
        },
        {
            "tagFQN": "PII.Sensitive",
            "source": "Classification",
            "labelType": "Automated",
            "state": "Confirmed",
        },
    ],
}


async def _execute(emulator: EmulatorHandle, query: str) -> dict[str, Any]:
    """`query` through a gateway whose cost limit lets every table's columns be asked at once."""
    async with running_gateway(gateway_settings(emulator, max_cost=10_000_000), emulator) as gw:
        return await gw.execute(query)


def _post_table(emulator: EmulatorHandle, body: dict[str, Any]) -> None:
    response = httpx.post(
        f"{emulator.catalog_url}/v1/tables", json=body, headers=emulator.headers(), timeout=10
    )
    response.raise_for_status()


def _tags(rest: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "tagFQN": t["tagFQN"],
            "source": graphql_enum_name(t["source"]),
            "labelType": graphql_enum_name(t["labelType"]),
            "state": graphql_enum_name(t["state"]),
        }
        for t in rest.get("tags") or ()
    ]


def _column(rest: dict[str, Any], depth: int) -> dict[str, Any]:
    column = {
        "name": rest["name"],
        "dataType": graphql_enum_name(rest["dataType"]),
        "arrayDataType": graphql_enum_name(rest.get("arrayDataType")),
        "constraint": graphql_enum_name(rest.get("constraint")),
    }
    if depth < 2:
        column["children"] = [_column(c, depth + 1) for c in rest.get("children") or ()]
    return column


async def test_table_values_are_answered_as_enum_names(emulator: EmulatorHandle) -> None:
    # given the seed and a table with the values the seed lacks
    _post_table(emulator, PROBE)
    rest = catalog_get(emulator, "/v1/tables", limit=100, include="all", fields="columns,tags")
    # when
    result = await _execute(emulator, TABLES)
    # then
    assert result == {
        "data": {
            "tables": {
                "nodes": [
                    {
                        "fullyQualifiedName": t["fullyQualifiedName"],
                        "tableType": graphql_enum_name(t.get("tableType")),
                        "tags": _tags(t),
                        "columns": [_column(c, 0) for c in t["columns"]],
                    }
                    for t in rest["data"]
                ]
            }
        }
    }
    probe = next(
        t for t in result["data"]["tables"]["nodes"] if t["fullyQualifiedName"].endswith("probe")
    )
    assert probe["tableType"] == "SECURE_VIEW"
    assert [(t["source"], t["labelType"], t["state"]) for t in probe["tags"]] == [
        ("GLOSSARY", "PROPAGATED", "SUGGESTED"),
        ("CLASSIFICATION", "AUTOMATED", "CONFIRMED"),
    ]
    ids, info = probe["columns"]
    assert (ids["dataType"], ids["arrayDataType"], ids["constraint"]) == ("ARRAY", "BIGINT", "NULL")
    assert [(c["name"], c["dataType"]) for c in info["children"]] == [
        ("at", "TIMESTAMPZ"),
        ("spend", "MEASURE_HIDDEN"),
    ]


async def test_model_values_are_answered_as_enum_names(emulator: EmulatorHandle) -> None:
    # given
    rest = catalog_get(emulator, "/v1/mlmodels", limit=100, include="all", fields="mlFeatures,tags")
    # when
    result = await _execute(emulator, MODELS)
    # then
    assert result == {
        "data": {
            "mlModels": {
                "nodes": [
                    {
                        "fullyQualifiedName": m["fullyQualifiedName"],
                        "tags": _tags(m),
                        "mlFeatures": [
                            {
                                "name": f["name"],
                                "dataType": graphql_enum_name(f.get("dataType")),
                                "tags": _tags(f),
                                "featureSources": [
                                    {
                                        "name": s["name"],
                                        "dataType": graphql_enum_name(s["dataType"]),
                                    }
                                    for s in f.get("featureSources") or ()
                                ],
                            }
                            for f in m.get("mlFeatures") or ()
                        ],
                    }
                    for m in rest["data"]
                ]
            }
        }
    }
    features = [f for m in result["data"]["mlModels"]["nodes"] for f in m["mlFeatures"]]
    assert {f["dataType"] for f in features} == {"NUMERICAL", "CATEGORICAL"}


# A catalog newer than the gateway: values outside the enums.


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


def unknown(value: str, coordinate: str, enum: str) -> str:
    return f"catalog sent {value!r} for {coordinate}, not a value of {enum}: answered as null"


def test_a_tag_with_unknown_values_keeps_the_known_ones(caplog: pytest.LogCaptureFixture) -> None:
    # given
    record = TagLabelRecord(
        tag_fqn="PII.Sensitive", source="Lineage", label_type="Imported", state="Confirmed"
    )
    # when
    with caplog.at_level(logging.WARNING, logger="gateway.upstream"):
        tag = Tag.from_record(record)
    # then
    assert (tag.tag_fqn, tag.source, tag.label_type, tag.state) == (
        "PII.Sensitive",
        None,
        None,
        TagState.CONFIRMED,
    )
    assert warnings_of(caplog) == [
        unknown("Lineage", "Tag.source", "TagSource"),
        unknown("Imported", "Tag.labelType", "TagLabelType"),
    ]


def test_a_column_and_a_table_with_unknown_values(caplog: pytest.LogCaptureFixture) -> None:
    # given
    column = ColumnRecord(
        name="c",
        data_type="QUBIT",
        array_data_type="QUBIT",
        constraint="CHECK",
        children=[ColumnRecord(name="d", data_type="VARCHAR", constraint="NOT_NULL")],
    )
    table = TableRecord(
        id="t", name="t", table_type="Hologram", columns=[column], version=0.1, updated_at=0
    )
    # when
    with caplog.at_level(logging.WARNING, logger="gateway.upstream"):
        converted = Column.from_record(column)
        table_type = Table.from_record(table).table_type
    # then
    child = converted.children[0]
    assert (converted.data_type, converted.array_data_type, converted.constraint) == (
        None,
        None,
        None,
    )
    assert (child.data_type, child.constraint) == (
        ColumnDataType.VARCHAR,
        ColumnConstraint.NOT_NULL,
    )
    assert table_type is None
    assert warnings_of(caplog) == [
        unknown("QUBIT", "Column.dataType", "ColumnDataType"),
        unknown("QUBIT", "Column.arrayDataType", "ColumnDataType"),
        unknown("CHECK", "Column.constraint", "ColumnConstraint"),
        unknown("Hologram", "Table.tableType", "TableType"),
    ]


def test_features_with_unknown_values(caplog: pytest.LogCaptureFixture) -> None:
    # given
    record = MlFeatureRecord(
        name="f",
        data_type="ordinal",
        feature_sources=[FeatureSourceRecord(name="s", data_type="decimal")],
    )
    # when
    with caplog.at_level(logging.WARNING, logger="gateway.upstream"):
        feature = MlFeature.from_record(record)
    # then
    assert (feature.data_type, feature.feature_sources[0].data_type) == (None, None)
    assert warnings_of(caplog) == [
        unknown("ordinal", "MlFeature.dataType", "FeatureDataType"),
        unknown("decimal", "FeatureSource.dataType", "FeatureSourceDataType"),
    ]


def test_an_unknown_value_is_logged_once_and_at_most_a_bounded_number_of_them(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given a fresh field's conversion
    values = CatalogValues(TableType, "Table.tableType")
    # when it meets the same unknown value twice, then more distinct ones than it remembers
    with caplog.at_level(logging.WARNING, logger="gateway.upstream"):
        answers = [values("Hologram"), values("Hologram")]
        answers += [values(f"Kind{n}") for n in range(CatalogValues.REMEMBERED + 5)]
    # then every one is null, each distinct value is logged once, up to the bound
    assert answers == [None] * (CatalogValues.REMEMBERED + 7)
    assert warnings_of(caplog) == [unknown("Hologram", "Table.tableType", "TableType")] + [
        unknown(f"Kind{n}", "Table.tableType", "TableType")
        for n in range(CatalogValues.REMEMBERED - 1)
    ]
    # and known values and absent ones still convert
    assert (values("View"), values(None)) == (TableType.VIEW, None)
