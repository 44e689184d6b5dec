"""Delete and restore ML models and tables.

A soft delete hides the entity from lists and lookups (`include: DELETED|ALL` still show
it) and can be undone with a restore; a hard delete removes it and its relationships for
good. The answer of a soft delete or a restore is the entity re-read with the fields the
selection needs (`include=all`, since the loaders see live entities only).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

import strawberry

from gateway.base.errors import BadUserInputError, GatewayError
from gateway.domain.context import Info
from gateway.domain.loaders import Loaders
from gateway.domain.mutations.fresh import forget_models, forget_tables
from gateway.domain.mutations.results import (
    InvalidInput,
    NotFound,
    PermissionDenied,
    expected,
    invalid,
)
from gateway.domain.selection import MODEL_FIELDS, TABLE_FIELDS, upstream_fields
from gateway.domain.types.ml_model import MlModel
from gateway.domain.types.table import Table
from gateway.domain.validation import check_uuid
from gateway.upstream.catalog import CatalogClient

_ID = strawberry.argument(description="Catalog id (UUID).")
_HARD = strawberry.argument(
    description="Remove the entity and its relationships (followers, votes, owners, "
    "lineage) for good instead of soft-deleting it. A hard delete CANNOT be undone; a soft "
    "delete can, with the matching restore mutation."
)


@strawberry.type(description="The ML model was deleted.")
class DeleteMlModelSuccess:
    id: strawberry.ID = strawberry.field(description="Catalog id of the deleted model.")
    hard: bool = strawberry.field(description="True when it was deleted for good.")
    ml_model: MlModel | None = strawberry.field(
        description="The soft-deleted model (`deleted: true`, one version up); null after a "
        "hard delete."
    )


@strawberry.type(description="The table was deleted.")
class DeleteTableSuccess:
    id: strawberry.ID = strawberry.field(description="Catalog id of the deleted table.")
    hard: bool = strawberry.field(description="True when it was deleted for good.")
    table: Table | None = strawberry.field(
        description="The soft-deleted table (`deleted: true`, one version up); null after a "
        "hard delete."
    )


@strawberry.type(description="The ML model was restored.")
class RestoreMlModelSuccess:
    ml_model: MlModel = strawberry.field(
        description="The model, live again (`deleted: false`, one version up)."
    )


@strawberry.type(description="The table was restored.")
class RestoreTableSuccess:
    table: Table = strawberry.field(
        description="The table, live again (`deleted: false`, one version up)."
    )


_DELETE_DOC = (
    "NotFoundError: no such {noun} (a soft-deleted one can be deleted again, e.g. for "
    "good). ValidationError: a malformed id. PermissionError: the catalog refused the "
    "delete (it needs the Delete permission: owners and admins), with its message."
)
_RESTORE_DOC = (
    "NotFoundError: no such {noun}, live or soft-deleted. ValidationError: a malformed "
    "id, or the {noun} is not deleted. PermissionError: the catalog refused the restore "
    "(it needs EditAll: owners and admins), with its message."
)
DeleteMlModelResult = Annotated[
    DeleteMlModelSuccess | NotFound | InvalidInput | PermissionDenied,
    strawberry.union("DeleteMlModelResult", description=_DELETE_DOC.format(noun="model")),
]
DeleteTableResult = Annotated[
    DeleteTableSuccess | NotFound | InvalidInput | PermissionDenied,
    strawberry.union("DeleteTableResult", description=_DELETE_DOC.format(noun="table")),
]
RestoreMlModelResult = Annotated[
    RestoreMlModelSuccess | NotFound | InvalidInput | PermissionDenied,
    strawberry.union("RestoreMlModelResult", description=_RESTORE_DOC.format(noun="model")),
]
RestoreTableResult = Annotated[
    RestoreTableSuccess | NotFound | InvalidInput | PermissionDenied,
    strawberry.union("RestoreTableResult", description=_RESTORE_DOC.format(noun="table")),
]


Failure = NotFound | InvalidInput | PermissionDenied


def _problem(error: GatewayError, noun: str, entity_id: str) -> Failure:
    problem = expected(error, prefix="id")
    if problem is None or not isinstance(problem, NotFound | InvalidInput | PermissionDenied):
        raise error
    if isinstance(problem, NotFound):
        problem.message = f"No {noun} {entity_id}."
    return problem


async def _model(info: Info, model_id: str, field: str) -> MlModel:
    fields = upstream_fields(info, MODEL_FIELDS, ((field,),))
    record = await info.context.catalog.get_model(model_id, fields=fields, include="all")
    return MlModel.from_record(record)


async def _table(info: Info, table_id: str, field: str) -> Table:
    fields = upstream_fields(info, TABLE_FIELDS, ((field,),))
    record = await info.context.catalog.get_table(table_id, fields=fields, include="all")
    return Table.from_record(record)


@dataclass(frozen=True, slots=True)
class _Kind:
    """What deleting and restoring one entity type calls."""

    noun: str
    delete: Callable[[CatalogClient, str, bool], Awaitable[object]]
    restore: Callable[[CatalogClient, str], Awaitable[object]]
    is_deleted: Callable[[CatalogClient, str], Awaitable[bool]]
    forget: Callable[[Loaders], None]


async def _model_deleted(catalog: CatalogClient, model_id: str) -> bool:
    return (await catalog.get_model(model_id, include="all")).deleted


async def _table_deleted(catalog: CatalogClient, table_id: str) -> bool:
    return (await catalog.get_table(table_id, include="all")).deleted


_MODELS = _Kind(
    "ML model",
    lambda catalog, i, hard: catalog.delete_model(i, hard_delete=hard),
    lambda catalog, i: catalog.restore_model(i),
    _model_deleted,
    forget_models,
)
_TABLES = _Kind(
    "table",
    lambda catalog, i, hard: catalog.delete_table(i, hard_delete=hard),
    lambda catalog, i: catalog.restore_table(i),
    _table_deleted,
    forget_tables,
)


async def _delete(info: Info, kind: _Kind, id: strawberry.ID, hard: bool) -> str | Failure:
    """The deleted entity's id, or why it was not deleted."""
    try:
        entity_id = check_uuid(str(id))
    except BadUserInputError as exc:
        return invalid(exc)
    try:
        await kind.delete(info.context.catalog, entity_id, hard)
    except GatewayError as exc:
        return _problem(exc, kind.noun, entity_id)
    finally:
        kind.forget(info.context.loaders)
    return entity_id


