"""The catalog's (OpenMetadata) JSON shapes as msgspec records, decoded straight from bytes.

Unknown properties are ignored (newer servers add fields); a wrong type or a missing
required property fails decoding. Relationship fields (`owners`, `followers`, `tags`,
`votes`, `extension`, `domains`, `follows`, `owns`) are `None` when the `fields=` query
did not ask for them and a (possibly empty) value when it did. `version` and
`updatedAt` are required on versioned entities: every catalog write sets them.
"""

from __future__ import annotations

import logging
from typing import Any, Generic, TypeVar

import msgspec

from gateway.base.errors import UpstreamError

T = TypeVar("T")
log = logging.getLogger("gateway.upstream")
_NULL = msgspec.Raw(b"null")
# Put in a record's `dashboard` when `fields=dashboard` was asked and the model has none
# (the catalog then leaves the field out), so it reads as fetched, not as to load again.
NO_DASHBOARD_ID = ""
_EMPTY_LIST = msgspec.Raw(b"[]")


class Record(
    msgspec.Struct, rename="camel", kw_only=True, omit_defaults=True, frozen=True, gc=False
):
    """Base of every upstream record: camelCase on the wire, immutable once decoded.

    Subclasses repeat `kw_only` and `frozen` because type checkers do not inherit
    struct options (msgspec does). Records are not tracked by the cyclic garbage
    collector (`gc=False`): frozen, holding only decoded JSON, they can never be part of
    a reference cycle, and a page of 50 models would otherwise add thousands of objects
    for each young-generation collection to walk (decoding it under that pressure:
    ~290 -> ~200 us).
    """


class EntityReferenceRecord(Record, kw_only=True, frozen=True):
    id: str
    type: str
    name: str | None = None
    fully_qualified_name: str | None = None
    display_name: str | None = None
    description: str | None = None
    deleted: bool | None = None
    inherited: bool | None = None
    href: str | None = None


class TagLabelRecord(Record, kw_only=True, frozen=True):
    tag_fqn: str = msgspec.field(name="tagFQN")
    source: str
    label_type: str
    state: str
    name: str | None = None
    display_name: str | None = None
    description: str | None = None
    href: str | None = None


class VotesRecord(Record, kw_only=True, frozen=True):
    up_votes: int = 0
    down_votes: int = 0
    # Voters are read only for `upVoters`, `downVoters` and `myVote`, while every list
    # page with votes carries them: they stay raw until first read (a third of the decode
    # time of a page of 50 models with followers, votes and tags).
    up_voters_json: msgspec.Raw = msgspec.field(default=_EMPTY_LIST, name="upVoters")
    down_voters_json: msgspec.Raw = msgspec.field(default=_EMPTY_LIST, name="downVoters")

    @property
    def up_voters(self) -> list[EntityReferenceRecord]:
        return _decode_later(_REFERENCES, self.up_voters_json, "upVoters", "votes")

    @property
    def down_voters(self) -> list[EntityReferenceRecord]:
        return _decode_later(_REFERENCES, self.down_voters_json, "downVoters", "votes")


class FeatureSourceRecord(Record, kw_only=True, frozen=True):
    name: str | None = None
    data_type: str | None = None
    data_source: EntityReferenceRecord | None = None
    fully_qualified_name: str | None = None
    description: str | None = None
    tags: list[TagLabelRecord] | None = None


class MlFeatureRecord(Record, kw_only=True, frozen=True):
    name: str | None = None
    data_type: str | None = None
    description: str | None = None
    fully_qualified_name: str | None = None
    feature_sources: list[FeatureSourceRecord] | None = None
    feature_algorithm: str | None = None
    tags: list[TagLabelRecord] | None = None


class MlHyperParameterRecord(Record, kw_only=True, frozen=True):
    name: str | None = None
    value: str | None = None
    description: str | None = None


class MlStoreRecord(Record, kw_only=True, frozen=True):
    storage: str | None = None
    image_repository: str | None = None


