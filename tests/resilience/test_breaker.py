"""The circuit breaker and bulkhead on their own, with a hand-driven clock."""

from __future__ import annotations

import asyncio

import pytest

from gateway.upstream.resilience import (
    Bulkhead,
    CircuitBreaker,
    CircuitOpenError,
    CircuitState,
    QueueTimeoutError,
    UpstreamGuard,
)
from tests.conftest import FakeClock as Clock


class Down(Exception):
    pass


def breaker(clock: Clock, changes: list[CircuitState], threshold: int = 3) -> CircuitBreaker:
    return CircuitBreaker(threshold, cooldown=10.0, clock=clock, on_change=changes.append)


def fail(b: CircuitBreaker, times: int) -> None:
    for _ in range(times):
        b.record(False, probe=b.admit())


def test_failures_below_the_threshold_keep_it_closed_and_a_success_resets_the_count() -> None:
    # given
    changes: list[CircuitState] = []
    b = breaker(Clock(), changes)
    # when two failures, a success, two failures
    fail(b, 2)
    b.record(True, probe=b.admit())
    fail(b, 2)
    # then
    assert (b.state, changes) == ("closed", [])


def test_the_threshold_opens_it_and_calls_are_rejected_until_the_cooldown_is_over() -> None:
    # given
    clock = Clock()
    changes: list[CircuitState] = []
    b = breaker(clock, changes)
    # when
    fail(b, 3)
    clock.now += 9.9
    # then
    assert (b.state, changes) == ("open", ["open"])
    with pytest.raises(CircuitOpenError):
        b.admit()


def test_after_the_cooldown_one_probe_passes_and_its_success_closes_it() -> None:
    # given an open circuit whose cool-down is over
    clock = Clock()
    changes: list[CircuitState] = []
    b = breaker(clock, changes)
    fail(b, 3)
    clock.now += 10.0
    # when
    probe = b.admit()
    # then others are rejected while the probe runs
    assert (probe, b.state) == (True, "half_open")
    with pytest.raises(CircuitOpenError):
        b.admit()
    b.record(True, probe=probe)
    assert (b.state, changes) == ("closed", ["open", "half_open", "closed"])
    assert b.admit() is False


def test_a_failed_probe_opens_it_for_another_cooldown() -> None:
    clock = Clock()
    changes: list[CircuitState] = []
    b = breaker(clock, changes)
    fail(b, 3)
    clock.now += 10.0
    b.record(False, probe=b.admit())
    clock.now += 9.0
    assert (b.state, changes) == ("open", ["open", "half_open", "open"])
    with pytest.raises(CircuitOpenError):
        b.admit()
    clock.now += 1.0
    assert b.admit() is True


def test_an_abandoned_probe_lets_the_next_call_probe() -> None:
    clock = Clock()
    b = breaker(clock, [])
    fail(b, 3)
    clock.now += 10.0
    b.record(None, probe=b.admit())
    assert (b.state, b.admit()) == ("half_open", True)


def test_late_outcomes_of_calls_admitted_before_it_opened_are_ignored() -> None:
    # given five calls admitted while closed; the first two fail and open the circuit
    clock = Clock()
    changes: list[CircuitState] = []
    b = breaker(clock, changes, threshold=2)
    first, second, *late = (b.admit() for _ in range(5))
    b.record(False, probe=first)
    b.record(False, probe=second)
    # when, 5 s into the cool-down, one late call succeeds and two fail (a threshold's worth)
    clock.now += 5.0
    for healthy, call in zip((True, False, False), late, strict=True):
        b.record(healthy, probe=call)
    # then the cool-down still ends 10 s after the circuit opened
    clock.now += 5.0
    assert b.admit() is True
    assert changes == ["open", "half_open"]


def test_late_failures_while_the_probe_runs_do_not_reopen_it() -> None:
    # given three calls admitted while closed; the first fails and opens the circuit
    clock = Clock()
    changes: list[CircuitState] = []
    b = breaker(clock, changes, threshold=1)
    first, *late = (b.admit() for _ in range(3))
    b.record(False, probe=first)
    clock.now += 10.0
    probe = b.admit()
    # when the late calls fail while the probe runs
    for call in late:
        b.record(False, probe=call)
    # then only the probe decides
    assert changes == ["open", "half_open"]
    b.record(True, probe=probe)
    assert changes == ["open", "half_open", "closed"]


