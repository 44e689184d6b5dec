"""Before/after: another revision and the working tree, measured in one run.

    .venv/bin/python -m bench.compare --base REV [--side gateway|emulator|both]
        [--base-env NAME=VALUE ...] [--head-env NAME=VALUE ...] [--rounds 3] [--seconds 5]
        [--cells Q1:1,Q1:10,Q2:1,Q3:1,Q3:10] [--output PATH]

Checks out REV in a temporary git worktree. With `--side gateway` (the default) it starts
two `gateway serve` processes, one from that worktree (A) and one from this checkout (B),
against one emulator from this checkout; both answer the same bodies, checked before any
timing. With `--side emulator`, two emulators, one from each (A and B), each with its own
gateway from this checkout; with `--side both`, A is gateway and emulator from the
worktree, B both from this checkout. Emulators run with 5 ms latency and 1,000 ML models,
as in bench/gateway_bench.py; answers from two emulators are checked like the bench's.
`--base-env` sets environment variables of A's gateway only: `--base HEAD --base-env
GATEWAY_EXECUTOR=standard` compares Strawberry's standard executor (A) with the fast one (B).
`--head-env` sets those of B's gateway: `--base HEAD --base-env GATEWAY_BATCH_VIA_SEARCH=false
--head-env GATEWAY_BATCH_VIA_SEARCH=true` compares a setting off (A) and on (B).
The cells are the bench's queries (Q1 is its 50-model page): Q1, Q2, Q3, Q4 (follow/vote),
Q5 (`updateMlModel` edits; its models are reset before each run, as in the bench), Q6 (the
search page; `Q6` is its 20 hits, `Q6/10` and `Q6/50` the other sizes), Q7/1 and Q7/3 (a
model's lineage at that depth) and Q8 (Q1's page with the followers' emails).

Each cell (a query at a concurrency) is loaded with wrk on A and B in turn, the order
flipped every round, so a machine that gets slower or faster mid-run weighs on both
alike. Prints, per cell, the median over rounds of gateway and emulator CPU ms per query,
upstream calls per query (the emulator's counters, reset before the run and read once the
gateway is idle, divided by the requests sent), p50, p99 and q/s for A and B, and B/A.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson

from bench._dataset import Dataset, EmulatorControl, grow_catalog
from bench._procs import ROOT, Server, emulator, gateway
from bench._queries import LIST_SIZE, SEARCH_SIZE, SEARCH_SIZES, Operation, operations, search_page
from bench._wrk import GATEWAY_HEADERS, ensure_wrk, run_wrk
from bench.gateway_bench import CATALOG_SIZE, LATENCY_MS

DEFAULT_CELLS = "Q1:1,Q1:10,Q2:1,Q3:1,Q3:10"
WARMUP_SECONDS = 1.0
SETTLE_SECONDS = 0.3
# Cell names that stand for a bench key.
ALIASES = {"Q1": f"Q1/{LIST_SIZE}", "Q6": f"Q6/{SEARCH_SIZE}"}

# One side's run of a cell: gateway CPU ms/q, p50 ms, q/s, errors, emulator CPU ms/q, p99 ms,
# upstream calls per request sent.
Run = tuple[float, float, float, int, float, float, float]
SIDES = ("gateway", "emulator", "both")


@contextmanager
def worktree(revision: str) -> Iterator[Path]:
    """A detached checkout of `revision`, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="gateway-base-") as parent:
        path = Path(parent) / "tree"
        subprocess.run(
            ["git", "worktree", "add", "--detach", "--quiet", str(path), revision],
            cwd=ROOT,
            check=True,
        )
        try:
            yield path
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(path)], cwd=ROOT, check=False
            )


def imported_from(cwd: Path) -> Path:
    """Where `python -m gateway` run in `cwd` imports the package from."""
    done = subprocess.run(
        [sys.executable, "-c", "import gateway; print(gateway.__file__)"],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    )
    return Path(done.stdout.strip()).parent.parent


def answer(server: Server, body: bytes) -> tuple[int, Any]:
    response = httpx.post(
        f"{server.url}/graphql", content=body, headers=GATEWAY_HEADERS, timeout=60
    )
    return response.status_code, orjson.loads(response.content)


def settled_calls(control: EmulatorControl) -> int:
    """The emulator's call counter once it stops moving (abandoned requests finished)."""
    calls = control.calls()
    while True:
        time.sleep(SETTLE_SECONDS)
        now = control.calls()
        if now == calls:
            return calls
        calls = now


