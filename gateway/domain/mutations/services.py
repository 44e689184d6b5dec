"""`createService`, `upsertService` and `upsertServices`: ML model and database services.

A service's `connection` goes to the catalog as given (it validates it against the
service type's connection schema); what comes back is masked before any client sees it
(`Service.connection`). The bulk upsert sends one catalog bulk call per service kind
among the items, concurrently, and answers one outcome per input item, like
`upsertMlModels`.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import strawberry

from gateway.base.errors import BadUserInputError, GatewayError
from gateway.domain.context import Info
from gateway.domain.mutations.bulk import BulkStatus, bulk_status, outcomes
from gateway.domain.mutations.create import problem_of
from gateway.domain.mutations.inputs import ServiceInput, service_body
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
from gateway.domain.selection import SERVICE_FIELDS, upstream_fields
from gateway.domain.types.common import ServiceKind
from gateway.domain.types.service import Service

MAX_BULK_SERVICES = 500
_KINDS = {ServiceKind.ML_MODEL: "An ML model service", ServiceKind.DATABASE: "A database service"}
_SERVICE = strawberry.argument(description="The service.")


def service_fqn(body: dict[str, Any]) -> str | None:
    """A service's FQN: its name, quoted when it holds a dot."""
    name = body.get("name")
    if not isinstance(name, str):
        return None
    return f'"{name}"' if "." in name else name


def _service_problem(error: GatewayError, kind: ServiceKind, body: dict[str, Any]) -> Problem:
    return problem_of(
        error,
        f"{_KINDS[kind]} named {body['name']} already exists.",
        "An owner, a tag or a domain the input names does not exist in the catalog.",
    )


@strawberry.type(description="The service was created.")
class CreateServiceSuccess:
    service: Service = strawberry.field(description="The new service (version 0.1).")


@strawberry.type(description="The service was created or updated.")
class UpsertServiceSuccess:
    service: Service = strawberry.field(description="The service as stored now.")
    created: bool = strawberry.field(
        description="True when no service of this kind had this name before."
    )


@strawberry.type(description="The outcome of one item of a bulk service upsert.")
class UpsertServicesItem:
    index: int = strawberry.field(description="Position of the item in `input` (from 0).")
    kind: ServiceKind = strawberry.field(description="The item's service kind.")
    fully_qualified_name: str | None = strawberry.field(
        description="FQN of the service the item names; null when the gateway rejected the "
        "item before sending it."
    )
    error: MutationError | None = strawberry.field(
        description="Why the item failed; null when it was written."
    )

    @strawberry.field(description="The service as stored now; null when the item failed.")
    async def service(self, info: Info) -> Service | None:
        if self.error is not None or self.fully_qualified_name is None:
            return None
        fqn = self.fully_qualified_name
        name = fqn[1:-1] if fqn.startswith('"') and fqn.endswith('"') else fqn
        record = await info.context.catalog.get_service_by_name(
            self.kind.value,
            name,
            fields=upstream_fields(info, SERVICE_FIELDS),
        )
        return Service.from_record(self.kind, record)


@strawberry.type(description="The catalog processed the bulk upsert (items may still fail).")
class UpsertServicesSuccess:
    status: BulkStatus = strawberry.field(description="All, some or none of the items passed.")
    passed: int = strawberry.field(description="Items written.")
    failed: int = strawberry.field(description="Items not written.")
    items: list[UpsertServicesItem] = strawberry.field(description="One outcome per item.")


CreateServiceResult = Annotated[
    CreateServiceSuccess | Conflict | InvalidInput | NotFound | PermissionDenied,
    strawberry.union(
        "CreateServiceResult",
        description="ConflictError: a service of that kind and name exists. NotFoundError: "
        "an owner, tag or domain does not exist. ValidationError: invalid input (e.g. a "
        "service type the kind does not have, or a connection its type's schema refuses). "
        "PermissionError: the catalog refused the write (creating needs the Create "
        "permission), with the catalog's message.",
    ),
]
UpsertServiceResult = Annotated[
    UpsertServiceSuccess | InvalidInput | NotFound | PermissionDenied,
    strawberry.union(
        "UpsertServiceResult",
        description="NotFoundError: an owner, tag or domain does not exist. ValidationError: "
        "invalid input (a connection its type's schema refuses, a service type the kind "
        "does not have). PermissionError: the catalog refused the write (creating needs "
        "Create; changing an existing service needs EditAll, which its owners and admins "
        "have), with the catalog's message.",
    ),
]
UpsertServicesResult = Annotated[
    UpsertServicesSuccess | InvalidInput | PermissionDenied,
    strawberry.union(
        "UpsertServicesResult",
        description="ValidationError: the list is empty or too long. PermissionError: the "
        "catalog refused a whole call. Per-item failures (each refused item with the "
        "catalog's 403 message too) are in the success's `items`.",
    ),
]


