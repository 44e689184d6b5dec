"""`upsertMlModels`: many upserts in one catalog bulk call, with an outcome per input item.

Items the gateway's own checks reject are not sent. The catalog's `BulkOperationResult`
names items by FQN (or echoes a rejected body), so outcomes are matched back to input
indexes by body, then FQN, then order. Successful items' `mlModel`s load through the
`ModelByName` loader: one concurrent, de-duplicated round for the whole list.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any

import strawberry

from gateway.base.errors import BadUserInputError, GatewayError, UpstreamError
from gateway.domain.context import Info
from gateway.domain.mutations.fresh import forget_models
from gateway.domain.mutations.inputs import MlModelInput, model_body, model_fqn
from gateway.domain.mutations.results import (
    Conflict,
    InvalidInput,
    MutationError,
    NotFound,
    PermissionDenied,
    Problem,
    expected,
    invalid,
)
from gateway.domain.selection import MODEL_FIELDS, upstream_fields
from gateway.domain.types.enums import described
from gateway.domain.types.ml_model import MlModel
from gateway.upstream.http import sanitize
from gateway.upstream.records import BulkOperationResultRecord, BulkResponseRecord

MAX_BULK_ITEMS = 500
_NOT_FOUND = re.compile(r"instance for .+ not found")


@strawberry.enum(description="How a bulk write went overall.")
class BulkStatus(Enum):
    SUCCESS = described("success", "Every item was written.")
    PARTIAL_SUCCESS = described(
        "partialSuccess", "Some items were written and some failed: see each item's `error`."
    )
    FAILURE = described("failure", "No item was written: see each item's `error`.")


@strawberry.type(description="The outcome of one item of a bulk upsert.")
class UpsertMlModelsItem:
    index: int = strawberry.field(description="Position of the item in `input` (from 0).")
    fully_qualified_name: str | None = strawberry.field(
        description="FQN of the model the item names; null when the gateway rejected the "
        "item before sending it."
    )
    error: MutationError | None = strawberry.field(
        description="Why the item failed; null when it was written."
    )

    @strawberry.field(description="The model as stored now; null when the item failed.")
    async def ml_model(self, info: Info) -> MlModel | None:
        if self.error is not None or self.fully_qualified_name is None:
            return None
        fields = upstream_fields(info, MODEL_FIELDS)
        record = await info.context.loaders.model_by_name.load((self.fully_qualified_name, fields))
        return MlModel.from_record(record) if record is not None else None


@strawberry.type(description="The catalog processed the bulk upsert (items may still fail).")
class UpsertMlModelsSuccess:
    status: BulkStatus = strawberry.field(description="All, some or none of the items passed.")
    passed: int = strawberry.field(description="Items written.")
    failed: int = strawberry.field(description="Items not written.")
    items: list[UpsertMlModelsItem] = strawberry.field(description="One outcome per item.")


UpsertMlModelsResult = Annotated[
    UpsertMlModelsSuccess | InvalidInput | PermissionDenied,
    strawberry.union(
        "UpsertMlModelsResult",
        description="ValidationError: the list is empty or too long. PermissionError: the "
        "catalog refused the whole call. Per-item failures are in the success's `items`.",
    ),
]


def model_fqn_of(body: dict[str, Any]) -> str | None:
    if isinstance(body.get("name"), str) and isinstance(body.get("service"), str):
        return model_fqn(body)
    return None


def item_problem(entry: BulkResponseRecord, index: int) -> Problem:
    message = sanitize(entry.message or "The catalog rejected the item.")
    if entry.status == 403 or message.startswith("Permission denied"):
        return PermissionDenied(message=message)
    if entry.status == 409 or message == "Entity already exists":
        return Conflict(message=message)
    if entry.status == 404 or _NOT_FOUND.search(message):
        return NotFound(message=message)
    return InvalidInput(message=message, field=f"input[{index}]")


class Matcher:
    """Assigns the catalog's per-item entries to the indexes of the items sent.

    An entry's `request` is an FQN or a rejected body (as the catalog re-serialised it, so
    possibly with defaults added): match the body exactly, then by FQN, then in order.
    """

    def __init__(
        self,
        bodies: dict[int, dict[str, Any]],
        fqn_of: Callable[[dict[str, Any]], str | None] = model_fqn_of,
    ) -> None:
        self.bodies = bodies
        self.fqn_of = fqn_of
        self.fqns = {i: fqn_of(body) or "" for i, body in bodies.items()}
        self.open = list(bodies)

    def take(self, request: Any) -> int | None:
        key: str | None = None
        if isinstance(request, dict):
            for i in self.open:
                if self.bodies[i] == request:
                    return self._pop(i)
            key = self.fqn_of(request)
        elif isinstance(request, str):
            key = request
        for i in self.open:
            if self.fqns[i] == key:
                return self._pop(i)
        return self._pop(self.open[0]) if self.open else None

    def _pop(self, index: int) -> int:
        self.open.remove(index)
        return index


def outcomes(
    bodies: dict[int, dict[str, Any]],
    result: BulkOperationResultRecord,
    fqn_of: Callable[[dict[str, Any]], str | None],
) -> dict[int, tuple[str, Problem | None]]:
    """The catalog's per-item entries of one bulk call, by the index of the item sent:
    (FQN, its failure or None); an UpstreamError when an item is not reported."""
    found: dict[int, tuple[str, Problem | None]] = {}
    matcher = Matcher(bodies, fqn_of)
    for entry in result.failed_request:
        index = matcher.take(entry.request)
        if index is not None:
            found[index] = (matcher.fqns[index], item_problem(entry, index))
    for entry in result.success_request:
        index = matcher.take(entry.request)
        if index is not None:
            fqn = entry.request if isinstance(entry.request, str) else matcher.fqns[index]
            found[index] = (fqn, None)
    if matcher.open:
        raise UpstreamError(
            "The catalog's bulk answer does not report every item.", upstream="catalog"
        )
    return found


def bulk_status(passed: int, failed: int) -> BulkStatus:
    if failed == 0:
        return BulkStatus.SUCCESS
    return BulkStatus.PARTIAL_SUCCESS if passed else BulkStatus.FAILURE


@strawberry.type
class BulkMutation:
    @strawberry.mutation(
        description=f"Create or update up to {MAX_BULK_ITEMS} ML models in one catalog call "
        "(PUT, same rules as `upsertMlModel`), with an outcome per item."
    )
    async def upsert_ml_models(
        self,
        info: Info,
        input: Annotated[
            list[MlModelInput], strawberry.argument(description="The models, in any order.")
        ],
    ) -> UpsertMlModelsResult:
        if not 1 <= len(input) <= MAX_BULK_ITEMS:
            return InvalidInput(
                message=f"`input` must hold 1 to {MAX_BULK_ITEMS} models, got {len(input)}.",
                field="input",
            )
        link = info.context.settings.registry_link_property
        items: dict[int, UpsertMlModelsItem] = {}
        bodies: dict[int, dict[str, Any]] = {}
        for i, model in enumerate(input):
            try:
                bodies[i] = model_body(model, f"input[{i}]", link)
            except BadUserInputError as exc:
                items[i] = UpsertMlModelsItem(
                    index=i, fully_qualified_name=None, error=invalid(exc)
                )
        if bodies:
            try:
                result = await info.context.catalog.bulk_upsert_models(list(bodies.values()))
            except GatewayError as exc:
                problem = expected(exc)
                if not isinstance(problem, InvalidInput | PermissionDenied):
                    raise
                return problem
            forget_models(info.context.loaders)
            for index, (fqn, error) in outcomes(bodies, result, model_fqn_of).items():
                items[index] = UpsertMlModelsItem(
                    index=index, fully_qualified_name=fqn, error=error
                )
        failed = sum(item.error is not None for item in items.values())
        passed = len(items) - failed
        return UpsertMlModelsSuccess(
            status=bulk_status(passed, failed),
            passed=passed,
            failed=failed,
            items=[items[i] for i in range(len(input))],
        )
