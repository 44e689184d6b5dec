"""`updateMlModel` and `updateTable`: targeted edits through the catalog's PATCH.

The entity is read with its ETag and the fields the edit needs, the patch is planned
against that read (`patches`) and sent as the caller. A patch that failed because the
entity changed meanwhile (a 412 on a guarded patch, or a failed `test`) is planned again
on a fresh read, at most `RETRIES` times, then answered as ConflictError. With
`expectedVersion` the patch carries `If-Match: W/"<version>"` instead, and an entity at
another version is a ConflictError at once: the caller's read is stale, and retrying
would overwrite what it has not seen.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

import strawberry

from gateway.base.errors import (
    BadUserInputError,
    ConflictError,
    GatewayError,
    NotFoundError,
    PreconditionFailedError,
    UpstreamError,
)
from gateway.domain.context import Info
from gateway.domain.mutations.edit_inputs import (
    Edit,
    MlModelUpdate,
    TableUpdate,
    model_edit,
    table_edit,
)
from gateway.domain.mutations.fresh import patched_model, patched_table
from gateway.domain.mutations.patches import (
    Operation,
    Plan,
    missing_domains,
    plan_model,
    plan_table,
)
from gateway.domain.mutations.results import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Problem,
    expected,
    invalid,
    missing,
)
from gateway.domain.selection import MODEL_FIELDS, TABLE_FIELDS, upstream_fields
from gateway.domain.types.ml_model import MlModel
from gateway.domain.types.table import Table
from gateway.domain.validation import check_fqn, check_uuid
from gateway.upstream.catalog import CatalogClient
from gateway.upstream.records import MlModelRecord, TableRecord

# Fresh reads (and patches planned on them) after the entity changed under an edit.
RETRIES = 3

R = TypeVar("R", MlModelRecord, TableRecord)


@strawberry.type(description="The ML model was edited (or already was as asked).")
class UpdateMlModelSuccess:
    ml_model: MlModel = strawberry.field(description="The model as stored now.")
    changed: bool = strawberry.field(
        description="False when the model already was as the edit asks: nothing was written."
    )


@strawberry.type(description="The table was edited (or already was as asked).")
class UpdateTableSuccess:
    table: Table = strawberry.field(description="The table as stored now.")
    changed: bool = strawberry.field(
        description="False when the table already was as the edit asks: nothing was written."
    )


_ERRORS = (
    "NotFoundError: no such {0}, or a tag, owner or domain the input names does not exist. "
    "ValidationError: invalid input (before any upstream call), or a value the catalog "
    "refuses. PermissionError: the catalog refused the edit, with its message (a plain user "
    "may edit the description and tags of any {0}, and everything of one it owns). "
    "ConflictError: the {0} is not at `expectedVersion`, or kept changing while the edit "
    "was applied."
)
UpdateMlModelResult = Annotated[
    UpdateMlModelSuccess | NotFound | InvalidInput | PermissionDenied | Conflict,
    strawberry.union("UpdateMlModelResult", description=_ERRORS.format("ML model")),
]
UpdateTableResult = Annotated[
    UpdateTableSuccess | NotFound | InvalidInput | PermissionDenied | Conflict,
    strawberry.union("UpdateTableResult", description=_ERRORS.format("table")),
]
_ID = "Catalog id (UUID) of the {}; pass it or `fullyQualifiedName`, not both."
_FQN = "Fully qualified name of the {}; pass it or `id`, not both."
_EXPECTED = strawberry.argument(
    description="The version the caller's edit is based on (the `version` it read). When "
    "given, the edit is made only if the entity is still at that version; otherwise it is "
    "a ConflictError and nothing is written, so an edit based on a stale read never "
    "overwrites a newer change. The catalog merges a user's edits within 10 minutes into "
    "one version, so this guards against other users' changes."
)


@dataclass(frozen=True, slots=True)
class _Kind(Generic[R]):
    """How an edit reads, plans and patches one entity type."""

    label: str
    read: Callable[[CatalogClient, str, bool, frozenset[str]], Awaitable[tuple[R, str | None]]]
    patch: Callable[
        [CatalogClient, str, Sequence[Operation], str | None], Awaitable[tuple[R, bool]]
    ]
    plan: Callable[[Edit, R, Mapping[str, str]], Plan]


async def _read_model(
    catalog: CatalogClient, key: str, by_name: bool, fields: frozenset[str]
) -> tuple[MlModelRecord, str | None]:
    if by_name:
        return await catalog.get_model_by_name_with_etag(key, fields=fields)
    return await catalog.get_model_with_etag(key, fields=fields)


async def _read_table(
    catalog: CatalogClient, key: str, by_name: bool, fields: frozenset[str]
) -> tuple[TableRecord, str | None]:
    if by_name:
        return await catalog.get_table_by_name_with_etag(key, fields=fields)
    return await catalog.get_table_with_etag(key, fields=fields)


_MODEL: _Kind[MlModelRecord] = _Kind(
    "ML model",
    _read_model,
    lambda catalog, key, ops, if_match: catalog.patch_model(key, ops, if_match=if_match),
    plan_model,
)
_TABLE: _Kind[TableRecord] = _Kind(
    "table",
    _read_table,
    lambda catalog, key, ops, if_match: catalog.patch_table(key, ops, if_match=if_match),
    plan_table,
)


def _key(entity_id: str | None, fqn: str | None) -> tuple[str, bool]:
    """The entity's key and whether it is a name; `BadUserInputError` naming the argument."""
    if (entity_id is None) == (fqn is None):
        raise BadUserInputError(
            "Pass exactly one of `id` or `fullyQualifiedName`.", extensions={"argument": "id"}
        )
    if entity_id is not None:
        return check_uuid(str(entity_id), "id"), False
    assert fqn is not None
    return check_fqn(fqn, "fullyQualifiedName"), True


