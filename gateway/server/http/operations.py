"""Which operation a request selects, read from its document before anything executes."""

from __future__ import annotations

from functools import lru_cache

from graphql import GraphQLError, OperationDefinitionNode, parse
from strawberry.types.graphql import OperationType

# Documents up to this size are parsed once per distinct text; bigger ones every time, so
# the cache stays small whatever callers send.
CACHED_DOCUMENT_CHARS = 20_000

Operations = tuple[tuple[str | None, OperationType], ...]


class OperationResolutionError(Exception):
    """GraphQL's GetOperation() failed: no operation, or no single one to pick."""


def _operations(query: str, max_tokens: int) -> Operations | None:
    try:
        document = parse(query, no_location=True, max_tokens=max_tokens)
    except GraphQLError:
        return None
    return tuple(
        (node.name.value if node.name else None, OperationType(node.operation.value))
        for node in document.definitions
        if isinstance(node, OperationDefinitionNode)
    )


_cached_operations = lru_cache(maxsize=256)(_operations)


def selected_operation(
    query: str, operation_name: str | None, max_tokens: int
) -> OperationType | None:
    """The type of the operation to execute, or None when the document does not parse
    (execution then reports the syntax error).

    Without `operationName` the document must hold exactly one operation: GraphQL's
    GetOperation(), which the executor alone would not enforce (it picks the first).
    """
    if len(query) <= CACHED_DOCUMENT_CHARS:
        operations = _cached_operations(query, max_tokens)
    else:
        operations = _operations(query, max_tokens)
    if operations is None:
        return None
    if operation_name is None:
        if len(operations) == 1:
            return operations[0][1]
        if not operations:
            raise OperationResolutionError("The document contains no operation to execute.")
        raise OperationResolutionError(
            "The document contains several operations: name the one to execute in `operationName`."
        )
    for name, operation_type in operations:
        if name == operation_name:
            return operation_type
    raise OperationResolutionError(f'Unknown operation named "{operation_name}".')