class MlModelRecord(Record, kw_only=True, frozen=True):
    id: str
    name: str
    fully_qualified_name: str | None = None
    display_name: str | None = None
    description: str | None = None
    algorithm: str
    # Features and hyper-parameters are the bulk of a model's JSON, and list pages and
    # `_entities` rarely read them: they stay raw until first read (half the decode time
    # of a page of 50 models).
    ml_features_json: msgspec.Raw = msgspec.field(default=_NULL, name="mlFeatures")
    ml_hyper_parameters_json: msgspec.Raw = msgspec.field(default=_NULL, name="mlHyperParameters")
    target: str | None = None
    server: str | None = None
    ml_store: MlStoreRecord | None = None
    source_url: str | None = None
    dashboard: EntityReferenceRecord | None = None
    service: EntityReferenceRecord
    service_type: str | None = None
    version: float
    updated_at: int
    updated_by: str | None = None
    href: str | None = None
    deleted: bool = False
    owners: list[EntityReferenceRecord] | None = None
    followers: list[EntityReferenceRecord] | None = None
    tags: list[TagLabelRecord] | None = None
    votes: VotesRecord | None = None
    extension: dict[str, Any] | None = None
    domains: list[EntityReferenceRecord] | None = None
    data_products: list[EntityReferenceRecord] | None = None
    # How many follow it, when known without the followers themselves (a search index
    # document holds their ids only); never on the wire of the entity API.
    follower_count: int | None = msgspec.field(default=None, name="gatewayFollowerCount")

    @property
    def ml_features(self) -> list[MlFeatureRecord] | None:
        return _decode_later(_FEATURES, self.ml_features_json, "mlFeatures", "an ML model")

    @property
    def ml_hyper_parameters(self) -> list[MlHyperParameterRecord] | None:
        return _decode_later(
            _HYPER_PARAMETERS, self.ml_hyper_parameters_json, "mlHyperParameters", "an ML model"
        )


_FEATURES: msgspec.json.Decoder[list[MlFeatureRecord] | None] = msgspec.json.Decoder(
    list[MlFeatureRecord] | None
)
_HYPER_PARAMETERS: msgspec.json.Decoder[list[MlHyperParameterRecord] | None] = msgspec.json.Decoder(
    list[MlHyperParameterRecord] | None
)


_REFERENCES: msgspec.json.Decoder[list[EntityReferenceRecord]] = msgspec.json.Decoder(
    list[EntityReferenceRecord]
)


def _decode_later(decoder: msgspec.json.Decoder[T], raw: msgspec.Raw, name: str, where: str) -> T:
    """A property kept raw, decoded now; a wrong shape is the catalog's error, as it would
    have been when the record was decoded."""
    try:
        return decoder.decode(raw)
    except msgspec.DecodeError:
        log.warning("catalog sent an invalid %s in %s", name, where)
        raise UpstreamError("The catalog sent an invalid response", upstream="catalog") from None


class ServiceRecord(Record, kw_only=True, frozen=True):
    """An ML model service or a database service (the two share every field used here)."""

    id: str
    name: str
    fully_qualified_name: str | None = None
    display_name: str | None = None
    description: str | None = None
    service_type: str
    version: float
    updated_at: int
    updated_by: str | None = None
    href: str | None = None
    deleted: bool = False
    owners: list[EntityReferenceRecord] | None = None
    followers: list[EntityReferenceRecord] | None = None
    tags: list[TagLabelRecord] | None = None
    domains: list[EntityReferenceRecord] | None = None
    data_products: list[EntityReferenceRecord] | None = None
    # `{"config": {...}}`; the catalog nulls it for callers who are not admins (or bots)
    # and masks password-format values for admins. Bots may get it in clear.
    connection: dict[str, Any] | None = None


class ColumnRecord(Record, kw_only=True, frozen=True):
    name: str
    display_name: str | None = None
    data_type: str
    data_type_display: str | None = None
    data_length: int | None = None
    description: str | None = None
    fully_qualified_name: str | None = None
    constraint: str | None = None
    ordinal_position: int | None = None
    precision: int | None = None
    scale: int | None = None
    array_data_type: str | None = None
    tags: list[TagLabelRecord] | None = None
    children: list[ColumnRecord] | None = None


