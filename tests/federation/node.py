"""Running federation/'s node scripts from tests: one-shot commands and servers on free ports."""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import IO, Any

from tests.federation.environment import FEDERATION_DIR, node_environment

START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
COMPOSE_TIMEOUT = 120.0
LISTENING = "listening on "


def compose(node: str, config: dict[str, Any], workdir: Path) -> dict[str, Any]:
    """compose.mjs's JSON report for a Rover-style config (relative files are from workdir)."""
    path = workdir / "supergraph.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    done = subprocess.run(
        [node, str(FEDERATION_DIR / "compose.mjs"), str(path), "--json"],
        capture_output=True,
        text=True,
        timeout=COMPOSE_TIMEOUT,
        env=node_environment(),
        check=False,
    )
    if not done.stdout.strip():
        raise RuntimeError(f"compose.mjs exited {done.returncode}: {done.stderr[-2000:]}")
    report: dict[str, Any] = json.loads(done.stdout)
    return report


class NodeServer:
    """A node server script that prints `listening on <url>` once it accepts requests."""

    def __init__(self, node: str, script: str, *args: str, log: Path) -> None:
        self.command = [node, str(FEDERATION_DIR / script), *args, "--port", "0"]
        self.log = log
        self.process: subprocess.Popen[str] | None = None
        self.url = ""

    def start(self) -> NodeServer:
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                self.command,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                env=node_environment(),
            )
        lines: queue.Queue[str] = queue.Queue()
        # Drains stdout for the process's whole life, so its pipe never fills up.
        threading.Thread(target=_pump, args=(self.process.stdout, lines), daemon=True).start()
        deadline = time.monotonic() + START_TIMEOUT
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = lines.get(timeout=left)
            except queue.Empty:
                break
            if line.startswith(LISTENING):
                self.url = line[len(LISTENING) :].strip()
                return self
            if not line:
                break
        self.stop()
        raise RuntimeError(f"{' '.join(self.command)} did not start:\n{self.log_tail()}")

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)


def _pump(stream: IO[str] | None, lines: queue.Queue[str]) -> None:
    """Every line of `stream`, then "" at its end."""
    if stream is None:
        lines.put("")
        return
    with stream:
        for line in stream:
            lines.put(line)
    lines.put("")
