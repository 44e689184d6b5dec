"""Schema assembly: the federation schema, its limits, and one place that shapes errors."""

from __future__ import annotations

import logging
from collections.abc import Callable

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.query_depth_limiter import IgnoreContext
from strawberry.printer import print_schema
from strawberry.types import ExecutionContext

from gateway.errors import GatewayError
from gateway.mutations import Mutation
from gateway.queries import Query
from gateway.settings import Settings
from gateway.types.user import Team

log = logging.getLogger("gateway.errors")

INTERNAL_MESSAGE = "Internal server error."


def _ignore_introspection(context: IgnoreContext) -> bool:
    return context.field_name.startswith("__")


def _is_variable_value_error(message: str) -> bool:
    """graphql-core's variable coercion errors ("Variable '$n' got invalid value ...")."""
    markers = (" invalid value", " was not provided", " of required type", " of non-null type")
    return message.startswith("Variable '$") and any(m in message for m in markers)


def shape_error(error: GraphQLError) -> None:
    """Give every error a stable `extensions.code`; mask anything unexpected."""
    original = error.original_error
    if isinstance(original, GatewayError):
        error.message = original.message
        error.extensions = original.to_extensions()
    elif original is None or isinstance(original, GraphQLError):
        if error.extensions and "code" in error.extensions:
            return
        if error.message.startswith("Syntax Error"):
            code = "GRAPHQL_PARSE_FAILED"
        elif error.path is not None or _is_variable_value_error(error.message):
            code = "BAD_USER_INPUT"
        else:
            code = "GRAPHQL_VALIDATION_FAILED"
        error.extensions = {**(error.extensions or {}), "code": code}
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
    # Factories: a fresh extension per request; the parse/validation caches are module-level.
    extensions: list[Callable[[], SchemaExtension]] = [
        lambda: ParserCache(maxsize=512),
        lambda: ValidationCache(maxsize=512),
        lambda: QueryDepthLimiter(
            max_depth=settings.max_depth, should_ignore=_ignore_introspection
        ),
        lambda: MaxAliasesLimiter(max_alias_count=settings.max_aliases),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
    ]
    if not settings.introspection:
        extensions.append(DisableIntrospection)
    # Team is reached only through the Owner interface, so it is listed explicitly.
    return GatewaySchema(query=Query, mutation=Mutation, types=[Team], extensions=extensions)


def export_sdl(schema: GatewaySchema | None = None) -> str:
    """The SDL as a subgraph serves it in `_service { sdl }`, with a trailing newline."""
    return print_schema(schema or create_schema()) + "\n"
