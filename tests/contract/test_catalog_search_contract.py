"""Catalog emulator vs the contract's search and lineage shapes (SEARCH_LINEAGE_AUTHZ §1.1,
§1.2b, §1.3, §1.4, §2.1): strict records, no unknown keys, decoded from live answers."""

from __future__ import annotations

import json
from typing import Any, Literal

import httpx
import msgspec

from gateway.emulator.catalog.seed import seed_id
from tests.conftest import EmulatorHandle


class Strict(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    pass


class Total(Strict):
    value: int
    relation: str


class Hit(Strict, kw_only=True):
    index: str = msgspec.field(name="_index")
    id: str = msgspec.field(name="_id")
    score: float | None = msgspec.field(name="_score")
    source: dict[str, Any] = msgspec.field(name="_source")
    sort: list[Any]
    highlight: dict[str, list[str]] | None = None


class Hits(Strict):
    total: Total
    max_score: float | None
    hits: list[Hit]


class Bucket(Strict):
    key: str
    doc_count: int


class Terms(Strict):
    doc_count_error_upper_bound: int
    sum_other_doc_count: int
    buckets: list[Bucket]


class Shards(Strict):
    total: int
    successful: int
    skipped: int
    failed: int


class SearchResponse(Strict):
    took: int
    timed_out: bool
    shards: Shards = msgspec.field(name="_shards")
    hits: Hits
    aggregations: dict[str, Terms]


class Reference(Strict, kw_only=True):
    id: str
    type: str
    name: str
    fullyQualifiedName: str
    displayName: str | None = None
    deleted: bool
    href: str


class DocumentReference(Strict, kw_only=True):
    """A reference inside a search document: no href."""

    id: str
    type: str
    name: str
    fullyQualifiedName: str
    displayName: str | None = None
    deleted: bool


class UserDocument(Strict, kw_only=True):
    """A `user_search_index` document's `_source` (§1.2b): every field required."""

    id: str
    name: str
    fullyQualifiedName: str
    displayName: str
    email: str
    isAdmin: bool
    isBot: bool
    teams: list[DocumentReference]
    roles: list[DocumentReference]
    inheritedRoles: list[DocumentReference]
    domains: list[DocumentReference]
    deleted: bool
    version: float
    updatedAt: int
    updatedBy: str
    href: str
    entityType: Literal["user"]


class ColumnLineage(Strict, kw_only=True):
    fromColumns: list[str] | None = None
    toColumn: str | None = None
    function: str | None = None


class Details(Strict, kw_only=True):
    sqlQuery: str | None = None
    description: str | None = None
    pipeline: dict[str, Any] | None = None
    columnsLineage: list[ColumnLineage]
    source: str
    createdAt: int
    createdBy: str
    updatedAt: int
    updatedBy: str


class LineageEdge(Strict, kw_only=True):
    fromEntity: str
    toEntity: str
    lineageDetails: Details | None = None


class LineageResponse(Strict):
    entity: Reference
    nodes: list[Reference]
    upstreamEdges: list[LineageEdge]
    downstreamEdges: list[LineageEdge]


def test_search_answers_decode(emulator: EmulatorHandle) -> None:
    query_filter = {"query": {"bool": {"must": [{"term": {"tags.tagFQN": "PII.Sensitive"}}]}}}
    with httpx.Client(base_url=f"{emulator.catalog_url}/v1", headers=emulator.headers()) as api:
        for params in (
            {"q": "churn", "index": "mlmodel_search_index", "deleted": "false"},
            {
                "q": "*",
                "index": "table",
                "sort_field": "updatedAt",
                "query_filter": json.dumps(query_filter),
            },
        ):
            response = api.get("/search/query", params=params)
            assert response.status_code == 200
            body = msgspec.json.decode(response.content, type=SearchResponse)
            assert all(key.startswith("sterms#") for key in body.aggregations)
        facets = api.get("/search/aggregate", params={"field": "serviceType"})
        assert facets.status_code == 200
        decoded = msgspec.json.decode(facets.content, type=SearchResponse)
        assert decoded.hits.hits == []


def test_user_documents_decode(emulator: EmulatorHandle) -> None:
    alice, lena = seed_id("user", "alice"), seed_id("user", "lena")
    ids = {"query": {"bool": {"filter": [{"ids": {"values": [alice, lena]}}]}}}
    with httpx.Client(base_url=f"{emulator.catalog_url}/v1", headers=emulator.headers()) as api:
        response = api.get(
            "/search/query",
            params={"q": "*", "index": "user_search_index", "query_filter": json.dumps(ids)},
        )
    assert response.status_code == 200
    body = msgspec.json.decode(response.content, type=SearchResponse)
    assert sorted(hit.id for hit in body.hits.hits) == sorted([alice, lena])
    for hit in body.hits.hits:
        assert hit.index == "user_search_index"
        document = msgspec.convert(hit.source, type=UserDocument)
        assert document.id == hit.id


def test_lineage_answers_decode(emulator: EmulatorHandle) -> None:
    model = seed_id("mlmodel", "mlflow_prod.churn_predictor")
    orders = seed_id("table", "postgres_shop.shop.public.orders")
    with httpx.Client(base_url=f"{emulator.catalog_url}/v1", headers=emulator.headers()) as api:
        added = api.put(
            "/lineage",
            json={
                "edge": {
                    "fromEntity": {"id": orders, "type": "table"},
                    "toEntity": {"id": model, "type": "mlmodel"},
                    "lineageDetails": {"sqlQuery": "select 1"},
                }
            },
        )
        assert added.status_code == 200
        response = api.get(f"/lineage/mlmodel/{model}", params={"upstreamDepth": 3})
        body = msgspec.json.decode(response.content, type=LineageResponse)
        assert any(edge.lineageDetails is not None for edge in body.upstreamEdges)
        assert any(edge.lineageDetails is None for edge in body.upstreamEdges)
