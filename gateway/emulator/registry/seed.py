"""Deterministic registry seed: two folders, one model per linked catalog ML model.

- Folders: `ML_MODELS_FOLDER_RID` ("ML Models", holds every model but the production
  one) and `PRODUCTION_FOLDER_RID` ("Production Models", holds `churn_predictor_prod`).
  Each model's display name is its catalog name, so creating a model with that name in
  its folder answers 409 `ResourceNameAlreadyExists`.
- Models: one per name in `ids.REGISTRY_LINKED_MODELS`, rid `ids.registry_model_rid(name)`.
- Versions: rid `ids.registry_version_rid(name, i)`, i = 1 (oldest) upwards, fixed
  createdTime values between 2024-06 and 2025-03, all on `master` except
  `fraud_detector` #5, on `staging` (and the newest of all).
  - `churn_predictor` (4): sources `sdk` and `codeRepository` (with linkedExperiment);
    tabular input with string/integer/double/timestamp/array/map columns, a `threshold`
    parameter, tabular output.
  - `churn_predictor_prod` (3): #1 `external`; #2 and #3 `promoted` from
    `churn_predictor` #2 and #3 (per `ids.PROMOTION`), same modelApi/conda/repositories
    and linkedExperiment.
  - `customer_ltv` (3): `modelStudio` x2, `codeWorkspace`; SPARK tabular input and output.
  - `fraud_detector` (4 + 1 staging): `importedContainerizedModel`, `codeRepository`,
    `sdk`; a parameter output next to the tabular one.
  - `demand_forecaster` (3): `codeWorkspace`; date/long/float/boolean columns.
  - `product_recommender` (3): #1 has a column of data type `unsupported` (a tensor);
    parameter inputs and array parameter outputs; `sdk`, `modelStudio`, `codeRepository`.

The versions' contents are written out in `seed_data`.
"""

from __future__ import annotations

from typing import Final

from gateway.emulator.ids import (
    PROMOTION,
    REGISTRY_LINKED_MODELS,
    registry_model_rid,
    registry_version_rid,
    seed_uuid,
)
from gateway.emulator.registry.seed_data import seed_versions
from gateway.emulator.registry.store import RegistryStore, version_body

ML_MODELS_FOLDER_RID: Final = f"ri.compass.main.folder.{seed_uuid('registry-folder', 'ml')}"
PRODUCTION_FOLDER_RID: Final = f"ri.compass.main.folder.{seed_uuid('registry-folder', 'prod')}"
FOLDERS: Final = {ML_MODELS_FOLDER_RID: "ML Models", PRODUCTION_FOLDER_RID: "Production Models"}

MODEL_RIDS: Final = {name: registry_model_rid(name) for name in REGISTRY_LINKED_MODELS}
CHURN_MODEL_RID: Final = MODEL_RIDS[PROMOTION[0]]
CHURN_PROD_MODEL_RID: Final = MODEL_RIDS[PROMOTION[1]]
PROMOTED_FROM_VERSION_RID: Final = registry_version_rid(PROMOTION[0], 3)
PROMOTED_VERSION_RID: Final = registry_version_rid(PROMOTION[1], 3)
STAGING_MODEL_RID: Final = MODEL_RIDS["fraud_detector"]
STAGING_VERSION_RID: Final = registry_version_rid("fraud_detector", 5)


def _master_rids() -> dict[str, tuple[str, ...]]:
    result: dict[str, tuple[str, ...]] = {}
    for name, versions in seed_versions().items():
        on_master = [
            (v.created, registry_version_rid(name, i))
            for i, v in enumerate(versions, 1)
            if v.branch == "master"
        ]
        result[name] = tuple(rid for _, rid in sorted(on_master, reverse=True))
    return result


# Seeded version rids on `master` per model name, newest first (the list order).
MASTER_VERSION_RIDS: Final = _master_rids()


def seed(store: RegistryStore) -> None:
    for rid, name in FOLDERS.items():
        store.add_folder(rid, name)
    for name, versions in seed_versions().items():
        model_rid = MODEL_RIDS[name]
        folder = PRODUCTION_FOLDER_RID if name == PROMOTION[1] else ML_MODELS_FOLDER_RID
        store.add_model(model_rid, name, folder)
        for i, v in enumerate(versions, 1):
            body = version_body(
                rid=registry_version_rid(name, i),
                model_api={"inputs": v.inputs, "outputs": v.outputs},
                conda_requirements=v.conda,
                backing_repositories=v.repositories,
                created_time=v.created,
                source=v.source,
                linked_experiment=v.experiment,
            )
            store.add_version(model_rid, v.branch, body)
