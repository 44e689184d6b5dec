"""Starts the embedded upstreams (`gateway emulator`) as a child process for `gateway serve`."""

from __future__ import annotations

import ctypes
import signal
import socket
import subprocess
import sys
import time

import httpx

from gateway.emulator.config import DEFAULT_TOKEN


def _die_with_parent() -> None:
    """Linux: the child gets SIGTERM when the gateway dies, however it dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_pdeathsig = 1
    libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class EmbeddedUpstreams:
    """A running emulator process on a free loopback port."""

    def __init__(self, data_dir: str, latency_ms: float = 0.0) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = DEFAULT_TOKEN
        command = [
            sys.executable, "-m", "gateway", "emulator",
            "--host", "127.0.0.1", "--port", str(self.port),
            "--data", data_dir, "--latency-ms", str(latency_ms),
        ]  # fmt: skip
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            command,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            # Its own session: a terminal's Ctrl-C reaches only the gateway, which drains
            # its requests first and then stops the upstreams.
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the embedded upstreams exited with status {self.process.returncode}"
                )
            try:
                if httpx.get(f"{self.url}/_emulator/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the embedded upstreams did not start within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
