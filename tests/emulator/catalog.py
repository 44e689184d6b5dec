"""Constants and body builders the catalog emulator tests share."""

from __future__ import annotations

from typing import Any

import httpx
import orjson

from gateway.emulator.catalog.seed import seed_id
from tests.conftest import EmulatorHandle

ALICE = seed_id("user", "alice")


def alice_ref() -> dict[str, object]:
    """The seeded user alice as an entity reference, without its href."""
    return {
        "id": ALICE,
        "type": "user",
        "name": "alice",
        "fullyQualifiedName": "alice",
        "displayName": "Alice Nguyen",
        "deleted": False,
    }


def tag(fqn: str) -> dict[str, str]:
    """A manual, confirmed classification tag label."""
    return {"tagFQN": fqn, "source": "Classification", "labelType": "Manual", "state": "Confirmed"}


def set_clock(emulator: EmulatorHandle, now_ms: int) -> None:
    """Freeze the emulator's clock at `now_ms` (its writes are stamped with it)."""
    response = emulator.admin.put("/clock", json={"now": now_ms})
    assert response.json() == {"now": now_ms, "frozen": True}


def advance_clock(emulator: EmulatorHandle, ms: int) -> None:
    """Move the emulator's clock `ms` milliseconds on."""
    emulator.admin.post("/clock/advance", json={"ms": ms}).raise_for_status()


PATCH_HEADERS = {"Content-Type": "application/json-patch+json"}
# What every write moves on; a PATCH leaves the rest of an entity as it was.
VOLATILE = (
    "version",
    "updatedAt",
    "updatedBy",
    "changeDescription",
    "incrementalChangeDescription",
)


def patch(
    catalog: httpx.Client,
    path: str,
    operations: object,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """A JSON Patch of the entity at `path` (under `/v1`), as `application/json-patch+json`."""
    return catalog.patch(
        path, content=orjson.dumps(operations), headers={**PATCH_HEADERS, **(headers or {})}
    )


def without_volatile(entity: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in entity.items() if key not in VOLATILE}
