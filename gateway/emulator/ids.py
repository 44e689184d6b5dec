"""Deterministic identifiers for seed data, shared by the catalog and registry seeds."""

from __future__ import annotations

import uuid

SEED_NAMESPACE = uuid.UUID("3f6b8f4e-6a1d-4b8e-9a51-2c0d1f7e5a10")

# ML models (by name) that have a registry model, linked through the custom property
# `extension.registryModelRid`. The registry seed creates one registry model for each;
# `churn_predictor_prod` holds a version promoted from `churn_predictor`.
REGISTRY_LINKED_MODELS: tuple[str, ...] = (
    "churn_predictor",
    "churn_predictor_prod",
    "customer_ltv",
    "fraud_detector",
    "demand_forecaster",
    "product_recommender",
)
PROMOTION = ("churn_predictor", "churn_predictor_prod")  # (from, to)


def seed_uuid(kind: str, key: str) -> str:
    """A stable UUID for a seeded thing of `kind` named `key`."""
    return str(uuid.uuid5(SEED_NAMESPACE, f"{kind}:{key}"))


def registry_model_rid(model_name: str) -> str:
    return f"ri.models.main.model.{seed_uuid('registry-model', model_name)}"


def registry_version_rid(model_name: str, index: int) -> str:
    return f"ri.models.main.model-version.{seed_uuid('registry-version', f'{model_name}#{index}')}"
