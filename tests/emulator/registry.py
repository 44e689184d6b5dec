"""Constants and request helpers the registry emulator tests share."""

from __future__ import annotations

from typing import Any

import httpx

from gateway.emulator.ids import registry_version_rid, seed_uuid
from gateway.emulator.registry.seed import CHURN_MODEL_RID

UNKNOWN_MODEL = "ri.models.main.model.00000000-1111-4222-8333-444444444444"
UNKNOWN_VERSION = "ri.models.main.model-version.0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"
# The seeded churn_predictor's newest version
LATEST_CHURN = registry_version_rid("churn_predictor", 4)
CHURN_REPOSITORY = f"ri.stemma.main.repository.{seed_uuid('registry-repository', 'churn')}"
# The smallest create-version body the registry accepts
MINIMAL_VERSION: dict[str, Any] = {
    "modelFiles": {"type": "dill", "serializedModelFunction": "gASVLg=="},
    "modelApi": {"inputs": [], "outputs": []},
}


def create_version(registry: httpx.Client, body: dict[str, Any]) -> httpx.Response:
    """Post `body` as a new version of the seeded churn_predictor."""
    return registry.post(f"/api/v2/models/{CHURN_MODEL_RID}/versions", json=body)
