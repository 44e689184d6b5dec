"""The gateway's enums of catalog values hold exactly the values of the catalog's JSON schema,
each under its GraphQL-style name."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Any

import pytest

from gateway.domain.types.enums import (
    ColumnConstraint,
    ColumnDataType,
    FeatureDataType,
    FeatureSourceDataType,
    TableType,
    TagLabelType,
    TagSource,
    TagState,
)
from tests.gateway.rest import graphql_enum_name

# Each enum, and where the catalog's schema lists its values (file, then keys to the enum).
SOURCES: list[tuple[type[Enum], str, tuple[str, ...]]] = [
    (TagSource, "type/tagLabel.json", ("definitions", "TagSource")),
    (TagLabelType, "type/tagLabel.json", ("properties", "labelType")),
    (TagState, "type/tagLabel.json", ("properties", "state")),
    (FeatureDataType, "entity/data/mlmodel.json", ("definitions", "featureType")),
    (FeatureSourceDataType, "entity/data/mlmodel.json", ("definitions", "featureSourceDataType")),
    (ColumnConstraint, "entity/data/table.json", ("definitions", "constraint")),
    (TableType, "entity/data/table.json", ("definitions", "tableType")),
    (ColumnDataType, "entity/data/table.json", ("definitions", "dataType")),
]


@pytest.mark.parametrize(
    ("enum", "file", "keys"), SOURCES, ids=[enum.__name__ for enum, _, _ in SOURCES]
)
def test_an_enum_has_the_catalogs_values_in_order(
    contracts_dir: Path, enum: type[Enum], file: str, keys: tuple[str, ...]
) -> None:
    # given the catalog's list
    found: Any = json.loads((contracts_dir / "openmetadata" / "schema" / file).read_text())
    for key in keys:
        found = found[key]
    catalog: list[str] = found["enum"]
    # then the enum holds each value, in the catalog's order, under its GraphQL-style name
    assert [(m.name, m.value) for m in enum] == [(graphql_enum_name(v), v) for v in catalog]
