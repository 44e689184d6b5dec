"""Schema assembly: the federation schema, its limits, and one place that shapes errors."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from inspect import isawaitable
from typing import Any, Final, cast

import strawberry
from graphql import (
    ASTValidationRule,
    DocumentNode,
    ExecutableDefinitionNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLUnionType,
    InlineFragmentNode,
    ValidationContext,
)
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.federation.schema import FederationAny
from strawberry.printer import print_schema
from strawberry.types import ExecutionContext

from gateway.base.errors import BadUserInputError, GatewayError
from gateway.base.settings import Settings
from gateway.domain.mutations import Mutation
from gateway.domain.queries import Query
from gateway.domain.types.keys import ReferenceFetch, fetch_reference_of, representation_problem
from gateway.domain.types.user import Team
from gateway.graphql.boundary import AuthBoundary
from gateway.graphql.cost import CostLimit
from gateway.graphql.execution import GatewayExecutor
from gateway.graphql.operation import OperationObserver

log = logging.getLogger("gateway.errors")

INTERNAL_MESSAGE = "Internal server error."
FEDERATION_VERSION: Final = "2.11"


def _tolerating_undefined_fragments(rule: type[ASTValidationRule]) -> type[ASTValidationRule]:
    """`rule`, skipped for documents that spread an undefined fragment: Strawberry's depth
    rule raises KeyError on them (answered 500), while KnownFragmentNames reports them."""

    class Rule(rule):  # type: ignore[valid-type,misc]
        def __init__(self, context: ValidationContext) -> None:
            if _spreads_undefined_fragment(context.document):
                ASTValidationRule.__init__(self, context)
            else:
                super().__init__(context)

    return Rule


def _spreads_undefined_fragment(document: DocumentNode) -> bool:
    defined = {d.name.value for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    pending = [
        d.selection_set for d in document.definitions if isinstance(d, ExecutableDefinitionNode)
    ]
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FragmentSpreadNode):
                if selection.name.value not in defined:
                    return True
            elif isinstance(selection, FieldNode | InlineFragmentNode) and selection.selection_set:
                pending.append(selection.selection_set)
    return False


def _is_variable_value_error(message: str) -> bool:
    """graphql-core's variable coercion errors: "Variable '$n' has invalid value: ...", for
    a wrong value, a null or a missing one alike."""
    return message.startswith("Variable '$") and " has invalid value" in message


def shape_error(error: GraphQLError) -> None:
    """Give every error a stable `extensions.code`; mask anything unexpected."""
    original = error.original_error
    if isinstance(original, GatewayError):
        error.message = original.message
        error.extensions = original.to_extensions()
    elif original is None or isinstance(original, GraphQLError):
        extensions = error.extensions or {}
        if "code" in extensions:
            return
        if error.message.startswith("Syntax Error"):
            code = "GRAPHQL_PARSE_FAILED"
        elif error.path is not None or _is_variable_value_error(error.message):
            code = "BAD_USER_INPUT"
        else:
            code = "GRAPHQL_VALIDATION_FAILED"
        error.extensions = {**extensions, "code": code}
    else:
        log.error(
            "unexpected error in %s",
            ".".join(map(str, error.path or ())) or "operation",
            exc_info=original,
        )
        error.message = INTERNAL_MESSAGE
        error.extensions = {"code": "INTERNAL_SERVER_ERROR"}


class GatewaySchema(strawberry.federation.Schema):
    """The federation schema; `process_errors` shapes errors instead of printing tracebacks."""

    async def entities_resolver(  # type: ignore[override]
        self, info: strawberry.Info, representations: list[FederationAny]
    ) -> list[FederationAny]:
        """Strawberry's `_entities`, where a representation of no entity type fails alone
        (Strawberry would fail the whole field on it), and the records of every
        representation are awaited together: a type's `fetch_reference` hands over its
        loader's pending record, so 100 representations cost no task each."""
        union = cast(GraphQLUnionType, self._schema.get_type("_Entity"))
        entity_types = {t.name for t in union.types}
        type_map = self.schema_converter.type_map
        results: list[Any] = []
        waiting: list[int] = []
        for index, representation in enumerate(representations):
            problem = representation_problem(representation, entity_types)
            if problem is not None:
                results.append(BadUserInputError(problem))
                continue
            fields: dict[str, Any] = representation  # type: ignore[assignment]
            definition = type_map[fields["__typename"]].definition
            fetch = fetch_reference_of(getattr(definition, "origin", None))
            result: Any
            if fetch is None:
                result = super().entities_resolver(info, [representation])[0]
            else:
                key = {k: v for k, v in fields.items() if k != "__typename"}
                try:
                    result = fetch(info, **key)
                except Exception as error:
                    result = error
            if isinstance(result, ReferenceFetch) or isawaitable(result):
                waiting.append(index)
            results.append(result)
        if waiting:
            pending = [results[i] for i in waiting]
            done = await asyncio.gather(
                *(r.pending if isinstance(r, ReferenceFetch) else r for r in pending),
                return_exceptions=True,
            )
            for index, started, value in zip(waiting, pending, done, strict=True):
                if isinstance(value, BaseException) and not isinstance(value, Exception):
                    raise value
                if isinstance(value, Exception) or not isinstance(started, ReferenceFetch):
                    results[index] = value
                else:
                    try:
                        results[index] = started.entity(value)
                    except Exception as error:
                        results[index] = error
        return results

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            original = error.original_error
            if isinstance(original, GatewayError):
                log.info("%s: %s", original.code, original.message)
            shape_error(error)


def create_schema(settings: Settings | None = None) -> GatewaySchema:
    settings = settings or Settings()
    # The limiters' rule classes are made once: the validation cache keys on the rules too,
    # so a class made per request (what a limiter factory does) would never hit the cache.
    rules = [
        *map(
            _tolerating_undefined_fragments,
            # Introspection fields (`__schema`, `__type`...) are not counted: tools ask deep.
            QueryDepthLimiter(max_depth=settings.max_depth).validation_rules,
        ),
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
    ]
    # Factories: a fresh extension per request; the parse/validation caches are module-level.
    extensions: list[Callable[[], SchemaExtension]] = [
        # First, so it times the whole operation and sees the errors as finally shaped.
        lambda: OperationObserver(tracing=settings.tracing),
        lambda: ParserCache(maxsize=512),
        lambda: ValidationCache(maxsize=512),
        lambda: AddValidationRules(rules),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        # Before the cost limit: an anonymous caller learns first that it may not run this.
        lambda: AuthBoundary(settings.anonymous),
        lambda: CostLimit(settings.max_cost),
    ]
    if not settings.introspection:
        extensions.append(DisableIntrospection)
    # Team is reached only through the Owner interface, so it is listed explicitly.
    # The federation version is pinned: a Strawberry upgrade must not silently change the
    # `@link` that composition (federation/package-lock.json) checks the subgraph against.
    # The standard executor is Strawberry's own (None): nothing of gateway/graphql/execution.py.
    return GatewaySchema(
        query=Query,
        mutation=Mutation,
        types=[Team],
        extensions=extensions,
        federation_version=FEDERATION_VERSION,
        execution_context_class=GatewayExecutor if settings.executor == "fast" else None,
    )


def export_sdl(schema: GatewaySchema | None = None) -> str:
    """The SDL as a subgraph serves it in `_service { sdl }`, with a trailing newline."""
    return print_schema(schema or create_schema()) + "\n"
