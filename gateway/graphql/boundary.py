"""The auth boundary: which operations run without the caller's own credentials.

A write must be made as the caller, never as the gateway's service account, so a
mutation without an `Authorization` header is refused before any upstream call.
`anonymous` (`GATEWAY_ANONYMOUS`) decides reads: `read` lets them run with the service
token, `none` refuses them too. An operation that selects only introspection fields
(`__schema`, `__type`, `__typename`) touches no upstream and is always let through, so
tools and the playground can load the schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    get_operation_ast,
)
from strawberry.extensions import SchemaExtension

UNAUTHENTICATED = "UNAUTHENTICATED"
Anonymous = Literal["read", "none"]


def refused(operation: OperationType) -> GraphQLError:
    kind = "A mutation" if operation is OperationType.MUTATION else "This operation"
    return GraphQLError(
        f"{kind} needs the caller's own credentials: send an `Authorization: Bearer <token>` "
        "header. The gateway does not act for anonymous callers here.",
        extensions={"code": UNAUTHENTICATED},
    )


def _introspection_only(operation: OperationDefinitionNode) -> bool:
    return all(
        isinstance(selection, FieldNode) and selection.name.value.startswith("__")
        for selection in operation.selection_set.selections
    )


class AuthBoundary(SchemaExtension):
    """Refuses, before execution, what an anonymous caller may not run (see module doc)."""

    def __init__(self, anonymous: Anonymous) -> None:
        self.anonymous = anonymous

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.result is None and context.graphql_document is not None:
            credentials = getattr(context.context, "credentials", None)
            if credentials is None:
                error = self._check(context.graphql_document, context.operation_name)
                if error is not None:
                    context.result = ExecutionResult(errors=[error])
        yield

    def _check(self, document: DocumentNode, operation_name: str | None) -> GraphQLError | None:
        operation = get_operation_ast(document, operation_name)
        if operation is None:
            # No such operation: execution reports it.
            return None
        if operation.operation is OperationType.MUTATION:
            return refused(operation.operation)
        if self.anonymous == "none" and not _introspection_only(operation):
            return refused(operation.operation)
        return None
