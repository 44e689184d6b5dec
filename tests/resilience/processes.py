"""`gateway serve` as a child process for tests: start, wait until healthy, find its children."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from gateway.server.embedded import free_port


class ServeProcess:
    """A `gateway serve` process on a free port, its stderr kept in a file."""

    def __init__(self, args: list[str], log: Path, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        clean = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")}
        clean.pop("PROMETHEUS_MULTIPROC_DIR", None)
        command = [sys.executable, "-m", "gateway", "serve", "--port", str(self.port), *args]
        with log.open("wb") as stderr:
            self.process = subprocess.Popen(
                command, env={**clean, **(env or {})}, stdout=subprocess.DEVNULL, stderr=stderr
            )

    def wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gateway serve exited: {self.log.read_text()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError("gateway serve did not become healthy")

    def wait_exit(self, timeout: float) -> int:
        return self.process.wait(timeout=timeout)

    def stop(self) -> None:
        """Make sure the process is gone (after a test that failed half-way)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def children(pid: int) -> dict[int, str]:
    """The child processes of `pid`: pid -> command line."""
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: fields follow the last ')'.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            found[int(entry.name)] = cmdline
    return found


def running(pid: int) -> bool:
    """True while `pid` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_gone(pids: list[int], timeout: float) -> list[int]:
    """The pids still running after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        alive = [pid for pid in pids if running(pid)]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)
