"""The emulator's clock knob: writes are stamped with a time a test sets and advances."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.conftest import EmulatorHandle
from tests.emulator.catalog import advance_clock, set_clock

T0 = 1_714_000_000_000


def test_a_frozen_clock_stamps_writes_and_advances_on_demand(
    catalog: httpx.Client, emulator: EmulatorHandle
) -> None:
    # given the clock frozen at T0
    set_clock(emulator, T0)

    # when a model is created, the clock advanced 11 minutes and the model updated
    created = catalog.post("/mlmodels", json={"name": "clocked", "service": "mlflow_prod"})
    advance_clock(emulator, 660_000)
    updated = catalog.put(
        "/mlmodels", json={"name": "clocked", "service": "mlflow_prod", "target": "y"}
    )

    # then each write carries the clock's time, and the clock says where it stands
    assert created.json()["updatedAt"] == T0
    assert updated.json()["updatedAt"] == T0 + 660_000
    assert emulator.admin.get("/clock").json() == {"now": T0 + 660_000, "frozen": True}


def test_a_running_clock_advances_by_an_offset(emulator: EmulatorHandle) -> None:
    # given the real clock
    before = int(time.time() * 1000)

    # when it is advanced a day
    answer = emulator.admin.post("/clock/advance", json={"ms": 86_400_000}).json()

    # then it keeps running, a day ahead
    assert answer["frozen"] is False
    assert answer["now"] >= before + 86_400_000


def test_delete_and_reset_put_the_clock_back_on_the_real_time(emulator: EmulatorHandle) -> None:
    set_clock(emulator, T0)

    deleted = emulator.admin.delete("/clock").json()
    set_clock(emulator, T0)
    emulator.reset()

    assert deleted["frozen"] is False
    assert deleted["now"] > T0
    assert emulator.admin.get("/clock").json()["frozen"] is False


@pytest.mark.parametrize(
    ("method", "path", "body", "error"),
    [
        ("PUT", "/clock", {"now": "soon"}, "bad clock: now must be an integer of milliseconds"),
        ("PUT", "/clock", {"now": True}, "bad clock: now must be an integer of milliseconds"),
        ("PUT", "/clock", {}, "bad clock: 'now'"),
        ("POST", "/clock/advance", {"ms": 1.5}, "bad advance: ms must be an integer"),
        ("POST", "/clock/advance", {"minutes": 3}, "bad advance: 'ms'"),
    ],
)
def test_a_malformed_clock_request_is_a_400_and_changes_nothing(
    emulator: EmulatorHandle, method: str, path: str, body: dict[str, object], error: str
) -> None:
    set_clock(emulator, T0)

    response = emulator.admin.request(method, path, json=body)

    assert (response.status_code, response.json()) == (400, {"error": error})
    assert emulator.admin.get("/clock").json() == {"now": T0, "frozen": True}
