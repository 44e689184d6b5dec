"""Persisted queries in Redis: shared by gateway processes; never a failure when Redis is down."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

import httpx
import pytest
import redis

from gateway.server.apq import MemoryStore
from gateway.server.apq_redis import KEY_PREFIX, RedisStore
from gateway.server.embedded import free_port
from tests.apq.apq import FIRST_TWO, MODELS, NOT_FOUND, get, post, sha256
from tests.apq.conftest import RedisProcess
from tests.conftest import EmulatorHandle, FakeClock, gateway_settings, running_gateway

N2 = {"n": 2}
ME = {"data": {"me": {"name": "admin"}}}


@dataclass(slots=True)
class GatewayProcess:
    """`python -m gateway serve` on a free port."""

    process: subprocess.Popen[bytes]
    url: str

    def wait_healthy(self) -> str:
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                stderr = self.process.stderr.read().decode() if self.process.stderr else ""
                raise AssertionError(f"gateway serve exited: {stderr}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self.url
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "gateway serve did not start"
            time.sleep(0.1)


@contextmanager
def _gateway_process(emulator: EmulatorHandle, redis_url: str) -> Iterator[GatewayProcess]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")}
    process = subprocess.Popen(
        [
            sys.executable, "-m", "gateway", "serve", "--port", str(port),
            "--catalog-url", emulator.catalog_url, "--registry-url", emulator.registry_url,
            "--catalog-token", emulator.token, "--registry-token", emulator.token,
            "--redis-url", redis_url, "--log-level", "warning",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        yield GatewayProcess(process, f"http://127.0.0.1:{port}")
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()


async def test_two_gateway_processes_share_persisted_queries(
    emulator: EmulatorHandle, redis_url: str, redis_db: redis.Redis
) -> None:
    with ExitStack() as stack:
        # given: two gateway processes over one Redis (started together, checked after)
        processes = [stack.enter_context(_gateway_process(emulator, redis_url)) for _ in "ab"]
        first, second = (process.wait_healthy() for process in processes)
        async with (
            httpx.AsyncClient(base_url=first, timeout=10) as one,
            httpx.AsyncClient(base_url=second, timeout=10) as other,
        ):
            unknown = await post(other, MODELS, send_query=False, variables=N2)
            # when: one process registers the document
            registered = await post(one, MODELS, send_query=True, variables=N2)
            # then: the other runs it by hash, over POST and GET
            by_post = await post(other, MODELS, send_query=False, variables=N2)
            by_get = await get(other, MODELS, send_query=False, variables=N2)
    assert unknown.json() == NOT_FOUND
    assert registered.json() == FIRST_TWO
    assert (by_post.status_code, by_post.json()) == (200, FIRST_TWO)
    assert (by_get.status_code, by_get.json()) == (200, FIRST_TWO)
    key = KEY_PREFIX + sha256(MODELS)
    assert redis_db.get(key) == MODELS
    assert 86_000 < redis_db.ttl(key) <= 86_400


async def test_stores_of_two_replicas_share_documents(
    redis_url: str, redis_db: redis.Redis
) -> None:
    # given: two replicas' stores, each with its own memory; no expiry
    one = RedisStore(redis_url, ttl=0, local=MemoryStore(10))
    other = RedisStore(redis_url, ttl=0, local=MemoryStore(10))
    try:
        # when
        await one.set(sha256(MODELS), MODELS)
        found = await other.get(sha256(MODELS))
        missing = await other.get(sha256("query { me { name } }"))
    finally:
        await one.aclose()
        await other.aclose()
    # then
    assert (found, missing) == (MODELS, None)
    assert len(other.local) == 1
    assert redis_db.ttl(KEY_PREFIX + sha256(MODELS)) == -1


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "gateway.apq"]


async def test_a_redis_outage_never_fails_a_request(
    emulator: EmulatorHandle, own_redis: RedisProcess, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="gateway.apq")
    me = "query { me { name } }"
    settings = gateway_settings(emulator, redis_url=own_redis.url)
    async with running_gateway(settings, emulator) as gateway:
        # given: a document registered while Redis was up, then Redis stops
        assert (await post(gateway.http, MODELS, send_query=True, variables=N2)).json() == FIRST_TWO
        own_redis.stop()
        # when
        answers = [
            await post(gateway.http, MODELS, send_query=False, variables=N2),
            await post(gateway.http, me, send_query=True),
            await post(gateway.http, me, send_query=False),
            await gateway.http.post("/graphql", json={"query": me}),
            await post(gateway.http, "query { __typename }", send_query=False),
        ]
    # then: documents this process knows still run, full queries run, an unknown hash
    # asks for the document; and the outage is logged once
    assert [(a.status_code, a.json()) for a in answers] == [
        (200, FIRST_TWO),
        (200, ME),
        (200, ME),
        (200, ME),
        (200, NOT_FOUND),
    ]
    (warning,) = _warnings(caplog)
    assert warning.startswith(f"Redis at 127.0.0.1:{own_redis.port} failed (ConnectionError: ")


async def test_an_unreachable_redis_from_the_start_is_no_failure(
    emulator: EmulatorHandle, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="gateway.apq")
    port = free_port()
    settings = gateway_settings(emulator, redis_url=f"redis://:secret@127.0.0.1:{port}/0")
    async with running_gateway(settings, emulator) as gateway:
        plain = await gateway.http.post("/graphql", json={"query": MODELS, "variables": N2})
        registered = await post(gateway.http, MODELS, send_query=True, variables=N2)
        by_hash = await post(gateway.http, MODELS, send_query=False, variables=N2)
    assert [plain.json(), registered.json(), by_hash.json()] == [FIRST_TWO] * 3
    (warning,) = _warnings(caplog)
    assert "secret" not in warning
    assert warning.startswith(f"Redis at 127.0.0.1:{port} failed (")


async def test_the_store_uses_redis_again_once_it_is_back(
    own_redis: RedisProcess, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="gateway.apq")
    clock = FakeClock()
    store = RedisStore(own_redis.url, ttl=60, local=MemoryStore(10), retry_after=30, clock=clock)
    direct = redis.Redis.from_url(own_redis.url, decode_responses=True)
    try:
        # given: a write while Redis is down stays in this process
        own_redis.stop()
        await store.set("a" * 64, "A")
        # when: Redis is back, but the retry delay has not passed
        own_redis.start()
        clock.advance(29.9)
        await store.set("c" * 64, "C")
        # then Redis is left alone
        assert direct.get(KEY_PREFIX + "c" * 64) is None
        # when it has passed
        clock.advance(0.1)
        await store.set("b" * 64, "B")
        # then
        assert direct.get(KEY_PREFIX + "b" * 64) == "B"
        assert direct.get(KEY_PREFIX + "a" * 64) is None
        assert await store.get("a" * 64) == "A"
    finally:
        direct.close()
        await store.aclose()
    down, back = _warnings(caplog)
    assert down.startswith(f"Redis at 127.0.0.1:{own_redis.port} failed (ConnectionError: ")
    assert back == (
        f"Redis at 127.0.0.1:{own_redis.port} answers again: persisted queries are shared"
    )
