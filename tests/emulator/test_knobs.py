"""Emulator knobs over HTTP: counters, request log, latency, faults and reset."""

from __future__ import annotations

import gc
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from gateway.emulator.app import create_emulator_app
from gateway.emulator.config import DEFAULT_TOKEN, EmulatorConfig
from gateway.emulator.ids import registry_version_rid
from gateway.emulator.registry.seed import CHURN_MODEL_RID, ML_MODELS_FOLDER_RID
from tests.conftest import EmulatorHandle
from tests.emulator.registry import UNKNOWN_MODEL

GET_MODEL = "GET /api/v2/models/{modelRid}"
LIST_VERSIONS = "GET /api/v2/models/{modelRid}/versions"
GET_VERSION = "GET /api/v2/models/{modelRid}/versions/{modelVersionRid}"
LIST_ML_MODELS = "GET /api/v1/mlmodels"
MODEL_PATH = f"/api/v2/models/{CHURN_MODEL_RID}"
VERSIONS_PATH = f"{MODEL_PATH}/versions"
VERSION_PATH = f"{VERSIONS_PATH}/{registry_version_rid('churn_predictor', 1)}"
UNKNOWN_MODEL_PATH = f"/api/v2/models/{UNKNOWN_MODEL}"


def test_counters_count_per_route_template_and_reset(
    registry: httpx.Client, emulator: EmulatorHandle
) -> None:
    # given fresh counters
    emulator.reset_counters()

    # when routes are called, with different path values and one failing call
    registry.get(MODEL_PATH)
    registry.get(UNKNOWN_MODEL_PATH)
    registry.get(VERSIONS_PATH)
    registry.get(VERSION_PATH)

    # then each route template counts its calls, errors included
    assert emulator.counters() == {GET_MODEL: 2, LIST_VERSIONS: 1, GET_VERSION: 1}
    assert emulator.admin.get("/counters").json()["total"] == 4
    # and resetting empties them
    emulator.reset_counters()
    assert emulator.admin.get("/counters").json() == {"total": 0, "routes": {}}


def test_request_log_records_route_path_query_status_and_trace_headers(
    registry: httpx.Client, emulator: EmulatorHandle
) -> None:
    emulator.reset_counters()
    traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    registry.get(VERSIONS_PATH, params={"pageSize": 2})
    registry.get(UNKNOWN_MODEL_PATH, headers={"X-Request-ID": "r-2", "traceparent": traceparent})

    assert emulator.requests() == [
        {
            "method": "GET",
            "route": LIST_VERSIONS,
            "path": VERSIONS_PATH,
            "query": "preview=true&pageSize=2",
            "status": 200,
        },
        {
            "method": "GET",
            "route": GET_MODEL,
            "path": UNKNOWN_MODEL_PATH,
            "query": "preview=true",
            "status": 404,
            "request_id": "r-2",
            "traceparent": traceparent,
        },
    ]


def test_latency_knob_delays_every_api_response(
    registry: httpx.Client, emulator: EmulatorHandle
) -> None:
    # given 150 ms of added latency
    emulator.set_latency(150)
    assert emulator.admin.get("/latency").json() == {"ms": 150}

    # when an API route is called
    started = time.perf_counter()
    response = registry.get(MODEL_PATH)
    elapsed = time.perf_counter() - started

    # then it answers normally, at least that much later
    assert response.status_code == 200
    assert elapsed >= 0.15


def test_bad_knob_bodies_are_rejected(emulator: EmulatorHandle) -> None:
    assert emulator.admin.put("/latency", json={"seconds": 1}).status_code == 400
    assert emulator.admin.post("/faults", json={"match": "*", "colour": "red"}).status_code == 400


def test_status_fault_answers_the_registry_error_envelope(
    registry: httpx.Client, emulator: EmulatorHandle
) -> None:
    # given a 503 fault on one registry route
    emulator.add_fault(match=GET_MODEL, status=503)

    # when that route is called
    response = registry.get(MODEL_PATH)

    # then it answers 503 with a Foundry-shaped error body
    assert response.status_code == 503
    body = response.json()
    assert sorted(body) == ["errorCode", "errorInstanceId", "errorName", "parameters"]
    assert (body["errorCode"], body["errorName"], body["parameters"]) == (
        "INTERNAL",
        "Default:Internal",
        {"message": "Injected fault"},
    )


