"""Emulator throughput: requests/s and p50/p99 latency of its hot read routes.

    .venv/bin/python -m bench.emulator_throughput [--seconds N] [--connections C]
        [--tool auto|wrk|aiohttp] [--models M] [--output PATH | --no-save]

Starts `python -m gateway emulator --data :memory: --port <free> --latency-ms 0` in its own
process (with `--models`, grows its catalog to M ML models as gateway_bench does, so the
list page holds 50 of them), then loads each route in turn for N seconds after a short
warm-up: catalog GET model by id, catalog list page (limit=50, fields=followers,votes,tags)
and registry list versions. The load generator is `wrk` (installed with apt-get when
missing and running as root), else an asyncio aiohttp loop with C concurrent clients.
Besides rates and latencies the table gives the emulator process's CPU time (user +
system, from /proc) per measured request. Routes the emulator does not serve are reported
as unavailable. The table is printed and saved, with the command line and date, to
bench/results/emulator_throughput.txt.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import httpx

from bench._dataset import EmulatorControl, grow_catalog
from gateway.emulator.config import DEFAULT_TOKEN
from gateway.emulator.registry.seed import CHURN_MODEL_RID

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = ROOT / "bench" / "results" / "emulator_throughput.txt"
AUTH = f"Bearer {DEFAULT_TOKEN}"
WARMUP_SECONDS = 1.0
WRK_SCRIPT = f"""
wrk.headers["Authorization"] = "{AUTH}"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99),
    e.status + e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    path: str | None  # None: the emulator does not serve this route


