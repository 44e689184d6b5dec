"""Tracing: one span per operation and per upstream call, traceparent sent upstream."""

from __future__ import annotations

import io
from typing import get_args

import orjson
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from gateway.base.settings import Settings
from gateway.emulator.ids import registry_model_rid
from tests.conftest import EmulatorHandle, gateway_settings, running_gateway

BOTH = """
query Both($rid: String!) {
  mlModels(first: 2) { nodes { name } }
  modelVersions(modelRid: $rid, first: 1) { nodes { rid } }
}
"""
RID = registry_model_rid("churn_predictor")
CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"
TRACEPARENT = f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"
# Every HTTP client the gateway can send through (the `http_transport` setting)
TRANSPORTS = get_args(Settings.model_fields["http_transport"].annotation)


def span_id(value: int) -> str:
    return format(value, "016x")


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_spans_nest_under_the_callers_trace_and_traceparent_goes_upstream(
    emulator: EmulatorHandle, spans: InMemorySpanExporter, transport: str
) -> None:
    # given
    settings = gateway_settings(emulator, tracing=True, http_transport=transport)
    async with running_gateway(settings, emulator) as gateway:
        emulator.reset_counters()
        # when
        result = await gateway.execute(BOTH, {"rid": RID}, headers={"traceparent": TRACEPARENT})
    # then
    assert "errors" not in result
    finished = {span.name: span for span in spans.get_finished_spans()}
    assert set(finished) == {
        "query Both",
        "GET /v1/mlmodels",
        "GET /api/v2/models/{modelRid}/versions",
    }
    operation = finished["query Both"]
    assert operation.kind is SpanKind.SERVER
    assert format(operation.context.trace_id, "032x") == CALLER_TRACE
    assert operation.parent is not None
    assert span_id(operation.parent.span_id) == CALLER_SPAN
    assert dict(operation.attributes or {}) == {
        "graphql.operation.type": "query",
        "graphql.operation.name": "Both",
    }
    calls = [finished["GET /v1/mlmodels"], finished["GET /api/v2/models/{modelRid}/versions"]]
    for call in calls:
        assert call.kind is SpanKind.CLIENT
        assert call.parent is not None
        assert call.parent.span_id == operation.context.span_id
    assert dict(calls[1].attributes or {}) == {
        "http.request.method": "GET",
        "url.template": "/api/v2/models/{modelRid}/versions",
        "gateway.upstream": "registry",
        "http.response.status_code": 200,
    }
    # each upstream request carried its own span as parent, in the caller's trace
    received = {entry["path"]: entry.get("traceparent") for entry in emulator.requests()}
    assert received == {
        "/api/v1/mlmodels": f"00-{CALLER_TRACE}-{span_id(calls[0].context.span_id)}-01",
        f"/api/v2/models/{RID}/versions": (
            f"00-{CALLER_TRACE}-{span_id(calls[1].context.span_id)}-01"
        ),
    }


async def test_a_failed_call_marks_its_span_and_the_operation_with_the_error_code(
    emulator: EmulatorHandle, spans: InMemorySpanExporter
) -> None:
    settings = gateway_settings(emulator, tracing=True, upstream_retries=0)
    emulator.add_fault(match="registry", status=503)
    async with running_gateway(settings, emulator) as gateway:
        await gateway.execute(BOTH, {"rid": RID})
    finished = {span.name: span for span in spans.get_finished_spans()}
    call = finished["GET /api/v2/models/{modelRid}/versions"]
    assert (call.status.status_code, call.status.description) == (
        StatusCode.ERROR,
        "UPSTREAM_ERROR",
    )
    assert (call.attributes or {})["error.type"] == "UPSTREAM_ERROR"
    assert (call.attributes or {})["http.response.status_code"] == 503
    operation = finished["query Both"]
    assert operation.status.status_code is StatusCode.ERROR
    assert (operation.attributes or {})["graphql.error.codes"] == ("UPSTREAM_ERROR",)
    # without a caller's traceparent the operation starts a trace of its own
    assert operation.parent is None


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_with_tracing_off_no_span_is_made_and_no_traceparent_is_sent(
    emulator: EmulatorHandle, spans: InMemorySpanExporter, transport: str
) -> None:
    settings = gateway_settings(emulator, http_transport=transport)
    async with running_gateway(settings, emulator) as gateway:
        emulator.reset_counters()
        result = await gateway.execute(BOTH, {"rid": RID}, headers={"traceparent": TRACEPARENT})
    assert "errors" not in result
    assert spans.get_finished_spans() == ()
    assert [entry.get("traceparent") for entry in emulator.requests()] == [None, None]


async def test_log_lines_name_the_trace_and_the_span_they_were_written_in(
    emulator: EmulatorHandle, spans: InMemorySpanExporter, json_log: io.StringIO
) -> None:
    # given a registry that fails, so a warning is logged inside the registry call's span
    settings = gateway_settings(emulator, tracing=True, upstream_retries=0)
    emulator.add_fault(match="registry", status=503)
    async with running_gateway(settings, emulator) as gateway:
        await gateway.execute(BOTH, {"rid": RID}, headers={"traceparent": TRACEPARENT})
    # then
    call = {s.name: s for s in spans.get_finished_spans()}["GET /api/v2/models/{modelRid}/versions"]
    lines = [orjson.loads(line) for line in json_log.getvalue().splitlines()]
    ids = {
        line["logger"]: (line.get("trace_id"), line.get("span_id"))
        for line in lines
        if line["logger"] in ("gateway.upstream", "gateway.access")
    }
    assert ids == {
        "gateway.upstream": (CALLER_TRACE, span_id(call.context.span_id)),
        # written after the operation's span ended: the trace is known, no gateway span
        "gateway.access": (CALLER_TRACE, None),
    }
