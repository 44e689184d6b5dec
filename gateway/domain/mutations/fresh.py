"""After a write: clear the loaders it made stale, then answer from freshly read entities.

Loaders key entities by (id or FQN, fields), so a write clears every entry of the
entity's loaders for the rest of the request; a later root field then reads the new
state. A re-read asks the catalog for exactly the relationship fields the mutation's
selection needs (`fields=`), and is skipped when the write's answer already holds all
of them.
"""

from __future__ import annotations

import logging

from gateway.base.errors import GatewayError, NotFoundError
from gateway.domain.context import Info
from gateway.domain.loaders import NO_FIELDS, Loaders
from gateway.domain.selection import MODEL_FIELDS, TABLE_FIELDS, upstream_fields
from gateway.domain.types.ml_model import MlModel
from gateway.domain.types.table import Table
from gateway.upstream.records import ColumnRecord, MlModelRecord, TableRecord

# Catalog `fields=` names whose record attribute is spelled otherwise.
_ATTRIBUTES = {"dataProducts": "data_products"}

log = logging.getLogger("gateway.mutations")


def forget_models(loaders: Loaders) -> None:
    # The search index trails writes: from here on the request reads the entity API.
    loaders.entity_api_only()
    loaders.model_by_id.clear_all()
    loaders.model_by_name.clear_all()
    loaders.models_by_table.clear_all()


def forget_tables(loaders: Loaders) -> None:
    loaders.entity_api_only()
    loaders.table_by_id.clear_all()
    loaders.table_by_name.clear_all()


async def written_model(info: Info, record: MlModelRecord, field: str) -> MlModel:
    """The model a create/upsert answered, re-read when `field`'s selection needs more.

    The write already happened: if the re-read fails, the write's own answer is used
    and the relationship fields load (or fail) one by one.
    """
    loaders = info.context.loaders
    forget_models(loaders)
    loaders.model_by_id.prime((record.id, NO_FIELDS), record)
    fields = upstream_fields(info, MODEL_FIELDS, ((field,),))
    if not fields:
        return MlModel.from_record(record)
    try:
        fresh = await loaders.model_by_id.load((record.id, fields))
    except GatewayError as exc:
        log.warning("re-reading ML model %s after a write failed: %s", record.id, exc.code)
        fresh = None
    return MlModel.from_record(fresh or record)


async def written_table(info: Info, record: TableRecord, field: str) -> Table:
    """The table a write answered, re-read when `field`'s selection needs more (as
    `written_model`)."""
    loaders = info.context.loaders
    forget_tables(loaders)
    loaders.table_by_id.prime((record.id, NO_FIELDS), record)
    fields = upstream_fields(info, TABLE_FIELDS, ((field,),))
    if not fields:
        return Table.from_record(record)
    try:
        fresh = await loaders.table_by_id.load((record.id, fields))
    except GatewayError as exc:
        log.warning("re-reading table %s after a write failed: %s", record.id, exc.code)
        fresh = None
    return Table.from_record(fresh or record)


def _holds(record: MlModelRecord | TableRecord, fields: frozenset[str]) -> bool:
    """Whether `record` holds every relationship field of `fields` (column tags included)."""
    for field in fields:
        if field == "columns":
            continue
        if getattr(record, _ATTRIBUTES.get(field, field)) is None:
            return False
    if "columns" in fields and isinstance(record, TableRecord):
        return _column_tags(record.columns)
    return True


def _column_tags(columns: list[ColumnRecord]) -> bool:
    return all(c.tags is not None and _column_tags(c.children or []) for c in columns)


async def patched_model(info: Info, record: MlModelRecord, field: str) -> MlModel:
    """The model a PATCH answered: as it is when it holds every relationship field
    `field`'s selection needs (the catalog answers a patch with the whole entity), else
    re-read (`written_model`)."""
    fields = upstream_fields(info, MODEL_FIELDS, ((field,),))
    if not _holds(record, fields):
        return await written_model(info, record, field)
    forget_models(info.context.loaders)
    info.context.loaders.model_by_id.prime((record.id, fields), record)
    return MlModel.from_record(record)


async def patched_table(info: Info, record: TableRecord, field: str) -> Table:
    """As `patched_model`, for a table."""
    fields = upstream_fields(info, TABLE_FIELDS, ((field,),))
    if not _holds(record, fields):
        return await written_table(info, record, field)
    forget_tables(info.context.loaders)
    info.context.loaders.table_by_id.prime((record.id, fields), record)
    return Table.from_record(record)


async def read_model(info: Info, model_id: str, field: str) -> MlModel:
    """A model re-read after a write whose answer is not the entity (follow, vote)."""
    loaders = info.context.loaders
    forget_models(loaders)
    fields = upstream_fields(info, MODEL_FIELDS, ((field,),))
    record = await loaders.model_by_id.load((model_id, fields))
    if record is None:
        raise NotFoundError(f"ML model {model_id} no longer exists.", upstream="catalog")
    return MlModel.from_record(record)


async def read_table(info: Info, table_id: str, field: str) -> Table:
    """A table re-read after a write whose answer is not the entity (follow, vote)."""
    loaders = info.context.loaders
    forget_tables(loaders)
    fields = upstream_fields(info, TABLE_FIELDS, ((field,),))
    record = await loaders.table_by_id.load((table_id, fields))
    if record is None:
        raise NotFoundError(f"Table {table_id} no longer exists.", upstream="catalog")
    return Table.from_record(record)
