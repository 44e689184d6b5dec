"""The catalog's search and lineage answers (OpenMetadata 1.13) as msgspec records.

A search answer is Elasticsearch's `SearchResponse` passed through: `hits.hits[]` each
with `_id` (the entity id), `_score`, `_source` (the index document), `highlight` and
`sort`, and `aggregations` keyed `sterms#<field>`. An index document is the entity's JSON
with all its fields, changed in a few: `followers` holds user ids, `votes` is dropped
(`totalVotes` instead), `tags` leaves out the Tier tag (and folds in a table's column
tags), `displayName` falls back to the name. `source_model` and `source_table` build the
entity records from a document with those fields left unread (`None`), so that they load
through the entity API like any relationship the parent record lacks.
"""

from __future__ import annotations

from typing import Any

import msgspec

from gateway.base.errors import UpstreamError
from gateway.upstream.records_catalog import (
    NO_DASHBOARD_ID,
    EntityReferenceRecord,
    MlModelRecord,
    Record,
    TableRecord,
    log,
)

# Index document fields that differ from the entity API's field of the same name.
_UNLIKE_ENTITY = ("followers", "votes", "tags")
_NO_DASHBOARD = {"id": NO_DASHBOARD_ID, "type": "dashboard"}


class SearchTotalRecord(Record, kw_only=True, frozen=True):
    value: int = 0
    relation: str = "eq"


class SearchHitRecord(Record, kw_only=True, frozen=True):
    index: str | None = msgspec.field(default=None, name="_index")
    id: str = msgspec.field(name="_id")
    score: float | None = msgspec.field(default=None, name="_score")
    # Decoded into an entity record by its type (`entityType`), when read.
    source: msgspec.Raw = msgspec.field(default=msgspec.Raw(b"null"), name="_source")
    highlight: dict[str, list[str]] | None = None
    sort: list[Any] | None = None


class SearchHitsRecord(Record, kw_only=True, frozen=True):
    total: SearchTotalRecord = msgspec.field(default_factory=SearchTotalRecord)
    max_score: float | None = msgspec.field(default=None, name="max_score")
    hits: list[SearchHitRecord] = msgspec.field(default_factory=list)


class BucketRecord(Record, kw_only=True, frozen=True):
    key: Any
    doc_count: int = msgspec.field(default=0, name="doc_count")


class AggregationRecord(Record, kw_only=True, frozen=True):
    buckets: list[BucketRecord] = msgspec.field(default_factory=list)


class SearchResponseRecord(Record, kw_only=True, frozen=True):
    hits: SearchHitsRecord = msgspec.field(default_factory=SearchHitsRecord)
    aggregations: dict[str, AggregationRecord] | None = None

    def buckets(self, field: str) -> list[BucketRecord] | None:
        """The buckets of the terms aggregation on `field` (its key with or without the
        `sterms#` prefix); None when the answer has no such aggregation."""
        found = self.aggregations
        if found is None:
            return None
        aggregation = found.get(f"sterms#{field}") or found.get(field)
        return aggregation.buckets if aggregation is not None else None


class _SourceKind(Record, kw_only=True, frozen=True):
    entity_type: str | None = None


_KIND = msgspec.json.Decoder(_SourceKind)
_DOCUMENT = msgspec.json.Decoder(dict[str, Any])
_MODEL = msgspec.json.Decoder(MlModelRecord)
_TABLE = msgspec.json.Decoder(TableRecord)
_ENCODER = msgspec.json.Encoder()


def source_kind(hit: SearchHitRecord) -> str | None:
    """The hit's entity type (`mlmodel`, `table`, ...): `entityType` of the document, else
    read from the index name; None when neither says."""
    try:
        kind = _KIND.decode(hit.source)
    except msgspec.DecodeError:
        kind = None
    if kind is not None and kind.entity_type:
        return kind.entity_type
    index = hit.index or ""
    for name in ("mlmodel", "table"):
        if index.startswith(f"{name}_search_index"):
            return name
    return None


def _entity_json(hit: SearchHitRecord, model: bool) -> bytes:
    try:
        document = _DOCUMENT.decode(hit.source)
    except msgspec.DecodeError:
        log.warning("catalog sent an invalid search document")
        raise UpstreamError("The catalog sent an invalid response", upstream="catalog") from None
    for name in _UNLIKE_ENTITY:
        document.pop(name, None)
    # The index falls back to the name for a missing display name: the same text tells
    # nothing more than the name, so it reads as not set, as the entity API has it.
    if document.get("displayName") == document.get("name"):
        document.pop("displayName", None)
    # The entity JSON leaves out an empty extension and a missing dashboard.
    if document.get("extension") is None:
        document["extension"] = {}
    if model and document.get("dashboard") is None:
        document["dashboard"] = _NO_DASHBOARD
    document.setdefault("id", hit.id)
    return _ENCODER.encode(document)


def _decoded(decoder: msgspec.json.Decoder[Any], raw: bytes) -> Any:
    try:
        return decoder.decode(raw)
    except msgspec.DecodeError:
        log.warning("catalog sent a search document the entity record cannot hold")
        raise UpstreamError("The catalog sent an invalid response", upstream="catalog") from None


def source_model(hit: SearchHitRecord) -> MlModelRecord:
    """An ML model's record from its index document; `followers`, `votes` and `tags` are
    left unread (None)."""
    record: MlModelRecord = _decoded(_MODEL, _entity_json(hit, model=True))
    return record


def source_table(hit: SearchHitRecord) -> TableRecord:
    """A table's record from its index document; `followers`, `votes` and `tags` are left
    unread (None)."""
    record: TableRecord = _decoded(_TABLE, _entity_json(hit, model=False))
    return record


# Lineage


class ColumnLineageRecord(Record, kw_only=True, frozen=True):
    from_columns: list[str] = msgspec.field(default_factory=list)
    to_column: str | None = None
    function: str | None = None


class LineageDetailsRecord(Record, kw_only=True, frozen=True):
    source: str | None = None
    sql_query: str | None = None
    description: str | None = None
    columns_lineage: list[ColumnLineageRecord] = msgspec.field(default_factory=list)


class LineageEdgeRecord(Record, kw_only=True, frozen=True):
    from_entity: str
    to_entity: str
    lineage_details: LineageDetailsRecord | None = None


class EntityLineageRecord(Record, kw_only=True, frozen=True):
    """`GET /v1/lineage/{entity}/{id}`: the root, the other nodes (references, soft-deleted
    ones included) and the edges up and down, by entity id."""

    entity: EntityReferenceRecord
    nodes: list[EntityReferenceRecord] = msgspec.field(default_factory=list)
    upstream_edges: list[LineageEdgeRecord] = msgspec.field(default_factory=list)
    downstream_edges: list[LineageEdgeRecord] = msgspec.field(default_factory=list)
