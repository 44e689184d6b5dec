"""Prometheus series: GraphQL operations, upstream calls, circuits and loader batches.

Observations happen once per operation, per upstream HTTP request and per loader batch,
never per field. With several worker processes, `PROMETHEUS_MULTIPROC_DIR` must name a
directory shared by the workers (the `serve` command sets one up); `/metrics` then
aggregates every live worker's series, whichever worker answers the scrape.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, multiprocess
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response

MULTIPROC_ENV: Final = "PROMETHEUS_MULTIPROC_DIR"

# Operation names come from callers: only this many distinct ones get their own series
# in a process; later ones are counted as OTHER.
MAX_OPERATION_NAMES: Final = 200
ANONYMOUS: Final = "(anonymous)"
OTHER: Final = "(other)"
INVALID: Final = "(invalid)"

# A circuit breaker's states (gateway.upstream.resilience.CircuitState) as gauge values.
CIRCUIT_VALUES: Final[dict[str, float]] = {"closed": 0, "half_open": 1, "open": 2}

_OPERATION_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")
_ERROR_CODE = re.compile(r"[A-Z][A-Z0-9_]{0,63}")
_LIVE_GAUGE_FILE = re.compile(r"gauge_live[a-z]*_(\d+)\.db")

REGISTRY = CollectorRegistry(auto_describe=True)

OPERATIONS = Histogram(
    "gateway_graphql_request_duration_seconds",
    "GraphQL operations executed, by operation name and type: count and duration.",
    ["operation", "type"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=REGISTRY,
)
ERRORS = Counter(
    "gateway_graphql_errors",
    "Errors in GraphQL responses, by extensions.code.",
    ["code"],
    registry=REGISTRY,
)
UPSTREAM_REQUESTS = Histogram(
    "gateway_upstream_request_duration_seconds",
    "HTTP requests to an upstream (each retry is one), by route template and status (the "
    "HTTP status, or timeout | connect_error | transport_error | decoding_error | too_large).",
    ["upstream", "method", "route", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
UPSTREAM_REJECTED = Counter(
    "gateway_upstream_rejected",
    "Upstream calls not made: circuit_open (failing fast) or queue_timeout (no free slot).",
    ["upstream", "reason"],
    registry=REGISTRY,
)
UPSTREAM_IN_FLIGHT = Gauge(
    "gateway_upstream_in_flight",
    "Upstream calls holding a concurrency slot.",
    ["upstream"],
    multiprocess_mode="livesum",
    registry=REGISTRY,
)
CIRCUIT_STATE = Gauge(
    "gateway_upstream_circuit_state",
    "Circuit breaker of an upstream: 0 closed, 1 half-open, 2 open (the worst of the workers).",
    ["upstream"],
    multiprocess_mode="livemax",
    registry=REGISTRY,
)
LOADER_BATCHES = Histogram(
    "gateway_loader_batch_size",
    "Keys per DataLoader batch, by loader.",
    ["loader"],
    buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000),
    registry=REGISTRY,
)


class OperationLabels:
    """The `operation` label of a name: the name itself for the first `limit` valid ones."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._names: set[str] = set()

    def __call__(self, name: str | None) -> str:
        if name is None:
            return ANONYMOUS
        if name in self._names:
            return name
        if not _OPERATION_NAME.fullmatch(name):
            return INVALID
        if len(self._names) >= self.limit:
            return OTHER
        self._names.add(name)
        return name


_operation_label = OperationLabels(MAX_OPERATION_NAMES)


def observe_operation(
    name: str | None, kind: str, seconds: float, error_codes: Iterable[object]
) -> None:
    """One executed operation and the codes of the errors in its response."""
    OPERATIONS.labels(_operation_label(name), kind).observe(seconds)
    for code in error_codes:
        label = code if isinstance(code, str) and _ERROR_CODE.fullmatch(code) else "UNKNOWN"
        ERRORS.labels(label).inc()


def observe_batch(loader: str, size: int) -> None:
    """One DataLoader batch of `size` keys."""
    LOADER_BATCHES.labels(loader).observe(size)


class UpstreamMetrics:
    """The series of one upstream; label children are kept, so a call costs no lookup."""

    __slots__ = ("_circuit", "_requests", "in_flight", "upstream")

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self._requests: dict[tuple[str, str, str], Histogram] = {}
        self.in_flight = UPSTREAM_IN_FLIGHT.labels(upstream)
        self._circuit = CIRCUIT_STATE.labels(upstream)
        self._circuit.set(CIRCUIT_VALUES["closed"])

    def request(self, method: str, route: str, status: str, seconds: float) -> None:
        key = (method, route, status)
        child = self._requests.get(key)
        if child is None:
            child = self._requests[key] = UPSTREAM_REQUESTS.labels(
                self.upstream, method, route, status
            )
        child.observe(seconds)

    def rejected(self, reason: str) -> None:
        UPSTREAM_REJECTED.labels(self.upstream, reason).inc()

    def circuit(self, state: str) -> None:
        self._circuit.set(CIRCUIT_VALUES[state])


def collector() -> Collector:
    """What a scrape reads: this process's registry, or every live worker's files."""
    directory = os.environ.get(MULTIPROC_ENV)
    if not directory:
        return REGISTRY
    _forget_dead_workers(Path(directory))
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, directory)  # type: ignore[no-untyped-call]
    return registry


async def metrics_endpoint(request: Request) -> Response:
    """GET /metrics: the text format, or OpenMetrics when the scraper asks for it."""
    encode, content_type = choose_encoder(request.headers.get("accept", ""))
    return Response(encode(collector()), headers={"Content-Type": content_type})


def _forget_dead_workers(directory: Path) -> None:
    """Drop the live gauges of worker processes that are gone (a restarted worker's pid)."""
    pids = {
        int(match.group(1))
        for path in directory.glob("gauge_live*.db")
        if (match := _LIVE_GAUGE_FILE.fullmatch(path.name))
    }
    for pid in pids:
        if not _alive(pid):
            multiprocess.mark_process_dead(pid, str(directory))  # type: ignore[no-untyped-call]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
