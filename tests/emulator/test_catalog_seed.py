"""Catalog emulator: the seed is deterministic, complete, and survives a restart unchanged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from gateway.emulator.app import create_emulator_app
from gateway.emulator.catalog.seed import (
    DATABASE_SERVICE_NAMES,
    ML_SERVICE_NAMES,
    SEED_ADMIN_ID,
    SEED_EPOCH_MS,
    SEED_MODEL_COUNT,
    SEED_TABLE_COUNT,
    SEED_USER_NAMES,
    seed_id,
)
from gateway.emulator.config import DEFAULT_TOKEN, EmulatorConfig
from gateway.emulator.ids import REGISTRY_LINKED_MODELS, registry_model_rid
from tests.servers import ThreadedServer

HEADERS = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}


def everything(base_url: str) -> dict[str, Any]:
    with httpx.Client(base_url=f"{base_url}/api/v1", headers=HEADERS, timeout=10) as client:
        return {
            path: client.get(path, params={"limit": 1000, "fields": "*"}).json()["data"]
            for path in ("/mlmodels", "/tables", "/users", "/services/mlmodelServices")
        }


def test_two_fresh_emulators_hold_identical_data(catalog: httpx.Client) -> None:
    # given the shared emulator, freshly seeded
    first = everything(str(catalog.base_url).removesuffix("/api/v1/"))

    # when a second emulator is started from scratch
    server = ThreadedServer(create_emulator_app(EmulatorConfig(data=":memory:"))).start()
    try:
        second = everything(server.url)
    finally:
        server.stop()

    # then ids, names, versions and timestamps are the same (hrefs aside)
    def strip(data: Any) -> Any:
        if isinstance(data, dict):
            return {k: strip(v) for k, v in data.items() if k != "href"}
        if isinstance(data, list):
            return [strip(v) for v in data]
        return data

    assert strip(first) == strip(second)


def test_seed_counts_and_well_known_names(catalog: httpx.Client) -> None:
    # when every collection is counted
    def total(path: str) -> int:
        return int(catalog.get(path, params={"limit": 0}).json()["paging"]["total"])

    # then the seed is as documented
    assert total("/mlmodels") == SEED_MODEL_COUNT == 30
    assert total("/tables") == SEED_TABLE_COUNT == 60
    assert total("/users") == len(SEED_USER_NAMES) == 20
    services = catalog.get("/services/mlmodelServices").json()["data"]
    assert sorted(s["name"] for s in services) == sorted(ML_SERVICE_NAMES)
    databases = catalog.get("/services/databaseServices").json()["data"]
    assert sorted(s["name"] for s in databases) == sorted(DATABASE_SERVICE_NAMES)
    assert catalog.get("/users/name/admin").json()["id"] == SEED_ADMIN_ID


def test_only_registry_linked_models_carry_the_registry_rid(catalog: httpx.Client) -> None:
    # when all models are read with their extension
    models = catalog.get("/mlmodels", params={"limit": 100, "fields": "extension"}).json()["data"]

    # then exactly the linked ones have it, with the registry's rid
    linked = {m["name"]: m["extension"] for m in models if "extension" in m}
    assert linked == {
        name: {"registryModelRid": registry_model_rid(name)} for name in REGISTRY_LINKED_MODELS
    }


def test_seeded_entities_have_history_and_fixed_timestamps(catalog: httpx.Client) -> None:
    # when a seeded service and the fraud model are read
    service = catalog.get("/services/mlmodelServices/name/mlflow_prod").json()
    fraud_id = seed_id("mlmodel", "sagemaker_prod.fraud_detector")
    history = catalog.get(f"/mlmodels/{fraud_id}/versions").json()["versions"]

    # then ids and times are the seed's, and the fraud model went through a breaking change
    assert service["id"] == seed_id("mlmodelService", "mlflow_prod")
    assert (service["version"], service["updatedBy"]) == (0.1, "admin")
    assert service["updatedAt"] >= SEED_EPOCH_MS
    assert len(history) == 3
    assert '"version":1.1' in history[0]
    assert '"updatedBy":"carol"' in history[0]


def test_restart_on_the_same_directory_keeps_data_and_does_not_reseed(tmp_path: Path) -> None:
    # given an emulator on a data directory, with a new model and a hard-deleted seeded one
    config = EmulatorConfig(data=str(tmp_path))
    ltv = seed_id("mlmodel", "sklearn_lab.ltv_baseline")
    server = ThreadedServer(create_emulator_app(config)).start()
    try:
        with httpx.Client(base_url=f"{server.url}/api/v1", headers=HEADERS, timeout=10) as client:
            created = client.post(
                "/mlmodels", json={"name": "kept", "service": "mlflow_prod", "description": "d"}
            ).json()
            deleted = client.delete(f"/mlmodels/{ltv}", params={"hardDelete": "true"})
            assert deleted.status_code == 200
    finally:
        server.stop()

    # when a new emulator is built on the same directory
    server = ThreadedServer(create_emulator_app(config)).start()
    try:
        with httpx.Client(base_url=f"{server.url}/api/v1", headers=HEADERS, timeout=10) as client:
            kept = client.get("/mlmodels/name/mlflow_prod.kept")
            gone = client.get(f"/mlmodels/{ltv}")
            total = client.get("/mlmodels", params={"limit": 0}).json()["paging"]["total"]
    finally:
        server.stop()

    # then the write is there and the deleted seed model did not come back
    assert (kept.status_code, kept.json()["id"], kept.json()["description"]) == (
        200,
        created["id"],
        "d",
    )
    assert gone.status_code == 404
    assert total == SEED_MODEL_COUNT - 1 + 1
