"""Soak: mixed queries and mutations for minutes while faults are injected now and then.

    .venv/bin/python -m bench.soak [--minutes 5] [--workers 6] [--output PATH | --no-save]

Starts `python -m gateway emulator` and `python -m gateway serve` (upstream timeout 1 s) in
their own processes. Closed-loop workers, each acting as its own seeded users, send reads
(pages with followers and votes, models with versions, tables, users, `me`, a persisted
query by hash) and writes (follow / unfollow / vote on ML models and tables). Every 15 s
a fault from a fixed cycle (5xx, 429, garbage bodies, a hang on reads) is armed through
the emulator's knobs for 3 s, for a few requests. It passes when:

- every error is one an injected fault explains: an upstream code (UPSTREAM_ERROR,
  UPSTREAM_UNAVAILABLE, RATE_LIMITED), during a fault window, in no more responses than
  faults fired; no other error, no HTTP 5xx, no typed mutation error;
- no write is lost: each acknowledged write is in the answer's re-read asset, and at the
  end the catalog's followers and voters of every asset are exactly what the acknowledged
  writes left (writes that failed are re-sent once faults stop, as their effect is unknown);
- the gateway's resident memory (/proc) grew less than 10 % from the end of the warm-up
  (the first fifth of the run) to the end.

The report is printed and saved with the command line, date and duration to
bench/results/soak.txt. The exit status is 1 when a check fails.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from gateway.emulator.auth import make_jwt
from gateway.emulator.catalog.seed import SEED_PEOPLE
from gateway.emulator.config import DEFAULT_TOKEN
from gateway.server.embedded import free_port

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = ROOT / "bench" / "results" / "soak.txt"
ADMIN = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
INJECTED_CODES = frozenset({"UPSTREAM_ERROR", "UPSTREAM_UNAVAILABLE", "RATE_LIMITED"})
USERS_PER_WORKER = 3
FAULT_EVERY, FAULT_WINDOW, FAULT_SLACK = 15.0, 3.0, 3.0
RSS_EVERY, MAX_GROWTH = 5.0, 0.10
# Memory is compared from the end of the warm-up (caches filled, pools open) to the end.
WARM_UP_SHARE = 0.2
# Faults answer before the emulator's handler runs, so a faulted write never happens; hangs
# are armed on reads only, where a write could otherwise land after the gateway gave up.
FAULTS: tuple[dict[str, Any], ...] = (
    {"match": "catalog", "status": 503, "times": 4},
    {"match": "GET /api/v1/mlmodels", "status": 500, "times": 3},
    {"match": "catalog", "body": "non-json", "times": 3},
    {"match": "PUT /api/v1/mlmodels/{id}/followers", "status": 503, "times": 2},
    {"match": "catalog", "status": 429, "times": 3},
    {"match": "GET /api/v1/mlmodels/{id}", "delay_ms": 1500, "times": 2},
    {"match": "PUT /api/v1/mlmodels/{id}/vote", "status": 502, "times": 2},
    {"match": "registry", "status": 503, "times": 3},
    {"match": "catalog", "body": "schema-violation", "times": 2},
    {"match": "GET /api/v1/users/loggedInUser", "status": 500, "times": 2},
)
_VOTERS = "votes { upVoters { name } downVoters { name } }"
QUERIES = {
    "page": "query Page { mlModels(first: 10) { nodes { id name followerCount "
    "votes { upVotes downVotes } service { name } followers { name } } } }",
    "model": "query Model($id: ID!) { mlModel(id: $id) { name algorithm service { name "
    "serviceType } owners { name } tags { tagFQN } versions(first: 3) { nodes { rid } } } }",
    "tables": "query Tables { tables(first: 5) { nodes { name columns { name dataType } "
    "followers { name } mlModels { name } } } }",
    "users": "query Users { users(first: 20) { nodes { name email } } }",
    "me": "query Me { me { name } }",
    "services": "query Services { services(kind: ML_MODEL) { nodes { name "
    "mlModels(first: 5) { totalCount } } } }",
}
PERSISTED = QUERIES["page"]
FOLLOW = (
    "mutation Follow($kind: AssetKind!, $id: ID!) { %s(kind: $kind, id: $id) { __typename "
    "... on FollowSuccess { asset { ... on MlModel { followers { name } } "
    "... on Table { followers { name } } } } ... on MutationError { code message } } }"
)
VOTE = (
    "mutation Vote($kind: AssetKind!, $id: ID!, $vote: VoteType!) { vote(kind: $kind, "
    "id: $id, vote: $vote) { __typename ... on VoteSuccess { vote asset { "
    f"... on MlModel {{ {_VOTERS} }} ... on Table {{ {_VOTERS} }} }} }} "
    "... on MutationError { code message } } }"
)
OPERATIONS = {"page": 20, "model": 15, "tables": 10, "users": 5, "me": 5, "services": 5}
OPERATIONS |= {"persisted": 10, "follow": 15, "vote": 15}


@dataclass(slots=True)
class Server:
    name: str
    process: subprocess.Popen[bytes]
    url: str

    def rss_mib(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError(f"no VmRSS for {self.name}")


@contextmanager
def serve(name: str, args: list[str], port: int) -> Iterator[Server]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")}
    command = [sys.executable, "-m", "gateway", *args, "--port", str(port)]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    server = Server(name, process, f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(f"{name} exited with status {process.returncode}")
            try:
                # Any answer (a 404 too) means the server is up.
                httpx.get(server.url + "/", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"{name} did not start") from None
                time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass(frozen=True, slots=True)
class Asset:
    kind: str  # AssetKind: ML_MODEL | TABLE
    id: str

    @property
    def path(self) -> str:
        return f"/api/v1/{'mlmodels' if self.kind == 'ML_MODEL' else 'tables'}/{self.id}"


@dataclass
class Run:
    """What the workers saw and what the writes should have left."""

    started: float = field(default_factory=time.monotonic)
    latencies: list[float] = field(default_factory=list)
    operations: Counter[str] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    injected_error_times: list[float] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    acknowledged: Counter[str] = field(default_factory=Counter)
    # (user, asset) -> followed / vote; None: a write whose effect is unknown.
    follows: dict[tuple[str, Asset], bool | None] = field(default_factory=dict)
    votes: dict[tuple[str, Asset], str | None] = field(default_factory=dict)
    windows: list[tuple[float, float]] = field(default_factory=list)
    fault_hits: int = 0
    rss: list[tuple[float, float]] = field(default_factory=list)

    def errors_of(self, name: str, status: int, body: Any) -> bool:
        """Record the answer's errors; True when it has any."""
        errors = body.get("errors") if isinstance(body, dict) else None
        if status >= 500 or not isinstance(body, dict) or (not errors and "data" not in body):
            self.unexpected.append(f"{name}: HTTP {status} {str(body)[:200]}")
            return True
        if not errors:
            return False
        codes = [e.get("extensions", {}).get("code") for e in errors]
        self.codes.update(codes)
        if all(code in INJECTED_CODES for code in codes):
            self.injected_error_times.append(time.monotonic())
        else:
            self.unexpected.append(f"{name}: {codes} {errors[0].get('message')!r}")
        return True