def test_status_fault_maps_client_statuses_to_error_codes(
    registry: httpx.Client, emulator: EmulatorHandle
) -> None:
    emulator.add_fault(match=GET_MODEL, status=409)

    response = registry.get(MODEL_PATH)

    assert response.status_code == 409
    assert (response.json()["errorCode"], response.json()["errorName"]) == (
        "CONFLICT",
        "Default:InjectedFault",
    )


def test_delay_fault_answers_normally_after_the_delay(
    registry: httpx.Client, emulator: EmulatorHandle
) -> None:
    emulator.add_fault(match=GET_MODEL, delay_ms=200)

    started = time.perf_counter()
    response = registry.get(MODEL_PATH)
    elapsed = time.perf_counter() - started

    assert (response.status_code, response.json()) == (200, {"rid": CHURN_MODEL_RID})
    assert elapsed >= 0.2


def test_delay_outlasting_the_client_timeout_is_a_hang(
    emulator: EmulatorHandle, registry: httpx.Client
) -> None:
    emulator.add_fault(match=GET_MODEL, delay_ms=1000, times=1)

    with pytest.raises(httpx.ReadTimeout):
        registry.get(MODEL_PATH, timeout=0.1)


def test_non_json_fault_answers_html_with_200(
    registry: httpx.Client, emulator: EmulatorHandle
) -> None:
    emulator.add_fault(match=LIST_VERSIONS, body="non-json")

    response = registry.get(VERSIONS_PATH)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.text == "<html><body>502 Bad Gateway</body></html>"


def test_schema_violation_fault_answers_wrongly_typed_json(
    registry: httpx.Client, emulator: EmulatorHandle
) -> None:
    emulator.add_fault(match=GET_VERSION, body="schema-violation")

    response = registry.get(VERSION_PATH)

    assert response.status_code == 200
    assert response.json() == {"id": 42, "data": 42, "rid": 42, "name": ["not", "a", "string"]}


def test_fault_with_times_expires(registry: httpx.Client, emulator: EmulatorHandle) -> None:
    # given a fault limited to two hits
    emulator.add_fault(match=GET_MODEL, status=503, times=2)

    # when the route is called three times
    statuses = [registry.get(MODEL_PATH).status_code for _ in range(3)]

    # then only the first two fail, and the fault is gone
    assert statuses == [503, 503, 200]
    assert emulator.admin.get("/faults").json() == {"faults": []}


def test_fault_by_route_key_hits_only_that_route(
    registry: httpx.Client, emulator: EmulatorHandle
) -> None:
    emulator.add_fault(match=LIST_VERSIONS, status=500)

    statuses = [registry.get(p).status_code for p in (VERSIONS_PATH, MODEL_PATH, VERSION_PATH)]

    assert statuses == [500, 200, 200]


@pytest.mark.parametrize("match", ["registry", "*"])
def test_fault_by_upstream_or_star_hits_every_registry_route(
    registry: httpx.Client, emulator: EmulatorHandle, match: str
) -> None:
    emulator.add_fault(match=match, status=502)

    statuses = [registry.get(p).status_code for p in (VERSIONS_PATH, MODEL_PATH, VERSION_PATH)]
    created = registry.post(
        "/api/v2/models", json={"name": "n", "parentFolderRid": ML_MODELS_FOLDER_RID}
    )

    assert [*statuses, created.status_code] == [502, 502, 502, 502]


def test_status_fault_answers_the_catalog_error_body(emulator: EmulatorHandle) -> None:
    # given a 503 fault on a catalog route
    emulator.add_fault(match=LIST_ML_MODELS, status=503)

    # when that route is called
    response = httpx.get(f"{emulator.catalog_url}/v1/mlmodels", headers=emulator.headers())

    # then it answers 503 with an OpenMetadata-shaped error body
    assert (response.status_code, response.json()) == (
        503,
        {"code": 503, "message": "Injected fault"},
    )