def cell(wrk: str, side: Side, op: Operation, concurrency: int, seconds: float) -> Run:
    server, upstream = side.gateway, side.emulator
    control = EmulatorControl(upstream.url)
    url = f"{server.url}/graphql"
    op.ready()
    run_wrk(wrk, url, op.bodies, concurrency, WARMUP_SECONDS)
    settled_calls(control)
    op.ready()
    control.reset_counters()
    cpu, upstream_cpu = server.cpu_seconds(), upstream.cpu_seconds()
    load = run_wrk(wrk, url, op.bodies, concurrency, seconds)
    done = max(load.completed, 1)
    cpu_ms = (server.cpu_seconds() - cpu) * 1000 / done
    upstream_ms = (upstream.cpu_seconds() - upstream_cpu) * 1000 / done
    q_s = load.completed / load.seconds
    calls = settled_calls(control) / max(load.sent, 1)
    control.close()
    return cpu_ms, load.p50_ms, q_s, load.errors, upstream_ms, load.p99_ms, calls


@dataclass(frozen=True, slots=True)
class Side:
    """One side of the comparison: its gateway, its emulator and the queries it is sent."""

    gateway: Server
    emulator: Server
    ops: dict[str, Operation]


def start_sides(
    stack: ExitStack,
    side: str,
    tree: Path,
    base_env: dict[str, str],
    head_env: dict[str, str] | None = None,
) -> dict[str, Side]:
    """A and B as `--side` says, A's gateway with `base_env` added to its environment, B's
    with `head_env`;
    the emulators grown to the bench's catalog."""
    emulator_trees = {"A": tree if side != "gateway" else ROOT, "B": ROOT}
    gateway_trees = {"A": tree if side != "emulator" else ROOT, "B": ROOT}
    upstreams = {"A": stack.enter_context(emulator(LATENCY_MS, emulator_trees["A"], "emulator A"))}
    shared = emulator_trees["A"] == emulator_trees["B"]
    upstreams["B"] = (
        upstreams["A"] if shared else stack.enter_context(emulator(LATENCY_MS, ROOT, "emulator B"))
    )
    sides: dict[str, Side] = {}
    for name in ("A", "B"):
        upstream = upstreams[name]
        if not shared or name == "A":
            print(f"growing the catalog to {CATALOG_SIZE} ML models", file=sys.stderr)
            grow_catalog(EmulatorControl(upstream.url), CATALOG_SIZE)
        dataset = Dataset.discover(upstream.url)
        every = [*operations(dataset, True, True, True), *map(search_page, SEARCH_SIZES)]
        ops = {op.key: op for op in every}
        env = base_env if name == "A" else head_env
        server = stack.enter_context(
            gateway(upstream.url, gateway_trees[name], f"gateway {name}", env)
        )
        sides[name] = Side(server, upstream, ops)
    return sides


def check_answers(sides: dict[str, Side], keys: list[str], shared_upstream: bool) -> None:
    """Both sides answer alike: the same answers over one emulator, else each a correct one."""
    for key in keys:
        for index in range(2):
            answers = {}
            for name, side in sides.items():
                op = side.ops[key]
                op.ready()
                status, data = answer(side.gateway, op.bodies[index % len(op.bodies)])
                problem = None if status == 200 else f"HTTP {status}"
                if problem is None and isinstance(data, dict):
                    problem = op.check(data)
                if problem is not None:
                    raise SystemExit(f"{key}: {name} answers wrongly: {problem}")
                answers[name] = (status, data)
            if shared_upstream and answers["A"] != answers["B"]:
                raise SystemExit(f"{key}: A and B answer differently")


def parse_cells(text: str) -> list[tuple[str, int]]:
    cells = []
    for item in text.split(","):
        key, _, concurrency = item.partition(":")
        cells.append((ALIASES.get(key, key), int(concurrency or 1)))
    return cells


