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
    UserRecord,
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
    followers = document.get("followers")
    tags, tier = document.get("tags"), document.get("tier")
    for name in _UNLIKE_ENTITY:
        document.pop(name, None)
    # The follower ids count the followers; a model's tags are its indexed tags and its
    # Tier tag, kept apart there (a table's fold in its columns' tags: read again).
    if isinstance(followers, list):
        document["gatewayFollowerCount"] = len(followers)
    if model and isinstance(tags, list):
        document["tags"] = [*tags, tier] if isinstance(tier, dict) else tags
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
    """An ML model's record from its index document: `tags` with the Tier tag put back,
    `follower_count` from the follower ids; `followers` and `votes` left unread (None)."""
    record: MlModelRecord = _decoded(_MODEL, _entity_json(hit, model=True))
    return record


def source_table(hit: SearchHitRecord) -> TableRecord:
    """A table's record from its index document: `follower_count` from the follower ids;
    `followers`, `votes` and `tags` (folded in with the columns' there) left unread."""
    record: TableRecord = _decoded(_TABLE, _entity_json(hit, model=False))
    return record


# Entities looked up by id through the index (contract §1.2b), field by field


_USER = msgspec.json.Decoder(UserRecord)
# The relationship fields (`fields=`) of each kind whose index document holds them as the
# entity API answers them (references without `href`, which no answer reads). Followers
# (user ids there) and votes (dropped) never are; `tags` only when nothing is folded in.
INDEXED_MODEL_FIELDS = frozenset(
    {"owners", "tags", "extension", "domains", "dataProducts", "dashboard"}
)
INDEXED_TABLE_FIELDS = frozenset({"columns", "owners", "tags", "extension", "domains"})
# A user's document holds the entity API's answer bar `description` (not in the index
# mapping), which is therefore always read by id.
INDEXED_USER_FIELDS: frozenset[str] = frozenset()
_MODEL_RELATIONS = (
    "owners",
    "followers",
    "tags",
    "votes",
    "extension",
    "domains",
    "dataProducts",
    "dashboard",
)
_TABLE_RELATIONS = ("owners", "followers", "tags", "votes", "extension", "domains", "dataProducts")
_USER_RELATIONS = ("follows", "owns", "teams", "roles", "inheritedRoles", "personas")


def _document_of(hit: SearchHitRecord) -> dict[str, Any] | None:
    try:
        document = _DOCUMENT.decode(hit.source)
    except msgspec.DecodeError:
        return None
    if not isinstance(document, dict) or document.get("id", hit.id) != hit.id:
        return None
    return document


def _own_display_name(document: dict[str, Any]) -> bool:
    """Whether the document's display name is the entity's own: the index falls back to
    the name, so a display name equal to the name may be the entity's or none at all."""
    shown = document.get("displayName")
    return shown is None or shown != document.get("name")


def _strip_column_tags(columns: Any) -> None:
    for column in columns if isinstance(columns, list) else ():
        if isinstance(column, dict):
            column.pop("tags", None)
            _strip_column_tags(column.get("children"))


def _column_tags(columns: Any) -> bool:
    return any(
        isinstance(column, dict)
        and (bool(column.get("tags")) or _column_tags(column.get("children")))
        for column in (columns if isinstance(columns, list) else ())
    )


def _entity_from(
    document: dict[str, Any], fields: frozenset[str], relations: tuple[str, ...]
) -> dict[str, Any]:
    """The document as the entity API answers `fields=`: relationship fields not asked
    for left out, the index's own additions ignored by the records."""
    for name in relations:
        if name not in fields:
            document.pop(name, None)
    if "extension" in fields and document.get("extension") is None:
        document["extension"] = {}
    return document


def indexed_model(hit: SearchHitRecord, fields: frozenset[str]) -> MlModelRecord | None:
    """The ML model of a hit as `GET /v1/mlmodels/{id}?fields=<fields>` answers it, or None
    when the document does not hold every field asked for exactly so."""
    document = _document_of(hit)
    if document is None or not fields <= INDEXED_MODEL_FIELDS:
        return None
    if not _own_display_name(document) or document.get("entityType", "mlmodel") != "mlmodel":
        return None
    if "tags" in fields and document.get("tier") is not None:
        return None
    entity = _entity_from(document, fields, _MODEL_RELATIONS)
    if "dashboard" in fields and entity.get("dashboard") is None:
        entity["dashboard"] = _NO_DASHBOARD
    try:
        record: MlModelRecord = _MODEL.decode(_ENCODER.encode(entity))
    except msgspec.DecodeError:
        return None
    return record


def indexed_table(hit: SearchHitRecord, fields: frozenset[str]) -> TableRecord | None:
    """The table of a hit as `GET /v1/tables/{id}?fields=<fields>` answers it, or None
    when the document does not hold every field asked for exactly so (its `tags` fold in
    the columns' and leave out the Tier tag: exact only when there are neither)."""
    document = _document_of(hit)
    if document is None or not fields <= INDEXED_TABLE_FIELDS:
        return None
    if not _own_display_name(document) or document.get("entityType", "table") != "table":
        return None
    if "tags" in fields and (
        document.get("tier") is not None or _column_tags(document.get("columns"))
    ):
        return None
    if not {"columns", "tags"} <= fields:
        _strip_column_tags(document.get("columns"))
    entity = _entity_from(document, fields, _TABLE_RELATIONS)
    try:
        record: TableRecord = _TABLE.decode(_ENCODER.encode(entity))
    except msgspec.DecodeError:
        return None
    return record


def indexed_user(hit: SearchHitRecord, fields: frozenset[str]) -> UserRecord | None:
    """The user of a hit as `GET /v1/users/{id}` answers it bar `description`, or None when
    the document does not hold it exactly so (a display name equal to the name; the
    description asked for)."""
    document = _document_of(hit)
    if document is None or not fields <= INDEXED_USER_FIELDS:
        return None
    if not _own_display_name(document) or document.get("entityType", "user") != "user":
        return None
    # Flags the record would otherwise default to false.
    if "isAdmin" not in document or "isBot" not in document:
        return None
    for name in _USER_RELATIONS:
        document.pop(name, None)
    try:
        record: UserRecord = _USER.decode(_ENCODER.encode(document))
    except msgspec.DecodeError:
        return None
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
