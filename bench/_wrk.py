"""The load generator: wrk posting GraphQL bodies in rotation, and what it reports."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass

from gateway.emulator.config import DEFAULT_TOKEN

ACCEPT = "application/graphql-response+json, application/json;q=0.9"
# The caller's credentials (the emulator's admin): mutations need them; reads cost the same
# with them as with the gateway's service token.
AUTHORIZATION = f"Bearer {DEFAULT_TOKEN}"
# Headers of every request the benchmarks send to a gateway.
GATEWAY_HEADERS = {
    "Content-Type": "application/json",
    "Accept": ACCEPT,
    "Authorization": AUTHORIZATION,
}
TIMEOUT = "60s"

# `sent` counts requests written, those abandoned at the end included: the gateway still
# completes them, so their upstream calls are counted.
SCRIPT = """
local bodies = {%(bodies)s}
local prepared = {}
local turn = 0
sent = 0
failed = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local headers = {["Content-Type"] = "application/json", ["Accept"] = "%(accept)s",
                   ["Authorization"] = "%(authorization)s"}
  for k, body in ipairs(bodies) do
    prepared[k] = wrk.format("POST", nil, headers, body)
  end
end

function request()
  turn = turn %% #prepared + 1
  sent = sent + 1
  return prepared[turn]
end

-- A GraphQL error answers 200 too: look for it in the body.
function response(status, headers, body)
  if status == 200 and string.find(body, '"errors":', 1, true) then
    failed = failed + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  local graphql = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("sent")
    graphql = graphql + thread:get("failed")
  end
  local e = summary.errors
  io.write(string.format("BENCH %%d %%d %%d %%d %%d %%d\\n", summary.requests,
    summary.duration, latency:percentile(50), latency:percentile(99),
    e.status + e.connect + e.read + e.write + e.timeout + graphql, total))
end
"""


@dataclass(frozen=True, slots=True)
class Load:
    """One wrk run."""

    completed: int
    sent: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int  # socket errors, non-2xx answers and answers carrying GraphQL errors


def ensure_wrk() -> str:
    """The path of `wrk`, installing Debian's package when missing and running as root."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SystemExit(
            "wrk is not installed: install it as root with `apt-get install -y wrk` "
            "(Debian/Ubuntu), then run the benchmark again"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for step in (["update", "-q"], ["install", "-y", "-q", "wrk"]):
        subprocess.run(["apt-get", *step], check=False, capture_output=True, env=env)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is missing and `apt-get install -y wrk` did not install it")
    return found


def _lua_string(body: bytes) -> str:
    text = body.decode()
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def run_wrk(wrk: str, url: str, bodies: Sequence[bytes], connections: int, seconds: float) -> Load:
    """POST `bodies` in turn to `url` over `connections` keep-alive connections."""
    script = SCRIPT % {
        "bodies": ",\n".join(map(_lua_string, bodies)),
        "accept": ACCEPT,
        "authorization": AUTHORIZATION,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
    try:
        duration = f"-d{max(1, round(seconds))}s"
        command = [wrk, "-t1", f"-c{connections}", duration, "--timeout", TIMEOUT]
        done = subprocess.run(
            [*command, "-s", file.name, url], check=False, capture_output=True, text=True
        )
    finally:
        os.unlink(file.name)
    match = re.search(r"^BENCH (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$", done.stdout, re.MULTILINE)
    if done.returncode != 0 or match is None:
        raise SystemExit(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    completed, duration_us, p50_us, p99_us, errors, sent = map(int, match.groups())
    # wrk calls `request()` once more than it sends, to check the script before the run.
    return Load(completed, sent - 1, duration_us / 1e6, p50_us / 1000, p99_us / 1000, errors)