def base_env(pairs: list[str]) -> dict[str, str]:
    env: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise SystemExit(f"--base-env/--head-env: expected NAME=VALUE, got {pair!r}")
        env[name] = value
    return env


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.compare",
        description="--base against the working tree, interleaved in one run.",
    )
    parser.add_argument("--base", required=True, help="git revision to compare against")
    parser.add_argument(
        "--side",
        choices=SIDES,
        default="gateway",
        help="what runs from --base: the gateway (default), the emulator, or both",
    )
    parser.add_argument(
        "--base-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="environment variable of A's gateway (repeatable), e.g. GATEWAY_EXECUTOR=standard",
    )
    parser.add_argument(
        "--head-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="environment variable of B's gateway (repeatable)",
    )
    parser.add_argument("--rounds", type=int, default=3, help="A/B rounds per cell")
    parser.add_argument("--seconds", type=float, default=5.0, help="measured seconds per run")
    parser.add_argument("--cells", default=DEFAULT_CELLS, help="QUERY:CONCURRENCY, ...")
    parser.add_argument("--output", type=Path, help="also write the report here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    wrk = ensure_wrk()
    cells = parse_cells(args.cells)
    base = subprocess.run(
        ["git", "rev-parse", "--short", args.base], cwd=ROOT, check=True, capture_output=True,
        text=True,
    ).stdout.strip()  # fmt: skip
    head = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=ROOT, check=True, capture_output=True,
        text=True,
    ).stdout.strip()  # fmt: skip
    results: dict[tuple[str, int, str], list[Run]] = {}
    with ExitStack() as stack:
        tree = stack.enter_context(worktree(args.base))
        if imported_from(tree) != tree:
            raise SystemExit(f"python -m gateway in {tree} does not import that checkout")
        sides = start_sides(
            stack, args.side, tree, base_env(args.base_env), base_env(args.head_env)
        )
        shared = sides["A"].emulator is sides["B"].emulator
        check_answers(sides, [key for key, _ in cells], shared)
        for round_ in range(args.rounds):
            order = ("A", "B") if round_ % 2 == 0 else ("B", "A")
            for key, concurrency in cells:
                print(f"round {round_ + 1}: {key} concurrency {concurrency}", file=sys.stderr)
                for side in order:
                    op = sides[side].ops[key]
                    measured = cell(wrk, sides[side], op, concurrency, args.seconds)
                    results.setdefault((key, concurrency, side), []).append(measured)
    runs_from = {"gateway": "gateway", "emulator": "emulator", "both": "gateway and emulator"}
    lines = [
        f"$ .venv/bin/python -m bench.compare {' '.join(argv or sys.argv[1:])}",
        f"A: {runs_from[args.side]} at {base} (worktree)"
        + "".join(f" {pair}" for pair in args.base_env)
        + f"   B: {head} (this checkout)"
        + "".join(f" {pair}" for pair in args.head_env),
        f"{args.rounds} rounds of {args.seconds:g} s per side and cell, A/B order flipped "
        f"each round; emulator {LATENCY_MS:g} ms latency, {CATALOG_SIZE} ML models; medians",
        "",
        f"{'cell':<12}{'gw CPU ms/q A':>14}{'B':>7}{'B/A':>6}{'emu CPU A':>10}{'B':>7}"
        f"{'calls/q A':>10}{'B':>7}"
        f"{'p50 ms A':>9}{'B':>7}{'p99 ms A':>9}{'B':>7}{'q/s A':>7}{'B':>6}{'B/A':>6}"
        f"{'errors':>7}",
    ]
    for key, concurrency in cells:
        a = results[(key, concurrency, "A")]
        b = results[(key, concurrency, "B")]

        def med(rows: list[Run], i: int) -> float:
            return float(statistics.median(r[i] for r in rows))

        errors = sum(r[3] for r in a + b)
        lines.append(
            f"{f'{key} c{concurrency}':<12}{med(a, 0):>14.2f}{med(b, 0):>7.2f}"
            f"{med(b, 0) / med(a, 0):>6.2f}{med(a, 4):>10.2f}{med(b, 4):>7.2f}"
            f"{med(a, 6):>10.2f}{med(b, 6):>7.2f}"
            f"{med(a, 1):>9.1f}{med(b, 1):>7.1f}{med(a, 5):>9.1f}{med(b, 5):>7.1f}"
            f"{med(a, 2):>7.0f}{med(b, 2):>6.0f}{med(b, 2) / med(a, 2):>6.2f}{errors:>7}"
        )
    lines += ["", "every run, in round order (gateway CPU ms/q | emulator CPU ms/q | p50 ms):"]
    for key, concurrency in cells:
        for side in ("A", "B"):
            runs = results[(key, concurrency, side)]
            lines.append(
                f"{f'{key} c{concurrency}':<12}{side}  "
                + "  ".join(f"{r[0]:.2f} | {r[4]:.2f} | {r[1]:.1f}" for r in runs)
            )
    report = "\n".join(lines) + "\n"
    print(report)
    if args.output:
        args.output.write_text(report)


if __name__ == "__main__":
    main()
