"""The catalog's stored rows as plain dataclasses: entities, references, tags, list pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import orjson


@dataclass(slots=True)
class Entity:
    """One stored entity; versions are kept in tenths (0.1 -> 1) to stay exact."""

    id: str
    type: str
    name: str
    fqn: str
    service: str | None
    database: str | None
    schema: str | None
    deleted: bool
    version: int
    updated_at: int
    updated_by: str
    doc: dict[str, Any]

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> Entity:
        id_, type_, name, fqn, service, database, schema, deleted, *rest = row
        version, updated_at, updated_by, doc = rest
        return cls(
            id_,
            type_,
            name,
            fqn,
            service,
            database,
            schema,
            bool(deleted),
            version,
            updated_at,
            updated_by,
            orjson.loads(doc),
        )

    def ref(self) -> Ref:
        return Ref(
            self.id, self.type, self.name, self.fqn, self.doc.get("displayName"), self.deleted
        )


@dataclass(frozen=True, slots=True)
class Ref:
    """The columns an EntityReference is built from."""

    id: str
    type: str
    name: str
    fqn: str
    display_name: str | None
    deleted: bool

    @classmethod
    def from_row(cls, row: Sequence[Any], offset: int = 0) -> Ref:
        id_, type_, name, fqn, display_name, deleted = row[offset : offset + 6]
        return cls(id_, type_, name, fqn, display_name, bool(deleted))

    def to_json(self, href: str | None = None) -> dict[str, Any]:
        """The EntityReference body; the upstream leaves `href` out inside documents."""
        out: dict[str, Any] = {
            "id": self.id,
            "type": self.type,
            "name": self.name,
            "fullyQualifiedName": self.fqn,
        }
        if self.display_name is not None:
            out["displayName"] = self.display_name
        out["deleted"] = self.deleted
        if href is not None:
            out["href"] = href
        return out


@dataclass(frozen=True, slots=True)
class Tag:
    fqn: str
    id: str
    source: str
    name: str
    display_name: str | None
    description: str | None
    style: dict[str, Any] | None


class RowKey(NamedTuple):
    """What a list page needs of a row before rendering it: its id and its cursor."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Page:
    """A window of one list: rows in ascending (name, id) order plus whether more exist."""

    rows: list[RowKey]
    more: bool
