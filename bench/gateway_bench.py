"""Gateway benchmark: frontend queries through the gateway against the emulated upstreams,
beside the floor (the same data fetched with the fewest direct REST calls).

    .venv/bin/python -m bench.gateway_bench [--quick] [--seconds N] [--soak-minutes N]
        [--concurrency 1,10,50] [--output PATH | --no-save]

Starts `gateway emulator --data :memory: --latency-ms 5` and `gateway serve` (production
settings, pointed at the emulator) in their own processes, grows the catalog to 1,000 ML
models through its REST API (clones of the seeded ones, with followers and votes), then
loads each query with wrk (a Lua script posting the JSON bodies) at each concurrency:
Q1 model list page, Q2 model detail, Q3 `_entities` with 100 MlModel representations, Q4
follow/vote mutations (when schema.graphql declares them), Q5 `updateMlModel` edits of a
description (a read and a patch each; the models are reset before each run, so every edit
changes one; when schema.graphql declares it), Q6 a search page (20 ML models matching
a word, with their tags, owners, service, follower count and the tag facet), Q7 a model's
lineage at depth 1 and 3 each way (Q6 and Q7 when schema.graphql declares `search` and
`lineage`), Q8 Q1's page with the followers' emails. Each cell reports q/s, p50/p99,
upstream calls per query (emulator counters: reset before, read after, divided by the
requests sent), gateway CPU ms per query (/proc utime+stime), gateway RSS and the
emulator's CPU per query; the floor (bench/floor.py) is measured the same way. Then: Q1
p50, CPU and upstream calls per page size (10/50/200/1000), the same for Q6 (10/20/50
hits), upstream round trips per
query (one request at 200 ms upstream latency), client-layer CPU per upstream call, and
the targets. The report goes to bench/results/gateway_bench.txt, the plot beside it.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson

from bench import floor
from bench._client import client_cpu
from bench._dataset import Dataset, EmulatorControl, grow_catalog
from bench._engine import engine_floor
from bench._procs import ROOT, Server, emulator, gateway
from bench._queries import (
    LINEAGE_LEVELS,
    LIST_SIZE,
    PAGE_SIZES,
    SEARCH_SIZE,
    SEARCH_SIZES,
    Operation,
    list_page,
    operations,
    schema_has_edits,
    schema_has_mutations,
    schema_has_search,
    search_page,
)
from bench._report import Cell, Target, by_page_size, machine_facts, table
from bench._wrk import GATEWAY_HEADERS, ensure_wrk, run_wrk

RESULTS = ROOT / "bench" / "results"
DEFAULT_OUTPUT = RESULTS / "gateway_bench.txt"
DEFAULT_PLOT = RESULTS / "gateway_bench.png"
LATENCY_MS = 5.0
PROBE_LATENCY_MS = 200.0
CATALOG_SIZE = 1000
CLIENT_CALLS = 1000
SETTLE_SECONDS = 0.3
SETTLED_CPU_SECONDS = 0.02
SOAK_CONNECTIONS = 10
SOAK_SAMPLE_SECONDS = 10.0
MAX_RSS_MB = 200.0
CLIENT_CPU_US = 250.0
# The soak's rotation: the reads it has always run (the writes are left out).
SOAKED = (f"Q1/{LIST_SIZE}", "Q2", "Q3")


@dataclass(slots=True)
class Bench:
    """The running processes and how long each cell lasts."""

    wrk: str
    emulator: Server
    gateway: Server
    control: EmulatorControl
    dataset: Dataset
    seconds: float
    warmup: float

    @property
    def graphql(self) -> str:
        return f"{self.gateway.url}/graphql"

    def post(self, body: bytes) -> httpx.Response:
        return httpx.post(self.graphql, content=body, headers=GATEWAY_HEADERS, timeout=60)

    def check(self, op: Operation) -> None:
        """Each body answers 200 with the data the query asks for (before any timing)."""
        op.ready()
        for body in op.bodies[:4]:
            response = self.post(body)
            problem = (
                f"HTTP {response.status_code}"
                if response.status_code != 200
                else op.check(orjson.loads(response.content))
            )
            if problem:
                raise SystemExit(f"{op.title}: the gateway answered wrongly: {problem}")

    def settle(self) -> None:
        """Wait until requests abandoned by the last run are done: gateway idle, no calls."""
        calls, cpu = -1, -1.0
        while True:
            now_calls, now_cpu = self.control.calls(), self.gateway.cpu_seconds()
            if now_calls == calls and now_cpu - cpu < SETTLED_CPU_SECONDS:
                return
            calls, cpu = now_calls, now_cpu
            time.sleep(SETTLE_SECONDS)

    def gateway_cell(self, op: Operation, concurrency: int, seconds: float) -> Cell:
        op.ready()
        run_wrk(self.wrk, self.graphql, op.bodies, concurrency, self.warmup)
        self.settle()
        op.ready()
        self.control.reset_counters()
        cpu, emulator_cpu = self.gateway.cpu_seconds(), self.emulator.cpu_seconds()
        load = run_wrk(self.wrk, self.graphql, op.bodies, concurrency, seconds)
        cpu = self.gateway.cpu_seconds() - cpu
        emulator_cpu = self.emulator.cpu_seconds() - emulator_cpu
        self.settle()
        return Cell(
            key=op.key,
            side="gateway",
            concurrency=concurrency,
            completed=load.completed,
            sent=load.sent,
            seconds=load.seconds,
            p50_ms=load.p50_ms,
            p99_ms=load.p99_ms,
            errors=load.errors,
            upstream_calls=self.control.calls(),
            cpu_seconds=cpu,
            emulator_cpu_seconds=emulator_cpu,
            rss_mb=self.gateway.rss_mb(),
        )

    def floor_cell(self, op: Operation, concurrency: int, seconds: float) -> Cell:
        emulator_cpu = 0.0

        def mark() -> None:
            nonlocal emulator_cpu
            op.ready()
            self.control.reset_counters()
            emulator_cpu = self.emulator.cpu_seconds()

        op.ready()
        result = floor.measure(self.dataset, op.key, concurrency, seconds, self.warmup, mark)
        emulator_cpu = self.emulator.cpu_seconds() - emulator_cpu
        return Cell(
            key=op.key,
            side="floor",
            concurrency=concurrency,
            completed=result.completed,
            sent=result.sent,
            seconds=result.seconds,
            p50_ms=result.p50_ms,
            p99_ms=result.p99_ms,
            errors=result.errors,
            upstream_calls=self.control.calls(),
            cpu_seconds=result.cpu_seconds,
            emulator_cpu_seconds=emulator_cpu,
            rss_mb=None,
        )

    def rounds(self, op: Operation) -> tuple[int, int]:
        """Sequential upstream round trips of one query, gateway and floor: with every
        upstream answer delayed by 200 ms, wall time / 200 ms."""
        op.ready()
        self.control.set_latency(PROBE_LATENCY_MS)
        try:
            self.post(op.bodies[0])
            started = time.perf_counter()
            self.post(op.bodies[1 % len(op.bodies)])
            through_gateway = time.perf_counter() - started
            direct = floor.once(self.dataset, op.key)
        finally:
            self.control.set_latency(LATENCY_MS)
        probe = PROBE_LATENCY_MS / 1000
        return int(through_gateway / probe), int(direct / probe)

    def soak(self, ops: list[Operation], minutes: float) -> list[str]:
        """Q1-Q3 in rotation at concurrency 10; the gateway's RSS sampled as it runs."""
        bodies = [body for op in ops if op.key in SOAKED for body in op.bodies]
        seconds = minutes * 60
        samples: list[tuple[float, float]] = []
        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            running = pool.submit(
                run_wrk, self.wrk, self.graphql, bodies, SOAK_CONNECTIONS, seconds
            )
            while not running.done():
                samples.append((time.monotonic() - started, self.gateway.rss_mb()))
                try:
                    running.result(timeout=SOAK_SAMPLE_SECONDS)
                except concurrent.futures.TimeoutError:
                    continue
            load = running.result()
        samples.append((time.monotonic() - started, self.gateway.rss_mb()))
        half = [s for s in samples if s[0] >= seconds / 2]
        slope = (half[-1][1] - half[0][1]) / max(half[-1][0] - half[0][0], 1) * 60
        trace = " ".join(f"{rss:.0f}" for _, rss in samples[:: max(1, len(samples) // 20)])
        return [
            f"soak: {minutes:g} min, Q1-Q3 in rotation at concurrency {SOAK_CONNECTIONS}: "
            f"{load.completed / load.seconds:.1f} q/s, {load.errors} errors",
            f"  gateway RSS MB: start {samples[0][1]:.1f}, end {samples[-1][1]:.1f}, "
            f"max {max(r for _, r in samples):.1f}; second half {slope:+.2f} MB/min",
            f"  samples every {SOAK_SAMPLE_SECONDS:g} s: {trace}",
        ]


def _targets(
    ops: list[Operation],
    cells: list[Cell],
    rounds: dict[str, tuple[int, int]],
    client_us: float,
    engine_ms: float,
) -> list[Target]:
    def cell(key: str, side: str = "gateway", concurrency: int = 1) -> Cell:
        return next(c for c in cells if (c.key, c.side, c.concurrency) == (key, side, concurrency))

    q1, q2, q3 = f"Q1/{LIST_SIZE}", "Q2", "Q3"
    levels = {op.key: op.levels for op in ops}
    floor_note = "floor {:.2f} ms"
    targets = [
        Target("Q1 upstream calls per query", cell(q1).calls_per_query, 1, "calls"),
        Target(
            "Q1 p50, concurrency 1 (latency + 4 ms)",
            cell(q1).p50_ms,
            LATENCY_MS + 4,
            "ms",
            floor_note.format(cell(q1, "floor").p50_ms),
        ),
        Target("Q1 p50 above the floor's", cell(q1).p50_ms - cell(q1, "floor").p50_ms, 4, "ms"),
        Target(
            "Q1 gateway CPU per query, concurrency 1",
            cell(q1).cpu_ms,
            3,
            "ms",
            f"GraphQL engine floor {engine_ms:.2f} ms",
        ),
        *(
            [
                Target(
                    "Q1 gateway CPU per query, concurrency 10",
                    cell(q1, concurrency=10).cpu_ms,
                    3,
                    "ms",
                )
            ]
            if any(c.key == q1 and c.concurrency == 10 for c in cells)
            else []
        ),
        Target(
            "Q2 upstream round trips (200 ms probe)",
            rounds[q2][0],
            levels[q2],
            "trips",
            f"floor {rounds[q2][1]}",
        ),
        Target(
            "Q2 upstream calls per query (the floor's)",
            cell(q2).calls_per_query,
            cell(q2, "floor").calls_per_query,
            "calls",
        ),
        Target(
            f"Q2 p50, concurrency 1 ({levels[q2]} x latency + 6 ms)",
            cell(q2).p50_ms,
            levels[q2] * LATENCY_MS + 6,
            "ms",
            floor_note.format(cell(q2, "floor").p50_ms),
        ),
        Target("Q2 p50 above the floor's", cell(q2).p50_ms - cell(q2, "floor").p50_ms, 6, "ms"),
        Target(
            "Q3 upstream round trips (200 ms probe)",
            rounds[q3][0],
            1,
            "trips",
            f"floor {rounds[q3][1]}",
        ),
        Target(
            "Q3 upstream calls per query (distinct ids)",
            cell(q3).calls_per_query,
            cell(q3, "floor").calls_per_query,
            "calls",
        ),
        Target(
            "Q3 p50, concurrency 1 (latency + 10 ms)",
            cell(q3).p50_ms,
            LATENCY_MS + 10,
            "ms",
            floor_note.format(cell(q3, "floor").p50_ms),
        ),
        Target("Q3 p50 above the floor's", cell(q3).p50_ms - cell(q3, "floor").p50_ms, 10, "ms"),
        *(
            [
                Target(
                    "Q5 upstream calls per edit (the GET and the PATCH)",
                    cell("Q5").calls_per_query,
                    2,
                    "calls",
                    f"floor {cell('Q5', 'floor').calls_per_query:.2f}",
                )
            ]
            if "Q5" in levels
            else []
        ),
        *(
            [
                Target(
                    f"Q6 upstream calls per search page ({SEARCH_SIZE} hits and facets)",
                    cell(f"Q6/{SEARCH_SIZE}").calls_per_query,
                    1,
                    "calls",
                    f"floor {cell(f'Q6/{SEARCH_SIZE}', 'floor').calls_per_query:.2f}",
                ),
                *(
                    Target(
                        f"Q7 upstream calls per lineage request, depth {depth}",
                        cell(f"Q7/{depth}").calls_per_query,
                        1,
                        "calls",
                        f"floor {cell(f'Q7/{depth}', 'floor').calls_per_query:.2f}",
                    )
                    for depth in LINEAGE_LEVELS
                ),
            ]
            if f"Q6/{SEARCH_SIZE}" in levels
            else []
        ),
        Target(
            "Q8 upstream calls per query (the floor's)",
            cell("Q8").calls_per_query,
            cell("Q8", "floor").calls_per_query,
            "calls",
        ),
        Target("client layer CPU per upstream call", client_us, CLIENT_CPU_US, "us"),
        Target(
            "gateway RSS, largest after any cell",
            max(c.rss_mb for c in cells if c.rss_mb is not None),
            MAX_RSS_MB,
            "MB",
        ),
    ]
    return targets


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.gateway_bench", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--quick", action="store_true", help="3 s per cell instead of 10 s")
    parser.add_argument("--seconds", type=float, help="measured seconds per cell")
    parser.add_argument(
        "--concurrency", default="1,10,50", help="comma-separated concurrent clients"
    )
    parser.add_argument(
        "--soak-minutes", type=float, default=0, help="then run Q1-Q3 this long, tracking RSS"
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="report file")
    parser.add_argument("--plot", type=Path, default=DEFAULT_PLOT, help="plot file (PNG)")
    parser.add_argument("--no-save", action="store_true", help="print only: no report, no plot")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    seconds = args.seconds or (3.0 if args.quick else 10.0)
    warmup = 1.0
    levels = [int(c) for c in args.concurrency.split(",")]
    wrk = ensure_wrk()
    command = " ".join([".venv/bin/python -m bench.gateway_bench", *(argv or sys.argv[1:])])
    lines = machine_facts(command, wrk)

    started = time.monotonic()

    def say(text: str) -> None:
        print(f"[{time.monotonic() - started:5.0f} s] {text}", file=sys.stderr, flush=True)

    with emulator(LATENCY_MS) as upstream:
        control = EmulatorControl(upstream.url)
        say(f"growing the catalog to {CATALOG_SIZE} ML models")
        created = grow_catalog(control, CATALOG_SIZE)
        dataset = Dataset.discover(upstream.url)
        with_mutations = schema_has_mutations(ROOT / "schema.graphql")
        with_edits = schema_has_edits(ROOT / "schema.graphql")
        with_search = schema_has_search(ROOT / "schema.graphql")
        ops = operations(dataset, with_mutations, with_edits, with_search)
        with gateway(upstream.url) as server:
            bench = Bench(wrk, upstream, server, control, dataset, seconds, warmup)
            lines += [
                f"upstream: gateway emulator --data :memory: --latency-ms {LATENCY_MS:g}; "
                f"{dataset.model_count} ML models ({created} created through the REST API)",
                f"gateway: gateway serve --catalog-url ... --registry-url ... --catalog-token "
                f"... --registry-token ... --log-level warning (one uvicorn worker, pid "
                f"{server.pid})",
                f"cells: {seconds:g} s after {warmup:g} s warm-up; page-size cells "
                f"{seconds / 2:g} s at concurrency 1; wrk -t1",
                "columns: upstream/q = emulator calls / requests sent; CPU ms/q = gateway "
                "(or floor client) user+sys CPU / completed; RSS after the cell; g/floor: "
                "q/s ratio, p50/p99 and upstream/q differences, CPU ratio",
            ]
            if not with_mutations:
                lines.append("Q4 skipped: no mutations in schema")
            if not with_edits:
                lines.append("Q5 skipped: no updateMlModel in schema")
            if not with_search:
                lines.append("Q6 and Q7 skipped: no search or lineage in schema")
            say("checking the answers; upstream round trips at 200 ms latency")
            for op in ops:
                bench.check(op)
            rounds = {op.key: bench.rounds(op) for op in ops}
            cells: list[Cell] = []
            for op in ops:
                for concurrency in levels:
                    say(f"{op.key} concurrency {concurrency}")
                    cells.append(bench.gateway_cell(op, concurrency, seconds))
                    cells.append(bench.floor_cell(op, concurrency, seconds))
            pages = [c for c in cells if c.key == f"Q1/{LIST_SIZE}" and c.concurrency == 1]
            for size in PAGE_SIZES:
                if size == LIST_SIZE and pages:
                    continue
                op = list_page(size)
                bench.check(op)
                say(f"{op.key} concurrency 1")
                pages.append(bench.gateway_cell(op, 1, seconds / 2))
                pages.append(bench.floor_cell(op, 1, seconds / 2))
            searches: list[Cell] = []
            if with_search:
                searches = [c for c in cells if c.key == f"Q6/{SEARCH_SIZE}" and c.concurrency == 1]
                for size in SEARCH_SIZES:
                    if size == SEARCH_SIZE and searches:
                        continue
                    op = search_page(size)
                    bench.check(op)
                    say(f"{op.key} concurrency 1")
                    searches.append(bench.gateway_cell(op, 1, seconds / 2))
                    searches.append(bench.floor_cell(op, 1, seconds / 2))
            say("client layer and GraphQL engine floor")
            control.set_latency(0)
            client_us, bare_us = client_cpu(dataset, CLIENT_CALLS)
            control.set_latency(LATENCY_MS)
            engine = engine_floor(PAGE_SIZES, gateway_executor=True)
            standard_engine = engine_floor(PAGE_SIZES)
            soak: list[str] = []
            if args.soak_minutes > 0:
                say(f"soak: {args.soak_minutes:g} min")
                soak = bench.soak(ops, args.soak_minutes)
    for op in ops:
        trips = rounds[op.key]
        title = (
            f"{op.title}: upstream round trips gateway {trips[0]}, floor {trips[1]} "
            f"(levels {op.levels})"
        )
        lines += ["", *table(title, (c for c in cells if c.key == op.key))]
    lines += ["", *table("Q1 by page size, concurrency 1", pages, by_page_size, "size")]
    if searches:
        title = "Q6 search page by page size (hits), concurrency 1"
        lines += ["", *table(title, searches, by_page_size, "size")]
    lines += [
        "",
        f"client layer, sequential GET of one model ({CLIENT_CALLS} calls, emulator latency 0):",
        f"  CatalogClient.get_model (keep-alive pool, msgspec records): {client_us:.0f} us CPU",
        f"  bare aiohttp ClientSession.get + read (reference):          {bare_us:.0f} us CPU",
        "",
        "GraphQL engine floor: Q1's selection executed over prebuilt objects (no resolvers, "
        "no I/O), CPU ms per query by page size:",
        "  gateway executor:  " + ", ".join(f"{size}: {ms:.2f}" for size, ms in engine.items()),
        "  Strawberry's own:  "
        + ", ".join(f"{size}: {ms:.2f}" for size, ms in standard_engine.items()),
        "",
        "targets:",
        *(t.line() for t in _targets(ops, cells, rounds, client_us, engine[LIST_SIZE])),
        *(["", *soak] if soak else []),
        "",
        f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
    ]
    report = "\n".join(lines) + "\n"
    print(report, end="")
    if not args.no_save:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(report)
        from bench._plot import plot

        plot(args.plot, pages, cells, {op.key: op.short for op in ops}, lines[1] + "  " + lines[2])
        say(f"saved {args.output} and {args.plot}")


if __name__ == "__main__":
    main()
