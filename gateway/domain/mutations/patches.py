"""An `Edit` against the entity as read -> the JSON Patch (RFC 6902) that makes it.

Only what the edit changes is in the patch, so what others change meanwhile stays theirs:
- a scalar, and each custom property, is a diff of its value as read and as wanted
  (`jsonpatch`); custom properties the edit replaces or removes are `test`ed first;
- an item added to a list (a tag, an owner) is appended (`/tags/-`), and only when the
  read does not hold it, so edits that add concurrently commute;
- an item removed from a list is removed by its index in the read, preceded by a `test`
  of the element there (`/tags/1/tagFQN` is `PII.Sensitive`), highest index first;
- a whole list (`owners`, `domains`) is replaced only when it differs from the read.

A patch that removes something, or addresses a column (by its index), is `guarded`: it
is sent with the read's ETag in `If-Match`, so that a concurrent change makes it fail
(412, or a failed `test`) instead of removing or editing the wrong element, and the
caller re-reads and plans again. Columns are not identified by a `test` of their name:
the catalog decides the permission a patch needs from the fields its paths name, and
`/columns/3/name` names none it maps to a narrower operation, so such a test would make
the whole patch need EditAll (SEARCH_LINEAGE_AUTHZ.md §4.2).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from jsonpatch import JsonPatch, path_join

from gateway.base.errors import BadUserInputError
from gateway.domain.mutations.edit_inputs import ColumnEdit, Edit, TagEdit
from gateway.upstream.records import (
    ColumnRecord,
    EntityReferenceRecord,
    MlModelRecord,
    TableRecord,
    TagLabelRecord,
)

Operation = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Plan:
    """The patch for one read of the entity; empty when the edit changes nothing."""

    operations: tuple[Operation, ...]
    guarded: bool

    @property
    def tested(self) -> bool:
        """Whether a `test` may fail because the entity changed since the read."""
        return any(op["op"] == "test" for op in self.operations)


@dataclass(slots=True)
class _Builder:
    removals: list[Operation] = field(default_factory=list)
    changes: list[Operation] = field(default_factory=list)
    appends: list[Operation] = field(default_factory=list)
    guarded: bool = False

    def diff(self, base: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> None:
        """The operations turning `before` into `after`, under the pointer `base`."""
        self.extend(base, JsonPatch.from_diff(dict(before), dict(after), optimization=False))

    def checked_diff(self, base: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> None:
        """As `diff`, each replace or remove preceded by a `test` of the value it changes."""
        patch = JsonPatch.from_diff(
            dict(before), dict(after), optimization=False, generate_test_ops=True
        )
        self.extend(base, patch)

    def extend(self, base: str, patch: JsonPatch) -> None:
        for op in patch:
            self.changes.append({**op, "path": base + op["path"]})
            if op["op"] == "remove":
                self.guarded = True

    def remove_at(self, pointer: str, key: str, value: str) -> None:
        """Remove the list element at `pointer` once its `key` is still `value`."""
        self.removals.append({"op": "test", "path": f"{pointer}/{key}", "value": value})
        self.removals.append({"op": "remove", "path": pointer})
        self.guarded = True

    def append(self, pointer: str, value: object) -> None:
        self.appends.append({"op": "add", "path": f"{pointer}/-", "value": value})

    def plan(self) -> Plan:
        return Plan(tuple(self.removals + self.changes + self.appends), self.guarded)


def _scalars(
    out: _Builder, base: str, current: Mapping[str, Any], scalars: Mapping[str, str | None]
) -> None:
    before = {key: current[key] for key in scalars if current.get(key) is not None}
    after = {key: value for key, value in scalars.items() if value is not None}
    out.diff(base, before, after)


def _tags(out: _Builder, base: str, labels: Sequence[TagLabelRecord] | None, edit: TagEdit) -> None:
    fqns = [label.tag_fqn for label in labels or ()]
    removed = [i for i, fqn in enumerate(fqns) if fqn in edit.remove]
    for i in reversed(removed):
        out.remove_at(f"{base}/tags/{i}", "tagFQN", fqns[i])
    kept = set(fqns).difference(edit.remove)
    for label in edit.add:
        if label["tagFQN"] not in kept:
            out.append(f"{base}/tags", dict(label))


def _owners(out: _Builder, current: Sequence[EntityReferenceRecord] | None, edit: Edit) -> None:
    owners = list(current or ())
    if edit.owners is not None:
        wanted = [dict(owner) for owner in edit.owners]
        if {(o.id, o.type) for o in owners} != {(o["id"], o["type"]) for o in wanted}:
            out.changes.append({"op": "add", "path": "/owners", "value": wanted})
        return
    removed = [i for i, owner in enumerate(owners) if owner.id in edit.remove_owners]
    for i in reversed(removed):
        out.remove_at(f"/owners/{i}", "id", owners[i].id)
    kept = {owner.id for owner in owners}.difference(edit.remove_owners)
    for owner in edit.add_owners:
        if owner["id"] not in kept:
            out.append("/owners", dict(owner))


def domain_names(current: Sequence[EntityReferenceRecord] | None) -> dict[str, str]:
    """The domains as read: FQN -> id."""
    return {(ref.fully_qualified_name or ref.name or ref.id): ref.id for ref in current or ()}


def missing_domains(edit: Edit, current: Sequence[EntityReferenceRecord] | None) -> list[str]:
    """The domains the edit names whose ids the read does not tell."""
    known = domain_names(current)
    return [fqn for fqn in edit.domains or () if fqn not in known]


def _domains(
    out: _Builder,
    current: Sequence[EntityReferenceRecord] | None,
    edit: Edit,
    domain_ids: Mapping[str, str],
) -> None:
    if edit.domains is None:
        return
    known = domain_names(current)
    if set(known) == set(edit.domains):
        return
    ids = {**known, **domain_ids}
    value = [{"id": ids[fqn], "type": "domain"} for fqn in edit.domains]
    out.changes.append({"op": "add", "path": "/domains", "value": value})


def _extension(
    out: _Builder, current: Mapping[str, Any] | None, changes: Mapping[str, Any]
) -> None:
    if not changes:
        return
    before = dict(current or {})
    after = dict(before)
    for key, value in changes.items():
        if value is None:
            after.pop(key, None)
        else:
            after[key] = value
    if after == before:
        return
    if not before:
        # The catalog's copy has no object to add a property to.
        out.changes.append({"op": "add", "path": "/extension", "value": after})
    else:
        out.checked_diff("/extension", before, after)


def plan_model(edit: Edit, record: MlModelRecord, domain_ids: Mapping[str, str]) -> Plan:
    """The patch applying `edit` to the model as `record` holds it."""
    out = _Builder()
    current = {
        "description": record.description,
        "displayName": record.display_name,
        "algorithm": record.algorithm,
        "target": record.target,
        "server": record.server,
        "sourceUrl": record.source_url,
    }
    _scalars(out, "", current, edit.scalars)
    _tags(out, "", record.tags, edit.tags)
    _owners(out, record.owners, edit)
    _domains(out, record.domains, edit, domain_ids)
    _extension(out, record.extension, edit.extension)
    return out.plan()


def plan_table(edit: Edit, record: TableRecord, domain_ids: Mapping[str, str]) -> Plan:
    """The patch applying `edit` to the table as `record` holds it; a column the table does
    not have is a `BadUserInputError` naming the column update."""
    out = _Builder()
    current = {"description": record.description, "displayName": record.display_name}
    _scalars(out, "", current, edit.scalars)
    _tags(out, "", record.tags, edit.tags)
    _owners(out, record.owners, edit)
    _domains(out, record.domains, edit, domain_ids)
    for column_edit in edit.columns:
        _column(out, record.columns, column_edit)
    return out.plan()


def _column(out: _Builder, columns: Sequence[ColumnRecord], edit: ColumnEdit) -> None:
    pointer, column = locate_column(columns, edit)
    before = len(out.removals) + len(out.changes) + len(out.appends)
    _scalars(out, pointer, {"description": column.description}, edit.scalars)
    _tags(out, pointer, column.tags, edit.tags)
    if len(out.removals) + len(out.changes) + len(out.appends) > before:
        out.guarded = True


def locate_column(columns: Sequence[ColumnRecord], edit: ColumnEdit) -> tuple[str, ColumnRecord]:
    """The JSON pointer of the column `edit.path` names (`/columns/2/children/0`), and it."""
    parts: list[str | int] = []
    level, found = columns, None
    for depth, name in enumerate(edit.path):
        index = next((i for i, c in enumerate(level) if c.name == name), None)
        if index is None:
            shown = ".".join(edit.path[: depth + 1])
            raise BadUserInputError(
                f"`{edit.argument}.name`: the table has no column {shown}.",
                extensions={"argument": f"{edit.argument}.name"},
            )
        parts += ["columns" if depth == 0 else "children", index]
        found = level[index]
        level = found.children or []
    assert found is not None  # a column path has at least one name
    return path_join(parts), found
