"""Inputs of `updateMlModel` and `updateTable`, checked into an `Edit`: what the caller
wants changed, before anything is read.

A field left out changes nothing. An explicit `null` clears a scalar (`description`,
`displayName`, `target`, `server`, `sourceUrl`; `algorithm` cannot be cleared), and
`owners: null` / `domains: null` clear like `[]`. The lists that add or remove
(`addTags`, `removeTags`, `addOwners`, `removeOwners`, `columns`) read `null` as empty.
In `extension` a property set to `null` is removed. Every check runs before any
upstream call and names the offending argument's path.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

import strawberry
from strawberry.scalars import JSON

from gateway.base.errors import BadUserInputError
from gateway.domain.mutations.inputs import OwnerInput, TagInput
from gateway.domain.validation import (
    check_fqn,
    check_name,
    check_object,
    check_tag_fqn,
    check_uri,
    check_uuid,
)

_CLEARS = " Left out: unchanged; `null`: cleared."
_ADD_TAGS = "Tags to attach (applied manually, confirmed); one already attached is left as it is."
_REMOVE_TAGS = (
    "Fully qualified names of tags to detach, e.g. `PII.Sensitive`; one not attached is "
    "ignored. A tag cannot be both added and removed in one edit."
)


@strawberry.input(
    description="A targeted edit of an ML model: only the fields given change, and the "
    "others stay as they are, whoever changes them meanwhile. An explicit `null` clears a "
    "field (`algorithm` cannot be cleared); `owners` and `domains` replace the whole list "
    "(`[]` or `null` clears it); `addTags`/`removeTags` and `addOwners`/`removeOwners` "
    "change single items and never undo a concurrent edit of the same list."
)
class MlModelUpdate:
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="What the model does (Markdown)." + _CLEARS
    )
    display_name: str | None = strawberry.field(
        default=strawberry.UNSET, description="Human-readable name." + _CLEARS
    )
    algorithm: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Training algorithm. Left out: unchanged; it cannot be cleared. Changing "
        "it moves the model to the next major version.",
    )
    target: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="What a supervised model predicts (an entity name)." + _CLEARS,
    )
    server: str | None = strawberry.field(
        default=strawberry.UNSET, description="Serving endpoint (absolute URI)." + _CLEARS
    )
    source_url: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Link to the model's source (absolute URI)." + _CLEARS,
    )
    add_tags: list[TagInput] | None = strawberry.field(
        default=strawberry.UNSET, description=_ADD_TAGS
    )
    remove_tags: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description=_REMOVE_TAGS
    )
    owners: list[OwnerInput] | None = strawberry.field(
        default=strawberry.UNSET,
        description="The whole list of owners (users, or one Group team); `[]` or `null` "
        "clears it. Not together with `addOwners` or `removeOwners`.",
    )
    add_owners: list[OwnerInput] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Owners to add; one already an owner is left as it is.",
    )
    remove_owners: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Catalog ids of owners to remove; one not an owner is ignored.",
    )
    domains: list[str] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Fully qualified names of the domains, the whole list (the catalog "
        "allows at most one by default); `[]` or `null` clears it.",
    )
    extension: JSON | None = strawberry.field(
        default=strawberry.UNSET,
        description="Custom properties to set, a JSON object from property name to value; "
        "a property set to `null` is removed, and properties not named stay as they are. "
        "Each property must be defined for ML models in the catalog.",
    )


@strawberry.input(
    description="A targeted edit of one column, named by `name`; a nested column by its "
    "dotted path from the top-level column, e.g. `address.city` (a name that holds a dot "
    'is quoted: `"geo.point".lat`).'
)
class ColumnUpdate:
    name: str = strawberry.field(
        description="The column's name, or the dotted path of a nested column (`address.city`)."
    )
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="What the column holds (Markdown)." + _CLEARS
    )
    add_tags: list[TagInput] | None = strawberry.field(
        default=strawberry.UNSET, description=_ADD_TAGS
    )
    remove_tags: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description=_REMOVE_TAGS
    )


@strawberry.input(
    description="A targeted edit of a table: only the fields given change, and the others "
    "stay as they are, whoever changes them meanwhile. An explicit `null` clears a field; "
    "`owners` and `domains` replace the whole list (`[]` or `null` clears it); "
    "`addTags`/`removeTags` and `addOwners`/`removeOwners` change single items."
)
class TableUpdate:
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="What the table holds (Markdown)." + _CLEARS
    )
    display_name: str | None = strawberry.field(
        default=strawberry.UNSET, description="Human-readable name." + _CLEARS
    )
    add_tags: list[TagInput] | None = strawberry.field(
        default=strawberry.UNSET, description=_ADD_TAGS
    )
    remove_tags: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description=_REMOVE_TAGS
    )
    owners: list[OwnerInput] | None = strawberry.field(
        default=strawberry.UNSET,
        description="The whole list of owners (users, or one Group team); `[]` or `null` "
        "clears it. Not together with `addOwners` or `removeOwners`.",
    )
    add_owners: list[OwnerInput] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Owners to add; one already an owner is left as it is.",
    )
    remove_owners: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Catalog ids of owners to remove; one not an owner is ignored.",
    )
    domains: list[str] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Fully qualified names of the domains, the whole list (the catalog "
        "allows at most one by default); `[]` or `null` clears it.",
    )
    columns: list[ColumnUpdate] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Edits of single columns (description, tags); each column at most once.",
    )


@dataclass(frozen=True, slots=True)
class TagEdit:
    """Tag labels to attach and tag FQNs to detach."""

    add: tuple[dict[str, str], ...] = ()
    remove: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ColumnEdit:
    """An edit of the column at `path` (names from the top-level column down)."""

    path: tuple[str, ...]
    argument: str
    scalars: dict[str, str | None]
    tags: TagEdit


@dataclass(frozen=True, slots=True)
class Edit:
    """What the caller wants changed, checked; `None` and empty mean unchanged."""

    scalars: dict[str, str | None] = dataclasses.field(default_factory=dict)
    tags: TagEdit = TagEdit()
    owners: tuple[dict[str, str], ...] | None = None
    add_owners: tuple[dict[str, str], ...] = ()
    remove_owners: tuple[str, ...] = ()
    domains: tuple[str, ...] | None = None
    extension: dict[str, Any] = dataclasses.field(default_factory=dict)
    columns: tuple[ColumnEdit, ...] = ()

    def fields(self) -> frozenset[str]:
        """The catalog `fields=` the entity must be read with to plan this edit."""
        fields: set[str] = set()
        if self.tags.add or self.tags.remove:
            fields.add("tags")
        if self.owners is not None or self.add_owners or self.remove_owners:
            fields.add("owners")
        if self.domains is not None:
            fields.add("domains")
        if self.extension:
            fields.add("extension")
        if any(c.tags.add or c.tags.remove for c in self.columns):
            # Column tags come back only when both are asked for.
            fields.update(("columns", "tags"))
        return frozenset(fields)


def _given(value: object) -> bool:
    return value is not strawberry.UNSET


def _invalid(message: str, argument: str) -> BadUserInputError:
    return BadUserInputError(message, extensions={"argument": argument})


def _nothing_given(update: Any, path: str) -> None:
    if not any(_given(getattr(update, f.name)) for f in dataclasses.fields(update)):
        raise _invalid(f"`{path}` changes nothing: give at least one field to change.", path)


def _scalar(scalars: dict[str, str | None], key: str, value: str | None) -> None:
    if _given(value):
        scalars[key] = value


def _tags(add: list[TagInput] | None, remove: list[str] | None, path: str) -> TagEdit:
    labels: dict[str, dict[str, str]] = {}
    for i, tag in enumerate(add or ()):
        fqn = check_tag_fqn(tag.tag_fqn, f"{path}.addTags[{i}].tagFQN")
        labels.setdefault(
            fqn,
            {
                "tagFQN": fqn,
                "source": tag.source.value,
                "labelType": "Manual",
                "state": "Confirmed",
            },
        )
    removed: dict[str, None] = {}
    for i, fqn in enumerate(remove or ()):
        check_tag_fqn(fqn, f"{path}.removeTags[{i}]")
        if fqn in labels:
            raise _invalid(
                f"`{path}.removeTags[{i}]` is {fqn}, which `{path}.addTags` adds: a tag is "
                "either added or removed in one edit.",
                f"{path}.removeTags[{i}]",
            )
        removed[fqn] = None
    return TagEdit(tuple(labels.values()), tuple(removed))


def _owner_list(owners: list[OwnerInput], path: str) -> tuple[dict[str, str], ...]:
    found: dict[str, dict[str, str]] = {}
    for i, owner in enumerate(owners):
        owner_id = check_uuid(str(owner.id), f"{path}[{i}].id")
        found.setdefault(owner_id, {"id": owner_id, "type": owner.type.value})
    return tuple(found.values())


def _owners(
    edit: dict[str, Any],
    owners: list[OwnerInput] | None,
    add: list[OwnerInput] | None,
    remove: list[strawberry.ID] | None,
    path: str,
) -> None:
    if _given(owners):
        if add or remove:
            raise _invalid(
                f"Give `{path}.owners` (the whole list) or `{path}.addOwners` / "
                f"`{path}.removeOwners`, not both.",
                f"{path}.owners",
            )
        edit["owners"] = _owner_list(owners or [], f"{path}.owners")
        return
    added = _owner_list(add or [], f"{path}.addOwners")
    ids = {owner["id"] for owner in added}
    removed: dict[str, None] = {}
    for i, owner_id in enumerate(remove or ()):
        checked = check_uuid(str(owner_id), f"{path}.removeOwners[{i}]")
        if checked in ids:
            raise _invalid(
                f"`{path}.removeOwners[{i}]` is {checked}, which `{path}.addOwners` adds: an "
                "owner is either added or removed in one edit.",
                f"{path}.removeOwners[{i}]",
            )
        removed[checked] = None
    edit["add_owners"], edit["remove_owners"] = added, tuple(removed)


def _domains(edit: dict[str, Any], domains: list[str] | None, path: str) -> None:
    if _given(domains):
        checked = (check_fqn(d, f"{path}.domains[{i}]") for i, d in enumerate(domains or ()))
        edit["domains"] = tuple(dict.fromkeys(checked))


def model_edit(update: MlModelUpdate, path: str = "input") -> Edit:
    """The checked edit of an ML model; raises `BadUserInputError` naming the field."""
    _nothing_given(update, path)
    scalars: dict[str, str | None] = {}
    _scalar(scalars, "description", update.description)
    _scalar(scalars, "displayName", update.display_name)
    if _given(update.algorithm):
        if update.algorithm is None:
            raise _invalid(
                f"`{path}.algorithm` cannot be cleared: the catalog requires an algorithm.",
                f"{path}.algorithm",
            )
        scalars["algorithm"] = update.algorithm
    if _given(update.target):
        target = update.target
        scalars["target"] = None if target is None else check_name(target, f"{path}.target")
    for key, value in (("server", update.server), ("sourceUrl", update.source_url)):
        if _given(value):
            scalars[key] = None if value is None else check_uri(value, f"{path}.{key}")
    edit: dict[str, Any] = {
        "scalars": scalars,
        "tags": _tags(update.add_tags, update.remove_tags, path),
    }
    _owners(edit, update.owners, update.add_owners, update.remove_owners, path)
    _domains(edit, update.domains, path)
    if _given(update.extension):
        extension = check_object(update.extension, f"{path}.extension")
        if extension is None:
            raise _invalid(
                f"`{path}.extension` must be a JSON object of the properties to set (a "
                "property set to null is removed).",
                f"{path}.extension",
            )
        edit["extension"] = dict(extension)
    return Edit(**edit)


def table_edit(update: TableUpdate, path: str = "input") -> Edit:
    """The checked edit of a table; raises `BadUserInputError` naming the field."""
    _nothing_given(update, path)
    scalars: dict[str, str | None] = {}
    _scalar(scalars, "description", update.description)
    _scalar(scalars, "displayName", update.display_name)
    edit: dict[str, Any] = {
        "scalars": scalars,
        "tags": _tags(update.add_tags, update.remove_tags, path),
    }
    _owners(edit, update.owners, update.add_owners, update.remove_owners, path)
    _domains(edit, update.domains, path)
    columns: list[ColumnEdit] = []
    seen: dict[tuple[str, ...], int] = {}
    for i, column in enumerate(update.columns or ()):
        argument = f"{path}.columns[{i}]"
        column_path = column_names(column.name, f"{argument}.name")
        if column_path in seen:
            raise _invalid(
                f"`{argument}.name` names the same column as `{path}.columns[{seen[column_path]}]"
                "`: edit each column once.",
                f"{argument}.name",
            )
        seen[column_path] = i
        column_scalars: dict[str, str | None] = {}
        _scalar(column_scalars, "description", column.description)
        tags = _tags(column.add_tags, column.remove_tags, argument)
        columns.append(ColumnEdit(column_path, argument, column_scalars, tags))
    edit["columns"] = tuple(columns)
    return Edit(**edit)


# A dotted column path: parts split at dots, a part that holds a dot double-quoted.
_PART = re.compile(r'"([^"]+)"|([^."]+)')


def column_names(value: str, argument: str) -> tuple[str, ...]:
    """`address.city` -> ("address", "city"); `"geo.point".lat` -> ("geo.point", "lat")."""
    parts: list[str] = []
    position = 0
    while True:
        match = _PART.match(value, position)
        if match is None:
            break
        parts.append(check_name(match.group(1) or match.group(2), argument))
        position = match.end()
        if position == len(value):
            return tuple(parts)
        if value[position] != ".":
            break
        position += 1
    raise _invalid(
        f"`{argument}` must be a column name, or the dotted path of a nested column such as "
        f"`address.city` (quote a name that holds a dot), got {value[:80]!r}.",
        argument,
    )
