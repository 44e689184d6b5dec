"""How to reach one upstream: the settings of its HTTP client, in one immutable record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from gateway.upstream.pool import MAX_RESPONSE_BYTES

UpstreamName = Literal["catalog", "registry"]
Transport = Literal["pool", "httpx"]

# Below the usual server idle timeout (uvicorn: 5 s), so a pooled connection is dropped by
# the client before the server can close it under a request.
KEEPALIVE_EXPIRY = 4.0


@dataclass(frozen=True, slots=True)
class UpstreamConfig:
    """How to reach one upstream.

    `base_url`: the catalog's is the API root (`http://host:8585/api`; paths then start
    `/v1/...`), the registry's the host (`http://host:8586`; paths start `/api/v2/...`).
    `token` is the service token sent when a caller has no `Authorization` of its own.
    `max_concurrency` calls may be in flight at once; another waits up to `queue_timeout`
    seconds for a slot. `failure_threshold` failed calls in a row open the circuit for
    `cooldown` seconds. `max_response_bytes` bounds an answer's body, decoded or not
    (the pool transport). `tracing` makes a span of each call.
    """

    name: UpstreamName
    base_url: str
    token: str | None = None
    timeout: float = 10.0
    connect_timeout: float = 3.0
    max_connections: int = 100
    retries: int = 1
    transport: Transport = "pool"
    max_concurrency: int = 100
    queue_timeout: float = 1.0
    failure_threshold: int = 5
    cooldown: float = 10.0
    max_response_bytes: int = MAX_RESPONSE_BYTES
    tracing: bool = False

    def __repr__(self) -> str:
        # Keeps the token out of tracebacks and log lines that print the config.
        token = "None" if self.token is None else "'**********'"
        return (
            f"UpstreamConfig(name={self.name!r}, base_url={self.base_url!r}, token={token}, "
            f"timeout={self.timeout}, connect_timeout={self.connect_timeout}, "
            f"max_connections={self.max_connections}, retries={self.retries}, "
            f"transport={self.transport!r}, max_concurrency={self.max_concurrency}, "
            f"queue_timeout={self.queue_timeout}, failure_threshold={self.failure_threshold}, "
            f"cooldown={self.cooldown}, max_response_bytes={self.max_response_bytes}, "
            f"tracing={self.tracing})"
        )