@dataclass(frozen=True, slots=True)
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_seconds: float | None = None  # the emulator's, while the requests were measured

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def cpu_us(self) -> float | None:
        """Emulator CPU microseconds per request."""
        if self.cpu_seconds is None or not self.requests:
            return None
        return self.cpu_seconds / self.requests * 1e6


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far; None where /proc is missing."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            # Fields after the parenthesised command name; utime and stime are 14th and 15th.
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """Measures one process's CPU time over a block of work."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.started: float | None = None

    def start(self) -> None:
        self.started = cpu_seconds(self.pid)

    def stop(self) -> float | None:
        ended = cpu_seconds(self.pid)
        if self.started is None or ended is None:
            return None
        return ended - self.started


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def emulator() -> Iterator[tuple[str, int]]:
    """A throwaway emulator in its own process; yields its base URL and pid once healthy."""
    port = _free_port()
    command = [sys.executable, "-m", "gateway", "emulator", "--data", ":memory:"]
    command += ["--port", str(port), "--latency-ms", "0"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise SystemExit(f"emulator exited with status {process.returncode}")
            try:
                httpx.get(f"{url}/_emulator/health", timeout=1).raise_for_status()
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise SystemExit("emulator did not start within 30 s") from None
                time.sleep(0.1)
        yield url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def discover(url: str) -> list[Target]:
    """The three benchmarked routes, with concrete paths where the emulator serves them."""
    headers = {"Authorization": AUTH}
    with httpx.Client(base_url=url, headers=headers, timeout=10) as client:
        first = client.get("/api/v1/mlmodels", params={"limit": 1})
        model_path = None
        if first.status_code == 200 and first.json().get("data"):
            model_path = f"/api/v1/mlmodels/{first.json()['data'][0]['id']}"
        page = "/api/v1/mlmodels?limit=50&fields=followers,votes,tags"
        list_path = page if client.get(page).status_code == 200 else None
        versions_path = f"/api/v2/models/{CHURN_MODEL_RID}/versions?preview=true"
        if client.get(versions_path).status_code != 200:
            raise SystemExit("the registry does not answer its list-versions route")
    return [
        Target("catalog GET /api/v1/mlmodels/{id}", model_path),
        Target("catalog GET /api/v1/mlmodels (limit=50, 3 fields)", list_path),
        Target("registry GET /api/v2/models/{rid}/versions", versions_path),
    ]


def ensure_wrk() -> str | None:
    """The path of `wrk`, installing the Debian package when missing and allowed to."""
    found = shutil.which("wrk")
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found

    def apt_get(*args: str) -> bool:
        done = subprocess.run(
            ["apt-get", *args],
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
        return done.returncode == 0

    # The package lists may be missing or stale on a fresh machine: update once and retry.
    if not apt_get("install", "-y", "-q", "wrk"):
        apt_get("update", "-q")
        apt_get("install", "-y", "-q", "wrk")
    return shutil.which("wrk")


def run_wrk(wrk: str, url: str, seconds: float, connections: int, meter: CpuMeter) -> Result:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        base = [wrk, "-t1", f"-c{connections}", "-s", script.name, "--timeout", "10s"]
        subprocess.run(
            [*base, f"-d{max(1, round(WARMUP_SECONDS))}s", url],
            check=True,
            capture_output=True,
        )
        meter.start()
        out = subprocess.run(
            [*base, f"-d{max(1, round(seconds))}s", url],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        cpu = meter.stop()
    finally:
        os.unlink(script.name)
    match = re.search(r"^BENCH (\d+) (\d+) (\d+) (\d+) (\d+)$", out, re.MULTILINE)
    if match is None:
        raise SystemExit(f"unexpected wrk output:\n{out}")
    requests, duration_us, p50_us, p99_us, errors = map(int, match.groups())
    return Result(requests, duration_us / 1e6, p50_us / 1000, p99_us / 1000, errors, cpu)


async def _aiohttp_load(url: str, seconds: float, connections: int, meter: CpuMeter) -> Result:
    latencies: list[float] = []
    errors = 0
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector, headers={"Authorization": AUTH}) as s:

        async def client(until: float, record: bool) -> None:
            nonlocal errors
            while time.perf_counter() < until:
                started = time.perf_counter()
                async with s.get(url) as response:
                    await response.read()
                    ok = response.status == 200
                if record:
                    latencies.append(time.perf_counter() - started)
                    errors += not ok

        warm_until = time.perf_counter() + WARMUP_SECONDS
        await asyncio.gather(*(client(warm_until, False) for _ in range(connections)))
        meter.start()
        started = time.perf_counter()
        until = started + seconds
        await asyncio.gather(*(client(until, True) for _ in range(connections)))
        elapsed = time.perf_counter() - started
        cpu = meter.stop()
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return Result(len(latencies), elapsed, cuts[49] * 1000, cuts[98] * 1000, errors, cpu)


def run_aiohttp(url: str, seconds: float, connections: int, meter: CpuMeter) -> Result:
    return asyncio.run(_aiohttp_load(url, seconds, connections, meter))


def table(rows: list[tuple[str, Result | None]]) -> list[str]:
    width = max(len(name) for name, _ in rows)
    lines = [
        f"{'route':<{width}}  {'req/s':>8}  {'p50 ms':>7}  {'p99 ms':>7}  {'errors':>6}  "
        f"{'CPU us/req':>10}"
    ]
    for name, result in rows:
        if result is None:
            lines.append(f"{name:<{width}}  unavailable (the emulator does not serve this route)")
        else:
            cpu = "n/a" if result.cpu_us is None else f"{result.cpu_us:.0f}"
            lines.append(
                f"{name:<{width}}  {result.rate:>8.0f}  {result.p50_ms:>7.2f}  "
                f"{result.p99_ms:>7.2f}  {result.errors:>6}  {cpu:>10}"
            )
    return lines


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.emulator_throughput",
        description="Measure the emulator's throughput on its hot read routes.",
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per route")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections")
    parser.add_argument("--tool", choices=["auto", "wrk", "aiohttp"], default="auto")
    parser.add_argument(
        "--models", type=int, default=0, help="grow the catalog to this many ML models first"
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="results file")
    parser.add_argument("--no-save", action="store_true", help="only print the results")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    wrk = ensure_wrk() if args.tool in ("auto", "wrk") else None
    if args.tool == "wrk" and wrk is None:
        raise SystemExit("wrk is not installed and could not be installed")
    tool = "wrk -t1 (Lua script adds the Authorization header)" if wrk else "aiohttp loop"
    rows: list[tuple[str, Result | None]] = []
    with emulator() as (url, pid):
        if args.models:
            control = EmulatorControl(url)
            grow_catalog(control, args.models)
            control.close()
        meter = CpuMeter(pid)
        for target in discover(url):
            result = None
            if target.path is not None:
                full = url + target.path
                if wrk:
                    result = run_wrk(wrk, full, args.seconds, args.connections, meter)
                else:
                    result = run_aiohttp(full, args.seconds, args.connections, meter)
            rows.append((target.name, result))
            print(f"done: {target.name}", file=sys.stderr)
    command = " ".join([".venv/bin/python -m bench.emulator_throughput", *(argv or sys.argv[1:])])
    report = [
        f"$ {command}",
        f"date: {datetime.now(UTC).isoformat(timespec='seconds')}",
        f"load: {tool}, {args.connections} connections, {args.seconds:g} s per route "
        f"after {WARMUP_SECONDS:g} s warm-up",
        f"host: {platform.platform()}, {os.cpu_count()} CPUs (load generator shares them), "
        f"Python {platform.python_version()}",
        f"data: {f'catalog grown to {args.models} ML models' if args.models else 'the seed'}",
        "server: python -m gateway emulator --data :memory: --latency-ms 0 (one uvicorn worker); "
        "CPU: the emulator process's user + system time per measured request",
        "",
        *table(rows),
    ]
    print("\n".join(report))
    if not args.no_save:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text("\n".join(report) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