async def _restore(info: Info, kind: _Kind, id: strawberry.ID) -> str | Failure:
    """The restored entity's id, or why it was not restored."""
    try:
        entity_id = check_uuid(str(id))
    except BadUserInputError as exc:
        return invalid(exc)
    catalog = info.context.catalog
    try:
        # The catalog fails a restore of a live entity with a 500: say so instead.
        if not await kind.is_deleted(catalog, entity_id):
            noun = kind.noun[:1].upper() + kind.noun[1:]
            return InvalidInput(
                message=f"{noun} {entity_id} is not deleted: there is nothing to restore.",
                field="id",
            )
        await kind.restore(catalog, entity_id)
    except GatewayError as exc:
        return _problem(exc, kind.noun, entity_id)
    finally:
        kind.forget(info.context.loaders)
    return entity_id


@strawberry.type
class LifecycleMutation:
    @strawberry.mutation(
        description="Delete an ML model: soft by default (hidden from lists, restorable with "
        "`restoreMlModel`, visible with `include: DELETED`), or for good with `hard: true`, "
        "which CANNOT be undone."
    )
    async def delete_ml_model(
        self,
        info: Info,
        id: Annotated[strawberry.ID, _ID],
        hard: Annotated[bool, _HARD] = False,
    ) -> DeleteMlModelResult:
        model_id = await _delete(info, _MODELS, id, hard)
        if not isinstance(model_id, str):
            return model_id
        model = None if hard else await _model(info, model_id, "mlModel")
        return DeleteMlModelSuccess(id=strawberry.ID(model_id), hard=hard, ml_model=model)

    @strawberry.mutation(
        description="Restore a soft-deleted ML model (with its relationships); it is live "
        "again, one version up."
    )
    async def restore_ml_model(
        self, info: Info, id: Annotated[strawberry.ID, _ID]
    ) -> RestoreMlModelResult:
        model_id = await _restore(info, _MODELS, id)
        if not isinstance(model_id, str):
            return model_id
        return RestoreMlModelSuccess(ml_model=await _model(info, model_id, "mlModel"))

    @strawberry.mutation(
        description="Delete a table: soft by default (hidden from lists, restorable with "
        "`restoreTable`, visible with `include: DELETED`), or for good with `hard: true`, "
        "which CANNOT be undone."
    )
    async def delete_table(
        self,
        info: Info,
        id: Annotated[strawberry.ID, _ID],
        hard: Annotated[bool, _HARD] = False,
    ) -> DeleteTableResult:
        table_id = await _delete(info, _TABLES, id, hard)
        if not isinstance(table_id, str):
            return table_id
        table = None if hard else await _table(info, table_id, "table")
        return DeleteTableSuccess(id=strawberry.ID(table_id), hard=hard, table=table)

    @strawberry.mutation(
        description="Restore a soft-deleted table (with its relationships); it is live "
        "again, one version up."
    )
    async def restore_table(
        self, info: Info, id: Annotated[strawberry.ID, _ID]
    ) -> RestoreTableResult:
        table_id = await _restore(info, _TABLES, id)
        if not isinstance(table_id, str):
            return table_id
        return RestoreTableSuccess(table=await _table(info, table_id, "table"))
