"""The operation-level schema extension: one metric observation and one span per operation."""

from __future__ import annotations

import time
from collections.abc import Iterator

from graphql import GraphQLError
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from gateway.base.errors import GatewayError
from gateway.base.observability.logs import current_request
from gateway.base.observability.metrics import observe_operation
from gateway.base.observability.tracing import tracer

UNKNOWN_TYPE = "unknown"


class OperationObserver(SchemaExtension):
    """Times each operation, counts its errors by code and, with tracing on, spans it.

    Only `on_operation`: a per-field hook would cost more than the field (an async
    `resolve` hook is ~30 µs a field). The span is the parent of the upstream calls'
    spans and the child of the caller's `traceparent`, if any.
    """

    def __init__(self, *, tracing: bool = False) -> None:
        self.tracing = tracing

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        span: Span | None = None
        token: object = None
        if self.tracing:
            span = tracer().start_span("graphql", kind=SpanKind.SERVER)
            token = otel_context.attach(trace.set_span_in_context(span))
        failure: BaseException | None = None
        try:
            yield
        except BaseException as exc:
            failure = exc
            raise
        finally:
            context = self.execution_context
            name = context.operation_name
            kind = _operation_type(context)
            codes = _error_codes(context, failure)
            observe_operation(name, kind, time.perf_counter() - started, codes)
            record = current_request()
            if record is not None:
                record.operation = name
            if span is not None:
                _end_span(span, name, kind, codes)
                otel_context.detach(token)  # type: ignore[arg-type]


def _operation_type(context: ExecutionContext) -> str:
    try:
        return context.operation_type.value
    except RuntimeError:
        # No document (a parse error) or no operation of the name asked for.
        return UNKNOWN_TYPE


def _error_codes(context: ExecutionContext, failure: BaseException | None) -> list[str]:
    if failure is not None:
        if isinstance(failure, GatewayError):
            return [failure.code]
        if isinstance(failure, GraphQLError) and failure.extensions:
            return [str(failure.extensions.get("code", "INTERNAL_SERVER_ERROR"))]
        return ["INTERNAL_SERVER_ERROR"]
    result = context.result
    errors = result.errors if result is not None else None
    return [str((error.extensions or {}).get("code", "UNKNOWN")) for error in errors or ()]


def _end_span(span: Span, name: str | None, kind: str, codes: list[str]) -> None:
    span.update_name(f"{kind} {name}" if name else kind)
    span.set_attribute("graphql.operation.type", kind)
    if name:
        span.set_attribute("graphql.operation.name", name)
    if codes:
        span.set_attribute("graphql.error.codes", codes)
        span.set_status(Status(StatusCode.ERROR, codes[0]))
    span.end()
