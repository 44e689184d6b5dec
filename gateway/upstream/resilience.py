"""Circuit breaker and bounded concurrency for one upstream, so a sick upstream fails fast.

`UpstreamGuard.call()` admits one upstream call: the circuit breaker first (rejecting
at once while the upstream is known to be down), then a slot among the upstream's
`max_concurrency` (waiting at most `queue_timeout`, so a hanging upstream holds a fixed
number of calls and everything beyond fails fast instead of piling up). Nothing here
knows HTTP: the caller tells the call whether the upstream looked healthy.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from types import TracebackType
from typing import ClassVar, Literal

CircuitState = Literal["closed", "open", "half_open"]
Clock = Callable[[], float]
StateListener = Callable[[CircuitState], None]


class Rejected(Exception):
    """The call was not made; `reason` says why (a metric label and a log word)."""

    reason: ClassVar[str] = "rejected"


class CircuitOpenError(Rejected):
    """The circuit is open (or half-open with its probe already out)."""

    reason = "circuit_open"


class QueueTimeoutError(Rejected):
    """Every slot toward the upstream stayed busy for the whole queue timeout."""

    reason = "queue_timeout"


class CircuitBreaker:
    """Opens after consecutive failed calls; lets one probe through after a cool-down.

    closed: calls pass; `failure_threshold` failures in a row open the circuit.
    open: calls are rejected until `cooldown` seconds have passed since it opened.
    half_open: the next call is the probe (others are rejected while it runs); its
    success closes the circuit, its failure opens it for another cool-down, and a probe
    abandoned without a verdict (cancelled, queue timeout) lets the next call probe.
    Outcomes of calls admitted before the circuit last opened are ignored: they belong to
    a period the circuit has already judged (`period` counts the openings).
    """

    def __init__(
        self,
        failure_threshold: int,
        cooldown: float,
        *,
        clock: Clock = time.monotonic,
        on_change: StateListener | None = None,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        self.failure_threshold = failure_threshold
        self.cooldown = cooldown
        self._clock = clock
        self._on_change = on_change
        self._state: CircuitState = "closed"
        self._failures = 0
        self._opened_at = 0.0
        self._openings = 0
        self._probing = False

    @property
    def state(self) -> CircuitState:
        """The state as of the last call (open turns half-open when the next call comes)."""
        return self._state

    @property
    def period(self) -> int:
        """How many times the circuit has opened; a call remembers it when admitted."""
        return self._openings

    def admit(self) -> bool:
        """Let a call through or raise `CircuitOpenError`; True when the call is the probe."""
        if self._state == "closed":
            return False
        if self._state == "open":
            if self._clock() - self._opened_at < self.cooldown:
                raise CircuitOpenError
            self._change("half_open")
        if self._probing:
            raise CircuitOpenError
        self._probing = True
        return True

    def record(self, healthy: bool | None, *, probe: bool, period: int | None = None) -> None:
        """The outcome of an admitted call: healthy, failed (False) or no verdict (None);
        `period` is the breaker's `period` when the call was admitted (None: the current)."""
        if probe:
            self._probing = False
            if healthy is True:
                self._failures = 0
                self._change("closed")
            elif healthy is False:
                self._open()
            return
        if self._state != "closed" or healthy is None:
            return
        if period is not None and period != self._openings:
            return
        if healthy:
            self._failures = 0
            return
        self._failures += 1
        if self._failures >= self.failure_threshold:
            self._open()

    def _open(self) -> None:
        self._opened_at = self._clock()
        self._openings += 1
        self._change("open")

    def _change(self, state: CircuitState) -> None:
        if state != self._state:
            self._state = state
            if self._on_change is not None:
                self._on_change(state)


class Bulkhead:
    """At most `limit` calls at once; a call waits at most `queue_timeout` for a slot."""

    def __init__(self, limit: int, queue_timeout: float) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.queue_timeout = queue_timeout
        self._semaphore = asyncio.Semaphore(limit)

    async def acquire(self) -> None:
        if not self._semaphore.locked():
            # A free slot is taken without suspending: no timer for the common case.
            await self._semaphore.acquire()
            return
        try:
            async with asyncio.timeout(self.queue_timeout):
                await self._semaphore.acquire()
        except TimeoutError:
            raise QueueTimeoutError from None

    def release(self) -> None:
        self._semaphore.release()


class GuardedCall:
    """One admitted call: `async with guard.call() as call:`; `call.failed()` if unhealthy.

    Leaving the block normally counts as healthy; leaving it with one of the guard's
    `failure_types` counts as failed; any other exception (cancellation included) gives
    no verdict.
    """

    __slots__ = ("_guard", "_healthy", "_period", "_probe")

    def __init__(self, guard: UpstreamGuard) -> None:
        self._guard = guard
        self._probe = False
        self._period = 0
        self._healthy = True

    def failed(self) -> None:
        """The upstream answered in a way that means it is down (e.g. HTTP 503)."""
        self._healthy = False

    async def __aenter__(self) -> GuardedCall:
        guard = self._guard
        self._period = guard.breaker.period
        self._probe = guard.breaker.admit()
        try:
            await guard.bulkhead.acquire()
        except BaseException:
            guard.breaker.record(None, probe=self._probe)
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        guard = self._guard
        guard.bulkhead.release()
        healthy: bool | None = self._healthy
        if exc_type is not None:
            healthy = False if issubclass(exc_type, guard.failure_types) else None
        guard.breaker.record(healthy, probe=self._probe, period=self._period)


class UpstreamGuard:
    """The circuit breaker and the bulkhead of one upstream."""

    def __init__(
        self,
        breaker: CircuitBreaker,
        bulkhead: Bulkhead,
        failure_types: tuple[type[BaseException], ...] = (),
    ) -> None:
        self.breaker = breaker
        self.bulkhead = bulkhead
        self.failure_types = failure_types

    def call(self) -> GuardedCall:
        return GuardedCall(self)
