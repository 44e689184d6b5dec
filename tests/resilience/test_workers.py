"""`gateway serve --workers 2`: both workers start and serve, metrics add up, nothing is left."""

from __future__ import annotations

import signal
from pathlib import Path

import httpx

from tests.observability.scrape import labels, parse
from tests.resilience.processes import ServeProcess, children, wait_gone

QUERY = "query Workers { mlModels(first: 1) { totalCount } }"
REQUESTS = 12


def start(tmp_path: Path, env: dict[str, str] | None = None) -> ServeProcess:
    gateway = ServeProcess(
        ["--workers", "2", "--data-dir", ":memory:", "--log-level", "warning"],
        tmp_path / "stderr.log",
        env,
    )
    gateway.wait_healthy()
    return gateway


def workers_and_upstreams(gateway: ServeProcess) -> tuple[list[int], list[int], list[int]]:
    """Worker pids, embedded upstream pids, and every child pid (helpers included)."""
    found = children(gateway.process.pid)
    workers = [pid for pid, cmd in found.items() if "multiprocessing.spawn" in cmd]
    upstreams = [pid for pid, cmd in found.items() if "gateway emulator" in cmd]
    return workers, upstreams, list(found)


def test_two_workers_serve_and_stop_with_no_process_left(tmp_path: Path) -> None:
    # given
    gateway = start(tmp_path)
    try:
        workers, upstreams, everything = workers_and_upstreams(gateway)
        # then two workers and one embedded upstream process run under the parent
        assert (len(workers), len(upstreams)) == (2, 1)
        # when queries arrive on fresh connections
        for _ in range(REQUESTS):
            with httpx.Client(base_url=gateway.url, timeout=10) as client:
                result = client.post("/graphql", json={"query": QUERY}).json()
            assert result["data"]["mlModels"]["totalCount"] > 0
        # then /metrics, from whichever worker answers, counts them all
        for _ in range(3):
            with httpx.Client(base_url=gateway.url, timeout=10) as client:
                samples = parse(client.get("/metrics").text)
            key = (
                "gateway_graphql_request_duration_seconds_count",
                labels(operation="Workers", type="query"),
            )
            assert samples[key] == REQUESTS
        # when
        gateway.process.send_signal(signal.SIGTERM)
        # then the parent exits cleanly and takes every child with it
        assert gateway.wait_exit(30) == 0
        assert wait_gone(everything, timeout=10) == []
    finally:
        gateway.stop()


def test_killing_the_parent_takes_the_workers_and_upstreams_down(tmp_path: Path) -> None:
    # given an operator's metrics directory holding a previous run's file
    metrics = tmp_path / "metrics"
    metrics.mkdir()
    (metrics / "counter_1.db").write_bytes(b"stale")
    gateway = start(tmp_path, {"PROMETHEUS_MULTIPROC_DIR": str(metrics)})
    try:
        assert not (metrics / "counter_1.db").exists()
        workers, upstreams, everything = workers_and_upstreams(gateway)
        assert (len(workers), len(upstreams)) == (2, 1)
        # when the parent dies without a chance to clean up

        gateway.process.send_signal(signal.SIGKILL)
        gateway.wait_exit(10)
        # then the children follow it
        assert wait_gone(everything, timeout=15) == []
    finally:
        gateway.stop()