class TableRecord(Record, kw_only=True, frozen=True):
    id: str
    name: str
    fully_qualified_name: str | None = None
    display_name: str | None = None
    description: str | None = None
    table_type: str | None = None
    columns: list[ColumnRecord]
    database: EntityReferenceRecord | None = None
    database_schema: EntityReferenceRecord | None = None
    service: EntityReferenceRecord | None = None
    service_type: str | None = None
    version: float
    updated_at: int
    updated_by: str | None = None
    href: str | None = None
    deleted: bool = False
    owners: list[EntityReferenceRecord] | None = None
    followers: list[EntityReferenceRecord] | None = None
    tags: list[TagLabelRecord] | None = None
    votes: VotesRecord | None = None
    extension: dict[str, Any] | None = None
    domains: list[EntityReferenceRecord] | None = None
    # As MlModelRecord.follower_count.
    follower_count: int | None = msgspec.field(default=None, name="gatewayFollowerCount")


class TagStyleRecord(Record, kw_only=True, frozen=True):
    color: str | None = None
    icon_url: str | None = msgspec.field(default=None, name="iconURL")


class TagRecord(Record, kw_only=True, frozen=True):
    """A tag of a classification (`/v1/tags`), as a tag picker shows it."""

    id: str
    name: str
    fully_qualified_name: str
    display_name: str | None = None
    description: str | None = None
    classification: EntityReferenceRecord | None = None
    disabled: bool = False
    deprecated: bool = False
    style: TagStyleRecord | None = None


class DomainRecord(Record, kw_only=True, frozen=True):
    """A domain, as far as naming it in an entity's `domains` needs."""

    id: str
    name: str
    fully_qualified_name: str | None = None
    display_name: str | None = None


class UserRecord(Record, kw_only=True, frozen=True):
    id: str
    name: str
    fully_qualified_name: str | None = None
    display_name: str | None = None
    email: str
    description: str | None = None
    is_admin: bool = False
    is_bot: bool = False
    deleted: bool = False
    href: str | None = None
    follows: list[EntityReferenceRecord] | None = None
    owns: list[EntityReferenceRecord] | None = None


class PagingRecord(Record, kw_only=True, frozen=True):
    before: str | None = None
    after: str | None = None
    total: int


class ListPage(Record, Generic[T], kw_only=True, frozen=True):
    """One page of a list endpoint (`ResultList`); cursors are opaque."""

    data: list[T]
    paging: PagingRecord


class ChangeEventRecord(Record, kw_only=True, frozen=True):
    """What follow, unfollow and vote answer (not the entity)."""

    id: str
    event_type: str
    entity_type: str
    entity_id: str
    entity_fully_qualified_name: str | None = None
    previous_version: float | None = None
    current_version: float | None = None
    user_name: str | None = None
    timestamp: int
    change_description: dict[str, Any] | None = None
    entity: dict[str, Any] | None = None


class FieldChangeRecord(Record, kw_only=True, frozen=True):
    """One field of a change description; lists and objects arrive as JSON text."""

    name: str
    old_value: Any = None
    new_value: Any = None


class ChangeDescriptionRecord(Record, kw_only=True, frozen=True):
    fields_added: list[FieldChangeRecord] = []
    fields_updated: list[FieldChangeRecord] = []
    fields_deleted: list[FieldChangeRecord] = []
    previous_version: float | None = None


class VersionRecord(Record, kw_only=True, frozen=True):
    """What history shows of one version of an entity (the rest of the snapshot unread)."""

    version: float
    updated_at: int | None = None
    updated_by: str | None = None
    change_description: ChangeDescriptionRecord | None = None


class EntityHistoryRecord(Record, kw_only=True, frozen=True):
    """`/versions`: every version, newest first, each a JSON-encoded entity."""

    entity_type: str
    versions: list[str]


class BulkResponseRecord(Record, kw_only=True, frozen=True):
    """One item of a bulk result: `request` is an FQN string or the rejected create body."""

    request: Any = None
    message: str | None = None
    status: int | None = None


class BulkOperationResultRecord(Record, kw_only=True, frozen=True):
    status: str | None = None
    number_of_rows_processed: int | None = None
    number_of_rows_passed: int | None = None
    number_of_rows_failed: int | None = None
    success_request: list[BulkResponseRecord] = msgspec.field(default_factory=list)
    failed_request: list[BulkResponseRecord] = msgspec.field(default_factory=list)


class CatalogErrorRecord(Record, kw_only=True, frozen=True):
    """The catalog's error body (`{"code": 404, "message": "..."}`); only the text is used."""

    message: str | None = None