@pytest.mark.parametrize(
    ("match", "catalog_status", "registry_status"),
    [("catalog", 503, 200), ("registry", 200, 503), ("*", 503, 503)],
)
def test_fault_by_upstream_hits_only_that_upstream(
    registry: httpx.Client,
    emulator: EmulatorHandle,
    match: str,
    catalog_status: int,
    registry_status: int,
) -> None:
    emulator.add_fault(match=match, status=503)

    catalog = httpx.get(f"{emulator.catalog_url}/v1/mlmodels", headers=emulator.headers())
    model = registry.get(MODEL_PATH)

    assert (catalog.status_code, model.status_code) == (catalog_status, registry_status)


def test_clearing_faults_restores_answers(registry: httpx.Client, emulator: EmulatorHandle) -> None:
    emulator.add_fault(match="*", status=503)
    emulator.add_fault(match=GET_MODEL, body="non-json")
    assert [f["id"] > 0 for f in emulator.admin.get("/faults").json()["faults"]] == [True, True]

    emulator.clear_faults()

    assert registry.get(MODEL_PATH).status_code == 200


def test_reset_reseeds_and_clears_counters_and_faults(
    registry: httpx.Client, emulator: EmulatorHandle
) -> None:
    # given a created model, a fault on another route and some counts
    created = registry.post(
        "/api/v2/models", json={"name": "scratch", "parentFolderRid": ML_MODELS_FOLDER_RID}
    ).json()["rid"]
    emulator.add_fault(match=LIST_VERSIONS, status=503)

    # when the emulator is reset
    response = emulator.admin.post("/reset")

    # then the database holds the seed only, and the knobs are clean
    assert (response.status_code, response.json()) == (200, {"reset": True})
    assert emulator.counters() == {}
    assert emulator.admin.get("/faults").json() == {"faults": []}
    assert registry.get(f"/api/v2/models/{created}").status_code == 404
    assert registry.get(MODEL_PATH).status_code == 200
    assert len(registry.get(VERSIONS_PATH).json()["data"]) == 4
    taken = registry.post(
        "/api/v2/models", json={"name": "scratch", "parentFolderRid": ML_MODELS_FOLDER_RID}
    )
    assert taken.status_code == 200


def test_a_request_in_flight_across_a_reset_is_not_logged_after_it(
    emulator: EmulatorHandle, registry: httpx.Client
) -> None:
    # given a request held 3 s by a fault, seen arriving
    emulator.add_fault(match=GET_MODEL, delay_ms=3000, times=1)
    with ThreadPoolExecutor(1) as pool:
        held = pool.submit(registry.get, MODEL_PATH)
        deadline = time.monotonic() + 30
        while emulator.counters().get(GET_MODEL) != 1:
            assert time.monotonic() < deadline, "the held request never arrived"
            time.sleep(0.01)
        # when the log is reset while it is in flight
        emulator.reset_counters()
        answer = held.result(timeout=5)
    # then it answered, but belongs to before the reset
    assert answer.status_code == 200
    assert emulator.requests() == []
    registry.get(MODEL_PATH).raise_for_status()
    assert [r["route"] for r in emulator.requests()] == [GET_MODEL]


async def test_the_request_log_is_invisible_to_the_cyclic_collector() -> None:
    # given an emulator that logged requests
    app = create_emulator_app(EmulatorConfig(data=":memory:"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator.test") as client:
        for path in (MODEL_PATH, VERSIONS_PATH, UNKNOWN_MODEL_PATH):
            await client.get(
                path,
                params={"preview": "true", "q": "a b"},
                headers={"Authorization": f"Bearer {DEFAULT_TOKEN}", "X-Request-ID": "r-1"},
            )
        log = app.state.emulator.knobs.log

        # when the collector has passed over them once
        gc.collect()

        # then no entry is tracked any more (10,000 kept entries cost a full collection
        # nothing), and each still lists as before
        assert [gc.is_tracked(entry) for entry in log] == [False] * 3
        listed = (await client.get("/_emulator/requests")).json()["requests"]
    assert listed[2] == {
        "method": "GET",
        "route": GET_MODEL,
        "path": UNKNOWN_MODEL_PATH,
        "query": "preview=true&q=a+b",
        "status": 404,
        "request_id": "r-1",
    }
