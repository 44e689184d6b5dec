"""The processes under test: the emulator and the gateway, each in its own process, and their
CPU time and resident memory read from /proc."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from gateway.emulator.config import DEFAULT_TOKEN

ROOT = Path(__file__).resolve().parents[1]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(slots=True)
class Server:
    """A server process on a loopback port."""

    name: str
    process: subprocess.Popen[bytes]
    url: str

    @property
    def pid(self) -> int:
        return self.process.pid

    def cpu_seconds(self) -> float:
        """User + system CPU of the process so far (all its threads)."""
        stat = Path(f"/proc/{self.pid}/stat").read_text()
        # Fields after the parenthesised command name, which may itself contain spaces.
        fields = stat[stat.rindex(")") + 2 :].split()
        utime, stime = int(fields[11]), int(fields[12])
        return (utime + stime) / CLOCK_TICKS

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError(f"no VmRSS for {self.name} (pid {self.pid})")


def _wait_healthy(server: Server, path: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if server.process.poll() is not None:
            raise SystemExit(f"{server.name} exited with status {server.process.returncode}")
        try:
            if httpx.get(server.url + path, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"{server.name} did not start within {START_TIMEOUT:.0f} s")
        time.sleep(0.1)


@contextmanager
def _running(
    name: str,
    command: list[str],
    port: int,
    health: str,
    cwd: Path = ROOT,
    env: Mapping[str, str] | None = None,
) -> Iterator[Server]:
    environ = {**os.environ, **env} if env else None
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, env=environ)
    server = Server(name, process, f"http://127.0.0.1:{port}")
    try:
        _wait_healthy(server, health)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def emulator_command(port: int, latency_ms: float) -> list[str]:
    return [
        sys.executable, "-m", "gateway", "emulator", "--host", "127.0.0.1",
        "--port", str(port), "--data", ":memory:", "--latency-ms", f"{latency_ms:g}",
        "--log-level", "warning",
    ]  # fmt: skip


def gateway_command(port: int, upstream: str) -> list[str]:
    """`gateway serve` with production settings against external upstreams."""
    return [
        sys.executable, "-m", "gateway", "serve", "--host", "127.0.0.1", "--port", str(port),
        "--catalog-url", f"{upstream}/api", "--registry-url", upstream,
        "--catalog-token", DEFAULT_TOKEN, "--registry-token", DEFAULT_TOKEN,
        "--log-level", "warning",
    ]  # fmt: skip


@contextmanager
def emulator(latency_ms: float, cwd: Path = ROOT, name: str = "emulator") -> Iterator[Server]:
    """`gateway emulator` run from `cwd` (whose `gateway` package is the one imported)."""
    port = free_port()
    command = emulator_command(port, latency_ms)
    with _running(name, command, port, "/_emulator/health", cwd) as server:
        yield server


@contextmanager
def gateway(
    upstream: str,
    cwd: Path = ROOT,
    name: str = "gateway",
    env: Mapping[str, str] | None = None,
) -> Iterator[Server]:
    """`gateway serve` run from `cwd`: the `gateway` package of that checkout is the one
    imported (`python -m` puts the working directory first on the path); `env` adds to its
    environment (settings such as GATEWAY_EXECUTOR)."""
    port = free_port()
    command = gateway_command(port, upstream)
    with _running(name, command, port, "/healthz", cwd, env) as server:
        yield server
