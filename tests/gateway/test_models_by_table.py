"""`Table.mlModels`' index: every page of models is read once, whatever the page size."""

from __future__ import annotations

import math

import httpx

from gateway.domain.loaders import ModelsByTableIndex
from gateway.emulator.config import DEFAULT_TOKEN
from gateway.upstream.catalog import CatalogClient
from gateway.upstream.http import UpstreamConfig, UpstreamHttp
from tests.conftest import EmulatorHandle

LIST_MODELS = "GET /api/v1/mlmodels"


async def test_the_index_reads_every_page_of_models(emulator: EmulatorHandle) -> None:
    # given the catalog's models and the tables their features read, as REST lists them
    async with httpx.AsyncClient() as rest:
        listed = await rest.get(
            f"{emulator.catalog_url}/v1/mlmodels",
            params={"limit": 1000, "fields": "mlFeatures"},
            headers={"Authorization": f"Bearer {DEFAULT_TOKEN}"},
        )
    models = listed.json()["data"]
    expected: dict[str, list[str]] = {}
    for model in models:
        tables = {
            source["dataSource"]["id"]
            for feature in model.get("mlFeatures") or ()
            for source in feature.get("featureSources") or ()
            if source.get("dataSource")
        }
        for table in tables:
            expected.setdefault(table, []).append(model["name"])
    assert len(models) > 7
    assert expected
    http = UpstreamHttp(UpstreamConfig("catalog", emulator.catalog_url, token=DEFAULT_TOKEN))
    index = ModelsByTableIndex(CatalogClient(http, auth=None))
    index.SCAN_PAGE_SIZE = 7  # a page smaller than the catalog
    emulator.reset_counters()
    try:
        # when every table's models are asked for
        found = {table: [m.name for m in await index.using_table(table)] for table in expected}
        nothing = await index.using_table("00000000-0000-0000-0000-000000000000")
    finally:
        await http.aclose()
    # then each has exactly the models REST lists, from one pass over the pages
    assert found == expected
    assert nothing == []
    assert emulator.counters() == {LIST_MODELS: math.ceil(len(models) / 7)}
