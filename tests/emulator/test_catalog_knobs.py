"""Catalog emulator: its routes are counted by template and obey injected faults."""

from __future__ import annotations

import httpx

from gateway.emulator.catalog.seed import seed_id
from tests.conftest import EmulatorHandle

CHURN_FQN = "mlflow_prod.churn_predictor"


def test_calls_are_counted_by_route_template(emulator: EmulatorHandle) -> None:
    # given clean counters
    emulator.reset_counters()
    base = f"{emulator.catalog_url}/v1"

    # when a model is read by id twice, by name once, and followed once
    for _ in range(2):
        httpx.get(f"{base}/mlmodels/{seed_id('mlmodel', CHURN_FQN)}", headers=emulator.headers())
    httpx.get(f"{base}/mlmodels/name/{CHURN_FQN}", headers=emulator.headers())
    httpx.put(
        f"{base}/mlmodels/{seed_id('mlmodel', CHURN_FQN)}/followers",
        json=seed_id("user", "bob"),
        headers=emulator.headers(),
    )

    # then each template is counted once per call
    assert emulator.counters() == {
        "GET /api/v1/mlmodels/{id}": 2,
        "GET /api/v1/mlmodels/name/{fqn:path}": 1,
        "PUT /api/v1/mlmodels/{id}/followers": 1,
    }


def test_an_injected_fault_answers_the_catalog_error_body(emulator: EmulatorHandle) -> None:
    # given a one-shot 503 on the service lookup
    emulator.add_fault(
        match="GET /api/v1/services/mlmodelServices/name/{name}", status=503, times=1
    )
    url = f"{emulator.catalog_url}/v1/services/mlmodelServices/name/mlflow_prod"

    # when the service is read twice
    first = httpx.get(url, headers=emulator.headers())
    second = httpx.get(url, headers=emulator.headers())

    # then the first fails with the upstream's error shape and the second succeeds
    assert (first.status_code, first.json()) == (503, {"code": 503, "message": "Injected fault"})
    assert (second.status_code, second.json()["name"]) == (200, "mlflow_prod")
