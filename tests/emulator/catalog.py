"""Constants and body builders the catalog emulator tests share."""

from __future__ import annotations

from gateway.emulator.catalog.seed import seed_id

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
