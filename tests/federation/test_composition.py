"""Composition by Apollo's own library (@apollo/composition) with a second subgraph."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from graphql import GraphQLObjectType, build_schema, parse, validate

from gateway.graphql.schema import export_sdl
from tests.federation.environment import FEDERATION_DIR
from tests.federation.node import compose

DOCS = Path(__file__).resolve().parents[2] / "docs" / "federation.md"
SUPERGRAPH_EXAMPLE = re.compile(r"```graphql supergraph\n(.*?)```", re.S)

# A subgraph that hands out model versions by RID alone.
VERSIONS_BY_RID_ONLY = """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.11", import: ["@key"])
type ModelVersion @key(fields: "rid") { rid: ID! deployedAt: String }
type Query { latestDeployedVersion: ModelVersion }
"""

# The same, knowing which registry model each version belongs to.
VERSIONS_WITH_MODEL = """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.11", import: ["@key"])
type ModelVersion @key(fields: "rid modelRid") @key(fields: "rid") {
  rid: ID!
  modelRid: String!
  deployedAt: String
}
type Query { latestDeployedVersion: ModelVersion }
"""


def join_keys(supergraph_sdl: str, type_name: str) -> list[str]:
    """The `@join__type` applications of one type, as the supergraph prints them."""
    header = rf"^type {type_name}(?: implements [\w &]+)?\n((?:  @join__\w+\(.*\)\n)+)"
    match = re.search(header, supergraph_sdl, re.M)
    assert match is not None, type_name
    return [line.strip() for line in match.group(1).splitlines() if "@join__type" in line]


def compose_with(node: str, tmp_path: Path, catalog_sdl: str, other_sdl: str) -> dict[str, Any]:
    (tmp_path / "catalog.graphql").write_text(catalog_sdl, encoding="utf-8")
    (tmp_path / "other.graphql").write_text(other_sdl, encoding="utf-8")
    config = {
        "subgraphs": {
            "catalog": {
                "routing_url": "http://127.0.0.1:1/graphql",
                "schema": {"file": "catalog.graphql"},
            },
            "deployments": {
                "routing_url": "http://127.0.0.1:2/graphql",
                "schema": {"file": "other.graphql"},
            },
        }
    }
    return compose(node, config, tmp_path)


def test_composes_with_the_reviews_subgraph_without_errors_or_hints(
    composition: dict[str, Any],
) -> None:
    # then
    assert (composition["ok"], composition["errors"], composition["hints"]) == (True, [], [])
    sdl = composition["supergraphSdl"]
    assert join_keys(sdl, "MlModel") == [
        '@join__type(graph: CATALOG, key: "id")',
        '@join__type(graph: CATALOG, key: "fullyQualifiedName")',
        '@join__type(graph: REVIEWS, key: "id")',
    ]
    assert join_keys(sdl, "Table") == [
        '@join__type(graph: CATALOG, key: "id")',
        '@join__type(graph: CATALOG, key: "fullyQualifiedName")',
        '@join__type(graph: REVIEWS, key: "fullyQualifiedName")',
    ]
    assert join_keys(sdl, "User") == [
        '@join__type(graph: CATALOG, key: "id")',
        '@join__type(graph: REVIEWS, key: "id", resolvable: false)',
    ]
    assert join_keys(sdl, "ModelVersion") == [
        '@join__type(graph: CATALOG, key: "rid modelRid")',
        '@join__type(graph: CATALOG, key: "rid", resolvable: false)',
    ]
    assert join_keys(sdl, "PageInfo") == [
        "@join__type(graph: CATALOG)",
        "@join__type(graph: REVIEWS)",
    ]


def test_the_api_schema_joins_both_subgraphs_fields(composition: dict[str, Any]) -> None:
    # when
    api = build_schema(composition["apiSchemaSdl"])
    # then
    model = api.get_type("MlModel")
    table = api.get_type("Table")
    review = api.get_type("Review")
    assert isinstance(model, GraphQLObjectType)
    assert isinstance(table, GraphQLObjectType)
    assert isinstance(review, GraphQLObjectType)
    assert {"reviews", "averageRating", "algorithm", "versions"} <= set(model.fields)
    assert {"reviews", "columns", "mlModels"} <= set(table.fields)
    assert {name: str(f.type) for name, f in review.fields.items()} == {
        "id": "ID!",
        "rating": "Int!",
        "body": "String!",
        "author": "User",
        "model": "MlModel",
        "table": "Table",
    }
    ours = build_schema(export_sdl(), assume_valid_sdl=True).query_type
    assert api.query_type is not None
    assert ours is not None
    assert set(api.query_type.fields) == (set(ours.fields) - {"_entities", "_service"}) | {
        "reviews",
        "review",
    }


def test_user_email_carries_the_pii_tag_into_the_supergraph(composition: dict[str, Any]) -> None:
    tagged = re.findall(r"^  (\w+): .*@tag\(name: \"pii\"\)$", composition["supergraphSdl"], re.M)
    assert tagged == ["email"]


def test_page_info_has_to_be_shareable(node: str, tmp_path: Path) -> None:
    # given: this subgraph's SDL without @shareable on PageInfo
    sdl = export_sdl()
    assert sdl.count("type PageInfo @shareable {") == 1
    unshared = sdl.replace("type PageInfo @shareable {", "type PageInfo {")
    reviews_sdl = (FEDERATION_DIR / "reviews" / "schema.graphql").read_text(encoding="utf-8")
    # when
    report = compose_with(node, tmp_path, unshared, reviews_sdl)
    # then
    assert report["ok"] is False
    assert sorted((e["code"], e["message"].split('"')[1]) for e in report["errors"]) == [
        ("INVALID_FIELD_SHARING", f"PageInfo.{f}")
        for f in ("endCursor", "hasNextPage", "hasPreviousPage", "startCursor")
    ]


def test_a_version_rid_alone_cannot_reach_this_subgraph(node: str, tmp_path: Path) -> None:
    # when: another subgraph returns versions by RID only
    report = compose_with(node, tmp_path, export_sdl(), VERSIONS_BY_RID_ONLY)
    # then: composition refuses, because the registry cannot read a version by RID alone
    assert report["ok"] is False
    assert {e["code"] for e in report["errors"]} == {"SATISFIABILITY_ERROR"}
    assert all(
        'cannot move to subgraph "catalog" using @key(fields: "rid modelRid") of "ModelVersion"'
        in e["message"]
        for e in report["errors"]
    )


def test_a_version_with_its_model_rid_reaches_this_subgraph(node: str, tmp_path: Path) -> None:
    # when
    report = compose_with(node, tmp_path, export_sdl(), VERSIONS_WITH_MODEL)
    # then
    assert (report["ok"], report["errors"]) == (True, [])
    assert join_keys(report["supergraphSdl"], "ModelVersion") == [
        '@join__type(graph: CATALOG, key: "rid modelRid")',
        '@join__type(graph: CATALOG, key: "rid", resolvable: false)',
        '@join__type(graph: DEPLOYMENTS, key: "rid modelRid")',
        '@join__type(graph: DEPLOYMENTS, key: "rid")',
    ]


def test_the_supergraph_examples_of_the_docs_are_valid(composition: dict[str, Any]) -> None:
    # given
    examples = SUPERGRAPH_EXAMPLE.findall(DOCS.read_text(encoding="utf-8"))
    api = build_schema(composition["apiSchemaSdl"])
    # when
    errors = [[e.message for e in validate(api, parse(example))] for example in examples]
    # then
    assert errors == [[], []]
