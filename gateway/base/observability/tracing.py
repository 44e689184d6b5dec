"""OpenTelemetry tracing (off unless enabled): SDK set-up and the upstream client span.

Spans are made per operation (gateway/graphql/operation.py) and per upstream call, never
per field. An upstream call's span context goes upstream as W3C `traceparent`, and the
caller's own `traceparent` is the parent of the operation span.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from importlib.metadata import entry_points
from typing import Final

from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import OTELResourceDetector, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.trace import Span, SpanKind, Status, StatusCode, Tracer

SERVICE_NAME: Final = "catalog-gateway"
TRACER_NAME: Final = "gateway"
EXPORTER_GROUP: Final = "opentelemetry_traces_exporter"
NO_EXPORTER: Final = "none"


def setup_tracing(exporter: str) -> None:
    """Install an SDK tracer provider sending spans to `exporter`, unless one is installed.

    `exporter` names an installed span exporter (entry point group
    `opentelemetry_traces_exporter`: `console` ships with the SDK, `otlp_proto_http` with
    opentelemetry-exporter-otlp-proto-http) or is `none` (trace context is propagated,
    spans are not exported). The standard `OTEL_*` variables (service name, resource
    attributes, sampler, exporter endpoint) apply. A provider installed beforehand (by
    `opentelemetry-instrument`, for instance) is used as it is.
    """
    if not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
        return
    span_exporter = load_exporter(exporter)
    resource = Resource.create({"service.name": SERVICE_NAME}).merge(
        OTELResourceDetector().detect()
    )
    provider = TracerProvider(resource=resource)
    if span_exporter is not None:
        provider.add_span_processor(BatchSpanProcessor(span_exporter))
    trace.set_tracer_provider(provider)


def exporter_names() -> list[str]:
    """What `tracing_exporter` may name here: `none` and every installed span exporter."""
    return sorted({NO_EXPORTER, *(e.name for e in entry_points(group=EXPORTER_GROUP))})


def check_exporter(name: str) -> str:
    """`name` if it is one of `exporter_names()`, else a ValueError listing them."""
    names = exporter_names()
    if name not in names:
        raise ValueError(
            f"no OpenTelemetry span exporter named {name!r} is installed "
            f"(installed: {', '.join(names)})"
        )
    return name


def load_exporter(name: str) -> SpanExporter | None:
    """The span exporter registered as `name`, or None for `none`."""
    if check_exporter(name) == NO_EXPORTER:
        return None
    entry = next(iter(entry_points(group=EXPORTER_GROUP, name=name)))
    exporter: SpanExporter = entry.load()()
    return exporter


def flush() -> None:
    """Export the spans still buffered (at shutdown)."""
    provider = trace.get_tracer_provider()
    if isinstance(provider, TracerProvider):
        provider.force_flush()


def tracer() -> Tracer:
    return trace.get_tracer(TRACER_NAME)


@contextmanager
def client_span(
    tracer: Tracer, upstream: str, method: str, route: str, headers: MutableMapping[str, str]
) -> Iterator[Span]:
    """The span of one upstream call; its context is written into `headers` (traceparent)."""
    attributes = {
        "http.request.method": method,
        "url.template": route,
        "gateway.upstream": upstream,
    }
    with tracer.start_as_current_span(
        f"{method} {route}",
        kind=SpanKind.CLIENT,
        attributes=attributes,
        record_exception=False,
        set_status_on_exception=False,
    ) as span:
        propagate.inject(headers)
        yield span


def record_status(span: Span, status: int) -> None:
    span.set_attribute("http.response.status_code", status)


def record_error(span: Span, code: str, status: int | None) -> None:
    """Mark the span failed with the gateway's error code (never the upstream's body)."""
    if status is not None:
        span.set_attribute("http.response.status_code", status)
    span.set_attribute("error.type", code)
    span.set_status(Status(StatusCode.ERROR, code))