def _names(users: list[dict[str, Any]] | None) -> set[str]:
    return {user["name"] for user in users or ()}


async def _post(client: httpx.AsyncClient, body: dict[str, Any], user: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {make_jwt(user)}"}
    return await client.post("/graphql", json=body, headers=headers)


async def _write(
    client: httpx.AsyncClient, run: Run, user: str, asset: Asset, action: str, value: str
) -> bool:
    """Follow (value "true"/"false") or vote (UP/DOWN/NONE); True when acknowledged."""
    variables = {"kind": asset.kind, "id": asset.id}
    if action == "follow":
        query = FOLLOW % ("follow" if value == "true" else "unfollow")
    else:
        query = VOTE
        variables["vote"] = value
    response = await _post(client, {"query": query, "variables": variables}, user)
    body = response.json()
    key = (user, asset)
    if run.errors_of(action, response.status_code, body):
        (run.follows if action == "follow" else run.votes)[key] = None
        return False
    result = next(iter(body["data"].values()))
    if result["__typename"] not in ("FollowSuccess", "VoteSuccess"):
        run.unexpected.append(f"{action}: {result}")
        (run.follows if action == "follow" else run.votes)[key] = None
        return False
    run.acknowledged[action] += 1
    if action == "follow":
        run.follows[key] = value == "true"
        if (user in _names(result["asset"]["followers"])) != (value == "true"):
            run.unexpected.append(f"follow: {user} {value} not in the re-read {asset}")
    else:
        run.votes[key] = value
        votes = result["asset"]["votes"]
        seen = "UP" if user in _names(votes["upVoters"]) else "NONE"
        seen = "DOWN" if user in _names(votes["downVoters"]) else seen
        if result["vote"] != value or seen != value:
            run.unexpected.append(f"vote: {user} {value} read back as {seen}")
    return True


async def worker(
    client: httpx.AsyncClient,
    run: Run,
    users: list[str],
    assets: list[Asset],
    seed: int,
    until: float,
) -> None:
    rng = random.Random(seed)
    names, weights = list(OPERATIONS), list(OPERATIONS.values())
    persisted = {"version": 1, "sha256Hash": hashlib.sha256(PERSISTED.encode()).hexdigest()}
    registered = False
    while time.monotonic() < until:
        name = rng.choices(names, weights)[0]
        user, asset = rng.choice(users), rng.choice(assets)
        began = time.perf_counter()
        try:
            if name == "follow":
                await _write(client, run, user, asset, "follow", rng.choice(["true", "false"]))
            elif name == "vote":
                await _write(client, run, user, asset, "vote", rng.choice(["UP", "DOWN", "NONE"]))
            else:
                body: dict[str, Any] = {"query": QUERIES.get(name, PERSISTED)}
                if name == "model":
                    ml = [a for a in assets if a.kind == "ML_MODEL"]
                    body["variables"] = {"id": rng.choice(ml).id}
                if name == "persisted":
                    body["extensions"] = {"persistedQuery": persisted}
                    if registered:
                        del body["query"]
                response = await _post(client, body, user)
                registered = registered or (name == "persisted" and response.status_code == 200)
                run.errors_of(name, response.status_code, response.json())
        except (httpx.HTTPError, ValueError) as exc:
            run.unexpected.append(f"{name}: {type(exc).__name__}: {exc}")
        run.latencies.append((time.perf_counter() - began) * 1000)
        run.operations[name] += 1


async def inject_faults(admin: httpx.AsyncClient, run: Run, until: float) -> None:
    for fault in _cycle(FAULTS):
        await asyncio.sleep(FAULT_EVERY - FAULT_WINDOW)
        if time.monotonic() + FAULT_WINDOW > until:
            return
        start = time.monotonic()
        (await admin.post("/faults", json=fault)).raise_for_status()
        await asyncio.sleep(FAULT_WINDOW)
        left = (await admin.get("/faults")).json()["faults"]
        (await admin.delete("/faults")).raise_for_status()
        run.fault_hits += fault["times"] - sum(f.get("times") or 0 for f in left)
        run.windows.append((start, time.monotonic()))


def _cycle(faults: tuple[dict[str, Any], ...]) -> Iterator[dict[str, Any]]:
    while True:
        yield from faults


async def sample_rss(gateway: Server, run: Run, until: float) -> None:
    while time.monotonic() < until:
        run.rss.append((time.monotonic() - run.started, gateway.rss_mib()))
        await asyncio.sleep(RSS_EVERY)
    run.rss.append((time.monotonic() - run.started, gateway.rss_mib()))


def catalog_state(emulator: str, assets: list[Asset]) -> dict[Asset, dict[str, set[str]]]:
    state = {}
    with httpx.Client(base_url=f"{emulator}", headers=ADMIN, timeout=10) as client:
        for asset in assets:
            entity = client.get(asset.path, params={"fields": "followers,votes"}).json()
            votes = entity.get("votes") or {}
            state[asset] = {
                "followers": _names(entity.get("followers")),
                "UP": _names(votes.get("upVoters")),
                "DOWN": _names(votes.get("downVoters")),
            }
    return state


def discover_assets(emulator: str) -> list[Asset]:
    with httpx.Client(base_url=emulator, headers=ADMIN, timeout=10) as client:
        models = client.get("/api/v1/mlmodels", params={"limit": 6}).json()["data"]
        tables = client.get("/api/v1/tables", params={"limit": 3}).json()["data"]
    return [Asset("ML_MODEL", m["id"]) for m in models] + [Asset("TABLE", t["id"]) for t in tables]


def lost_writes(run: Run, before: dict[Asset, Any], after: dict[Asset, Any]) -> list[str]:
    """How the catalog differs from its first state changed by the acknowledged writes."""
    expected = {
        asset: {key: set(names) for key, names in sets.items()} for asset, sets in before.items()
    }
    for (user, asset), followed in run.follows.items():
        expected[asset]["followers"].discard(user)
        if followed:
            expected[asset]["followers"].add(user)
    for (user, asset), vote in run.votes.items():
        expected[asset]["UP"].discard(user)
        expected[asset]["DOWN"].discard(user)
        if vote in ("UP", "DOWN"):
            expected[asset][vote].add(user)
    return [
        f"{asset} {key}: expected {sorted(names)}, catalog has {sorted(after[asset][key])}"
        for asset, sets in expected.items()
        for key, names in sets.items()
        if after[asset][key] != names
    ]


async def settle(client: httpx.AsyncClient, run: Run) -> int:
    """Re-send the writes whose effect is unknown, now that no fault is armed."""
    unknown = [(k, "follow", "false") for k, v in run.follows.items() if v is None]
    unknown += [(k, "vote", "NONE") for k, v in run.votes.items() if v is None]
    for (user, asset), action, value in unknown:
        if not await _write(client, run, user, asset, action, value):
            run.unexpected.append(f"settle: {action} {user} {asset} failed without faults")
    return len(unknown)


def rss_after_warm_up(run: Run, minutes: float) -> float:
    """Mean of the first three samples after the warm-up."""
    warm = [mib for t, mib in run.rss if t >= minutes * 60 * WARM_UP_SHARE][:3]
    return statistics.mean(warm or [mib for _, mib in run.rss])


def report(args: argparse.Namespace, run: Run, checks: dict[str, str], wall: float) -> str:
    rate = sum(run.operations.values()) / (args.minutes * 60)
    latencies = sorted(run.latencies)
    p99 = latencies[int(len(latencies) * 0.99)]
    rss = [mib for _, mib in run.rss]
    lines = [
        f"# bench/soak.py, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {args.minutes:g} min of load, "
        f"{wall / 60:.1f} min in all (start-up, settling, checks)",
        f"command: .venv/bin/python -m bench.soak {' '.join(sys.argv[1:])}".rstrip(),
        f"machine: {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; emulator and gateway in their own processes",
        f"load: {args.workers} closed-loop workers, {USERS_PER_WORKER} users each; "
        f"operations {dict(run.operations)}",
        f"requests: {sum(run.operations.values())} ({rate:.0f}/s), p50 "
        f"{statistics.median(latencies):.1f} ms, p99 {p99:.1f} ms",
        f"faults: {len(run.windows)} windows, {run.fault_hits} requests hit; responses with "
        f"injected errors {len(run.injected_error_times)}; error codes {dict(run.codes)}",
        f"writes acknowledged: {dict(run.acknowledged)}; pairs followed/voted "
        f"{len(run.follows)}/{len(run.votes)}",
        f"gateway RSS MiB: first {rss[0]:.1f}, after warm-up "
        f"{rss_after_warm_up(run, args.minutes):.1f}, peak "
        f"{max(rss):.1f}, last {rss[-1]:.1f}",
        *(f"check {name}: {verdict}" for name, verdict in checks.items()),
        f"unexpected ({len(run.unexpected)}): {run.unexpected[:10]}",
        "result: " + ("PASS" if all(v.startswith("ok") for v in checks.values()) else "FAIL"),
    ]
    return "\n".join(lines) + "\n"


def verdicts(run: Run, lost: list[str], minutes: float) -> dict[str, str]:
    def in_window(t: float) -> bool:
        return any(start <= t <= end + FAULT_SLACK for start, end in run.windows)

    stray = [t for t in run.injected_error_times if not in_window(t)]
    explained = len(run.injected_error_times) <= run.fault_hits and not stray
    last = [mib for _, mib in run.rss][-3:]
    growth = statistics.mean(last) / rss_after_warm_up(run, minutes) - 1
    return {
        "errors only from faults": (
            f"ok ({len(run.injected_error_times)} responses <= {run.fault_hits} hits)"
            if explained and not run.unexpected
            else f"FAIL ({len(stray)} outside windows, {len(run.unexpected)} unexpected)"
        ),
        "no lost writes": "ok" if not lost else f"FAIL: {lost[:5]}",
        "memory growth": f"{'ok' if growth < MAX_GROWTH else 'FAIL'} ({growth:+.1%}, limit "
        f"{MAX_GROWTH:.0%})",
    }


async def soak(args: argparse.Namespace, emulator: Server, gateway: Server, began: float) -> str:
    assets = discover_assets(emulator.url)
    before = catalog_state(emulator.url, assets)
    people = [name for name, _ in SEED_PEOPLE]
    run = Run()
    until = run.started + args.minutes * 60
    limits = httpx.Limits(max_connections=args.workers, max_keepalive_connections=args.workers)
    async with (
        httpx.AsyncClient(base_url=gateway.url, timeout=30, limits=limits) as client,
        httpx.AsyncClient(base_url=f"{emulator.url}/_emulator", timeout=10) as admin,
    ):
        users = [people[i :: args.workers][:USERS_PER_WORKER] for i in range(args.workers)]
        await asyncio.gather(
            inject_faults(admin, run, until),
            sample_rss(gateway, run, until),
            *(worker(client, run, users[i], assets, i, until) for i in range(args.workers)),
        )
        (await admin.delete("/faults")).raise_for_status()
        await settle(client, run)
    lost = lost_writes(run, before, catalog_state(emulator.url, assets))
    checks = verdicts(run, lost, args.minutes)
    return report(args, run, checks, time.monotonic() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0, help="duration of the load")
    parser.add_argument("--workers", type=int, default=6, help="concurrent clients (<= 6)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="report file")
    parser.add_argument("--no-save", action="store_true", help="print the report only")
    args = parser.parse_args()
    args.workers = max(1, min(args.workers, len(SEED_PEOPLE) // USERS_PER_WORKER))
    began = time.monotonic()
    emulator_port, gateway_port = free_port(), free_port()
    emulator_url = f"http://127.0.0.1:{emulator_port}"
    with ExitStack() as stack:
        emulator = stack.enter_context(
            serve("emulator", ["emulator", "--data", ":memory:", "--log-level", "warning"],
                  emulator_port)
        )  # fmt: skip
        gateway = stack.enter_context(
            serve(
                "gateway",
                [
                    "serve", "--catalog-url", f"{emulator_url}/api", "--registry-url",
                    emulator_url, "--catalog-token", DEFAULT_TOKEN, "--registry-token",
                    DEFAULT_TOKEN, "--upstream-timeout", "1", "--log-level", "error",
                ],
                gateway_port,
            )
        )  # fmt: skip
        text = asyncio.run(soak(args, emulator, gateway, began))
    print(text, end="")
    if not args.no_save:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text)
    raise SystemExit(0 if "result: PASS" in text else 1)


if __name__ == "__main__":
    main()