async def test_a_call_admitted_before_it_opened_does_not_count_after_it_recovered() -> None:
    # given a call admitted while closed and still running
    clock = Clock()
    changes: list[CircuitState] = []
    guard = UpstreamGuard(breaker(clock, changes, threshold=2), Bulkhead(5, 1.0), (Down,))
    late = guard.call()
    await late.__aenter__()
    # and meanwhile two failures opened the circuit, whose probe closed it again
    for _ in range(2):
        with pytest.raises(Down):
            async with guard.call():
                raise Down
    clock.now += 10.0
    async with guard.call():
        pass
    assert changes == ["open", "half_open", "closed"]
    # when the late call fails, then one new call fails
    await late.__aexit__(Down, Down(), None)
    with pytest.raises(Down):
        async with guard.call():
            raise Down
    # then only the new failure counts: one of two, the circuit stays closed
    assert changes == ["open", "half_open", "closed"]
    with pytest.raises(Down):
        async with guard.call():
            raise Down
    assert changes == ["open", "half_open", "closed", "open"]


def test_a_call_admitted_between_two_openings_does_not_count_after_the_second() -> None:
    # given a call admitted after the circuit first opened and recovered
    clock = Clock()
    changes: list[CircuitState] = []
    b = breaker(clock, changes, threshold=1)
    fail(b, 1)
    clock.now += 10.0
    b.record(True, probe=b.admit())
    period = b.period
    late = b.admit()
    # when the circuit opens and recovers again, then the late call fails
    fail(b, 1)
    clock.now += 10.0
    b.record(True, probe=b.admit())
    b.record(False, probe=late, period=period)
    # then it did not count: still closed after its failure
    assert b.state == "closed"
    assert changes == ["open", "half_open", "closed"] * 2


def test_limits_below_one_are_refused() -> None:
    with pytest.raises(ValueError, match=r"^failure_threshold must be at least 1$"):
        CircuitBreaker(0, cooldown=1.0)
    with pytest.raises(ValueError, match=r"^limit must be at least 1$"):
        Bulkhead(0, queue_timeout=1.0)


async def test_the_bulkhead_admits_its_limit_and_times_out_the_rest() -> None:
    # given two slots, both taken
    bulkhead = Bulkhead(2, queue_timeout=0.05)
    await bulkhead.acquire()
    await bulkhead.acquire()
    # when / then a third caller waits the queue timeout, then gives up (well before the
    # generous deadline around it, which would raise a plain TimeoutError instead)
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(QueueTimeoutError):
        await asyncio.wait_for(bulkhead.acquire(), 30)
    assert loop.time() - started >= 0.04
    # and gets a slot as soon as one is released, without waiting
    bulkhead.release()
    acquired = asyncio.ensure_future(bulkhead.acquire())
    await asyncio.sleep(0)
    assert acquired.done()


async def test_a_guarded_call_records_failures_by_exception_type_and_verdict() -> None:
    # given
    changes: list[CircuitState] = []
    guard = UpstreamGuard(breaker(Clock(), changes, threshold=3), Bulkhead(1, 0.05), (Down,))
    # when: a failure by exception, one by verdict, one with no verdict, one more failure
    with pytest.raises(Down):
        async with guard.call():
            raise Down
    async with guard.call() as call:
        call.failed()
    with pytest.raises(KeyError):
        async with guard.call():
            raise KeyError
    with pytest.raises(Down):
        async with guard.call():
            raise Down
    # then three failures opened it, and the slot was given back each time
    assert changes == ["open"]
    with pytest.raises(CircuitOpenError):
        async with guard.call():
            pass
    await asyncio.wait_for(guard.bulkhead.acquire(), 0.5)


async def test_a_probe_that_times_out_in_the_queue_gives_the_probe_back() -> None:
    # given a half-open circuit and a bulkhead whose only slot is taken
    clock = Clock()
    guard = UpstreamGuard(breaker(clock, [], threshold=1), Bulkhead(1, 0.02))
    guard.breaker.record(False, probe=guard.breaker.admit())
    clock.now += 10.0
    await guard.bulkhead.acquire()
    # when
    with pytest.raises(QueueTimeoutError):
        async with guard.call():
            pass
    # then the next call is the probe
    guard.bulkhead.release()
    async with guard.call():
        pass
    assert guard.breaker.state == "closed"