@strawberry.type
class ServiceMutation:
    @strawberry.mutation(
        description="Create an ML model service or a database service (POST; never retried), "
        "with its connection."
    )
    async def create_service(
        self, info: Info, input: Annotated[ServiceInput, _SERVICE]
    ) -> CreateServiceResult:
        try:
            body = service_body(input, "input")
        except BadUserInputError as exc:
            return invalid(exc)
        try:
            record = await info.context.catalog.create_service(input.kind.value, body)
        except GatewayError as exc:
            return _service_problem(exc, input.kind, body)
        return CreateServiceSuccess(service=Service.from_record(input.kind, record))

    @strawberry.mutation(
        description="Create or update a service by its kind and name (PUT). An update "
        "replaces `displayName`, `description` and `connection` (leaving one out clears "
        "it), adds `tags` (never removes one), and replaces `owners` and `domains` only by "
        "a non-empty list."
    )
    async def upsert_service(
        self, info: Info, input: Annotated[ServiceInput, _SERVICE]
    ) -> UpsertServiceResult:
        try:
            body = service_body(input, "input")
        except BadUserInputError as exc:
            return invalid(exc)
        try:
            record, created = await info.context.catalog.upsert_service(input.kind.value, body)
        except GatewayError as exc:
            problem = _service_problem(exc, input.kind, body)
            if isinstance(problem, Conflict):
                raise
            return problem
        return UpsertServiceSuccess(
            service=Service.from_record(input.kind, record), created=created
        )

    @strawberry.mutation(
        description=f"Create or update up to {MAX_BULK_SERVICES} services (PUT /bulk, same "
        "rules as `upsertService`): one catalog call per service kind among the items, with "
        "an outcome per item."
    )
    async def upsert_services(
        self,
        info: Info,
        input: Annotated[
            list[ServiceInput],
            strawberry.argument(description="The services, of either kind, in any order."),
        ],
    ) -> UpsertServicesResult:
        if not 1 <= len(input) <= MAX_BULK_SERVICES:
            return InvalidInput(
                message=f"`input` must hold 1 to {MAX_BULK_SERVICES} services, got {len(input)}.",
                field="input",
            )
        items: dict[int, UpsertServicesItem] = {}
        by_kind: dict[ServiceKind, dict[int, dict[str, Any]]] = {}
        for i, service in enumerate(input):
            try:
                by_kind.setdefault(service.kind, {})[i] = service_body(service, f"input[{i}]")
            except BadUserInputError as exc:
                items[i] = UpsertServicesItem(
                    index=i, kind=service.kind, fully_qualified_name=None, error=invalid(exc)
                )
        kinds = list(by_kind)
        results = await asyncio.gather(
            *(
                info.context.catalog.bulk_upsert_services(kind.value, list(by_kind[kind].values()))
                for kind in kinds
            ),
            return_exceptions=True,
        )
        for kind, result in zip(kinds, results, strict=True):
            if isinstance(result, BaseException):
                problem = expected(result) if isinstance(result, GatewayError) else None
                if not isinstance(problem, InvalidInput | PermissionDenied):
                    raise result
                return problem
            for index, (fqn, error) in outcomes(by_kind[kind], result, service_fqn).items():
                items[index] = UpsertServicesItem(
                    index=index, kind=kind, fully_qualified_name=fqn, error=error
                )
        failed = sum(item.error is not None for item in items.values())
        passed = len(items) - failed
        return UpsertServicesSuccess(
            status=bulk_status(passed, failed),
            passed=passed,
            failed=failed,
            items=[items[i] for i in range(len(input))],
        )
