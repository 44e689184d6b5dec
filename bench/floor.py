"""The floor: each benchmarked query's data fetched with the fewest direct REST calls (aiohttp).

    .venv/bin/python -m bench.floor --emulator URL
        [--query Q1/50|Q2|Q3|Q4|Q5|Q6/20|Q7/1|Q7/3|Q8] [--concurrency C] [--seconds N]

What a frontend calling the upstreams itself would do, with nothing in between: Q1 one list
call; Q2 the model, then its tables, followers and registry versions concurrently; Q3 one
concurrent GET per id; Q4 the write, then a re-read of what it changed; Q5 the gateway's
two calls of an edit: the model read (GET), then the same JSON Patch of its description
(PATCH, `application/json-patch+json`); its models are reset first; Q6 the gateway's one
search call (`GET /v1/search/query`, the same parameters), the follower count and the tags
(the Tier tag with the others) taken from each hit's `_source`; Q7 the gateway's lineage
call (`GET /v1/lineage/mlmodel/{id}` at the same depths); Q8 the list call with followers,
then each distinct follower (`GET /v1/users/{id}`) concurrently. Answers are decoded
(orjson) as a client would. `gateway_bench` runs it beside the gateway, measured the same
way; alone it measures one cell against a running emulator and prints JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import quote

import aiohttp
import orjson
import uvloop

from bench._dataset import AUTH, Dataset, depths, edit_turn, reset_edits
from bench._queries import LIST_SIZE, SEARCH_WORD

Call = Callable[[int], Awaitable[object]]
MODEL_FIELDS_Q1 = "followers,votes,tags"
VERSION_PAGE = "10"
JSON = "application/json"
JSON_PATCH = "application/json-patch+json"
SEARCH_INDEX = "mlmodel_search_index"


class FloorError(Exception):
    """An upstream answered something other than 2xx."""


class Floor:
    """The minimum REST calls per query, over one pooled keep-alive session."""

    def __init__(self, session: aiohttp.ClientSession, dataset: Dataset) -> None:
        self.session = session
        self.data = dataset
        self.api = dataset.catalog

    async def _send(
        self,
        method: str,
        url: str,
        params: dict[str, str] | None = None,
        body: object = None,
        content_type: str = JSON,
    ) -> Any:
        data = None if body is None else orjson.dumps(body)
        headers = {"Content-Type": content_type} if data is not None else None
        async with self.session.request(
            method, url, params=params, data=data, headers=headers
        ) as response:
            payload = await response.read()
            if not 200 <= response.status < 300:
                raise FloorError(f"{method} {url}: HTTP {response.status}")
        return orjson.loads(payload)

    async def list_page(self, size: int) -> Any:
        params = {"limit": str(size), "fields": MODEL_FIELDS_Q1}
        return await self._send("GET", f"{self.api}/v1/mlmodels", params)

    async def detail(self) -> Any:
        model = await self._send(
            "GET",
            f"{self.api}/v1/mlmodels/name/{quote(self.data.detail_fqn, safe='')}",
            {"fields": "followers,extension"},
        )
        tables = {
            source["dataSource"]["id"]
            for feature in model.get("mlFeatures") or ()
            for source in feature.get("featureSources") or ()
            if source.get("dataSource")
        }
        rid = (model.get("extension") or {})["registryModelRid"]
        calls = [self._send("GET", f"{self.api}/v1/tables/{t}") for t in sorted(tables)]
        calls += [self._send("GET", f"{self.api}/v1/users/{f['id']}") for f in model["followers"]]
        calls.append(
            self._send(
                "GET",
                f"{self.data.registry}/api/v2/models/{rid}/versions",
                {"preview": "true", "pageSize": VERSION_PAGE},
            )
        )
        return model, await asyncio.gather(*calls)

    async def entities(self) -> Any:
        return await asyncio.gather(
            *(self._send("GET", f"{self.api}/v1/mlmodels/{i}") for i in self.data.entity_ids)
        )

    async def mutation(self, turn: int) -> Any:
        """Follow, vote up, unfollow, withdraw the vote, as Q4 rotates them."""
        model_id = self.data.mutation_ids[(turn // 4) % len(self.data.mutation_ids)]
        model = f"{self.api}/v1/mlmodels/{model_id}"
        step = turn % 4
        if step == 0:
            await self._send("PUT", f"{model}/followers", body=self.data.caller_id)
        elif step == 2:
            await self._send("DELETE", f"{model}/followers/{self.data.caller_id}")
        else:
            vote = "votedUp" if step == 1 else "unVoted"
            await self._send("PUT", f"{model}/vote", body={"updatedVoteType": vote})
        fields = "followers" if step in (0, 2) else "votes"
        return await self._send("GET", model, {"fields": fields})

    async def edit(self, turn: int) -> Any:
        """Q5's edit at `turn`: the model (as the gateway reads it), then the patch of its
        description the gateway sends (`replace`, or `add` when it has none)."""
        model_id, description = edit_turn(self.data, turn)
        url = f"{self.api}/v1/mlmodels/{model_id}"
        model = await self._send("GET", url)
        op = "replace" if model.get("description") is not None else "add"
        patch = [{"op": op, "path": "/description", "value": description}]
        return await self._send("PATCH", url, body=patch, content_type=JSON_PATCH)

    async def search(self, size: int) -> Any:
        """Q6's page: the search call the gateway makes (hits and aggregations in one);
        each hit's follower count and tags from its index document."""
        params = {
            "q": SEARCH_WORD, "index": SEARCH_INDEX, "from": "0", "size": str(size),
            "deleted": "false", "sort_field": "_score", "sort_order": "desc",
            "track_total_hits": "true",
        }  # fmt: skip
        answer = await self._send("GET", f"{self.api}/v1/search/query", params)
        rows = []
        for hit in answer["hits"]["hits"]:
            source = hit["_source"]
            tier = [source["tier"]] if source.get("tier") else []
            rows.append((hit["_score"], source, len(source.get("followers") or ()), tier))
        return answer["hits"]["total"]["value"], answer.get("aggregations"), rows

    async def lineage(self, depth: int) -> Any:
        """Q7: the model's lineage graph, `depth` both ways."""
        url = f"{self.api}/v1/lineage/mlmodel/{self.data.lineage_id}"
        return await self._send("GET", url, depths(depth))

    async def followers(self) -> Any:
        """Q8: the list page with followers, then every distinct follower's user record."""
        page = await self._send(
            "GET", f"{self.api}/v1/mlmodels", {"limit": str(LIST_SIZE), "fields": "followers"}
        )
        users = {f["id"] for model in page["data"] for f in model.get("followers") or ()}
        found = await asyncio.gather(
            *(self._send("GET", f"{self.api}/v1/users/{u}") for u in sorted(users))
        )
        return page, found

    def call(self, key: str) -> Call:
        if key.startswith("Q1/"):
            size = int(key.split("/")[1])
            return lambda _: self.list_page(size)
        if key == "Q2":
            return lambda _: self.detail()
        if key == "Q3":
            return lambda _: self.entities()
        if key == "Q4":
            return self.mutation
        if key == "Q5":
            return self.edit
        if key.startswith("Q6/"):
            size = int(key.split("/")[1])
            return lambda _: self.search(size)
        if key.startswith("Q7/"):
            depth = int(key.split("/")[1])
            return lambda _: self.lineage(depth)
        if key == "Q8":
            return lambda _: self.followers()
        raise ValueError(f"unknown query {key}")


