"""Request ids (returned, sent upstream, in every log line) and JSON or text log lines."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
import uuid

import orjson
import pytest

from gateway.base.observability.logs import JsonFormatter
from gateway.emulator.ids import registry_model_rid
from tests.conftest import EmulatorHandle, GatewayClient

BOTH = """
query Both($rid: String!) {
  mlModels(first: 2) { nodes { name } }
  modelVersions(modelRid: $rid, first: 1) { nodes { rid } }
}
"""
VARIABLES = {"rid": registry_model_rid("churn_predictor")}


async def post(
    gateway: GatewayClient, headers: dict[bytes, bytes]
) -> tuple[str, dict[str, object]]:
    response = await gateway.http.post(
        "/graphql", json={"query": BOTH, "variables": VARIABLES}, headers=headers
    )
    assert response.status_code == 200
    return response.headers["x-request-id"], response.json()


def upstream_ids(emulator: EmulatorHandle) -> list[object]:
    return [entry.get("request_id") for entry in emulator.requests()]


async def test_the_callers_request_id_is_returned_and_sent_with_every_upstream_call(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    emulator.reset_counters()
    returned, result = await post(gateway, {b"X-Request-ID": b"checkout-42"})
    assert "errors" not in result
    assert returned == "checkout-42"
    assert upstream_ids(emulator) == ["checkout-42", "checkout-42"]


@pytest.mark.parametrize("sent", [None, b"has a space", b"x" * 129, "caf\u00e9".encode()])
async def test_without_an_acceptable_request_id_a_new_one_is_made_and_used_upstream(
    gateway: GatewayClient, emulator: EmulatorHandle, sent: bytes | None
) -> None:
    emulator.reset_counters()
    headers = {} if sent is None else {b"X-Request-ID": sent}
    returned, _ = await post(gateway, headers)
    assert uuid.UUID(returned).version == 4
    assert upstream_ids(emulator) == [returned, returned]


async def test_every_answer_carries_a_request_id(gateway: GatewayClient) -> None:
    for response in (
        await gateway.http.get("/healthz"),
        await gateway.http.get("/metrics"),
        await gateway.http.request("PATCH", "/graphql"),
    ):
        assert uuid.UUID(response.headers["x-request-id"]).version == 4


async def test_json_log_lines_parse_and_name_the_request(
    gateway: GatewayClient, emulator: EmulatorHandle, json_log: io.StringIO
) -> None:
    # given a registry that fails, so the request logs a warning besides its access line
    emulator.add_fault(match="registry", status=503)
    # when
    await post(gateway, {b"X-Request-ID": b"trace-me"})
    # then every line is a JSON object, and the lines of the request carry its id
    lines = [orjson.loads(line) for line in json_log.getvalue().splitlines()]
    mine = [line for line in lines if line.get("request_id") == "trace-me"]
    assert len(mine) == len(lines)
    access = [line for line in mine if line["logger"] == "gateway.access"]
    assert [
        {k: v for k, v in line.items() if k not in ("time", "message", "duration_ms")}
        for line in access
    ] == [
        {
            "level": "info",
            "logger": "gateway.access",
            "request_id": "trace-me",
            "method": "POST",
            "path": "/graphql",
            "status": 200,
            "operation": "Both",
        }
    ]
    assert access[0]["message"].startswith("POST /graphql 200 ")
    assert access[0]["message"].endswith(" ms Both")
    versions = f"/api/v2/models/{VARIABLES['rid']}/versions"
    assert [
        (line["level"], line["message"]) for line in mine if line["logger"] == "gateway.upstream"
    ] == [
        ("info", f"registry GET {versions}: retrying after HTTP 503"),
        (
            "warning",
            f"registry GET {versions} -> HTTP 503: Default:Internal: message=Injected fault",
        ),
    ]
    assert "emulator-token" not in json_log.getvalue()


def test_json_lines_hold_exceptions_and_extra_fields_without_overriding_core_keys() -> None:
    record = logging.LogRecord("gateway.test", logging.ERROR, __file__, 1, "boom %s", ("x",), None)
    record.fields = {"level": "spoofed", "route": "/v1/mlmodels"}
    try:
        raise ValueError("inner")
    except ValueError:
        record.exc_info = sys.exc_info()
    line = orjson.loads(JsonFormatter().format(record))
    assert (line["level"], line["message"], line["route"]) == ("error", "boom x", "/v1/mlmodels")
    assert line["exception"].endswith("ValueError: inner")


def test_the_logging_config_writes_text_lines_with_the_request_id() -> None:
    script = """
import logging, logging.config
from gateway.base.observability.logs import begin_request, logging_config
logging.config.dictConfig(logging_config("text", "info"))
logging.getLogger("gateway.test").info("outside")
begin_request("req-7")
logging.getLogger("gateway.test").info("inside")
logging.getLogger("uvicorn.error").info("server line")
"""
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    lines = completed.stderr.splitlines()
    assert [line.split(" ", 2)[2] for line in lines] == [
        "INFO gateway.test [-] outside",
        "INFO gateway.test [req-7] inside",
        "INFO uvicorn.error [req-7] server line",
    ]
