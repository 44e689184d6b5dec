"""Direct REST calls to the emulator that set up or check what the mutation tests expect."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import EmulatorHandle
from tests.gateway.rest import catalog_get


def catalog_write(emulator: EmulatorHandle, method: str, path: str, body: object = None) -> Any:
    response = httpx.request(
        method,
        f"{emulator.catalog_url}{path}",
        json=body,
        headers=emulator.headers(),
        timeout=10,
    )
    response.raise_for_status()
    return response.json()


def model_by_name(emulator: EmulatorHandle, fqn: str, fields: str = "") -> dict[str, Any]:
    params = {"fields": fields} if fields else {}
    result: dict[str, Any] = catalog_get(emulator, f"/v1/mlmodels/name/{fqn}", **params)
    return result


def table_by_name(emulator: EmulatorHandle, fqn: str, fields: str = "") -> dict[str, Any]:
    params = {"fields": fields} if fields else {}
    result: dict[str, Any] = catalog_get(emulator, f"/v1/tables/name/{fqn}", **params)
    return result


def user_id(emulator: EmulatorHandle, name: str) -> str:
    return str(catalog_get(emulator, f"/v1/users/name/{name}")["id"])


def create_users(emulator: EmulatorHandle, names: list[str]) -> list[str]:
    """Create catalog users (they can then authenticate with a JWT naming them); their ids."""
    return [
        str(
            catalog_write(
                emulator, "POST", "/v1/users", {"name": name, "email": f"{name}@example.com"}
            )["id"]
        )
        for name in names
    ]


def registry_hook(emulator: EmulatorHandle, path: str, body: dict[str, bool]) -> None:
    response = httpx.put(f"{emulator.url}/_emulator/registry/{path}", json=body, timeout=10)
    response.raise_for_status()


def route_calls(emulator: EmulatorHandle, route: str) -> int:
    return sum(1 for r in emulator.requests() if r["route"] == route)
