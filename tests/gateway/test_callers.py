"""The caller cache on its own: time to live on a hand-driven clock, least recently used out."""

from __future__ import annotations

from gateway.domain.callers import CallerCache
from tests.conftest import FakeClock


def test_an_id_lives_for_its_ttl_and_each_put_restarts_it() -> None:
    # given
    clock = FakeClock()
    cache = CallerCache(10, clock=clock)
    cache.put("Bearer a", "id-a")
    # when / then
    clock.advance(9.5)
    assert cache.get("Bearer a") == "id-a"
    cache.put("Bearer a", "id-a2")
    clock.advance(9.5)
    assert cache.get("Bearer a") == "id-a2"
    clock.advance(0.5)
    assert cache.get("Bearer a") is None
    # an expired entry is gone, not merely hidden
    clock.now -= 100
    assert cache.get("Bearer a") is None


def test_a_ttl_under_a_second_still_keeps_ids() -> None:
    clock = FakeClock()
    cache = CallerCache(0.5, clock=clock)
    cache.put("a", "1")
    clock.advance(0.4)
    assert cache.get("a") == "1"
    clock.advance(0.1)
    assert cache.get("a") is None


def test_credentials_are_told_apart_and_the_service_token_has_its_own_entry() -> None:
    cache = CallerCache(10, clock=FakeClock())
    cache.put(None, "service")
    cache.put("Bearer a", "id-a")
    cache.put("", "empty")
    assert [cache.get(None), cache.get("Bearer a"), cache.get(""), cache.get("Bearer b")] == [
        "service",
        "id-a",
        "empty",
        None,
    ]


def test_the_least_recently_used_goes_first_when_full() -> None:
    # given a cache of two, a read making `a` the most recently used
    cache = CallerCache(10, size=2, clock=FakeClock())
    cache.put("a", "1")
    cache.put("b", "2")
    assert cache.get("a") == "1"
    # when
    cache.put("c", "3")
    # then
    assert [cache.get("a"), cache.get("b"), cache.get("c")] == ["1", None, "3"]
    cache.put("a", "4")
    cache.put("d", "5")
    assert [cache.get("a"), cache.get("c"), cache.get("d")] == ["4", None, "5"]


def test_by_default_1024_callers_are_kept() -> None:
    # given a cache of the default size holding 1024 callers
    cache = CallerCache(60, clock=FakeClock())
    for n in range(1024):
        cache.put(f"Bearer {n}", str(n))
    assert [cache.get(f"Bearer {n}") for n in (0, 1023)] == ["0", "1023"]
    # when a 1025th arrives
    cache.put("Bearer new", "new")
    # then the least recently used one (1, as 0 was just read) makes room for it
    assert [cache.get(f"Bearer {n}") for n in (0, 1, 2)] == ["0", None, "2"]
    assert cache.get("Bearer new") == "new"


def test_a_ttl_of_zero_or_less_keeps_nothing() -> None:
    for ttl in (0, -1):
        cache = CallerCache(ttl, clock=FakeClock())
        cache.put("a", "1")
        assert cache.get("a") is None
        assert len(cache._ids) == 0
