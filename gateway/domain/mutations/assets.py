"""What follow, unfollow and vote act on: ML models and tables (`DataAsset`)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Literal

import strawberry

from gateway.domain.context import Info
from gateway.domain.mutations.fresh import read_model, read_table
from gateway.domain.types.enums import described
from gateway.domain.types.ml_model import MlModel
from gateway.domain.types.table import Table


@strawberry.enum(description="Kind of entity that can be followed and voted on.")
class AssetKind(Enum):
    _value_: Literal["mlmodel", "table"]  # the catalog's entity types, for mypy
    ML_MODEL = described("mlmodel", "An ML model (`MlModel`), by its catalog id.")
    TABLE = described("table", "A table (`Table`), by its catalog id.")


ASSET_LABELS = {AssetKind.ML_MODEL: "ML model", AssetKind.TABLE: "table"}

DataAsset = Annotated[
    MlModel | Table,
    strawberry.union("DataAsset", description="An ML model or a table."),
]


async def read_asset(info: Info, kind: AssetKind, asset_id: str, field: str) -> MlModel | Table:
    """The asset re-read after a follow or vote, with what `field`'s selection needs."""
    if kind is AssetKind.ML_MODEL:
        return await read_model(info, asset_id, field)
    return await read_table(info, asset_id, field)
