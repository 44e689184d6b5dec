"""Version history of ML models and tables: each version's number, author, time and change.

The catalog answers an entity's whole history in one call (`/versions`, newest first);
`history(first, after)` pages it here, a cursor being the version number to continue
below. Change values are JSON: the catalog sends lists and objects as JSON text, which
is decoded, and scalars as they are.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any

import orjson
import strawberry
from strawberry.scalars import JSON

from gateway.base.errors import BadUserInputError
from gateway.domain.context import Info
from gateway.domain.types.common import PageInfo, from_epoch_ms
from gateway.domain.types.connection import (
    AFTER_DOC,
    DEFAULT_PAGE_SIZE,
    Connection,
    Edge,
)
from gateway.upstream.catalog import EntityKind
from gateway.upstream.records import ChangeDescriptionRecord, FieldChangeRecord, VersionRecord

HISTORY_FIRST_DOC = (
    "Versions per page, newest first: 0 to the gateway's maximum (GATEWAY_MAX_PAGE_SIZE); "
    f"{DEFAULT_PAGE_SIZE} by default."
)
HISTORY_AFTER_DOC = AFTER_DOC.replace("the catalog", "the gateway")


def _value(value: Any) -> Any:
    """A change value as JSON: the catalog's JSON text of a list or object decoded."""
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return value
    return value


@strawberry.type(description="One field of a version's change.")
class FieldChange:
    name: str = strawberry.field(
        description="The field, e.g. `description`, `tags`, `columns.email.description`."
    )
    old_value: JSON | None = strawberry.field(
        description="Its value before (JSON; for a list, the items removed); null when added."
    )
    new_value: JSON | None = strawberry.field(
        description="Its value after (JSON; for a list, the items added); null when deleted."
    )

    @classmethod
    def from_record(cls, r: FieldChangeRecord) -> FieldChange:
        return cls(name=r.name, old_value=_value(r.old_value), new_value=_value(r.new_value))


@strawberry.type(description="How a version differs from the one before it.")
class ChangeDescription:
    previous_version: float | None = strawberry.field(
        description="The version this one was made from."
    )
    fields_added: list[FieldChange] = strawberry.field(description="Fields given a value.")
    fields_updated: list[FieldChange] = strawberry.field(description="Fields whose value changed.")
    fields_deleted: list[FieldChange] = strawberry.field(description="Fields cleared or removed.")

    @classmethod
    def from_record(cls, r: ChangeDescriptionRecord) -> ChangeDescription:
        return cls(
            previous_version=r.previous_version,
            fields_added=[FieldChange.from_record(f) for f in r.fields_added],
            fields_updated=[FieldChange.from_record(f) for f in r.fields_updated],
            fields_deleted=[FieldChange.from_record(f) for f in r.fields_deleted],
        )


@strawberry.type(description="One version of a catalog entity.")
class EntityVersion:
    version: float = strawberry.field(
        description="Version number, e.g. 0.2 (a breaking change starts the next major)."
    )
    updated_at: datetime | None = strawberry.field(description="When it was made.")
    updated_by: str | None = strawberry.field(description="Who made it (a user name).")
    change_description: ChangeDescription | None = strawberry.field(
        description="What changed from the previous version; null for the first one."
    )

    @classmethod
    def from_record(cls, r: VersionRecord) -> EntityVersion:
        change = r.change_description
        return cls(
            version=r.version,
            updated_at=from_epoch_ms(r.updated_at),
            updated_by=r.updated_by,
            change_description=ChangeDescription.from_record(change) if change else None,
        )


def _cursor(version: float) -> str:
    return base64.urlsafe_b64encode(orjson.dumps({"v": version})).decode()


def _below(after: str) -> float:
    try:
        version = orjson.loads(base64.urlsafe_b64decode(after.encode()))["v"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise BadUserInputError("Invalid cursor for a version history.") from None
    if isinstance(version, bool) or not isinstance(version, int | float):
        raise BadUserInputError("Invalid cursor for a version history.")
    return float(version)


async def entity_history(
    info: Info, kind: EntityKind, entity_id: str, first: int | None, after: str | None
) -> Connection[EntityVersion]:
    """A page of an entity's versions, newest first, from one `/versions` call."""
    size = DEFAULT_PAGE_SIZE if first is None else first
    max_size = info.context.settings.max_page_size
    if size < 0 or size > max_size:
        raise BadUserInputError(f"Page size must be between 0 and {max_size}, got {size}.")
    records = await info.context.catalog.entity_history(kind, entity_id)
    total = len(records)
    if after is not None:
        below = _below(after)
        records = [r for r in records if r.version < below]
    page = records[:size]
    edges = [Edge(key=_cursor(r.version), node=EntityVersion.from_record(r)) for r in page]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(records) > size,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor() if edges else None,
            end_cursor=edges[-1].cursor() if edges else None,
        ),
        total_count=total,
    )
