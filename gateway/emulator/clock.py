"""The emulator's clock: what its writes stamp as `updatedAt`, and what time-bound rules read.

It runs with the real time until a test sets it (`PUT /_emulator/clock {"now": ms}`), which
freezes it there; `POST /_emulator/clock/advance {"ms": n}` moves it by `n` milliseconds
(a running clock keeps running, `n` ms ahead); `DELETE /_emulator/clock` and
`POST /_emulator/reset` put it back on the real time. Rules that depend on elapsed time,
such as the catalog consolidating one user's PATCH edits made within ten minutes, read this
clock, so a test reaches "eleven minutes later" by advancing it rather than by sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


class Clock:
    """Milliseconds since the epoch: the real time plus an offset, or a frozen instant."""

    def __init__(self, source: Callable[[], float] = time.time) -> None:
        self._source = source
        self._offset_ms = 0
        self._frozen_ms: int | None = None

    def now_ms(self) -> int:
        if self._frozen_ms is not None:
            return self._frozen_ms
        return int(self._source() * 1000) + self._offset_ms

    @property
    def frozen(self) -> bool:
        return self._frozen_ms is not None

    def set(self, now_ms: int) -> None:
        """Stop the clock at `now_ms`."""
        self._frozen_ms = now_ms
        self._offset_ms = 0

    def advance(self, ms: int) -> None:
        """Move the clock `ms` milliseconds on (back when negative), frozen or not."""
        if self._frozen_ms is not None:
            self._frozen_ms += ms
        else:
            self._offset_ms += ms

    def reset(self) -> None:
        """Back to the real time."""
        self._frozen_ms = None
        self._offset_ms = 0

    def state(self) -> dict[str, Any]:
        return {"now": self.now_ms(), "frozen": self.frozen}
