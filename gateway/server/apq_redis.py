"""The persisted query store in Redis, shared by every replica, behind each process's own LRU."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from gateway.server.apq import MemoryStore

log = logging.getLogger("gateway.apq")

KEY_PREFIX = "gateway:apq:"
# Redis answers in well under a millisecond; waiting longer would only stall requests that
# can do without it (a miss costs the client one more round trip with the full query).
SOCKET_TIMEOUT = 0.5
# After a failure Redis is left alone this long, so an outage costs one timeout per
# interval rather than one per request, and one log line rather than thousands.
RETRY_AFTER = 5.0


def redis_location(url: str) -> str:
    """`host:port` (or the socket path) of a Redis URL, without its credentials."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return parts.path
    return f"{parts.hostname or 'localhost'}:{parts.port or 6379}"


class RedisStore:
    """Documents under `gateway:apq:<sha256>` with a TTL (0: none), read through `local`.

    A document's key is its own hash, so a copy can never be stale: the local LRU answers
    hits without a round trip, and keeps answering them while Redis is down. Redis failures
    are logged and make reads miss and writes stay local; they never fail a request.
    """

    def __init__(
        self,
        url: str,
        *,
        ttl: int,
        local: MemoryStore,
        retry_after: float = RETRY_AFTER,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.location = redis_location(url)
        self._clock = clock
        self.ttl = ttl
        self.local = local
        self.retry_after = retry_after
        # One immediate retry replaces a pooled connection Redis closed (e.g. a restart).
        self.client = Redis.from_url(
            url,
            decode_responses=True,
            socket_timeout=SOCKET_TIMEOUT,
            socket_connect_timeout=SOCKET_TIMEOUT,
            retry=Retry(NoBackoff(), 1),
        )
        self._down_until = 0.0
        self._down = False

    async def get(self, sha256: str) -> str | None:
        query = self.local.lookup(sha256)
        if query is not None or not self._available():
            return query
        try:
            value = await self.client.get(KEY_PREFIX + sha256)
        except (RedisError, OSError) as exc:
            self._failed(exc)
            return None
        self._succeeded()
        if isinstance(value, str):
            self.local.put(sha256, value)
            return value
        return None

    async def set(self, sha256: str, query: str) -> None:
        self.local.put(sha256, query)
        if not self._available():
            return
        try:
            await self.client.set(KEY_PREFIX + sha256, query, ex=self.ttl or None)
        except (RedisError, OSError) as exc:
            self._failed(exc)
            return
        self._succeeded()

    async def aclose(self) -> None:
        await self.client.aclose()

    def _available(self) -> bool:
        return not self._down or self._clock() >= self._down_until

    def _failed(self, exc: Exception) -> None:
        self._down_until = self._clock() + self.retry_after
        if not self._down:
            self._down = True
            log.warning(
                "Redis at %s failed (%s: %s): persisted queries use this process's memory "
                "only; retrying every %.0f s",
                self.location,
                type(exc).__name__,
                exc,
                self.retry_after,
            )

    def _succeeded(self) -> None:
        if self._down:
            self._down = False
            log.warning("Redis at %s answers again: persisted queries are shared", self.location)
