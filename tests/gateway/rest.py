"""Direct REST reads of the emulator, used by gateway tests to state exact expected data."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.conftest import EmulatorHandle


def catalog_get(emulator: EmulatorHandle, path: str, **params: object) -> Any:
    response = httpx.get(
        f"{emulator.catalog_url}{path}",
        params={k: str(v) for k, v in params.items()},
        headers=emulator.headers(),
        timeout=10,
    )
    response.raise_for_status()
    return response.json()


def registry_get(emulator: EmulatorHandle, path: str, **params: object) -> Any:
    response = httpx.get(
        f"{emulator.registry_url}{path}",
        params={"preview": "true", **{k: str(v) for k, v in params.items()}},
        headers=emulator.headers(),
        timeout=10,
    )
    response.raise_for_status()
    return response.json()


def all_models(emulator: EmulatorHandle, fields: str = "") -> list[dict[str, Any]]:
    params: dict[str, object] = {"limit": 1000}
    if fields:
        params["fields"] = fields
    data: list[dict[str, Any]] = catalog_get(emulator, "/v1/mlmodels", **params)["data"]
    return data


def graphql_enum_name(value: str | None) -> str | None:
    """The GraphQL enum value the gateway answers for a catalog string: UPPER_SNAKE, words
    split at spaces and at camelCase humps (`SecureView` -> `SECURE_VIEW`, `MEASURE HIDDEN`
    -> `MEASURE_HIDDEN`, `numerical` -> `NUMERICAL`)."""
    if value is None:
        return None
    return re.sub(r"(?<=[a-z])(?=[A-Z])", "_", value).replace(" ", "_").upper()


def upstream_calls(emulator: EmulatorHandle) -> dict[str, int]:
    """Request counts by route, without the emulator's own admin routes."""
    return {k: v for k, v in emulator.counters().items() if v}


def catalog_delete(emulator: EmulatorHandle, path: str, **params: object) -> None:
    """Delete through the catalog's REST API (soft unless `hardDelete=true`)."""
    response = httpx.delete(
        f"{emulator.catalog_url}{path}",
        params={k: str(v) for k, v in params.items()},
        headers=emulator.headers(),
        timeout=10,
    )
    response.raise_for_status()