def _expected_version(value: float | None) -> float | None:
    if value is None:
        return None
    if not math.isfinite(value) or value < 0.1 or abs(value * 10 - round(value * 10)) > 1e-6:
        raise BadUserInputError(
            "`expectedVersion` must be an entity version such as 0.2 or 1.0, as the entity's "
            f"`version` reads, got {value!r}.",
            extensions={"argument": "expectedVersion"},
        )
    return round(value, 1)


def _changed(before: R, after: R) -> bool:
    return (before.version, before.updated_at) != (after.version, after.updated_at)


async def _domain_id(catalog: CatalogClient, name: str) -> str:
    try:
        return (await catalog.get_domain_by_name(name)).id
    except NotFoundError:
        # Worded as the catalog words a missing reference, which `missing` recognises.
        raise NotFoundError(f"domain instance for {name} not found", upstream="catalog") from None


async def _domain_ids(catalog: CatalogClient, edit: Edit, record: R) -> dict[str, str]:
    """Ids of the domains the edit names that the entity is not in yet (the catalog takes
    a domain by id)."""
    names = missing_domains(edit, record.domains)
    found = await asyncio.gather(*(_domain_id(catalog, name) for name in names))
    return dict(zip(names, found, strict=True))


async def apply_edit(
    catalog: CatalogClient,
    kind: _Kind[R],
    key: tuple[str, bool],
    edit: Edit,
    expected_version: float | None,
    selected: frozenset[str] = frozenset(),
) -> tuple[R, bool] | Conflict:
    """Read, plan and patch until the patch applies to the entity it was planned on: the
    entity as stored now and whether the edit changed it, or why it was not made. The
    entity is read with the `selected` fields too, so that an edit that changes nothing
    answers it as read."""
    fields = edit.fields() | selected
    record, etag = await kind.read(catalog, key[0], key[1], fields)
    domain_ids = await _domain_ids(catalog, edit, record)
    retries = 0
    while True:
        if expected_version is not None and record.version != expected_version:
            return Conflict(
                message=f"The {kind.label} is at version {record.version}, not at the expected "
                f"{expected_version}: it changed since it was read. Read it again and retry."
            )
        plan = kind.plan(edit, record, domain_ids)
        if not plan.operations:
            return record, False
        if expected_version is not None:
            if_match: str | None = f'W/"{expected_version}"'
        else:
            if_match = etag if plan.guarded else None
        failure: GatewayError | None = None
        try:
            return await kind.patch(catalog, record.id, plan.operations, if_match)
        except PreconditionFailedError:
            if expected_version is not None:
                return Conflict(
                    message=f"The {kind.label} changed since version {expected_version} (the "
                    "expected version) was read. Read it again and retry."
                )
        except (BadUserInputError, ConflictError, UpstreamError) as exc:
            # Perhaps a `test` that failed because the entity changed: a fresh read tells.
            if not plan.tested or exc.upstream is None:
                raise
            failure = exc
        if failure is None and retries == RETRIES:
            break
        fresh, etag = await kind.read(catalog, record.id, False, fields)
        if failure is not None and not _changed(record, fresh):
            raise failure
        if retries == RETRIES:
            break
        retries += 1
        record = fresh
    return Conflict(
        message=f"The {kind.label} kept changing while the edit was applied ({RETRIES} fresh "
        "reads). Read it again and retry."
    )


