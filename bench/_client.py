"""CPU of the gateway's client layer per upstream call, beside a bare aiohttp GET."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

import aiohttp
import uvloop

from bench._dataset import AUTH, Dataset
from gateway.emulator.config import DEFAULT_TOKEN
from gateway.upstream.catalog import CatalogClient
from gateway.upstream.http import UpstreamConfig, UpstreamHttp

WARMUP_CALLS = 100
ROUNDS = 3


async def _cpu_per_call(call: Callable[[], Awaitable[object]], calls: int) -> float:
    for _ in range(WARMUP_CALLS):
        await call()
    started = time.process_time()
    for _ in range(calls):
        await call()
    return (time.process_time() - started) / calls * 1e6


async def _measure(dataset: Dataset, calls: int) -> tuple[float, float]:
    model_id = dataset.entity_ids[0]
    http = UpstreamHttp(UpstreamConfig("catalog", dataset.catalog, token=DEFAULT_TOKEN))
    client = CatalogClient(http, auth=None)
    url = f"{dataset.catalog}/v1/mlmodels/{model_id}"
    gateway_us: list[float] = []
    bare_us: list[float] = []
    try:
        async with aiohttp.ClientSession(headers={"Authorization": AUTH}) as session:

            async def bare() -> bytes:
                async with session.get(url) as response:
                    return await response.read()

            # Interleaved rounds, the best of each: noise on a shared machine only adds.
            for _ in range(ROUNDS):
                gateway_us.append(await _cpu_per_call(lambda: client.get_model(model_id), calls))
                bare_us.append(await _cpu_per_call(bare, calls))
    finally:
        await http.aclose()
    return min(gateway_us), min(bare_us)


def client_cpu(dataset: Dataset, calls: int) -> tuple[float, float]:
    """Microseconds of CPU per sequential GET of one model, the best of a few interleaved
    rounds: `CatalogClient.get_model` (the gateway's production transport and decoding
    into records), and bare aiohttp."""
    return uvloop.run(_measure(dataset, calls))
