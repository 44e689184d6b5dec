"""Redis for the persisted query tests: `$GATEWAY_TEST_REDIS_URL`, or a redis-server of our own."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from gateway.server.apq_redis import KEY_PREFIX
from gateway.server.embedded import free_port
from tests.conftest import in_ci

REDIS_URL_ENV = "GATEWAY_TEST_REDIS_URL"
MISSING = (
    "redis-server is not installed: install Debian's redis-server (apt-get install "
    "redis-server; scripts/dev test does it as root) or point GATEWAY_TEST_REDIS_URL at a Redis"
)


def redis_server_binary() -> str:
    """The redis-server executable; fails under CI and skips elsewhere without one."""
    binary = shutil.which("redis-server")
    if binary is None:
        if in_ci(os.environ):
            pytest.fail(MISSING)
        pytest.skip(MISSING)
    return binary


class RedisProcess:
    """A throwaway redis-server on a loopback port: no persistence, stoppable and restartable."""

    def __init__(self, binary: str, directory: Path) -> None:
        self.binary = binary
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> RedisProcess:
        self.process = subprocess.Popen(
            [
                self.binary, "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis.from_url(self.url, socket_timeout=1)
        deadline = time.monotonic() + 10
        try:
            while True:
                try:
                    client.ping()
                    return self
                except redis.ConnectionError:
                    if self.process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"redis-server did not start on {self.port}") from None
                    time.sleep(0.05)
        finally:
            client.close()

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A Redis for the whole session: `$GATEWAY_TEST_REDIS_URL`, or one started here."""
    given = os.environ.get(REDIS_URL_ENV)
    if given:
        yield given
        return
    with tempfile.TemporaryDirectory(prefix="gateway-redis-") as directory:
        server = RedisProcess(redis_server_binary(), Path(directory)).start()
        yield server.url
        server.stop()


@pytest.fixture
def redis_db(redis_url: str) -> Iterator[redis.Redis]:
    """The session's Redis without persisted queries (other keys are left alone), as a plain
    client to look inside."""
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    for key in client.scan_iter(f"{KEY_PREFIX}*"):
        client.delete(key)
    yield client
    client.close()


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisProcess]:
    """A Redis of this test's own, which the test may stop and start again."""
    server = RedisProcess(redis_server_binary(), tmp_path).start()
    yield server
    server.stop()