# The catalog's validation messages that say which part of the input they are about.
_ABOUT = (
    ("Unknown custom field", "extension"),
    ("Custom field", "extension"),
    ("Tag label", "addTags"),
    ("Rule [Multiple Domains", "domains"),
    ("Rule [Multiple Users or Single Team", "owners"),
    ("Entity of type", "owners"),
    ("Team of type", "owners"),
)


def _problem(error: GatewayError) -> Problem:
    problem = expected(error)
    if problem is None:
        raise error
    if isinstance(problem, NotFound):
        problem.message = missing(error, error.message)
    elif isinstance(problem, InvalidInput) and problem.field is None:
        field = next((f for prefix, f in _ABOUT if error.message.startswith(prefix)), None)
        problem.field = f"input.{field}" if field else None
    return problem


async def _update(
    info: Info,
    kind: _Kind[R],
    entity_id: str | None,
    fqn: str | None,
    expected_version: float | None,
    check: Callable[[], Edit],
    selected: frozenset[str],
) -> tuple[R, bool] | Problem:
    try:
        key = _key(entity_id, fqn)
        version = _expected_version(expected_version)
        edit = check()
    except BadUserInputError as exc:
        return invalid(exc)
    try:
        return await apply_edit(info.context.catalog, kind, key, edit, version, selected)
    except GatewayError as exc:
        return _problem(exc)


@strawberry.type
class UpdateMutation:
    @strawberry.mutation(
        description="Edit an ML model: only the fields `input` gives change (a catalog PATCH, "
        "sent as the caller). Tags and owners added by concurrent edits all land; an edit "
        "that changes nothing writes nothing."
    )
    async def update_ml_model(
        self,
        info: Info,
        input: Annotated[MlModelUpdate, strawberry.argument(description="What to change.")],
        id: Annotated[
            strawberry.ID | None, strawberry.argument(description=_ID.format("model"))
        ] = None,
        fully_qualified_name: Annotated[
            str | None, strawberry.argument(description=_FQN.format("model"))
        ] = None,
        expected_version: Annotated[float | None, _EXPECTED] = None,
    ) -> UpdateMlModelResult:
        selected = upstream_fields(info, MODEL_FIELDS, (("mlModel",),))
        outcome = await _update(
            info,
            _MODEL,
            id,
            fully_qualified_name,
            expected_version,
            lambda: model_edit(input),
            selected,
        )
        if not isinstance(outcome, tuple):
            return outcome
        record, changed = outcome
        if not changed:
            return UpdateMlModelSuccess(ml_model=MlModel.from_record(record), changed=False)
        model = await patched_model(info, record, "mlModel")
        return UpdateMlModelSuccess(ml_model=model, changed=True)

    @strawberry.mutation(
        description="Edit a table and its columns: only the fields `input` gives change (a "
        "catalog PATCH, sent as the caller). Tags and owners added by concurrent edits all "
        "land; an edit that changes nothing writes nothing."
    )
    async def update_table(
        self,
        info: Info,
        input: Annotated[TableUpdate, strawberry.argument(description="What to change.")],
        id: Annotated[
            strawberry.ID | None, strawberry.argument(description=_ID.format("table"))
        ] = None,
        fully_qualified_name: Annotated[
            str | None, strawberry.argument(description=_FQN.format("table"))
        ] = None,
        expected_version: Annotated[float | None, _EXPECTED] = None,
    ) -> UpdateTableResult:
        selected = upstream_fields(info, TABLE_FIELDS, (("table",),))
        outcome = await _update(
            info,
            _TABLE,
            id,
            fully_qualified_name,
            expected_version,
            lambda: table_edit(input),
            selected,
        )
        if not isinstance(outcome, tuple):
            return outcome
        record, changed = outcome
        if not changed:
            return UpdateTableSuccess(table=Table.from_record(record), changed=False)
        table = await patched_table(info, record, "table")
        return UpdateTableSuccess(table=table, changed=True)
