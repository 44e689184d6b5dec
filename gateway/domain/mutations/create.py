"""`createMlModel` and `upsertMlModel`: single ML model writes (services: `services.py`)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from gateway.base.errors import BadUserInputError, GatewayError
from gateway.domain.context import Info
from gateway.domain.mutations.fresh import written_model
from gateway.domain.mutations.inputs import MlModelInput, model_body
from gateway.domain.mutations.results import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Problem,
    expected,
    invalid,
)
from gateway.domain.mutations.results import missing as named_missing
from gateway.domain.types.ml_model import MlModel


@strawberry.type(description="The ML model was created.")
class CreateMlModelSuccess:
    ml_model: MlModel = strawberry.field(description="The new model (version 0.1).")


@strawberry.type(description="The ML model was created or updated.")
class UpsertMlModelSuccess:
    ml_model: MlModel = strawberry.field(description="The model as stored now.")
    created: bool = strawberry.field(description="True when no model had this name before.")


CreateMlModelResult = Annotated[
    CreateMlModelSuccess | Conflict | InvalidInput | NotFound | PermissionDenied,
    strawberry.union(
        "CreateMlModelResult",
        description="ConflictError: a model of that name exists in the service (also when "
        "soft-deleted). NotFoundError: the service, an owner, tag, domain or feature source "
        "table does not exist. ValidationError: invalid input. PermissionError: the catalog "
        "refused the write.",
    ),
]
UpsertMlModelResult = Annotated[
    UpsertMlModelSuccess | InvalidInput | NotFound | PermissionDenied,
    strawberry.union(
        "UpsertMlModelResult",
        description="NotFoundError: the service, an owner, tag, domain or feature source "
        "table does not exist. ValidationError: invalid input. PermissionError: the catalog "
        "refused the write.",
    ),
]
_MODEL = strawberry.argument(description="The model.")


def problem_of(error: GatewayError, conflict: str, missing: str) -> Problem:
    """The typed error for `error` with messages that say what the input collided with."""
    problem = expected(error)
    if problem is None:
        raise error
    if isinstance(problem, Conflict):
        problem.message = conflict
    elif isinstance(problem, NotFound):
        problem.message = named_missing(error, missing)
    return problem


def _model_problem(error: GatewayError, body: dict[str, Any]) -> Problem:
    return problem_of(
        error,
        f"The service {body['service']} already has an ML model named {body['name']}.",
        f"Something the input names does not exist in the catalog: the service "
        f"{body['service']}, an owner, a tag, a domain or a feature source table.",
    )


@strawberry.type
class CreateMutation:
    @strawberry.mutation(
        description="Create an ML model in the catalog (POST; never retried). Fails with "
        "ConflictError when the service already has a model of that name."
    )
    async def create_ml_model(
        self, info: Info, input: Annotated[MlModelInput, _MODEL]
    ) -> CreateMlModelResult:
        settings = info.context.settings
        try:
            body = model_body(input, "input", settings.registry_link_property)
        except BadUserInputError as exc:
            return invalid(exc)
        try:
            record = await info.context.catalog.create_model(body)
        except GatewayError as exc:
            return _model_problem(exc, body)
        return CreateMlModelSuccess(ml_model=await written_model(info, record, "mlModel"))

    @strawberry.mutation(
        description="Create or update an ML model by its name within the service (PUT). "
        "See `MlModelInput` for what an update replaces, merges, keeps and cannot clear."
    )
    async def upsert_ml_model(
        self, info: Info, input: Annotated[MlModelInput, _MODEL]
    ) -> UpsertMlModelResult:
        settings = info.context.settings
        try:
            body = model_body(input, "input", settings.registry_link_property)
        except BadUserInputError as exc:
            return invalid(exc)
        try:
            record, created = await info.context.catalog.upsert_model(body)
        except GatewayError as exc:
            problem = _model_problem(exc, body)
            if isinstance(problem, Conflict):
                raise
            return problem
        model = await written_model(info, record, "mlModel")
        return UpsertMlModelSuccess(ml_model=model, created=created)