@dataclass(frozen=True, slots=True)
class Measured:
    """One load run: queries sent and completed in the window, latencies, client CPU."""

    sent: int
    completed: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_seconds: float


def percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def _session(concurrency: int) -> aiohttp.ClientSession:
    # Q3 runs 100 calls per query: the pool must not serialise them.
    connector = aiohttp.TCPConnector(limit=max(100, concurrency) * 2)
    return aiohttp.ClientSession(connector=connector, headers={"Authorization": AUTH})


async def _load(
    call: Call, concurrency: int, seconds: float, turns: itertools.count[int]
) -> Measured:
    latencies: list[float] = []
    sent = errors = 0
    started = time.perf_counter()
    deadline = started + seconds
    cpu0 = time.process_time()
    cpu_at_deadline = 0.0

    async def worker() -> None:
        nonlocal sent, errors
        while time.perf_counter() < deadline:
            sent += 1
            begun = time.perf_counter()
            try:
                await call(next(turns))
            except (FloorError, aiohttp.ClientError):
                errors += 1
                continue
            done = time.perf_counter()
            if done <= deadline:
                latencies.append(done - begun)

    async def clock() -> None:
        nonlocal cpu_at_deadline
        await asyncio.sleep(max(deadline - time.perf_counter(), 0))
        cpu_at_deadline = time.process_time()

    await asyncio.gather(clock(), *(worker() for _ in range(concurrency)))
    latencies_ms = [x * 1000 for x in latencies]
    return Measured(
        sent=sent,
        completed=len(latencies),
        seconds=seconds,
        p50_ms=percentile(latencies_ms, 50),
        p99_ms=percentile(latencies_ms, 99),
        errors=errors,
        cpu_seconds=cpu_at_deadline - cpu0,
    )


async def _measure(
    dataset: Dataset,
    key: str,
    concurrency: int,
    seconds: float,
    warmup: float,
    mark: Callable[[], None],
) -> Measured:
    async with _session(concurrency) as session:
        call = Floor(session, dataset).call(key)
        turns = itertools.count()
        await _load(call, concurrency, warmup, turns)
        mark()
        return await _load(call, concurrency, seconds, turns)


def measure(
    dataset: Dataset,
    key: str,
    concurrency: int,
    seconds: float,
    warmup: float,
    mark: Callable[[], None] = lambda: None,
) -> Measured:
    """Warm up, call `mark` (the caller resets counters there), then measure `seconds`."""
    return uvloop.run(_measure(dataset, key, concurrency, seconds, warmup, mark))


async def _once(dataset: Dataset, key: str) -> float:
    async with _session(1) as session:
        call = Floor(session, dataset).call(key)
        await call(0)
        started = time.perf_counter()
        await call(1)
        return time.perf_counter() - started


def once(dataset: Dataset, key: str) -> float:
    """Seconds one query takes on warm connections (the second of two)."""
    return uvloop.run(_once(dataset, key))


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.floor", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--emulator", required=True, help="emulator base URL")
    parser.add_argument(
        "--query",
        default="Q1/50",
        help="Q1/<page size>, Q2, Q3, Q4, Q5, Q6/<page size>, Q7/<depth> or Q8",
    )
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    args = parser.parse_args()
    dataset = Dataset.discover(args.emulator.rstrip("/"))
    if args.query == "Q5":
        reset_edits(dataset)
    result = measure(dataset, args.query, args.concurrency, args.seconds, args.warmup)
    print(orjson.dumps(asdict(result), option=orjson.OPT_INDENT_2).decode())


if __name__ == "__main__":
    main()
